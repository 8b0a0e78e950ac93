"""The span index answers as a scan of every span would, in any order of insertion."""
from __future__ import annotations

import random

from sayso.extract.spans import SpanIndex, index_parts


def _scan(parts, query):
    return sorted(k for k, spans in enumerate(parts)
                  if any(s1 < e2 and s2 < e1 for s1, e1 in spans for s2, e2 in query))


def test_overlapping_matches_a_full_scan():
    rng = random.Random(7)
    parts = []
    for _ in range(300):
        s = rng.randrange(0, 5000)
        parts.append([(s, s + rng.randrange(1, 400))] + ([(s + 500, s + 520)] if rng.random() < 0.2 else []))
    index = index_parts(parts)
    for _ in range(300):
        s = rng.randrange(0, 5500)
        query = [(s, s + rng.randrange(1, 60))]
        assert index.overlapping(query) == _scan(parts, query)


def test_touching_spans_do_not_overlap_and_added_spans_are_found():
    index = SpanIndex([(0, (10, 20))])
    assert index.overlapping([(20, 25)]) == [] and index.overlapping([(5, 10)]) == []
    index.add(1, [(100, 900)])
    assert index.overlapping([(899, 901)]) == [1]
    assert index.any_overlap([(15, 16)])
