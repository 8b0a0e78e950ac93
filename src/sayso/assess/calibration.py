"""How likely a statement is to be right: the probability that it is a real attribution
with the right source, as the scorer pairs them (content-token Jaccard >= 0.5, the source
covering half the gold source).

A logistic model over signals the tiers already have: the taggers' own probability, whether
the rule tier found the same cue and content, how often the cue word is a cue in PolNeAR
train, the type, whether a source was found and resolved, quotation marks, length, how
dense statements are on the page. The coefficients are data
(``sayso/data/calibration_<lang>.json``), fitted out of fold by ``bench/calibration.py``,
which also prints the reliability table; the model file records how it was fitted.
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

from spacy.tokens import Doc

from sayso.extract.cues import load_lexicon
from sayso.extract.spans import same_content
from sayso.records import Statement

QUOTES = frozenset('"“”«»„')
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})
FEATURES = (
    "tier_logit", "direct", "mixed", "has_source", "source_pronoun", "source_name",
    "first_person", "speaker", "via_pronoun", "via_nominal", "truncated", "nested",
    "low_confidence", "rule_cue", "rule_content", "cue_prior", "cue_punct", "according",
    "writing", "thought", "knowledge", "intention", "evidence", "content_words",
    "content_quoted", "same_sentence", "question", "density", "content_verb", "speech_frame",
    "narrator", "unnamed_page",
)


def _logit(p: float, eps: float = 1e-3) -> float:
    p = min(max(p, eps), 1 - eps)
    return math.log(p / (1 - p))




@dataclass(frozen=True)
class Calibrator:
    weights: tuple[float, ...]
    bias: float
    cue_prior: dict[str, tuple[int, int]]  # cue word → (times a gold cue, times seen) in train
    about: str = ""

    def probability(self, x: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, x))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def prior(self, cue_text: str) -> float:
        """The cue's most telling word: the highest smoothed rate of being a cue in train."""
        best = None
        for w in WORD.findall(cue_text.lower()):
            hits, seen = self.cue_prior.get(w, (0, 0))
            rate = (hits + 0.5) / (seen + 1.0)
            best = rate if best is None else max(best, rate)
        return _logit(best if best is not None else 0.5)


@functools.lru_cache(maxsize=4)
def load_calibrator(language: str = "en") -> Calibrator:
    raw = json.loads(resources.files("sayso.data").joinpath(f"calibration_{language}.json").read_text("utf-8"))
    if tuple(raw["features"]) != FEATURES:
        raise ValueError(f"calibration_{language}.json was fitted on other features; refit it "
                         f"with bench/calibration.py --fit")
    return Calibrator(tuple(raw["weights"]), float(raw["bias"]),
                      {k: (int(v[0]), int(v[1])) for k, v in raw["cue_prior"].items()}, raw.get("about", ""))


@dataclass(frozen=True)
class PageSignals:
    """What the whole page says about each of its statements."""

    density: float  # statements per 1,000 characters, capped: news is dense with them
    unnamed: bool  # no speaker on the page is named in full


def signals(doc: Doc, text: str, st: Statement, rule_content, calibrator: Calibrator,
            page: PageSignals) -> list[float]:
    """One row of ``FEATURES`` for a statement as the tier gave it (its ``confidence`` is
    still the tier's own), read from the parsed doc (``text`` is ``doc.text``, read once);
    ``rule_content`` is the content spans of the rule tier's statement on the same cue, or
    None when the rules have none there."""
    src = doc.char_span(*st.source.spans[0], alignment_mode="expand") if st.source and st.source.spans else None
    content = "".join(text[s:e] for s, e in st.content.spans)
    cue_sent = doc.char_span(*st.cue.spans[0], alignment_mode="expand") if st.cue.spans else None
    con = doc.char_span(*st.content.spans[0], alignment_mode="expand") if st.content.spans else None
    same = cue_sent is not None and con is not None and cue_sent[0].sent.start == con[0].sent.start
    lexicon = load_lexicon()
    via = st.speaker.resolved_via if st.speaker else None
    first_person = src is not None and src.text.lower() in FIRST_PERSON
    return [
        _logit(st.confidence),
        st.kind == "direct", st.kind == "mixed", src is not None,
        src is not None and len(src) == 1 and src[0].pos_ == "PRON",
        src is not None and any(t.pos_ == "PROPN" for t in src),
        first_person,
        st.speaker is not None, via == "pronoun", via in ("nominal", "title"),
        "truncated" in st.flags, "nested" in st.flags, "low_confidence" in st.flags,
        rule_content is not None, rule_content is not None and same_content(rule_content, st.content.spans),
        calibrator.prior(st.cue.text), not any(c.isalnum() for c in st.cue.text),
        st.cue.text.lower().startswith("according"),
        st.type == "writing", st.type == "thought", st.type == "knowledge",
        st.type == "intention", st.type == "evidence",
        math.log1p(len(WORD.findall(content))), any(c in QUOTES for c in content), same,
        content.rstrip(" \"'”’").endswith("?"), page.density,
        con is not None and any(t.pos_ in ("VERB", "AUX") for t in con),
        cue_sent is not None and any("speech" in lexicon.frames(t.lemma_.lower()) for t in cue_sent),
        first_person and st.kind == "indirect", page.unnamed,
    ]


def page_signals(statements: Sequence[Statement], n_chars: int) -> PageSignals:
    """News names the people it quotes in full at least once (a first and a last name, or an
    organisation's full name); a page whose statements have speakers called only "Penny" or
    "Klein", or none at all, is fiction, a game wiki's dialogue or a forum far more often
    than news: of the annotated real-news pages' statements, 6 of 211 on such pages are
    right, against 331 of 652 elsewhere (PolNeAR, all news, has 35 statements on such pages)."""
    dens = min(len(statements) * 1000.0 / max(n_chars, 1), 10.0)
    named = any(st.speaker is not None and len(st.speaker.name.split()) >= 2 for st in statements)
    return PageSignals(dens, not named)
