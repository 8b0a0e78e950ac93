"""Reading while an ingest writes: the web app serves searches, pages and articles from an
SQLite archive (WAL mode) while ``sayso ingest`` runs in another process. Every request
succeeds, and no reader ever sees part of an article."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import sqlalchemy as sa

from sayso.store import open_engine
from sayso.store.schema import articles, statement_articles
from tests.web.conftest import EXAMPLES


def test_sqlite_archives_are_in_wal_mode(tmp_path):
    engine = open_engine(tmp_path / "a.db")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_the_web_app_reads_while_ingest_writes(client_for, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2):
        for f in sorted(EXAMPLES.glob("*.txt")):
            (corpus / f"{i}_{f.name}").write_text(f.read_text("utf-8") + f"\nUpdate {i}: the mayor said it was fine.\n",
                                                  encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'live.db'}"
    open_engine(url).dispose()  # created and migrated before the readers start
    proc = subprocess.Popen([sys.executable, "-m", "sayso.cli", "ingest", str(corpus), "--db", url, "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failures: list[str] = []
    seen: list[int] = []
    requests = [0]

    def web_reader(paths: list[str]) -> None:
        client = client_for(url)
        while proc.poll() is None:
            for p in paths:
                r = client.get(p)
                requests[0] += 1
                if r.status_code != 200:
                    failures.append(f"{p}: {r.status_code} {r.text[:200]}")

    def snapshot_reader() -> None:
        engine = open_engine(url)
        while proc.poll() is None:
            with engine.connect() as c:  # one statement: one snapshot of the archive
                n, promised, links = c.execute(sa.select(
                    sa.select(sa.func.count()).select_from(articles).scalar_subquery(),
                    sa.select(sa.func.coalesce(sa.func.sum(articles.c.n_statements), 0)).scalar_subquery(),
                    sa.select(sa.func.count()).select_from(statement_articles).scalar_subquery(),
                )).one()
            if promised != links:
                failures.append(f"partial article visible: {links} links for {promised} statements")
            if seen and n < seen[-1]:
                failures.append(f"articles went from {seen[-1]} to {n}")
            seen.append(n)
            time.sleep(0.01)
        engine.dispose()

    threads = [threading.Thread(target=web_reader, args=(["/api/statements?q=said", "/", "/articles"],)),
               threading.Thread(target=web_reader, args=(["/api/speakers", "/api/statements?kind=direct&limit=100"],)),
               threading.Thread(target=snapshot_reader)]
    for t in threads:
        t.start()
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        for t in threads:
            t.join(60)
    assert proc.returncode == 0, err
    assert not failures, failures[:5]
    assert requests[0] > 10 and len(set(seen)) > 2, (requests, sorted(set(seen)))  # reads overlapped the writes
    assert seen[-1] <= 10
