"""The one entry point for a document: parse → extract → resolve → Article.

The CLI, the archive and the web app call only this module, so every front end returns
exactly the same records for the same text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from sayso import nlp as nlp_mod
from sayso.records import Article, content_id
from sayso.resolve import resolve_article


@dataclass(frozen=True)
class Document:
    """Text as read from disk, with whatever metadata the reader found."""

    text: str
    id: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None


def _article(doc: Doc, document: Document) -> Article:
    statements = tuple(doc._.statements or ())
    return resolve_article(doc, statements, Article(
        id=document.id or content_id(document.text),
        title=document.title,
        published=document.published,
        url=document.url,
    ))


def analyse(document: Document | str, nlp: Language | None = None) -> Article:
    if isinstance(document, str):
        document = Document(document)
    nlp = nlp or nlp_mod.load()
    return _article(nlp(document.text), document)


def analyse_many(
    documents: Iterable[Document], nlp: Language | None = None, batch_size: int = 16
) -> Iterator[Article]:
    """Streams articles in input order; spaCy batches the parsing."""
    nlp = nlp or nlp_mod.load()
    docs = iter(documents)
    pairs = ((d.text, d) for d in docs)
    for doc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield _article(doc, document)
