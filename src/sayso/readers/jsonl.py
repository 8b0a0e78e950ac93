"""JSON Lines: one article per line, ``{"text": …, "id"?, "title"?, "published"?, "url"?, "source"?}``.

``publication_date`` and ``publisher`` (the PolNeAR names) are read as ``published`` and ``source``. A bad line is yielded as a
``ReadError`` for ``path:line`` and the following lines are still read.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError, decode, open_regular, too_large

BLOCK = 1 << 20  # bytes read (and decompressed) at a time

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


def read_jsonl(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """The articles of a JSON Lines file (gzipped when it ends in ``.gz``), read as a stream
    so that a large crawl never sits in memory: a line over ``max_bytes`` is one error (the
    line is skipped unread, the next ones are read), whatever the file's size."""
    path = Path(path)
    fh = open_regular(path)
    if isinstance(fh, ReadError):
        yield fh
        return
    with fh:
        gz = Gunzip() if path.name.lower().endswith(".gz") else None
        try:
            blocks = gz.blocks(_blocks(fh)) if gz else _blocks(fh)
            found, lines = yield from _read_stream(path, blocks, max_bytes, gz)
        except OSError as exc:
            yield ReadError(path, exc.strerror or exc.__class__.__name__)
            return
    if gz and gz.damage:
        if not gz.output:
            yield ReadError(path, f"not a valid gzip file ({gz.damage})")
        else:
            yield ReadError(path, f"gzip data cut short or damaged after {lines:,} whole lines ({gz.damage})")
    elif not found:
        yield ReadError(path, "empty: no JSON lines")


def _read_stream(path: Path, blocks: Iterator[bytes], max_bytes: int, gz: "Gunzip | None"):
    """Yield the articles of the lines in ``blocks``; return (whether any line was read,
    how many whole lines there were). After gzip damage the partial last line is dropped."""
    found, lines = False, 0
    for lineno, raw in _lines(blocks, max_bytes, 1, lambda: not (gz and gz.damage)):
        lines = lineno if raw is not _PARTIAL else lines
        if raw is _PARTIAL:
            continue
        item = _line_item(raw, f"{path}:{lineno}", max_bytes)
        if item is not None:
            found = True
            yield item
    return found, lines


def _blocks(fh: BinaryIO) -> Iterator[bytes]:
    while block := fh.read(BLOCK):
        yield block


class Gunzip:
    """Decompressed blocks of a gzip stream (concatenated members too), at most ``BLOCK``
    bytes at a time, so a small file that inflates to gigabytes is never held whole. After
    the blocks are consumed, ``damage`` says what went wrong (None: nothing) and ``output``
    whether anything was decompressed: a crawl's file cut off in the middle still gives
    every line before the cut."""

    def __init__(self):
        self.damage: str | None = None
        self.output = False

    def blocks(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        d, started = zlib.decompressobj(16 + zlib.MAX_WBITS), False
        for data in raw:
            while data:
                if not started:
                    data = data.lstrip(b"\x00")  # padding between members
                    if not data:
                        break
                started = True
                try:
                    out = d.decompress(data, BLOCK)
                except zlib.error as exc:
                    self.damage = str(exc)
                    return
                if out:
                    self.output = True
                    yield out
                if d.eof:
                    data = d.unused_data
                    d, started = zlib.decompressobj(16 + zlib.MAX_WBITS), False
                else:
                    data = d.unconsumed_tail
        if started and not d.eof:
            self.damage = "compressed data ends before the end of the stream"


_PARTIAL = object()  # a last line cut off by damage: counted as nothing, never parsed


def _lines(blocks: Iterable[bytes], max_bytes: int, first_line: int, keep_last) -> Iterator[tuple[int, object]]:
    """(line number, its bytes) for every line in ``blocks``; None for a line over
    ``max_bytes``, whose bytes are passed over rather than kept. A last line without a
    newline is given if ``keep_last()`` says so at the end, else ``_PARTIAL``."""
    buf, lineno, over = bytearray(), first_line, False
    for block in blocks:
        start = 0
        while (nl := block.find(b"\n", start)) >= 0:
            if not over:
                buf += block[start:nl]
            yield lineno, (None if over or len(buf) > max_bytes else bytes(buf))
            buf.clear()
            lineno, start, over = lineno + 1, nl + 1, False
        if not over:
            buf += block[start:]
            if len(buf) > max_bytes:
                buf.clear()
                over = True
    if over or buf:
        yield lineno, (_PARTIAL if not keep_last() else None if over else bytes(buf))


def read_lines(path: str | Path, data: bytes, first_line: int = 1,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """The articles of some lines of a JSON Lines file (``data``, whose first line is line
    ``first_line`` of ``path``): a partition of a large file reads only its own bytes, and
    its errors still name the file's real line numbers."""
    for lineno, raw in _lines([data], max_bytes, first_line, lambda: True):
        item = _line_item(raw, f"{path}:{lineno}", max_bytes)
        if item is not None:
            yield item


def _line_item(raw: bytes | None, where: str, max_bytes: int) -> Document | ReadError | None:
    """One line as its article, its error, or None for a blank line."""
    if raw is None:
        return too_large(where, max_bytes)
    if not raw.strip():
        return None
    line = decode(raw, where)
    if isinstance(line, ReadError):
        return line
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return ReadError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
    return document_from_record(obj, where)
