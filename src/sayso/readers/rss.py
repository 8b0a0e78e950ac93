"""RSS and Atom feeds saved on disk (``.rss``, ``.atom``, ``.xml``): one article per entry.

The text is the entry's title on the first line, then its content (or, failing that, its
summary) as blank-line-separated paragraphs; the publication date is the entry's
``published`` (else ``updated``) date as ISO 8601, the URL its link, and the outlet the
feed's title. An entry with no text is a ``ReadError``; so is a file that is no feed.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError, read_bytes

BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "article", "section", "figure", "figcaption", "pre", "table", "tr")


def html_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment, whitespace collapsed inside each."""
    from lxml import etree
    from lxml import html as lh

    try:
        root = lh.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return [" ".join(fragment.split())] if fragment.strip() else []
    for bad in list(root.iter("script", "style")):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n\n" + (br.tail or "")
    for el in root.iter(*BLOCKS):
        el.text = "\n\n" + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    text = root.text_content()
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _date(entry) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        t = entry.get(key)
        if t:
            return time.strftime("%Y-%m-%d", t)
    return None


def _body(entry) -> list[str]:
    for item in entry.get("content") or ():
        value = item.get("value") or ""
        if value.strip():
            if "html" in (item.get("type") or "html"):
                return html_paragraphs(value)
            return [" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip()]
    summary = entry.get("summary") or ""
    return html_paragraphs(summary) if summary.strip() else []


def read_rss(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """The entries of a feed file; feedparser needs the whole file, so a feed over
    ``max_bytes`` is refused as a whole."""
    import feedparser

    path = Path(path)
    data = read_bytes(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    if not data.strip():
        yield ReadError(path, "empty: no feed")
        return
    feed = feedparser.parse(data)
    if not feed.entries:
        why = f" ({feed.bozo_exception})" if feed.get("bozo") and feed.get("bozo_exception") else ""
        yield ReadError(path, f"not an RSS/Atom feed, or a feed with no entries{why}")
        return
    outlet = (feed.feed.get("title") or "").strip() or None
    for i, entry in enumerate(feed.entries, 1):
        where = f"{path}:entry {i}"
        title = " ".join((entry.get("title") or "").split()) or None
        body = _body(entry)
        if title and body and body[0] == title:
            body = body[1:]
        if not body:
            yield ReadError(where, "entry has no text (no content or summary)")
            continue
        yield Document(
            text="\n\n".join([title, *body] if title else body),
            title=title, published=_date(entry), url=entry.get("link") or None, source=outlet,
        )
