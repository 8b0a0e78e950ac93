"""Writing analysed articles into the archive: one transaction per article.

An article is stored together with its statements, their article references, speaker
updates and full-text rows in a single transaction, keyed by the SHA-256 of its text: a
text already stored is skipped, so a run interrupted at any point (even by SIGKILL) and
started again stores nothing twice and ends with the same archive as an uninterrupted run.

Near-duplicates: a statement whose speaker and normalised content (case, punctuation,
quotation marks and a leading "that" ignored) match a statement of another article is not
stored again; the article is added to that statement's references instead. One edited
word is tolerated: statements sharing the first or second half of their normalised words
are compared, and a word-level similarity of at least ``NEAR_DUPLICATE`` counts.

Each statement's ``trusted`` column is ``sayso.trust.is_trusted`` of its record, decided
here once: every reader filters on the column and none re-spells the rule.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from email.utils import parsedate_to_datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sayso import trust
from sayso.records import Article, Statement
from sayso.store.db import WRITE_ATTEMPTS, retry_busy, write_transaction
from sayso.store.schema import articles, statement_articles, statements
from sayso.store.speakers import SpeakerBook

NEAR_DUPLICATE = 0.9
MIN_WORDS = 4          # shorter contents ("yes", "no comment") are never merged across articles
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FTS = sa.table("statements_fts", sa.column("statement_id"), sa.column("content"))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> list[str]:
    """Words of a statement's content for duplicate detection."""
    t = unicodedata.normalize("NFKC", text).casefold()
    words = re.sub(r"[^\w\s]|_", " ", t).split()
    if words and words[0] == "that":
        words = words[1:]
    return words


def _key(words: Iterable[str]) -> str:
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def dup_keys(text: str) -> tuple[str | None, str | None, str | None]:
    words = normalise(text)
    if len(words) < MIN_WORDS:
        return None, None, None
    half = len(words) // 2
    return _key(words), _key(words[:half]), _key(words[half:])


def iso_date(value: str | None) -> str | None:
    """'2016-09-12', '2016-09-12T10:00:00Z', 'Mon, 12 Sep 2016 10:00:00 GMT' → '2016-09-12'."""
    if not value:
        return None
    value = value.strip()
    if ISO_DATE.match(value):
        return value[:10]
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None


def said_on(date: str | None, published: str | None) -> str | None:
    """When a statement was made, for filtering and ordering: its own date when complete,
    else the article's publication date."""
    if date and ISO_DATE.fullmatch(date):
        return date
    return iso_date(published)


def _statement_row(st: dict, stid: str, aid: str, pos: int, sid: str | None,
                   keys: tuple[str | None, str | None, str | None], published: str | None) -> dict:
    """A statement record as its ``statements`` row: the flat columns queries filter on,
    next to the record's parts as given."""
    sp = st.get("speaker")
    ckey, hkey, tkey = keys
    return {
        "id": stid, "article_id": aid, "local_id": st["id"], "position": pos,
        "kind": st["kind"], "cue": st["cue"], "source": st.get("source"),
        "content": st["content"], "content_text": (st.get("content") or {}).get("text") or "",
        "content_key": ckey, "head_key": hkey, "tail_key": tkey,
        "speaker_id": sid, "speaker_raw_id": sp.get("id") if sp else None,
        "speaker": sp, "speaker_org": sp.get("organization") if sp else None,
        "date": st.get("date"), "said_on": said_on(st.get("date"), published),
        "place": st.get("place"), "event": st.get("event"), "channel": st.get("channel"),
        "responds_to": st.get("responds_to") or [], "flags": st.get("flags") or [],
        "confidence": float(st.get("confidence", 0.5)), "type": st.get("type") or "speech",
    }


@dataclass(frozen=True)
class Written:
    article_id: str
    statements: int     # statements the article gives
    merged: int         # of which were folded into a statement of another article
    skipped: str | None = None  # why it has no statements by design (Article.skipped)


class Writer:
    """The single writer of an ingest run (parent process, one thread)."""

    def __init__(self, engine: Engine, copy: bool = True, attempts: int = WRITE_ATTEMPTS):
        self.engine = engine
        self.attempts = attempts  # tries of a transaction that finds the archive busy
        self.sqlite = engine.dialect.name == "sqlite"
        # PostgreSQL takes the rows of an article through COPY (``copy=False``: INSERT)
        self.copy = copy and engine.dialect.name == "postgresql"

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(hashes)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(hashes), 500):
                chunk = hashes[i:i + 500]
                found.update(conn.execute(
                    sa.select(articles.c.content_hash).where(articles.c.content_hash.in_(chunk))
                ).scalars())
        return found

    def write(self, record: Article, text: str, source: str | None = None,
              digest: str | None = None) -> Written | None:
        """Store one article record atomically; None if its text is already in the archive.
        The rows keep the record as ``to_dict`` gives it; its speakers' ``kind`` (what the
        resolver knew) goes to the speaker rows."""
        digest = digest or content_hash(text)

        def attempt() -> Written | None:
            with write_transaction(self.engine) as conn:
                if conn.execute(sa.select(articles.c.id).where(articles.c.content_hash == digest)).first():
                    return None
                return self._write(conn, record, text, source, digest)

        return retry_busy(attempt, self.attempts)

    def write_many(self, items: Iterable[tuple[Article, str, str | None, str]]) -> list[Written | None]:
        """Several ``(record, text, source, digest)`` in one transaction, all or none: a bulk
        load commits once per batch instead of once per article. Each is stored exactly as
        ``write`` would store it in turn (a text already stored, or repeated, gives None)."""
        items = list(items)

        def attempt() -> list[Written | None]:
            out: list[Written | None] = []
            with write_transaction(self.engine) as conn:
                for record, text, source, digest in items:
                    if conn.execute(sa.select(articles.c.id).where(articles.c.content_hash == digest)).first():
                        out.append(None)
                    else:
                        out.append(self._write(conn, record, text, source, digest))
            return out

        return retry_busy(attempt, self.attempts)

    def _write(self, conn: Connection, article: Article, text: str, source: str | None, digest: str) -> Written:
        rec = article.to_dict()
        aid = rec["id"]
        if conn.execute(sa.select(articles.c.id).where(articles.c.id == aid)).first():
            aid = f"{aid}~{digest[:8]}"  # same id, other text: both kept, deterministically
        seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(articles.c.seq), 0))).scalar() + 1
        stmts = rec.get("statements") or []
        conn.execute(articles.insert().values(
            id=aid, seq=seq, content_hash=digest, url=rec.get("url"), title=rec.get("title"),
            published=rec.get("published"), byline=rec.get("byline"), source=source,
            language=rec.get("language") or "en", text=text, n_statements=len(stmts),
            skipped=rec.get("skipped"),
        ))
        book = SpeakerBook(conn)
        canonical: dict[str, str] = {}
        rows, links, fts = [], [], []
        folded: set[str] = set()   # statements of other articles this one already reports
        merged = 0
        for pos, (st, record) in enumerate(zip(stmts, article.statements)):
            sp = st.get("speaker")
            sid = None
            if sp:
                key = sp.get("id") or sp.get("name")
                if key not in canonical:
                    canonical[key] = book.canonical(sp, record.speaker.kind)
                sid = canonical[key]
            content_text = (st.get("content") or {}).get("text") or ""
            ckey, hkey, tkey = dup_keys(content_text)
            trusted = trust.is_trusted(Statement.from_dict(st))  # as stored: confidence rounded
            target = None
            if sid and ckey:
                target = self._near_duplicate(conn, aid, sid, content_text, (ckey, hkey, tkey),
                                              trusted, folded)
            links.append({"article_id": aid, "local_id": st["id"], "record": st,
                          "statement_id": target or f"{aid}#{st['id']}"})
            if target:
                merged += 1
                folded.add(target)
                continue
            stid = f"{aid}#{st['id']}"
            row = _statement_row(st, stid, aid, pos, sid, (ckey, hkey, tkey), rec.get("published"))
            row["trusted"] = trusted
            rows.append(row)
            fts.append({"statement_id": stid, "content": content_text})
        # Statements of one article never fold into each other, so they go in together.
        self._bulk(conn, statements, rows)
        self._bulk(conn, statement_articles, links)
        if fts and self.sqlite:
            conn.execute(FTS.insert(), fts)
        return Written(aid, len(stmts), merged, rec.get("skipped"))

    def _bulk(self, conn: Connection, table: sa.Table, rows: list[dict]) -> None:
        """Insert ``rows`` (all with the same keys): PostgreSQL's COPY inside the article's
        transaction, else one executemany INSERT. JSON columns get their JSON text, Python
        None included ('null'), as SQLAlchemy's JSON type stores it on INSERT."""
        if not rows:
            return
        if not self.copy:
            conn.execute(table.insert(), rows)
            return
        from psycopg import sql

        cols = list(rows[0])
        json_cols = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in cols))
        with conn.connection.driver_connection.cursor() as cur, cur.copy(stmt) as cp:
            for r in rows:
                cp.write_row([json.dumps(r[c]) if c in json_cols else r[c] for c in cols])

    def _near_duplicate(self, conn: Connection, aid: str, sid: str, text: str,
                        keys: tuple[str, str | None, str | None], trusted: bool,
                        reported_here: set[str]) -> str | None:
        """The statement of another article this one repeats. Only a statement on the same
        side of the trusted view counts, so that folding never hides a trusted report behind
        an untrusted one (or shows an untrusted one as trusted)."""
        s = statements
        ckey, hkey, tkey = keys
        cands = conn.execute(
            sa.select(s.c.id, s.c.content_key, s.c.content_text).where(
                s.c.speaker_id == sid,
                sa.or_(s.c.content_key == ckey, s.c.head_key == hkey, s.c.tail_key == tkey),
                s.c.article_id != aid, s.c.trusted == trusted,
            ).order_by(s.c.id)
        ).all()
        if not cands:
            return None
        words = normalise(text)
        best, best_ratio = None, 0.0
        for c in cands:
            if c.id in reported_here:
                continue
            if c.content_key == ckey:
                return c.id
            other = normalise(c.content_text)
            if abs(len(other) - len(words)) > 0.2 * max(len(words), len(other)):
                continue
            ratio = SequenceMatcher(None, words, other, autojunk=False).ratio()
            if ratio >= NEAR_DUPLICATE and ratio > best_ratio:
                best, best_ratio = c.id, ratio
        return best
