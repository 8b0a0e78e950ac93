"""Opening an archive: URLs, migrations run on first use and agree with the code's tables."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sayso.store import database_url, open_engine
from sayso.store.db import current_revision, head_revision, migrate
from sayso.store.schema import TABLES, include_object, metadata


def test_database_url_forms(tmp_path, monkeypatch):
    monkeypatch.delenv("SAYSO_DB", raising=False)
    assert database_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.chdir(tmp_path)
    assert database_url(None) == f"sqlite:///{tmp_path / 'sayso.db'}"
    monkeypatch.setenv("SAYSO_DB", "other.db")
    assert database_url(None) == f"sqlite:///{tmp_path / 'other.db'}"


def test_created_on_first_use_at_head(engine):
    assert current_revision(engine) == head_revision()
    names = set(sa.inspect(engine).get_table_names())
    assert {t.name for t in TABLES} <= names


def test_migrations_match_the_tables_the_code_uses(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"include_object": include_object}), metadata)
    assert diffs == []


def test_full_text_objects_per_backend(engine):
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'statements_fts'").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        else:
            cols = {c["name"] for c in sa.inspect(conn).get_columns("statements")}
            assert "content_tsv" in cols
            idx = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_statements_content_tsv'").scalar()
            assert "gin" in idx.lower()


def test_reopen_and_downgrade_upgrade_round_trip(db_url):
    eng = open_engine(db_url)
    eng.dispose()
    eng = open_engine(db_url)  # already at head: nothing to do
    migrate(eng, "base", downgrade=True)
    assert current_revision(eng) is None
    assert "articles" not in sa.inspect(eng).get_table_names()
    migrate(eng)
    assert current_revision(eng) == head_revision()
    eng.dispose()
