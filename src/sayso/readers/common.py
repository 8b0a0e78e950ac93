"""What every reader shares: the error type and strict decoding of bytes."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")


class ReadError(Exception):
    """A document that could not be read: ``str(err)`` is one line, ``"<path>: <reason>"``."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always a single line
        super().__init__(f"{self.path}: {self.reason}")


def read_bytes(path: Path) -> bytes | ReadError:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        return ReadError(path, "is a directory")
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


def read_file(path: str | Path, convert: Callable[[bytes, Path, str], T]) -> Iterator[T | ReadError]:
    """One document from one file: its bytes through ``convert(data, path, id)``, the id
    being the file's stem; an unreadable file is its ReadError."""
    path = Path(path)
    data = read_bytes(path)
    yield data if isinstance(data, ReadError) else convert(data, path, path.stem)
