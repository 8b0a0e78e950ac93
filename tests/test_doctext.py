"""A doc's text and token columns computed once (``sayso.doctext``): the same values as
spaCy's own, per doc, and nothing kept once the doc is gone."""
from __future__ import annotations

import gc

import spacy

from sayso import doctext

TEXT = "First line, said she.\n\nSecond  paragraph \u201cquoted\u201d\n here.\n"


def test_values_are_spacys():
    nlp = spacy.blank("en")
    doc = nlp(TEXT)
    assert doctext.text_of(doc) == doc.text and doctext.text_of(doc) is doctext.text_of(doc)
    assert doctext.token_starts(doc) == [t.idx for t in doc]
    assert doctext.line_break_after(doc) == ["\n" in t.text_with_ws for t in doc]


def test_each_doc_its_own_and_none_kept_after_it():
    nlp = spacy.blank("en")
    a, b = nlp("one\ntwo"), nlp("three four")
    assert (doctext.text_of(a), doctext.text_of(b)) == ("one\ntwo", "three four")
    assert doctext.line_break_after(a) == [False, True, False] and doctext.line_break_after(b) == [False, False]
    before = len(doctext._TEXTS)
    del a
    gc.collect()
    assert len(doctext._TEXTS) == before - 1


def test_empty_doc():
    doc = spacy.blank("en")("")
    assert doctext.text_of(doc) == "" and doctext.token_starts(doc) == [] and doctext.line_break_after(doc) == []
