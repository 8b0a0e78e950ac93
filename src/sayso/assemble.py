"""A parsed document and its statements made into the Article record: speakers and context
resolved (``resolve``), type and calibrated confidence assessed (``assess``). The ``sayso``
spaCy component calls it, so that ``nlp.add_pipe("sayso")`` gives the same records as
``pipeline.analyse``; a document in a language sayso does not read gets none.
"""
from __future__ import annotations

from typing import Sequence

from spacy.tokens import Doc

from sayso import language
from sayso.assess import assess_article
from sayso.records import Article, Document, Statement, content_id
from sayso.resolve import resolve_article


def article(doc: Doc, statements: Sequence[Statement], document: Document, code: str) -> Article:
    return assess_article(doc, resolve_article(doc, tuple(statements), Article(
        id=document.id or content_id(document.text),
        title=document.title,
        published=document.published,
        url=document.url,
        language=code,
    )))


def unread(document: Document, code: str | None) -> Article:
    """An article in a language sayso does not read: kept (with its language and the reason)
    so that a crawl's archive shows it was seen, but with no statements, because English rules
    on it find pronouns and capitalised nouns as speakers."""
    return Article(
        id=document.id or content_id(document.text), title=document.title,
        published=document.published, url=document.url, language=code,
        skipped=language.skip_reason(code),
    )
