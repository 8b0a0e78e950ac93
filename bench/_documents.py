"""Reading a bench's input articles: bad documents are reported and left out."""
from __future__ import annotations

import sys
from typing import Iterable

from sayso.pipeline import Document
from sayso.readers import ReadError


def load_documents(items: Iterable[Document | ReadError], limit: int | None = None) -> list[Document]:
    docs: list[Document] = []
    for item in items:
        if isinstance(item, ReadError):
            print(f"error: {item}", file=sys.stderr)
        else:
            docs.append(item)
    return docs[:limit] if limit else docs
