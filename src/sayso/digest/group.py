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
from sayso.digest.select import Found
from sayso.digest.vocab import load_vocab
from sayso.records import Speaker


@dataclass
class Entry:
    row: Found
    name: str          # the speaker as named (canonical name, else the source as written)
    group: str
    sort: str          # ISO date for ordering
    line: Line | None = None


@dataclass
class Group:
    name: str
    entries: list[Entry] = field(default_factory=list)


def speaker_name(row: Found) -> str | None:
    """The canonical name, else the article's, else the source as written unless it is a
    pronoun (a statement nobody can be named for is left out)."""
    name = (row.archive.name if row.archive else None) or (row.said_by.name if row.said_by else None)
    if name:
        return name
    source = row.hit.source
    src = " ".join(((source.text if source else None) or "").split())
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


def _said_by(row: Found, name: str) -> Speaker | None:
    """The speaker as the article gave them; for a source nobody resolved, its own words
    are its name and its only role ('Russian officials' places itself)."""
    if row.said_by:
        return row.said_by
    return Speaker(name, id="", descriptors=(name,)) if not row.speaker_id else None


def entries(rows: list[Found], by: str) -> list[Entry]:
    """An entry per attributable statement, with its group (majority per speaker)."""
    out: list[Entry] = []
    votes: dict[str, Counter] = {}
    for r in rows:
        name = speaker_name(r)
        if name is None:
            continue
        aff = affiliation(_said_by(r, name), r.archive if r.speaker_id else None)
        if not r.speaker_id and name.lower() in load_vocab().places:  # 'Jordan' the surname
            aff = replace(aff, country=None)
        g = group_name(aff, by, (r.archive.name if r.archive else None) or name)
        key = r.speaker_id or "source:" + name.lower()
        votes.setdefault(key, Counter())[g] += 1
        out.append(Entry(r, name, g, dates.sort_key(r.hit.statement.date, r.hit.published)))
    for e in out:
        key = e.row.speaker_id or "source:" + e.name.lower()
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
    for e in sorted(items, key=lambda e: (e.sort, e.row.seq, e.row.position)):
        groups[e.group].entries.append(e)
    introduced: set[str] = set()
    for g in groups.values():
        for e in g.entries:
            r = e.row
            key = r.speaker_id or e.name
            role = None
            if key not in introduced and r.speaker_id:
                role = descriptor(r.said_by, r.archive.descriptors if r.archive else None, e.name, v)
            introduced.add(key)
            content = r.content_shown or r.content.text or ""
            e.line = make_line(kind=r.hit.kind, cue=r.cue.text or "", content=content,
                               speaker=speaker_phrase(e.name, role), date=r.hit.statement.date,
                               published=r.hit.published, vocab=v)
    return list(groups.values())
