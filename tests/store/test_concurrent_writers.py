"""Several writers on one archive never lose an article: each takes the archive's write lock
at the start of its transaction (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
PostgreSQL), so the next sequence number is read by the one writer that will use it, and
a writer that finds the archive busy waits and retries. A busy archive is a 503 (retry
later) in the API, never a 422. Real processes, real databases."""
from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from sayso.records import Article
from sayso.store import Writer, open_engine
from sayso.store.schema import articles
from tests.store.helpers import article, speaker, stmt

N = 40  # articles per writer


def _records(prefix: str, n: int) -> list[tuple[Article, str]]:
    who = speaker(f"Mayor {prefix.title()}")
    return [(Article.from_dict(article(f"{prefix}{i}", stmt("s0", f"the {prefix} bridge number {i} will reopen in spring", who),
                     stmt("s1", f"{prefix} council money {i} is ready for the works", who))),
             f"Article {prefix} {i}: the bridge will reopen, the mayor said.")
            for i in range(n)]


def _write_all(url: str, prefix: str, n: int, start, errors) -> None:
    """One writer process: its own engine, ``n`` articles, one transaction each."""
    engine = open_engine(url)
    w = Writer(engine)
    start.wait()
    for rec, text in _records(prefix, n):
        try:
            w.write(rec, text)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.put(f"{prefix}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    engine.dispose()


def _stored(url: str) -> list[tuple[str, int]]:
    engine = open_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(articles.c.id, articles.c.seq).order_by(articles.c.seq)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_two_writer_processes_store_every_article(db_url):
    open_engine(db_url).dispose()  # created and migrated before the writers start
    ctx = mp.get_context("spawn")
    start, errors = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_write_all, args=(db_url, p, N, start, errors)) for p in ("east", "west")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    rows = _stored(db_url)
    assert len(rows) == 2 * N
    assert [seq for _, seq in rows] == list(range(1, 2 * N + 1))


def test_writer_threads_of_one_process_store_every_article(db_url):
    engine = open_engine(db_url)
    go = threading.Barrier(3)
    failures: list[str] = []

    def run(prefix: str) -> None:
        w = Writer(engine)
        go.wait()
        for rec, text in _records(prefix, N // 2):
            try:
                w.write(rec, text)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{prefix}: {exc}")

    threads = [threading.Thread(target=run, args=(p,)) for p in ("north", "south", "centre")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    engine.dispose()
    assert failures == []
    assert len(_stored(db_url)) == 3 * (N // 2)


def test_a_busy_archive_is_retried_and_then_a_clear_operational_error(tmp_path):
    """A lock held longer than the wait: the writer gives up with an OperationalError (which
    the API answers as 503, the CLI as one error line), not a UNIQUE violation."""
    import sqlite3

    path = tmp_path / "busy.db"
    engine = open_engine(path, busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        w = Writer(engine, attempts=2)
        rec, text = _records("lock", 1)[0]
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            w.write(rec, text)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert Writer(engine).write(rec, text) is not None  # free again: stored
    engine.dispose()


# ---------------------------------------------------------------- the API and the CLI
def test_api_writes_during_another_writer_store_every_article(tmp_path, nlp):
    from fastapi.testclient import TestClient

    from sayso.web import create_app

    url = f"sqlite:///{tmp_path / 'api.db'}"
    open_engine(url).dispose()
    ctx = mp.get_context("spawn")
    start, errors = ctx.Barrier(2), ctx.Queue()
    writer = ctx.Process(target=_write_all, args=(url, "bulk", 3 * N, start, errors))
    writer.start()
    client = TestClient(create_app(url, token="t" * 32, nlp=nlp))
    start.wait()
    codes = []
    for i in range(15):
        text = f'"We will rebuild bridge {i} this year," Mayor Jane Doe of Eastbridge said on Tuesday.'
        r = client.post("/api/articles", json={"id": f"api{i}", "text": text},
                        headers={"Authorization": "Bearer " + "t" * 32})
        codes.append(r.status_code)
    writer.join(180)
    assert writer.exitcode == 0 and errors.empty()
    assert codes == [201] * 15
    ids = {aid for aid, _ in _stored(url)}
    assert len(ids) == 3 * N + 15 and {f"api{i}" for i in range(15)} <= ids


def test_api_busy_archive_is_503_with_retry_after(tmp_path, nlp):
    import sqlite3

    from fastapi.testclient import TestClient

    from sayso.web import create_app

    path = tmp_path / "busy.db"
    client = TestClient(create_app(str(path), token="t" * 32, nlp=nlp, busy_timeout=0.2))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = client.post("/api/articles", json={"text": '"It is done," the mayor said.'},
                        headers={"Authorization": "Bearer " + "t" * 32})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503 and r.headers.get("retry-after")
    assert "busy" in r.json()["detail"]


@pytest.mark.slow
def test_two_concurrent_ingests_of_different_folders_store_every_article(tmp_path):
    """Two `sayso ingest` runs at once into one SQLite archive (the issue's trial: 45 + 40
    articles were refused with "UNIQUE constraint failed: articles.seq")."""
    db = tmp_path / "both.db"
    for name in ("a", "b"):
        d = tmp_path / name
        d.mkdir()
        for i in range(30):
            (d / f"{name}{i:02d}.txt").write_text(
                f'"We will rebuild bridge {name}{i} this year," Mayor Jane Doe said on Tuesday. '
                f"The council said that project {name}{i} had its money.", encoding="utf-8")
    open_engine(db).dispose()
    cmd = [sys.executable, "-m", "sayso", "ingest", "--db", str(db), "--workers", "0", "--accuracy", "rules"]
    procs = [subprocess.Popen(cmd + [str(tmp_path / n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in ("a", "b")]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "stored 30 articles" in out and "0 errors" in out, (out, err)
    rows = _stored(f"sqlite:///{db}")
    assert len(rows) == 60 and [s for _, s in rows] == list(range(1, 61))
