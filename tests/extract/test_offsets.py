"""Offsets are sacred: every part's text is exactly its slices of the input, whatever the input."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import SHARED

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.txt"))
SEED = SHARED / "data" / "seed" / "000_fad6e7535a46780a.txt"


def assert_offsets_valid(text: str, statements) -> None:
    for s in statements:
        parts = [s.cue, s.content] + ([s.source] if s.source else [])
        for part in parts:
            for a, b in part.spans:
                assert 0 <= a < b <= len(text)
            assert part.text == " ".join(text[a:b] for a, b in part.spans)
        assert s.cue.spans, "every statement has a cue"
        assert s.content.spans or "truncated" in s.flags


@pytest.mark.parametrize("path", EXAMPLES + ([SEED] if SEED.exists() else []), ids=lambda p: p.name)
def test_offsets_on_real_articles(extract, path):
    text = path.read_text("utf-8")
    found = extract(text)
    assert found, f"{path.name}: an article full of statements yields some"
    assert_offsets_valid(text, found)


MARKS = ['"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e", "''", "\u2014", ":"]
WORDS = ["he", "said", "that", "the", "minister", "Anna", "Berg", "told", "reporters", "according", "to",
         "we", "will", "win", ",", ".", "\n", "\n\n", "believes", "called", "for", "on", "in", "her", "opinion"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(MARKS + WORDS), min_size=0, max_size=60))
def test_random_text_with_random_quote_marks_never_breaks_offsets(extract, pieces):
    text = " ".join(pieces)
    assert_offsets_valid(text, extract(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_arbitrary_unicode_never_crashes(extract, text):
    assert_offsets_valid(text, extract(text))


def test_overlapping_spans_of_one_part_are_one_span():
    from sayso.records import Part

    text = '"We will rebuild it," she said, "by spring."'
    part = Part.from_spans(text, [(32, 44), (0, 20), (33, 44)])
    assert part.spans == ((0, 20), (32, 44))
    assert part.text == text[0:20] + " " + text[32:44]
