"""The last analysis step: what each statement is and how far to trust it.

After extraction and resolution, each statement gets its attribution ``type``
(``assess.types``), the ``unattributed`` flag when neither a source nor a speaker was
found, and a calibrated ``confidence`` (``assess.calibration``) in place of the tier's own
score. What the trusted view keeps is decided from these, in ``sayso.trust``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from spacy.tokens import Doc

from sayso.doctext import text_of
from sayso.assess.calibration import Calibrator, load_calibrator, page_signals, signals
from sayso.assess.types import attribution_type
from sayso.extract import rules as _rules  # noqa: F401 - registers doc._.rule_statements
from sayso.extract.spans import index_parts
from sayso.records import Article, Statement
from sayso.trust import UNATTRIBUTED


def typed(doc: Doc, statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """Type and the ``unattributed`` flag: what the calibration reads besides the tier."""
    out = []
    for st in statements:
        flags = st.flags
        if st.source is None and st.speaker is None and UNATTRIBUTED not in flags:
            flags = (*flags, UNATTRIBUTED)
        out.append(st.with_(type=attribution_type(doc, st), flags=flags))
    return tuple(out)


def statement_signals(doc: Doc, statements: Sequence[Statement],
                      calibrator: Calibrator | None = None) -> list[list[float]]:
    """The calibration's input rows for typed statements (also what fitting reads)."""
    calibrator = calibrator or load_calibrator()
    text = text_of(doc)
    page = page_signals(statements, len(text))
    rules = doc._.rule_statements or ()
    cues = index_parts(cue for cue, _ in rules)
    rows = []
    for st in statements:
        hits = cues.overlapping(st.cue.spans)
        rows.append(signals(doc, text, st, rules[hits[0]][1] if hits else None, calibrator, page))
    return rows


def assess(doc: Doc, statements: Sequence[Statement]) -> tuple[Statement, ...]:
    statements = typed(doc, statements)
    calibrator = load_calibrator()
    rows = statement_signals(doc, statements, calibrator)
    return tuple(st.with_(confidence=calibrator.probability(x)) for st, x in zip(statements, rows))


def assess_article(doc: Doc, article: Article) -> Article:
    return replace(article, statements=assess(doc, article.statements))
