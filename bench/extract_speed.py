#!/usr/bin/env python3
"""Extraction speed: bare spaCy parsing vs the full sayso pipeline per extraction tier
(``rules``, ``fast``, and ``best`` when its model is there), measured in one run, with the
time per stage, the share of sentences parsed, peak memory and a projection to a
Quotebank-sized archive.

    python bench/extract_speed.py [GOLD_OR_ARTICLES.jsonl | DIR] [--limit N] [--rounds 3]
                                  [--tiers rules,fast,best] [--threads 1] [--json]
                                  [--articles 196000000] [--cores 1000] [--no-stages]

``--threads`` caps torch's threads (the best tier's encoder): one core by default, like
spaCy, which runs on one.

Bare spaCy is the model as ``spacy.load`` gives it (its default components: tok2vec,
tagger, parser, attribute ruler, lemmatizer, NER), loaded on its own; the tiers share one
pipeline loaded as sayso loads it (``sayso.nlp.load``: the sentence guard, the faster
stand-ins of ``sayso.fastpipes``), each a ``sayso`` component of its own, only the one
measured enabled. All run over the same texts (PolNeAR dev by default), in rotating order
for ``--rounds`` rounds after a warm-up; the best time of each is reported, as words/s
(words = whitespace-separated), with the ratio tier/bare, and the same from the best CPU
time of this process (steadier on a shared machine: waiting for a core is not counted).

Then, for the default tier: the time per stage (one more pass, component by component:
``bench/_stages.py``), the share of sentences the parser gave arcs, and the peak resident
memory of one worker: a fresh process that loads the default tier alone and extracts from
the same texts (the memory a worker of ``sayso ingest`` needs). The projection divides
``--articles`` articles of the measured mean length by each pipeline's words/s on
``--cores`` cores (one process per core, each at the rate measured here).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import spacy

from sayso import nlp as nlp_mod
from sayso.evaluation import repo_root
from sayso.pipeline import analyse_many
from sayso.readers import read_path

from _documents import load_documents  # bench/_documents.py, beside this script
from _stages import sentence_share, stage_times

DEFAULT = Path("..") / "shared" / "data" / "polnear" / "dev.jsonl"
QUOTEBANK_ARTICLES = 196_000_000
CORES = 1_000


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
    """This process's peak resident memory: VmHWM, which starts afresh at exec (ru_maxrss
    would carry the parent's peak into a child started with fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=None, help=f"articles (default {DEFAULT})")
    ap.add_argument("--limit", type=int, default=None, help="use the first N articles")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per pipeline")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default=None, help="spaCy pipeline (default as for sayso)")
    ap.add_argument("--tiers", default=None,
                    help="comma-separated extraction tiers to measure (default: rules, fast, "
                         "and best when its model and extra are installed)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the best tier")
    ap.add_argument("--articles", type=int, default=QUOTEBANK_ARTICLES, help="articles to project to")
    ap.add_argument("--cores", type=int, default=CORES, help="cores to project to")
    ap.add_argument("--no-stages", action="store_true", help="skip the stage pass and the worker's memory")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # the memory child
    return ap.parse_args(argv)


def load_pipelines(model: str, tiers: list[str]):
    """(bare spaCy, sayso's pipeline with one component per tier, tier -> component)."""
    bare = spacy.load(model)
    nlp = nlp_mod.load(model, "rules")
    for tier in tiers:  # one sayso component per tier on the same parsing pipeline
        if tier != "rules":
            nlp.add_pipe("sayso", name=f"sayso_{tier}", last=True, config={"accuracy": tier})
    return bare, nlp, {t: "sayso" if t == "rules" else f"sayso_{t}" for t in tiers}


def timed_rounds(runs: dict, docs, texts, rounds: int) -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """Best wall-clock seconds and best CPU seconds (this process) per pipeline over
    rotating rounds after a warm-up, and each tier's statement count. On a shared machine
    the CPU time is the steadier figure: time the process waited for a core is not in it."""
    for name, fn in runs.items():  # warm-up: lazy initialisation and caches
        fn(texts[:2]) if name == "bare" else fn(docs[:2])
    names = list(runs)
    best = {name: float("inf") for name in runs}
    cpu = {name: float("inf") for name in runs}
    counts: dict[str, int] = {}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        if r % 2:
            order.reverse()
        for name in order:
            t0, c0 = time.perf_counter(), time.process_time()
            out = runs[name]()
            best[name] = min(best[name], time.perf_counter() - t0)
            cpu[name] = min(cpu[name], time.process_time() - c0)
            if name != "bare":
                counts[name] = out
    return best, cpu, counts


def worker_peak_mib(path: Path, limit: int | None, model: str | None) -> float | None:
    """Peak RSS of a fresh process that loads the default tier alone and extracts from the
    articles: what one worker needs."""
    cmd = [sys.executable, str(Path(__file__).resolve()), str(path), "--worker"]
    cmd += ["--limit", str(limit)] if limit else []
    cmd += ["--model", model] if model else []
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=3600)
        return float(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        print(f"warning: worker memory not measured ({exc})", file=sys.stderr)
        return None


def run_worker(docs, model: str | None) -> int:
    nlp = nlp_mod.load(nlp_mod.model_name(model))
    sum(1 for _ in analyse_many(docs, nlp))
    print(f"{max_rss_mib():.1f}")
    return 0


def projection_hours(words_per_s: float, mean_words: float, articles: int, cores: int) -> float:
    return articles * mean_words / words_per_s / cores / 3600


def main(argv=None) -> int:
    args = parse_args(argv)
    path = args.path or default_path()
    docs = load_documents(read_path(path), args.limit)
    if not docs:
        print(f"error: no articles read from {path}", file=sys.stderr)
        return 2
    if args.worker:
        return run_worker(docs, args.model)
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    tiers = [t for t in (args.tiers or ",".join(available_tiers())).split(",") if t]
    if "best" in tiers:
        import torch

        torch.set_num_threads(args.threads)
    model = nlp_mod.model_name(args.model)
    try:
        bare_nlp, nlp, components = load_pipelines(model, tiers)
    except (nlp_mod.ModelError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rss_loaded = max_rss_mib()
    result = measure(args, path, docs, texts, words, tiers, bare_nlp, nlp, components)
    result["rss_after_model_load_mib"] = rss_loaded
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result, tiers)
    return 0


def measure(args, path, docs, texts, words, tiers, bare_nlp, nlp, components) -> dict:
    # the pipeline always holds the rules tier's "sayso" component: off unless it is measured
    sayso_names = ["sayso"] + [name for name in components.values() if name != "sayso"]
    default_tier = nlp_mod.DEFAULT_ACCURACY if nlp_mod.DEFAULT_ACCURACY in tiers else tiers[-1]

    def bare(texts=texts) -> int:
        return sum(1 for _ in bare_nlp.pipe(texts, batch_size=args.batch_size))

    def tier_run(tier):
        def run(docs=docs) -> int:
            with nlp.select_pipes(disable=[n for n in sayso_names if n != components[tier]]):
                return sum(len(a.statements) for a in analyse_many(docs, nlp, batch_size=args.batch_size))
        return run

    best, cpu, counts = timed_rounds({"bare": bare, **{t: tier_run(t) for t in tiers}}, docs, texts, args.rounds)
    mean_words = words / len(docs)
    rates = {"bare": words / best["bare"], **{t: words / best[t] for t in tiers}}
    result = {
        "path": str(path), "articles": len(docs), "words": words, "rounds": args.rounds,
        "statements": counts,
        **{f"{k}_words_per_s": v for k, v in rates.items()},
        **{f"ratio_{t}_over_bare": best["bare"] / best[t] for t in tiers},
        **{f"{k}_words_per_cpu_s": words / v for k, v in cpu.items()},
        **{f"cpu_ratio_{t}_over_bare": cpu["bare"] / cpu[t] for t in tiers},
        "projection": {"articles": args.articles, "cores": args.cores, "mean_words": mean_words,
                       **{f"{k}_hours": projection_hours(v, mean_words, args.articles, args.cores)
                          for k, v in rates.items()}},
        "default_tier": default_tier,
    }
    if not args.no_stages:
        with nlp.select_pipes(disable=[n for n in sayso_names if n != components[default_tier]]):
            result["stages_s"] = stage_times(nlp, docs, components[default_tier])
            parsed, sentences = sentence_share(nlp, docs)
        result["sentences"] = sentences
        result["sentences_parsed_share"] = parsed / sentences if sentences else 1.0
        result["worker_peak_rss_mib"] = worker_peak_mib(path, args.limit, args.model)
    result["peak_rss_mib"] = max_rss_mib()
    return result


def report(result: dict, tiers: list[str]) -> None:
    print(f"{result['path']}: {result['articles']} articles, {result['words']:,} words; "
          f"best of {result['rounds']} rotating rounds")
    print(f"bare spaCy       {result['bare_words_per_s']:>10,.0f} words/s  "
          f"{result['bare_words_per_cpu_s']:>8,.0f} words/CPU-s")
    for t in tiers:
        print(f"sayso {t:<10} {result[f'{t}_words_per_s']:>10,.0f} words/s  "
              f"{result[f'{t}_words_per_cpu_s']:>8,.0f} words/CPU-s   "
              f"ratio to bare {result[f'ratio_{t}_over_bare']:.3f} (CPU time {result[f'cpu_ratio_{t}_over_bare']:.3f})   "
              f"{result['statements'][t]:,} statements")
    stages = result.get("stages_s")
    if stages:
        total = stages["total"]
        print(f"time per stage, tier {result['default_tier']} (one document and component at a time):")
        for name, secs in stages.items():
            if name != "total":
                print(f"  {name:<22} {secs:8.2f} s  {100 * secs / total:5.1f}%")
        print(f"  {'total':<22} {total:8.2f} s")
        print(f"sentences parsed: {result['sentences_parsed_share']:.1%} of {result['sentences']:,}")
    pr = result["projection"]
    line = ", ".join(f"{k} {pr[f'{k}_hours']:,.1f} h" for k in ["bare"] + tiers)
    print(f"projection, {pr['articles']:,} articles of {pr['mean_words']:,.0f} words on {pr['cores']:,} cores: {line}")
    worker = result.get("worker_peak_rss_mib")
    print(f"peak memory (max RSS): this process {result['peak_rss_mib']:,.0f} MiB (two pipelines; "
          f"{result['rss_after_model_load_mib']:,.0f} MiB after loading them)"
          + (f"; one worker, tier {result['default_tier']} alone: {worker:,.0f} MiB" if worker else ""))


if __name__ == "__main__":
    sys.exit(main())
