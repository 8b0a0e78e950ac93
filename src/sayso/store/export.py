"""The archive out: JSON Lines (one statement record per line, plus ``article_id``), CSV and
Parquet (one flat row per statement).

Lists stay lists: ``article_ids``, ``responds_to`` and ``flags`` are JSON arrays in CSV and
list columns in Parquet; spans are JSON ``[[start, end], …]`` in CSV and lists of
``{start, end}`` structs in Parquet. CSV is for spreadsheets, which run a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula: such a cell gets a
leading ``'`` (``neutralise``; the OWASP advice), so ``=cmd|…`` from an article is shown,
never run. JSON Lines and Parquet are data and are never altered.

A file export never touches the archive itself (``-o`` naming it is refused) and never
leaves half a file: it is written beside its destination under a temporary name and
renamed over it once complete.
"""
from __future__ import annotations

import csv
import json
import os
from urllib.parse import unquote
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from sqlalchemy.engine import Engine

from sayso.records import StatementHit
from sayso.store.search import all_statements, hit

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
LISTS = ("article_ids", "responds_to", "flags")
SPANS = ("cue_spans", "source_spans", "content_spans")
FORMULA = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """An export that must not be written (onto the archive itself): one line."""


def neutralise(value):
    """A CSV cell a spreadsheet would run as a formula, made text: a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def flat(found: StatementHit) -> dict:
    """A statement as one flat row, from its record (``to_dict``) and its article's date."""
    rec, published = found.to_dict(), found.published
    sp = rec.get("speaker") or {}
    src = rec.get("source") or {}
    return {
        "statement_id": rec["statement_id"], "article_id": rec["article_id"],
        "article_ids": list(rec["article_ids"]), "id": rec["id"], "kind": rec["kind"],
        "type": rec.get("type") or "speech",
        "speaker": sp.get("name"), "speaker_id": sp.get("id"), "organization": sp.get("organization"),
        "cue": rec["cue"]["text"], "source": src.get("text"), "content": rec["content"]["text"],
        "date": rec["date"], "place": rec["place"], "event": rec["event"], "channel": rec["channel"],
        "responds_to": list(rec["responds_to"]), "flags": list(rec["flags"]),
        "confidence": rec["confidence"], "trusted": rec.get("trusted", True), "published": published,
        "cue_spans": [list(x) for x in rec["cue"]["spans"]],
        "source_spans": [list(x) for x in src.get("spans") or []],
        "content_spans": [list(x) for x in rec["content"]["spans"]],
    }


def csv_row(found: StatementHit) -> dict:
    """A statement as a CSV row: lists as JSON arrays, every text cell neutralised."""
    row = flat(found)
    for key in (*LISTS, *SPANS):
        row[key] = json.dumps(row[key], ensure_ascii=False)
    return {k: neutralise(v) for k, v in row.items()}


def _parquet_row(found: StatementHit) -> dict:
    row = flat(found)
    for key in SPANS:
        row[key] = [{"start": s, "end": e} for s, e in row[key]]
    return row


def parquet_schema():
    import pyarrow as pa

    span = pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64())]))

    def kind(c: str):
        if c in LISTS:
            return pa.list_(pa.string())
        return span if c in SPANS else getattr(pa, TYPED.get(c, "string"))()

    return pa.schema([(c, kind(c)) for c in COLUMNS])


def write_jsonl(rows: Iterable[StatementHit], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[StatementHit], out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=COLUMNS)
    w.writeheader()
    n = 0
    for row in rows:
        w.writerow(csv_row(row))
        n += 1
    return n


def write_parquet(rows: Iterable[StatementHit], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(str(path), schema) as w:
        batch: list[dict] = []
        for row in rows:
            batch.append(_parquet_row(row))
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
    if fmt == "parquet" and path is None:
        raise ValueError("parquet needs an output file (-o FILE)")
    if path is not None:
        refuse_archive(engine, Path(path))
    with engine.connect() as conn:
        rows = (hit(row) for row in all_statements(conn))  # the records, in ingest order
        if path is None:
            return (write_jsonl if fmt == "jsonl" else write_csv)(rows, stdout)
        with replaced(Path(path)) as tmp:
            if fmt == "parquet":
                return write_parquet(rows, tmp)
            with open(tmp, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as fh:
                return (write_jsonl if fmt == "jsonl" else write_csv)(rows, fh)


def refuse_archive(engine: Engine, path: Path) -> None:
    """An ExportError when ``path`` is the SQLite archive being read (or its -wal/-shm
    file, or a link to either): opening it for writing would truncate the archive."""
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    if not db or db == ":memory:":
        return
    if db.startswith("file:"):  # a read-only archive is opened by URI (store.db._read_only_engine)
        db = unquote(db[len("file:"):].split("?", 1)[0])
    archive = os.path.realpath(db)
    target = os.path.realpath(path)
    if target in (archive, archive + "-wal", archive + "-shm", archive + "-journal"):
        raise ExportError(f"{path}: that is the archive itself (--db); export to another file")


@contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write to, renamed over ``path`` when the block
    ends without error (removed otherwise), so ``path`` is always the old file or the
    whole new one. A destination that is no regular file (``/dev/stdout``, a FIFO) is
    written directly: renaming over it would replace the device's name, not feed it."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        yield path
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
