"""A parsed document's text and per-token columns, computed once per doc.

spaCy rebuilds ``Doc.text`` from its tokens on every access (a join over every token), and
reading a token attribute in Python makes a ``Token`` object each time. sayso's stages read
both many times per document (on PolNeAR dev ``doc.text`` alone was 5% of the fast tier's
time), so each is computed once here and kept for as long as the doc lives (a weak
reference: nothing outlives its doc). A doc's text never changes after tokenisation.
"""
from __future__ import annotations

import weakref

from spacy.attrs import IDX
from spacy.tokens import Doc

_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()
_STARTS: "weakref.WeakKeyDictionary[Doc, list[int]]" = weakref.WeakKeyDictionary()


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def token_starts(doc: Doc) -> list[int]:
    """Each token's character offset (``Token.idx``), read as one array once per doc."""
    starts = _STARTS.get(doc)
    if starts is None:
        starts = _STARTS[doc] = doc.to_array(IDX).tolist() if len(doc) else []
    return starts
