#!/usr/bin/env python3
"""Archive speed: ingest throughput with 1 and 2 worker processes, and search latency,
measured in one run.

    python bench/ingest_speed.py [FILES…] [--workers 2,1] [--limit N] [--keep DIR] [--json]

FILES default to PolNeAR train + dev (``../shared/data/polnear/{train,dev}.jsonl``, about
920 articles). For each worker count the same documents are ingested into a fresh SQLite
archive (parsing in the worker processes, writing in the parent, one transaction per
article); the time is the whole ``ingest`` call, worker start-up and model loading
included, and so is the CPU time used (this process and its workers): on a machine shared
with other work, "cores busy" below the worker count shows how much CPU the run really got.
The archives built with different worker counts are then compared row by row (they must be
equal). Search latency is measured on the last archive: each query runs
once to warm up, then ``--repeat`` times; the median and the worst time are reported.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from sayso.engine import ingest
from sayso.evaluation import repo_root
from sayso.readers import read_paths
from sayso.records import Article
from sayso.store import Query, open_engine, search
from sayso.store.schema import TABLES

from _documents import load_documents  # bench/_documents.py, beside this script

POLNEAR = Path("..") / "shared" / "data" / "polnear"
QUERIES = [
    ("text: emails", Query(text="emails")),
    ("text: 'said' (very common)", Query(text="said")),
    ("text: phrase", Query(text='"health care"')),
    ("speaker: Trump", Query(speaker="Trump")),
    ("speaker + text: Clinton, emails", Query(text="emails", speaker="Clinton")),
    ("text + dates: immigration, 2016-09..2016-10", Query(text="immigration", since="2016-09", until="2016-10")),
    ("org: Republican", Query(org="Republican")),
    ("kind: direct, newest first", Query(kind="direct")),
    ("everything, newest first, limit 100", Query(limit=100)),
    ("speaker + text + month: Trump, wall, 2016-09", Query(text="wall", speaker="Trump", since="2016-09", until="2016-09")),
]


def default_paths() -> list[Path]:
    base = POLNEAR if POLNEAR.is_dir() else repo_root() / POLNEAR
    return [base / "train.jsonl", base / "dev.jsonl"]


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def fingerprint(engine) -> str:
    h = hashlib.sha256()
    with engine.connect() as c:
        for t in TABLES:
            rows = sorted(repr(sorted(r.items())) for r in c.execute(sa.select(t)).mappings())
            h.update(t.name.encode())
            for r in rows:
                h.update(r.encode())
    return h.hexdigest()


def counts(engine) -> dict[str, int]:
    with engine.connect() as c:
        return {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in TABLES}


def replay(src, dst) -> int:
    """Write the article records stored in ``src`` into ``dst`` (no parsing): the same
    archive on another back end."""
    from sayso.store import Writer
    from sayso.store.schema import articles, statement_articles

    def order(local_id: str):
        return (0, int(local_id[1:])) if local_id[1:].isdigit() else (1, local_id)

    writer = Writer(dst)
    n = 0
    with src.connect() as c:
        links: dict[str, list] = {}
        for aid, lid, rec in c.execute(sa.select(statement_articles.c.article_id, statement_articles.c.local_id,
                                                 statement_articles.c.record)):
            links.setdefault(aid, []).append((order(lid), rec))
        for a in c.execute(sa.select(articles).order_by(articles.c.seq)):
            recs = [r for _, r in sorted(links.get(a.id, []), key=lambda x: x[0])]
            record = {"id": a.id, "title": a.title, "published": a.published, "byline": a.byline,
                      "url": a.url, "language": a.language, "statements": recs}
            writer.write(Article.from_dict(record), a.text, a.source, a.content_hash)
            n += 1
    return n


def time_queries(engine, repeat: int) -> list[dict]:
    timings = []
    with engine.connect() as conn:
        for label, q in QUERIES:
            rows = search(conn, q)
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                search(conn, q)
                times.append((time.perf_counter() - t0) * 1000)
            timings.append({"query": label, "hits": len(rows), "median_ms": statistics.median(times),
                            "max_ms": max(times)})
    return timings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="articles (default: PolNeAR train + dev)")
    ap.add_argument("--workers", default="2,1",
                    help="worker counts, in the order run (default 2,1: the run that needs both "
                         "cores first); the speed-up is most over fewest")
    ap.add_argument("--limit", type=int, default=None, help="use the first N articles")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per search query")
    ap.add_argument("--keep", type=Path, default=None, help="keep the archives in this folder")
    ap.add_argument("--pg", default=None, metavar="URL",
                    help="also replay the archive into this empty PostgreSQL database and time search there")
    ap.add_argument("--reuse", type=Path, default=None, metavar="DB",
                    help="skip ingest: time search (and --pg) on this existing SQLite archive")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    paths = args.paths or default_paths()
    docs = load_documents(read_paths(paths), args.limit)
    if not docs:
        print("error: no articles to ingest", file=sys.stderr)
        return 2
    words = sum(len(d.text.split()) for d in docs)
    workers = [] if args.reuse else [int(w) for w in args.workers.split(",") if w]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sayso-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    result: dict = {"paths": [str(p) for p in paths], "articles": len(docs), "words": words,
                    "cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "ingest": {}}
    engines = {}
    for n in workers:
        db = folder / f"ingest-{n}w.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        engine = open_engine(db)
        errors: list[str] = []
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        stats = ingest(iter(docs), engine, workers=n, on_error=errors.append)
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu0
        engines[n] = engine
        result["ingest"][n] = {
            "seconds": elapsed, "articles_per_s": stats.stored / elapsed, "stored": stats.stored,
            "statements": stats.statements, "merged": stats.merged, "errors": stats.errors,
            "load_after": os.getloadavg()[0], "cpu_seconds": cpu, "cores_used": cpu / elapsed,
        }
        if not args.json:
            print(f"ingest, {n} worker(s): {stats.stored} articles, {stats.statements:,} statements "
                  f"({stats.merged} folded into another article's) in {elapsed:.1f} s = "
                  f"{stats.stored / elapsed:.2f} articles/s; {stats.errors} errors; "
                  f"{cpu:.0f} CPU-s, {cpu / elapsed:.2f} cores busy on average", flush=True)
    if len(workers) >= 2:
        base, top = min(workers), max(workers)
        ratio = result["ingest"][top]["articles_per_s"] / result["ingest"][base]["articles_per_s"]
        result[f"speedup_{top}_over_{base}"] = ratio
        fps = {n: fingerprint(e) for n, e in engines.items()}
        result["archives_equal"] = len(set(fps.values())) == 1
    last = open_engine(args.reuse) if args.reuse else engines[workers[-1]]
    searched = f"{args.reuse}" if args.reuse else f"the {workers[-1]}-worker archive"
    result["rows"] = counts(last)

    timings = time_queries(last, args.repeat)
    result["search"] = timings
    result["search_worst_median_ms"] = max(t["median_ms"] for t in timings)
    if args.pg:
        pg = open_engine(args.pg)
        with pg.connect() as c:
            if c.execute(sa.select(sa.func.count()).select_from(TABLES[0])).scalar():
                print(f"error: {args.pg} is not an empty archive", file=sys.stderr)
                return 2
        t0 = time.perf_counter()
        replay(last, pg)
        result["pg_replay_seconds"] = time.perf_counter() - t0
        result["pg_archive_equal"] = fingerprint(pg) == fingerprint(last)
        result["pg_search"] = time_queries(pg, args.repeat)
        result["pg_search_worst_median_ms"] = max(t["median_ms"] for t in result["pg_search"])
        pg.dispose()
    for e in {**engines, "last": last}.values():
        e.dispose()

    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"\n{len(docs)} articles, {words:,} words; {result['cpus']} CPUs, load average "
          f"{result['load_before']:.2f} before the run")
    if len(workers) >= 2:
        print(f"speed-up {top} workers over {base}: {ratio:.2f}x; archives equal: {result['archives_equal']}")
    print("archive rows: " + ", ".join(f"{k} {v:,}" for k, v in result["rows"].items()))
    print(f"\nsearch on {searched} (SQLite, FTS5), {args.repeat} timed runs each:")
    for t in timings:
        print(f"  {t['query']:<48} {t['hits']:>4} hits   median {t['median_ms']:6.1f} ms   max {t['max_ms']:6.1f} ms")
    print(f"worst median: {result['search_worst_median_ms']:.1f} ms (target < 100 ms)")
    if args.pg:
        print(f"\nthe same archive on PostgreSQL (records replayed in {result['pg_replay_seconds']:.1f} s, "
              f"equal row for row: {result['pg_archive_equal']}); search (tsvector + GIN):")
        for t in result["pg_search"]:
            print(f"  {t['query']:<48} {t['hits']:>4} hits   median {t['median_ms']:6.1f} ms   max {t['max_ms']:6.1f} ms")
        print(f"worst median: {result['pg_search_worst_median_ms']:.1f} ms (target < 100 ms)")
    if args.keep:
        print(f"archives kept in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
