#!/usr/bin/env python3
"""Calibration of ``confidence`` on PolNeAR dev and the annotated real-news pages:
reliability tables, expected calibration error (10 bins) and the trusted view's detection
precision and recall at each threshold, out of fold (5 folds by article), and optionally
the fit that ships.

    python bench/calibration.py [--dev ../shared/data/polnear/dev.jsonl]
                                [--train ../shared/data/polnear/train.jsonl]
                                [--realnews eval/realnews/gold|none] [--fit-on both|polnear] [--fit]

What counts as right is what the independent scorer counts as end-to-end right: the
statement is paired with a gold attribution (content-token Jaccard >= 0.5, one to one,
greedy) and its source covers half the gold source's tokens (or neither has one). The
pairing uses ``../shared/eval/score.py``'s own functions; the trusted view's precision and
recall come from running that scorer on the filtered predictions. The cue-word prior (how
often a word is a gold cue where it occurs) is counted on train; the logistic model is
fitted on dev, whose texts the taggers never trained on, and on the real-news pages
(``--fit-on polnear`` leaves them out of the fit and scores them with the model fitted on
dev alone). ``--fit`` writes ``src/sayso/data/calibration_en.json`` from everything fitted on.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MODEL_FILE = ROOT / "src" / "sayso" / "data" / "calibration_en.json"
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)  # the printed table
CANDIDATES = tuple(round(0.30 + 0.01 * k, 2) for k in range(61))  # where the threshold is sought
FOLDS = 5
C = 1.0  # the logistic model's inverse regularisation strength


def scorer_module(path: Path):
    spec = importlib.util.spec_from_file_location("sayso_bench_score", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def cue_prior(train: list[dict]) -> dict[str, list[int]]:
    """Per lower-case word, how often it lies in a gold cue and how often it occurs."""
    from sayso.assess.calibration import WORD

    hits: Counter = Counter()
    seen: Counter = Counter()
    for art in train:
        text = art["text"]
        cue_chars = {i for at in art["attributions"] for s, e in at["cue"] for i in range(s, e)}
        for m in WORD.finditer(text):
            w = m.group().lower()
            seen[w] += 1
            hits[w] += m.start() in cue_chars
    return {w: [hits[w], seen[w]] for w in sorted(hits) if hits[w]}


def collect(dev: list[dict], calibrator):
    """Every article (``id``, ``text``, gold ``attributions``, optional ``title`` and
    ``publication_date``) through the pipeline up to the calibration: typed statements and
    their signal rows (the tier's own confidence still in place)."""
    from tqdm import tqdm

    from sayso import nlp as nlp_mod
    from sayso.assess import statement_signals, typed
    from sayso.records import Article
    from sayso.resolve import resolve_article

    nlp = nlp_mod.load()
    out = []
    texts = ((a["text"], a) for a in dev)
    for doc, art in tqdm(nlp.pipe(texts, as_tuples=True, batch_size=8), total=len(dev), desc="articles"):
        base = Article(id=art["id"], title=art.get("title"), published=art.get("publication_date"))
        resolved = resolve_article(doc, tuple(doc._.statements or ()), base)
        statements = typed(doc, resolved.statements)
        out.append((art, resolved, statements, statement_signals(doc, statements, calibrator)))
    return out


def realnews_articles(gold_dir: Path, pages: Path) -> list[dict]:
    """The hand-annotated real-news pages as articles, read as ``sayso eval`` reads them,
    each gold statement marked with whether it counts toward the recall subset (speech or
    writing with a named speaker)."""
    from sayso import realnews

    arts = []
    for gold, text in realnews.load(gold_dir, pages):
        doc = realnews.page_document(pages / gold.page, gold.id)
        rec = realnews.scorer_record(gold, text)
        rec.update(title=doc.title, publication_date=doc.published, corpus="realnews",
                   recall_subset=[realnews.recall_subset(st) for st in gold.statements])
        arts.append(rec)
    return arts


def scorer_pairs(score, text: str, gold: list[dict], statements) -> list[tuple[int, int]]:
    """(gold index, statement index) as score.py pairs them (its own ``match_attributions``
    on content tokens, else cue tokens); nested statements are left out, as the scorer never
    sees them."""
    toks = score.Tokens(text)
    scored = [i for i, st in enumerate(statements) if "nested" not in st.flags]

    def key(cue, content):
        c = toks.of_spans(content)
        return ("content", c) if c else ("cue", toks.of_spans(cue))

    gkeys = [key(g["cue"], g["content"]) for g in gold]
    pkeys = [key(statements[i].cue.spans, statements[i].content.spans) for i in scored]
    return [(gi, scored[pi]) for gi, pi in score.match_attributions(gkeys, pkeys)]


def labels(score, art: dict, statements) -> list[int | None]:
    """1 where the scorer would count the statement end-to-end right, 0 where not, None for
    nested statements (the scorer never sees them)."""
    toks = score.Tokens(art["text"])
    out: list[int | None] = [None if "nested" in st.flags else 0 for st in statements]
    for gi, i in scorer_pairs(score, art["text"], art["attributions"], statements):
        gs = toks.of_spans(art["attributions"][gi]["source"])
        st = statements[i]
        ps = toks.of_spans(st.source.spans if st.source else [])
        ok = (not gs and not ps) or (bool(gs) and len(gs & ps) >= score.SOURCE_COVER_MIN * len(gs))
        out[i] = int(ok)
    return out


def fit(x: numpy.ndarray, y: numpy.ndarray):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def out_of_fold(x, y, groups) -> numpy.ndarray:
    """Each article's statements scored by a model fitted on the other folds' articles."""
    ids = sorted(set(groups))
    fold_of = {g: i % FOLDS for i, g in enumerate(ids)}
    folds = numpy.array([fold_of[g] for g in groups])
    p = numpy.zeros(len(y))
    for k in range(FOLDS):
        w, b = fit(x[folds != k], y[folds != k])
        z = x[folds == k] @ w + b
        p[folds == k] = 1 / (1 + numpy.exp(-z))
    return p


def reliability(p, y, bins: int = 10):
    rows, ece = [], 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        m = (p >= lo) & ((p < hi) if k < bins - 1 else (p <= hi))
        if m.sum():
            rows.append((lo, hi, int(m.sum()), float(p[m].mean()), float(y[m].mean())))
            ece += m.sum() / len(y) * abs(p[m].mean() - y[m].mean())
    return rows, float(ece)


def _score(scorer: Path, gold: Path, pred: Path) -> dict:
    run = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)["attribution"]


def trusted_figures(scorer: Path, results, probs_by_article, thresholds):
    """Per threshold, the trusted view's detection and end-to-end P/R by score.py against
    all gold, detection recall against the recall subset where the corpus has one, and the
    trusted statements on pages with no gold statement."""
    from sayso.realnews import write_jsonl
    from sayso.trust import trusted_article

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        gold, subset, pred = Path(tmp, "gold.jsonl"), Path(tmp, "subset.jsonl"), Path(tmp, "pred.jsonl")
        write_jsonl(gold, ({"id": a["id"], "text": a["text"], "attributions": a["attributions"]} for a, *_ in results))
        has_subset = any("recall_subset" in a for a, *_ in results)
        write_jsonl(subset, ({"id": a["id"], "text": a["text"], "attributions": [
            at for at, keep in zip(a["attributions"], a.get("recall_subset") or []) if keep]}
            for a, *_ in results))
        for t in (None, *thresholds):
            empty: dict[str, int] = {}
            preds = []
            for art, resolved, statements, _ in results:
                sts = tuple(s.with_(confidence=float(q)) for s, q in zip(statements, probs_by_article[art["id"]]))
                article = replace(resolved, statements=sts)
                article = article if t is None else trusted_article(article, t)
                rec = article.to_attributions()
                if not art["attributions"]:
                    empty[art["id"]] = len(rec["attributions"])
                preds.append(rec)
            write_jsonl(pred, preds)
            fig = _score(scorer, gold, pred)
            row = {"detection": fig["detection"], "end_to_end": fig["end_to_end"],
                   "max_on_empty_pages": max(empty.values(), default=0)}
            if has_subset:
                row["subset_recall"] = _score(scorer, subset, pred)["detection"]["r"]
            out["all" if t is None else t] = row
    return out


def choose_threshold(figures) -> float | None:
    """The lowest threshold (in steps of 0.01) whose detection precision is at least 90:
    the most recall the trusted view can keep at the precision a fact-checker asks of it."""
    ok = [t for t, f in figures.items() if t != "all" and f["detection"]["p"] and f["detection"]["p"] >= 0.90]
    return min(ok) if ok else None


def reliability_text(rows, ece, title) -> list[str]:
    lines = [title, "  bin         n   mean conf   share right"]
    lines += [f"  {lo:.1f}-{hi:.1f}  {k:5d}     {pm:.3f}       {ym:.3f}" for lo, hi, k, pm, ym in rows]
    return lines + [f"  expected calibration error (10 bins): {ece:.3f}", ""]


def figures_text(figures, chosen, title) -> list[str]:
    lines = [title, "  threshold      det P   det R   e2e P   e2e R   subset R   max on empty page"]
    for t, f in figures.items():
        d, e = f["detection"], f["end_to_end"]
        name = "all stmts" if t == "all" else f"{t:.2f}"
        sub = f"{100 * f['subset_recall']:8.1f}" if f.get("subset_recall") is not None else "       -"
        mark = "  <- chosen" if t == chosen else ""
        lines.append(f"  {name:>9}  {100 * d['p']:7.1f} {100 * d['r']:7.1f} {100 * e['p']:7.1f} "
                     f"{100 * e['r']:7.1f}   {sub}   {f['max_on_empty_pages']:6d}{mark}")
    return lines + [""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=SHARED / "data" / "polnear" / "dev.jsonl")
    ap.add_argument("--train", type=Path, default=SHARED / "data" / "polnear" / "train.jsonl")
    ap.add_argument("--realnews", type=Path, default=ROOT / "eval" / "realnews" / "gold",
                    help="hand-annotated real-news gold, fitted and reported beside PolNeAR dev "
                         "('none' leaves it out)")
    ap.add_argument("--fit-on", choices=("polnear", "both"), default="both",
                    help="what the model is fitted on: PolNeAR dev alone (the real-news pages are "
                         "then scored by that model, out of domain) or both, out of fold")
    ap.add_argument("--pages", type=Path, default=SHARED / "data" / "realnews" / "html")
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    ap.add_argument("--fit", action="store_true", help=f"write {MODEL_FILE.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    for p in (args.dev, args.train, args.scorer):
        if not p.is_file():
            print(f"error: {p} not found", file=sys.stderr)
            return 2
    from sayso.assess.calibration import FEATURES, Calibrator

    prior = cue_prior(read_jsonl(args.train))
    calibrator = Calibrator((0.0,) * len(FEATURES), 0.0, {k: tuple(v) for k, v in prior.items()})
    score = scorer_module(args.scorer)
    arts = [dict(a, corpus="polnear") for a in read_jsonl(args.dev)]
    if str(args.realnews) != "none":
        arts += realnews_articles(args.realnews, args.pages)
    results = collect(arts, calibrator)
    xs, ys, groups, where = [], [], [], []
    for a, (art, _, statements, rows) in enumerate(results):
        for i, (row, lab) in enumerate(zip(rows, labels(score, art, statements))):
            if lab is not None:
                xs.append(row), ys.append(lab), groups.append(art["id"]), where.append((a, i))
    x, y = numpy.array(xs, dtype=float), numpy.array(ys, dtype=float)
    corpus = numpy.array([results[a][0]["corpus"] for a, _ in where])
    fitted = numpy.ones(len(y), bool) if args.fit_on == "both" else corpus == "polnear"
    p = numpy.zeros(len(y))
    p[fitted] = out_of_fold(x[fitted], y[fitted], [g for g, f in zip(groups, fitted) if f])
    w, b = fit(x[fitted], y[fitted])
    p[~fitted] = 1 / (1 + numpy.exp(-(x[~fitted] @ w + b)))
    probs = {art["id"]: numpy.full(len(sts), 0.0) for art, _, sts, _ in results}
    for (a, i), q in zip(where, p):
        probs[results[a][0]["id"]][i] = q
    lines = [f"{int(fitted.sum())} statements fitted on, scored out of fold ({FOLDS} folds by article); "
             f"{int((~fitted).sum())} scored by the model fitted on all of them", ""]
    eces = {}
    for name in ("polnear", "realnews"):
        m = corpus == name
        if m.any():
            rows, eces[name] = reliability(p[m], y[m])
            lines += reliability_text(rows, eces[name], f"Reliability, {name} ({int(m.sum())} statements):")
    polnear = [r for r in results if r[0]["corpus"] == "polnear"]
    fine = trusted_figures(args.scorer, polnear, probs, CANDIDATES)
    chosen = choose_threshold(fine)
    shown = sorted(set(THRESHOLDS) | ({chosen} if chosen else set()))
    lines += figures_text({t: fine[t] for t in ("all", *shown)}, chosen, "Trusted view, polnear (score.py, %):")
    realnews = [r for r in results if r[0]["corpus"] == "realnews"]
    if realnews:
        figures = trusted_figures(args.scorer, realnews, probs, shown)
        lines += figures_text(figures, chosen, "Trusted view, realnews (score.py, %):")
    from sayso.trust import THRESHOLD

    lines.append(f"chosen threshold: {chosen}" + ("" if chosen == THRESHOLD else
                 f" (src/sayso/trust.py ships {THRESHOLD}: set THRESHOLD to the chosen one after --fit)"))
    print("\n".join(lines))
    if args.fit:
        MODEL_FILE.write_text(json.dumps({
            "about": (f"Fitted by bench/calibration.py --fit on {date.today().isoformat()}: logistic "
                      f"model (C={C}) on {int(fitted.sum())} statements of "
                      + ("PolNeAR dev and the annotated real-news pages" if args.fit_on == "both" else "PolNeAR dev")
                      + f"; cue prior counted on PolNeAR train. Out of fold ({FOLDS} folds): ECE "
                      + ", ".join(f"{k} {v:.3f}" for k, v in eces.items()) + "."),
            "features": list(FEATURES), "weights": [round(float(v), 5) for v in w], "bias": round(b, 5),
            "out_of_fold_ece": {k: round(v, 4) for k, v in eces.items()}, "cue_prior": prior,
        }, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
