"""``sayso reanalyse``: an archive an older sayso built is analysed again by this one into a
new archive, which equals a fresh ingest of the same inputs row for row and keeps the user's
speaker corrections and registry; stopped midway, the same command goes on."""
from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sayso.cli import app
from sayso.engine import ingest
from sayso.readers import read_paths
from sayso.readers.archive import read_archive
from sayso.records import KnownSpeaker
from sayso.store import open_engine
from sayso.store.db import create_engine, database_url, migrate, write_transaction
from sayso.store.registry import import_registry
from sayso.store.schema import speaker_overrides, speakers, statements

from .conftest import dump

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def dumped(url: str) -> dict:
    eng = open_engine(url)
    try:
        return dump(eng)
    finally:
        eng.dispose()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, nlp) -> dict:
    """What this sayso stores for the examples: the archive a reanalysis must equal."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'fresh.db'}"
    assert run("ingest", EXAMPLES, "--db", url, "--workers", 0).exit_code == 0
    return dumped(url)


def test_an_archive_from_before_the_trusted_view_is_analysed_again(db_url, tmp_path, fresh):
    """Upgraded from schema 0001, every statement shows as trusted; the upgrade says so and
    reanalysis gives each its type, calibrated confidence and verdict again."""
    assert run("ingest", EXAMPLES, "--db", db_url, "--workers", 0).exit_code == 0
    old = create_engine(database_url(db_url))
    migrate(old, "0001", downgrade=True)  # as a sayso of that schema left it, linked rows and all
    old.dispose()
    res = run("upgrade", "--db", db_url)
    assert res.exit_code == 0 and "sayso reanalyse --db OLD --into NEW" in res.stdout
    old = open_engine(db_url)
    with old.connect() as conn:
        assert set(conn.execute(sa.select(statements.c.trusted)).scalars()) == {True}
    old.dispose()

    new = f"sqlite:///{tmp_path / 'new.db'}"
    res = run("reanalyse", "--db", db_url, "--into", new, "--workers", 0)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("stored 5 articles with ")
    n_trusted = sum(('trusted', 'True') in row for row in fresh["statements"])
    n_all = len(fresh["statements"])
    assert 0 < n_trusted < n_all
    assert f"the new archive: {n_all} statements in 5 articles, {n_trusted} trusted; " \
           f"the old one: {n_all} in 5, {n_all} trusted" in res.stdout
    assert "reanalyse" in res.stderr  # the progress bar
    assert dumped(new) == fresh
    assert run("upgrade", "--db", new).stdout.count("\n") == 1  # nothing to say of a current archive


def test_stopped_midway_the_same_command_goes_on(tmp_path, fresh):
    old = f"sqlite:///{tmp_path / 'old.db'}"
    assert run("ingest", EXAMPLES, "--db", old, "--workers", 0).exit_code == 0
    new = f"sqlite:///{tmp_path / 'new.db'}"
    reader, partial = open_engine(old), open_engine(new)
    ingest(islice(read_archive(reader), 2), partial, workers=0)  # two articles in when it stopped
    reader.dispose()
    partial.dispose()
    res = run("reanalyse", "--db", old, "--into", new, "--workers", 0)
    assert res.exit_code == 0, res.stderr
    assert "stored 3 articles" in res.stdout and "2 already stored" in res.stdout
    assert dumped(new) == fresh


def test_speaker_corrections_and_the_registry_are_kept(db_url, tmp_path, nlp):
    assert run("ingest", EXAMPLES, "--db", db_url, "--workers", 0).exit_code == 0
    assert run("speakers", "merge", "Anna Kowalski", "Luis Ortega", "--db", db_url).exit_code == 0
    old = open_engine(db_url)
    with write_transaction(old) as conn:
        import_registry(conn, [KnownSpeaker("Helena Marsh", aliases=("Dr. Marsh",), roles=("climatologist",),
                                            wikidata="Q424242")])
    old.dispose()

    new = f"sqlite:///{tmp_path / 'new.db'}"
    res = run("reanalyse", "--db", db_url, "--into", new, "--workers", 0)
    assert res.exit_code == 0, res.stderr
    assert "carried 1 speaker corrections and 1 registry speakers" in res.stderr
    eng = open_engine(new)
    with eng.connect() as conn:
        assert [tuple(r) for r in conn.execute(sa.select(speaker_overrides.c.action, speaker_overrides.c.alias,
                                                         speaker_overrides.c.target))] == \
            [("merge", "luis-ortega", "anna-kowalski")]
        said = set(conn.execute(sa.select(statements.c.speaker_id).where(
            statements.c.speaker_raw_id == "luis-ortega")).scalars())
        assert said == {"anna-kowalski"}
        marsh = conn.execute(sa.select(speakers).where(speakers.c.id == "helena-marsh")).one()
        assert (marsh.registered, marsh.wikidata) == (True, "Q424242")
        assert "Dr. Marsh" in marsh.aliases and marsh.descriptors[0] == "climatologist"
    eng.dispose()
    again = run("reanalyse", "--db", db_url, "--into", new, "--workers", 0)
    assert again.exit_code == 0 and "carried" not in again.stderr and "5 already stored" in again.stdout


def test_bad_arguments_are_one_line_and_exit_2(tmp_path):
    old = tmp_path / "old.db"
    res = run("reanalyse", "--db", old, "--into", tmp_path / "new.db")
    assert res.exit_code == 2 and "no archive here" in res.stderr
    open_engine(f"sqlite:///{old}").dispose()  # an archive without articles
    res = run("reanalyse", "--db", old, "--into", tmp_path / "new.db")
    assert res.exit_code == 2 and "no articles to analyse again" in res.stderr
    assert not (tmp_path / "new.db").exists()
    res = run("reanalyse", "--db", old, "--into", f"sqlite:///{old}")
    assert res.exit_code == 2 and "--into must name another archive" in res.stderr
    assert "Traceback" not in res.stderr
