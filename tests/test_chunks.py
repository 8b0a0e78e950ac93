"""Long documents are cut at paragraph breaks, and statements come back at true offsets."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from sayso.chunks import pieces, shift
from sayso.records import Part, Statement
from sayso.settings import Settings


@given(st.text(alphabet="ab \n", max_size=3000), st.integers(min_value=10, max_value=400))
def test_pieces_cover_the_text_in_order_within_the_limit(text, limit):
    got = pieces(text, limit)
    assert got[0][0] == 0 and got[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(got, got[1:]))
    assert all(0 < e - s <= limit for s, e in got) or text == ""


def test_cuts_prefer_paragraph_breaks():
    text = "First paragraph here.\n\nSecond one, a bit longer than the first.\n\nThird."
    got = pieces(text, 50)
    assert [text[s:e] for s, e in got][0] == "First paragraph here.\n\n"


def test_shift_moves_spans_and_renumbers():
    whole = "xxxxx" + 'He said "yes."'
    piece = 'He said "yes."'
    s = Statement("s1", "direct", Part.from_spans(piece, [(3, 7)]), Part.from_spans(piece, [(8, 14)]),
                  Part.from_spans(piece, [(0, 2)]), responds_to=("s1",))
    (moved,) = shift([s], 5, first_number=4)
    assert moved.id == "s4" and moved.responds_to == ("s4",)
    for part in (moved.cue, moved.source, moved.content):
        assert part.text == " ".join(whole[a:b] for a, b in part.spans)


def test_limit_comes_from_the_environment():
    assert Settings.from_env({"SAYSO_MAX_CHARS": "5000"}).max_chars == 5000
    assert Settings.from_env({}).max_chars == Settings().max_chars == 100_000
    with pytest.raises(ValueError, match="whole number"):
        Settings.from_env({"SAYSO_MAX_CHARS": "lots"})
    with pytest.raises(ValueError, match="at least 1000"):
        Settings.from_env({"SAYSO_MAX_CHARS": "999"})


def test_a_document_over_the_limit_comes_back_whole_with_true_offsets(nlp):
    from pathlib import Path

    from sayso.pipeline import Document, analyse_many

    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))
    text = "\n\n".join(p.read_text("utf-8") for p in examples)
    whole = next(analyse_many([Document(text, id="long")], nlp))
    (cut,) = list(analyse_many([Document(text, id="long")], nlp, settings=Settings(max_chars=1500)))
    assert cut.id == "long" and len(text) > 3 * 1500
    assert [s.id for s in cut.statements] == [f"s{i + 1}" for i in range(len(cut.statements))]
    for s in cut.statements:
        for part in (s.cue, s.content) + ((s.source,) if s.source else ()):
            assert part.text == " ".join(text[a:b] for a, b in part.spans)
    # cutting at paragraph breaks loses little: most statements are found either way
    found = {s.cue.spans for s in cut.statements}
    assert len(found & {s.cue.spans for s in whole.statements}) >= 0.8 * len(whole.statements)
