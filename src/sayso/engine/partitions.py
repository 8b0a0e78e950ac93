"""Cutting the input into partitions that workers elsewhere can read on their own.

A partition is either a run of whole inputs (plain-text or HTML files, a WARC file, a feed,
a gzipped JSON Lines file, or a path that cannot be read, whose error its worker reports)
or a run of lines of one plain JSON Lines file, given as a byte range plus the number of
its first line, so that a worker reads only its own bytes and reports the file's real line
numbers. Reading all partitions in order yields exactly what ``read_paths`` yields: the
same documents (ids included) and the same errors, in the same order.

A partition's ``name`` is a digest of what it reads (paths, byte range, each file's size
and modification time) and of the model: a shard already written under that name is the
same result, so a re-run with the same output folder does not parse it again.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from sayso.readers import DEFAULT_MAX_BYTES, Document, ReadError, files_in, read_path

PARTITION_SIZE = 16  # documents per partition when the caller does not say


class InputError(ValueError):
    """An input a distributed run cannot take (standard input)."""


@dataclass(frozen=True)
class Partition:
    index: int
    paths: tuple[str, ...] = ()       # whole inputs, read as read_path reads them
    jsonl: str | None = None          # else: part of this JSON Lines file …
    start: int = 0                    # … its bytes [start, stop) …
    stop: int = 0
    first_line: int = 1               # … beginning with this line
    documents: int = 0                # documents expected (for progress; 0 when unknown)
    stamp: str = ""                   # sizes and mtimes of the files read

    def name(self, model: str, tier: str = "") -> str:
        # the tier and its models (``Settings.tier_stamp``) are part of what made a shard:
        # shards kept with --parquet-dir are reused only by a run of the same ones
        what = repr((self.paths, self.jsonl, self.start, self.stop, self.first_line, self.stamp, model, tier))
        return f"part-{self.index:06d}-{hashlib.sha1(what.encode()).hexdigest()[:12]}"


def _stamp(paths: Iterable[str]) -> str:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            out.append("-")
    return ",".join(out)


def _line_ranges(path: Path, size: int) -> list[tuple[int, int, int, int]] | None:
    """(start, stop, first line, documents) per run of ``size`` non-blank lines of a plain
    JSON Lines file; None when it cannot be read or has no lines (its worker reports it)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    ranges: list[tuple[int, int, int, int]] = []
    start, first, count = 0, 1, 0
    pos, lineno = 0, 1
    while pos <= len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        if data[pos:end].strip():
            if count == size:
                ranges.append((start, pos, first, count))
                start, first, count = pos, lineno, 0
            count += 1
        pos, lineno = end + 1, lineno + 1
    if not count and not ranges:
        return None
    ranges.append((start, len(data), first, count))
    return ranges


def check(paths: Iterable[str | Path]) -> None:
    """Raise InputError for an input no worker can read (before any cluster is started)."""
    if any(str(p) == "-" for p in paths):
        raise InputError("-: standard input cannot be read by distributed workers; give files")


def _files(paths: Iterable[str | Path]) -> Iterator[str]:
    """Each input as the files read_path would read, in its order; a path it cannot expand
    (missing, an empty directory) is kept as it is, for its worker to report."""
    paths = list(paths)
    check(paths)
    for p in paths:
        path = Path(p)
        found = files_in(path) if path.is_dir() else []
        yield from (str(f) for f in found) if found else [str(path)]


def plan(paths: Iterable[str | Path], size: int = PARTITION_SIZE) -> list[Partition]:
    """The partitions of the inputs, in input order."""
    parts: list[Partition] = []
    group: list[str] = []

    def close_group() -> None:
        if group:
            parts.append(Partition(len(parts), tuple(group), documents=len(group), stamp=_stamp(group)))
            group.clear()

    for f in _files(paths):
        lower = f.lower()
        splittable = lower.endswith(".jsonl") and Path(f).is_file()
        whole = lower.endswith((".jsonl.gz", ".warc", ".warc.gz", ".rss", ".atom", ".xml"))
        ranges = _line_ranges(Path(f), size) if splittable else None
        if ranges is None and not whole and not splittable:
            group.append(f)  # one document per file (or one error)
            if len(group) == size:
                close_group()
            continue
        close_group()
        if ranges is None:
            parts.append(Partition(len(parts), (f,), stamp=_stamp([f])))
            continue
        stamp = _stamp([f])
        for start, stop, first, n in ranges:
            parts.append(Partition(len(parts), jsonl=f, start=start, stop=stop, first_line=first,
                                   documents=n, stamp=stamp))
    close_group()
    return parts


def read_partition(part: Partition, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """The documents (and errors) of one partition, as read_paths gives them (each at most
    ``max_bytes``)."""
    if part.jsonl is None:
        for p in part.paths:
            yield from read_path(p, max_bytes)
        return
    from sayso.readers.jsonl import read_lines

    try:
        with open(part.jsonl, "rb") as fh:
            fh.seek(part.start)
            data = fh.read(part.stop - part.start)
    except OSError as exc:
        yield ReadError(part.jsonl, exc.strerror or exc.__class__.__name__)
        return
    yield from read_lines(part.jsonl, data, part.first_line, max_bytes)
