"""The archive: articles, statements (with their article references), speakers and their
aliases and manual overrides; full-text search (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Tables in the order their foreign keys need (articles before the statements that
    point at them), then each dialect's full-text search."""
    _articles()
    _speakers()
    _statements()
    _full_text_search(op.get_bind().dialect.name)


def _articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.String),
        sa.Column("title", sa.String),
        sa.Column("published", sa.String),
        sa.Column("byline", sa.String),
        sa.Column("source", sa.String),
        sa.Column("language", sa.String, nullable=False, server_default="en"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("n_statements", sa.Integer, nullable=False, server_default="0"),
    )


def _speakers() -> None:
    """Speakers, the aliases that point at them and the manual overrides (merge, split)."""
    op.create_table(
        "speakers",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("first", sa.String),
        sa.Column("surname", sa.String),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("descriptors", sa.JSON, nullable=False),
        sa.Column("organization", sa.String),
        sa.Column("country", sa.String),
    )
    op.create_index("ix_speakers_surname", "speakers", ["surname"])
    op.create_table(
        "speaker_aliases",
        sa.Column("alias", sa.String, primary_key=True),
        sa.Column("speaker_id", sa.String, nullable=False),
    )
    op.create_index("ix_speaker_aliases_speaker_id", "speaker_aliases", ["speaker_id"])
    op.create_table(
        "speaker_overrides",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("alias", sa.String, nullable=False),
        sa.Column("target", sa.String, nullable=False),
    )


def _statements() -> None:
    """Statements, and which article refers to each under which local id (one statement
    can stand in several articles)."""
    op.create_table(
        "statements",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("article_id", sa.String, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("local_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("cue", sa.JSON, nullable=False),
        sa.Column("source", sa.JSON),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("content_key", sa.String(40)),
        sa.Column("head_key", sa.String(40)),
        sa.Column("tail_key", sa.String(40)),
        sa.Column("speaker_id", sa.String),
        sa.Column("speaker_raw_id", sa.String),
        sa.Column("speaker", sa.JSON),
        sa.Column("speaker_org", sa.String),
        sa.Column("date", sa.String),
        sa.Column("said_on", sa.String(10)),
        sa.Column("place", sa.String),
        sa.Column("event", sa.String),
        sa.Column("channel", sa.String),
        sa.Column("responds_to", sa.JSON, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
    )
    for col in ("article_id", "kind", "content_key", "head_key", "tail_key", "speaker_id", "said_on"):
        op.create_index(f"ix_statements_{col}", "statements", [col])
    op.create_table(
        "statement_articles",
        sa.Column("article_id", sa.String, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("local_id", sa.String, primary_key=True),
        sa.Column("statement_id", sa.String, sa.ForeignKey("statements.id"), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_index("ix_statement_articles_statement_id", "statement_articles", ["statement_id"])


def _full_text_search(dialect: str) -> None:
    if dialect == "sqlite":
        # Its own copy of the content, keyed by statement id: written in the same
        # transaction as the statement, so it can never drift from it.
        op.execute(
            "CREATE VIRTUAL TABLE statements_fts USING fts5("
            "statement_id UNINDEXED, content, tokenize='porter unicode61')"
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE statements ADD COLUMN content_tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', content_text)) STORED"
        )
        op.execute("CREATE INDEX ix_statements_content_tsv ON statements USING GIN (content_tsv)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS statements_fts")
    for name in ("statement_articles", "statements", "speaker_overrides", "speaker_aliases",
                 "speakers", "articles"):
        op.drop_table(name)
