"""Questions to the archive: full-text search with filters, newest first; statement records.

Text search uses the back end's own engine: FTS5 (porter stemmer) on SQLite, ``tsvector``
with ``websearch_to_tsquery('english', …)`` on PostgreSQL. Words are ANDed; "a phrase" in
double quotes must appear as written (modulo stemming); ``-word`` excludes; ``OR`` between
two words accepts either. Every value reaches the database as a bound parameter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.records import KINDS, TYPES, Statement, StatementHit
from sayso.resolve.names import slug
from sayso.store.schema import articles, speaker_aliases, speakers, statement_articles, statements

FTS = sa.table("statements_fts", sa.column("statement_id"), sa.column("content"))
PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class QueryError(ValueError):
    """A search the archive cannot answer as asked (bad date, unknown kind)."""


@dataclass(frozen=True)
class Query:
    text: str | None = None
    speaker: str | None = None
    org: str | None = None
    since: str | None = None
    until: str | None = None
    kind: str | None = None
    type: str | None = None     # an attribution type, or several with commas: "speech,writing"
    limit: int | None = 20
    include_all: bool = False   # False: the trusted view only (``sayso.trust``)


def date_bound(value: str, upper: bool) -> str:
    """'2024' / '2024-02' / '2024-02-15' → an inclusive ISO bound ('2024-02-31' for the end
    of February compares correctly as a string)."""
    m = PARTIAL.fullmatch(value.strip())
    if not m:
        raise QueryError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = m.groups()
    if d:
        return f"{y}-{mo}-{d}"
    if mo:
        return f"{y}-{mo}-{'31' if upper else '01'}"
    return f"{y}-{'12-31' if upper else '01-01'}"


def query_terms(text: str) -> Iterator[tuple[str, list[str]]]:
    """User search text as every reader of it splits it: ``("or", [])`` for an ``OR``,
    ``("not", words)`` for a ``-word`` or ``-"phrase"``, ``("term", words)`` otherwise;
    pieces without a word character are left out."""
    for m in re.finditer(r'(-?)"([^"]*)"|(\S+)', text):
        neg, phrase, word = m.group(1), m.group(2), m.group(3)
        if word == "OR":
            yield "or", []
            continue
        if word is not None:
            neg = "-" if word.startswith("-") and len(word) > 1 else ""
            word = word[1:] if neg else word
        words = re.findall(r"\w+", phrase if phrase is not None else word)
        if words:
            yield ("not" if neg else "term"), words


def fts5_query(text: str) -> str | None:
    """User text → an FTS5 expression with every term quoted (no syntax errors, no
    operators smuggled in): phrases, ``-word`` exclusions, ``OR``."""
    parts: list[str] = []
    negative: list[str] = []
    pending_or = False
    for kind, words in query_terms(text):
        if kind == "or":
            pending_or = bool(parts)
            continue
        term = '"' + " ".join(words) + '"'
        if kind == "not":
            negative.append(term)
        elif pending_or:
            parts[-1] = f"({parts[-1]} OR {term})"
        else:
            parts.append(term)
        pending_or = False
    if not parts:
        return None
    expr = " AND ".join(parts)
    for n in negative:
        expr = f"{expr} NOT {n}"
    return expr


def speaker_ids(conn: Connection, name: str) -> list[str]:
    """Canonical ids a name can mean: id, alias, full name, or a person's surname."""
    s, low = slug(name), name.strip().lower()
    q = sa.union(
        sa.select(speaker_aliases.c.speaker_id.label("id")).where(speaker_aliases.c.alias == s),
        sa.select(speakers.c.id).where(sa.or_(
            speakers.c.id == s, sa.func.lower(speakers.c.name) == low,
            sa.and_(speakers.c.kind == "person", speakers.c.surname == s),
        )),
    )
    return sorted(conn.execute(q).scalars())


def trusted_only(table: sa.Table = statements):
    """The trusted view as a condition: the ``trusted`` column ingest set from
    ``sayso.trust.is_trusted`` (the rule itself is never spelled in SQL)."""
    return table.c.trusted == sa.true()


def types_asked(value: str) -> list[str]:
    """The attribution types of a ``type`` filter ("speech", "speech,writing")."""
    asked = [t.strip().lower() for t in value.split(",") if t.strip()]
    unknown = [t for t in asked if t not in TYPES]
    if unknown or not asked:
        raise QueryError(f"unknown type {', '.join(unknown) or value!r} (one or more of {', '.join(TYPES)})")
    return asked


def outside_the_view(q: Query) -> str | None:
    """Why ``q`` can only come back empty: it asks the trusted view for types it never
    holds (knowledge, intention, evidence). The reason, for the front ends to say; None
    when the question can have answers."""
    from sayso.trust import TRUSTED_TYPES

    if not q.type or q.include_all:
        return None
    asked = types_asked(q.type)
    if set(asked) & set(TRUSTED_TYPES):
        return None
    return (f"the trusted view holds only {', '.join(TRUSTED_TYPES)} statements: "
            f"ask for every statement to see {', '.join(asked)}")


def where_clauses(conn: Connection, q: Query) -> list:
    s = statements
    cond: list = [] if q.include_all else [trusted_only()]
    if q.kind:
        if q.kind not in KINDS:
            raise QueryError(f"unknown kind {q.kind!r} (one of {', '.join(KINDS)})")
        cond.append(s.c.kind == q.kind)
    if q.type:
        cond.append(s.c.type.in_(types_asked(q.type)))
    if q.speaker:
        cond.append(s.c.speaker_id.in_(speaker_ids(conn, q.speaker)))
    if q.org:
        org = q.org.strip().lower()
        cond.append(sa.or_(
            sa.func.lower(s.c.speaker_org).contains(org, autoescape=True),
            s.c.speaker_id.in_(sa.select(speakers.c.id).where(
                sa.func.lower(speakers.c.organization).contains(org, autoescape=True))),
        ))
    if q.since:
        cond.append(s.c.said_on >= date_bound(q.since, upper=False))
    if q.until:
        cond.append(s.c.said_on <= date_bound(q.until, upper=True))
    if q.text and q.text.strip():
        if conn.dialect.name == "sqlite":
            expr = fts5_query(q.text)
            if expr is None:
                raise QueryError(f"nothing to search for in {q.text!r}")
            cond.append(s.c.id.in_(
                sa.select(FTS.c.statement_id).where(sa.literal_column("statements_fts").op("MATCH")(expr))
            ))
        elif conn.dialect.name == "postgresql":
            cond.append(sa.literal_column("statements.content_tsv").op("@@")(
                sa.func.websearch_to_tsquery(sa.literal_column("'english'::regconfig"), q.text)))
        else:
            cond.append(sa.func.lower(s.c.content_text).contains(q.text.lower(), autoescape=True))
    return cond


def search(conn: Connection, q: Query) -> list[StatementHit]:
    """Matching statements, newest first (statement date, else the article's)."""
    s, sp, a = statements, speakers, articles
    # Narrow rows are ordered and cut first; only the page gets its wide columns (JSON parts,
    # speaker, article): sorting whole rows made PostgreSQL ten times slower.
    page = (
        sa.select(s.c.id, s.c.said_on, a.c.seq, s.c.position)
        .select_from(s.join(a, a.c.id == s.c.article_id))
        .where(*where_clauses(conn, q))
        .order_by(s.c.said_on.desc().nulls_last(), a.c.seq.desc(), s.c.position)
    )
    if q.limit:
        page = page.limit(q.limit)
    page = page.subquery("page")
    stmt = (
        sa.select(s, sp.c.name.label("speaker_name"), a.c.title, a.c.published, a.c.source.label("outlet"))
        .select_from(page.join(s, s.c.id == page.c.id).outerjoin(sp, sp.c.id == s.c.speaker_id)
                     .join(a, a.c.id == s.c.article_id))
        .order_by(page.c.said_on.desc().nulls_last(), page.c.seq.desc(), page.c.position)
    )
    rows = conn.execute(stmt).mappings().all()
    return [hit(r) for r in attach_articles(conn, [dict(r) for r in rows])]


def attach_articles(conn: Connection, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    by: dict[str, list[str]] = {i: [] for i in ids}
    for i in range(0, len(ids), 500):
        q = (sa.select(statement_articles.c.statement_id, statement_articles.c.article_id)
             .select_from(statement_articles.join(articles, articles.c.id == statement_articles.c.article_id))
             .where(statement_articles.c.statement_id.in_(ids[i:i + 500]))
             .order_by(articles.c.seq))
        for sid, aid in conn.execute(q):
            by[sid].append(aid)
    for r in rows:
        r["article_ids"] = by.get(r["id"], [])
    return rows


def hit(row: dict) -> StatementHit:
    """A ``statements`` row (joined with its speaker and article, and ``attach_articles``)
    as a record: the statement as stored, its speaker carrying the archive's canonical id
    and name, and where it was reported."""
    speaker = dict(row["speaker"]) if row.get("speaker") else None
    if speaker is not None and row.get("speaker_id"):
        speaker["id"] = row["speaker_id"]
        if row.get("speaker_name"):
            speaker["name"] = row["speaker_name"]
    statement = Statement.from_dict({
        "id": row["local_id"], "kind": row["kind"], "type": row.get("type"), "cue": row["cue"],
        "source": row["source"], "content": row["content"], "speaker": speaker, "date": row["date"],
        "place": row["place"], "event": row["event"], "channel": row["channel"],
        "responds_to": row["responds_to"], "flags": row["flags"], "confidence": row["confidence"],
    })
    return StatementHit(
        statement, statement_id=row["id"], article_id=row["article_id"],
        article_ids=tuple(row.get("article_ids") or [row["article_id"]]),
        trusted=bool(row.get("trusted", True)), said_on=row.get("said_on"), title=row.get("title"),
        published=row.get("published"), outlet=row.get("outlet"),
    )


def record(row: dict) -> dict:
    """A stored statement as the schema's statement record, plus where it was reported:
    ``article_id`` (the first article), ``article_ids`` (all), ``statement_id`` and
    ``trusted`` (whether the default view shows it, which ``?all=1`` readers need to tell).
    The speaker carries the archive's canonical id and name. (``hit(row).to_dict()``.)"""
    return hit(row).to_dict()


def all_statements(conn: Connection, batch: int = 1000) -> Iterator[dict]:
    """Every statement, in ingest order (article, then position), with its references."""
    s, sp, a = statements, speakers, articles
    stmt = (sa.select(s, sp.c.name.label("speaker_name"), a.c.published, a.c.seq)
            .select_from(s.outerjoin(sp, sp.c.id == s.c.speaker_id).join(a, a.c.id == s.c.article_id))
            .order_by(a.c.seq, s.c.position))
    last = None
    while True:
        page = stmt
        if last is not None:
            page = stmt.where(sa.or_(a.c.seq > last[0], sa.and_(a.c.seq == last[0], s.c.position > last[1])))
        rows = [dict(r) for r in conn.execute(page.limit(batch)).mappings()]
        if not rows:
            return
        yield from attach_articles(conn, rows)
        last = (rows[-1]["seq"], rows[-1]["position"])
