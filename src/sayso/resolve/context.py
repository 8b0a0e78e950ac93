"""Per statement: when (date), where (place), at what (event), through what (channel),
and which earlier statements it reacts to (responds_to).

Context is read from the statement's own sentence, outside its content (a date inside
the quoted words is about what was said, not when): 'On February 15, X said …', '… said
in his Telegram channel that …', '… made a speech in Dresden in which he condemned …'.
A sentence with context but no statement of its own ('He announced this during his
speech at the SAMAK summit … in Finland') gives it to the speaker's previous statement.

What the text states once carries forward: a date to the later statements of the same
paragraph, and date, place, event and channel to the same speaker's later statements in
the same section (a heading ends the carry). 'On the same day' is the date last
mentioned. Nested statements (words reported inside another statement) take nothing
from their surroundings: Johnson's words were not said on the day Strache recalled them.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span as SpacySpan, Token

from sayso.doctext import text_of
from sayso.records import Statement
from sayso.resolve.dates import resolve_date, shift
from sayso.resolve.rules import Rules, load_rules
from sayso.resolve.speakers import ArticleCoref
from sayso.resolve.structure import Structure

PLACE_PREPS = {"in", "at"}
EVENT_PREPS = {"at", "during", "in", "on", "after", "before", "following", "ahead"}
EVENT_VERBS = {"make", "give", "deliver", "hold", "host", "address", "attend", "open", "close"}
CHANNEL_PREPS = {"on", "in", "via", "through", "to", "with"}
FIELDS = ("date", "place", "event", "channel")
MAX_REACH = 150  # tokens of a sentence either side of a cue that can give its context


@dataclass
class Found:
    date: str | None = None
    place: str | None = None
    event: str | None = None
    channel: str | None = None
    date_pos: int = -1

    def get(self, name: str) -> str | None:
        return getattr(self, name)


@dataclass
class _Carry:
    """What a speaker's statements in one section have established so far."""

    values: dict[str, str] = field(default_factory=dict)


class ContextReader:
    def __init__(self, doc: Doc, structure: Structure, coref: ArticleCoref,
                 published: str | None, rules: Rules):
        self.doc = doc
        self.text = text_of(doc)
        self.structure = structure
        self.coref = coref
        self.published = published
        self.r = rules
        self.ents = list(doc.ents)
        self.date_ents = [e for e in self.ents if e.label_ == "DATE"]
        self._ent_at = {e.start: e for e in self.ents}  # entities never share a first token
        self._resolved: dict[int, str | None] = {}

    # ------------------------------------------------------------ regions
    def sentence_start(self, char: int) -> int | None:
        """Index of the first token of the sentence around ``char`` (None: no token there)."""
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        return span[0].sent.start if span is not None and len(span) else None

    def sentence_tokens(self, char: int) -> list[Token]:
        """The sentence around ``char``, clipped to its paragraph and to ``MAX_REACH`` tokens
        either side (a run-on "sentence" of thousands of tokens would otherwise make every
        statement in it cost its whole length)."""
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        if span is None or not len(span):
            return []
        tok = span[0]
        sent = tok.sent
        lo, hi = max(sent.start, tok.i - MAX_REACH), min(sent.end, tok.i + MAX_REACH)
        b0, b1 = self.structure.block_span(char)
        return [t for t in self.doc[lo:hi] if b0 <= t.idx < b1 and not t.is_space]

    def region(self, st: Statement) -> list[Token]:
        """The cue's sentence minus the statement's content; a nested statement's own words only."""
        spans = st.content.spans
        start = -1
        if "nested" in st.flags:
            start = min(st.cue.start, st.source.start if st.source else st.cue.start)
        return [t for t in self.sentence_tokens(st.cue.start)
                if t.idx >= start and not any(a <= t.idx < b for a, b in spans)]

    # ------------------------------------------------------------ dates
    def _is_duration(self, ent: SpacySpan) -> bool:
        words = [t.lower_ for t in ent]
        if any(w in self.r.date_anchors for w in words):
            return False
        if re.search(r"\d{2,4}s\b|\bold\b|-year-old", ent.text.lower()):
            return True
        has_unit = any(w in self.r.duration_units for w in words)
        has_number = any(t.like_num for t in ent)
        return has_unit and (has_number or words[0] not in ("the",) or len(words) == 1)

    def _anaphor(self, ent: SpacySpan) -> str | None:
        low = " ".join(ent.text.lower().split())
        for a in self.r.date_anaphora:
            if low == a or low.endswith(" " + a) or low.startswith(a):
                return a
        return None

    def date_of(self, ent: SpacySpan) -> str | None:
        """ISO date of a DATE entity; 'the same day' is the date last mentioned before it."""
        if ent.start_char in self._resolved:
            return self._resolved[ent.start_char]
        value = None
        anaphor = self._anaphor(ent)
        if anaphor is not None:
            prev = self._previous_date(ent.start_char)
            if prev is not None:
                value = shift(prev, self.r.date_anaphora_offsets.get(anaphor, 0))
        elif not self._is_duration(ent):
            value = resolve_date(ent.text, self.published)
        self._resolved[ent.start_char] = value
        return value

    def _previous_date(self, pos: int) -> str | None:
        for ent in reversed(self.date_ents):
            if ent.end_char <= pos and not self.coref.in_quote(ent.start_char, ent.end_char):
                v = self.date_of(ent)
                if v is not None:
                    return v
        return None

    def dates_in(self, toks: list[Token]) -> list[tuple[int, str]]:
        ids = {t.i for t in toks}
        out = []
        for ent in self.date_ents:
            if ent.start in ids and ent.root.i in ids:
                v = self.date_of(ent)
                if v is not None:
                    out.append((ent.start_char, v))
        return out

    # ------------------------------------------------------------ place, event, channel
    def found_in(self, toks: list[Token], cue_char: int) -> Found:
        f = Found()
        dates = self.dates_in(toks)
        if dates:
            pos, f.date = min(dates, key=lambda d: abs(d[0] - cue_char))
            f.date_pos = pos
        ids = {t.i for t in toks}
        f.channel = self._channel(toks, ids)
        f.event = self._event(toks)
        f.place = self._place(toks, ids)
        return f

    def ents_starting_in(self, ids: set[int]) -> list[SpacySpan]:
        """The entities whose first token is one of ``ids``, in text order (a look-up per
        token, not a scan of the article's entities per statement)."""
        return [self._ent_at[i] for i in sorted(ids) if i in self._ent_at]

    def _channel(self, toks: list[Token], ids: set[int]) -> str | None:
        for t in toks:
            low = t.lower_
            if low in self.r.platforms:
                return self.r.platforms[low]
            if t.i + 1 < len(self.doc):
                two = low + " " + self.doc[t.i + 1].lower_
                if two in self.r.platforms:
                    return self.r.platforms[two]
        for ent in self.ents_starting_in(ids):
            if ent.label_ in ("ORG", "PERSON", "GPE", "PRODUCT"):
                low = ent.text.lower()
                low = low[4:] if low.startswith("the ") else low
                if low in self.r.media_outlets and ent.root.head.lower_ in CHANNEL_PREPS | {"told", "tell"}:
                    return ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
        for t in toks:
            if t.lower_ in self.r.media_nouns and t.head.lower_ in CHANNEL_PREPS and t.dep_ == "pobj":
                if t.lower_ == "post" and any(c.lower_ in self.r.platforms for c in t.children):
                    continue
                return self._noun_phrase(t)
        return None

    def _noun_phrase(self, t: Token) -> str:
        """'SAMAK summit', 'press conference': the noun with its compounds and name modifiers."""
        left = [c for c in t.lefts if c.dep_ in ("compound", "amod", "nmod") and
                (c.pos_ == "PROPN" or c.lower_ in ("press", "news", "town", "plenary", "campaign"))]
        start = min([t.i] + [c.left_edge.i if c.dep_ == "compound" else c.i for c in left])
        toks = [x for x in self.doc[start:t.i + 1] if x.dep_ != "det" and x.dep_ != "poss"
                and x.tag_ != "POS"]
        return " ".join(x.text for x in toks)

    def _event(self, toks: list[Token]) -> str | None:
        best = None
        for t in toks:
            low = t.lower_
            if low not in self.r.event_nouns and t.lemma_.lower() not in self.r.event_nouns:
                continue
            if t.dep_ == "compound":
                continue
            attached = ((t.dep_ == "pobj" and t.head.lower_ in EVENT_PREPS)
                        or (t.dep_ == "dobj" and t.head.lemma_.lower() in EVENT_VERBS))
            if not attached:
                continue
            phrase = self._noun_phrase(t)
            named = any(c.pos_ == "PROPN" for c in t.lefts)
            if best is None or (named and not best[1]):
                best = (phrase, named)
        return best[0] if best else None

    def _place(self, toks: list[Token], ids: set[int]) -> str | None:
        for ent in self.ents_starting_in(ids):
            if ent.label_ not in ("GPE", "LOC", "FAC"):
                continue
            root = ent.root
            prep = root.head
            if root.dep_ != "pobj" or prep.lower_ not in PLACE_PREPS:
                continue
            host = prep.head
            ok = (host.pos_ in ("VERB", "AUX") or host.lower_ in self.r.event_nouns
                  or host.lemma_.lower() in self.r.event_nouns)
            if ok:
                words = ent.text.split()
                return " ".join(words[1:]) if words[0].lower() == "the" else ent.text
        return None

    # ------------------------------------------------------------ responds_to
    def reacted_to(self, st: Statement, toks: list[Token]) -> list:
        """'the words of Jens Stoltenberg', 'Stoltenberg's remarks' inside the statement."""
        out = []
        for t in toks:
            if t.lower_ not in self.r.reaction_nouns:
                continue
            cands = [c for c in t.children if c.dep_ == "poss"]
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in ("of", "by", "from"):
                    cands.extend(x for x in c.children if x.dep_ == "pobj")
            for c in cands:
                e = self.coref.entity_named(c)
                if e is None:
                    for x in c.subtree:
                        e = self.coref.entity_named(x)
                        if e is not None:
                            break
                if e is not None:
                    out.append(e)
        return out


def fill_context(doc: Doc, statements: tuple[Statement, ...], structure: Structure,
                 coref: ArticleCoref, published: str | None, rules: Rules | None = None
                 ) -> tuple[Statement, ...]:
    """Statements with date, place, event, channel and responds_to filled where the text says."""
    reader = ContextReader(doc, structure, coref, published, rules or load_rules())
    side = _side_sentences(doc, reader, coref, _cue_sentences(reader, statements))
    walk = _Walk(reader, structure, statements, side)
    for i in walk.order:
        walk.visit(i)
    out = []
    for i, st in enumerate(statements):
        vals = walk.results.get(i, {})
        out.append(st.with_(**{f: vals.get(f, getattr(st, f)) for f in FIELDS},
                            responds_to=vals.get("responds_to", st.responds_to)))
    return tuple(out)


def _cue_sentences(reader: ContextReader, statements: tuple[Statement, ...]) -> set[int]:
    """Where the sentences that hold a cue start: those give context to their own statements."""
    cue_sents = set()
    for st in statements:
        start = reader.sentence_start(st.cue.start)
        if start is not None:
            cue_sents.add(start)
    return cue_sents


def _side_sentences(doc: Doc, reader: ContextReader, coref: ArticleCoref,
                    cue_sents: set[int]) -> list[tuple[int, str, Found]]:
    """Sentences with context but no statement ('He announced this during his speech at …'),
    as (position, speaker key, context): they add to the speaker's previous statement."""
    side: list[tuple[int, str, Found]] = []
    for sent in doc.sents:
        if sent.start in cue_sents:
            continue
        toks = [t for t in sent if not t.is_space]
        if not toks:
            continue
        subj = next((t for t in toks if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
        if subj is None:
            continue
        found = reader.found_in(reader.sentence_tokens(toks[0].idx), toks[0].idx)
        if not (found.place or found.event or found.channel):
            continue
        ent = coref.entity_of_token(subj)
        if ent is not None:
            side.append((toks[0].idx, _speaker_key(ent), found))
    return side


class _Walk:
    """The statements in text order, with what each speaker has established per section:
    a value stated once carries to that speaker's later statements until a heading."""

    def __init__(self, reader: ContextReader, structure: Structure,
                 statements: tuple[Statement, ...], side: list[tuple[int, str, Found]]):
        self.reader, self.structure, self.statements, self.side = reader, structure, statements, side
        self.order = sorted(range(len(statements)), key=lambda i: (statements[i].cue.start, i))
        self.said = _dates_said(reader, statements)
        self.results: dict[int, dict] = {}
        self.carry: dict[tuple[int, str], dict[str, str]] = {}
        self.last_stmt: dict[tuple[int, str], int] = {}
        self.side_i = 0

    def visit(self, i: int) -> None:
        st = self.statements[i]
        self._take_side_before(st.cue.start)
        region = self.reader.region(st)
        vals = self._stated(st, region)
        key = _speaker_key_of(st)
        if "nested" not in st.flags and key is not None:
            self._carried(i, st, key, vals)
        responds = self._responds(st, key, region) if st.speaker is not None else []
        vals["responds_to"] = tuple(responds) or st.responds_to
        self.results[i] = vals

    def _take_side_before(self, pos: int) -> None:
        """Side sentences before ``pos`` fill the gaps of their speaker's previous statement
        and join what that speaker's later statements carry."""
        while self.side_i < len(self.side) and self.side[self.side_i][0] < pos:
            at, key, found = self.side[self.side_i]
            self.side_i += 1
            ckey = (self.structure.section_of(at), key)
            prev = self.last_stmt.get(ckey)
            if prev is not None:
                for f in ("place", "event", "channel"):
                    if found.get(f) and not self.results[prev].get(f):
                        self.results[prev][f] = found.get(f)
            vals = self.carry.setdefault(ckey, {})
            for f in ("place", "event", "channel"):
                if found.get(f):
                    vals[f] = found.get(f)

    def _stated(self, st: Statement, region: list[Token]) -> dict[str, str]:
        """What the statement's own sentence says, else the date stated earlier in its paragraph."""
        found = self.reader.found_in(region, st.cue.start)
        vals = {f: found.get(f) for f in FIELDS if found.get(f)}
        if not found.date and "nested" not in st.flags:
            earlier = _date_earlier_in_paragraph(self.reader, st, self.structure, self.said)
            if earlier:
                vals["date"] = earlier
        return vals

    def _carried(self, i: int, st: Statement, key: str, vals: dict[str, str]) -> None:
        """Gaps filled from what the speaker established earlier in the section, which in turn
        learns this statement's values. A statement whose own words name another occasion (a
        date, place, event or channel other than the one held) starts a new one: nothing of
        the old carries to it or after it ('In 2004 she told Oprah …' on her show, then 'in
        2005 she told The Telegraph …': not on the show)."""
        ckey = (self.structure.section_of(st.cue.start), key)
        held = self.carry.setdefault(ckey, {})
        if _new_occasion(held, vals):
            held.clear()
        for f in FIELDS:
            if f not in vals and f in held:
                vals[f] = held[f]
        held.update(vals)
        self.last_stmt[ckey] = i

    def _responds(self, st: Statement, key: str | None, region: list[Token]) -> list[str]:
        """Earlier statements of the people whose words this one names ('Stoltenberg's remarks')."""
        responds: list[str] = []
        pos = st.cue.start
        for e in self.reader.reacted_to(st, _content_tokens(self.reader.doc, st) + region):
            ekey = _speaker_key(e)
            if ekey == key:
                continue
            ids = [self.statements[j].id for j in self.order
                   if self.statements[j].cue.start < pos and "nested" not in self.statements[j].flags
                   and _speaker_key_of(self.statements[j]) == ekey]
            responds.extend(x for x in ids if x not in responds)
        return responds


def _new_occasion(held: dict[str, str], stated: dict[str, str]) -> bool:
    """Whether a statement's own context names an occasion other than the one held: a date,
    place, event or channel with another value. (A date where the held occasion had none is
    not enough: the date a sentence names is often not the statement's, such as the
    dateline of 'FLINT, Mich., Oct. 4 — Bill Clinton criticized …'.)"""
    return any(f in held and held[f] != v for f, v in stated.items() if f in FIELDS)


def _dates_said(reader: ContextReader, statements: tuple[Statement, ...]) -> frozenset[int]:
    """Where the dates inside some statement's content start: what someone said, not when."""
    merged: list[list[int]] = []
    for a, b in sorted(span for st in statements for span in st.content.spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = [a for a, _ in merged]
    out = set()
    for ent in reader.date_ents:
        k = bisect.bisect_right(starts, ent.start_char) - 1
        if k >= 0 and ent.start_char < merged[k][1]:
            out.add(ent.start_char)
    return frozenset(out)


def _date_earlier_in_paragraph(reader: ContextReader, st: Statement, structure: Structure,
                               said: frozenset[int]) -> str | None:
    """'On February 24, X said … At the same time, the country intends …': the paragraph's
    date. A date inside what someone said is not one ('Lund said that trams would be added
    in November. She stressed …' was not stressed in November): ``said`` holds where such
    dates start (``_dates_said``), this statement's own content included."""
    b0, _ = structure.block_span(st.cue.start)
    best = None
    for ent in reader.date_ents:
        if b0 <= ent.start_char and ent.end_char <= st.cue.start and not reader.coref.in_quote(ent.start_char):
            if ent.start_char in said:
                continue
            v = reader.date_of(ent)
            if v is not None:
                best = v
    return best


def _content_tokens(doc: Doc, st: Statement) -> list[Token]:
    out = []
    for a, b in st.content.spans:
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None:
            out.extend(span)
    return out


def _speaker_key(e) -> str:
    from sayso.resolve.names import slug

    return slug(e.text)


def _speaker_key_of(st: Statement) -> str | None:
    return st.speaker.id if st.speaker is not None else None
