"""WARC files (``.warc``, ``.warc.gz``), as web crawls deliver news: each HTML response
record is one article, its main text extracted as for ``.html`` files; ``text/plain``
records are read as text. Requests, metadata and non-text responses (images, scripts)
are not documents and are passed over; a page with no main text is a ``ReadError``.

The record's target URI is the article's URL when the page names none; its host (without
``www.``) is the outlet.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError, open_regular, too_large

HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_MAGIC = b"\x1f\x8b\x08"


def _host(uri: str | None) -> str | None:
    host = urlsplit(uri).hostname if uri else None
    if host and host.startswith("www."):
        host = host[4:]
    return host or None


def _content_type(record) -> str:
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    value = (headers.get_header("Content-Type") if headers is not None else None) or ""
    return value.split(";")[0].strip().lower()


def _next_start(fh, after: int, gz: bool) -> int | None:
    """Offset of the next thing that looks like the start of a record (a gzip member, or a
    ``WARC/1.`` line) after ``after``, read in blocks so a large file is never loaded whole."""
    marker = GZIP_MAGIC if gz else b"\nWARC/1."
    fh.seek(after)
    pos, tail = after, b""
    while True:
        block = fh.read(1 << 20)
        if not block:
            return None
        buf = tail + block
        i = buf.find(marker)
        if i >= 0:
            return pos - len(tail) + i + (0 if gz else 1)
        tail = buf[-(len(marker) - 1):]
        pos += len(block)


def read_warc(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """Documents of a WARC file. A broken record is reported (one ReadError) and reading
    resumes at the next record that can be found; a file cut short says so, with what was
    read before the cut kept. A record whose payload is over ``max_bytes`` is one error
    (the file itself may be any size: it is read record by record)."""
    path = Path(path)
    found = 0
    opened = open_regular(path)
    if isinstance(opened, ReadError):
        yield opened
        return
    try:
        with opened as fh:
            size = os.fstat(fh.fileno()).st_size
            gz = fh.read(3) == GZIP_MAGIC
            pos = 0
            while pos is not None and pos < size:
                pos, items, found = _read_from(fh, path, pos, (size, max_bytes), gz, found)
                yield from items
    except OSError as exc:
        yield ReadError(path, f"cannot read WARC ({exc.strerror or exc})")
        return
    if not found:
        yield ReadError(path, "no HTML or text records in the WARC file")


def _read_from(fh, path: Path, pos: int, limits: tuple[int, int], gz: bool, found: int):
    """Records from ``pos`` on: where to resume (None: done), the documents and errors in
    order, and the count of article records so far. ``limits``: the file's size and the
    most bytes one record's payload may have."""
    size, max_bytes = limits
    out: list = []
    end = pos  # end of the last record read whole
    fh.seek(pos)
    try:
        it = ArchiveIterator(fh, arc2warc=True)
        for record in it:
            doc = _document(record, path, found, max_bytes)
            rec_start = it.get_record_offset()  # reads the record to its end
            end = rec_start + it.get_record_length()
            if doc is not None:
                found += 1
                out.append(doc)
    except (ArchiveLoadFailed, ValueError, EOFError, zlib.error) as exc:
        reason = " ".join(str(exc).split())[:160]
        out.append(ReadError(f"{path}@{end}", f"broken WARC record ({reason}); skipped to the next record"))
        return _next_start(fh, end + 1, gz), out, found
    if size - end > 4 and fh.seek(end) is not None and fh.read(size - end).strip():
        out.append(ReadError(f"{path}@{end}", f"file cut short: the last {size - end:,} bytes are not a whole record"))
    return None, out, found


def _document(record, path: Path, found: int, max_bytes: int) -> Document | ReadError | None:
    """One record as a document (or why it cannot be one); None for records that are not
    articles (requests, metadata, images, error pages)."""
    from sayso.readers.html import document_from_html
    from sayso.readers.txt import document_from_bytes

    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response" and record.http_headers is None:
        return None
    ctype = _content_type(record)
    if ctype not in HTML_TYPES and ctype != "text/plain":
        return None
    if record.rec_type == "response":
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    where = f"{path}:{uri}" if uri else f"{path}#{found + 1}"
    data = record.content_stream().read(max_bytes + 1)  # the rest is skipped, never kept
    if len(data) > max_bytes:
        return too_large(where, max_bytes)
    doc = document_from_bytes(data, where) if ctype == "text/plain" else document_from_html(data, where)
    if isinstance(doc, Document):
        doc = replace(doc, url=doc.url or uri, source=_host(uri) or doc.source)
    return doc
