"""Very long documents, analysed in paragraph-aligned pieces.

A crawl sometimes hands over a whole forum thread or a concatenated feed as one
"article". Parsing a megabyte in one spaCy call costs memory and time that grow with it,
so documents over a size limit are cut at paragraph breaks into pieces under the limit,
each piece is analysed on its own, and the statements are put back with their offsets
shifted to the original text. Nothing spans two pieces: a cut only falls on a line break.
"""
from __future__ import annotations

from dataclasses import replace

from sayso.records import Part, Statement
from sayso.settings import DEFAULT_MAX_CHARS, MAX_CHARS_ENV  # noqa: F401 - the piece size: Settings.max_chars


def pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``[start, end)`` stretches covering ``text``, each at most ``limit`` long, cut after a
    newline where one exists (paragraph break preferred), else at the last space."""
    out: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while n - start > limit:
        window_end = start + limit
        cut = text.rfind("\n\n", start, window_end)
        cut = cut + 2 if cut > start else -1
        if cut < 0:
            nl = text.rfind("\n", start, window_end)
            cut = nl + 1 if nl > start else -1
        if cut < 0:
            sp = text.rfind(" ", start, window_end)
            cut = sp + 1 if sp > start else window_end
        out.append((start, cut))
        start = cut
    out.append((start, n))
    return out


def _shift_part(part: Part | None, offset: int) -> Part | None:
    if part is None:
        return None
    return Part(part.text, tuple((s + offset, e + offset) for s, e in part.spans))


def shift(statements: list[Statement], offset: int, first_number: int) -> list[Statement]:
    """Statements of one piece, moved to the whole text's offsets and renumbered after the
    pieces before it (``responds_to`` follows the renumbering)."""
    renumber = {s.id: f"s{first_number + i}" for i, s in enumerate(statements)}
    return [
        replace(
            s,
            id=renumber[s.id],
            cue=_shift_part(s.cue, offset),
            source=_shift_part(s.source, offset),
            content=_shift_part(s.content, offset),
            responds_to=tuple(renumber.get(r, r) for r in s.responds_to),
        )
        for s in statements
    ]
