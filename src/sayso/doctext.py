"""A parsed document's text and per-token columns, computed once per doc.

spaCy rebuilds ``Doc.text`` from its tokens on every access (a join over every token), and
reading a token attribute in Python makes a ``Token`` object each time. sayso's stages read
both many times per document (on PolNeAR dev ``doc.text`` alone was 5% of the fast tier's
time), so each is computed once here and kept for as long as the doc lives (a weak
reference: nothing outlives its doc). A doc's text never changes after tokenisation.
"""
from __future__ import annotations

import weakref

import numpy
from spacy.attrs import IDX
from spacy.strings import get_string_id
from spacy.tokens import Doc

_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()
_STARTS: "weakref.WeakKeyDictionary[Doc, list[int]]" = weakref.WeakKeyDictionary()
_BREAKS: "weakref.WeakKeyDictionary[Doc, list[bool]]" = weakref.WeakKeyDictionary()


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def remember(doc: Doc, text: str) -> Doc:
    """Keep the text a doc was made from as its ``doc.text`` (spaCy's tokenizer keeps every
    character, so the two are equal and the join is saved)."""
    if len(doc) and (doc[-1].idx + len(doc[-1].text_with_ws) != len(text)):
        raise ValueError("the text is not the one the doc was made from")
    _TEXTS[doc] = text
    return doc


def string_ids(words) -> numpy.ndarray:
    """The words' hashes, as ``Doc.to_array`` gives ORTH, LOWER, LEMMA or DEP, so that token
    columns can be tested against a word list without making a Token per token."""
    return numpy.array([get_string_id(w) for w in words], dtype="uint64")


def token_starts(doc: Doc) -> list[int]:
    """Each token's character offset (``Token.idx``), read as one array once per doc."""
    starts = _STARTS.get(doc)
    if starts is None:
        starts = _STARTS[doc] = doc.to_array(IDX).tolist() if len(doc) else []
    return starts


def line_break_after(doc: Doc) -> list[bool]:
    """Per token, whether its text or the whitespace after it holds a line break (what
    ends a span or a sentence unit), counted on the text once per doc: a token's text and
    trailing whitespace run from its start to the next token's."""
    breaks = _BREAKS.get(doc)
    if breaks is None:
        text = text_of(doc)
        codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        newlines = numpy.flatnonzero(codes == 10)
        bounds = numpy.asarray(token_starts(doc) + [len(text)], dtype="int64")
        before = numpy.searchsorted(newlines, bounds)  # line breaks before each bound
        breaks = _BREAKS[doc] = (before[1:] > before[:-1]).tolist()
    return breaks
