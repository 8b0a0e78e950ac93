"""WARC files (``.warc``, ``.warc.gz``), as web crawls deliver news: each HTML response
record is one article, its main text extracted as for ``.html`` files; ``text/plain``
records are read as text. Requests, metadata and non-text responses (images, scripts)
are not documents and are passed over; a page with no main text is a ``ReadError``.

The record's target URI is the article's URL when the page names none; its host (without
``www.``) is the outlet.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from sayso.pipeline import Document
from sayso.readers.common import ReadError

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _host(uri: str | None) -> str | None:
    host = urlsplit(uri).hostname if uri else None
    if host and host.startswith("www."):
        host = host[4:]
    return host or None


def _content_type(record) -> str:
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    value = (headers.get_header("Content-Type") if headers is not None else None) or ""
    return value.split(";")[0].strip().lower()


def read_warc(path: str | Path) -> Iterator[Document | ReadError]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from sayso.readers.html import document_from_html
    from sayso.readers.txt import document_from_bytes

    path = Path(path)
    found = 0
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, arc2warc=True):
                if record.rec_type not in ("response", "resource"):
                    continue
                if record.rec_type == "response" and record.http_headers is None:
                    continue
                ctype = _content_type(record)
                if ctype not in HTML_TYPES and ctype != "text/plain":
                    continue
                if record.rec_type == "response":
                    status = record.http_headers.get_statuscode()
                    if status and not status.startswith("2"):
                        continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                where = f"{path}:{uri}" if uri else f"{path}#{found + 1}"
                data = record.content_stream().read()
                found += 1
                if ctype == "text/plain":
                    doc = document_from_bytes(data, where)
                else:
                    doc = document_from_html(data, where)
                if isinstance(doc, Document):
                    doc = replace(doc, url=doc.url or uri, source=_host(uri) or doc.source)
                yield doc
    except FileNotFoundError:
        yield ReadError(path, "no such file or directory")
        return
    except OSError as exc:
        yield ReadError(path, f"cannot read WARC ({exc.strerror or exc})")
        return
    except (ArchiveLoadFailed, ValueError, EOFError) as exc:
        yield ReadError(path, f"not a valid WARC file ({exc})")
        return
    if not found:
        yield ReadError(path, "no HTML or text records in the WARC file")
