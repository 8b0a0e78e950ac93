"""Quotation pairing on raw text: styles, paragraphs, and marks that are not quotes."""
from __future__ import annotations

import pytest

from sayso.extract.quotes import find_quotes


def quoted(text: str) -> list[str]:
    return [" ".join(text[s:e] for s, e in q.segments) for q in find_quotes(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('He said "we will win" today.', ['"we will win"']),
        ("He said \u201cwe will win\u201d today.", ["\u201cwe will win\u201d"]),
        ("Er sagte \u201ewir gewinnen\u201c heute.", ["\u201ewir gewinnen\u201c"]),
        ("Il a dit \u00ab nous gagnerons \u00bb hier.", ["\u00ab nous gagnerons \u00bb"]),
        ("She called it \u2018a disaster for us\u2019 on Monday.", ["\u2018a disaster for us\u2019"]),
        ("''We are uniting,'' said Mr. Baker.", ["''We are uniting,''"]),
        # scraped text mixes curly openers with straight closers
        ('He called it \u201ca disaster," and left.', ['\u201ca disaster,"']),
        # apostrophes are not quotes
        ("Trump's team didn't say it; the Clintons' house was quiet.", []),
        # unbalanced marks never pair across the text
        ('He said "we will win. Then nothing.', []),
    ],
)
def test_quote_styles(text, expected):
    assert quoted(text) == expected


def test_quote_runs_over_paragraphs_when_the_next_one_reopens():
    text = '"First paragraph of the quote.\n"Second paragraph," she said.'
    (q,) = find_quotes(text)
    assert [text[s:e] for s, e in q.segments] == ['"First paragraph of the quote.', '"Second paragraph,"']


def test_quote_opened_inside_a_paragraph_runs_into_the_next_when_it_reopens():
    text = ("Asked about prices, she said, \u201cNo, no. We do what we can.\n\n"
            "\u201cThe rest is up to the market.\u201d\n\nThe report followed.")
    (q,) = find_quotes(text)
    assert [text[s:e] for s, e in q.segments] == [
        "\u201cNo, no. We do what we can.", "\u201cThe rest is up to the market.\u201d"]


def test_open_quote_not_continued_is_dropped():
    text = '"A stray mark opens here.\nThe next paragraph has no mark.'
    assert find_quotes(text) == []
