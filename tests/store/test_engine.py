"""Ingest through the real pipeline: worker processes, idempotence, errors, and a SIGKILL
in the middle of a run followed by a re-run giving exactly the uninterrupted archive."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from sayso.engine import ingest
from sayso.readers import read_paths
from sayso.settings import Settings
from sayso.store import open_engine
from sayso.store.schema import articles, statement_articles, statements

from .conftest import dump

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def n_articles(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(articles)).scalar()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 short articles: the examples, each retold with a closing line of its own."""
    d = tmp_path_factory.mktemp("corpus")
    texts = sorted(EXAMPLES.glob("*.txt"))
    for i in range(12):
        for f in texts:
            text = f.read_text(encoding="utf-8").rstrip("\n")
            (d / f"{i:02d}_{f.name}").write_text(
                f"{text}\n\nUpdate {i}: officials said on Friday that talks would continue.\n", encoding="utf-8")
    return d


def test_workers_and_in_process_give_the_same_archive(db_url, tmp_path, nlp):
    single = open_engine(f"sqlite:///{tmp_path / 'single.db'}")
    s0 = ingest(read_paths([EXAMPLES]), single, workers=0)
    multi = open_engine(db_url)
    s2 = ingest(read_paths([EXAMPLES]), multi, workers=2)
    assert s0.stored == s2.stored == 5 and s0.statements == s2.statements > 20
    assert s2.errors == 0 and s2.parsed == 5
    d0, d2 = dump(single), dump(multi)
    assert {k: d0[k] for k in d2} == d2
    again = ingest(read_paths([EXAMPLES]), multi, workers=2)
    assert (again.stored, again.skipped, again.todo) == (0, 5, 0)
    assert dump(multi) == d2
    single.dispose()
    multi.dispose()


def test_the_inputs_are_read_a_window_ahead_not_whole(tmp_path, nlp):
    """Memory holds one window of documents, whatever the input's size: the first article
    is stored before the reader has gone past the first window (and the next document, read
    to know whether more follow). Worker processes started for the first window serve the
    later ones, and the archive is the one-window archive."""
    from sayso.records import Document

    read: list[int] = []

    def crawl(n: int = 7):
        for i in range(n):
            read.append(i)
            yield Document(text=f"Mayor Anna Kowalski said on day {i} that the bridge would reopen.", id=f"d{i}")

    stored_at, planned = [], []
    windowed = open_engine(f"sqlite:///{tmp_path / 'windowed.db'}")
    stats = ingest(crawl(), windowed, workers=2, window=3, on_plan=lambda s: planned.append(s.todo),
                   on_article=lambda s: stored_at.append(len(read)))
    assert (stats.stored, stats.parsed, stats.errors) == (7, 7, 0)
    assert planned == [3, 6, 7]
    assert stored_at == [4, 4, 4, 7, 7, 7, 7]
    read.clear()
    whole = open_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    ingest(crawl(), whole, workers=0, window=100)
    assert dump(windowed) == dump(whole)
    windowed.dispose()
    whole.dispose()


def test_bad_documents_are_reported_and_counted(engine, tmp_path, nlp):
    (tmp_path / "good.txt").write_text('"We will rebuild," Mayor Anna Kowalski said.', encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   ", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"text": "Fine, she said."}\nnot json\n', encoding="utf-8")
    errors: list[str] = []
    stats = ingest(read_paths([tmp_path, tmp_path / "missing.txt"]), engine, workers=0, on_error=errors.append)
    assert stats.stored == 2 and stats.errors == 3 == len(errors)
    assert any("empty" in e for e in errors) and any("invalid JSON" in e for e in errors)
    assert any("missing.txt" in e for e in errors)


def test_a_document_the_database_refuses_is_reported_and_the_run_goes_on(engine, tmp_path, nlp):
    f = tmp_path / "a.jsonl"  # PostgreSQL text cannot hold NUL; SQLite can
    f.write_text('{"id": "nul", "text": "She said \\u0000 that it was fine."}\n'
                 '{"id": "ok", "text": "He said that it was fine."}\n', encoding="utf-8")
    errors: list[str] = []
    stats = ingest(read_paths([f]), engine, workers=0, on_error=errors.append)
    assert stats.stored + stats.errors == 2 and stats.stored >= 1
    if engine.dialect.name == "postgresql":
        assert errors and errors[0].startswith("nul: cannot be stored")


def test_repeated_text_in_the_inputs_is_stored_once(engine, tmp_path, nlp):
    (tmp_path / "a.txt").write_text('"We will rebuild," Mayor Anna Kowalski said.', encoding="utf-8")
    (tmp_path / "b.txt").write_text('"We will rebuild," Mayor Anna Kowalski said.', encoding="utf-8")
    stats = ingest(read_paths([tmp_path]), engine, workers=0)
    assert (stats.stored, stats.skipped) == (1, 1) and n_articles(engine) == 1


def test_a_model_that_cannot_load_stops_the_run(tmp_path):
    from sayso.engine.local import ModelLoadError

    engine = open_engine(tmp_path / "x.db")
    with pytest.raises(ModelLoadError, match="no_such_pipeline"):
        ingest(read_paths([EXAMPLES / "01_bridge.txt"]), engine, workers=1,
               settings=Settings(model="no_such_pipeline"))
    assert n_articles(engine) == 0
    engine.dispose()


def _start(corpus: Path, db: str, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sayso.cli", "ingest", str(corpus), "--db", db, "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )


def test_sigkill_midway_then_rerun_equals_an_uninterrupted_run(db_url, corpus, tmp_path, nlp):
    total = len(list(corpus.iterdir()))
    reference = open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    ingest(read_paths([corpus]), reference, workers=0)
    want = dump(reference)
    reference.dispose()

    engine = open_engine(db_url)  # created (migrated) here, so the poll below can read it
    proc = _start(corpus, db_url, workers=1)
    try:
        deadline = time.monotonic() + 240
        while n_articles(engine) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "ingest did not start storing articles"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its worker processes, at once
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    stored = n_articles(engine)
    assert 3 <= stored < total, f"killed after {stored} of {total} articles: not midway"

    rerun = subprocess.run(
        [sys.executable, "-m", "sayso.cli", "ingest", str(corpus), "--db", db_url, "--workers", "2"],
        capture_output=True, text=True, timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{stored} already stored" in rerun.stdout

    got = dump(engine)
    assert {k: want[k] for k in got} == got
    with engine.connect() as c:  # no duplicates
        hashes = c.execute(sa.select(articles.c.content_hash)).scalars().all()
        assert len(hashes) == len(set(hashes)) == total
        assert c.execute(sa.select(sa.func.count()).select_from(statement_articles)).scalar() == \
            sum(c.execute(sa.select(articles.c.n_statements)).scalars())
        assert c.execute(sa.select(sa.func.count()).select_from(statements)).scalar() > 0
    engine.dispose()
