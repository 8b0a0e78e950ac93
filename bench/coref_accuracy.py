#!/usr/bin/env python3
"""Speaker resolution accuracy on hand-annotated PolNeAR dev sources.

    python bench/coref_accuracy.py [--sample tests/data/coref_sample.jsonl]
                                   [--gold ../shared/data/polnear/dev.jsonl] [--errors] [--json]

``tests/data/coref_sample.jsonl`` holds gold attributions whose source is a pronoun or a
nominal ('he', 'the senator', 'the campaign'), each annotated by hand, by reading the
article, with the named person or organisation it denotes. The statements given to the
resolver are built from the *gold* spans of every attribution in the article, so this
measures resolution, not extraction. A case counts as right when one of its ``match``
strings (by default the expected name's surname) appears in the resolved speaker's name.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "tests" / "data" / "coref_sample.jsonl"
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"


def gold_statements(article: dict):
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


def measure(sample_path: Path = DEFAULT_SAMPLE, gold_path: Path = DEFAULT_GOLD) -> dict:
    from sayso import nlp as nlp_mod
    from sayso.records import Article
    from sayso.resolve import resolve_article

    cases = [json.loads(line) for line in sample_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {c["article"] for c in cases}
    articles = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        if a["id"] in wanted:
            articles[a["id"]] = a
    nlp = nlp_mod.load()
    resolved: dict[tuple[str, int, int], object] = {}
    with nlp.select_pipes(disable=[p for p in ("sayso",) if p in nlp.pipe_names]):
        for aid, a in articles.items():
            doc = nlp(a["text"])
            statements = gold_statements(a)
            art = resolve_article(doc, statements, Article(id=aid, title=a.get("title"),
                                                           published=a.get("publication_date")))
            for st in art.statements:
                if st.source is not None:
                    resolved.setdefault((aid, st.source.start, st.source.end), st.speaker)
    rows = []
    for c in cases:
        sp = resolved.get((c["article"], c["source"][0], c["source"][1]))
        got = sp.name if sp is not None else None
        ok = got is not None and any(m.lower() in got.lower() for m in c["match"])
        rows.append({**c, "got": got, "ok": ok})
    n = len(rows)
    right = sum(r["ok"] for r in rows)
    by_kind = {}
    for kind in sorted({r["kind"] for r in rows}):
        rs = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {"n": len(rs), "right": sum(r["ok"] for r in rs),
                         "accuracy": round(sum(r["ok"] for r in rs) / len(rs), 4)}
    return {"n": n, "right": right, "accuracy": round(right / n, 4) if n else 0.0,
            "by_kind": by_kind, "rows": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--errors", action="store_true", help="list the cases resolved wrongly")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.gold.is_file():
        print(f"error: {args.gold}: not found (PolNeAR dev lives in ../shared)", file=sys.stderr)
        return 2
    res = measure(args.sample, args.gold)
    if args.json:
        print(json.dumps({k: v for k, v in res.items() if k != "rows"}))
        return 0
    print(f"resolved to the right named person/organisation: {res['right']}/{res['n']} "
          f"= {100 * res['accuracy']:.1f}%")
    for kind, v in res["by_kind"].items():
        print(f"  {kind:8s} {v['right']}/{v['n']} = {100 * v['accuracy']:.1f}%")
    if args.errors:
        for r in res["rows"]:
            if not r["ok"]:
                print(f"  MISS {r['article']} {r['source']} {r['source_text']!r}: "
                      f"expected {r['expected']!r}, got {r['got']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
