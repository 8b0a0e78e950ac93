"""Character spans: whether two sets overlap, hold one another or are the same content, and
which stored spans overlap a query span without scanning them all.

The fast tier matches its statements against the rule tier's (same cue, same content,
already taken) many times per document; a scan of every statement for each made the work
grow with the square of a document's length. Spans are kept sorted by start, and a query
looks back only as far as the longest stored span reaches.
"""
from __future__ import annotations

import bisect
from typing import Iterable

Span = tuple[int, int]


def overlaps(a: Iterable[Span], b: Iterable[Span]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def inside(span: Span, spans: Iterable[Span]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def same_content(a: Iterable[Span], b: Iterable[Span], min_jaccard: float = 0.5) -> bool:
    """Two contents are the same content: their characters overlap by Jaccard >= 0.5."""
    ca = {i for s, e in a for i in range(s, e)}
    cb = {i for s, e in b for i in range(s, e)}
    return bool(ca) and len(ca & cb) >= min_jaccard * len(ca | cb)


class SpanIndex:
    def __init__(self, spans: Iterable[tuple[int, Span]] = ()):
        self._starts: list[int] = []
        self._items: list[tuple[int, int, int]] = []  # (start, end, key), sorted by start
        self._longest = 0
        for key, span in spans:
            self.add(key, [span])

    def add(self, key: int, spans: Iterable[Span]) -> None:
        for s, e in spans:
            i = bisect.bisect_right(self._starts, s)
            self._starts.insert(i, s)
            self._items.insert(i, (s, e, key))
            self._longest = max(self._longest, e - s)

    def overlapping(self, spans: Iterable[Span]) -> list[int]:
        """The keys of stored spans that overlap any of ``spans``, smallest first."""
        found: set[int] = set()
        for s, e in spans:
            j = bisect.bisect_left(self._starts, e) - 1
            while j >= 0 and self._items[j][0] >= s - self._longest:
                if self._items[j][1] > s:
                    found.add(self._items[j][2])
                j -= 1
        return sorted(found)

    def any_overlap(self, spans: Iterable[Span]) -> bool:
        return bool(self.overlapping(spans))


def index_parts(parts: Iterable[Iterable[Span]]) -> SpanIndex:
    """An index of each item's spans under the item's position."""
    index = SpanIndex()
    for k, spans in enumerate(parts):
        index.add(k, spans)
    return index
