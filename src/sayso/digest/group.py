"""Statements into headed groups (by country, organisation or speaker), each in date order,
each turned into its line.

A speaker is placed once for the whole digest: their statements' affiliations are counted
and the commonest heading wins, so that a person described as 'former secretary of State'
in one article and 'Democratic nominee' in another is not split across two headings.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sayso.digest import dates
from sayso.digest.affiliation import OTHER, affiliation, group_name, ordered_groups
from sayso.digest.lines import Line, descriptor, make_line, speaker_phrase
from sayso.digest.vocab import load_vocab


@dataclass
class Entry:
    row: dict
    name: str          # the speaker as named (canonical name, else the source as written)
    group: str
    sort: str          # ISO date for ordering
    line: Line | None = None


@dataclass
class Group:
    name: str
    entries: list[Entry] = field(default_factory=list)


def speaker_name(row: dict) -> str | None:
    """The canonical name, else the article's, else the source as written unless it is a
    pronoun (a statement nobody can be named for is left out)."""
    rec = row.get("speaker") or {}
    name = row.get("speaker_name") or rec.get("name")
    if name:
        return name
    src = " ".join(((row.get("source") or {}).get("text") or "").split())
    return src if src and names_someone(src) else None


def names_someone(source: str) -> bool:
    """A source with no resolved speaker is still worth a line when it names someone
    ('Democrats', 'Clinton spokesman Nick Merrill', 'officials'), not when it is a pronoun
    or a thing ('The ad', 'sources who reviewed them')."""
    v = load_vocab()
    words = source.split()
    if not words or len(words) > 6 or source.lower() in v.pronouns:
        return False
    content = [w for w in words if w.lower() not in v.stopwords and w.lower() not in v.pronouns]
    return any(w[:1].isupper() or w.lower() in v.title_words for w in content)


def _row_speaker(row: dict) -> dict | None:
    if not row.get("speaker_id"):
        return None
    return {"name": row.get("speaker_name"), "descriptors": row.get("speaker_descriptors") or [],
            "organization": row.get("speaker_organization"), "country": row.get("speaker_country")}


def entries(rows: list[dict], by: str) -> list[Entry]:
    """An entry per attributable statement, with its group (majority per speaker)."""
    out: list[Entry] = []
    votes: dict[str, Counter] = {}
    for r in rows:
        name = speaker_name(r)
        if name is None:
            continue
        record = r.get("speaker") or ({"name": name, "descriptors": [name]} if not r.get("speaker_id") else None)
        aff = affiliation(record, _row_speaker(r))
        if not r.get("speaker_id") and name.lower() in load_vocab().places:  # 'Jordan' the surname
            aff = replace(aff, country=None)
        g = group_name(aff, by, r.get("speaker_name") or name)
        key = r.get("speaker_id") or "source:" + name.lower()
        votes.setdefault(key, Counter())[g] += 1
        out.append(Entry(r, name, g, dates.sort_key(r.get("date"), r.get("published"))))
    for e in out:
        key = e.row.get("speaker_id") or "source:" + e.name.lower()
        ranked = votes[key].most_common()
        best = [g for g, n in ranked if n == ranked[0][1]]
        e.group = next((g for g in best if g != OTHER), best[0])
    return out


def grouped(items: list[Entry]) -> list[Group]:
    """Groups in heading order, entries by date (then article, then position), each with
    its line; a speaker's role is given the first time the digest names them."""
    v = load_vocab()
    sizes = Counter(e.group for e in items)
    groups = {n: Group(n) for n in ordered_groups(sizes, sizes)}
    for e in sorted(items, key=lambda e: (e.sort, e.row.get("seq", 0), e.row.get("position", 0))):
        groups[e.group].entries.append(e)
    introduced: set[str] = set()
    for g in groups.values():
        for e in g.entries:
            key = e.row.get("speaker_id") or e.name
            role = None
            if key not in introduced and e.row.get("speaker_id"):
                role = descriptor(e.row.get("speaker"), e.row.get("speaker_descriptors"), e.name, v)
            introduced.add(key)
            content = (e.row.get("content_shown") or (e.row.get("content") or {}).get("text")
                       or e.row.get("content_text") or "")
            e.line = make_line(kind=e.row["kind"], cue=(e.row.get("cue") or {}).get("text") or "",
                               content=content, speaker=speaker_phrase(e.name, role),
                               date=e.row.get("date"), published=e.row.get("published"), vocab=v)
    return list(groups.values())
