"""Parquet shards of extraction results: the hand-over between distributed workers and the
archive, and a data-lake output of their own (DuckDB: ``read_parquet('OUT/statements/*.parquet')``).

A shard holds the results of one partition of the input, in input order, as two files
with the same name: ``articles/NAME.parquet`` (one row per document: its metadata, text
and SHA-256, or the one-line reason it failed) and ``statements/NAME.parquet`` (one row
per statement: flat columns for queries, ``trusted`` among them (``sayso.trust``, so a
data-lake query can keep the trusted view too), plus ``record``, the statement exactly as
``Statement.to_dict()`` gave it, as JSON). Reading a shard back gives the same ``Article``
records the worker had, so loading shards into the archive goes
through the same :class:`~sayso.store.ingest.Writer` as a local ingest; the speakers' kinds,
which the records' dicts leave out, travel in a column of their own (``speaker_kind``).

Each file is written under a temporary name and renamed, statements first: a shard whose
``articles`` file exists is complete, so a worker killed mid-write leaves nothing that
looks finished, and a partition run twice (a retry) just replaces it with the same bytes.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sayso.records import Article, Statement
from sayso.trust import is_trusted

ARTICLE_KEYS = ("id", "title", "published", "byline", "url", "language", "skipped")


@dataclass(frozen=True)
class Entry:
    """One document of a partition: an article record with its text, or an error."""

    position: int                     # within the partition, in input order
    article: Article | None = None
    text: str | None = None
    source: str | None = None         # the outlet, as the reader found it
    digest: str | None = None         # SHA-256 of the text (the archive's identity)
    error: str | None = None          # one line: why this document gave no record


def _schemas():
    import pyarrow as pa

    s = pa.string()
    articles = pa.schema([
        ("position", pa.int32()), ("id", s), ("content_hash", s), ("source", s), ("url", s),
        ("title", s), ("published", s), ("byline", s), ("language", s), ("skipped", s),
        ("n_statements", pa.int32()), ("text", pa.large_string()), ("error", s), ("extra", s),
    ])
    statements = pa.schema([
        ("article_position", pa.int32()), ("article_id", s), ("content_hash", s), ("position", pa.int32()),
        ("id", s), ("kind", s), ("type", s), ("trusted", pa.bool_()), ("cue", s), ("source", s), ("content", s),
        ("speaker", s), ("speaker_id", s), ("organization", s), ("date", s), ("place", s),
        ("event", s), ("channel", s), ("responds_to", s), ("flags", s), ("confidence", pa.float64()),
        ("cue_spans", s), ("source_spans", s), ("content_spans", s), ("record", s), ("speaker_kind", s),
    ])
    return articles, statements


def _article_row(e: Entry) -> dict:
    rec = e.article.to_dict() if e.article else {}
    extra = {k: v for k, v in rec.items() if k not in ARTICLE_KEYS and k != "statements"}
    return {
        "position": e.position, **{k: rec.get(k) for k in ARTICLE_KEYS}, "content_hash": e.digest,
        "source": e.source, "n_statements": len(rec.get("statements") or []) if e.article else None,
        "text": e.text, "error": e.error, "extra": json.dumps(extra, ensure_ascii=False) if extra else None,
    }


def _statement_rows(e: Entry) -> list[dict]:
    rows = []
    if e.article is None:
        return rows
    for pos, (st, record) in enumerate(zip(e.article.to_dict()["statements"], e.article.statements)):
        sp = st.get("speaker") or {}
        src = st.get("source") or {}
        rows.append({
            "article_position": e.position, "article_id": e.article.id, "content_hash": e.digest,
            "position": pos, "id": st["id"], "kind": st["kind"], "type": st.get("type") or "speech",
            "trusted": is_trusted(Statement.from_dict(st)), "cue": st["cue"]["text"],
            "source": src.get("text"), "content": st["content"]["text"], "speaker": sp.get("name"),
            "speaker_id": sp.get("id"), "organization": sp.get("organization"), "date": st.get("date"),
            "place": st.get("place"), "event": st.get("event"), "channel": st.get("channel"),
            "responds_to": " ".join(st.get("responds_to") or []), "flags": " ".join(st.get("flags") or []),
            "confidence": st.get("confidence"), "cue_spans": json.dumps(st["cue"]["spans"]),
            "source_spans": json.dumps(src.get("spans") or []),
            "content_spans": json.dumps(st["content"]["spans"]),
            "record": json.dumps(st, ensure_ascii=False),
            "speaker_kind": record.speaker.kind if record.speaker else None,
        })
    return rows


def _write_atomic(table, path: Path) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, str(tmp), compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def shard_paths(out: str | Path, name: str) -> tuple[Path, Path]:
    out = Path(out)
    return out / "articles" / f"{name}.parquet", out / "statements" / f"{name}.parquet"


def write_shard(out: str | Path, name: str, entries: Iterable[Entry]) -> None:
    import pyarrow as pa

    entries = list(entries)
    a_schema, s_schema = _schemas()
    a_path, s_path = shard_paths(out, name)
    statements = [row for e in entries for row in _statement_rows(e)]
    _write_atomic(pa.Table.from_pylist(statements, schema=s_schema), s_path)
    _write_atomic(pa.Table.from_pylist([_article_row(e) for e in entries], schema=a_schema), a_path)


def shard_done(out: str | Path, name: str) -> bool:
    a_path, s_path = shard_paths(out, name)
    return a_path.exists() and s_path.exists()


def read_shard(out: str | Path, name: str) -> list[Entry]:
    """The entries of a shard, in input order, with their records rebuilt exactly."""
    import pyarrow.parquet as pq

    a_path, s_path = shard_paths(out, name)
    by_article: dict[int, list[dict]] = {}
    table = pq.read_table(str(s_path))
    wanted = [c for c in ("article_position", "position", "record", "speaker_kind") if c in table.column_names]
    for row in table.select(wanted).to_pylist():  # a shard of an older release has no speaker_kind
        by_article.setdefault(row["article_position"], []).append(row)
    entries = []
    for row in sorted(pq.read_table(str(a_path)).to_pylist(), key=lambda r: r["position"]):
        if row["error"] is not None:
            entries.append(Entry(row["position"], digest=row["content_hash"], error=row["error"]))
            continue
        stmts = sorted(by_article.get(row["position"], []), key=lambda r: r["position"])
        record = {k: row.get(k) for k in ARTICLE_KEYS}  # a shard of an older release lacks 'skipped'
        record["statements"] = [_with_kind(json.loads(s["record"]), s.get("speaker_kind")) for s in stmts]
        if row["extra"]:
            record.update(json.loads(row["extra"]))
        entries.append(Entry(row["position"], Article.from_dict(record), row["text"], row["source"],
                             row["content_hash"]))
    return entries


def _with_kind(statement: dict, kind: str | None) -> dict:
    if kind and statement.get("speaker"):
        statement["speaker"] = {**statement["speaker"], "kind": kind}  # Speaker.from_dict reads it
    return statement


def shard_errors(out: str | Path, name: str) -> tuple[int, int, list[str]]:
    """(documents, statements, error lines) of a finished shard, without reading its texts."""
    import pyarrow.parquet as pq

    a_path, _ = shard_paths(out, name)
    rows = pq.read_table(str(a_path), columns=["n_statements", "error"]).to_pylist()
    errors = [r["error"] for r in rows if r["error"] is not None]
    return len(rows) - len(errors), sum(r["n_statements"] or 0 for r in rows), errors


def remove_other_shards(out: str | Path, keep: set[str]) -> int:
    """Delete shard files of earlier runs on other input (so that ``OUT/statements/*.parquet``
    is this run's result); the number removed."""
    n = 0
    for sub in ("articles", "statements"):
        for f in (Path(out) / sub).glob("part-*.parquet"):
            if f.stem not in keep:
                f.unlink(missing_ok=True)
                n += 1
    return n
