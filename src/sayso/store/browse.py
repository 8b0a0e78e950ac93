"""Read-only questions the web pages and the HTTP API ask of the archive: a page of search
results with its total, speakers with their counts, a speaker's timeline and reactions, an
article with the statements it reports.

Everything goes through SQLAlchemy Core with bound parameters, like ``search``; filters are
the ones ``search.Query`` defines (its ``limit`` is ignored here: paging is by ``offset`` and
``limit`` arguments).

Every question answers in the trusted view (``sayso.trust``: the ``trusted`` column) unless
asked ``include_all``: the one place the web pages, the API and the CLI get that switch from.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.records import (ArticleSummary, Reaction, Reactions, ReactionTarget, SpeakerSummary, Statement,
                            StoredArticle, StoredStatement, Timeline, WeekCount)
from sayso.store.search import Query, attach_articles, hit, speaker_ids, trusted_only, where_clauses
from sayso.store.speakers import find_speaker
from sayso.store.schema import articles, speakers, statement_articles, statements

CHUNK = 500


@dataclass(frozen=True)
class Page:
    rows: list  # StatementHit, SpeakerSummary or ArticleSummary records
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_prev(self) -> bool:
        return self.offset > 0


def search_page(conn: Connection, q: Query, offset: int = 0, limit: int = 20) -> Page:
    """Statements matching ``q``, newest first (as ``search`` orders them), one page of them,
    with the number of all matches. Raises ``QueryError`` like ``search``."""
    s, sp, a = statements, speakers, articles
    where = where_clauses(conn, q)
    total = conn.execute(sa.select(sa.func.count()).select_from(s).where(*where)).scalar() or 0
    refs = (sa.select(sa.func.count()).where(statement_articles.c.statement_id == s.c.id)
            .scalar_subquery())
    stmt = (
        sa.select(s, sp.c.name.label("speaker_name"), a.c.title, a.c.published,
                  a.c.source.label("outlet"), refs.label("n_articles"))
        .select_from(s.outerjoin(sp, sp.c.id == s.c.speaker_id).join(a, a.c.id == s.c.article_id))
        .where(*where)
        .order_by(s.c.said_on.desc().nulls_last(), a.c.seq.desc(), s.c.position)
        .offset(offset).limit(limit)
    )
    rows = attach_articles(conn, [dict(r) for r in conn.execute(stmt).mappings()])
    return Page([hit(r) for r in rows], total, offset, limit)


def _view(include_all: bool) -> list:
    """The conditions on ``statements`` of the view asked for."""
    return [] if include_all else [trusted_only()]


def _counts(include_all: bool = False):
    st, links = statements, statement_articles
    return (sa.select(st.c.speaker_id, sa.func.count(sa.distinct(st.c.id)).label("statements"),
                      sa.func.count(sa.distinct(links.c.article_id)).label("articles"))
            .select_from(st.join(links, links.c.statement_id == st.c.id))
            .where(st.c.speaker_id.is_not(None), *_view(include_all))
            .group_by(st.c.speaker_id).subquery())


def _summary(r: Any) -> SpeakerSummary:
    return SpeakerSummary(
        id=r.id, name=r.name, kind=r.kind, aliases=tuple(r.aliases or ()),
        descriptors=tuple(r.descriptors or ()), organization=r.organization, country=r.country,
        statements=int(r.statements or 0), articles=int(r.articles or 0), wikidata=r.wikidata,
    )


def list_speakers(conn: Connection, name: str | None = None, offset: int = 0, limit: int = 50,
                  include_all: bool = False) -> Page:
    """Speakers who said something, most statements first; ``name`` keeps those whose name,
    id or an alias contains it (case-insensitive). In the trusted view a speaker counts only
    trusted statements, and one with none is not listed."""
    sp, c = speakers, _counts(include_all)
    cond = []
    if name and name.strip():
        low = name.strip().lower()
        aliases_text = sa.func.lower(sa.cast(sp.c.aliases, sa.Text))
        cond.append(sa.or_(
            sa.func.lower(sp.c.name).contains(low, autoescape=True),
            sp.c.id.contains(low, autoescape=True),
            aliases_text.contains(low, autoescape=True),
        ))
    base = sa.select(sp, c.c.statements, c.c.articles).select_from(sp.join(c, c.c.speaker_id == sp.c.id))
    base = base.where(*cond)
    total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar() or 0
    rows = conn.execute(base.order_by(c.c.statements.desc(), sp.c.id).offset(offset).limit(limit)).all()
    return Page([_summary(r) for r in rows], total, offset, limit)


def speaker(conn: Connection, name_or_id: str, include_all: bool = False) -> SpeakerSummary | None:
    """One speaker (by id, alias, name, or a surname only one person has) with statement and
    article counts (of the view asked for: a speaker with no trusted statement is still
    found, with zero); None if unknown."""
    sid = find_speaker(conn, name_or_id)
    if sid is None:
        candidates = speaker_ids(conn, name_or_id)
        if len(candidates) != 1:
            return None
        sid = candidates[0]
    sp, c = speakers, _counts(include_all)
    r = conn.execute(sa.select(sp, c.c.statements, c.c.articles)
                     .select_from(sp.outerjoin(c, c.c.speaker_id == sp.c.id))
                     .where(sp.c.id == sid)).first()
    return _summary(r) if r is not None else None


def week_of(day: str) -> str | None:
    """'2023-02-15' → '2023-02-13', the Monday of its week; None for anything else."""
    try:
        d = date.fromisoformat(day[:10])
    except (TypeError, ValueError):
        return None
    return (d - timedelta(days=d.weekday())).isoformat()


def timeline(conn: Connection, speaker_id: str, include_all: bool = False) -> Timeline:
    """Statements per week (``said_on``: the statement's own date, else its article's)."""
    s = statements
    rows = conn.execute(sa.select(s.c.said_on, sa.func.count())
                        .where(s.c.speaker_id == speaker_id, *_view(include_all))
                        .group_by(s.c.said_on)).all()
    per_week: Counter[str] = Counter()
    undated = 0
    for day, n in rows:
        w = week_of(day) if day else None
        if w is None:
            undated += n
        else:
            per_week[w] += n
    weeks: list[WeekCount] = []
    if per_week:
        first, last = date.fromisoformat(min(per_week)), date.fromisoformat(max(per_week))
        d = first
        while d <= last:
            weeks.append(WeekCount(d.isoformat(), per_week.get(d.isoformat(), 0)))
            d += timedelta(days=7)
    return Timeline(tuple(weeks), undated)


def _occurrences(conn: Connection, article_ids: list[str], include_all: bool = False):
    """Every (article, statement-as-that-article-gives-it) in these articles, with the
    stored statement's canonical speaker and whether it is trusted."""
    links, st, sp = statement_articles, statements, speakers
    for i in range(0, len(article_ids), CHUNK):
        q = (sa.select(links.c.article_id, links.c.local_id, links.c.record, links.c.statement_id,
                       st.c.speaker_id, st.c.trusted, sp.c.name.label("speaker_name"))
             .select_from(links.join(st, st.c.id == links.c.statement_id)
                          .outerjoin(sp, sp.c.id == st.c.speaker_id))
             .where(links.c.article_id.in_(article_ids[i:i + CHUNK]), *_view(include_all))
             .order_by(links.c.article_id, links.c.local_id))
        yield from conn.execute(q)


def reactions(conn: Connection, speaker_id: str, limit: int = 50, include_all: bool = False) -> Reactions:
    """Who reacts to this speaker (statements whose ``responds_to`` names one of theirs in
    the same article), and to whom this speaker reacts; both sides in the view asked for."""
    links, st = statement_articles, statements
    mine = conn.execute(
        sa.select(links.c.article_id, links.c.local_id)
        .select_from(links.join(st, st.c.id == links.c.statement_id))
        .where(st.c.speaker_id == speaker_id, *_view(include_all))
    ).all()
    own: dict[str, set[str]] = {}
    for aid, lid in mine:
        own.setdefault(aid, set()).add(lid)
    to_them: list[Reaction] = []
    by_them: list[Reaction] = []
    seen_to: set[str] = set()
    for o in _occurrences(conn, sorted(own), include_all):
        rec = o.record or {}
        mine_here = own[o.article_id]
        if o.speaker_id == speaker_id:
            # this speaker reacting to someone else in the same article
            others = tuple(r for r in rec.get("responds_to") or () if r not in mine_here)
            if others:
                by_them.append(Reaction(o.article_id, o.statement_id, Statement.from_dict(rec), others))
            continue
        targets = tuple(r for r in rec.get("responds_to") or () if r in mine_here)
        if targets and o.statement_id not in seen_to:
            seen_to.add(o.statement_id)
            statement = Statement.from_dict(rec)
            name = o.speaker_name or (statement.speaker.name if statement.speaker else None) \
                or (statement.source.text if statement.source else None)
            to_them.append(Reaction(o.article_id, o.statement_id, statement, targets, o.speaker_id, name))
    return Reactions(tuple(to_them[:limit]), tuple(_with_targets(conn, by_them, speaker_id, include_all)[:limit]))


def _with_targets(conn: Connection, by_them: list[Reaction], speaker_id: str,
                  include_all: bool) -> list[Reaction]:
    """The speaker's own reactions, each naming the people it answers (once per statement
    and person); those that answer nobody else stored are left out."""
    if not by_them:
        return []
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for o in _occurrences(conn, sorted({b.article_id for b in by_them}), include_all):
        names[(o.article_id, o.local_id)] = (o.speaker_id, o.speaker_name)
    seen: set[tuple[str, str]] = set()
    out = []
    for b in by_them:
        targets = []
        for lid in b.responds_to:
            sid, nm = names.get((b.article_id, lid), (None, None))
            key = (b.statement_id, sid or lid)
            if sid and sid != speaker_id and key not in seen:
                seen.add(key)
                targets.append(ReactionTarget(sid, nm, lid))
        if targets:
            out.append(replace(b, targets=tuple(targets)))
    return out


def count_articles(conn: Connection) -> int:
    """How many articles the archive holds."""
    return conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar() or 0


def count_statements(conn: Connection) -> tuple[int, int]:
    """How many statements the archive holds, and how many of them are trusted (each
    report of a statement by several articles counted once)."""
    row = conn.execute(sa.select(sa.func.count(), sa.func.count().filter(trusted_only()))
                       .select_from(statements)).one()
    return row[0] or 0, row[1] or 0


def list_articles(conn: Connection, offset: int = 0, limit: int = 50, include_all: bool = False) -> Page:
    """Articles, latest stored first; each one's ``statements`` counts what the article
    page shows in the same view."""
    a, links, st = articles, statement_articles, statements
    total = count_articles(conn)
    n = a.c.n_statements
    if not include_all:
        n = (sa.select(sa.func.count()).select_from(links.join(st, st.c.id == links.c.statement_id))
             .where(links.c.article_id == a.c.id, trusted_only()).scalar_subquery())
    rows = conn.execute(
        sa.select(a.c.id, a.c.title, a.c.published, a.c.source, n.label("n_statements"),
                  a.c.language, a.c.skipped)
        .order_by(a.c.seq.desc()).offset(offset).limit(limit)
    ).all()
    return Page([ArticleSummary(r.id, r.title, r.published, r.source, int(r.n_statements or 0),
                                r.language, r.skipped) for r in rows], total, offset, limit)


def article(conn: Connection, article_id: str, include_all: bool = False) -> StoredArticle | None:
    """An article as stored (text, metadata) with the statements it reports in the view
    asked for, each as this article gives it (its own spans), the speaker carrying the
    archive's canonical id and name, with its ``statement_id``, ``article_ids`` (every
    article that reports it) and ``trusted``; statements in text order. ``hidden``: how
    many the trusted view leaves out, so a page can say there are more. None if there is
    no such article."""
    art = conn.execute(sa.select(articles).where(articles.c.id == article_id)).mappings().first()
    if art is None:
        return None
    occ = list(_occurrences(conn, [article_id], include_all=True))
    shown = [o for o in occ if include_all or o.trusted]
    reported = _reported_by(conn, [o.statement_id for o in shown])
    out = [_stored(o, reported.get(o.statement_id, [article_id])) for o in shown]
    out.sort(key=lambda r: ((r.content.spans or r.cue.spans or ((0,),))[0][0], _num(r.id)))
    return StoredArticle(
        id=art["id"], text=art["text"], statements=tuple(out), title=art["title"],
        published=art["published"], byline=art["byline"], url=art["url"], language=art["language"],
        skipped=art["skipped"], outlet=art["source"], hidden=len(occ) - len(shown),
    )


def _reported_by(conn: Connection, ids: list[str]) -> dict[str, list[str]]:
    """statement id → every article that reports it, in ingest order."""
    reported: dict[str, list[str]] = {}
    for i in range(0, len(ids), CHUNK):
        q = (sa.select(statement_articles.c.statement_id, statement_articles.c.article_id)
             .select_from(statement_articles.join(articles, articles.c.id == statement_articles.c.article_id))
             .where(statement_articles.c.statement_id.in_(ids[i:i + CHUNK]))
             .order_by(articles.c.seq))
        for sid, aid in conn.execute(q):
            reported.setdefault(sid, []).append(aid)
    return reported


def _stored(o: Any, article_ids: list[str]) -> StoredStatement:
    """One occurrence as the record this article gives, its speaker the canonical one."""
    rec = dict(o.record)
    if rec.get("speaker") and o.speaker_id:
        rec["speaker"] = {**rec["speaker"], "id": o.speaker_id, "name": o.speaker_name or rec["speaker"]["name"]}
    return StoredStatement(Statement.from_dict(rec), statement_id=o.statement_id,
                           article_ids=tuple(article_ids), trusted=bool(o.trusted))


def article_id_for_text(conn: Connection, digest: str) -> str | None:
    return conn.execute(sa.select(articles.c.id).where(articles.c.content_hash == digest)).scalar()


def _num(local_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in local_id if ch.isdigit())
    return (int(digits) if digits else 0, local_id)


__all__ = ["Page", "article", "article_id_for_text", "count_articles", "list_articles", "list_speakers",
           "reactions", "search_page", "speaker", "timeline", "week_of"]
