"""The archive out: JSON Lines (one statement record per line, plus ``article_id``), CSV and
Parquet (one flat row per statement; spans as JSON text)."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Iterable

from sqlalchemy.engine import Engine

from sayso.store.search import all_statements, record

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS = (
    "statement_id", "article_id", "article_ids", "id", "kind", "type", "speaker", "speaker_id",
    "organization", "cue", "source", "content", "date", "place", "event", "channel",
    "responds_to", "flags", "confidence", "trusted", "published", "cue_spans", "source_spans",
    "content_spans",
)
# Parquet column types other than text; an export keeps every statement, and ``trusted``
# says which ones the default views show (``sayso.trust``).
TYPED = {"confidence": "float64", "trusted": "bool_"}


def flat(rec: dict, published: str | None = None) -> dict:
    sp = rec.get("speaker") or {}
    src = rec.get("source") or {}
    return {
        "statement_id": rec["statement_id"], "article_id": rec["article_id"],
        "article_ids": " ".join(rec["article_ids"]), "id": rec["id"], "kind": rec["kind"],
        "type": rec.get("type") or "speech",
        "speaker": sp.get("name"), "speaker_id": sp.get("id"), "organization": sp.get("organization"),
        "cue": rec["cue"]["text"], "source": src.get("text"), "content": rec["content"]["text"],
        "date": rec["date"], "place": rec["place"], "event": rec["event"], "channel": rec["channel"],
        "responds_to": " ".join(rec["responds_to"]), "flags": " ".join(rec["flags"]),
        "confidence": rec["confidence"], "trusted": rec.get("trusted", True), "published": published,
        "cue_spans": json.dumps(rec["cue"]["spans"]),
        "source_spans": json.dumps(src.get("spans") or []),
        "content_spans": json.dumps(rec["content"]["spans"]),
    }


def write_jsonl(rows: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(record(row), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[dict], out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=COLUMNS)
    w.writeheader()
    n = 0
    for row in rows:
        w.writerow(flat(record(row), row.get("published")))
        n += 1
    return n


def write_parquet(rows: Iterable[dict], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, TYPED.get(c, "string"))()) for c in COLUMNS])
    n = 0
    with pq.ParquetWriter(str(path), schema) as w:
        batch: list[dict] = []
        for row in rows:
            batch.append(flat(record(row), row.get("published")))
            if len(batch) == 5000:
                w.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            w.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def export(engine: Engine, fmt: str, path: Path | None, stdout: IO[str] | None = None) -> int:
    """Write every statement to ``path`` (or ``stdout`` for jsonl/csv); the count written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    with engine.connect() as conn:
        rows = all_statements(conn)
        if fmt == "parquet":
            if path is None:
                raise ValueError("parquet needs an output file (-o FILE)")
            return write_parquet(rows, path)
        writer = write_jsonl if fmt == "jsonl" else write_csv
        if path is None:
            return writer(rows, stdout)
        with open(path, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as fh:
            return writer(rows, fh)
