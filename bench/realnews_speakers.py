#!/usr/bin/env python3
"""Speakers on the annotated real-news pages: of sayso's statements that pair with a gold
statement whose speaker is named, how many get that speaker.

    python bench/realnews_speakers.py [--gold eval/realnews/gold] [--pages DIR] [--errors]

Statements pair with gold as ``../shared/eval/score.py`` pairs them (its own
``match_attributions``: content-token Jaccard >= 0.5, one to one). A paired statement is
*right* when the gold speaker's last word (the surname, or an organisation's last word) is
in sayso's speaker name, ignoring case; *wrong* when sayso names someone else; *none* when
sayso names nobody. Counted for every statement and for the trusted view
(``sayso.trust.is_trusted``). PolNeAR's speaker set is ``bench/speaker_accuracy.py``.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from calibration import SHARED, scorer_module, scorer_pairs  # bench/calibration.py, beside this script

ROOT = Path(__file__).resolve().parents[1]


def verdict(gold_name: str, got: str | None) -> str:
    if got is None:
        return "none"
    return "right" if gold_name.split()[-1].lower() in got.lower() else "wrong"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "eval" / "realnews" / "gold")
    ap.add_argument("--pages", type=Path, default=SHARED / "data" / "realnews" / "html")
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    ap.add_argument("--errors", action="store_true", help="list the wrong and missing speakers")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    from sayso import nlp as nlp_mod, realnews, trust
    from sayso.pipeline import analyse_many

    score = scorer_module(args.scorer)
    loaded = realnews.load(args.gold, args.pages)
    docs = [realnews.page_document(args.pages / g.page, g.id) for g, _ in loaded]
    counts = {"all": Counter(), "trusted": Counter()}
    errors = []
    articles = analyse_many(docs, nlp_mod.load())
    for (gold, text), art in tqdm(zip(loaded, articles), total=len(docs), desc="pages", file=sys.stderr):
        for gi, i in scorer_pairs(score, text, gold.statements, art.statements):
            g, st = gold.statements[gi], art.statements[i]
            if g["speaker"] is None:
                continue
            got = st.speaker.name if st.speaker else None
            v = verdict(g["speaker"], got)
            counts["all"][v] += 1
            if trust.is_trusted(st):
                counts["trusted"][v] += 1
            if v != "right":
                errors.append(f"{gold.id} {st.id}: gold {g['speaker']!r}, sayso {got!r} "
                              f"(source {st.source.text if st.source else None!r})")
    for view, c in counts.items():
        n = sum(c.values())
        print(f"{view:<8} paired with a named gold speaker: {n:4d}   right {c['right']:4d} "
              f"({100 * c['right'] / n if n else 0:.1f}%)   wrong {c['wrong']:3d}   none {c['none']:3d}")
    if args.errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
