"""Per-token features the trained tier reads beside the words: what the rule tier found,
where the quotations are, and which words the cue lexicon knows.

They are computed on the parsed ``Doc`` (the same code at training and at prediction time)
and handed to the network as extra integer columns, hashed like spaCy's own NORM/SHAPE
features (see ``model.py``).
"""
from __future__ import annotations

import bisect

import numpy
from spacy.tokens import Doc

from sayso.extract.cues import load_lexicon
from sayso.extract.quotes import DOUBLE_MARKS, QuoteIndex, find_quotes
from sayso.records import Statement

# column order of the extra features
EXTRA = ("RULE", "QUOTE", "LEX", "HEADLEX", "CUEPATH")
MAX_PATH = 8  # ancestors walked up to find the cue word a token hangs from
ROLES = ("cue", "source", "content")


def token_index(doc: Doc):
    """Sorted token start offsets, for char span -> token lookups."""
    return [t.idx for t in doc]


def tokens_in(starts: list[int], doc: Doc, s: int, e: int) -> range:
    """Indices of the tokens that overlap the character span [s, e)."""
    i = max(bisect.bisect_right(starts, s) - 1, 0)
    if i < len(doc) and doc[i].idx + len(doc[i]) <= s:
        i += 1
    j = bisect.bisect_left(starts, e)
    return range(i, j)


def rule_roles(doc: Doc, statements: list[Statement], starts: list[int]) -> numpy.ndarray:
    """Per token: 0 none; 1/2/3 cue/source/content of a statement, +3 when nested, +10 at
    a span's first token."""
    out = numpy.zeros(len(doc), dtype="uint64")
    for st in statements:
        off = 3 if "nested" in st.flags else 0
        for r, part in enumerate((st.cue, st.source, st.content), start=1):
            if part is None:
                continue
            for s, e in part.spans:
                first = True
                for i in tokens_in(starts, doc, s, e):
                    if out[i] == 0 or off == 3:
                        out[i] = r + off + (10 if first else 0)
                    first = False
    return out


def extra_features(doc: Doc, statements: list[Statement]) -> numpy.ndarray:
    """(n_tokens, len(EXTRA)) uint64 array of the extra feature values (small integers)."""
    lex = load_lexicon("en")
    text = doc.text
    starts = token_index(doc)
    n = len(doc)
    feats = numpy.zeros((n, len(EXTRA)), dtype="uint64")
    feats[:, 0] = rule_roles(doc, statements, starts)
    quotes = QuoteIndex(find_quotes(text))
    cue_cache: dict[str, int] = {}

    def lexcode(tok) -> int:
        lem = tok.lemma_.lower()
        key = lem + "|" + tok.pos_
        v = cue_cache.get(key)
        if v is None:
            v = 0
            if tok.pos_ in ("VERB", "AUX") and lex.is_cue(lem):
                v = 1
            elif tok.pos_ == "NOUN" and lem in lex.nouns:
                v = 2
            elif lex.is_cue(lem):
                v = 3
            cue_cache[key] = v
        return v

    codes = [lexcode(t) for t in doc]
    heads = [t.head.i for t in doc]
    deps = [t.dep for t in doc]
    for i, tok in enumerate(doc):
        # the nearest ancestor the lexicon knows as a cue, and the edge we reach it by
        j, k, depth = i, -1, 0
        while depth < MAX_PATH and heads[j] != j:
            k, j = j, heads[j]
            depth += 1
            if codes[j]:
                feats[i, 4] = ((deps[k] % 1000003) * 8 + codes[j]) * 4 + min(depth, 3)
                break
        q = quotes.at(tok.idx)
        if tok.text and tok.text[0] in DOUBLE_MARKS:
            feats[i, 1] = 2 if q is not None and q.start == tok.idx else 3
        elif q is not None and text[q.start] in DOUBLE_MARKS:
            feats[i, 1] = 1
        feats[i, 2] = codes[i]
        feats[i, 3] = (tok.dep % 1000003) * 8 + codes[tok.head.i] if tok.head.i != i else 7
    return feats
