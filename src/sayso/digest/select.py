"""Which statements a digest is about: full-text search over what was said, with the
archive's speaker, organisation and date filters.

A roundup on "Ukraine NATO membership" wants more than the statements that use all three
words: an analyst who wrote about the issue quoted people who mention only Ukraine, or only
NATO. So a statement is taken when its content matches every word of the query, or when
it matches at least one word that is not common in the archive and its article is on the
issue (the article's statements together match every word); a statement with only common
words comes in when it stands next to one that qualifies (a reply, a follow-up). Each word is asked of the back end's own full-text index (FTS5 or
``tsvector``), so stemming and the query syntax are those of ``sayso search``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.digest.vocab import load_vocab
from sayso.records import Part, Speaker, SpeakerSummary, StatementHit
from sayso.store.search import Query, QueryError, attach_articles, hit, query_terms, trusted_only, where_clauses
from sayso.store.schema import articles, speakers, statements

CHUNK = 500
MAX_TERMS = 12  # each word is one index lookup: a pasted paragraph must not cost hundreds
# A word used by more than this share of all statements ("Clinton" in a 2016 campaign
# archive) says little about the issue: alone it does not bring a statement in.
COMMON_SHARE = 0.05
COMMON_MIN = 20
# ... unless it comes right next to (this many statements from) one on the issue in the
# same article: the reply, the follow-up sentence.
NEIGHBOURS = 2
SKIP_FLAGS = {"nested", "truncated"}


@dataclass(frozen=True)
class Found:
    """A statement a digest may report, as a record: the archive's ``StatementHit`` (its
    speaker the canonical one; its ``to_dict`` is the statement of a JSON digest) and what a
    digest orders, places and phrases it by besides: its place in its article and the
    article's in ingest order, the speaker as the article gave them (``said_by``: the name
    that article used, which tells a name from an organisation's words), the archive's
    speaker (roles, organisation, country, gathered across articles), and
    ``content_shown``, the article's text of merged spans when its content's overlap
    (``digest.build`` sets it)."""

    hit: StatementHit
    position: int
    seq: int
    said_by: Speaker | None = None
    archive: SpeakerSummary | None = None
    content_shown: str | None = None

    # what the pages and the references name
    article_id = property(lambda self: self.hit.article_id)
    local_id = property(lambda self: self.hit.local_id)
    statement_id = property(lambda self: self.hit.statement_id)
    speaker_id = property(lambda self: self.hit.speaker_id)

    @property
    def content(self) -> Part:
        return self.hit.statement.content

    @property
    def cue(self) -> Part:
        return self.hit.statement.cue


@dataclass(frozen=True)
class Selected:
    rows: list[Found]
    terms: tuple[str, ...]


def terms_of(text: str) -> tuple[list[str], list[str]]:
    """(positive terms, exclusions): "quoted phrases" stay whole, stop words go (unless
    nothing else is left), ``-word`` excludes, ``OR`` is ignored (every term is optional); at most ``MAX_TERMS``
    of each."""
    stop = load_vocab().stopwords
    pos: list[str] = []
    neg: list[str] = []
    for kind, words in query_terms(text or ""):
        if kind == "or":
            continue
        term = f'"{" ".join(words)}"' if len(words) > 1 else words[0]
        (neg if kind == "not" else pos).append(term)
    content = [t for t in pos if t.strip('"').lower() not in stop]
    return list(dict.fromkeys(content or pos))[:MAX_TERMS], list(dict.fromkeys(neg))[:MAX_TERMS]


def _matching(conn: Connection, q: Query) -> dict[str, str]:
    """statement id → article id, for every statement matching ``q``."""
    s = statements
    rows = conn.execute(sa.select(s.c.id, s.c.article_id).where(*where_clauses(conn, q)))
    return dict(rows.all())


def select(conn: Connection, text: str, *, speaker: str | None = None, org: str | None = None,
           since: str | None = None, until: str | None = None, limit: int | None = 60,
           include_all: bool = False) -> Selected:
    """The statements a digest on ``text`` reports (at most ``limit``, the most relevant:
    more query words matched first, then newest), trusted ones only unless ``include_all``.
    Raises ``QueryError`` for a query with nothing to search for or a bad date."""
    pos, neg = terms_of(text)
    if not pos:
        raise QueryError(f"nothing to search for in {text!r}")
    base = Query(speaker=speaker, org=org, since=since, until=until, limit=None, include_all=include_all)
    view = [] if include_all else [trusted_only()]
    exclude = " ".join("-" + t for t in neg)
    matched: dict[str, set[str]] = {}
    article_of: dict[str, str] = {}
    for term in pos:
        for sid, aid in _matching(conn, replace(base, text=f"{term} {exclude}".strip())).items():
            matched.setdefault(sid, set()).add(term)
            article_of[sid] = aid
    topic: dict[str, set[str]] = {}
    for sid, ts in matched.items():
        topic.setdefault(article_of[sid], set()).update(ts)
    everything = set(pos)
    df = {t: sum(1 for ts in matched.values() if t in ts) for t in pos}
    total = conn.execute(sa.select(sa.func.count()).select_from(statements).where(*view)).scalar() or 1
    specific = {t for t in pos if df[t] <= max(COMMON_MIN, COMMON_SHARE * total)}
    strong = {sid for sid, ts in matched.items()
              if ts == everything or (topic[article_of[sid]] == everything and ts & specific)}
    weak = {sid for sid, ts in matched.items()
            if sid not in strong and topic[article_of[sid]] == everything}
    rows = [r for r in _rows(conn, sorted(strong | weak)) if reportable(r)]
    near = {(r.article_id, r.position) for r in rows if r.statement_id in strong}
    rows = [r for r in rows if r.statement_id in strong or _next_to(r, near)]
    rows += _lost_neighbours(conn, near, view)
    chosen = {sid: len(ts) + (sid in strong) for sid, ts in matched.items()}
    rows.sort(key=lambda r: (-chosen.get(r.statement_id, 0), r.speaker_id is None, _neg_date(r.hit.said_on),
                             -r.seq, r.position))
    if limit:
        rows = rows[:limit]
    return Selected(rows, tuple(pos))


def _next_to(row: Found, near: set[tuple[str, int]]) -> bool:
    """Within ``NEIGHBOURS`` statements of one on the issue, in the same article."""
    return any((row.article_id, row.position + d) in near for d in range(-NEIGHBOURS, NEIGHBOURS + 1))


def _lost_neighbours(conn: Connection, near: set[tuple[str, int]], view: list) -> list[Found]:
    """Statements whose content was lost in scraping (flagged ``truncated``: the text stops
    after 'wrote that') have no words to match; next to a statement on the issue they are
    part of it all the same, and the digest says that their content is missing."""
    ids_in = sorted({aid for aid, _ in near})
    if not ids_in:
        return []
    ids = [sid for (sid,) in conn.execute(
        sa.select(statements.c.id).where(statements.c.article_id.in_(ids_in), *view))]
    return [r for r in _rows(conn, ids) if "truncated" in r.hit.flags and "nested" not in r.hit.flags
            and _next_to(r, near)]


def reportable(row: Found) -> bool:
    """A statement a digest can report: it has content, and it is not the inner statement of
    a quote (its outer statement reports it) nor a cue without content."""
    return bool(row.hit.content_text.strip()) and not set(row.hit.flags) & SKIP_FLAGS


def _neg_date(day: str | None) -> tuple:
    """Newest first in an ascending sort; undated last."""
    return (day is None, tuple(-ord(c) for c in (day or "")))


def _rows(conn: Connection, ids: list[str]) -> list[Found]:
    """These statements as records, with every article that reports them."""
    s, sp, a = statements, speakers, articles
    out: list[Found] = []
    for i in range(0, len(ids), CHUNK):
        stmt = (
            sa.select(s, sp.c.name.label("speaker_name"), sp.c.kind.label("speaker_kind"),
                      sp.c.descriptors.label("speaker_descriptors"),
                      sp.c.organization.label("speaker_organization"), sp.c.country.label("speaker_country"),
                      a.c.title, a.c.published, a.c.source.label("outlet"), a.c.seq)
            .select_from(s.outerjoin(sp, sp.c.id == s.c.speaker_id).join(a, a.c.id == s.c.article_id))
            .where(s.c.id.in_(ids[i:i + CHUNK]))
        )
        out.extend(_found(r) for r in attach_articles(conn, [dict(r) for r in conn.execute(stmt).mappings()]))
    return out


def _found(row: dict) -> Found:
    """A joined statement row as a record (the article's own speaker record kept apart from
    the canonical one the hit carries)."""
    archive = None
    if row.get("speaker_id"):
        archive = SpeakerSummary(
            id=row["speaker_id"], name=row.get("speaker_name") or "", kind=row.get("speaker_kind") or "",
            descriptors=tuple(row.get("speaker_descriptors") or ()),
            organization=row.get("speaker_organization"), country=row.get("speaker_country"))
    return Found(hit(row), position=row["position"], seq=row["seq"],
                 said_by=Speaker.from_dict(row.get("speaker")), archive=archive)


__all__ = ["Found", "QueryError", "Selected", "select", "terms_of"]
