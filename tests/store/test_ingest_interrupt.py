"""Ctrl-C during `sayso ingest` says what was stored: one line with the articles kept
(each a whole one) and how to go on, exit 130 (the shell's code for SIGINT), no traceback."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest


@pytest.mark.parametrize("workers", ["0", "1"])
def test_sigint_during_ingest_says_what_was_stored(tmp_path, workers):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(200):
        (folder / f"a{i:03d}.txt").write_text(
            f'"We will rebuild bridge {i} this year," Mayor Jane Doe said on Tuesday. '
            f"The council said that project {i} had its money. " * 8, encoding="utf-8")
    db = tmp_path / "a.db"
    proc = subprocess.Popen([sys.executable, "-m", "sayso", "ingest", str(folder), "--db", str(db),
                             "--workers", workers, "--accuracy", "rules"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and stored < 3 and proc.poll() is None:
        time.sleep(0.2)
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            con.close()
        except sqlite3.Error:
            pass
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    lines = [ln for ln in err.splitlines() if "interrupted" in ln]
    assert len(lines) == 1, err
    assert f"{n:,} articles stored by this run are kept" in lines[0] and "run the same command again" in lines[0]
