"""Every archive problem is one ``error:`` line and exit 2, never a traceback: ``--db``
naming a text file, random bytes, a truncated database, an archive whose schema is newer
than this sayso (it says so). Read commands open the archive read-only and never migrate
it, so a read-only archive (file and folder not writable, as on read-only media) can be
searched and exported."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest
from typer.testing import CliRunner

from sayso.cli import app
from sayso.store import StoreError, open_engine
from sayso.store.db import head_revision

from .helpers import article, speaker, stmt, store

READS = (["search"], ["search", "-f", "csv"], ["speakers"], ["show", "a0"], ["export"],
         ["export", "-f", "csv"], ["digest", "-q", "mayor"], ["graph", "-q", "mayor"])


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A real archive, checkpointed into its main file (no -wal needed to read it)."""
    path = tmp_path_factory.mktemp("good") / "a.db"
    engine = open_engine(path)
    store(engine, *(article(f"a{i}", stmt("s1", f"the mayor said bridge {i} would reopen " * 20, speaker("Anna Kowalski")))
                    for i in range(60)))
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


def one_error(res, *words) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)
    [line] = res.stderr.splitlines()
    assert line.startswith("error: "), line
    for w in words:
        assert w in line, line
    return line


def bad_archives(tmp_path, good) -> dict:
    text = tmp_path / "notes.db"
    text.write_text("just some notes\n" * 100, encoding="utf-8")
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(50_000))
    cut = tmp_path / "cut.db"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    return {"text": text, "noise": noise, "cut": cut}


@pytest.mark.parametrize("kind", ["text", "noise", "cut"])
def test_not_a_database_is_one_error_line_for_every_command(tmp_path, good, kind):
    path = bad_archives(tmp_path, good)[kind]
    before = path.read_bytes()
    for args in READS + (["ingest", str(tmp_path / "none.txt")],):
        res = CliRunner().invoke(app, [*args, "--db", str(path)])
        one_error(res, str(path.name))
    assert path.read_bytes() == before  # nothing written into it


def test_newer_schema_says_so_and_is_left_alone(tmp_path, good):
    path = tmp_path / "future.db"
    shutil.copy(good, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    for args in READS + (["ingest", str(good)],):
        line = one_error(CliRunner().invoke(app, [*args, "--db", str(path)]), "newer")
        assert "0099_from_the_future" in line
    with pytest.raises(StoreError, match="newer"):
        open_engine(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0099_from_the_future"
    con.close()


def test_read_commands_never_migrate(tmp_path):
    from sayso.store.db import create_engine, database_url, migrate

    path = tmp_path / "old.db"
    engine = create_engine(database_url(path))
    migrate(engine, "0001")
    engine.dispose()
    before = path.read_bytes()
    for args in READS:
        line = one_error(CliRunner().invoke(app, [*args, "--db", str(path)]), "older")
        assert "sayso upgrade" in line
    assert path.read_bytes() == before
    res = CliRunner().invoke(app, ["upgrade", "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert CliRunner().invoke(app, ["search", "--db", str(path)]).exit_code == 0
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    con.close()


def _read_only(folder):
    """Make ``folder`` and its files unwritable, even for root (the immutable attribute)."""
    if os.geteuid() != 0:
        for p in [*folder.iterdir(), folder]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        return lambda: [p.chmod(0o755) for p in [folder, *folder.iterdir()]]
    files = [str(p) for p in folder.iterdir()] + [str(folder)]
    if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only here (root without chattr +i)")
    return lambda: subprocess.run(["chattr", "-i", *files], check=True)


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_read_only_archive_can_be_searched_and_exported(tmp_path, good, journal):
    """In WAL mode SQLite needs to make a -shm file even to read; in a folder it cannot
    write, with no -wal left (a clean close), the archive is opened immutable."""
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(good, folder / "a.db")
    con = sqlite3.connect(folder / "a.db")
    con.execute(f"PRAGMA journal_mode={journal}")
    con.close()
    assert sorted(p.name for p in folder.iterdir()) == ["a.db"]
    undo = _read_only(folder)
    try:
        with pytest.raises(OSError):
            (folder / "probe").write_text("x")
        for args in READS:
            res = CliRunner().invoke(app, [*args, "--db", str(folder / "a.db")])
            assert res.exit_code == 0, (args, res.output)
        res = CliRunner().invoke(app, ["export", "-f", "csv", "--db", str(folder / "a.db"), "-o", str(tmp_path / "x.csv")])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(app, ["speakers", "merge", "anna-kowalski", "x", "--db", str(folder / "a.db")])
        one_error(res)
    finally:
        undo()
    assert len((tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()) == 61
