#!/usr/bin/env python3
"""Speaker accuracy on the PolNeAR dev speaker set, by source type.

    python bench/speaker_accuracy.py [--cases eval/speakers/polnear_dev.jsonl]
                                     [--gold ../shared/data/polnear/dev.jsonl]
                                     [--mode both|gold|found] [--tier fast] [--errors] [--json]

``eval/speakers/polnear_dev.jsonl`` holds gold PolNeAR dev sources, one per line, each with
the named person or organisation it denotes: pronouns and nominals ("he", "the senator",
"the campaign") annotated by hand by reading the article, and surname-only and full-name
sources ("Trump", "Sen. Lindsey Graham (R-S.C.)"), whose answer is the name itself. Only
offsets, the source's own text and a hash of the article (``sha``) are stored; a case whose
article text changed fails loudly. Cases with ``"expected": null`` (generic or unclear
referents: "critics", "a source", "you") are counted and skipped.

A case is right when one of its ``match`` strings (by default the surname; for an
organisation a distinctive word) is in the speaker's name, ignoring case. Two modes:

- **gold**: statements built from the *gold* spans of every attribution in the article are
  resolved (``sayso.resolve.resolve_article``): resolution alone, no extraction errors.
- **found**: the real pipeline (``sayso.pipeline.analyse_many``, the tier of ``--tier``)
  runs on the articles; a case is *found* when a predicted statement's source overlaps the
  gold source span and its content overlaps that attribution's gold content; its speaker is
  then checked. Accuracy is among the found cases.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT / "eval" / "speakers" / "polnear_dev.jsonl"
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
KINDS = ("pronoun", "nominal", "surname", "full_name")


class DevSetError(RuntimeError):
    pass


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def load_cases(path: Path = DEFAULT_CASES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_articles(gold_path: Path, wanted: set[str]) -> dict[str, dict]:
    out = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            if a["id"] in wanted:
                out[a["id"]] = a
    return out


def check(cases: list[dict], articles: dict[str, dict]) -> None:
    """Raise ``DevSetError`` when a case no longer fits its article (text changed)."""
    for c in cases:
        a = articles.get(c["article"])
        if a is None:
            raise DevSetError(f"{c['article']}: not in the gold file")
        if c.get("sha") and text_sha(a["text"]) != c["sha"]:
            raise DevSetError(f"{c['article']}: article text changed (sha {text_sha(a['text'])} != {c['sha']})")
        s, e = c["source"]
        if a["text"][s:e] != c["source_text"]:
            raise DevSetError(f"{c['article']} {c['source']}: {a['text'][s:e]!r} != {c['source_text']!r}")


def is_right(got: str | None, match: list[str]) -> bool:
    return got is not None and any(m.lower() in got.lower() for m in match)


def gold_statements(article: dict):
    """Statements built from the gold spans of every attribution with a cue."""
    from sayso.records import Part, Statement

    text = article["text"]
    out = []
    for k, a in enumerate(article["attributions"]):
        if not a["cue"]:
            continue
        out.append(Statement(
            id=f"g{k}", kind="indirect", cue=Part.from_spans(text, a["cue"]),
            content=Part.from_spans(text, a["content"]),
            source=Part.from_spans(text, a["source"]) if a["source"] else None,
        ))
    return tuple(out)


def _progress(items, description: str, quiet: bool, total: int | None = None):
    if quiet:
        return items
    from rich.progress import track

    return track(items, description=description, total=total, transient=True, console=_stderr_console())


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def resolve_gold(cases: list[dict], articles: dict[str, dict], quiet: bool = True) -> list[dict]:
    """Mode gold: each case with ``got`` (the resolved speaker name or None) and ``ok``."""
    from sayso import nlp as nlp_mod
    from sayso.records import Article
    from sayso.resolve import resolve_article

    nlp = nlp_mod.load()
    resolved: dict[tuple[str, int, int], object] = {}
    with nlp.select_pipes(disable=[p for p in ("sayso",) if p in nlp.pipe_names]):
        for aid, a in _progress(list(articles.items()), "resolving gold statements", quiet):
            doc = nlp(a["text"])
            art = resolve_article(doc, gold_statements(a), Article(id=aid, title=a.get("title"),
                                                                     published=a.get("publication_date")))
            for st in art.statements:
                if st.source is not None:
                    resolved.setdefault((aid, st.source.start, st.source.end), st.speaker)
    rows = []
    for c in cases:
        sp = resolved.get((c["article"], c["source"][0], c["source"][1]))
        got = sp.name if sp is not None else None
        rows.append({**c, "got": got, "ok": is_right(got, c["match"]) if c["expected"] else None})
    return rows


def _overlap(a: list, b: list) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def resolve_found(cases: list[dict], articles: dict[str, dict], tier: str | None = None,
                  quiet: bool = True) -> list[dict]:
    """Mode found: each case with ``found`` (a predicted statement pairs with it), ``got``
    (that statement's speaker name) and ``ok``."""
    from sayso import nlp as nlp_mod
    from sayso.pipeline import Document, analyse_many

    nlp = nlp_mod.load(accuracy=tier)
    ids = list(articles)
    predicted: dict[str, list] = {}
    docs = (Document(articles[i]["text"], id=i) for i in ids)
    for aid, art in zip(ids, _progress(analyse_many(docs, nlp), "analysing articles", quiet, len(ids))):
        predicted[aid] = list(art.statements)
    rows = []
    for c in cases:
        a = articles[c["article"]]
        gold_src = [c["source"]]
        wanted = set(c.get("attributions") or ())
        gold_content = [sp for at in a["attributions"]
                        if (at["id"] in wanted if wanted else at["source"] and at["source"][0] == c["source"])
                        for sp in at["content"]]
        best, best_ov = None, 0
        for st in predicted.get(c["article"], ()):
            if st.source is None:
                continue
            ov = _overlap([list(s) for s in st.source.spans], gold_src)
            if ov and _overlap([list(s) for s in st.content.spans], gold_content) and ov > best_ov:
                best, best_ov = st, ov
        got = best.speaker.name if best is not None and best.speaker is not None else None
        rows.append({**c, "found": best is not None, "got": got,
                     "ok": (is_right(got, c["match"]) if best is not None else None) if c["expected"] else None})
    return rows


def summarise(rows: list[dict], found_mode: bool = False) -> dict:
    def block(rs):
        scored = [r for r in rs if r["expected"]]
        # a source that names nobody ('a source', 'officials') given a person is wrong too
        invented = sum(1 for r in rs if not r["expected"] and r["got"] is not None
                       and (r.get("found", True) or not found_mode))
        out = {"cases": len(rs), "skipped_null": len(rs) - len(scored), "n": len(scored),
               "null_given_speaker": invented}
        if found_mode:
            hit = [r for r in scored if r["found"]]
            right = sum(bool(r["ok"]) for r in hit)
            out.update(found=len(hit), found_rate=round(len(hit) / len(scored), 4) if scored else 0.0,
                       right=right, accuracy=round(right / len(hit), 4) if hit else 0.0)
        else:
            right = sum(bool(r["ok"]) for r in scored)
            out.update(right=right, accuracy=round(right / len(scored), 4) if scored else 0.0)
        return out

    res = {kind: block([r for r in rows if r["kind"] == kind]) for kind in KINDS}
    res["pronoun+nominal"] = block([r for r in rows if r["kind"] in ("pronoun", "nominal")])
    res["all"] = block(rows)
    return res


def measure(cases_path: Path = DEFAULT_CASES, gold_path: Path = DEFAULT_GOLD, *, mode: str = "both",
            tier: str | None = None, quiet: bool = True) -> dict:
    cases = load_cases(cases_path)
    articles = load_articles(gold_path, {c["article"] for c in cases})
    check(cases, articles)
    if tier is None:
        from sayso.settings import Settings

        tier = Settings.from_env().accuracy
    out: dict = {"cases": str(cases_path.relative_to(ROOT)) if cases_path.is_relative_to(ROOT) else str(cases_path)}
    if mode in ("both", "gold"):
        rows = resolve_gold(cases, articles, quiet)
        out["gold"] = {"by_kind": summarise(rows), "rows": rows}
    if mode in ("both", "found"):
        rows = resolve_found(cases, articles, tier, quiet)
        out["found"] = {"tier": tier, "by_kind": summarise(rows, True), "rows": rows}
    return out


def _table(res: dict) -> str:
    lines = []
    head = f"{'source type':16s}"
    if "gold" in res:
        head += f"{'gold spans: n':>14s} {'right':>6s} {'acc':>7s} {'null→named':>11s}"
    if "found" in res:
        head += f"   {'found: n':>9s} {'found':>6s} {'right':>6s} {'acc':>7s} {'null→named':>11s}"
    lines.append(head)
    for kind in (*KINDS, "pronoun+nominal", "all"):
        line = f"{kind:16s}"
        if "gold" in res:
            g = res["gold"]["by_kind"][kind]
            line += f"{g['n']:14d} {g['right']:6d} {100 * g['accuracy']:6.1f}% {g['null_given_speaker']:11d}"
        if "found" in res:
            f = res["found"]["by_kind"][kind]
            line += f"   {f['n']:9d} {f['found']:6d} {f['right']:6d} {100 * f['accuracy']:6.1f}% {f['null_given_speaker']:11d}"
        lines.append(line)
    allk = res.get("gold", res.get("found"))["by_kind"]["all"]
    lines.append(f"({allk['cases']} cases; {allk['skipped_null']} with no named referent, not in the "
                 "accuracy; null→named: how many of those were given a speaker anyway"
                 + (f"; found mode, tier {res['found']['tier']}: accuracy among the found cases"
                    if "found" in res else "") + ")")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--mode", choices=("both", "gold", "found"), default="both")
    ap.add_argument("--tier", choices=("rules", "fast", "best"), default=None,
                    help="extraction tier for the found mode (default: sayso's default tier)")
    ap.add_argument("--errors", action="store_true", help="list the cases whose speaker is wrong")
    ap.add_argument("--json", action="store_true", help="figures as JSON (with --errors, the wrong cases too)")
    args = ap.parse_args(argv)
    if not args.gold.is_file():
        print(f"error: {args.gold}: not found (PolNeAR dev lives in ../shared)", file=sys.stderr)
        return 2
    try:
        res = measure(args.cases, args.gold, mode=args.mode, tier=args.tier, quiet=args.json)
    except DevSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def wrong(mode):
        return [{"mode": mode, "article": r["article"], "source": r["source"], "source_text": r["source_text"],
                 "kind": r["kind"], "expected": r["expected"], "got": r["got"]}
                for r in res[mode]["rows"] if r["expected"] and r["ok"] is False]

    if args.json:
        out = {"cases": res["cases"]}
        for mode in ("gold", "found"):
            if mode in res:
                out[mode] = {k: v for k, v in res[mode].items() if k != "rows"}
                if args.errors:
                    out[mode]["errors"] = wrong(mode)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(_table(res))
    if args.errors:
        for mode in ("gold", "found"):
            if mode in res:
                for w in wrong(mode):
                    print(f"  MISS [{mode}] {w['article']} {w['source']} {w['kind']} {w['source_text']!r}: "
                          f"expected {w['expected']!r}, got {w['got']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
