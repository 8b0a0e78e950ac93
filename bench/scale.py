#!/usr/bin/env python3
"""Scale-out: ingest throughput on a local Dask cluster (1 and 2 workers) against the plain
multi-process path (``engine.local``, 2 workers), on the same input, in one run; then the
serial part (loading the shards into the archive) alone, and a projection to 10 million
articles from the measured per-core throughput.

    python bench/scale.py [FILES…] [--limit N] [--order local2,dask2,dask1] [--json]

FILES default to PolNeAR dev + train (``../shared/data/polnear``); ``--limit`` keeps the
first N articles (default 160). The articles are written to one JSON Lines file first, which
every run reads. Each run's time is the whole thing: for the local path its process pool
start and model loads, for Dask the LocalCluster start (worker processes, model loads by the
worker plugin), extraction into Parquet shards and the in-order load into a fresh SQLite
archive. The archives of all runs are compared row by row (they must be equal). The machine
is shared: the load average before and after each run is printed with it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sayso.engine import dask as dask_engine
from sayso.engine import ingest as local_ingest
from sayso.readers import read_paths
from sayso.store import open_engine

from _documents import load_documents  # bench/_documents.py, beside this script
from ingest_speed import default_paths, fingerprint

TARGET = 10_000_000


def write_input(docs, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            rec = {k: v for k, v in (("id", d.id), ("title", d.title), ("published", d.published),
                                     ("url", d.url), ("source", d.source), ("text", d.text)) if v is not None}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def timed_run(kind: str, workers: int, src: Path, folder: Path) -> tuple[dict, object]:
    db = folder / f"{kind}{workers}.db"
    engine = open_engine(db)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    if kind == "local":
        stats = local_ingest(read_paths([src]), engine, workers=workers)
    else:
        with dask_engine.connect(workers=workers) as client:
            stats = dask_engine.ingest([src], engine, client, out=folder / f"shards{workers}")
    elapsed = time.perf_counter() - t0
    return {"engine": kind, "workers": workers, "seconds": elapsed, "stored": stats.stored,
            "statements": stats.statements, "errors": stats.errors,
            "articles_per_s": stats.stored / elapsed, "load_before": load0,
            "load_after": os.getloadavg()[0]}, engine


def load_only(shards: Path, src: Path, folder: Path) -> dict:
    """The serial part: shards already written, loaded into a fresh archive (one client)."""
    engine = open_engine(folder / "load-only.db")
    names = sorted(f.stem for f in (shards / "articles").glob("part-*.parquet"))  # partition order
    t0 = time.perf_counter()
    stats = dask_engine.load_shards(engine, shards, names)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return {"seconds": elapsed, "articles_per_s": stats.stored / elapsed}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="articles (default: PolNeAR dev + train)")
    ap.add_argument("--limit", type=int, default=160, help="use the first N articles (default 160)")
    ap.add_argument("--order", default="local2,dask2,dask1", help="runs, in the order made")
    ap.add_argument("--price", type=float, default=0.04,
                    help="US$ per core-hour for the projection (default 0.04: on-demand cloud vCPU)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    paths = args.paths or list(reversed(default_paths()))  # dev first, then train
    docs = load_documents(read_paths(paths), args.limit)
    if not docs:
        print("error: no articles", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="sayso-scale-"))
    src = folder / "input.jsonl"
    write_input(docs, src)
    words = sum(len(d.text.split()) for d in docs)
    result: dict = {"articles": len(docs), "words": words, "cpus": os.cpu_count(), "runs": {}}
    engines = {}
    try:
        for name in args.order.split(","):
            kind, workers = name.rstrip("0123456789"), int(name[len(name.rstrip("0123456789")):])
            run, engine = timed_run(kind, workers, src, folder)
            result["runs"][name] = run
            engines[name] = engine
            if not args.json:
                print(f"{kind:5} {workers} worker(s): {run['stored']} articles, {run['statements']:,} statements "
                      f"in {run['seconds']:.1f} s = {run['articles_per_s']:.2f} articles/s "
                      f"(load average {run['load_before']:.1f} → {run['load_after']:.1f})", flush=True)
        fps = {n: fingerprint(e) for n, e in engines.items()}
        result["archives_equal"] = len(set(fps.values())) == 1
        runs = result["runs"]
        if any(r["stored"] == 0 for r in runs.values()):
            print("error: a run stored nothing (see its errors above)", file=sys.stderr)
            return 1
        if "dask1" in runs and "dask2" in runs:
            result["dask2_over_dask1"] = runs["dask2"]["articles_per_s"] / runs["dask1"]["articles_per_s"]
        if "local2" in runs and "dask2" in runs:
            result["dask2_over_local2"] = runs["dask2"]["articles_per_s"] / runs["local2"]["articles_per_s"]
        if (folder / "shards2").is_dir():
            result["load_only"] = load_only(folder / "shards2", src, folder)
        per_core = runs["dask1"]["articles_per_s"] if "dask1" in runs else None
        if per_core:
            core_hours = TARGET / per_core / 3600
            result["projection"] = {
                "articles": TARGET, "per_core_articles_per_s": per_core,
                "words_per_article": words / len(docs), "core_hours": core_hours,
                "cost_usd": core_hours * args.price, "price_per_core_hour": args.price,
                "hours_on_100_cores": core_hours / 100,
                "load_hours_one_writer": (TARGET / result["load_only"]["articles_per_s"] / 3600
                                          if "load_only" in result else None),
            }
    finally:
        for e in engines.values():
            e.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"archives equal: {result['archives_equal']}")
    for key in ("dask2_over_dask1", "dask2_over_local2"):
        if key in result:
            print(f"{key}: {result[key]:.2f}")
    if "load_only" in result:
        lo = result["load_only"]
        print(f"loading the shards alone (one writer, SQLite): {lo['articles_per_s']:.1f} articles/s")
    if "projection" in result:
        p = result["projection"]
        print(f"projection for {TARGET:,} articles of ~{p['words_per_article']:.0f} words at "
              f"{p['per_core_articles_per_s']:.2f} articles/s per core: {p['core_hours']:,.0f} core-hours, "
              f"{p['hours_on_100_cores']:.1f} h on 100 cores, ~${p['cost_usd']:,.0f} at ${p['price_per_core_hour']}/core-hour"
              + (f"; loading with one writer: {p['load_hours_one_writer']:.1f} h" if p["load_hours_one_writer"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
