"""Statements built straight from spans, so resolver tests do not depend on extraction."""
from __future__ import annotations

from spacy.tokens import Doc

from sayso.records import Article, Part, Speaker, Statement
from sayso.resolve import resolve_article


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def statement(text: str, sid: str, source: str | None, cue: str, content: str,
              flags: tuple[str, ...] = (), src_nth: int = 0, cue_nth: int = 0) -> Statement:
    """Source, cue and content given as text, each its first (or ``*_nth``) occurrence."""
    src = Part.from_spans(text, [find(text, source, src_nth)]) if source else None
    return Statement(id=sid, kind="indirect", cue=Part.from_spans(text, [find(text, cue, cue_nth)]),
                     content=Part.from_spans(text, [find(text, content)]), source=src, flags=flags)


def parsed(nlp, text: str) -> Doc:
    """The doc spaCy makes of ``text``, without sayso's own component: a test may then set
    the entities or tags the small model gets wrong in real articles."""
    with nlp.select_pipes(disable=["sayso"]):
        return nlp(text)


def speaker_of(doc: Doc, st: Statement) -> Speaker | None:
    return resolve_article(doc, (st,), Article(id="t")).statements[0].speaker


def resolve(nlp, text: str, statements, published: str | None = None) -> Article:
    return resolve_article(parsed(nlp, text), tuple(statements), Article(id="t", published=published))
