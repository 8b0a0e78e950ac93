"""The statement archive: SQLAlchemy Core tables, Alembic migrations, ingest, search, export.

``open_engine(db)`` opens (creating and migrating on first use) the archive named by an
SQLAlchemy URL or a file path (SQLite); ``$SAYSO_DB`` when ``db`` is None, else
``sayso.db`` in the working directory. :class:`Writer` stores analysed articles, one
transaction each; :func:`search` answers queries; :func:`export` writes everything out.
"""
from __future__ import annotations

from sayso.store.db import DB_ENV, DEFAULT_DB, StoreError, database_url, open_engine
from sayso.store.export import FORMATS, export
from sayso.store.ingest import Writer, Written, content_hash
from sayso.store.search import Query, QueryError, record, search
from sayso.store.speakers import SpeakerError, merge, split

__all__ = [
    "DB_ENV", "DEFAULT_DB", "FORMATS", "Query", "QueryError", "SpeakerError", "StoreError",
    "Writer", "Written", "content_hash", "database_url", "export", "merge", "open_engine",
    "record", "search", "split",
]
