"""What stops a run stops it cleanly: one ``error:`` line on stderr, exit 2, no traceback,
and what was stored before stays stored."""
from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from sayso.store import open_engine
from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def sayso(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sayso", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def assert_one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert "Traceback" not in stderr and len(lines) == 1, stderr
    return lines[0]


def test_a_bad_size_limit_setting_is_one_line_and_exit_2(tmp_path):
    for args in (["extract", EXAMPLES / "01_bridge.txt"], ["ingest", EXAMPLES / "01_bridge.txt", "--db", tmp_path / "a.db"]):
        done = sayso(*args, env={"SAYSO_MAX_CHARS": "lots"})
        assert done.returncode == 2
        assert "SAYSO_MAX_CHARS" in assert_one_error_line(done.stderr)


def test_an_archive_that_fails_during_the_run_is_one_line_and_exit_2(tmp_path):
    db = tmp_path / "a.db"
    assert sayso("ingest", EXAMPLES / "01_bridge.txt", "--db", db, "--workers", "0").returncode == 0
    engine = open_engine(db)
    with engine.begin() as c:  # from now on every insert fails inside the database
        c.exec_driver_sql("CREATE TRIGGER broken BEFORE INSERT ON articles "
                          "BEGIN INSERT INTO no_such_table VALUES (1); END")
    done = sayso("ingest", EXAMPLES, "--db", db, "--workers", "0")
    assert done.returncode == 2
    line = assert_one_error_line(done.stderr)
    assert "no_such_table" in line and "run the same command again" in line
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM articles")).scalar() == 1
    engine.dispose()
