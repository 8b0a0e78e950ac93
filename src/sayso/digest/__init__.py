"""Digests: "who said what" roundups on one issue, assembled from the archive.

``build(conn, query, …)`` selects the statements on the issue (``select``), drops near
duplicates (``dedupe``), places each speaker under a country or organisation
(``affiliation``, ``group``) and phrases one line per statement from its stored fields
(``lines``, ``dates``). ``render`` writes the result as Markdown, HTML or JSON, each line
pointing at its article and character span; ``graph`` draws who reacts to whom.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.engine import Connection

from sayso.digest.affiliation import GROUPINGS
from sayso.digest.dedupe import dedupe
from sayso.digest.group import Group, entries, grouped
from sayso.digest.select import Found, select
from sayso.store.search import QueryError, date_bound

DEFAULT_LIMIT = 60


@dataclass
class Digest:
    query: str
    group_by: str
    groups: list[Group]
    terms: tuple[str, ...]
    since: str | None = None
    until: str | None = None

    @property
    def size(self) -> int:
        return sum(len(g.entries) for g in self.groups)


def build(conn: Connection, query: str, *, group_by: str = "country", since: str | None = None,
          until: str | None = None, speaker: str | None = None, org: str | None = None,
          limit: int | None = DEFAULT_LIMIT, include_all: bool = False) -> Digest:
    """The digest for ``query``, of trusted statements unless ``include_all``. Raises ``QueryError`` (empty query, bad date, unknown
    grouping) with a one-line message."""
    if group_by not in GROUPINGS:
        raise QueryError(f"unknown grouping {group_by!r} (one of {', '.join(GROUPINGS)})")
    if not (query or "").strip():
        raise QueryError("the query is empty: say what the digest is about")
    for value in (since, until):
        if value is not None:
            check_date(value)
    sel = select(conn, query, speaker=speaker, org=org, since=since, until=until, limit=None,
                 include_all=include_all)
    rows = sorted(sel.rows, key=lambda r: (r.hit.said_on or "9999", r.seq, r.position))
    rows = dedupe(rows)
    if limit:
        keep = {id(r) for r in _most_relevant(sel.rows, rows, limit)}
        rows = [r for r in rows if id(r) in keep]
    rows = _merge_overlaps(conn, rows)
    return Digest(query, group_by, grouped(entries(rows, group_by)), sel.terms, since, until)


def _merge_overlaps(conn: Connection, rows: list[Found]) -> list[Found]:
    """A content whose spans overlap (an extraction slip) would repeat words when its pieces
    are joined; such a row gets ``content_shown``: its merged spans' text, read from the
    article itself, so the line still quotes the article exactly."""
    import sqlalchemy as sa

    from sayso.store.schema import articles

    todo = [r for r in rows if _overlapping(r.content.spans)]
    if not todo:
        return rows
    ids = sorted({r.article_id for r in todo})
    texts = dict(conn.execute(sa.select(articles.c.id, articles.c.text).where(articles.c.id.in_(ids))).all())
    shown: dict[int, str] = {}
    for r in todo:
        merged: list[list[int]] = []
        for a, b in sorted(r.content.spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        shown[id(r)] = " ".join(texts[r.article_id][a:b] for a, b in merged)
    return [replace(r, content_shown=shown[id(r)]) if id(r) in shown else r for r in rows]


def _overlapping(spans) -> bool:
    ordered = sorted(tuple(s) for s in spans)
    return any(b[0] < a[1] for a, b in zip(ordered, ordered[1:]))


def check_date(value: str) -> None:
    """A YYYY, YYYY-MM or YYYY-MM-DD with a month 01–12 and a day 01–31 (the archive's own
    check accepts any digits, and '2023-13' would silently match nothing). A day past the
    month's end ('2023-02-30') is kept: as a bound it still means the end of the month."""
    date_bound(value, upper=False)  # the shape, with the archive's message
    parts = [int(x) for x in value.strip().split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise QueryError(f"not a date: {value!r} (month must be 01 to 12)")
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        raise QueryError(f"not a date: {value!r} (day must be 01 to 31)")


def _most_relevant(ranked: list[Found], kept: list[Found], limit: int) -> list[Found]:
    """The first ``limit`` of ``kept`` in ``select``'s relevance order."""
    alive = {id(r) for r in kept}
    return [r for r in ranked if id(r) in alive][:limit]


__all__ = ["DEFAULT_LIMIT", "Digest", "GROUPINGS", "QueryError", "build"]
