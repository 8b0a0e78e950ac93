#!/usr/bin/env python3
"""Ingest memory against the size of its input: peak memory of ``sayso ingest`` on JSON Lines
crawls of growing size, each run in a fresh process, reported as a ratio to the smallest
crawl of the same run.

    python bench/ingest_memory.py [--sizes 20,80,160] [--workers 0]

The crawls are generated here: documents of about 2.5 MB each of German-looking text made
from a short word list (no real page text), so that sayso stores each one without statements
after telling its language. That keeps the run short while the text held is large, which is
what the measurement is about: ingest reads its inputs a window of documents ahead of the
analysis (``sayso.engine.local.WINDOW``, ``WINDOW_CHARS``), so peak memory should not grow
with the crawl. Peak memory is the process's maximum resident set size (``wait4``).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = ("der die das und ist nicht ein eine mit für auf dem den von zu im sich des auch als noch wie "
         "aber nach bei aus wird wurde haben werden Jahr Stadt Regierung heute gesagt").split()
DOC_CHARS = 2_500_000


def write_crawl(path: Path, megabytes: int, seed: int = 0) -> int:
    """A JSON Lines crawl of about ``megabytes`` MB; the number of documents."""
    rng = random.Random(seed)
    n = max(1, megabytes * 1_000_000 // DOC_CHARS)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            sentences, size = [], 0
            while size < DOC_CHARS:
                s = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
                sentences.append(s)
                size += len(s) + 1
            paras = [" ".join(sentences[j:j + 8]) for j in range(0, len(sentences), 8)]
            f.write(json.dumps({"id": f"doc{i}", "text": "\n\n".join(paras)}, ensure_ascii=False) + "\n")
    return n


def peak_mib(crawl: Path, db: Path, workers: int) -> tuple[float, str]:
    """Peak resident memory of one ``sayso ingest`` process, and its summary line."""
    proc = subprocess.Popen([sys.executable, "-m", "sayso", "ingest", str(crawl), "--db", str(db),
                             "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"ingest of {crawl} failed (exit {proc.returncode})")
    return usage.ru_maxrss / 1024, out.strip().splitlines()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40,80,160", help="crawl sizes in MB, smallest first (the baseline)")
    ap.add_argument("--workers", type=int, default=0, help="parsing processes (0: the measured process parses)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            crawl = Path(tmp) / f"crawl{mb}.jsonl"
            docs = write_crawl(crawl, mb)
            peak, summary = peak_mib(crawl, Path(tmp) / f"archive{mb}.db", args.workers)
            rows.append((mb, docs, peak))
            print(f"{mb:>5} MB, {docs:>3} documents: peak {peak:,.0f} MiB  ({summary})", file=sys.stderr)
            crawl.unlink()
    base = rows[0][2]
    print(f"{'crawl':>8} {'documents':>10} {'peak MiB':>9} {'ratio':>6}")
    for mb, docs, peak in rows:
        print(f"{mb:>5} MB {docs:>10} {peak:>9,.0f} {peak / base:>6.2f}")
    growth = (rows[-1][2] - base) / max(1, rows[-1][0] - rows[0][0]) * 100
    print(f"growth: {growth:,.1f} MiB of peak memory per 100 MB of crawl")


if __name__ == "__main__":
    main()
