#!/usr/bin/env python3
"""Time per kilobyte as a document grows: one article made of PolNeAR dev articles
joined, cut to each length, analysed whole; and the same sentence repeated. The figure that
matters is the ratio of the per-KB time at the longest length to that at the shortest (1.0
is linear; issue 19 asks for at most 1.5 from 50 k to 400 k characters).

    python bench/length_scaling.py [--lengths 50000,100000,200000,400000] [--tiers rules,fast]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"


def news_text(n: int) -> str:
    texts = [json.loads(line)["text"] for line in DEV.open(encoding="utf-8")]
    out = "\n\n".join(texts)
    while len(out) < n:
        out += "\n\n" + out
    cut = out.rfind("\n\n", 0, n)
    return out[:cut if cut > n // 2 else n]


def per_kb(text: str, nlp) -> float:
    from sayso.pipeline import Document, analyse

    start = time.perf_counter()
    analyse(Document(text), nlp)
    return (time.perf_counter() - start) / (len(text) / 1000)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lengths", default="50000,100000,200000,400000")
    ap.add_argument("--tiers", default="rules,fast")
    ap.add_argument("--repeated", action="store_true", help="also the one repeated sentence")
    args = ap.parse_args(argv)
    if not DEV.is_file():
        print(f"error: {DEV} not found", file=sys.stderr)
        return 2
    from sayso import nlp as nlp_mod

    lengths = [int(x) for x in args.lengths.split(",")]
    kinds = [("news", news_text)] + ([("repeated", lambda n: ("The mayor said the bridge would close. "
                                                               * (n // 40 + 1))[:n])] if args.repeated else [])
    for tier in args.tiers.split(","):
        nlp = nlp_mod.load(accuracy=tier)
        per_kb(news_text(5000), nlp)  # warm up
        for name, make in kinds:
            times = [per_kb(make(n), nlp) for n in lengths]
            cells = "  ".join(f"{n // 1000}k: {1000 * t:6.1f} ms/KB" for n, t in zip(lengths, times))
            print(f"{tier:5s} {name:8s} {cells}   ratio {times[-1] / times[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
