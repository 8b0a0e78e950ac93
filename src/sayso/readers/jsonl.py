"""JSON Lines: one article per line, ``{"text": …, "id"?, "title"?, "published"?, "url"?, "source"?}``.

``publication_date`` and ``publisher`` (the PolNeAR names) are read as ``published`` and ``source``. A bad line is yielded as a
``ReadError`` for ``path:line`` and the following lines are still read.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Iterator

from sayso.pipeline import Document
from sayso.readers.common import ReadError, decode, read_bytes

OPTIONAL = ("id", "title", "published", "url", "source")


def document_from_record(obj: object, where: str) -> Document | ReadError:
    if not isinstance(obj, dict):
        return ReadError(where, "not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        return ReadError(where, "missing string field 'text'")
    if not text.strip():
        return ReadError(where, "empty 'text'")
    for key, value in obj.items():  # JSON escapes can carry halves of a surrogate pair
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return ReadError(where, f"field {key!r} is not valid Unicode (unpaired surrogate at offset {exc.start})")
    if obj.get("published") is None and obj.get("publication_date") is not None:
        obj = {**obj, "published": obj["publication_date"]}
    if obj.get("source") is None and obj.get("publisher") is not None:  # PolNeAR's outlet
        obj = {**obj, "source": obj["publisher"]}
    meta = {}
    for key in OPTIONAL:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if key == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return ReadError(where, f"field {key!r} is not a string")
        meta[key] = value
    return Document(text=text, **meta)


def read_jsonl(path: str | Path) -> Iterator[Document | ReadError]:
    path = Path(path)
    data = read_bytes(path)
    if isinstance(data, ReadError):
        yield data
        return
    cut = None
    if path.name.lower().endswith(".gz"):
        data, cut = gunzip(data)
        if cut and not data:
            yield ReadError(path, f"not a valid gzip file ({cut})")
            return
        if cut:  # keep the whole lines before the damage; the partial last line is dropped
            data = data[:data.rfind(b"\n") + 1]
    found = False
    for item in read_lines(path, data):
        found = True
        yield item
    if cut:
        lines = data.count(b"\n")
        yield ReadError(path, f"gzip data cut short or damaged after {lines:,} whole lines ({cut})")
    elif not found:
        yield ReadError(path, "empty: no JSON lines")


def gunzip(data: bytes) -> tuple[bytes, str | None]:
    """Decompressed bytes, as many as can be recovered, and what went wrong (None: nothing).
    A crawl's file cut off in the middle still gives every line before the cut."""
    out: list[bytes] = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member
        try:
            out.append(d.decompress(data))
        except zlib.error as exc:
            return b"".join(out), str(exc)
        if not d.eof:
            return b"".join(out), "compressed data ends before the end of the stream"
        data = d.unused_data.lstrip(b"\x00")  # further members (concatenated .gz files)
    return b"".join(out), None


def read_lines(path: str | Path, data: bytes, first_line: int = 1) -> Iterator[Document | ReadError]:
    """The articles of some lines of a JSON Lines file (``data``, whose first line is line
    ``first_line`` of ``path``): a partition of a large file reads only its own bytes, and
    its errors still name the file's real line numbers."""
    for lineno, raw in enumerate(data.split(b"\n"), first_line):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        line = decode(raw, where)
        if isinstance(line, ReadError):
            yield line
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield document_from_record(obj, where)
