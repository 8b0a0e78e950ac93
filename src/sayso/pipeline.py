"""The one entry point for a document: parse → extract → resolve → Article.

The CLI, the archive and the web app call only this module, so every front end returns
exactly the same records for the same text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

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
    source: str | None = None  # the outlet (publisher, site, feed), kept by the archive


class DocumentError(RuntimeError):
    """One document could not be analysed; a batch reports it and goes on."""

    def __init__(self, document: Document, cause: BaseException):
        name = document.id or document.url or "document"
        super().__init__(f"{name}: analysis failed ({type(cause).__name__}: {cause})")
        self.document = document
        self.cause = cause


def _article(doc: Doc, document: Document) -> Article:
    if doc._.sayso_error:
        raise RuntimeError(doc._.sayso_error)
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
    try:
        return _article(nlp(document.text), document)
    except Exception as exc:  # noqa: BLE001 - one bad document must not read as a crash
        raise DocumentError(document, exc) from exc


def analyse_many(
    documents: Iterable[Document],
    nlp: Language | None = None,
    batch_size: int = 16,
    on_error: Callable[[DocumentError], None] | None = None,
) -> Iterator[Article]:
    """Streams articles in input order; spaCy batches the parsing. A document that fails is
    passed to ``on_error`` (and skipped) when given, else raised as ``DocumentError``."""
    nlp = nlp or nlp_mod.load()
    pairs = ((d.text, d) for d in documents)
    for doc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        try:
            yield _article(doc, document)
        except Exception as exc:  # noqa: BLE001
            err = DocumentError(document, exc)
            if on_error is None:
                raise err from exc
            on_error(err)
