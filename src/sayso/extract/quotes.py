"""Pairing quotation marks into quotations, across sentences and paragraphs.

The parser sees sentences; quotations do not respect them. So quotes are found on the
raw text first, and the rules then ask "which quotation is this token in?". Pairing is
forgiving by design: a stray or unbalanced mark is dropped, never an exception, and a
paragraph that opens a quote without closing it continues into the next paragraph when
that one opens with a quote mark too (the newspaper convention for long quotes).
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from sayso.records import Span

# Marks that can only open / only close. "“" opens in English but closes after „ (German).
# A straight mark closes a curly opener too: scraped and wire text mixes them ("“a disaster,"").
_OPEN = {"\u201c": "\u201d\"", "\u00ab": "\u00bb", "\u201e": "\u201c\u201d\"", "\u00bb": "\u00ab",
         "\u2039": "\u203a", "\u201f": "\u201d\""}
_SINGLE_OPEN = "\u2018"
_SINGLE_CLOSE = "\u2019"
_PARA = re.compile(r"\n")
_SINGLE_MARK = re.compile("['\u2018\u2019]")
MAX_SINGLE_QUOTE = 300  # single-quoted stretches longer than this are apostrophes gone wrong
DOUBLE_MARKS = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02\u2039\u203a')
ALL_MARKS = DOUBLE_MARKS | frozenset("'\u2018\u2019")


@dataclass(frozen=True)
class Quote:
    """A quotation: one segment per paragraph it runs over; each segment keeps its marks."""

    segments: tuple[Span, ...]

    @property
    def start(self) -> int:
        return self.segments[0][0]

    @property
    def end(self) -> int:
        return self.segments[-1][1]


def _paragraphs(text: str) -> list[Span]:
    spans, pos = [], 0
    for m in _PARA.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _opens(text: str, i: int, j: int | None = None) -> bool:
    """A straight mark opens when it stands before a word, not after one."""
    j = i + 1 if j is None else j
    before = text[i - 1] if i > 0 else " "
    after = text[j] if j < len(text) else " "
    if before.isspace() or before in "([{\u2014\u2013-/:;" or i == 0:
        return not after.isspace()
    return False


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    return not before.isspace()


_MARK = re.compile("''|[\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02\u2039\u203a]")
_AMBIGUOUS = {'"', "\u2033", "\uff02", "''"}


def _pair_in_paragraph(text: str, start: int, end: int) -> tuple[list[Span], int | None]:
    """Double-quote pairs inside one paragraph, and the position of a mark left open.

    Two apostrophes (``''``) count as a double mark: some wire and archive formats write
    quotations that way.
    """
    pairs: list[Span] = []
    open_at: int | None = None
    want: tuple[str, ...] = ()
    for m in _MARK.finditer(text, start, end):
        i, mark = m.start(), m.group()
        j = m.end()
        if open_at is None:
            if mark in _OPEN and mark != "\u00bb":
                open_at, want = i, tuple(_OPEN[mark])
            elif mark in _AMBIGUOUS and _opens(text, i, j):
                open_at, want = i, (mark, "\u201d") if mark != "''" else ("''",)
            elif mark == "\u00bb" and j < end and not text[j].isspace():
                open_at, want = i, ("\u00ab",)
        else:
            if mark in want and (mark not in _AMBIGUOUS or _closes(text, i)):
                pairs.append((open_at, j))
                open_at = None
            elif mark in _AMBIGUOUS and mark not in want and _opens(text, i, j):
                open_at, want = i, (mark, "\u201d") if mark != "''" else ("''",)  # earlier mark was stray
    return pairs, open_at


def _single_pairs(text: str, start: int, end: int, taken: list[Span]) -> list[Span]:
    """‘Single-quoted’ stretches outside double quotes, told apart from apostrophes. Only
    the single marks are visited (a scan of every character was 3% of the fast tier's
    time); passing through a double quote forgets a single one left open before it."""
    pairs: list[Span] = []
    open_at: int | None = None
    taken = sorted(taken)
    k = 0  # the first double quote not yet behind i: one pass over them
    for m in _SINGLE_MARK.finditer(text, start, end):
        i = m.start()
        while k < len(taken) and taken[k][1] <= i:
            k += 1
            open_at = None  # that double quote lay between the last mark and this one
        if k < len(taken) and taken[k][0] <= i:
            open_at = None
            continue
        ch = text[i]
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if ch == "'" and (before == "'" or after == "'"):
            continue
        if open_at is None:
            if ch in (_SINGLE_OPEN, "'") and not before.isalnum() and after.isalnum():
                open_at = i
        elif ch in (_SINGLE_CLOSE, "'") and not before.isspace() and not after.isalnum():
            if i - open_at <= MAX_SINGLE_QUOTE and " " in text[open_at:i]:
                pairs.append((open_at, i + 1))
            open_at = None
    return pairs


def find_quotes(text: str) -> list[Quote]:
    """All quotations of a text, in order, none overlapping. The rule tier and the fast
    tier's features both ask for one document's: the last few texts' are kept."""
    return list(_quotes_of(text))


@functools.lru_cache(maxsize=8)
def _quotes_of(text: str) -> tuple[Quote, ...]:
    quotes: list[Quote] = []
    pending: list[Span] = []  # segments of a quote still running across paragraphs
    for p_start, p_end in _paragraphs(text):
        lead = p_start
        while lead < p_end and text[lead].isspace():
            lead += 1
        if pending and not (lead < p_end and opens_double(text, lead)):
            pending = []  # the open quote was never continued: an odd mark, not a quote
        pairs, open_at = _pair_in_paragraph(text, p_start, p_end)
        if pending and pairs and pairs[0][0] == lead:
            quotes.append(Quote(tuple(pending) + (pairs[0],)))
            pairs = pairs[1:]
            pending = []
        elif pending and open_at == lead and not pairs:
            pending.append((lead, _rstrip(text, p_end)))
            continue
        elif pending:
            pending = []
        quotes.extend(Quote((p,)) for p in pairs)
        quotes.extend(Quote((p,)) for p in _single_pairs(text, p_start, p_end, pairs))
        if open_at is not None:
            pending = [(open_at, _rstrip(text, p_end))]
    quotes.sort(key=lambda q: q.start)
    return tuple(quotes)


def opens_double(text: str, pos: int) -> bool:
    """Whether a double quotation mark (or its two-apostrophe spelling) stands at ``pos``."""
    return pos < len(text) and (text[pos] in DOUBLE_MARKS or text.startswith("''", pos))


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


class QuoteIndex:
    """Answers "which quotation covers this offset?" in logarithmic time."""

    def __init__(self, quotes: list[Quote]):
        self.quotes = quotes
        self._segments = sorted((s, e, qi) for qi, q in enumerate(quotes) for s, e in q.segments)
        self._starts = [s for s, _, _ in self._segments]

    def at(self, offset: int) -> Quote | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0:
            s, e, qi = self._segments[i]
            if s <= offset < e:
                return self.quotes[qi]
        return None

    def starting_at(self, offset: int) -> Quote | None:
        q = self.at(offset)
        return q if q is not None and q.start == offset else None

    def ending_at(self, offset: int) -> Quote | None:
        q = self.at(offset - 1) if offset > 0 else None
        return q if q is not None and q.end == offset else None
