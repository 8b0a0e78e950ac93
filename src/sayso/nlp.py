"""Loading the spaCy pipeline once per process, and sayso as a spaCy component.

``nlp.add_pipe("sayso")`` on any English pipeline with a parser runs the whole of sayso
on each doc: ``doc._.article`` is the Article record ``pipeline.analyse`` gives for the same
text (statements with speakers, context, type and confidence), ``doc._.statements`` the
statements as extracted, before resolution. The factory also puts the sentence guard before
the parser and, on the pipeline it was distilled from, sayso's entity tagger in NER's place
(``sayso.entities``), and has the pipeline's layers multiply through numpy's BLAS
(``sayso.blas``), as ``load`` does. It is registered both here (on import) and through the
``spacy_factories`` entry point, so ``spacy.load`` of a saved pipeline finds it too.
"""
from __future__ import annotations

import functools
from typing import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import IS_SPACE, IS_TITLE, ORTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from sayso import blas, entities, fastpipes
from sayso.doctext import string_ids, text_of
from sayso.settings import (  # noqa: F401 - the names callers know from here
    ACCURACIES, ACCURACY_ENV, BEST_MODEL_ENV, DEFAULT_ACCURACY, DEFAULT_MODEL, FAST_MODEL_ENV, MODEL_ENV,
    Settings,
)

# A "sentence" longer than this many tokens without a full stop (a crawl's run-on text, a
# list without punctuation) is cut: parsing and every per-sentence rule then stay linear in
# the length of a document, whatever is in it. Real news sentences are far shorter.
MAX_SENTENCE = 200
SENTENCE_ENDS = frozenset(".!?;…")

if not Doc.has_extension("statements"):
    Doc.set_extension("statements", default=None)
if not Doc.has_extension("sayso_error"):
    Doc.set_extension("sayso_error", default=None)
if not Doc.has_extension("article"):
    Doc.set_extension("article", default=None)
if not Doc.has_extension("sayso_document"):  # (Document, language code), set by sayso.pipeline
    Doc.set_extension("sayso_document", default=None)


class ModelError(RuntimeError):
    """The configured spaCy pipeline cannot be loaded; the message says what to do."""


class SaysoComponent:
    """Attaches the article of a document to ``doc._.article`` (its statements as extracted
    to ``doc._.statements``). A doc that ``sayso.pipeline`` made carries its document and
    language; any other is taken as a document of its text alone, its language detected.
    ``fast_model`` / ``best_model``: a tier's model directory other than the packaged one
    (``Settings.fast_model``, ``best_model``; the factory's config keys of the same names)."""

    def __init__(self, nlp: Language, name: str = "sayso", accuracy: str = DEFAULT_ACCURACY,
                 fast_model: str | None = None, best_model: str | None = None):
        if accuracy not in ACCURACIES:
            raise ValueError(f"accuracy must be one of {', '.join(ACCURACIES)}, not {accuracy!r}")
        self.name = name
        self.accuracy = accuracy
        self._extract_many = None  # a tier that extracts from a batch of docs at once
        if accuracy == "fast":
            from sayso.extract.model import extract_statements_fast, extract_statements_fast_many, load_model

            try:
                tagger = load_model(fast_model or None)
            except (OSError, ValueError) as exc:
                raise ModelError(f"cannot load the fast tier's model: {exc}") from exc
            self._extract = functools.partial(extract_statements_fast, tagger_nlp=tagger)
            self._extract_many = functools.partial(extract_statements_fast_many, tagger_nlp=tagger)
        elif accuracy == "best":
            from sayso.extract.best import MissingExtra, extract_statements_best, load_tagger

            try:
                encoder = load_tagger(best_model or None)
            except (MissingExtra, OSError, ValueError) as exc:
                raise ModelError(f"cannot load the best tier's model: {exc} (train one with "
                                 f"`sayso train --tier best` and point {BEST_MODEL_ENV} at it)") from exc
            fast = None
            if encoder.fast_weight:  # the encoder's probabilities are mixed with the fast tier's
                from sayso.extract.best import fast_pipeline

                try:
                    fast = fast_pipeline(fast_model)
                except (OSError, ValueError) as exc:
                    raise ModelError(f"cannot load the fast tier's model, which the best tier "
                                     f"mixes in: {exc}") from exc
            self._extract = functools.partial(extract_statements_best, tagger=encoder, fast_nlp=fast)
        else:
            from sayso.extract.rules import extract_statements

            self._extract = extract_statements

    def __call__(self, doc: Doc) -> Doc:
        try:
            document, code = self._source(doc)
            if self._unread(doc, document, code):
                return doc
            doc._.statements = self._extract(doc)
            self._assemble(doc, document, code)
        except Exception as exc:  # noqa: BLE001 - kept on the doc so one text cannot stop a batch
            self._failed(doc, exc)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """As ``__call__`` on each doc; a tier that can (the fast one) extracts from each
        batch at once. Should a batch fail, its docs are redone one by one, so that one
        text's error stays that text's."""
        for batch in minibatch(docs, batch_size):
            if self._extract_many is None or len(batch) == 1:
                yield from (self(doc) for doc in batch)
            else:
                yield from self._batch(batch)

    def _batch(self, docs: list[Doc]) -> list[Doc]:
        todo = []
        for doc in docs:
            try:
                document, code = self._source(doc)
                if not self._unread(doc, document, code):
                    todo.append((doc, document, code))
            except Exception as exc:  # noqa: BLE001 - as in __call__
                self._failed(doc, exc)
        try:
            found = self._extract_many([doc for doc, _, _ in todo])
        except Exception:  # noqa: BLE001 - one by one instead: the error is then one doc's
            pending = {id(doc) for doc, _, _ in todo}
            return [self(doc) if id(doc) in pending else doc for doc in docs]
        for (doc, document, code), statements in zip(todo, found):
            try:
                doc._.statements = statements
                self._assemble(doc, document, code)
            except Exception as exc:  # noqa: BLE001 - as in __call__
                self._failed(doc, exc)
        return docs

    @staticmethod
    def _source(doc: Doc):
        """The doc's document and language: as ``sayso.pipeline`` set them, else its text."""
        from sayso import language
        from sayso.records import Document

        return doc._.sayso_document or (Document(text_of(doc)), language.detect(text_of(doc)))

    @staticmethod
    def _unread(doc: Doc, document, code) -> bool:
        """A document in a language sayso does not read gets its record and no statements."""
        from sayso import assemble, language

        if language.is_read(code):
            return False
        doc._.statements = []
        doc._.article = assemble.unread(document, code)
        return True

    @staticmethod
    def _assemble(doc: Doc, document, code) -> None:
        from sayso import assemble

        doc._.article = assemble.article(doc, doc._.statements, document, code)

    @staticmethod
    def _failed(doc: Doc, exc: Exception) -> None:
        doc._.statements = doc._.statements or []
        doc._.sayso_error = f"{type(exc).__name__}: {exc}"


@Language.factory("sayso", default_config={"accuracy": DEFAULT_ACCURACY, "fast_model": None,
                                            "best_model": None})
def make_sayso_component(nlp: Language, name: str, accuracy: str, fast_model: str | None,
                         best_model: str | None) -> SaysoComponent:
    if "parser" in nlp.pipe_names and "sayso_sentences" not in nlp.pipe_names:
        nlp.add_pipe("sayso_sentences", before="parser")  # the statements depend on the guard
    entities.replace_ner(nlp)  # the speakers depend on the entities, as in ``load``
    blas.adopt_pipeline(nlp)  # the same last bits of every probability as in ``load``
    return SaysoComponent(nlp, name, accuracy, fast_model, best_model)


@Language.component("sayso_sentences")
def guard_sentences(doc: Doc) -> Doc:
    """Preset boundaries the parser must respect: paragraphs always end a sentence, a title
    abbreviation never does ("Gov. John Kasich said"). Statements are read sentence by
    sentence, so one wrong boundary costs a whole source or content. A run of
    ``MAX_SENTENCE`` tokens without a boundary is cut. Read from arrays: only the tokens
    whose boundary is set, and the runs long enough to be cut, are visited as tokens."""
    from sayso.extract.cues import load_lexicon

    if len(doc) < 2:
        return doc
    kind = _boundary_kinds(doc, load_lexicon("en").abbreviations)
    for i in numpy.flatnonzero(kind == _PARAGRAPH).tolist():
        doc[i + 1].is_sent_start = True
    for i in numpy.flatnonzero(kind == _TITLE).tolist():
        doc[i + 1].is_sent_start = False
    resets = numpy.flatnonzero((kind == _PARAGRAPH) | (kind == _END)).tolist()
    for a, b in zip([-1] + resets, resets + [len(kind)]):
        if b - a > MAX_SENTENCE:  # tokens a+1 .. b-1 run on without a boundary
            run = 0
            for i in range(a + 1, b):
                run += 1
                if kind[i] == _OTHER and run >= MAX_SENTENCE:
                    doc[i + 1].is_sent_start = True
                    run = 0
    return doc


_OTHER, _PARAGRAPH, _TITLE, _END = range(4)


def _boundary_kinds(doc: Doc, titles) -> numpy.ndarray:
    """Per token but the last, what it says of the boundary after it: a line break ends a
    paragraph; a title abbreviation before a capitalised word joins them; ".!?;…" ends a
    sentence (in that order of precedence)."""
    arr = doc.to_array([ORTH, IS_SPACE, IS_TITLE])
    orth, space, title_next = arr[:-1, 0], arr[:-1, 1] == 1, arr[1:, 2] == 1
    kind = numpy.full(len(doc) - 1, _OTHER, dtype=numpy.int8)
    kind[numpy.isin(orth, _ids(SENTENCE_ENDS))] = _END
    kind[numpy.isin(orth, _ids(titles)) & title_next] = _TITLE
    for i in numpy.flatnonzero(space).tolist():
        if "\n" in doc[i].text:
            kind[i] = _PARAGRAPH
    return kind


_ids = functools.lru_cache(maxsize=8)(string_ids)  # of a fixed word list, once


def model_name(explicit: str | None = None, settings: Settings | None = None) -> str:
    return explicit or (settings or Settings()).model


def load(model: str | None = None, accuracy: str | None = None, settings: Settings | None = None) -> Language:
    """The parsing pipeline with sayso appended; loaded once per process, model name, tier
    and tier models. ``model`` and ``accuracy`` (rules, fast or best), when given, win over
    ``settings`` (default ``Settings()``: the default model and ``DEFAULT_ACCURACY``)."""
    s = settings or Settings()
    return _load(model or s.model, accuracy or s.accuracy, s.fast_model, s.best_model)


@functools.lru_cache(maxsize=4)
def _load(name: str, accuracy: str = DEFAULT_ACCURACY, fast_model: str | None = None,
          best_model: str | None = None) -> Language:
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
    if "sayso_sentences" not in nlp.pipe_names:
        nlp.add_pipe("sayso_sentences", before="parser")
    fastpipes.tune(nlp)  # the same annotations, faster (see sayso.fastpipes)
    entities.replace_ner(nlp)  # entities without NER's decoder (see sayso.entities)
    blas.adopt_pipeline(nlp)  # spaCy's layers multiply through numpy's BLAS (see sayso.blas)
    if "sayso" not in nlp.pipe_names:
        nlp.add_pipe("sayso", last=True, config={"accuracy": accuracy, "fast_model": fast_model,
                                                 "best_model": best_model})
    return nlp
