#!/usr/bin/env python3
"""Extraction speed: bare spaCy parsing vs the full sayso pipeline per extraction tier
(``rules``, ``fast``, and ``best`` when its model is there), measured in one run.

    python bench/extract_speed.py [GOLD_OR_ARTICLES.jsonl] [--limit N] [--rounds 3] [--json]
                                  [--tiers rules,fast,best] [--threads 1]

``--threads`` caps torch's threads (the best tier's encoder): one core by default, like
spaCy, which runs on one.

All pipelines run over the same texts (PolNeAR dev by default), in rotating order for
``--rounds`` rounds after a warm-up; the best time of each is reported, as words/s (words
= whitespace-separated), with the ratio tier/bare and the process's peak resident memory.
The tiers share one loaded spaCy pipeline: each is a ``sayso`` component of its own, and
only the one measured is enabled.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from sayso import nlp as nlp_mod
from sayso.evaluation import repo_root
from sayso.pipeline import analyse_many
from sayso.readers import read_path

from _documents import load_documents  # bench/_documents.py, beside this script

DEFAULT = Path("..") / "shared" / "data" / "polnear" / "dev.jsonl"


def default_path() -> Path:
    if DEFAULT.is_file() or not (repo_root() / DEFAULT).is_file():
        return DEFAULT
    return repo_root() / DEFAULT


def available_tiers() -> list[str]:
    tiers = ["rules", "fast"]
    try:
        from sayso.extract.best import load_tagger

        load_tagger(os.environ.get(nlp_mod.BEST_MODEL_ENV) or None)
        tiers.append("best")
    except Exception:  # noqa: BLE001 - no extra or no model: the best tier is not measured
        pass
    return tiers


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=None, help=f"JSONL articles (default {DEFAULT})")
    ap.add_argument("--limit", type=int, default=None, help="use the first N articles")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per pipeline")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default=None, help="spaCy pipeline (default as for sayso)")
    ap.add_argument("--tiers", default=None,
                    help="comma-separated extraction tiers to measure (default: rules, fast, "
                         "and best when its model and extra are installed)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the best tier")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    path = args.path or default_path()
    docs = load_documents(read_path(path), args.limit)
    if not docs:
        print(f"error: no articles read from {path}", file=sys.stderr)
        return 2
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)

    tiers = [t for t in (args.tiers or ",".join(available_tiers())).split(",") if t]
    if "best" in tiers:
        import torch

        torch.set_num_threads(args.threads)
    try:
        nlp = nlp_mod.load(nlp_mod.model_name(args.model), "rules")
        for tier in tiers:  # one sayso component per tier on the same parsing pipeline
            if tier != "rules":
                nlp.add_pipe("sayso", name=f"sayso_{tier}", last=True, config={"accuracy": tier})
    except (nlp_mod.ModelError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rss_loaded = max_rss_mib()
    components = {t: "sayso" if t == "rules" else f"sayso_{t}" for t in tiers}
    all_sayso = [n for n in nlp.pipe_names if n == "sayso" or n.startswith("sayso_") and n != "sayso_sentences"]

    def bare(texts=texts) -> int:
        with nlp.select_pipes(disable=all_sayso):
            return sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size))

    def tier_run(tier):
        def run(docs=docs) -> int:
            with nlp.select_pipes(disable=[n for n in all_sayso if n != components[tier]]):
                return sum(len(a.statements) for a in analyse_many(docs, nlp, batch_size=args.batch_size))
        return run

    runs = {"bare": bare, **{t: tier_run(t) for t in tiers}}
    for fn in runs.values():  # warm-up: lazy initialisation and caches
        fn(docs[:2]) if fn is not bare else fn(texts[:2])
    n_statements = {t: 0 for t in tiers}

    names = list(runs)
    best = {name: float("inf") for name in runs}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        if r % 2:
            order.reverse()
        for name in order:
            t0 = time.perf_counter()
            out = runs[name]()
            best[name] = min(best[name], time.perf_counter() - t0)
            if name != "bare":
                n_statements[name] = out

    result = {
        "path": str(path),
        "articles": len(docs),
        "words": words,
        "rounds": args.rounds,
        "statements": n_statements,
        "bare_words_per_s": words / best["bare"],
        **{f"{t}_words_per_s": words / best[t] for t in tiers},
        **{f"ratio_{t}_over_bare": best["bare"] / best[t] for t in tiers},
        "peak_rss_mib": max_rss_mib(),
        "rss_after_model_load_mib": rss_loaded,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{path}: {len(docs)} articles, {words:,} words; best of {args.rounds} rotating rounds")
    print(f"bare spaCy       {result['bare_words_per_s']:>10,.0f} words/s")
    for t in tiers:
        print(f"sayso {t:<10} {result[f'{t}_words_per_s']:>10,.0f} words/s   "
              f"ratio to bare {result[f'ratio_{t}_over_bare']:.3f}   {n_statements[t]:,} statements")
    print(f"peak memory (max RSS): {result['peak_rss_mib']:,.0f} MiB "
          f"({rss_loaded:,.0f} MiB after loading the model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
