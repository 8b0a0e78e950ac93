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

    def in_discourse_marker(self, text: str, start: int, end: int) -> bool:
        """Whether the word at ``text[start:end]`` belongs to a discourse marker ('That
        said, …', 'Needless to say, …'): a reporting verb with nobody speaking. The marker
        opens its clause (after a sentence's end, a colon, semicolon, dash, bracket or
        quotation mark: 'a message that said, “Sorry …”' is a message speaking) and ends
        before a comma, semicolon, colon or dash (or the text's end)."""
        lo = max(0, start - 24)
        window = text[lo:end + 24].lower()
        at = start - lo
        for phrase in self.discourse_markers:
            i = window.find(phrase)
            while i >= 0:
                stop = i + len(phrase)
                if (i <= at < stop and (stop >= len(window) or window[stop] in ",;:\u2014")
                        and _opens_clause(text, lo + i)):
                    return True
                i = window.find(phrase, i + 1)
        return False


CLAUSE_OPENERS = frozenset(".,!?;:([\"'\u201c\u2018\u2014\u2013-")


def _opens_clause(text: str, i: int) -> bool:
    before = text[max(0, i - 40):i].rstrip()
    return not before or before[-1] in CLAUSE_OPENERS


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
