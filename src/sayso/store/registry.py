"""A user's registry in the archive: each entry becomes a canonical speaker.

The entry's name is the speaker's id (its slug) and spelling; every alias becomes an alias
row, so a later ingest that names the person that way ("Stoltenberg") joins them, and a
speaker already stored under an alias is folded in. Roles come first among the speaker's
descriptors; the Wikidata id is kept. The user's own corrections stay authoritative: an
alias the user split off the speaker, or merged into another one, is left where the user
put it and reported. Importing the same file again changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.records import KnownSpeaker
from sayso.resolve.names import slug
from sayso.store.schema import speaker_aliases, speakers
from sayso.store.speakers import MAX_ALIASES, MAX_DESCRIPTORS, SpeakerBook, name_parts


@dataclass
class RegistryImport:
    created: int = 0
    updated: int = 0
    aliases: int = 0
    moved: int = 0                                      # statements now said by a registry speaker
    kept: list[str] = field(default_factory=list)      # aliases the user's corrections keep elsewhere


def import_registry(conn: Connection, entries: Iterable[KnownSpeaker]) -> RegistryImport:
    """Store the entries (inside the caller's transaction)."""
    book = SpeakerBook(conn)
    out = RegistryImport()
    for entry in entries:
        sid = book.overrides.follow(slug(entry.name))
        if book.row(sid) is None:
            _create(conn, sid, entry)
            out.created += 1
        elif _update(conn, book.row(sid), entry):
            out.updated += 1
        book._alias(sid, sid)
        for name in entry.aliases:
            alias = slug(name)
            if not alias or alias == sid:
                continue
            if sid in book.overrides.excluded(alias) or book.overrides.follow(alias) not in (alias, sid):
                out.kept.append(f"{name} ({entry.name})")
                continue
            before = conn.execute(sa.select(speaker_aliases.c.speaker_id)
                                  .where(speaker_aliases.c.alias == alias)).scalar()
            book._alias(alias, sid)
            out.aliases += before != sid
            if book.row(alias) is not None:
                out.moved += book.repoint(alias, sid)
    return out


def _create(conn: Connection, sid: str, entry: KnownSpeaker) -> None:
    first, surname = name_parts(entry.name) if entry.kind == "person" else (None, None)
    conn.execute(speakers.insert().values(
        id=sid, name=entry.name, kind=entry.kind, first=first, surname=surname,
        aliases=list(entry.aliases)[:MAX_ALIASES], descriptors=list(entry.roles)[:MAX_DESCRIPTORS],
        organization=entry.organization if entry.kind == "person" else entry.name,
        country=None, wikidata=entry.wikidata, registered=True,
    ))


def _update(conn: Connection, row, entry: KnownSpeaker) -> bool:
    """The registry's spelling, kind and roles win; what the articles added stays."""
    aliases = list(row.aliases or [])
    for name in (row.name, *entry.aliases):
        if name != entry.name and name not in aliases:
            aliases.append(name)
    descriptors = list(entry.roles) + [d for d in row.descriptors or [] if d not in entry.roles]
    first, surname = name_parts(entry.name) if entry.kind == "person" else (None, None)
    values = dict(name=entry.name, kind=entry.kind, first=first, surname=surname,
                  aliases=aliases[:MAX_ALIASES], descriptors=descriptors[:MAX_DESCRIPTORS],
                  organization=(entry.organization or row.organization) if entry.kind == "person" else entry.name,
                  wikidata=entry.wikidata or row.wikidata, registered=True)
    if all(getattr(row, k) == v for k, v in values.items()):
        return False
    conn.execute(speakers.update().where(speakers.c.id == row.id).values(**values))
    return True
