#!/usr/bin/env python3
"""Extraction speed: bare spaCy parsing vs the full sayso pipeline, measured in one run.

    python bench/extract_speed.py [GOLD_OR_ARTICLES.jsonl] [--limit N] [--rounds 3] [--json]

Both pipelines run over the same texts (PolNeAR dev by default), alternating in ABBA order
for ``--rounds`` rounds after a warm-up; the best time of each is reported, as words/s (words
= whitespace-separated), with the ratio sayso/bare and the process's peak resident memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from sayso import nlp as nlp_mod
from sayso.evaluation import repo_root
from sayso.pipeline import Document, analyse_many
from sayso.readers import ReadError, read_path

DEFAULT = Path("..") / "shared" / "data" / "polnear" / "dev.jsonl"


def default_path() -> Path:
    if DEFAULT.is_file() or not (repo_root() / DEFAULT).is_file():
        return DEFAULT
    return repo_root() / DEFAULT


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=None, help=f"JSONL articles (default {DEFAULT})")
    ap.add_argument("--limit", type=int, default=None, help="use the first N articles")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per pipeline")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default=None, help="spaCy pipeline (default as for sayso)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    path = args.path or default_path()
    docs: list[Document] = []
    for item in read_path(path):
        if isinstance(item, ReadError):
            print(f"error: {item}", file=sys.stderr)
        else:
            docs.append(item)
    docs = docs[: args.limit] if args.limit else docs
    if not docs:
        print(f"error: no articles read from {path}", file=sys.stderr)
        return 2
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)

    try:
        nlp = nlp_mod.load(nlp_mod.model_name(args.model))
    except nlp_mod.ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rss_loaded = max_rss_mib()

    def bare(texts=texts) -> int:
        with nlp.select_pipes(disable=["sayso"]):
            return sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size))

    def full(docs=docs) -> int:
        return sum(len(a.statements) for a in analyse_many(docs, nlp, batch_size=args.batch_size))

    runs = {"bare": bare, "sayso": full}
    bare(texts[:2])  # warm-up: lazy initialisation and caches
    full(docs[:2])
    n_statements = 0

    best = {name: float("inf") for name in runs}
    for r in range(args.rounds):
        order = ["bare", "sayso"] if r % 2 == 0 else ["sayso", "bare"]
        for name in order:
            t0 = time.perf_counter()
            out = runs[name]()
            best[name] = min(best[name], time.perf_counter() - t0)
            if name == "sayso":
                n_statements = out

    result = {
        "path": str(path),
        "articles": len(docs),
        "words": words,
        "rounds": args.rounds,
        "statements": n_statements,
        "bare_words_per_s": words / best["bare"],
        "sayso_words_per_s": words / best["sayso"],
        "ratio_sayso_over_bare": best["bare"] / best["sayso"],
        "peak_rss_mib": max_rss_mib(),
        "rss_after_model_load_mib": rss_loaded,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{path}: {len(docs)} articles, {words:,} words, {n_statements:,} statements; "
          f"best of {args.rounds} alternating rounds")
    print(f"bare spaCy   {result['bare_words_per_s']:>10,.0f} words/s")
    print(f"sayso        {result['sayso_words_per_s']:>10,.0f} words/s")
    print(f"ratio sayso/bare (throughput): {result['ratio_sayso_over_bare']:.3f}")
    print(f"peak memory (max RSS): {result['peak_rss_mib']:,.0f} MiB "
          f"({rss_loaded:,.0f} MiB after loading the model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
