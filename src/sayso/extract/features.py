"""Per-token features the trained tier reads beside the words: what the rule tier found,
where the quotations are, and which words the cue lexicon knows.

They are computed on the parsed ``Doc`` (the same code at training and at prediction time)
and handed to the network as extra integer columns, hashed like spaCy's own NORM/SHAPE
features (see ``model.py``).
"""
from __future__ import annotations

import bisect

import numpy
from spacy.attrs import DEP, HEAD, IDX, LEMMA, POS
from spacy.symbols import AUX, NOUN, VERB
from spacy.tokens import Doc

from sayso.doctext import text_of
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
    """(n_tokens, len(EXTRA)) uint64 array of the extra feature values (small integers).
    Read through ``Doc.to_array``: creating a ``Token`` per access costs more than the rest."""
    lex = load_lexicon("en")
    text = text_of(doc)
    n = len(doc)
    feats = numpy.zeros((n, len(EXTRA)), dtype="uint64")
    if not n:
        return feats
    arr = doc.to_array([HEAD, DEP, LEMMA, POS, IDX]).astype("int64")
    heads = (numpy.arange(n) + arr[:, 0]).tolist()
    deps = [d % 1000003 for d in doc.to_array([DEP]).astype("uint64").tolist()]
    lemmas, pos, starts = arr[:, 2].tolist(), arr[:, 3].tolist(), arr[:, 4].tolist()
    feats[:, 0] = rule_roles(doc, statements, starts)
    quotes = QuoteIndex(find_quotes(text))
    strings = doc.vocab.strings
    cue_cache: dict[tuple[int, int], int] = {}

    def lexcode(lemma_key: int, p: int) -> int:
        v = cue_cache.get((lemma_key, p))
        if v is None:
            lem = strings[lemma_key & 0xFFFFFFFFFFFFFFFF].lower() if lemma_key else ""
            v = 0
            if p in (VERB, AUX) and lex.is_cue(lem):
                v = 1
            elif p == NOUN and lem in lex.nouns:
                v = 2
            elif lex.is_cue(lem):
                v = 3
            cue_cache[(lemma_key, p)] = v
        return v

    codes = [lexcode(lm, p) for lm, p in zip(lemmas, pos)]
    for i in range(n):
        # the nearest ancestor the lexicon knows as a cue, and the edge we reach it by
        j, k, depth = i, -1, 0
        while depth < MAX_PATH and heads[j] != j:
            k, j = j, heads[j]
            depth += 1
            if codes[j]:
                feats[i, 4] = (deps[k] * 8 + codes[j]) * 4 + min(depth, 3)
                break
        start = starts[i]
        q = quotes.at(start)
        if text[start] in DOUBLE_MARKS:
            feats[i, 1] = 2 if q is not None and q.start == start else 3
        elif q is not None and text[q.start] in DOUBLE_MARKS:
            feats[i, 1] = 1
        feats[i, 2] = codes[i]
        h = heads[i]
        feats[i, 3] = deps[i] * 8 + codes[h] if h != i else 7
    return feats
