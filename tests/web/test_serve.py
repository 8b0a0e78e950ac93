"""`sayso serve`: a real process that prints its URL and answers on it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from tests.web.conftest import free_port


def test_serve_prints_the_url_and_serves(sqlite_archive):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SAYSO_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sayso", "serve", "--db", sqlite_archive, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first and "writes disabled" in first, first
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/speakers?limit=1", timeout=5) as r:
                    body = json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert body["total"] > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and "server" not in {k.lower() for k in r.headers}
    finally:
        proc.terminate()
        proc.wait(20)


def test_serve_without_an_archive_is_an_error(tmp_path):
    missing = tmp_path / "none.db"
    r = subprocess.run([sys.executable, "-m", "sayso", "serve", "--db", str(missing), "--port", "1"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no archive here" in r.stderr
    assert not missing.exists()
