#!/usr/bin/env python3
"""Time and peak memory of `sayso extract` on inputs meant to exhaust it (issue 19): the
endless device, a link to it, an endless pipe, a 50 MB one-line file, 1.4 M characters of
one sentence repeated, and a megabyte of news text; with a short article as the baseline
(model loading is most of its cost). Each run is a fresh process, measured from outside.

    python bench/hostile_inputs.py [--tier fast] [--only repeated,news]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
SENTENCE = "The mayor said the bridge would close. "


def news(n: int) -> str:
    texts = [json.loads(line)["text"] for line in DEV.open(encoding="utf-8")]
    out = "\n\n".join(texts)
    while len(out) < n:
        out += "\n\n" + out
    return out[:out.rfind("\n\n", 0, n)]


def inputs(tmp: Path) -> dict[str, tuple[list[str], str | None]]:
    """name -> (arguments after `sayso extract`, shell input command or None)."""
    (tmp / "short.txt").write_text('"We will win," the mayor said on Monday.\n', encoding="utf-8")
    (tmp / "zero.txt").symlink_to("/dev/zero")
    (tmp / "oneline.txt").write_bytes(b"word " * 10_000_000)
    (tmp / "repeated.txt").write_text((SENTENCE * (1_400_000 // len(SENTENCE) + 1))[:1_400_000], encoding="utf-8")
    cap = ["--max-bytes", "5000000"]  # the two long texts are under it: analysed, not refused
    found = {
        "short article (baseline)": ([str(tmp / "short.txt")], None),
        "/dev/zero": (["/dev/zero"], None),
        "a link to /dev/zero": ([str(tmp / "zero.txt")], None),
        "cat /dev/zero |": (["-"], "cat /dev/zero"),
        "50 MB one-line file": ([str(tmp / "oneline.txt")], None),
        "1.4 M chars, one sentence repeated": (cap + [str(tmp / "repeated.txt")], None),
    }
    if DEV.is_file():
        (tmp / "news.txt").write_text(news(1_000_000), encoding="utf-8")
        found["1 M chars of news text"] = (cap + [str(tmp / "news.txt")], None)
    return found


def child(cmd: list[str], feed: str | None) -> None:
    """Run one `sayso extract` and print its figures: a process of its own, so that the
    children's peak memory is that one run's."""
    start = time.perf_counter()
    source = subprocess.Popen(feed, shell=True, stdout=subprocess.PIPE) if feed else None
    done = subprocess.run(cmd, stdin=source.stdout if source else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    if source:
        source.kill()
        source.wait()
    seconds = time.perf_counter() - start
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    print(json.dumps({"seconds": seconds, "rc": done.returncode,
                      "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "error": errors[-1][:90] if errors else ""}))


def measure(args: list[str], feed: str | None, tier: str) -> dict:
    cmd = [sys.executable, "-m", "sayso", "extract", "--accuracy", tier, *args]
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps([cmd, feed])],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tier", default="fast")
    ap.add_argument("--only", default="", help="comma-separated words that pick inputs by name")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*json.loads(args.child))
        return 0
    with tempfile.TemporaryDirectory(prefix="sayso-hostile-") as tmp:
        cases = inputs(Path(tmp))
        words = [w for w in args.only.split(",") if w]
        print(f"tier {args.tier}; each run a fresh process; peak memory is its maximum resident size")
        print(f"{'input':38s} {'time':>8s} {'peak MB':>8s} {'exit':>4s}  answer")
        base = None
        for name, (extra, feed) in cases.items():
            if words and base is not None and not any(w in name for w in words):
                continue
            m = measure(extra, feed, args.tier)
            base = base or m["seconds"]
            print(f"{name:38s} {m['seconds']:7.1f}s {m['peak_mb']:8.0f} {m['rc']:4d}  "
                  f"{m['error'] or 'statements written'}  ({m['seconds'] / base:.1f}x baseline)", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
