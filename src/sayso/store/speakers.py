"""One speaker row per person across the archive.

Each article's pipeline gives a speaker an id that is a slug of the fullest name *that
article* gives ("stoltenberg" when it only says "Stoltenberg"). Here those raw ids are
mapped to canonical speakers:

- an organisation or place keeps its own slug;
- a person named in full joins the person of the same surname whose given name agrees
  ("Jens" / "J." / "Jens Stoltenberg" with a middle name) and whose organisation and
  country do not conflict; a different given name is always a different person;
- a bare surname joins the one person of that surname it does not conflict with; with
  two or more candidates it stays a surname-only speaker of its own; and when the first
  full name for a surname arrives, an earlier surname-only speaker is folded into it;
- manual corrections (``merge``: B is A; ``split``: alias X is not S) are stored in
  ``speaker_overrides`` and win over the rules above on every later ingest.

Every function takes an open connection inside the caller's transaction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.resolve.names import slug
from sayso.store.schema import speaker_aliases, speaker_overrides, speakers, statements

SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
MAX_DESCRIPTORS = 25
MAX_ALIASES = 50


class SpeakerError(ValueError):
    """A manual correction that cannot be applied; the message says why."""


def kind_of(raw: dict) -> str:
    """The kind of a speaker record that does not say (one from an older release, or made
    by hand), read from its roles as the resolver fills them: an organisation is its own
    organisation, a place its own country. A record from the resolver says (``Speaker.kind``)."""
    name = raw.get("name") or ""
    if raw.get("organization") and raw["organization"] == name:
        return "organization"
    if raw.get("country") and raw["country"] == name and not raw.get("organization"):
        return "place"
    return "person"


def name_parts(name: str) -> tuple[str | None, str]:
    """(given name or None, surname), as slugs: 'Martin Luther King Jr.' → ('martin', 'king')."""
    words = [slug(w) for w in re.split(r"[\s,]+", name) if w]
    words = [w for w in words if w and w != "unknown"]
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    if not words:
        return None, slug(name)
    if len(words) == 1:
        return None, words[0]
    return words[0], words[-1]


def first_names_agree(a: str, b: str) -> bool:
    """'jens' and 'jens', or an initial and a name it begins ('j' and 'jens')."""
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _differ(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.casefold() != b.casefold())


# Words before an organisation's name that say whose it is, not which one it is.
ORG_QUALIFIERS = re.compile(r"^(?:the\s+)?(?:u\.\s?s\.?|us|united\s+states|american|federal)\s+", re.I)


def org_key(name: str) -> str:
    """The slug an organisation is known by whatever its article's qualifiers: 'the U.S.
    State Department', 'State Department' → 'state-department'."""
    bare = ORG_QUALIFIERS.sub("", name.strip())
    return slug(bare) if len(bare.split()) >= 2 else slug(name)


ROLE_STOPWORDS = frozenset({"the", "of", "and", "for", "a", "an", "to", "in", "on", "at", "his",
                            "her", "former", "then", "current", "new", "u.s."})


def role_words(descriptors) -> set[str]:
    return {w for d in descriptors or () for w in re.findall(r"[a-z][a-z.'-]+", d.lower())
            if w not in ROLE_STOPWORDS and len(w) > 2}


def told_apart(raw: dict, candidates: list) -> list:
    """A bare surname with several people to choose from ('Obama': Barack or Michelle)
    joins the one whose roles share a word with the roles its own article gives ('President
    Obama'); when the article tells nothing, or fits several, all stay candidates."""
    mine = role_words(raw.get("descriptors"))
    if not mine:
        return candidates
    fitting = [r for r in candidates if mine & role_words(r.descriptors)]
    return fitting if len(fitting) == 1 else candidates


@dataclass(frozen=True)
class _Roles:
    """A row as ``told_apart`` reads it, with the roles its own article gives."""

    id: str
    descriptors: tuple[str, ...]


def _with_roles(row: Any, raw: dict) -> _Roles:
    return _Roles(row.id, tuple(row.descriptors or ()) + tuple(raw.get("descriptors") or ()))


def conflicts(raw: dict, row: Any) -> bool:
    """Roles that cannot belong to one person: another organisation or another country."""
    return _differ(raw.get("organization"), row.organization) or _differ(raw.get("country"), row.country)


@dataclass
class Overrides:
    merges: dict[str, str] = field(default_factory=dict)   # alias → target
    splits: set[tuple[str, str]] = field(default_factory=set)  # (alias, not this target)

    @classmethod
    def load(cls, conn: Connection) -> "Overrides":
        o = cls()
        rows = conn.execute(sa.select(speaker_overrides).order_by(speaker_overrides.c.seq))
        for r in rows:
            if r.action == "merge":
                o.merges[r.alias] = r.target
                o.splits.discard((r.alias, r.target))
            elif r.action == "split":
                o.splits.add((r.alias, r.target))
                if o.merges.get(r.alias) == r.target:
                    del o.merges[r.alias]
        return o

    def follow(self, sid: str) -> str:
        seen = {sid}
        while sid in self.merges and self.merges[sid] not in seen:
            sid = self.merges[sid]
            seen.add(sid)
        return sid

    def excluded(self, alias: str) -> set[str]:
        return {t for a, t in self.splits if a == alias}


class SpeakerBook:
    """Maps the speakers of one article to canonical rows, creating and updating them."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.overrides = Overrides.load(conn)

    # ------------------------------------------------------------------ rows
    def row(self, sid: str):
        return self.conn.execute(sa.select(speakers).where(speakers.c.id == sid)).first()

    def _create(self, sid: str, raw: dict, kind: str) -> None:
        first, surname = name_parts(raw.get("name") or sid) if kind == "person" else (None, None)
        self.conn.execute(speakers.insert().values(
            id=sid, name=raw.get("name") or sid, kind=kind, first=first, surname=surname,
            aliases=[], descriptors=[], organization=raw.get("organization"),
            country=raw.get("country"),
        ))

    def _absorb(self, sid: str, raw: dict, kind: str | None = None) -> None:
        """Add what this mention says (name, roles, organisation, country) to the row.

        A row made from an organisation of the very name a person mention bears ('Trump' as
        the tagger's ORG in one article, 'Trump' with 'he' and 'Mr.' in another) becomes a
        person, so the reading does not depend on which article came first. The person
        reading wins because the small model's ORG label is the usual way a person's bare
        surname is misread (Trump, Stumpf, Holt on PolNeAR dev), while an organisation is
        read as a person only when nothing in its article marks it as one. For the same
        reason a person never takes an article's ORG reading of their own name as their
        organisation."""
        row = self.row(sid)
        aliases = list(row.aliases or [])
        descriptors = list(row.descriptors or [])
        changes: dict[str, Any] = {}
        name = raw.get("name")
        becomes_person = (kind == "person" and row.kind == "organization" and row.organization == row.name
                          and row.name.casefold() == (name or "").casefold())
        current = {"organization": row.organization, "country": row.country}
        if becomes_person:
            first, surname = name_parts(row.name)
            changes.update(kind="person", organization=None, first=first, surname=surname)
            current["organization"] = None
        if name and name != row.name and name not in aliases and len(aliases) < MAX_ALIASES:
            changes["aliases"] = aliases + [name]
        new = [d for d in raw.get("descriptors") or () if d not in descriptors]
        if new and len(descriptors) < MAX_DESCRIPTORS:
            changes["descriptors"] = (descriptors + new)[:MAX_DESCRIPTORS]
        own_name_as_org = (becomes_person or row.kind == "person") and raw.get("organization") == name
        for col in ("organization", "country"):
            if col == "organization" and own_name_as_org:
                continue
            if raw.get(col) and not current[col]:
                changes[col] = raw[col]
        if changes:
            self.conn.execute(speakers.update().where(speakers.c.id == sid).values(**changes))

    def _alias(self, alias: str, sid: str) -> None:
        t = speaker_aliases
        cur = self.conn.execute(sa.select(t.c.speaker_id).where(t.c.alias == alias)).scalar()
        if cur is None:
            self.conn.execute(t.insert().values(alias=alias, speaker_id=sid))
        elif cur != sid:
            self.conn.execute(t.update().where(t.c.alias == alias).values(speaker_id=sid))

    def _registered(self, sid: str) -> bool:
        return bool(self.conn.execute(sa.select(speakers.c.registered).where(speakers.c.id == sid)).scalar())

    def _persons(self, surname: str, full: bool):
        q = sa.select(speakers).where(speakers.c.kind == "person", speakers.c.surname == surname)
        q = q.where(speakers.c.first.is_not(None) if full else speakers.c.first.is_(None))
        return self.conn.execute(q.order_by(speakers.c.id)).all()

    # ------------------------------------------------------------------ canonical ids
    def canonical(self, raw: dict, kind: str | None = None) -> str:
        """The canonical speaker id for a speaker record as one article gives it, of the
        ``kind`` the resolver knew (else read from the roles: ``kind_of``)."""
        rid = raw.get("id") or slug(raw.get("name") or "")
        kind = kind or kind_of(raw)
        if rid in self.overrides.merges:
            sid = self.overrides.follow(rid)
            if self.row(sid) is None:
                self._create(sid, raw, kind)
        else:
            sid = self.overrides.follow(self._automatic(rid, raw, kind))
            if self.row(sid) is None:
                self._create(sid, raw, kind)
        self._alias(rid, sid)
        norm = org_key(raw.get("name") or rid) if kind == "organization" else rid
        if norm != rid and self._alias_of(norm) is None:
            self._alias(norm, sid)
        self._absorb(sid, raw, kind)
        return sid

    def _alias_of(self, alias: str) -> str | None:
        return self.conn.execute(
            sa.select(speaker_aliases.c.speaker_id).where(speaker_aliases.c.alias == alias)).scalar()

    def _automatic(self, rid: str, raw: dict, kind: str) -> str:
        known = self.conn.execute(
            sa.select(speaker_aliases.c.speaker_id).where(speaker_aliases.c.alias == rid)
        ).scalar()
        excluded = self.overrides.excluded(rid)
        if known and known not in excluded and self._registered(known):
            return known  # a name the user's registry gives this speaker
        if kind != "person":  # 'the U.S. State Department' is the 'State Department'
            return known or (self._alias_of(org_key(raw.get("name") or rid)) if kind == "organization" else None) or rid
        first, surname = name_parts(raw.get("name") or rid)
        candidates = [
            r for r in self._persons(surname, full=True)
            if r.id not in excluded and not conflicts(raw, r)
            and (first is None or first_names_agree(first, r.first))
        ]
        if first is None:  # a bare surname: the one person it can be, else its own speaker
            if len(candidates) > 1:
                candidates = told_apart(raw, candidates)
            return candidates[0].id if len(candidates) == 1 else rid
        exact = self.row(rid)
        if exact is not None and exact.kind == "person":
            return rid
        if known and known not in excluded:
            return known
        if len(candidates) == 1:
            return candidates[0].id
        # A new person. An earlier surname-only speaker is this person when nobody else
        # bears the surname, or when its roles fit this person alone; and nothing conflicts.
        self._create(rid, raw, kind)
        namesakes = self._persons(surname, full=True)
        for r in self._persons(surname, full=False):
            if rid in self.overrides.excluded(r.id) or conflicts(raw, r):
                continue
            fits = namesakes if len(namesakes) == 1 else told_apart(
                {"descriptors": r.descriptors}, [_with_roles(n, raw) if n.id == rid else n for n in namesakes])
            if len(fits) == 1 and fits[0].id == rid:
                self.repoint(r.id, rid)
        return rid

    # ------------------------------------------------------------------ corrections
    def repoint(self, old: str, new: str) -> int:
        """Everything said by ``old`` is said by ``new``; ``old``'s row is folded in."""
        if old == new:
            return 0
        n = self.conn.execute(
            statements.update().where(statements.c.speaker_id == old).values(speaker_id=new)
        ).rowcount
        self.conn.execute(
            speaker_aliases.update().where(speaker_aliases.c.speaker_id == old).values(speaker_id=new)
        )
        gone = self.row(old)
        if gone is not None:
            target = self.row(new)
            aliases = list(target.aliases or [])
            for name in [gone.name, *(gone.aliases or [])]:
                if name != target.name and name not in aliases:
                    aliases.append(name)
            descriptors = list(target.descriptors or [])
            descriptors += [d for d in gone.descriptors or [] if d not in descriptors]
            self.conn.execute(speakers.update().where(speakers.c.id == new).values(
                aliases=aliases[:MAX_ALIASES], descriptors=descriptors[:MAX_DESCRIPTORS],
                organization=target.organization or gone.organization,
                country=target.country or gone.country,
            ))
            self.conn.execute(speakers.delete().where(speakers.c.id == old))
        return n


def find_speaker(conn: Connection, name_or_id: str) -> str | None:
    """The canonical id for an id, alias or name as a user types it."""
    s = slug(name_or_id)
    sid = conn.execute(sa.select(speaker_aliases.c.speaker_id).where(speaker_aliases.c.alias == s)).scalar()
    if sid:
        return sid
    return conn.execute(sa.select(speakers.c.id).where(
        sa.or_(speakers.c.id == s, sa.func.lower(speakers.c.name) == name_or_id.lower())
    ).order_by(speakers.c.id)).scalar()


def _record(conn: Connection, action: str, alias: str, target: str) -> None:
    seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(speaker_overrides.c.seq), 0))).scalar() + 1
    conn.execute(speaker_overrides.insert().values(seq=seq, action=action, alias=alias, target=target))


def merge(conn: Connection, a: str, b: str) -> tuple[str, str, int]:
    """Speaker ``b`` is the same person as ``a``: (a's id, b's id, statements moved)."""
    aid, bid = find_speaker(conn, a), find_speaker(conn, b)
    for given, found in ((a, aid), (b, bid)):
        if found is None:
            raise SpeakerError(f"no speaker {given!r} in the archive")
    if aid == bid:
        raise SpeakerError(f"{a!r} and {b!r} are already the same speaker ({aid})")
    _record(conn, "merge", bid, aid)
    moved = SpeakerBook(conn).repoint(bid, aid)
    return aid, bid, moved


def split(conn: Connection, speaker: str, alias: str) -> tuple[str, str, int]:
    """The statements ``speaker`` got through ``alias`` (an id some article gave) belong to
    a speaker of their own: (speaker id, new speaker id, statements moved)."""
    sid = find_speaker(conn, speaker)
    if sid is None:
        raise SpeakerError(f"no speaker {speaker!r} in the archive")
    aid = slug(alias)
    owner = conn.execute(sa.select(speaker_aliases.c.speaker_id).where(speaker_aliases.c.alias == aid)).scalar()
    if owner != sid:
        raise SpeakerError(f"{alias!r} is not an alias of {sid}")
    if aid == sid:
        raise SpeakerError(f"{sid} cannot be split from itself; split one of its aliases")
    _record(conn, "split", aid, sid)
    raws = conn.execute(sa.select(statements.c.speaker).where(
        statements.c.speaker_id == sid, statements.c.speaker_raw_id == aid
    ).order_by(statements.c.id)).scalars().all()
    raw = dict(raws[0]) if raws else {"id": aid, "name": alias}
    raw["id"] = aid
    book = SpeakerBook(conn)
    if book.row(aid) is None:
        book._create(aid, raw, book.row(sid).kind)  # of the kind of the speaker it was taken for
    moved = conn.execute(statements.update().where(
        statements.c.speaker_id == sid, statements.c.speaker_raw_id == aid
    ).values(speaker_id=aid)).rowcount
    book._alias(aid, aid)
    for r in raws:
        book._absorb(aid, dict(r))
    row = book.row(sid)
    keep = [n for n in (row.aliases or []) if slug(n) != aid]
    conn.execute(speakers.update().where(speakers.c.id == sid).values(aliases=keep))
    return sid, aid, moved
