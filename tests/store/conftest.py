"""Archive fixtures: every store test runs against SQLite and against a real PostgreSQL
server (``$SAYSO_TEST_PG``, an admin URL; ``.ci/run`` starts a server and sets it). Each
test gets a database of its own, dropped afterwards. No mocks of the database."""
from __future__ import annotations

import contextlib
import os
import uuid

import pytest
import sqlalchemy as sa

from sayso.store import database_url, open_engine
from sayso.store.schema import TABLES

PG_ENV = "SAYSO_TEST_PG"
BACKENDS = ["sqlite", "postgresql"]


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL for an empty archive (not yet created), on each back end in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sayso.db'}"
        return
    with pg_database() as url:
        yield url


@contextlib.contextmanager
def pg_database():
    """A fresh, empty PostgreSQL database on the test server (skips without one); dropped
    afterwards."""
    admin = _pg_admin_url()
    if not admin:
        pytest.skip(f"PostgreSQL back end not tested: set {PG_ENV}=postgresql://… (.ci/run starts a server and sets it)")
    name = f"sayso_t_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(database_url(admin), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with eng.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        eng.dispose()


@pytest.fixture
def engine(db_url):
    eng = open_engine(db_url)
    yield eng
    eng.dispose()


def dump(engine) -> dict[str, list]:
    """Every row of every table (and the SQLite full-text table), sorted: two archives are
    the same when their dumps are equal."""
    out: dict[str, list] = {}
    with engine.connect() as conn:
        for t in TABLES:
            rows = conn.execute(sa.select(t)).mappings().all()
            out[t.name] = sorted((tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows))
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT statement_id, content FROM statements_fts").all()
            out["statements_fts"] = sorted(tuple(r) for r in rows)
    return out
