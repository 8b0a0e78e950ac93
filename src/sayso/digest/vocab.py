"""The digest's word lists, loaded once from ``sayso/data``: what a country, an organisation,
a title word or a stop word is. Kept as data so that a new institution or a new way of
phrasing a cue is a one-line change to a JSON file, never a branch in the code."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from sayso.resolve.rules import load_rules


def _load(name: str) -> dict:
    return json.loads(resources.files("sayso.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Org:
    name: str
    country: str | None  # None: international (NATO, the UN, the EU)


@dataclass(frozen=True)
class Vocab:
    country_of: dict[str, str]        # country name, alias, demonym or region (lower) -> country
    places: frozenset[str]            # lower-case names of countries, regions and cities
    orgs: dict[str, Org]              # a name of an organisation (lower) -> the organisation
    country_pattern: re.Pattern
    org_pattern: re.Pattern
    party_pattern: re.Pattern
    party_orgs: dict[str, str | None]
    party_country: str
    stopwords: frozenset[str]
    title_words: frozenset[str]
    descriptor_enders: frozenset[str]
    according_cues: frozenset[str]
    cue_trailers: tuple[str, ...]
    months: tuple[str, ...]
    pronouns: frozenset[str]
    lost_content: str = "(the rest of this statement is missing from the source text)"

    def org(self, name: str) -> Org | None:
        return self.orgs.get(name.lower())


def _names_pattern(names: list[str]) -> re.Pattern:
    """One alternation over ``names``, longest first, as whole words. Names of three
    characters or fewer ('US', 'UN', 'EU', 'WHO') only match as written, in capitals, so
    that the pronoun 'us' or the word 'who' never counts as a country or an organisation."""
    long = sorted({n for n in names if len(n) > 3}, key=len, reverse=True)
    short = sorted({n.upper() for n in names if len(n) <= 3}, key=len, reverse=True)
    alts = [f"(?i:{re.escape(n)})" for n in long] + [re.escape(n) for n in short]
    return re.compile(r"(?<![\w.-])(?:" + "|".join(alts) + r")(?![\w-])")


@functools.lru_cache(maxsize=1)
def load_vocab() -> Vocab:
    rules = load_rules()
    aff = _load("affiliations_en.json")
    dig = _load("digest_en.json")
    country_of = dict(rules.country_alias)
    for country, regions in aff["regions"].items():
        for r in regions:
            country_of.setdefault(r.lower(), country)
    orgs: dict[str, Org] = {}
    for name, spec in aff["organizations"].items():
        org = Org(name, spec.get("country"))
        for n in [name, *spec.get("names", [])]:
            orgs.setdefault(n.lower(), org)
    modifiers = frozenset(dig["modifiers"])
    title_words = (rules.role_words | rules.person_nouns) - modifiers
    codes = "".join(sorted(aff["party_codes"]))
    return Vocab(
        country_of=country_of,
        places=frozenset(country_of) | rules.cities,
        orgs=orgs,
        country_pattern=_names_pattern(list(country_of)),
        org_pattern=_names_pattern([n for n in orgs]),
        party_pattern=re.compile(rf"(?<![\w-])([{codes}])-[A-Z][A-Za-z.]*"),
        party_orgs=dict(aff["party_codes"]),
        party_country=aff["party_code_country"],
        stopwords=frozenset(dig["stopwords"]),
        title_words=frozenset(title_words),
        descriptor_enders=frozenset(dig["descriptor_enders"]),
        according_cues=frozenset(dig["according_cues"]),
        cue_trailers=tuple(sorted(dig["cue_trailers"], key=len, reverse=True)),
        months=tuple(dig["months"]),
        lost_content=dig.get("lost_content", Vocab.lost_content),
        pronouns=frozenset(rules.male_pronouns | rules.female_pronouns | rules.first_singular
                           | rules.first_plural | rules.plural_pronouns | rules.relative_pronouns
                           | {"it", "its", "this", "that"}),
    )
