"""Opening an archive: URLs, migrations run on first use and agree with the code's tables."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sayso.store import database_url, open_engine
from sayso.store.db import current_revision, head_revision, migrate
from sayso.store.schema import TABLES, articles, include_object, metadata, statements


def test_database_url_forms(tmp_path, monkeypatch):
    from sayso.settings import Settings

    assert database_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.chdir(tmp_path)
    assert database_url(None) == f"sqlite:///{tmp_path / 'sayso.db'}"
    assert database_url(Settings.from_env({"SAYSO_DB": "other.db"}).db) == f"sqlite:///{tmp_path / 'other.db'}"


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


def test_migration_0002_upgrades_an_archive_made_at_0001(db_url):
    """An archive stored before the trusted view keeps its rows: they read as speech and
    trusted (what the archive showed them as), full-text search still finds them, and
    articles get no skipped reason."""
    from sayso.store import Query, Writer, search
    from sayso.store.db import create_engine, database_url

    eng = create_engine(database_url(db_url))
    migrate(eng, "0001")
    assert current_revision(eng) == "0001"
    old = sa.inspect(eng)
    assert "trusted" not in {c["name"] for c in old.get_columns("statements")}
    part = {"text": "the bridge will open", "spans": [[10, 30]]}
    st = sa.table("statements", *(sa.column(c) for c in ("id", "article_id", "local_id", "position", "kind",
                                                         "content_text", "confidence")),
                  *(sa.column(c, sa.JSON) for c in ("cue", "content", "responds_to", "flags")))
    with eng.begin() as conn:
        conn.execute(sa.table("articles", *(sa.column(c) for c in ("id", "seq", "content_hash", "text",
                                                                  "n_statements"))).insert(),
                     {"id": "old", "seq": 1, "content_hash": "0" * 64, "text": "x" * 40, "n_statements": 1})
        conn.execute(st.insert(), {"id": "old#s1", "article_id": "old", "local_id": "s1", "position": 0,
                                   "kind": "indirect", "content_text": part["text"], "confidence": 0.9,
                                   "cue": part, "content": part, "responds_to": [], "flags": []})
        if eng.dialect.name == "sqlite":
            conn.exec_driver_sql("INSERT INTO statements_fts (statement_id, content) VALUES ('old#s1', 'the bridge will open')")
    migrate(eng)
    assert current_revision(eng) == head_revision()
    with eng.connect() as conn:
        assert tuple(conn.execute(sa.select(statements.c.type, statements.c.trusted)).one()) == ("speech", True)
        assert conn.execute(sa.select(articles.c.skipped)).scalar() is None
        assert [r.statement_id for r in search(conn, Query(text="bridge"))] == ["old#s1"]
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}), metadata)
    assert diffs == []
    from sayso.records import Article

    assert Writer(eng).write(Article("new"), "a new text") is not None
    eng.dispose()
