"""sayso as a spaCy pipeline component on a pipeline the user loads themselves: the same
records as ``pipeline.analyse``, speakers, context, type and confidence included."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

import sayso.nlp  # noqa: F401  (registers the factory, as the entry point does for spacy.load)
from sayso import nlp as nlp_mod
from sayso.pipeline import analyse

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "data" / "seed" / "000_fad6e7535a46780a.txt"
DEV = SHARED / "data" / "polnear" / "dev.jsonl"


def users_pipeline(accuracy: str):
    nlp = spacy.load(nlp_mod.model_name())
    nlp.add_pipe("sayso", config={"accuracy": accuracy})
    return nlp


def test_add_pipe_gives_statements_with_their_speaker():
    doc = users_pipeline("fast")('"The road opens on Monday," Mayor Anna Kowalski said. "It is late," she added.')
    first, second = doc._.article.statements
    assert (first.cue.text, first.source.text, first.kind) == ("said", "Mayor Anna Kowalski", "direct")
    assert second.source.text == "she" and second.speaker.name == "Anna Kowalski"
    assert [s.cue.text for s in doc._.statements] == ["said", "added"]  # as extracted
    assert "sayso_sentences" in users_pipeline("rules").pipe_names  # the sentence guard comes along


def test_a_text_in_another_language_gets_no_statements():
    doc = users_pipeline("rules")("Der Bürgermeister sagte, die Brücke werde am Montag geschlossen, "
                                  "und fügte hinzu, dass die Stadt eine Fähre einsetzen werde.")
    assert doc._.article.language == "de" and doc._.article.statements == ()


@pytest.mark.parametrize("accuracy", ["rules", "fast"])
def test_the_component_equals_the_pipeline_on_the_reference_article(accuracy):
    if not SEED.is_file():
        pytest.skip(f"{SEED} not found (the project's shared material)")
    text = SEED.read_text(encoding="utf-8")
    assert users_pipeline(accuracy)(text)._.article == analyse(text, nlp_mod.load(accuracy=accuracy))


def test_the_component_equals_the_pipeline_on_polnear_dev():
    if not DEV.is_file():
        pytest.skip(f"{DEV} not found (the project's shared material)")
    texts = [json.loads(line)["text"] for line in DEV.open(encoding="utf-8")]
    mine, theirs = users_pipeline("fast"), nlp_mod.load(accuracy="fast")
    for text, doc in zip(texts, mine.pipe(texts)):
        assert doc._.article == analyse(text, theirs)


def test_a_batch_gives_each_doc_its_own_article_and_its_own_error(monkeypatch):
    """The fast tier runs its taggers over a batch at once; one doc that fails there fails
    alone (the batch is redone doc by doc) and the others get the articles they get alone."""
    from sayso.extract import model

    texts = ['"The road opens on Monday," Mayor Anna Kowalski said.',
             "The council said BOOM the repairs would cost more.",
             "According to the police, the bridge was closed.", ""]
    nlp = nlp_mod.load(accuracy="fast")
    alone = [nlp(text)._.article for text in texts]
    real = model.statements_from_doc

    def failing(doc, *args, **kwargs):
        if "BOOM" in doc.text:
            raise RuntimeError("boom")
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(model, "statements_from_doc", failing)
    docs = list(nlp.pipe(texts, batch_size=4))
    assert docs[1]._.sayso_error == "RuntimeError: boom" and docs[1]._.statements == []
    assert [d._.article for i, d in enumerate(docs) if i != 1] == [a for i, a in enumerate(alone) if i != 1]
    assert all(d._.sayso_error is None for i, d in enumerate(docs) if i != 1)
