"""bench/load.py, small: a real server on loopback, concurrent clients, every answer a 200,
percentiles reported, and the server gone afterwards."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_load_bench_reports_latency_and_no_errors(sqlite_archive, tmp_path):
    db = tmp_path / "sayso.db"
    shutil.copy(Path(sqlite_archive.removeprefix("sqlite:///")), db)
    done = subprocess.run([sys.executable, str(REPO / "bench" / "load.py"), "--db", str(db),
                           "--requests", "300", "--clients", "4", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["requests"] == 300 and report["errors"] == 0
    assert 0 < report["p50_ms"] <= report["p99_ms"] <= report["max_ms"]
    port = int(report["server"].rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as s:  # stopped: nothing listens there any more
        assert s.connect_ex(("127.0.0.1", port)) != 0
