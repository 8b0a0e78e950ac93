"""The output contract of ``../shared/docs/statement-schema.md`` as plain records.

This is the only module that spells out field names: every other stage builds these
records and every writer serialises them through ``to_dict``, so the contract cannot
drift between the CLI, the archive and the web app.

Two families: the contract itself (``Part``, ``Speaker``, ``Statement``, ``Article``) and
the archive's views of it, which store, browse, search, digests and the front ends pass
between them (``StatementHit``, ``StoredStatement``, ``StoredArticle``, ``SpeakerSummary``,
``ArticleSummary``, ``Timeline``, ``Reaction``, ``GraphNode``, ...).
``tests/web/test_models.py`` checks the API's models against both.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

Span = tuple[int, int]

KINDS = ("direct", "indirect", "mixed")
SPEAKER_KINDS = ("person", "organization", "place")
# What kind of attribution a statement is (PARC 3.0's types, finer: docs/trust.md).
TYPES = ("speech", "writing", "thought", "knowledge", "intention", "evidence")



@dataclass(frozen=True)
class Document:
    """Text as read from disk, with whatever metadata the reader found."""

    text: str
    id: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None  # the outlet (publisher, site, feed), kept by the archive


@dataclass(frozen=True)
class Part:
    """A cue, source or content: one or more ``[start, end)`` spans into the input."""

    text: str
    spans: tuple[Span, ...]

    @classmethod
    def from_spans(cls, text: str, spans: Iterable[Span]) -> "Part":
        """Build a part whose ``text`` is, by construction, the slices joined by a space.
        Spans that overlap are one span: two stages that both bound a quote must not give
        its words twice."""
        merged: list[list[int]] = []
        for s, e in sorted((int(s), int(e)) for s, e in spans if e > s):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        ordered = tuple((s, e) for s, e in merged)
        return cls(" ".join(text[s:e] for s, e in ordered), ordered)

    @property
    def start(self) -> int:
        return self.spans[0][0] if self.spans else -1

    @property
    def end(self) -> int:
        return self.spans[-1][1] if self.spans else -1

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [list(s) for s in self.spans]}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Part | None":
        if not d:
            return None
        return cls(d["text"], tuple(tuple(s) for s in d["spans"]))


@dataclass(frozen=True)
class Speaker:
    """The person (or organisation, or place) a source resolves to, as the article names them.

    ``kind`` is what the resolver knew (one of ``SPEAKER_KINDS``), so that the archive need
    not guess it from the roles; None for a speaker read from a record that does not say.
    It is not in ``to_dict``: the schema's speaker record has no such field, and the output
    stays what it was."""

    name: str
    id: str
    descriptors: tuple[str, ...] = ()
    organization: str | None = None
    country: str | None = None
    resolved_via: str = "name"  # name | pronoun | nominal | title
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "descriptors": list(self.descriptors),
            "organization": self.organization,
            "country": self.country,
            "resolved_via": self.resolved_via,
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "Speaker | None":
        if not d:
            return None
        return cls(
            d["name"], d["id"], tuple(d.get("descriptors") or ()), d.get("organization"),
            d.get("country"), d.get("resolved_via", "name"), d.get("kind"),
        )


@dataclass(frozen=True)
class Statement:
    id: str
    kind: str
    cue: Part
    content: Part
    source: Part | None = None
    type: str = "speech"
    speaker: Speaker | None = None
    date: str | None = None
    place: str | None = None
    event: str | None = None
    channel: str | None = None
    responds_to: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    confidence: float = 0.5

    def with_(self, **changes: Any) -> "Statement":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "type": self.type,
            "cue": self.cue.to_dict(),
            "source": self.source.to_dict() if self.source else None,
            "content": self.content.to_dict(),
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "date": self.date,
            "place": self.place,
            "event": self.event,
            "channel": self.channel,
            "responds_to": list(self.responds_to),
            "flags": list(self.flags),
            "confidence": round(self.confidence, 3),
        }

    def to_attribution(self) -> dict[str, list[list[int]]]:
        """The evaluation shape read by ``../shared/eval/score.py``."""
        return {
            "cue": [list(s) for s in self.cue.spans],
            "source": [list(s) for s in self.source.spans] if self.source else [],
            "content": [list(s) for s in self.content.spans],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Statement":
        return cls(
            id=d["id"], kind=d["kind"], type=d.get("type") or "speech", cue=Part.from_dict(d["cue"]),
            content=Part.from_dict(d["content"]) or Part("", ()),
            source=Part.from_dict(d.get("source")), speaker=Speaker.from_dict(d.get("speaker")),
            date=d.get("date"), place=d.get("place"), event=d.get("event"),
            channel=d.get("channel"), responds_to=tuple(d.get("responds_to") or ()),
            flags=tuple(d.get("flags") or ()), confidence=float(d.get("confidence", 0.5)),
        )


@dataclass(frozen=True)
class Article:
    id: str
    statements: tuple[Statement, ...] = ()
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    url: str | None = None
    language: str = "en"
    skipped: str | None = None  # why an article has no statements by design (a language sayso does not read)
    headings: tuple[Part, ...] = ()  # section headings the layout shows, when found
    lead: Part | None = None         # the lead paragraph, when found
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # fields a later stage adds

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id,
            "title": self.title,
            "published": self.published,
            "byline": self.byline,
            "url": self.url,
            "language": self.language,
            "skipped": self.skipped,
            "statements": [s.to_dict() for s in self.statements],
        }
        if self.headings:  # optional: a record without them is what it always was
            d["headings"] = [h.to_dict() for h in self.headings]
        if self.lead is not None:
            d["lead"] = self.lead.to_dict()
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Article":
        """The record ``to_dict`` gave (fields it does not know go to ``extra``)."""
        known = {"id", "statements", "title", "published", "byline", "url", "language", "skipped",
                 "headings", "lead"}
        return cls(
            id=d["id"], statements=tuple(Statement.from_dict(s) for s in d.get("statements") or ()),
            title=d.get("title"), published=d.get("published"), byline=d.get("byline"),
            url=d.get("url"), language=d.get("language") or "en", skipped=d.get("skipped"),
            headings=tuple(Part.from_dict(h) for h in d.get("headings") or ()),
            lead=Part.from_dict(d.get("lead")),
            extra={k: v for k, v in d.items() if k not in known},
        )

    def to_attributions(self) -> dict[str, Any]:
        """Nested statements stay inside their outer content, as PolNeAR annotates them."""
        return {
            "id": self.id,
            "attributions": [s.to_attribution() for s in self.statements if "nested" not in s.flags],
        }


@dataclass(frozen=True)
class KnownSpeaker:
    """A person or organisation from a user's registry (``sayso speakers import``): the
    names articles may use for them, their roles, and an optional Wikidata id."""

    name: str
    kind: str = "person"  # person | organization
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    organization: str | None = None
    wikidata: str | None = None  # 'Q42'


@dataclass(frozen=True)
class SpeakerSummary:
    """A speaker as the archive knows them across articles: the canonical id and name, the
    names articles gave (``aliases``), their roles, and their statements and articles
    counted in the view asked for. An archive view, not part of the statement schema."""

    id: str
    name: str
    kind: str  # person | organization | place
    aliases: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    organization: str | None = None
    country: str | None = None
    statements: int = 0
    articles: int = 0
    wikidata: str | None = None  # from the user's registry ('Q57269')

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases),
            "descriptors": list(self.descriptors), "organization": self.organization,
            "country": self.country, "statements": self.statements, "articles": self.articles,
            "wikidata": self.wikidata,
        }


@dataclass(frozen=True)
class StatementHit:
    """A stored statement as a search finds it: the statement as its first article gives it
    (its speaker carrying the archive's canonical id and name), where it was reported,
    whether the trusted view shows it, and what a list of results shows of its article.
    An archive view; ``to_dict`` is the statement record plus ``trusted``, ``article_id``,
    ``article_ids`` and ``statement_id``, as the API and ``sayso search`` give it."""

    statement: Statement
    statement_id: str          # the archive's key ("article#local id" of its first article)
    article_id: str            # the first article that reported it
    article_ids: tuple[str, ...] = ()  # every article that reports it, in ingest order
    trusted: bool = True
    said_on: str | None = None  # the statement's date when complete, else its article's
    title: str | None = None
    published: str | None = None
    outlet: str | None = None

    # what a result line shows, by the names the pages use
    @property
    def local_id(self) -> str:
        return self.statement.id

    @property
    def kind(self) -> str:
        return self.statement.kind

    @property
    def type(self) -> str:
        return self.statement.type

    @property
    def flags(self) -> tuple[str, ...]:
        return self.statement.flags

    @property
    def cue(self) -> Part:
        return self.statement.cue

    @property
    def source(self) -> Part | None:
        return self.statement.source

    @property
    def speaker(self) -> Speaker | None:
        return self.statement.speaker

    @property
    def speaker_id(self) -> str | None:
        return self.statement.speaker.id if self.statement.speaker else None

    @property
    def speaker_name(self) -> str | None:
        return self.statement.speaker.name if self.statement.speaker else None

    @property
    def content_text(self) -> str:
        return self.statement.content.text

    def to_dict(self) -> dict[str, Any]:
        return {**self.statement.to_dict(), "trusted": self.trusted, "article_id": self.article_id,
                "article_ids": list(self.article_ids), "statement_id": self.statement_id}


class _StatementFields:
    """The statement's own fields read through a record that wraps one (``statement``), so
    that the pages and ``render.highlighted`` read a stored statement as they read a
    statement."""

    statement: Statement

    id = property(lambda self: self.statement.id)
    kind = property(lambda self: self.statement.kind)
    type = property(lambda self: self.statement.type)
    cue = property(lambda self: self.statement.cue)
    source = property(lambda self: self.statement.source)
    content = property(lambda self: self.statement.content)
    speaker = property(lambda self: self.statement.speaker)
    date = property(lambda self: self.statement.date)
    place = property(lambda self: self.statement.place)
    event = property(lambda self: self.statement.event)
    channel = property(lambda self: self.statement.channel)
    responds_to = property(lambda self: self.statement.responds_to)
    flags = property(lambda self: self.statement.flags)
    confidence = property(lambda self: self.statement.confidence)


@dataclass(frozen=True)
class StoredStatement(_StatementFields):
    """A statement as one stored article reports it: the record with that article's own
    spans (its speaker carrying the archive's canonical id and name), the archive's key,
    every article that reports it and whether the trusted view shows it. An archive view;
    ``to_dict`` is the statement record plus ``trusted``, ``statement_id`` and
    ``article_ids`` (no ``article_id``: the article is the one it is read in)."""

    statement: Statement
    statement_id: str
    article_ids: tuple[str, ...] = ()
    trusted: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {**self.statement.to_dict(), "statement_id": self.statement_id,
                "article_ids": list(self.article_ids), "trusted": self.trusted}


@dataclass(frozen=True)
class StoredArticle:
    """An article as the archive holds it: the article record's metadata, its ``text``
    exactly as stored (every span indexes it), the ``outlet``, the statements it reports in
    the view asked for (text order) and how many the trusted view leaves out (``hidden``).
    An archive view, given by the article page, ``/api/articles/…`` and ``sayso show``."""

    id: str
    text: str
    statements: tuple[StoredStatement, ...] = ()
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    url: str | None = None
    language: str = "en"
    skipped: str | None = None
    outlet: str | None = None
    hidden: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "published": self.published, "byline": self.byline,
            "url": self.url, "language": self.language, "skipped": self.skipped, "outlet": self.outlet,
            "text": self.text, "statements": [s.to_dict() for s in self.statements], "hidden": self.hidden,
        }


def content_id(text: str) -> str:
    """An article id for inputs that bring none: stable across runs and machines."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class WeekCount:
    """How many statements a speaker made in one week (``week``: its Monday, ISO)."""

    week: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week, "count": self.count}


@dataclass(frozen=True)
class Timeline:
    """A speaker's statements per week, consecutive weeks (empty ones filled in), and how
    many carry no date at all: the speaker page's chart and ``/api/speakers/{id}``."""

    weeks: tuple[WeekCount, ...] = ()
    undated: int = 0


@dataclass(frozen=True)
class ArticleSummary:
    """An article as the list of articles shows it: its metadata, the ``outlet``, and how
    many ``statements`` its page shows in the view asked for. An archive view."""

    id: str
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    statements: int = 0
    language: str = "en"
    skipped: str | None = None


@dataclass(frozen=True)
class ReactionTarget:
    """Someone a statement reacts to: the archive's speaker and the statement's local id."""

    speaker_id: str
    speaker_name: str | None
    local_id: str


@dataclass(frozen=True)
class Reaction:
    """A statement that responds to another in the same article (``responds_to``: the
    local ids it answers), with who made it and, on the reacting speaker's side, whom it
    answers (``targets``). An archive view for the speaker page and its API record."""

    article_id: str
    statement_id: str
    statement: Statement
    responds_to: tuple[str, ...]
    speaker_id: str | None = None
    speaker_name: str | None = None
    targets: tuple[ReactionTarget, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "statement_id": self.statement_id,
                "statement": self.statement.to_dict(), "speaker_id": self.speaker_id,
                "speaker_name": self.speaker_name, "responds_to": list(self.responds_to)}


@dataclass(frozen=True)
class Reactions:
    """Both sides of a speaker's exchanges: who reacts to them, and whom they react to."""

    reactions: tuple[Reaction, ...] = ()
    reacts_to: tuple[Reaction, ...] = ()


@dataclass(frozen=True)
class GraphNode:
    """A speaker in a reaction graph, with the group its colour stands for (country or bloc)."""

    id: str
    name: str
    group: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "group": self.group}


@dataclass(frozen=True)
class GraphEvidence:
    """A statement that draws an edge: where it is, and ``via`` how it points at the other
    speaker ("responds_to" a statement of theirs, or "names" them in its content)."""

    article_id: str
    local_id: str
    statement_id: str
    via: str

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "local_id": self.local_id,
                "statement_id": self.statement_id, "via": self.via}
