"""The reporting-verb lexicon: which words can cue an attribution, and in which frame.

The word lists live in ``sayso/data/cues_<lang>.json`` so they can be reviewed, extended
or swapped per language without touching the rules. A frame names how the content is
attached to the cue (see the ``_about`` entry of the data file).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

FRAMES = ("speech", "intent", "attitude", "urge", "accuse", "naming")


@dataclass(frozen=True)
class Lexicon:
    frames_by_lemma: dict[str, frozenset[str]]
    preps: dict[str, frozenset[str]]
    nouns: frozenset[str]
    lemma_fixes: dict[str, str]
    blocked: frozenset[tuple[str, str]]  # (lemma, frame) pairs measured to mislead
    abbreviations: frozenset[str] = frozenset()  # titles after which no sentence ends
    not_speakers: frozenset[str] = frozenset()  # "Update:", "Photo:" — labels, not people
    byline_prefixes: frozenset[str] = frozenset()  # "By Ann Lee: …" names the writer
    discourse_markers: tuple[str, ...] = ()  # "That said, …": "said" with no speech in it
    channel_preps: frozenset[str] = frozenset()  # "… in a video": the channel, not content
    channel_nouns: frozenset[str] = frozenset()
    document_nouns: frozenset[str] = frozenset()  # "the report", "the statement": a source that is no person

    def frames(self, lemma: str) -> frozenset[str]:
        lemma = self.lemma_fixes.get(lemma, lemma)
        return frozenset(f for f in self.frames_by_lemma.get(lemma, ()) if (lemma, f) not in self.blocked)

    def lemma(self, lemma: str) -> str:
        return self.lemma_fixes.get(lemma, lemma)

    def is_cue(self, lemma: str) -> bool:
        return bool(self.frames(lemma))


@functools.lru_cache(maxsize=4)
def load_lexicon(language: str = "en") -> Lexicon:
    raw = json.loads(resources.files("sayso.data").joinpath(f"cues_{language}.json").read_text("utf-8"))
    by_lemma: dict[str, set[str]] = {}
    for frame in FRAMES:
        for lemma in raw.get(frame, ()):
            by_lemma.setdefault(lemma, set()).add(frame)
    return Lexicon(
        frames_by_lemma={k: frozenset(v) for k, v in by_lemma.items()},
        preps={k: frozenset(v) for k, v in raw.get("preps", {}).items()},
        nouns=frozenset(raw.get("nouns", ())),
        lemma_fixes=dict(raw.get("lemma_fixes", {})),
        blocked=frozenset(tuple(x) for x in raw.get("blocked", ())),
        abbreviations=frozenset(raw.get("abbreviations", ())),
        not_speakers=frozenset(raw.get("not_speakers", ())),
        byline_prefixes=frozenset(raw.get("byline_prefixes", ())),
        discourse_markers=tuple(sorted(raw.get("discourse_markers", ()), key=len, reverse=True)),
        channel_preps=frozenset(raw.get("channel_adjuncts", {}).get("preps", ())),
        channel_nouns=frozenset(raw.get("channel_adjuncts", {}).get("nouns", ())),
        document_nouns=frozenset(raw.get("speech_nouns_as_source", ())),
    )
