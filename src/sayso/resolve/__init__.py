"""Statements → speakers and context (who exactly, when, where, through what).

``resolve_article`` is what the pipeline calls with the parsed document: structure
(title, lead, headings, byline) first, then speakers (names, pronouns, titles), then
context (date, place, event, channel, responds_to), each a module with one job.
"""
from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from sayso.records import Article, Statement
from sayso.resolve.context import fill_context
from sayso.resolve.rules import load_rules
from sayso.resolve.speakers import resolve_speakers
from sayso.resolve.structure import byline_name, find_structure


def resolve_article(doc: Doc, statements: tuple[Statement, ...], article: Article) -> Article:
    """Fill speakers, context and article structure; spans and content stay as extracted."""
    rules = load_rules()
    structure = find_structure(doc, article.title, rules)
    statements, coref = resolve_speakers(doc, tuple(statements), structure, rules)
    statements = fill_context(doc, statements, structure, coref, article.published, rules)
    title = article.title or (structure.title.text if structure.title else None)
    byline = article.byline or (byline_name(structure.byline.text, rules) if structure.byline else None)
    headings, lead = structure.parts()
    return replace(article, statements=statements, title=title, byline=byline, headings=headings, lead=lead)
