"""The archive's tables, as SQLAlchemy Core metadata.

These objects are what the code queries; the database itself is created and upgraded by
the Alembic migrations in ``sayso/store/migrations`` (a test checks the two agree).
Natural keys only (article ids, ``article#s3`` statement ids, speaker slugs), so two
archives built from the same inputs in the same order are equal row for row, whatever the
back end and however often an ingest was interrupted.

Full-text search lives outside this metadata because it is back-end specific: an FTS5
table ``statements_fts`` on SQLite, a generated ``tsvector`` column ``content_tsv`` with
a GIN index on PostgreSQL (both made by the migrations).
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

articles = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),   # ingest order, 1, 2, …
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),  # sha256 of text
    sa.Column("url", sa.String),
    sa.Column("title", sa.String),
    sa.Column("published", sa.String),   # as given (ISO date when known)
    sa.Column("byline", sa.String),
    sa.Column("source", sa.String),      # the outlet: publisher, site name, feed title, host
    sa.Column("language", sa.String, nullable=False, server_default="en"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("n_statements", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.String),     # why no statements by design (a language not read)
)

speakers = sa.Table(
    "speakers", metadata,
    sa.Column("id", sa.String, primary_key=True),        # canonical person / organisation id
    sa.Column("name", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),         # person | organization | place
    sa.Column("first", sa.String),                        # lower-case given name (persons)
    sa.Column("surname", sa.String, index=True),          # lower-case surname (persons)
    sa.Column("aliases", sa.JSON, nullable=False),        # names seen for this speaker
    sa.Column("descriptors", sa.JSON, nullable=False),    # roles as written, first seen first
    sa.Column("organization", sa.String),
    sa.Column("country", sa.String),
    sa.Column("wikidata", sa.String),                     # 'Q42', from the user's registry
    sa.Column("registered", sa.Boolean, nullable=False, server_default=sa.false()),  # imported
)

# Every speaker id a pipeline produced (a slug of the name an article gave) → the canonical
# speaker it stands for. Canonical ids map to themselves.
speaker_aliases = sa.Table(
    "speaker_aliases", metadata,
    sa.Column("alias", sa.String, primary_key=True),
    sa.Column("speaker_id", sa.String, nullable=False, index=True),
)

# Manual corrections, in the order given; re-applied to every later ingest.
# merge: ``alias`` is the same person as ``target``; split: ``alias`` is not ``target``.
speaker_overrides = sa.Table(
    "speaker_overrides", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("alias", sa.String, nullable=False),
    sa.Column("target", sa.String, nullable=False),
)

statements = sa.Table(
    "statements", metadata,
    sa.Column("id", sa.String, primary_key=True),          # "<article id>#<statement id>"
    sa.Column("article_id", sa.String, sa.ForeignKey("articles.id"), nullable=False, index=True),
    sa.Column("local_id", sa.String, nullable=False),       # "s3": the id inside the article
    sa.Column("position", sa.Integer, nullable=False),      # its index in the article's list
    sa.Column("kind", sa.String, nullable=False, index=True),
    sa.Column("cue", sa.JSON, nullable=False),              # {"text", "spans"} as in the schema
    sa.Column("source", sa.JSON),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("content_text", sa.Text, nullable=False),     # what full-text search indexes
    sa.Column("content_key", sa.String(40), index=True),    # near-duplicate keys (normalised)
    sa.Column("head_key", sa.String(40), index=True),
    sa.Column("tail_key", sa.String(40), index=True),
    sa.Column("speaker_id", sa.String, index=True),         # canonical speaker (speakers.id)
    sa.Column("speaker_raw_id", sa.String),                 # the id the article's pipeline gave
    sa.Column("speaker", sa.JSON),                          # the article's speaker record
    sa.Column("speaker_org", sa.String),
    sa.Column("date", sa.String),
    sa.Column("said_on", sa.String(10), index=True),        # date if complete, else published
    sa.Column("place", sa.String),
    sa.Column("event", sa.String),
    sa.Column("channel", sa.String),
    sa.Column("responds_to", sa.JSON, nullable=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("type", sa.String, nullable=False, index=True, server_default="speech"),
    sa.Column("trusted", sa.Boolean, nullable=False, index=True, server_default=sa.true()),  # sayso.trust
)

# Every article that reports a statement, with the statement record as that article gives
# it (its own spans): the primary article plus the outlets whose near-identical report was
# folded into the same statement.
statement_articles = sa.Table(
    "statement_articles", metadata,
    sa.Column("article_id", sa.String, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("local_id", sa.String, primary_key=True),
    sa.Column("statement_id", sa.String, sa.ForeignKey("statements.id"), nullable=False, index=True),
    sa.Column("record", sa.JSON, nullable=False),
)

TABLES = (articles, speakers, speaker_aliases, speaker_overrides, statements, statement_articles)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's autogenerate: the back-end specific full-text objects are made by the
    migrations by hand and are not part of this metadata."""
    if type_ == "table" and name and name.startswith("statements_fts"):
        return False
    return name not in ("content_tsv", "ix_statements_content_tsv")
