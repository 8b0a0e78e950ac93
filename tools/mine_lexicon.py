#!/usr/bin/env python3
"""Measure each (cue lemma, frame) of the rule tier on a gold corpus and block the ones
that mislead.

The lexicon in ``src/sayso/data/cues_en.json`` is seeded by hand from reporting-verb
lists; many of its verbs only report in some frames ("raised concerns" is not speech,
"raised the question whether" sometimes is). This script runs the rule tier on a gold
file in the PolNeAR shape, pairs every predicted top-level statement with gold the way
the scorer does (content token Jaccard >= 0.5), and counts hits and misses per
(lemma, frame). Pairs seen at least ``--min-count`` times whose precision is under
``--max-precision`` are written to the lexicon's ``blocked`` list with ``--write``.

Run it on train only (never on dev or test):

    python tools/mine_lexicon.py ../shared/data/polnear/train.jsonl --write
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from rich.progress import track

TOKEN = re.compile(r"\w+")
LEXICON = Path(__file__).resolve().parents[1] / "src" / "sayso" / "data" / "cues_en.json"


def tokens(text: str, spans) -> set[int]:
    return {m.start() for s, e in spans for m in TOKEN.finditer(text, s, e)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path, help="gold JSONL (PolNeAR shape): use train, never dev")
    ap.add_argument("--min-count", type=int, default=8)
    ap.add_argument("--max-precision", type=float, default=0.3)
    ap.add_argument("--write", action="store_true", help="write the blocked pairs into the lexicon")
    ap.add_argument("--stats", type=Path, help="also write every pair's counts as TSV")
    args = ap.parse_args(argv)

    from sayso import nlp as nlp_mod
    from sayso.extract import rules

    # measure the lexicon as seeded: earlier blocks must not hide themselves
    lexicon_path = LEXICON
    raw = json.loads(lexicon_path.read_text("utf-8"))
    rules.load_lexicon.cache_clear()
    seeded = rules.load_lexicon("en")
    seeded = type(seeded)(**{**seeded.__dict__, "blocked": frozenset()})
    extractor = rules.RuleExtractor(seeded)
    frames_seen: list[tuple[str, str]] = []
    original = rules._statement

    def remember(text, cand, i):
        frames_seen.append((cand.frame, cand.anchor))
        return original(text, cand, i)

    rules._statement = remember
    nlp = nlp_mod.load()
    gold = [json.loads(line) for line in args.gold.read_text("utf-8").splitlines() if line.strip()]
    hits: Counter = Counter()
    seen: Counter = Counter()
    with nlp.select_pipes(disable=["sayso"]):
        docs = nlp.pipe((g["text"] for g in gold), batch_size=32)
        for g, doc in track(zip(gold, docs), total=len(gold), description="measuring cues"):
            frames_seen.clear()
            statements = extractor(doc)
            text = g["text"]
            gold_tokens = [tokens(text, a["content"]) for a in g["attributions"]]
            for st, (frame, anchor) in zip(statements, list(frames_seen)):
                if "nested" in st.flags or "low_confidence" in st.flags:
                    continue
                key = (seeded.lemma(doc[anchor].lemma_.lower()), frame)
                got = tokens(text, st.content.spans)
                match = any(got | x and len(got & x) / len(got | x) >= 0.5 for x in gold_tokens)
                seen[key] += 1
                hits[key] += match
    rules._statement = original

    blocked = sorted(k for k, n in seen.items()
                     if n >= args.min_count and hits[k] / n < args.max_precision)
    print(f"{'lemma':16} {'frame':10} {'seen':>6} {'right':>6} {'precision':>9}")
    for key in sorted(seen, key=lambda k: -seen[k])[:60]:
        mark = "  blocked" if key in blocked else ""
        print(f"{key[0]:16} {key[1]:10} {seen[key]:6d} {hits[key]:6d} {hits[key] / seen[key]:9.2f}{mark}")
    if args.stats:
        args.stats.write_text("".join(f"{k[0]}\t{k[1]}\t{seen[k]}\t{hits[k]}\n" for k in sorted(seen)), "utf-8")
    print(f"\n{len(blocked)} (lemma, frame) pairs under precision {args.max_precision} "
          f"with at least {args.min_count} predictions")
    if args.write:
        raw["blocked"] = [list(k) for k in blocked]
        lexicon_path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"written to {lexicon_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
