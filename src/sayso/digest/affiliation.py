"""Where a speaker belongs: a country and an organisation, from what the archive recorded.

The resolver records ``country`` and ``organization`` only when the article spells them
out next to the name, and not always cleanly (a dateline 'WASHINGTON' as an organisation,
a surname as a country). So each value is checked against the vocabulary, and when one is
missing it is read off the speaker's roles as written ('Russian Foreign Ministry
spokeswoman' → Russia; 'NATO Secretary General' → NATO; 'R-Tex.' → Republican Party,
United States) with the data in ``sayso/data/affiliations_en.json``. Nothing here knows any
particular person: the same rules place every speaker of every article.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sayso.digest.vocab import Org, Vocab, load_vocab
from sayso.records import Speaker, SpeakerSummary

OTHER = "Other"
GROUPINGS = ("country", "organization", "speaker")
MAX_ROLE_WORDS = 8  # longer "descriptors" are clauses the resolver caught by mistake
# What is read of a speaker: the article's record or the archive's (name, roles,
# organisation, country); both records name these fields alike.
SpeakerFacts = Speaker | SpeakerSummary


@dataclass(frozen=True)
class Affiliation:
    country: str | None = None
    organization: str | None = None
    international: bool = False  # the organisation belongs to no single country


def _texts(*sources: SpeakerFacts | None) -> list[str]:
    """The organisation and the roles of each speaker record, in order, without repeats."""
    out: list[str] = []
    for src in sources:
        if not src:
            continue
        for t in [src.organization, *(src.descriptors or ())]:
            if t and isinstance(t, str) and t not in out:
                out.append(t)
    return out


def _country(value: str | None, v: Vocab) -> str | None:
    return v.country_of.get(value.strip().lower()) if value else None


def _valid_org(value: str | None, name: str | None, v: Vocab) -> bool:
    """A recorded organisation worth a heading: not a place, not the speaker's own name's
    words, not a dateline."""
    if not value or not value.strip():
        return False
    low = value.strip().lower()
    if low in v.places or low.rstrip(" '’s") in v.places:
        return False
    if name and value != name and low in {w.lower() for w in name.split()}:
        return False
    return any(ch.isalpha() for ch in value)


def _known_org(text: str, v: Vocab) -> Org | None:
    """The first institution of the vocabulary a text names (a party tag 'R-Tex.' names one)."""
    m = v.org_pattern.search(text)
    if m:
        return v.org(m.group(0))
    p = v.party_pattern.search(text)
    if p and v.party_orgs.get(p.group(1)):
        return v.org(v.party_orgs[p.group(1)])
    return None


def affiliation(record: SpeakerFacts | None, row: SpeakerFacts | None = None,
                vocab: Vocab | None = None) -> Affiliation:
    """The country and organisation of a speaker: ``record`` is the speaker as the article
    gave it, ``row`` the archive's canonical speaker, used when the record says nothing."""
    v = vocab or load_vocab()
    if not record and not row:
        return Affiliation()
    texts = _texts(record, row)
    name = (record or row).name

    org, org_name = None, None
    for src in (record, row):  # the organisation as recorded first, then the roles
        if not src:
            continue
        recorded = src.organization
        known = _known_org(recorded, v) if recorded else None
        if known or _valid_org(recorded, name, v):
            org, org_name = known, known.name if known else recorded.strip()
            break
        for t in src.descriptors or ():
            known = _known_org(t, v) if isinstance(t, str) and len(t.split()) <= MAX_ROLE_WORDS else None
            if known:
                org, org_name = known, known.name
                break
        if org_name:
            break

    country = _country(record.country if record else None, v) or _country(row.country if row else None, v)
    if country is None:
        for t in (t for t in texts if len(t.split()) <= MAX_ROLE_WORDS):
            m = v.country_pattern.search(t)
            if m:
                country = _country(m.group(0), v)
                break
            if v.party_pattern.search(t):
                country = v.party_country
                break
    if country is None and org is not None:
        country = org.country
    return Affiliation(country, org_name, bool(org and org.country is None))


def group_name(aff: Affiliation, by: str, speaker_name: str | None = None) -> str:
    """The heading a statement goes under. ``country``: the country, else an international
    organisation (NATO, the UN); ``organization``: the organisation, else the country;
    ``speaker``: the speaker's name. Anything unknown: "Other"."""
    if by == "country":
        return aff.country or (aff.organization if aff.international else None) or OTHER
    if by == "organization":
        return aff.organization or aff.country or OTHER
    if by == "speaker":
        return speaker_name or OTHER
    raise ValueError(f"unknown grouping {by!r} (one of {', '.join(GROUPINGS)})")


def ordered_groups(names: Iterable[str], sizes: dict[str, int]) -> list[str]:
    """Largest group first, then by name; "Other" always last."""
    return sorted(set(names), key=lambda n: (n == OTHER, -sizes.get(n, 0), n.lower()))
