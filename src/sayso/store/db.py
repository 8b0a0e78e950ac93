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
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sayso.settings import DB_ENV, DEFAULT_DB  # noqa: F401 - store re-exports them

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
    """The SQLAlchemy URL of an archive named by URL or SQLite path (None: ``DEFAULT_DB``;
    the CLI gives ``--db`` or ``$SAYSO_DB``)."""
    value = str(db) if db is not None else DEFAULT_DB
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
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:  # a batch migration copies a table and drops the old one, which rows still reference
            _foreign_keys(conn, False)
        try:
            with conn.begin():
                if sqlite:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # the whole migration, DDL too, or nothing
                cfg.attributes["connection"] = conn
                (command.downgrade if downgrade else command.upgrade)(cfg, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise StoreError("the migration would leave rows pointing at rows that are gone; nothing was changed")
        finally:
            if sqlite:
                _foreign_keys(conn, True)


def _foreign_keys(conn: sa.engine.Connection, on: bool) -> None:
    """SQLite's foreign-key checks, switched outside any transaction (inside one, SQLite
    ignores the switch)."""
    conn.exec_driver_sql("PRAGMA foreign_keys=ON" if on else "PRAGMA foreign_keys=OFF")
    conn.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision_of(db: str | os.PathLike | None) -> str | None:
    """The archive's schema revision, read without changing anything; None when it cannot
    be read (no archive there yet, unreachable): the caller's own open reports why."""
    try:
        engine = _read_only_engine(database_url(db), BUSY_TIMEOUT)
    except (StoreError, sa.exc.SQLAlchemyError):
        return None
    try:
        return current_revision(engine)
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(cfg).get_current_head()


def known_revisions() -> set[str]:
    """Every schema revision this sayso's migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}


def check_schema(engine: Engine, upgrade: bool) -> None:
    """Make sure the archive's schema is the one this sayso reads: migrate it when
    ``upgrade`` (writing commands), else say what to do. A schema newer than any migration
    here is never touched: an older sayso would misread it or break it."""
    rev, head = current_revision(engine), head_revision()
    if rev == head:
        return
    if rev is not None and rev not in known_revisions():
        raise StoreError(f"the archive's schema ({rev}) is newer than this sayso's ({head}): "
                         "use a newer sayso with it")
    if not upgrade:
        if rev is None:
            raise StoreError("not a sayso archive (no schema version in it)")
        raise StoreError(f"the archive's schema ({rev}) is older than this sayso's ({head}): "
                         "upgrade it first with `sayso upgrade --db …`")
    migrate(engine)


def open_engine(db: str | os.PathLike | None = None, *, upgrade: bool = True,
                busy_timeout: float = BUSY_TIMEOUT, read_only: bool = False) -> Engine:
    """An engine on an up-to-date archive, created if it does not exist yet. ``read_only``
    (read commands): opened read-only, never created or migrated, so an archive on
    read-only media, or one a newer sayso wrote, is read or refused, never changed. Any
    problem (not a database, damaged, unreachable, wrong schema) is one StoreError line."""
    url = database_url(db)
    engine = _read_only_engine(url, busy_timeout) if read_only else create_engine(url, busy_timeout)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        try:
            check_schema(engine, upgrade and not read_only)
        except sa.exc.OperationalError as exc:
            if not (read_only and engine.dialect.name == "sqlite" and "unable to open" in one_line(exc)):
                raise
            engine.dispose()  # a WAL archive in a folder it cannot write: see _read_only_engine
            engine = _read_only_engine(url, busy_timeout, immutable=True)
            check_schema(engine, False)
    except StoreError as exc:
        engine.dispose()
        raise StoreError(f"{_place(url, shown)}: {exc}") from exc
    except (sa.exc.DBAPIError, sa.exc.ArgumentError) as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {_place(url, shown)}: {one_line(exc)}") from exc
    return engine


def one_line(exc: BaseException) -> str:
    """A database error's own first line, without SQLAlchemy's statement and links."""
    orig = getattr(exc, "orig", None)
    return (str(orig or exc).strip().splitlines() or [exc.__class__.__name__])[0]


def _place(url: str, shown: str) -> str:
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else shown


def _read_only_engine(url: str, busy_timeout: float, immutable: bool = False) -> Engine:
    """An engine that cannot write. SQLite: ``mode=ro``; ``immutable`` when even that
    fails because SQLite cannot make its WAL index beside a WAL archive (read-only media),
    which is safe only when no -wal file holds data the main file lacks, so only then.
    PostgreSQL: every transaction read-only."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        path = os.path.abspath(u.database)
        if immutable and os.path.exists(path + "-wal"):
            raise StoreError("cannot open it read-only (its -wal file is in a folder sayso cannot write)")
        mode = "immutable=1" if immutable else "mode=ro"
        engine = sa.create_engine("sqlite:///file:" + quote(path) + "?" + mode + "&uri=true",
                                  connect_args={"timeout": busy_timeout})
        sa.event.listen(engine, "connect", _sqlite_read_pragmas)
        return engine
    engine = create_engine(url, busy_timeout)
    if engine.dialect.name == "postgresql":
        engine.dispose()
        engine = sa.create_engine(engine.url, connect_args={"options": "-c default_transaction_read_only=on"})
    return engine


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


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
