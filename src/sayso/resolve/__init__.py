"""Statements → speakers and context (who exactly, when, where, through what)."""
from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from sayso.records import Article, Statement


def resolve_article(doc: Doc, statements: tuple[Statement, ...], article: Article) -> Article:
    """Fill speakers and context; for now the statements pass through unchanged."""
    return replace(article, statements=statements)
