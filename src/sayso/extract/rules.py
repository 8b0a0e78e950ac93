"""The rule tier (work in progress)."""
from __future__ import annotations

from spacy.tokens import Doc

from sayso.records import Statement


def extract_statements(doc: Doc) -> list[Statement]:
    return []
