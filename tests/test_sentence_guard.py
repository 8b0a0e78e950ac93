"""The sentence guard: the boundaries it presets before the parser runs."""
from spacy.attrs import SENT_START

from sayso import nlp as nlp_mod


def guarded(text: str):
    nlp = nlp_mod.load(accuracy="rules")
    return nlp_mod.guard_sentences(nlp.make_doc(text))


def starts(doc) -> list[str]:
    """Boundaries set inside the text (a doc's first token always starts a sentence)."""
    return [t.text for t in doc[1:] if t.is_sent_start is True]


def test_a_line_break_starts_a_sentence_and_a_title_abbreviation_joins_the_name():
    doc = guarded("Headline without a full stop\n\nGov. John Kasich said no. Dr. Smith agreed")
    assert starts(doc) == ["Gov."]
    assert doc[7].text == "John" and doc[7].is_sent_start is False
    assert [t.text for t in doc if t.is_sent_start is False] == ["John", "Smith"]


def test_a_run_on_text_is_cut_every_max_sentence_tokens():
    n = nlp_mod.MAX_SENTENCE
    doc = guarded(" ".join(["word"] * (2 * n + 50)))
    assert [t.i for t in doc[1:] if t.is_sent_start is True] == [n, 2 * n]


def test_a_full_stop_or_a_line_break_restarts_the_count():
    n = nlp_mod.MAX_SENTENCE
    words = ["word"] * (n - 10) + ["."] + ["word"] * (n - 10) + ["\n"] + ["word"] * (n + 5)
    doc = guarded(" ".join(words))
    cut = [t.i for t in doc[1:] if t.is_sent_start is True]
    line_break = next(t.i for t in doc if "\n" in t.text)
    assert cut == [line_break + 1, line_break + 1 + n]


def test_the_guard_sets_no_boundary_where_none_is_due():
    doc = guarded("He said that the vote was close, and she agreed.")
    assert all(v == 0 for v in doc.to_array(SENT_START)[1:].tolist())
