"""Near-duplicate statements: one speaker saying the same thing twice in a roundup (a quote
and its paraphrase, one statement inside another, the same remark reported by two
articles that the archive did not fold together) is reported once.

Two statements of the same speaker are near duplicates when one's content span lies
inside the other's in the same article, or when the content words of the shorter are
mostly (``THRESHOLD``) words of the longer. The longer statement is kept.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sayso.digest.vocab import load_vocab

if TYPE_CHECKING:  # digest.select imports the archive; dedupe itself needs only the records
    from sayso.digest.select import Found

THRESHOLD = 0.8
MIN_WORDS = 3


def words(text: str) -> frozenset[str]:
    stop = load_vocab().stopwords
    out = set()
    for w in re.findall(r"\w+", (text or "").lower()):
        if w in stop or len(w) < 3:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return frozenset(out)


def _spans(row: Found) -> list[tuple[int, int]]:
    return [tuple(s) for s in row.content.spans]


def _inside(a: Found, b: Found) -> bool:
    """Every content span of ``a`` lies within one of ``b``'s, in the same article."""
    if a.article_id != b.article_id or not _spans(a):
        return False
    return all(any(bs <= s and e <= be for bs, be in _spans(b)) for s, e in _spans(a))


def near_duplicate(a: Found, b: Found, wa: frozenset[str], wb: frozenset[str]) -> bool:
    if _inside(a, b) or _inside(b, a):
        return True
    small, big = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(small) >= MIN_WORDS and len(small & big) / len(small) >= THRESHOLD


def who(row: Found) -> str:
    """The speaker's canonical id, else the source as written."""
    source = row.hit.source
    return row.speaker_id or "source:" + ((source.text if source else None) or "").lower()


def dedupe(rows: list[Found]) -> list[Found]:
    """``rows`` without near duplicates, in their order; of each pair the statement with
    the longer content stays (the earlier one on a tie)."""
    kept: list[Found] = []
    kept_words: list[frozenset[str]] = []
    covered: list[list[tuple[Found, frozenset[str]]]] = []  # what each kept statement stands for
    for r in rows:
        wr = words(r.hit.content_text)
        clash = next((i for i, k in enumerate(kept) if who(k) == who(r) and any(
            near_duplicate(r, c, wr, wc) for c, wc in covered[i])), None)
        if clash is None:
            kept.append(r)
            kept_words.append(wr)
            covered.append([(r, wr)])
            continue
        covered[clash].append((r, wr))
        if len(r.hit.content_text) > len(kept[clash].hit.content_text):
            kept[clash], kept_words[clash] = r, wr
    return kept
