"""Bytes on disk → :class:`sayso.pipeline.Document`.

Every reader is a generator of ``Document | ReadError``: a bad document is yielded as a
:class:`ReadError` (never raised) so that one bad file, or one bad line of a JSONL file,
does not stop the others. Callers check ``isinstance(item, ReadError)``.

Suffixes: ``.txt`` (and anything unknown) → plain UTF-8 text, ``.html``/``.htm`` → main text
via trafilatura, ``.jsonl``/``.jsonl.gz`` → one article per line, ``.warc``/``.warc.gz`` →
one article per HTML response, ``.rss``/``.atom``/``.xml`` → one article per feed entry. A
directory is read as every file with a known suffix below it, in sorted order.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError

__all__ = ["DEFAULT_MAX_BYTES", "Document", "ReadError", "Item", "SUFFIXES", "files_in", "read_path", "read_paths", "read_stdin"]

Item = Document | ReadError
SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".rss", ".atom", ".xml")
STDIN = "<stdin>"


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith((".rss", ".atom", ".xml")):
        return "rss"
    return "txt"


def _read_file(path: Path, max_bytes: int) -> Iterator[Item]:
    # Imported here so that reading plain text never pays for importing trafilatura.
    kind = _kind(path)
    if kind == "jsonl":
        from sayso.readers.jsonl import read_jsonl

        yield from read_jsonl(path, max_bytes)
    elif kind == "html":
        from sayso.readers.html import read_html

        yield from read_html(path, max_bytes)
    elif kind == "warc":
        from sayso.readers.warc import read_warc

        yield from read_warc(path, max_bytes)
    elif kind == "rss":
        from sayso.readers.rss import read_rss

        yield from read_rss(path, max_bytes)
    else:
        from sayso.readers.txt import read_txt

        yield from read_txt(path, max_bytes)


def read_path(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents (or errors) from one file or directory; ``"-"`` reads standard input. A
    document over ``max_bytes`` is one ReadError; devices and FIFOs are refused unread."""
    if str(path) == "-":
        yield from read_stdin(max_bytes=max_bytes)
        return
    path = Path(path)
    if path.is_dir():
        files = files_in(path)
        if not files:
            yield ReadError(path, f"directory has no {', '.join(SUFFIXES)} files")
        for f in files:
            yield from _read_file(f, max_bytes)
    elif not path.exists():
        yield ReadError(path, "no such file or directory")
    else:
        yield from _read_file(path, max_bytes)


def files_in(directory: Path) -> list[Path]:
    """The files a directory is read as: every file with a known suffix below it, sorted. A
    link to nothing is listed too, so that reading it reports it instead of passing it over."""
    return sorted(p for p in directory.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.name.lower().endswith(SUFFIXES))


def read_paths(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    for p in paths:
        yield from read_path(p, max_bytes)


def read_stdin(stream: BinaryIO | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Standard input as one plain-text document, read up to ``max_bytes`` only (``cat
    /dev/zero | sayso extract -`` is refused after the cap, not read until memory runs out)."""
    from sayso.readers.common import read_capped
    from sayso.readers.txt import document_from_bytes

    stream = stream if stream is not None else sys.stdin.buffer
    try:
        data = read_capped(stream, STDIN, max_bytes)
    except OSError as exc:
        data = ReadError(STDIN, exc.strerror or exc.__class__.__name__)
    yield data if isinstance(data, ReadError) else document_from_bytes(data, STDIN)
