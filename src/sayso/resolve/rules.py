"""The resolver's word lists, loaded once from ``sayso/data/*.json``.

Resolution is rule-based and the rules are mostly vocabulary (pronoun genders, role
words, event nouns, platforms, countries). Keeping that vocabulary in data files means
a new title or platform is a one-line data change with no code to review, and another
language is another set of files.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


def _load(name: str) -> dict:
    return json.loads(resources.files("sayso.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rules:
    male_pronouns: frozenset[str]
    female_pronouns: frozenset[str]
    first_singular: frozenset[str]
    first_plural: frozenset[str]
    plural_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    honorifics: dict[str, str | None]
    title_abbreviations: dict[str, str]
    role_words: frozenset[str]
    org_words: frozenset[str]
    body_words: frozenset[str]        # 'Miami-Dade Police' is a body, not a place
    programme_words: frozenset[str]   # 'The Dan Wootton Interview' is his show
    name_particles: frozenset[str]
    name_suffixes: frozenset[str]
    descriptor_prefixes: frozenset[str]
    male_nouns: frozenset[str]
    female_nouns: frozenset[str]
    person_nouns: frozenset[str]
    role_synonyms: dict[str, tuple[str, ...]]
    org_nouns: dict[str, str]
    org_noun_synonyms: dict[str, tuple[str, ...]]
    media_words: frozenset[str]
    artifact_nouns: frozenset[str]
    authored_nouns: dict[str, str]    # a made thing → its group ('survey' → 'poll')
    relational_nouns: frozenset[str]  # 'his lawyer' is never he
    parties: dict[str, str]           # party word → party
    reaction_nouns: frozenset[str]
    platforms: dict[str, str]
    media_nouns: frozenset[str]
    media_outlets: frozenset[str]
    event_nouns: frozenset[str]
    date_anaphora: tuple[str, ...]
    date_anaphora_offsets: dict[str, int]
    duration_units: frozenset[str]
    date_anchors: frozenset[str]
    sentence_openers: frozenset[str]
    byline_prefixes: tuple[str, ...]
    male_names: frozenset[str]
    female_names: frozenset[str]
    country_alias: dict[str, str]  # alias or demonym (lower) -> country name
    cities: frozenset[str]

    def gender_of_word(self, word: str) -> str | None:
        """'male' / 'female' for a pronoun, honorific, gendered noun or given name."""
        w = word.lower()
        if w in self.male_pronouns or w in self.male_nouns or w in self.male_names:
            return "male"
        if w in self.female_pronouns or w in self.female_nouns or w in self.female_names:
            return "female"
        return self.honorifics.get(w)

    def is_place(self, text: str) -> bool:
        t = text.lower().strip()
        return t in self.country_alias or t in self.cities

    def name_kind(self, words: list[str], tagged_org: bool) -> str:
        """'org' or 'place' for a name the tagger labelled: a known country or city is a
        place whatever the label; a name ending in a body word is an organisation."""
        if self.is_place(" ".join(words)):
            return "place"
        return "org" if tagged_org or words[-1].lower() in self.body_words else "place"


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    r = _load("resolve_en.json")
    names = _load("names_en.json")
    places = _load("places_en.json")
    p = r["pronouns"]
    alias = {}
    for country, aliases in places["countries"].items():
        alias[country.lower()] = country
        for a in aliases:
            alias[a] = country
    fs = frozenset
    return Rules(
        male_pronouns=fs(p["male"]), female_pronouns=fs(p["female"]),
        first_singular=fs(p["first_singular"]), first_plural=fs(p["first_plural"]),
        plural_pronouns=fs(p["plural"]), relative_pronouns=fs(p["relative"]),
        honorifics=dict(r["honorifics"]), title_abbreviations=dict(r["title_abbreviations"]),
        role_words=fs(r["role_words"]) | fs(r["title_abbreviations"]) | fs(r["honorifics"]),
        org_words=fs(r["org_words"]), body_words=fs(r["body_words"]["words"]),
        programme_words=fs(r["programme_words"]["words"]),
        name_particles=fs(r["name_particles"]),
        name_suffixes=fs(r["name_suffixes"]), descriptor_prefixes=fs(r["descriptor_prefixes"]),
        male_nouns=fs(r["gendered_nouns"]["male"]), female_nouns=fs(r["gendered_nouns"]["female"]),
        person_nouns=fs(r["person_nouns"]),
        role_synonyms={k: tuple(v) for k, v in r["role_synonyms"].items()},
        org_nouns=dict(r["org_nouns"]), media_words=fs(r["media_words"]),
        org_noun_synonyms={k: tuple(v) for k, v in r["org_noun_synonyms"].items()},
        artifact_nouns=fs(r["artifact_nouns"]), authored_nouns=dict(r["authored_nouns"]),
        relational_nouns=fs(r["relational_nouns"]), parties=dict(r["parties"]),
        reaction_nouns=fs(r["reaction_nouns"]),
        platforms=dict(r["channels"]["platforms"]), media_nouns=fs(r["channels"]["media_nouns"]),
        media_outlets=fs(r["channels"]["media_outlets"]), event_nouns=fs(r["event_nouns"]),
        date_anaphora=tuple(sorted(r["date_anaphora"], key=len, reverse=True)),
        date_anaphora_offsets=dict(r["date_anaphora_offsets"]),
        duration_units=fs(r["duration_units"]), date_anchors=fs(r["date_anchors"]),
        sentence_openers=fs(r["sentence_openers"]), byline_prefixes=tuple(r["byline_prefixes"]),
        male_names=fs(names["male"]), female_names=fs(names["female"]),
        country_alias=alias, cities=fs(places["cities"]),
    )
