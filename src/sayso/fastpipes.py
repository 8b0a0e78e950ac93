"""Exact, faster stand-ins for two of spaCy's rule components: the attribute ruler's
matching and the rule lemmatizer.

Neither is a model: the attribute ruler maps (TAG, LOWER, DEP, IS_SPACE) of a token, and of
its neighbour for a few two-token patterns, to POS, MORPH and some lemmas; the lemmatizer
maps (ORTH, POS, MORPH) to a lemma. spaCy evaluates both token by token in Python (the
matcher calls back into Python for every ``IN``, ``NOT_IN`` and ``REGEX`` predicate, the
lemmatizer rebuilds each token's morphology as a dict), which made them 10% of the fast
tier's time on PolNeAR dev, as much as the parser. Here each distinct token key is worked
out once per process and kept, so a document costs one array read and a dictionary lookup
per token. The results are the same by construction: the attribute ruler still applies its
own matches in its own order, through spaCy's own ``set_token_attrs`` (only finding them,
and finding the token each one names, changes; any pattern outside the simple forms read
here leaves the original matcher in place), and the lemmatizer's own method computes each
new key's lemma.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

try:  # what AttributeRuler.set_annotations applies each match with (spaCy 3.x)
    from spacy.tokens._retokenize import set_token_attrs
except ImportError:  # another spaCy: its ruler keeps its own way of applying them
    set_token_attrs = None

_STRING_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "NORM": NORM, "TAG": TAG, "DEP": DEP}
_FLAG_ATTRS = {"IS_SPACE": IS_SPACE}
_ATTRS = {**_STRING_ATTRS, **_FLAG_ATTRS}
MEMO_LIMIT = 200_000  # distinct token keys kept (a crawl's vocabulary is open): then start afresh


class Unsupported(ValueError):
    """A pattern this matcher does not read: the attribute ruler keeps spaCy's matcher."""


def _value_test(value: Any, flag: bool) -> Callable[[Any], bool]:
    """One attribute's test, as the Matcher reads it: equality, ``IN``, ``NOT_IN`` (on the
    attribute's string; the empty string is an unset attribute) or ``REGEX`` (a search)."""
    if not isinstance(value, dict):
        want = int(value) if flag else value
        return lambda got: got == want
    if len(value) != 1 or flag:
        raise Unsupported(f"predicate {value!r}")
    (op, arg), = value.items()
    if op == "IN":
        allowed = frozenset(arg)
        return lambda got: got in allowed
    if op == "NOT_IN":
        banned = frozenset(arg)
        return lambda got: got not in banned
    if op == "REGEX":
        rx = re.compile(arg)
        return lambda got: bool(rx.search(got))
    raise Unsupported(f"operator {op!r}")


def _token_test(spec: dict, columns: list[str]) -> Callable[[tuple], bool]:
    """A token pattern as a test on a token's column values (strings, flags as 0/1)."""
    if any(name not in _ATTRS for name in spec):
        raise Unsupported(f"attributes {sorted(spec)!r}")
    tests = [(columns.index(name), _value_test(v, name in _FLAG_ATTRS)) for name, v in spec.items()]
    return lambda row: all(test(row[k]) for k, test in tests)


def _by_tag(patterns: list[dict], singles: list[tuple], names: list[str]) -> dict:
    """The single-token rules by the one TAG they require (None: any TAG), so that a new
    token key is tested against its tag's rules only (most rules name a TAG)."""
    groups: dict = {None: ()}
    specs = [tok for p in patterns for pattern in p["patterns"] if len(pattern) == 1 for tok in pattern]
    for (rule, test), spec in zip(singles, specs):
        tag = spec.get("TAG") if "TAG" in names and not isinstance(spec.get("TAG"), dict) else None
        groups[tag] = groups.get(tag, ()) + ((rule, test),)
    return groups


class RuleMatcher:
    """``AttributeRuler.match`` for patterns of one or two tokens with equality, ``IN``,
    ``NOT_IN`` and ``REGEX`` tests: the same (rule, match id, start, end) list, sorted as
    the ruler sorts it. Raises ``Unsupported`` for a ruler with any other pattern."""

    def __init__(self, ruler):
        self.vocab = ruler.vocab
        patterns = ruler.patterns
        names = sorted({name for p in patterns for pat in p["patterns"] for tok in pat for name in tok})
        if any(name not in _ATTRS for name in names):
            raise Unsupported(f"attributes {names!r}")
        self.columns = names
        self._ids = [_ATTRS[name] for name in names]
        self._flags = [name in _FLAG_ATTRS for name in names]
        self._singles, self._pairs = [], []  # (rule, test) and (rule, first test, second test)
        for rule, p in enumerate(patterns):  # a rule's patterns are alternatives
            for pattern in p["patterns"]:
                if not 1 <= len(pattern) <= 2:
                    raise Unsupported(f"rule {rule}: a pattern of {len(pattern)} tokens")
                toks = [_token_test(tok, names) for tok in pattern]
                (self._singles if len(toks) == 1 else self._pairs).append((rule, *toks))
        self._match_ids = [self.vocab.strings[str(rule)] for rule in range(len(patterns))]
        self._memo: dict[tuple, tuple] = {}
        self._by_tag = _by_tag(patterns, self._singles, names)


    def _read(self, key: tuple) -> tuple:
        """What one token key matches: single-token rules, pair rules it can open, pair
        rules it can close (worked out on the strings, once per key)."""
        strings = self.vocab.strings
        row = tuple(int(v) if flag else strings[v] for v, flag in zip(key, self._flags))
        tag = row[self.columns.index("TAG")] if "TAG" in self.columns else None
        maybe = self._by_tag.get(tag, ()) + self._by_tag[None]
        singles = tuple(sorted({rule for rule, test in maybe if test(row)}))
        opens = tuple(k for k, (_, first, _s) in enumerate(self._pairs) if first(row))
        closes = frozenset(k for k, (_, _f, second) in enumerate(self._pairs) if second(row))
        return singles, opens, closes

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if not len(doc):
            return []
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        memo, read = self._memo, self._read
        hits = [memo.get(key) or memo.setdefault(key, read(key))
                for key in map(tuple, doc.to_array(self._ids).reshape(len(doc), -1).tolist())]
        ids, out = self._match_ids, []
        for i, (singles, opens, _closes) in enumerate(hits):
            out.extend((rule, ids[rule], i, i + 1) for rule in singles)
            if opens and i + 1 < len(hits):
                closes = hits[i + 1][2]
                rules = {self._pairs[k][0] for k in opens if k in closes}
                out.extend((rule, ids[rule], i, i + 2) for rule in rules)
        out.sort()
        return out


def tune_attribute_ruler(ruler) -> bool:
    """Give an AttributeRuler the faster matcher when its patterns allow (True if so), and
    the faster way of applying its matches."""
    try:
        ruler.match = RuleMatcher(ruler)
    except Unsupported:
        return False
    if set_token_attrs is not None:
        ruler.set_annotations = functools.partial(set_annotations, ruler)
    return True


def set_annotations(ruler, doc: Doc, matches) -> None:
    """``AttributeRuler.set_annotations``: each match's attributes on the token its rule
    names, in the same order, through spaCy's own ``set_token_attrs``; the token is found
    by its index (spaCy builds a Span per match to find it: most of the ruler's time once
    matching was fast)."""
    for attr_id, _match_id, start, end in matches:
        index = ruler.indices[attr_id]
        i = start + index if index >= 0 else end + index
        if not start <= i < end:
            raise ValueError(f"attribute ruler rule {attr_id}: index {index} is outside its "
                             f"match of {end - start} tokens")
        set_token_attrs(doc[i], ruler.attrs[attr_id])


class MemoLemmatizer:
    """The rule lemmatizer, applied per distinct (ORTH, POS, MORPH) key: a token without a
    lemma (the attribute ruler sets a few) takes the lemma spaCy's lemmatizer gives the
    first token with its key."""

    def __init__(self, lemmatizer):
        self.lemmatizer = lemmatizer
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return self.lemmatizer(doc)
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        todo = numpy.ones(len(doc), dtype=bool) if self.lemmatizer.overwrite else arr[:, 3] == 0
        if not todo.any():
            return doc
        keys, first, inverse = numpy.unique(arr[todo, :3], axis=0, return_index=True, return_inverse=True)
        where = numpy.flatnonzero(todo)
        found = numpy.array([self._lemma(doc, tuple(key), int(where[k]))
                             for key, k in zip(keys.tolist(), first)], dtype="uint64")
        lemmas = arr[:, 3].copy()
        lemmas[todo] = found[inverse.reshape(-1)]
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def _lemma(self, doc: Doc, key: tuple, i: int) -> int:
        got = self._memo.get(key)
        if got is None:
            tok = doc[i]
            tok.lemma_ = self.lemmatizer.lemmatize(tok)[0]
            got = self._memo[key] = tok.lemma
        return got


@Language.factory("sayso_lemmatizer", default_config={"source": "lemmatizer"})
def make_memo_lemmatizer(nlp: Language, name: str, source: str) -> MemoLemmatizer:
    """Wraps the pipeline's (disabled) rule lemmatizer named ``source``."""
    return MemoLemmatizer(nlp.get_pipe(source))


def tune(nlp: Language) -> Language:
    """The pipeline with the faster stand-ins in place (the same annotations): the
    attribute ruler's matcher, and the rule lemmatizer run per distinct key."""
    if "attribute_ruler" in nlp.pipe_names:
        tune_attribute_ruler(nlp.get_pipe("attribute_ruler"))
    if "lemmatizer" in nlp.pipe_names and "sayso_lemmatizer" not in nlp.pipe_names \
            and getattr(nlp.get_pipe("lemmatizer"), "mode", None) == "rule":
        nlp.add_pipe("sayso_lemmatizer", after="lemmatizer")
        nlp.disable_pipe("lemmatizer")
    return nlp
