"""Opening an archive: ``--db`` / ``$SAYSO_DB`` → SQLAlchemy engine, migrated to the latest
schema on first use.

A value with ``://`` is an SQLAlchemy URL (``sqlite:///path/sayso.db``,
``postgresql://user@host/db``); anything else is a file path and means SQLite. Plain
``postgresql://`` URLs use the psycopg (3) driver.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DB_ENV = "SAYSO_DB"
DEFAULT_DB = "sayso.db"
MIGRATIONS = "sayso.store:migrations"
# How long a writer waits for another writer's transaction to end before giving up (one
# attempt), and how many attempts it makes: an ingest's article transaction takes
# milliseconds, so a wait this long means something holds the archive.
BUSY_TIMEOUT = 30.0
WRITE_ATTEMPTS = 3
PG_WRITE_LOCK = 0x5A7505  # pg_advisory_xact_lock key: one writer at a time, like SQLite
T = TypeVar("T")


class StoreError(RuntimeError):
    """The archive cannot be opened (bad URL, server down, missing driver): one line."""


def database_url(db: str | os.PathLike | None = None) -> str:
    value = str(db) if db is not None else (os.environ.get(DB_ENV) or DEFAULT_DB)
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")      # readers never block the one writer
    cur.execute("PRAGMA synchronous=NORMAL")    # durable at each checkpoint; atomic always
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def create_engine(url: str, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """The engine for ``url``; on SQLite a connection waits up to ``busy_timeout`` seconds
    for another writer (sqlite3's ``timeout``, which sets SQLite's busy timeout)."""
    try:
        u = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL or path: {url!r}") from exc
    kwargs: dict = {"future": True}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": busy_timeout}
    try:
        engine = sa.create_engine(u, **kwargs)
    except (ImportError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise StoreError(f"cannot use database {u.render_as_string(hide_password=True)}: {exc}") from exc
    if u.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine, revision: str = "head", downgrade: bool = False) -> None:
    """Bring the schema up (or down) to ``revision`` (Alembic, in-process, on our own connection)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if downgrade else command.upgrade)(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(cfg).get_current_head()


def open_engine(db: str | os.PathLike | None = None, *, upgrade: bool = True,
                busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """An engine on an up-to-date archive, created if it does not exist yet."""
    url = database_url(db)
    engine = create_engine(url, busy_timeout)
    try:
        if upgrade and current_revision(engine) != head_revision():
            migrate(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        msg = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {msg}") from exc
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.engine.Connection]:
    """A transaction that holds the archive's write lock from its first statement: SQLite's
    ``BEGIN IMMEDIATE`` (pysqlite would otherwise begin only at the first INSERT, after the
    next sequence number was read, so two writers took the same one), a transaction-scoped
    advisory lock on PostgreSQL. Writers queue; readers never wait (WAL, MVCC)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
        yield conn


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer has the archive now, try again"
    (SQLite locked or busy; PostgreSQL serialization failure, deadlock, lock not available)."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return True
    if getattr(orig, "sqlstate", None) in ("40001", "40P01", "55P03"):
        return True
    msg = str(orig).lower()
    return "database is locked" in msg or "database is busy" in msg


def retry_busy(attempt: Callable[[], T], attempts: int = WRITE_ATTEMPTS) -> T:
    """``attempt()``, tried again (after a short pause) while the archive is busy; the last
    busy error is raised as it is, for the caller to report as "busy, retry later"."""
    for n in range(1, attempts + 1):
        try:
            return attempt()
        except sa.exc.OperationalError as exc:
            if n == attempts or not is_busy(exc):
                raise
            time.sleep(0.05 * n)
    raise AssertionError("unreachable")  # pragma: no cover
