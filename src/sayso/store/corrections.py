"""The user's own work on an archive, carried into another before its articles are analysed
again: speaker merges and splits (``speaker_overrides``) and the registry's speakers.

Nothing else in an archive is the user's: statements and the speakers the articles gave are
what sayso derived, and a new analysis derives them again. Corrections go in first, so
every article of the new analysis is stored under them, as a later ingest would be. The
registry is imported as if before the first article; its rows keep the registry's name,
kind, aliases, organisation and Wikidata id, and their descriptors stand for its roles
(importing the registry file again gives its roles exactly). Carrying twice adds nothing,
so a reanalysis that was stopped can be run again.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.records import KnownSpeaker
from sayso.store.registry import import_registry
from sayso.store.schema import speaker_overrides, speakers


@dataclass(frozen=True)
class Carried:
    overrides: int   # merges and splits added to the new archive
    registered: int  # registry speakers created there


def carry_corrections(old: Connection, new: Connection) -> Carried:
    """Copy into ``new`` (inside the caller's transaction) the corrections of ``old`` it
    does not have yet, in the order the user made them."""
    registry = [_entry(r) for r in old.execute(
        sa.select(speakers).where(speakers.c.registered.is_(sa.true())).order_by(speakers.c.id))]
    created = import_registry(new, registry).created if registry else 0
    return Carried(_copy_overrides(old, new), created)


def _entry(row) -> KnownSpeaker:
    person = row.kind == "person"
    return KnownSpeaker(name=row.name, kind="person" if person else "organization",
                        aliases=tuple(a for a in row.aliases or [] if a != row.name),
                        roles=tuple(row.descriptors or []),
                        organization=row.organization if person else None, wikidata=row.wikidata)


def _copy_overrides(old: Connection, new: Connection) -> int:
    o = speaker_overrides.c
    wanted = [(r.action, r.alias, r.target) for r in old.execute(
        sa.select(o.action, o.alias, o.target).order_by(o.seq))]
    have = [(r.action, r.alias, r.target) for r in new.execute(
        sa.select(o.action, o.alias, o.target).order_by(o.seq))]
    seq = new.execute(sa.select(sa.func.coalesce(sa.func.max(o.seq), 0))).scalar()
    added = 0
    for action, alias, target in wanted:
        if (action, alias, target) in have:
            have.remove((action, alias, target))  # one copy per one the user made
            continue
        seq += 1
        added += 1
        new.execute(speaker_overrides.insert().values(seq=seq, action=action, alias=alias, target=target))
    return added
