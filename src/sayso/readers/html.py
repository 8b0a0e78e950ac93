"""HTML pages: the main text via trafilatura, with title, date and URL when it finds them.

The text is laid out like the plain-text articles sayso expects: the headline on the first
line, then paragraphs separated by a blank line. Offsets index this extracted text.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError, read_file

# trafilatura and its helpers log extraction trouble; a reader reports it as a ReadError.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def document_from_html(data: bytes | str, where: str | Path, id: str | None = None) -> Document | ReadError:
    import trafilatura

    if isinstance(data, bytes) and b"\x00" in data:
        return ReadError(where, "binary data (contains NUL bytes), not HTML")
    if not (data.strip() if isinstance(data, str) else data.strip()):
        return ReadError(where, "empty: no HTML")
    try:
        result = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura raises assorted errors on broken markup
        return ReadError(where, f"cannot parse HTML ({exc.__class__.__name__})")
    result = result.as_dict() if result is not None else {}
    paragraphs = [p.strip() for p in (result.get("text") or "").splitlines() if p.strip()]
    if not paragraphs:
        return ReadError(where, "no main text found in the HTML")
    title = (result.get("title") or "").strip() or None
    if title and paragraphs[0] != title:
        paragraphs.insert(0, title)
    return Document(
        text="\n\n".join(paragraphs),
        id=id,
        title=title,
        published=result.get("date") or None,
        url=result.get("url") or None,
        source=(result.get("sitename") or "").strip() or None,
    )


def read_html(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """The page's main text; a page over ``max_bytes`` (of HTML) is refused unread."""
    return read_file(path, document_from_html, max_bytes)
