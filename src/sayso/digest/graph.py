"""The reaction graph: who responds to whom, read off the archive.

An edge X → Y is drawn for a statement of X that
- ``responds_to`` a statement of Y in the same article (the resolver's link), or
- names Y in its content: Y's full name or another name the archive knows for Y, Y's
  surname when no other speaker of that article shares it, or a role the article gives
  only Y ('the NATO Secretary General').
Only speakers of the same article are looked for, so a name means the person the article
is about. Each edge keeps its evidence (article, statement, how it was found) so that every
arrow can be traced to the text, like every line of a digest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sayso.digest.affiliation import affiliation, group_name
from sayso.records import GraphEvidence, GraphNode, SpeakerSummary, StatementHit
from sayso.store.search import Query, QueryError, trusted_only, where_clauses
from sayso.store.schema import speakers, statement_articles, statements

CHUNK = 500
MAX_EVIDENCE = 20


@dataclass
class Edge:
    source: str
    target: str
    count: int = 0
    evidence: list[GraphEvidence] = field(default_factory=list)


@dataclass
class Graph:
    nodes: dict[str, GraphNode]  # by speaker id
    edges: list[Edge]

    def to_json(self) -> dict:
        return {"nodes": [n.to_dict() for n in self.nodes.values()],
                "edges": [{"source": e.source, "target": e.target, "count": e.count,
                           "evidence": [x.to_dict() for x in e.evidence]}
                          for e in self.edges]}


def _occurrences(conn: Connection, article_ids: list[str]):
    links, st, sp = statement_articles, statements, speakers
    for i in range(0, len(article_ids), CHUNK):
        q = (sa.select(links.c.article_id, links.c.local_id, links.c.record, links.c.statement_id,
                       st.c.speaker_id, st.c.trusted, sp.c.name, sp.c.kind, sp.c.surname, sp.c.aliases,
                       sp.c.descriptors, sp.c.organization, sp.c.country)
             .select_from(links.join(st, st.c.id == links.c.statement_id)
                          .outerjoin(sp, sp.c.id == st.c.speaker_id))
             .where(links.c.article_id.in_(article_ids[i:i + CHUNK]))
             .order_by(links.c.article_id, links.c.local_id))
        yield from conn.execute(q)


def _pattern(names: list[str]) -> re.Pattern | None:
    names = sorted({n for n in names if n and len(n) > 2}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _mention_patterns(people: dict[str, dict]) -> dict[str, re.Pattern]:
    """Per speaker of one article, the ways its statements can name them."""
    surnames: dict[str, int] = {}
    roles: dict[str, int] = {}
    for p in people.values():
        if p["surname"]:
            surnames[p["surname"]] = surnames.get(p["surname"], 0) + 1
        for d in p["roles"]:
            roles[d] = roles.get(d, 0) + 1
    out = {}
    for sid, p in people.items():
        names = [p["name"]] + [a for a in p["aliases"] if len(a.split()) >= 2]
        if p["kind"] == "person" and p["surname"] and surnames[p["surname"]] == 1:
            last = p["name"].split()[-1] if p["name"] else ""
            if last.lower() == p["surname"] and last[:1].isupper():
                names.append(last)
        names += [d for d in p["roles"] if roles[d] == 1 and len(d.split()) >= 2 and d[:1].isupper()]
        pat = _pattern(names)
        if pat:
            out[sid] = pat
    return out


def _own_org(speaker: SpeakerSummary, target: dict) -> bool:
    """An organisation the speaker belongs to (NATO for its Secretary General): naming it
    is speaking for it, not reacting to it (the target's name read as an organisation's)."""
    if target["kind"] != "organization":
        return False
    org = affiliation(None, speaker).organization or speaker.organization or ""
    names = {target["name"], *target["aliases"]}
    as_org = SpeakerSummary("", target["name"], "organization", organization=target["name"])
    return bool(org) and (org in names or affiliation(None, as_org).organization == org)


def build(conn: Connection, article_ids: list[str], statement_ids: set[str] | None = None,
          speaker_id: str | None = None, include_all: bool = False) -> Graph:
    """The graph over these articles; only edges from ``statement_ids`` (when given), only
    edges touching ``speaker_id`` (when given), and only edges a trusted statement draws
    unless ``include_all`` (the speakers it points at are found among all statements: an
    arrow needs a trusted reaction, not a trusted target)."""
    by_article: dict[str, list] = {}
    for o in _occurrences(conn, sorted(set(article_ids))):
        by_article.setdefault(o.article_id, []).append(o)
    edges: dict[tuple[str, str], Edge] = {}
    info: dict[str, SpeakerSummary] = {}
    for aid, occ in by_article.items():
        people: dict[str, dict] = {}
        owner: dict[str, str] = {}
        for o in occ:
            if not o.speaker_id or o.kind == "place":
                continue
            owner[o.local_id] = o.speaker_id
            p = people.setdefault(o.speaker_id, {"name": o.name, "kind": o.kind, "surname": o.surname,
                                                 "aliases": list(o.aliases or []), "roles": []})
            for d in ((o.record or {}).get("speaker") or {}).get("descriptors") or ():
                if d not in p["roles"]:
                    p["roles"].append(d)
            if o.speaker_id not in info:
                info[o.speaker_id] = SpeakerSummary(
                    o.speaker_id, o.name, o.kind, descriptors=tuple(o.descriptors or ()),
                    organization=o.organization, country=o.country)
        patterns = _mention_patterns(people)
        for o in occ:
            src = owner.get(o.local_id)
            if src is None or (statement_ids is not None and o.statement_id not in statement_ids) \
                    or not (include_all or o.trusted):
                continue
            rec = o.record or {}
            found: dict[str, str] = {}
            for ref in rec.get("responds_to") or ():
                tgt = owner.get(ref) or (ref if ref in people else None)
                if tgt and tgt != src:
                    found.setdefault(tgt, "responds_to")
            content = (rec.get("content") or {}).get("text") or ""
            for tgt, pat in patterns.items():
                if tgt != src and tgt not in found and not _own_org(info[src], people[tgt]) \
                        and pat.search(content):
                    found[tgt] = "names"
            for tgt, via in found.items():
                if speaker_id and speaker_id not in (src, tgt):
                    continue
                e = edges.setdefault((src, tgt), Edge(src, tgt))
                e.count += 1
                if len(e.evidence) < MAX_EVIDENCE:
                    e.evidence.append(GraphEvidence(aid, o.local_id, o.statement_id, via))
    ordered = sorted(edges.values(), key=lambda e: (-e.count, e.source, e.target))
    return Graph(_nodes(ordered, info, speaker_id), ordered)


def _nodes(ordered: list[Edge], info: dict[str, SpeakerSummary], speaker_id: str | None) -> dict[str, GraphNode]:
    """The speakers the edges join, in edge order, and the centre speaker even when
    nobody reacts (a picture around someone shows them)."""
    nodes: dict[str, GraphNode] = {}
    for e in ordered:
        for sid in (e.source, e.target):
            if sid not in nodes:
                i = info.get(sid)
                nodes[sid] = GraphNode(sid, (i.name if i else None) or sid,
                                       group_name(affiliation(None, i), "country"))
    if speaker_id and speaker_id not in nodes and speaker_id in info:
        nodes[speaker_id] = GraphNode(speaker_id, info[speaker_id].name,
                                      group_name(affiliation(None, info[speaker_id]), "country"))
    return nodes


def around_speaker(conn: Connection, speaker_id: str, name: str, include_all: bool = False) -> Graph:
    """Edges to and from one speaker: the articles where they speak, and those where
    another speaker's statement names them (found with the full-text index)."""
    s = statements
    ids = set(conn.execute(sa.select(s.c.article_id).where(s.c.speaker_id == speaker_id)).scalars())
    words = re.findall(r"\w+", name or "")
    if words:
        try:
            q = Query(text='"' + " ".join(words) + '"', limit=None, include_all=include_all)
            ids |= set(conn.execute(sa.select(s.c.article_id).where(*where_clauses(conn, q))).scalars())
        except QueryError:
            pass
    return build(conn, sorted(ids), speaker_id=speaker_id, include_all=include_all)


def for_statements(conn: Connection, rows: list[StatementHit]) -> Graph:
    """Who reacts to whom among the given statements (a digest's, already in the view it
    was asked in: they are taken as they are)."""
    return build(conn, [r.article_id for r in rows], {r.statement_id for r in rows}, include_all=True)
