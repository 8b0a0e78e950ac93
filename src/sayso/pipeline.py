"""The one entry point for a document: parse → extract → resolve → Article.

The CLI, the archive and the web app call only this module, so every front end returns
exactly the same records for the same text.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from sayso import chunks, doctext, language
from sayso import nlp as nlp_mod
from sayso.assemble import unread
from sayso.budget import Budget
from sayso.records import Article, Document, content_id
from sayso.settings import Settings

STEP_CHARS = 20_000  # longer documents are analysed alone, step by step (see analyse_many)


class DocumentError(RuntimeError):
    """One document could not be analysed; a batch reports it and goes on."""

    def __init__(self, document: Document, cause: BaseException):
        name = document.id or document.url or "document"
        super().__init__(f"{name}: analysis failed ({type(cause).__name__}: {cause})")
        self.document = document
        self.cause = cause


def _article(doc: Doc, document: Document, code: str) -> Article:
    """The article the ``sayso`` component made for this doc (``doc._.article``)."""
    if not language.is_read(code):
        return unread(document, code)
    if doc._.sayso_error:
        raise RuntimeError(doc._.sayso_error)
    return doc._.article


def _doc(nlp: Language, document: Document, code: str | None, text: str | None = None) -> Doc:
    """The doc the pipeline runs on, carrying its document and language for the ``sayso``
    component (metadata such as the publication date anchors the statements' dates)."""
    text = document.text if text is None else text
    doc = doctext.remember(nlp.make_doc(text), text)
    doc._.sayso_document = (document, code)
    return doc


def _language(document: Document) -> tuple[str | None, str | None]:
    """The document's language, or why it could not be told (a failure of the detector on one
    document is that document's error, not the batch's)."""
    try:
        return language.detect(document.text), None
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop a batch
        return None, f"language detection failed ({type(exc).__name__}: {exc})"


def _pieces(document: Document, limit: int) -> list[tuple[Document, int]]:
    """The document itself, or paragraph-aligned pieces of it with their offsets when it is
    over the size limit (see ``chunks``)."""
    if len(document.text) <= limit:
        return [(document, 0)]
    return [(replace(document, text=document.text[s:e]), s) for s, e in chunks.pieces(document.text, limit)]


def _not_unicode(text: str) -> str | None:
    """Why a text cannot be analysed as Unicode (an unpaired surrogate, which JSON escapes
    such as ``"\\ud800"`` can carry), else None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"not valid Unicode text: unpaired surrogate at offset {exc.start}"
    return None


def _merge(document: Document, parts: list[tuple[Article, int]]) -> Article:
    statements: list = []
    for art, offset in parts:
        statements += chunks.shift(list(art.statements), offset, first_number=len(statements) + 1)
    first = parts[0][0]
    return replace(first, id=document.id or content_id(document.text), statements=tuple(statements))


def analyse(document: Document | str, nlp: Language | None = None, *,
            budget: Budget | None = None, settings: Settings | None = None) -> Article:
    if isinstance(document, str):
        document = Document(document)
    return next(analyse_many([document], nlp, budget=budget, settings=settings))


def analyse_many(
    documents: Iterable[Document],
    nlp: Language | None = None,
    batch_size: int = 16,
    on_error: Callable[[DocumentError], None] | None = None,
    *,
    budget: Budget | None = None,
    settings: Settings | None = None,
) -> Iterator[Article]:
    """Streams articles in input order. A document that fails is passed to ``on_error`` (and
    skipped) when given, else raised as ``DocumentError``. Articles of ordinary length are
    parsed in spaCy batches; a document over ``STEP_CHARS`` is analysed alone, one component
    and one piece at a time (pieces of at most ``settings.max_chars``), so that its memory is
    one piece's and its ``budget`` (default: ``DEFAULT_TIME_LIMIT`` seconds per document) is
    checked between steps. A document in a language sayso does not read
    (``sayso.language``) comes back unanalysed: its language, no statements, and the reason
    in ``skipped``. ``settings`` (default ``Settings()``) names the pipeline loaded when no
    ``nlp`` is given and the size of the pieces."""
    settings = settings or Settings()
    nlp = nlp or nlp_mod.load(settings=settings)
    limit = settings.max_chars
    budget = budget or Budget()
    step = min(STEP_CHARS, limit)
    for long, run in itertools.groupby(documents, key=lambda d: len(d.text) > step):
        if not long:
            yield from _batched(run, nlp, batch_size, on_error, budget)
            continue
        for document in run:
            try:
                yield _stepwise(document, nlp, limit, budget)
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop a batch
                _failed(document, exc, on_error)


def _failed(document: Document, exc: Exception, on_error: Callable[[DocumentError], None] | None) -> None:
    err = DocumentError(document, exc)
    if on_error is None:
        raise err from exc
    on_error(err)


def _checked(document: Document) -> tuple[str | None, str | None]:
    """The document's language, or why it must not reach spaCy (which would fail the whole
    batch on text that is not Unicode)."""
    bad = _not_unicode(document.text)
    if bad:
        return None, bad
    return _language(document)


def _stepwise(document: Document, nlp: Language, limit: int, budget: Budget) -> Article:
    """One long document, piece by piece and component by component, within its budget."""
    budget.restart()
    code, bad = _checked(document)
    if bad:
        raise ValueError(bad)
    if not language.is_read(code):
        return unread(document, code)
    parts: list[tuple[Article, int]] = []
    for piece, offset in _pieces(document, limit):
        doc = _doc(nlp, piece, code)
        for _name, component in nlp.pipeline:
            budget.check()
            doc = component(doc)
        budget.check()
        parts.append((_article(doc, piece, code), offset))
    return _joined(document, parts)


def _joined(document: Document, parts: list[tuple[Article, int]]) -> Article:
    return parts[0][0] if len(parts) == 1 and parts[0][1] == 0 else _merge(document, parts)


def _batched(documents: Iterable[Document], nlp: Language, batch_size: int,
             on_error: Callable[[DocumentError], None] | None, budget: Budget) -> Iterator[Article]:
    """Articles of ordinary length through ``nlp.pipe``; only a cancel is checked (each one
    takes a few seconds at most)."""
    def texts():
        for d in documents:
            code, bad = _checked(d)
            if bad or not language.is_read(code):  # spaCy sees an empty text, never this one
                yield _doc(nlp, d, code, ""), (d, code, bad)
            else:
                yield _doc(nlp, d, code), (d, code, None)

    for doc, (document, code, bad) in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size):
        try:
            if bad:
                raise ValueError(bad)
            budget.check_cancel()
            yield _article(doc, document, code)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop a batch
            _failed(document, exc, on_error)
