"""The entity tagger that stands in for spaCy's NER in the default pipeline."""
from __future__ import annotations

from pathlib import Path

import numpy
import pytest
import spacy

from sayso import entities
from sayso import nlp as nlp_mod

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))


@pytest.fixture(scope="module")
def nlp():
    return nlp_mod.load(nlp_mod.DEFAULT_MODEL)


@pytest.fixture(scope="module")
def spacy_ner():
    return spacy.load(nlp_mod.DEFAULT_MODEL, exclude=["senter"])


def test_the_default_pipeline_has_the_entity_tagger_in_ners_place(nlp):
    assert "sayso_entities" in nlp.pipe_names and "ner" not in nlp.pipe_names
    with nlp.select_pipes(disable=["sayso"]):
        doc = nlp("NATO Secretary General Jens Stoltenberg spoke in Brussels on Tuesday.")
    assert ("Jens Stoltenberg", "PERSON") in [(e.text, e.label_) for e in doc.ents]
    assert ("Brussels", "GPE") in [(e.text, e.label_) for e in doc.ents]


def test_it_agrees_with_spacys_ner_on_most_people(nlp, spacy_ner):
    """Distilled from that NER: on the example articles, most people it finds are the same."""
    ours, theirs = set(), set()
    with nlp.select_pipes(disable=["sayso"]):
        for i, path in enumerate(EXAMPLES):
            text = path.read_text(encoding="utf-8")
            ours |= {(i, e.start, e.end) for e in nlp(text).ents if e.label_ == "PERSON"}
            theirs |= {(i, e.start, e.end) for e in spacy_ner(text).ents if e.label_ == "PERSON"}
    assert theirs and 2 * len(ours & theirs) / (len(ours) + len(theirs)) >= 0.75


def test_a_pipeline_it_was_not_distilled_from_keeps_its_own_ner():
    other = spacy.load(nlp_mod.DEFAULT_MODEL, exclude=["senter"])
    other.meta["name"] = "some_other_model"
    assert entities.replace_ner(other) is False
    assert "ner" in other.pipe_names


def test_decoding_gives_only_well_formed_entities():
    labels = ("B-ORG", "B-PERSON", "I-ORG", "I-PERSON", "L-ORG", "L-PERSON", "O", "U-ORG", "U-PERSON")
    moves = entities.Transitions.of(labels)
    rng = numpy.random.default_rng(0)
    for _ in range(50):
        path = [labels[j] for j in entities.decode(numpy.log(rng.dirichlet(numpy.ones(9), 12)), moves)]
        rebuilt = ["O"] * len(path)
        for start, end, label in entities.spans(path):
            rebuilt[start:end] = ([f"U-{label}"] if end - start == 1 else
                                  [f"B-{label}"] + [f"I-{label}"] * (end - start - 2) + [f"L-{label}"])
        assert rebuilt == path


def test_biluo_labels_from_spacys_iob():
    iob = [("B", "PERSON"), ("I", "PERSON"), ("O", ""), ("B", "GPE"), ("B", "DATE"), ("I", "DATE"), ("I", "DATE")]
    assert entities.biluo(iob) == ["B-PERSON", "L-PERSON", "O", "U-GPE", "B-DATE", "I-DATE", "L-DATE"]
