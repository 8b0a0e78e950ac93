#!/usr/bin/env python3
"""Load test of the web server: a bounded number of searches from concurrent clients
against a real ``sayso serve`` on loopback, with latency percentiles and the error count.

    python bench/load.py [--db ARCHIVE] [--requests 2000] [--clients 8] [--json]

The server is started as its own process (``sayso serve``, uvicorn, one worker) on
127.0.0.1 and a free port, and always on loopback: nothing here listens on, or sends to,
any other address. Without ``--db`` a throw-away SQLite archive is built first from the
examples, the reference article and PolNeAR dev when ``../shared`` is there. Each client
is a thread with one keep-alive HTTP connection; the requests are drawn in a fixed order
from a mix of API searches (``/api/statements`` with words, speaker, organisation, kind,
date and paging filters, ``/api/speakers``) and search pages (``/?q=…``). Every answer must
be a 200; anything else, or a failed connection, is an error. The server is stopped at the
end, also on errors and Ctrl-C. Exit status 1 when any request failed.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"  # loopback only, by design
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CORPUS = [REPO / "examples", SHARED / "seed" / "000_fad6e7535a46780a.txt", SHARED / "polnear" / "dev.jsonl"]

SEARCHES = [
    ("/api/statements", {"q": "said"}), ("/api/statements", {"q": "Clinton emails"}),
    ("/api/statements", {"q": "\"will not\""}), ("/api/statements", {"q": "Trump -Clinton"}),
    ("/api/statements", {"q": "tax OR taxes"}), ("/api/statements", {"speaker": "Stoltenberg"}),
    ("/api/statements", {"speaker": "Donald Trump", "kind": "direct"}), ("/api/statements", {"org": "NATO"}),
    ("/api/statements", {"since": "2016-09", "until": "2016-10"}), ("/api/statements", {"kind": "indirect", "limit": 100}),
    ("/api/statements", {"q": "bridge", "since": "2024"}), ("/api/statements", {"offset": 40, "limit": 20}),
    ("/api/statements", {}), ("/api/speakers", {"q": "an"}), ("/api/speakers", {"limit": 100}),
    ("/", {"q": "election"}), ("/", {"speaker": "Hillary Clinton"}), ("/", {"q": "said", "page": 3}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def sayso(*args: str) -> list[str]:
    return [sys.executable, "-m", "sayso.cli", *args]


def build_archive(path: Path) -> None:
    inputs = [str(p) for p in CORPUS if p.exists()]
    print(f"building a throw-away archive from {', '.join(Path(p).name for p in inputs)} …", file=sys.stderr)
    done = subprocess.run(sayso("ingest", *inputs, "--db", str(path)), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"error: ingest failed (exit {done.returncode})")
    print(done.stdout.strip(), file=sys.stderr)


def start_server(db: str, port: int) -> subprocess.Popen:
    env = {**os.environ}
    env.pop("SAYSO_TOKEN", None)  # read-only: the load test writes nothing
    proc = subprocess.Popen(sayso("serve", "--db", db, "--host", HOST, "--port", str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"error: the server stopped: {proc.stderr.read().strip()[-500:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/speakers?limit=1")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("error: the server did not answer within 60 s")


def run_load(port: int, n: int, clients: int) -> tuple[list[float], list[str], float]:
    plan = [f"{path}?{urlencode(params)}" if params else path
            for path, params in itertools.islice(itertools.cycle(SEARCHES), n)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    todo = iter(range(n))

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                break
            t0 = time.perf_counter()
            try:
                conn.request("GET", plan[i])
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                status = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if status != 200:
                    errors.append(f"{plan[i]}: {status}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="Archive to serve (default: a throw-away one built first).")
    ap.add_argument("--requests", type=int, default=2000, help="Requests in all (at most 100,000).")
    ap.add_argument("--clients", type=int, default=8, help="Concurrent clients (at most 64).")
    ap.add_argument("--json", action="store_true", help="The figures as one JSON object on stdout.")
    args = ap.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 1 <= args.clients <= 64):
        ap.error("--requests must be 1..100000 and --clients 1..64")
    with tempfile.TemporaryDirectory(prefix="sayso-load-") as tmp:
        db = args.db
        if db is None:
            db = str(Path(tmp) / "sayso.db")
            build_archive(Path(db))
        port = free_port()
        server = start_server(db, port)
        try:
            latencies, errors, wall = run_load(port, args.requests, args.clients)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    lat = sorted(latencies)
    report = {
        "requests": len(lat), "clients": args.clients, "errors": len(errors),
        "p50_ms": round(1000 * percentile(lat, 50), 1), "p90_ms": round(1000 * percentile(lat, 90), 1),
        "p99_ms": round(1000 * percentile(lat, 99), 1), "max_ms": round(1000 * lat[-1], 1),
        "mean_ms": round(1000 * statistics.fmean(lat), 1), "wall_s": round(wall, 2),
        "requests_per_s": round(len(lat) / wall, 1), "server": f"http://{HOST}:{port}/ (stopped)",
    }
    for e in errors[:10]:
        print(f"error: {e}", file=sys.stderr)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['requests']:,} requests from {args.clients} clients in {wall:.1f} s "
              f"({report['requests_per_s']} requests/s), {len(errors)} errors")
        print(f"latency: p50 {report['p50_ms']} ms, p90 {report['p90_ms']} ms, p99 {report['p99_ms']} ms, "
              f"max {report['max_ms']} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
