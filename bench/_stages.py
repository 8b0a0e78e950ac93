"""Time per stage of a tier: each spaCy component, and inside the ``sayso`` component the
rules, the fast tier's features, its taggers, decoding and linking, resolution and
assessment.

A separate pass from the throughput rounds: documents go through the pipeline one
component at a time (as ``sayso.pipeline`` does for a long document), and sayso's own
stages are timed by wrapping the functions that run them for the length of the pass, so
that the rounds themselves run unwrapped. What the rounds batch (spaCy's ``pipe``) runs here
one document at a time, so the stage times add up to a little more than a round.
"""
from __future__ import annotations

import contextlib
import functools
import time
from typing import Iterator

from spacy.language import Language

from sayso import assemble, language
from sayso.extract import model as fast_model
from sayso.extract import rules as rule_tier
from sayso.pipeline import Document

# (module, function name, stage): the functions that hold each sayso stage
SAYSO_STAGES = [
    (rule_tier, "extract_statements", "sayso: rules"),
    (fast_model, "extra_features", "sayso: features"),
    (fast_model, "predict_scores", "sayso: taggers"),
    (fast_model, "statements_from_doc", "sayso: decode + link"),
    (fast_model, "add_nested", "sayso: decode + link"),
    (assemble, "resolve_article", "sayso: resolve"),
    (assemble, "assess_article", "sayso: assess"),
]


@contextlib.contextmanager
def _wrapped(times: dict[str, float]) -> Iterator[None]:
    """Each stage function wrapped to add its time (outermost call only) to ``times``."""
    saved, active = [], set()

    def timer(fn, stage):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            if stage in active:  # a stage calling itself again: counted once
                return fn(*args, **kwargs)
            active.add(stage)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[stage] = times.get(stage, 0.0) + time.perf_counter() - t0
                active.discard(stage)
        return run

    for module, name, stage in SAYSO_STAGES:
        fn = getattr(module, name)
        saved.append((module, name, fn))
        setattr(module, name, timer(fn, stage))
    try:
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def stage_times(nlp: Language, docs: list[Document], component: str) -> dict[str, float]:
    """Seconds per stage over ``docs`` for the pipeline with only the ``component`` sayso
    tier enabled; ``sayso: other`` is the component's time outside the named stages
    (language, assembling the record), ``total`` the sum."""
    times: dict[str, float] = {}
    helpers = (component, "sayso_sentences", "sayso_lemmatizer", "sayso_entities")  # not tiers
    pipeline = [(n, c) for n, c in nlp.pipeline if not n.startswith("sayso") or n in helpers]
    with _wrapped(times):
        for document in docs:
            doc = nlp.make_doc(document.text)
            doc._.sayso_document = (document, language.detect(document.text))
            for name, comp in pipeline:
                t0 = time.perf_counter()
                doc = comp(doc)
                stage = "sayso" if name == component else name
                times[stage] = times.get(stage, 0.0) + time.perf_counter() - t0
    inner = sum(v for k, v in times.items() if k.startswith("sayso: "))
    times["sayso: other"] = times.pop("sayso", 0.0) - inner
    times["total"] = sum(times.values())
    return times


def sentence_share(nlp: Language, docs: list[Document]) -> tuple[int, int]:
    """(sentences parsed, sentences) over ``docs``: a sentence counts as parsed when the
    parser gave it an arc (a one-token sentence always counts)."""
    parsed = total = 0
    with nlp.select_pipes(enable=[n for n, _ in nlp.pipeline if not n.startswith("sayso") or n == "sayso_sentences"]):
        for doc in nlp.pipe([d.text for d in docs]):
            for sent in doc.sents:
                total += 1
                parsed += len(sent) == 1 or any(t.dep_ for t in sent)
    return parsed, total
