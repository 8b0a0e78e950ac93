"""Opening an archive: ``--db`` / ``$SAYSO_DB`` → SQLAlchemy engine, migrated to the latest
schema on first use.

A value with ``://`` is an SQLAlchemy URL (``sqlite:///path/sayso.db``,
``postgresql://user@host/db``); anything else is a file path and means SQLite. Plain
``postgresql://`` URLs use the psycopg (3) driver.
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DB_ENV = "SAYSO_DB"
DEFAULT_DB = "sayso.db"
MIGRATIONS = "sayso.store:migrations"


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
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_engine(url: str) -> Engine:
    try:
        u = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL or path: {url!r}") from exc
    kwargs: dict = {"future": True}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
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


def open_engine(db: str | os.PathLike | None = None, *, upgrade: bool = True) -> Engine:
    """An engine on an up-to-date archive, created if it does not exist yet."""
    url = database_url(db)
    engine = create_engine(url)
    try:
        if upgrade and current_revision(engine) != head_revision():
            migrate(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        msg = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {msg}") from exc
    return engine
