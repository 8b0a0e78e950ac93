"""The faster stand-ins for the attribute ruler's matching and the rule lemmatizer
(``sayso.fastpipes``) give exactly the annotations of spaCy's own components."""
from __future__ import annotations

import pytest
import spacy

from sayso import fastpipes
from sayso import nlp as nlp_mod

TEXTS = [
    '"We will rebuild the bridge," Mayor Anna Kowalski said on Tuesday in Eastbridge.',
    "Y'all gon na see it. Let 's go , c'm on ! I ai n't done and it gets worse ; he got ta leave.",
    "There is a man there. There 're two of them, and that is that. Do you have it? I did.",
    "  \n\n  A line.\n\nAnother, with  double  spaces and\ttabs.",
    "",
    "He said: 'I told you so,' and then he gave it to me and I gave it to you.",
]
COLUMNS = ("TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD")


@pytest.fixture(scope="module")
def pipelines():
    plain = spacy.load(nlp_mod.DEFAULT_MODEL, exclude=["ner"])
    tuned = fastpipes.tune(spacy.load(nlp_mod.DEFAULT_MODEL, exclude=["ner"]))
    return plain, tuned


def test_tuned_pipeline_swaps_in_the_stand_ins(pipelines):
    _, tuned = pipelines
    assert "sayso_lemmatizer" in tuned.pipe_names and "lemmatizer" in tuned.disabled
    assert isinstance(tuned.get_pipe("attribute_ruler").match, fastpipes.RuleMatcher)


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotations(pipelines, text):
    plain, tuned = pipelines
    for _ in range(2):  # the second time from what was kept
        a, b = plain(text), tuned(text)
        for column in COLUMNS:
            assert a.to_array(column).tolist() == b.to_array(column).tolist(), column
        assert [(t.lemma_, str(t.morph), t.pos_) for t in a] == [(t.lemma_, str(t.morph), t.pos_) for t in b]


def test_same_matches_as_the_ruler(pipelines):
    plain, tuned = pipelines
    ruler = plain.get_pipe("attribute_ruler")
    fast = fastpipes.RuleMatcher(ruler)
    with plain.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        for text in TEXTS:
            doc = plain(text)
            assert fast(doc) == ruler.match(doc)


def test_a_pattern_it_does_not_read_keeps_the_ruler():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"LEMMA": "x"})
    assert not fastpipes.tune_attribute_ruler(ruler)
    assert not isinstance(ruler.match, fastpipes.RuleMatcher)
    ruler.add([[{"LENGTH": 3}]], {"LEMMA": "y"})
    with pytest.raises(fastpipes.Unsupported):
        fastpipes.RuleMatcher(ruler)
