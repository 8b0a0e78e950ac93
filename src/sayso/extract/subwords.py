"""From spaCy tokens to the encoder's sub-word windows, and back.

The ``best`` tier labels spaCy tokens (the linker and every offset work on them), but its
encoder reads WordPiece sub-words in windows of at most a few hundred. So: each token gets
its pieces (the first piece carries the token's label), the pieces are cut into windows
that overlap, and each token takes its prediction from the window where it sits furthest
from an edge (where the encoder saw most context on both sides). Windows always start and
end on token boundaries, so no token is split between two windows.

Line breaks matter to attribution (a quotation without a closing mark runs on into the next
paragraph), but WordPiece drops whitespace: a whitespace token becomes one reserved piece
(``[unused1]`` in BERT vocabularies) that the encoder learns to read as a paragraph break.

Pure functions over lists and numpy arrays: no torch, no spaCy, so the same code prepares
training data and serves prediction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy

MAX_PIECES_PER_TOKEN = 8  # a 300-character URL is one token; its first pieces say enough
BREAK_PIECE = "[unused1]"
PLACEHOLDER = "x"  # stands in for a whitespace token while the tokenizer runs


@dataclass(frozen=True)
class Windows:
    """A document's pieces in windows, padded to one length. ``token_at[w, j]`` is the
    token that position ``j`` of window ``w`` belongs to (-1 for [CLS], [SEP] and padding),
    ``is_first`` marks a token's first piece; ``owner[t]`` is the window that predicts token
    ``t`` and ``position[t]`` where its first piece sits there."""

    ids: numpy.ndarray        # (n_windows, length) int64 piece ids
    mask: numpy.ndarray       # (n_windows, length) 1 on real positions
    token_at: numpy.ndarray   # (n_windows, length) int64
    is_first: numpy.ndarray   # (n_windows, length) bool
    owner: numpy.ndarray      # (n_tokens,) window index
    position: numpy.ndarray   # (n_tokens,) position of the token's first piece in its owner


def token_pieces(tokenizer, words: Sequence[str], unk_id: int, break_id: int) -> list[list[int]]:
    """The piece ids of each token (a ``tokenizers.Tokenizer``); whitespace tokens get the
    break piece, tokens the normaliser erases entirely get [UNK]."""
    is_space = [not w.strip() for w in words]
    if not words:
        return []
    enc = tokenizer.encode([PLACEHOLDER if s else w for w, s in zip(words, is_space)],
                           is_pretokenized=True, add_special_tokens=False)
    pieces: list[list[int]] = [[] for _ in words]
    for pid, wid in zip(enc.ids, enc.word_ids):
        if wid is not None and len(pieces[wid]) < MAX_PIECES_PER_TOKEN:
            pieces[wid].append(pid)
    for i, s in enumerate(is_space):
        if s:
            pieces[i] = [break_id]
        elif not pieces[i]:
            pieces[i] = [unk_id]
    return pieces


def make_windows(pieces: list[list[int]], cls_id: int, sep_id: int, pad_id: int = 0,
                 length: int = 256, stride: int = 192) -> Windows:
    """Overlapping windows of at most ``length`` positions ([CLS] and [SEP] included); the
    next window starts at the first token at least ``stride`` pieces after the current one."""
    budget = length - 2
    n = len(pieces)
    starts = numpy.zeros(n + 1, dtype=numpy.int64)  # piece offset of each token
    for i, p in enumerate(pieces):
        starts[i + 1] = starts[i] + len(p)
    spans: list[tuple[int, int]] = []
    a = 0
    while a < n or not spans:
        b = a
        while b < n and starts[b + 1] - starts[a] <= budget:
            b += 1
        b = max(b, min(a + 1, n))  # a token longer than the budget still gets a window
        spans.append((a, b))
        if b >= n:
            break
        nxt = a
        while nxt < b and starts[nxt] - starts[a] < stride:
            nxt += 1
        a = max(nxt, a + 1)
    ids = numpy.full((len(spans), length), pad_id, dtype=numpy.int64)
    mask = numpy.zeros((len(spans), length), dtype=numpy.int64)
    token_at = numpy.full((len(spans), length), -1, dtype=numpy.int64)
    is_first = numpy.zeros((len(spans), length), dtype=bool)
    owner = numpy.zeros(n, dtype=numpy.int64)
    position = numpy.zeros(n, dtype=numpy.int64)
    best = numpy.full(n, -1, dtype=numpy.int64)
    for w, (a, b) in enumerate(spans):
        row, at = [cls_id], [-1]
        for t in range(a, b):
            if len(row) >= length - 1:
                break
            slack = min(t - a, b - 1 - t)
            if slack > best[t]:
                best[t], owner[t], position[t] = slack, w, len(row)
            is_first[w, len(row)] = True
            take = pieces[t][:length - 1 - len(row)]
            row.extend(take)
            at.extend([t] * len(take))
        row.append(sep_id)
        at.append(-1)
        ids[w, :len(row)] = row
        mask[w, :len(row)] = 1
        token_at[w, :len(at)] = at
    return Windows(ids=ids, mask=mask, token_at=token_at, is_first=is_first,
                   owner=owner, position=position)


def token_scores(windows: Windows, logits: numpy.ndarray) -> numpy.ndarray:
    """Per token, the owner window's scores at its first piece: (n_tokens, n_labels)."""
    return logits[windows.owner, windows.position]


def window_labels(windows: Windows, labels: numpy.ndarray, ignore: int = -100) -> numpy.ndarray:
    """Training targets per window position: the token's label at its first piece."""
    out = numpy.full(windows.ids.shape, ignore, dtype=numpy.int64)
    out[windows.is_first] = labels[windows.token_at[windows.is_first]]
    return out


def window_features(windows: Windows, feats: numpy.ndarray) -> numpy.ndarray:
    """Per window position, the integer feature columns of the token the piece belongs to
    ([CLS], [SEP] and padding get zeros): (n_windows, length, n_columns)."""
    out = numpy.zeros(windows.ids.shape + (feats.shape[1],), dtype=numpy.int64)
    real = windows.token_at >= 0
    out[real] = feats[windows.token_at[real]]
    return out
