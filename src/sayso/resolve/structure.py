"""Article structure from the layout of the text: title, lead, section headings, byline.

Readers lay an article out as lines (one paragraph per line, or paragraphs separated by
blank lines). The structure matters to resolution: a byline name is the author, not a
speaker; a heading starts a new section, which bounds how far a date or a place carries;
and paragraphs bound a sentence when the parser runs one over a line break.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from sayso.doctext import text_of
from sayso.records import Part
from sayso.resolve.rules import Rules, load_rules

FINAL_PUNCT = tuple('.!?:;"\u201d\u2019\'\u2026)')
QUOTE_CHARS = set('"\u201c\u201d\u00ab\u00bb')
MAX_HEADING_WORDS = 8
MAX_BYLINE_WORDS = 5


@dataclass(frozen=True)
class Block:
    """One paragraph: a non-empty line of the input, ``[start, end)`` without the newline."""

    start: int
    end: int
    text: str
    kind: str = "body"  # title | lead | heading | byline | body


@dataclass(frozen=True)
class Structure:
    blocks: tuple[Block, ...]
    title: Block | None = None
    lead: Block | None = None
    headings: tuple[Block, ...] = ()
    byline: Block | None = None
    _starts: tuple[int, ...] = field(default=(), repr=False)
    _heading_starts: tuple[int, ...] = field(default=(), repr=False)

    def paragraph_of(self, pos: int) -> int:
        """Index of the block containing (or preceding) character ``pos``."""
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def section_of(self, pos: int) -> int:
        """Number of headings before ``pos``: statements in one section share context."""
        return bisect.bisect_right(self._heading_starts, pos)

    def in_byline(self, start: int, end: int | None = None) -> bool:
        b = self.byline
        return b is not None and b.start <= start and (end if end is not None else start) <= b.end

    def block_span(self, pos: int) -> tuple[int, int]:
        b = self.blocks[self.paragraph_of(pos)] if self.blocks else None
        return (b.start, b.end) if b else (0, 0)

    def parts(self) -> tuple[tuple[Part, ...], Part | None]:
        """What the article record gains: headings and lead as spans, when found."""
        lead = Part(self.lead.text, ((self.lead.start, self.lead.end),)) if self.lead is not None else None
        return tuple(Part(h.text, ((h.start, h.end),)) for h in self.headings), lead


def blocks_of(text: str) -> list[Block]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Block(s, e, text[s:e]))
    return out


def _words(text: str) -> list[str]:
    return text.split()


def _is_heading(b: Block) -> bool:
    """Short, no final punctuation, no quotation: a section heading ('Reaction in Russia')."""
    words = _words(b.text)
    return (
        1 <= len(words) <= MAX_HEADING_WORDS
        and not b.text.endswith(FINAL_PUNCT)
        and not any(ch in QUOTE_CHARS for ch in b.text)
        and b.text[0].isupper()
        and not re.fullmatch(r"[\W\d_]+", b.text)
    )


def byline_name(text: str, rules: Rules) -> str | None:
    """'Peter Nikolaev' or 'By Peter Nikolaev' → the name; anything else → None."""
    t = text.strip()
    low = t.lower()
    for p in rules.byline_prefixes:
        if low.startswith(p + " "):
            t = t[len(p):].strip()
            break
    words = t.split()
    if not 2 <= len(words) <= MAX_BYLINE_WORDS - 1 or t.endswith(FINAL_PUNCT):
        return None
    if any(ch.isdigit() for ch in t) or any(ch in QUOTE_CHARS for ch in t):
        return None
    ok = all(w[0].isupper() or w.lower() in rules.name_particles for w in words)
    if not ok or any(w.lower() in rules.role_words or rules.is_place(w) for w in words):
        return None
    return t


def _split_run_on_title(doc: Doc, b: Block, rules: Rules, text: str) -> tuple[Block, Block] | None:
    """A headline glued to its lead on one line ('… with Moscow There is no way back …').

    The join shows as a capitalised function word ('There', 'The', 'He') right after a
    word with no punctuation, inside a headline written in sentence case. Title-case
    headlines ('Clinton Was Headed to ER But Diverted') are left alone.
    """
    span = doc.char_span(b.start, b.end, alignment_mode="expand")
    if span is None or len(span) < 12:
        return None
    for tok in span[3:]:
        prev = doc[tok.i - 1]
        if (tok.text[0].isupper() and tok.lower_ in rules.sentence_openers and tok.pos_ != "PROPN"
                and prev.is_alpha and prev.whitespace_ and not prev.is_punct):
            head = text[b.start:prev.idx + len(prev)]
            words = [w for w in head.split() if w[0].isalpha()]
            lower = sum(1 for w in words if w[0].islower())
            rest_end = b.end
            if len(words) >= 4 and lower * 2 >= len(words) and text[rest_end - 1] in ".!?\"\u201d":
                return (Block(b.start, prev.idx + len(prev), head, "title"),
                        Block(tok.idx, b.end, text[tok.idx:b.end], "lead"))
            return None
    return None


def find_structure(doc: Doc, title_given: str | None = None, rules: Rules | None = None) -> Structure:
    """Title (first line), lead, headings (short unpunctuated lines), byline (a last-line name)."""
    rules = rules or load_rules()
    text = text_of(doc)
    blocks = blocks_of(text)
    if not blocks:
        return Structure(())
    kinds = ["body"] * len(blocks)
    title = lead = byline = None
    first = blocks[0]
    split = _split_run_on_title(doc, first, rules, text) if len(blocks) > 1 else None
    if split:
        title, lead = split
        blocks = [title, lead] + blocks[1:]
        kinds = ["title", "lead"] + kinds[1:]
    elif len(blocks) > 1:
        title = Block(first.start, first.end, first.text, "title")
        kinds[0] = "title"
        nxt = 1
        if nxt < len(blocks) - 1 or len(blocks) == 2:
            lead = Block(blocks[nxt].start, blocks[nxt].end, blocks[nxt].text, "lead")
            kinds[nxt] = "lead"
    if len(blocks) > 2 and byline_name(blocks[-1].text, rules):
        byline = Block(blocks[-1].start, blocks[-1].end, blocks[-1].text, "byline")
        kinds[-1] = "byline"
    headings = []
    for i, b in enumerate(blocks):
        if kinds[i] == "body" and i + 1 < len(blocks) and _is_heading(b):
            kinds[i] = "heading"
            headings.append(Block(b.start, b.end, b.text, "heading"))
    final = tuple(Block(b.start, b.end, b.text, k) for b, k in zip(blocks, kinds))
    return Structure(
        final, title, lead, tuple(headings), byline,
        _starts=tuple(b.start for b in final), _heading_starts=tuple(h.start for h in headings),
    )
