"""Durability under SIGKILL at random points. An ingest is started and killed (the whole
process group, workers too) at a random moment, again and again on the same archive; after
every kill the archive holds only whole articles and no duplicates, and a final run ends
with exactly the archive an uninterrupted run gives. The points are drawn from a seeded
generator (``SAYSO_KILL_SEED`` to vary them); each trial reports where it struck."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from sayso.engine import ingest
from sayso.readers import read_paths
from sayso.store import open_engine
from sayso.store.schema import articles, statement_articles, statements

from .conftest import dump

REPO = Path(__file__).resolve().parents[2]
TRIALS = 4
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """15 short articles: the examples, each retold with a closing line of its own."""
    d = tmp_path_factory.mktemp("kill-corpus")
    for i in range(3):
        for f in sorted((REPO / "examples").glob("*.txt")):
            text = f.read_text(encoding="utf-8").rstrip("\n")
            (d / f"{i:02d}_{f.name}").write_text(
                f"{text}\n\nUpdate {i}: officials said on Friday that talks would continue.\n", encoding="utf-8")
    return d


def whole_articles_only(engine) -> int:
    """The archive's invariants after a kill; the number of articles stored."""
    with engine.connect() as c:
        hashes = c.execute(sa.select(articles.c.content_hash)).scalars().all()
        assert len(hashes) == len(set(hashes)), "an article stored twice"
        # articles first, then their references: the ingest may commit another article
        # between two reads (separate snapshots), and an article read first has its
        # references committed with it already
        stored = c.execute(sa.select(articles.c.id, articles.c.n_statements)).all()
        links = dict(c.execute(sa.select(statement_articles.c.article_id, sa.func.count())
                               .group_by(statement_articles.c.article_id)).all())
        for aid, n in stored:
            assert links.get(aid, 0) == n, f"{aid}: {links.get(aid, 0)} of {n} statements stored"
        orphans = c.execute(sa.select(sa.func.count()).select_from(statements).where(
            statements.c.article_id.not_in(sa.select(articles.c.id)))).scalar()
        assert orphans == 0
        if engine.dialect.name == "sqlite":
            assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            # one statement, one snapshot: the ingest may commit between two reads
            n_fts, n_statements = c.exec_driver_sql(
                "SELECT (SELECT count(*) FROM statements_fts), (SELECT count(*) FROM statements)").one()
            assert n_fts == n_statements
        return len(hashes)


def start(corpus: Path, db: str, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sayso.cli", "ingest", str(corpus), "--db", db, "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_random_sigkills_then_a_rerun_equal_an_uninterrupted_run(db_url, corpus, tmp_path, nlp):
    total = len(list(corpus.iterdir()))
    reference = open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    ingest(read_paths([corpus]), reference, workers=0)
    want = dump(reference)
    reference.dispose()

    rng = random.Random(int(os.environ.get("SAYSO_KILL_SEED", "9")))
    engine = open_engine(db_url)
    struck: list[tuple[int, int]] = []
    for trial in range(TRIALS):
        before = whole_articles_only(engine)
        if before == total:
            break
        # trial 0 strikes during start-up (model loading, planning); the others after a
        # random number of further articles, plus a random fraction of one article's time
        target = before if trial == 0 else before + rng.randrange(1, max(2, (total - before) // 2 + 1))
        proc = start(corpus, db_url, workers=trial % 2)
        try:
            deadline = time.monotonic() + 240
            if trial == 0:
                time.sleep(rng.uniform(0.2, 2.0))
            while trial and whole_articles_only(engine) < target and proc.poll() is None:
                assert time.monotonic() < deadline, "ingest stored nothing"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.15))
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        struck.append((before, whole_articles_only(engine)))
    print(f"kill trials (stored before → after each kill, of {total}): {struck}")
    assert len(struck) >= 3, struck

    rerun = subprocess.run([sys.executable, "-m", "sayso.cli", "ingest", str(corpus), "--db", db_url,
                            "--workers", "1"], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert whole_articles_only(engine) == total
    got = dump(engine)
    assert {k: want[k] for k in got} == got
    engine.dispose()
