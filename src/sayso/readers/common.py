"""What every reader shares: the error type and strict decoding of bytes."""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, TypeVar

# The most bytes one document may have as read (a file, standard input, a JSON line, a
# WARC record's payload, a feed file): a news article is rarely over 200 KB, and anything
# larger is refused before it can cost memory. Callers pass their setting explicitly.
from sayso.settings import DEFAULT_MAX_BYTES

T = TypeVar("T")


class ReadError(Exception):
    """A document that could not be read: ``str(err)`` is one line, ``"<path>: <reason>"``."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always a single line
        super().__init__(f"{self.path}: {self.reason}")


def too_large(where: str | Path, max_bytes: int) -> ReadError:
    return ReadError(where, f"over the size limit: more than {max_bytes:,} bytes "
                            "(--max-bytes, $SAYSO_MAX_BYTES)")


def open_regular(path: Path) -> BinaryIO | ReadError:
    """``path`` opened for reading if it is a regular file (links followed). Devices, FIFOs
    and sockets are refused: ``/dev/zero`` never ends and a FIFO blocks until someone writes.
    The file is opened non-blocking and checked on the open descriptor, so a FIFO is never
    waited on and nothing can be swapped in between the check and the read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        return ReadError(path, "is a directory")
    except OSError as exc:
        return ReadError(path, exc.strerror or exc.__class__.__name__)
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        return ReadError(path, "is a directory")
    if not stat.S_ISREG(mode):
        os.close(fd)
        return ReadError(path, "not a regular file (a device, FIFO or socket): not read")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_capped(stream: BinaryIO, where: str | Path, max_bytes: int) -> bytes | ReadError:
    """At most ``max_bytes`` from ``stream``; one byte more means the document is too large,
    and reading stops there (a file that grows, or a pipe that never ends, costs no more)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return too_large(where, max_bytes)
    return data


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | ReadError:
    """The bytes of a regular file of at most ``max_bytes`` (else one ReadError)."""
    fh = open_regular(path)
    if isinstance(fh, ReadError):
        return fh
    try:
        with fh:
            if os.fstat(fh.fileno()).st_size > max_bytes:  # refused before reading a byte
                return too_large(path, max_bytes)
            return read_capped(fh, path, max_bytes)
    except OSError as exc:
        return ReadError(path, exc.strerror or exc.__class__.__name__)


def decode(data: bytes, where: str | Path) -> str | ReadError:
    """UTF-8 text exactly as given (no normalisation: offsets index this string)."""
    if b"\x00" in data:
        return ReadError(where, "binary data (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ReadError(where, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")
    if not text.strip():
        return ReadError(where, "empty: no text")
    return text


def read_file(path: str | Path, convert: Callable[[bytes, Path, str], T],
              max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[T | ReadError]:
    """One document from one file: its bytes through ``convert(data, path, id)``, the id
    being the file's stem; an unreadable (or too large) file is its ReadError."""
    path = Path(path)
    data = read_bytes(path, max_bytes)
    yield data if isinstance(data, ReadError) else convert(data, path, path.stem)
