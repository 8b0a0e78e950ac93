"""An archive's stored articles as documents again, so that a newer sayso can analyse them.

The archive keeps each article's text exactly as it was analysed (for a web page, what the
HTML reader made of it), with its id, title, date, URL and outlet; that is all a document
is, so the source files are not needed. Articles come in ingest order, because speakers
are merged across articles in that order.
"""
from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sayso.records import Document
from sayso.store.schema import articles

FETCH = 200  # rows held at a time while reading


def read_archive(engine: Engine) -> Iterator[Document]:
    cols = articles.c
    query = sa.select(cols.id, cols.text, cols.title, cols.published, cols.url, cols.source).order_by(cols.seq)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=FETCH).execute(query):
            yield Document(text=row.text, id=row.id, title=row.title, published=row.published,
                           url=row.url, source=row.source)
