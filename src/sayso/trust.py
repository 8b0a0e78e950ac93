"""The trusted view: the one definition of which statements sayso shows by default.

A fact-checker judges the archive by its worst lines, so pages, digests, speaker counts and
search show only statements someone asserted (speech, writing) or gave as their view
(thought), with a speaker or a source, at a calibrated confidence of at least
``THRESHOLD``. Everything else stays in the full output (``sayso extract`` without
``--trusted``, ``--all``, ``?all=1``) for research use. How the threshold was chosen, and
what it gives on PolNeAR dev and on the real-news pages: ``docs/trust.md``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from sayso.records import Article, Statement

TRUSTED_TYPES = ("speech", "writing", "thought")
# The calibrated probability a statement must reach: the lowest threshold at which the
# trusted view's detection precision on PolNeAR dev, out of fold, is at least 90
# (bench/calibration.py; figures in docs/trust.md).
THRESHOLD = 0.57
UNATTRIBUTED = "unattributed"


def is_trusted(statement: Statement, threshold: float = THRESHOLD) -> bool:
    return (statement.type in TRUSTED_TYPES and UNATTRIBUTED not in statement.flags
            and statement.confidence >= threshold)


def trusted_statements(statements: Iterable[Statement], threshold: float = THRESHOLD) -> tuple[Statement, ...]:
    return tuple(s for s in statements if is_trusted(s, threshold))


def trusted_article(article: Article, threshold: float = THRESHOLD) -> Article:
    """The article with only its trusted statements; a statement another one responds to
    may be left out, so ``responds_to`` keeps only ids still present."""
    kept = trusted_statements(article.statements, threshold)
    ids = {s.id for s in kept}
    kept = tuple(s.with_(responds_to=tuple(r for r in s.responds_to if r in ids)) for s in kept)
    return replace(article, statements=kept)
