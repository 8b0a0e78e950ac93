"""Which kind of attribution a statement is: speech, writing, thought, knowledge,
intention or evidence (``records.TYPES``; PARC 3.0's assertion, belief, fact and
eventuality, split finer: see ``docs/trust.md``).

The cue decides first ('wants' is an intention whoever wants), then the source ('a poll
found' is evidence, 'the minister found' is speech) and the words between cue and content
('said in a statement' is writing). The word lists are data, per language
(``types`` in ``sayso/data/cues_<lang>.json``).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources

from spacy.tokens import Doc, Span, Token

from sayso.extract.cues import load_lexicon
from sayso.records import Statement

SPEECH, WRITING, THOUGHT, KNOWLEDGE, INTENTION, EVIDENCE = (
    "speech", "writing", "thought", "knowledge", "intention", "evidence")
LOOKAHEAD = 8  # tokens after the cue searched for 'in a statement', 'on Twitter'


@dataclass(frozen=True)
class TypeLexicon:
    verbs: dict[str, str]          # cue lemma → type
    nouns: dict[str, str]          # cue noun ('belief', 'plan') → type
    sources: dict[str, str]        # source head noun ('poll', 'letter') → type
    thought_phrases: tuple[str, ...]
    writing_words: frozenset[str]
    written_channels: frozenset[str]  # channels (as the context resolver names them) that are written
    written_by_things: frozenset[str] = frozenset()  # 'the sign read', 'it reads': a text's words
    written_things: frozenset[str] = frozenset()  # 'sign': written only as the subject of 'read'
    publications: frozenset[str] = frozenset()  # 'The Bronx Times', 'Radar Online': they write
    authored: frozenset[str] = frozenset()  # 'report': writing when its author is named and it says
    evidence_verbs: frozenset[str] = frozenset()  # 'shows', 'found': what a study or report does
    lemma_fixes: dict[str, str] = field(default_factory=dict)  # the cue lexicon's own ('hop' → 'hope')


@functools.lru_cache(maxsize=4)
def load_types(language: str = "en") -> TypeLexicon:
    raw = json.loads(resources.files("sayso.data").joinpath(f"cues_{language}.json").read_text("utf-8"))["types"]
    verbs = {w: t for t in (WRITING, THOUGHT, KNOWLEDGE, INTENTION) for w in raw[t]}
    nouns = {w: t for t in (THOUGHT, INTENTION, KNOWLEDGE, EVIDENCE) for w in raw[f"{t}_nouns"]}
    sources = {w: WRITING for w in raw["writing_sources"]}
    sources.update({w: EVIDENCE for w in raw["evidence_sources"]})
    return TypeLexicon(verbs, nouns, sources, tuple(raw["thought_phrases"]),
                       frozenset(raw["writing_channel_words"]), frozenset(raw["written_channels"]),
                       frozenset(raw.get("written_when_a_thing_does_it", ())),
                       frozenset(raw.get("written_things", ())), frozenset(raw.get("publication_words", ())),
                       frozenset(raw.get("authored_documents", ())), frozenset(raw.get("evidence_verbs", ())),
                       load_lexicon(language).lemma_fixes)


def _span(doc: Doc, spans) -> Span | None:
    return doc.char_span(spans[0][0], spans[-1][1], alignment_mode="expand") if spans else None


def _cue_head(cue: Span) -> Token | None:
    """The word that carries the cue: its verb, else its noun ('in his opinion')."""
    for pos in ("VERB", "AUX", "NOUN"):
        tok = next((t for t in cue if t.pos_ == pos), None)
        if tok is not None:
            return tok
    return None


def _lemma(tok: Token, lex: TypeLexicon) -> str:
    """The lemma as the cue lexicon corrects it: the tagger's lemmatiser makes 'hopes' and
    'hoping' forms of 'hop', which left hoping typed as speech (and trusted)."""
    lemma = tok.lemma_.lower()
    return lex.lemma_fixes.get(lemma, lemma)


def _phrasal(tok: Token, lex: TypeLexicon) -> str | None:
    """'found out', 'looks forward': the particle makes another verb."""
    for child in tok.children:
        key = f"{_lemma(tok, lex)} {child.lower_}"
        if child.dep_ in ("prt", "prep") and key in lex.verbs:
            return lex.verbs[key]
    return None


def _from_cue(cue: Span, lex: TypeLexicon) -> str | None:
    text = cue.text.lower()
    if any(p in text for p in lex.thought_phrases):
        return THOUGHT
    head = _cue_head(cue)
    if head is None:
        return None
    lemma = _lemma(head, lex)
    if head.pos_ == "NOUN":
        return lex.nouns.get(lemma) or lex.nouns.get(head.lower_)
    return _phrasal(head, lex) or lex.verbs.get(lemma)


def _source_head(source: Span) -> Token:
    """The noun that says what the source is: the phrase's root, else its last noun."""
    if source.root.pos_ == "NOUN":
        return source.root
    nouns = [t for t in source if t.pos_ in ("NOUN", "PROPN")]
    return nouns[-1] if nouns else source.root


def _from_source(source: Span | None, lex: TypeLexicon) -> str | None:
    """A document or study named as the source ('the report', 'a Gallup poll'); people
    and organisations say nothing about the type."""
    if source is None:
        return None
    nouns = [t for t in source if t.pos_ in ("NOUN", "PROPN")]
    if not nouns or any(t.ent_type_ == "PERSON" for t in source):
        return None
    head = _source_head(source)
    if head.pos_ == "PROPN" and head.lower_ in lex.publications:
        return WRITING  # a newspaper, magazine or site by name: 'according to the Bronx Times'
    return lex.sources.get(head.lower_) or lex.sources.get(head.lemma_.lower())


def _around_cue(doc: Doc, cue: Span, content: Span | None, lex: TypeLexicon) -> str | None:
    """'said in a statement that', 'told reporters on Twitter': the words right after the
    cue, before its content starts, name a written channel."""
    end = min(cue.end + LOOKAHEAD, cue.sent.end, content.start if content is not None
              and content.start >= cue.end else len(doc))
    words = {t.lower_ for t in doc[cue.start:end]}
    if words & lex.writing_words:
        return WRITING
    around = doc[cue.start:end].text.lower()  # once, not once per phrase
    if any(p in around for p in lex.thought_phrases):
        return THOUGHT
    return None


THING_PRONOUNS = frozenset({"it", "which", "that", "this"})


def _a_text_reads(cue: Span, source: Span | None, by_source: str | None, lex: TypeLexicon) -> bool:
    """'The sign read “Closed”', 'the letter reads', 'it reads': with a written thing as
    its subject, 'read' gives the thing's words. So does a person who reads out a text
    ('read a statement to the workers', 'read a letter from the family'); a person who
    reads something otherwise learns it (knowledge)."""
    head = _cue_head(cue)
    if head is None or head.lemma_.lower() not in lex.written_by_things:
        return False
    if any(c.dep_ in ("dobj", "obj") and c.lemma_.lower() in lex.writing_words for c in head.children):
        return True
    if source is None:
        return False
    return (by_source == WRITING or (len(source) == 1 and source[0].lower_ in THING_PRONOUNS)
            or source.root.lemma_.lower() in lex.written_things)


AUTHOR_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})


def _authored_and_saying(cue: Span, source: Span, lex: TypeLexicon) -> bool:
    """'a report from the State Department's inspector general says', 'according to the
    National Academies report': a report by a named author that says something is
    writing; a report that shows or found something, or one with no author named ('press
    reports'), is evidence (docs/annotation.md)."""
    head = _source_head(source)
    if head.lower_ not in lex.authored and head.lemma_.lower() not in lex.authored:
        return False
    verb = _cue_head(cue)
    if verb is not None and _lemma(verb, lex) in lex.evidence_verbs:
        return False
    return any(t.i != head.i and (t.ent_type_ in AUTHOR_ENTS or t.tag_ in ("PRP$", "POS")) for t in source)


def attribution_type(doc: Doc, st: Statement, language: str = "en") -> str:
    lex = load_types(language)
    cue = _span(doc, st.cue.spans)
    if cue is None or not len(cue):
        return SPEECH
    by_cue = _from_cue(cue, lex)
    source = _span(doc, st.source.spans) if st.source else None
    by_source = _from_source(source, lex)
    if _a_text_reads(cue, source, by_source, lex):
        return WRITING
    if by_cue in (THOUGHT, KNOWLEDGE, INTENTION):
        return by_cue
    if by_source == EVIDENCE and _authored_and_saying(cue, source, lex):
        return WRITING
    if by_source is not None:
        return by_source
    if by_cue is not None:
        return by_cue
    if st.channel in lex.written_channels:
        return WRITING
    return _around_cue(doc, cue, _span(doc, st.content.spans), lex) or SPEECH
