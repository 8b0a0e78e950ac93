"""Plain UTF-8 text: the whole file is one article, offsets index it exactly as stored."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from sayso.records import Document
from sayso.readers.common import DEFAULT_MAX_BYTES, ReadError, decode, read_file


def document_from_bytes(data: bytes, where: str | Path, id: str | None = None) -> Document | ReadError:
    text = decode(data, where)
    if isinstance(text, ReadError):
        return text
    return Document(text=text, id=id)


def read_txt(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    return read_file(path, document_from_bytes, max_bytes)
