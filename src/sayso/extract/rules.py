"""The rule tier: attributions from the dependency parse, the quote map and the lexicon.

Each cue word proposes a candidate (cue, source, content); candidates are then made
univocal (a cue inside another statement's content is nested, not a rival), quotes that
continue a speaker's words after the cue sentence are attached to it, and spans are
trimmed to the PolNeAR conventions (quotation marks inside content, sentence
punctuation outside).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy
from spacy.attrs import DEP, LEMMA, LOWER, POS
from spacy.strings import get_string_id
from spacy.symbols import AUX, NOUN, VERB
from spacy.tokens import Doc, Span as SpacySpan, Token

from sayso.doctext import string_ids, text_of
from sayso.extract.cues import FRAMES, Lexicon, load_lexicon
from sayso.extract.quotes import ALL_MARKS, DOUBLE_MARKS, QuoteIndex, find_quotes, opens_double
from sayso.extract.spans import inside as _inside, overlaps as _overlaps
from sayso.records import Part, Span, Statement

EXPLETIVE = {"it", "there"}
PRONOUN_OBJECT = {"it", "this", "that", "so", "something", "anything", "nothing", "much", "lot", "little"}
TRIM_RIGHT = " \t\n,.;:\u2014\u2013-"
TRIM_LEFT = " \t\n,;:\u2014\u2013-"
LINKING_GAP = set(" \t\n,:\u2014\u2013-")
WEAK_FRAMES = {"attitude", "naming"}
SIGNATURE_DASHES = "\u2014\u2013\u2015-"  # '"…" — Name' / a paragraph '― Name.' after a quote


@dataclass
class Candidate:
    cue: list[Span]
    source: list[Span]
    content: list[Span]
    frame: str
    anchor: int  # token index of the cue head, for ordering and nesting
    flags: list[str] = field(default_factory=list)
    confidence: float = 0.6
    sent_end: int = -1  # end of the cue's sentence: where a continuing quote may start


@dataclass
class _Site:
    """One verb cue being read for its content: the verb, its cue words and source, and
    where it sits (sentence, quotes, text)."""

    verb: Token
    lemma: str
    frames: frozenset[str]
    cue_toks: list[Token]
    cue_ids: set[int]
    source: Span | None
    sent: SpacySpan
    quotes: QuoteIndex
    text: str

    def __post_init__(self) -> None:
        self.children = list(self.verb.children)
        self.limit = self.sent.end_char + 2

    def span_from(self, tok_list: list[Token], cut: int | None = None) -> list[Span]:
        """The subtrees of ``tok_list`` as one span (ending at ``cut`` when given), widened
        to the quotation marks around it and trimmed."""
        text = self.text
        s = min(t.left_edge.idx for t in tok_list)
        last = max((t.right_edge for t in tok_list), key=lambda t: t.i)
        e = last.idx + len(last) if cut is None else cut
        s, e = _extend_to_quotes(text, s, e, self.quotes, self.limit)
        s, e = _trim(text, s, e, self.quotes)
        return [(s, e)] if e > s else []

    def head_clause_runs(self) -> list[Span]:
        """The clause the verb hangs from, without the verb's own subtree, in this sentence."""
        own = {t.i for t in self.verb.subtree}
        toks = [t for t in self.verb.head.subtree
                if t.i not in own and self.sent.start <= t.i < self.sent.end]
        return _runs(self.text, toks, self.quotes, self.limit)


# ------------------------------------------------------------------ small span helpers
def _chars(tokens: list[Token]) -> Span:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _subtree_span(tok: Token, exclude: set[int] | None = None) -> Span:
    toks = [t for t in tok.subtree if not exclude or t.i not in exclude]
    toks.sort(key=lambda t: t.i)
    return _chars(toks)


def _trim(text: str, s: int, e: int, quotes: QuoteIndex | None = None) -> Span:
    """Sentence punctuation off both ends; a closing quote mark keeps what precedes it."""
    while s < e and text[s] in TRIM_LEFT:
        s += 1
    while e > s:
        ch = text[e - 1]
        if ch in ALL_MARKS and quotes is not None and quotes.ending_at(e):
            break
        if ch in TRIM_RIGHT or ch.isspace():
            e -= 1
            continue
        break
    return s, e


def _extend_to_quotes(text: str, s: int, e: int, quotes: QuoteIndex, limit: int) -> Span:
    """Content that starts or ends inside a quotation takes in the whole quotation."""
    q = quotes.at(s)
    if q is not None and q.start < s and text[q.start:s].strip() in DOUBLE_MARKS | {"'", "''", "\u2018"}:
        s = q.start
    q = quotes.at(e - 1) if e > 0 else None
    if q is not None and q.end > e and q.start >= s and (q.end <= limit or q.start == s):
        e = q.end
    return s, e


# ------------------------------------------------------------------ the rule extractor
_ACCORDING = get_string_id("according")
_VERB_POS = numpy.array([VERB, AUX], dtype="uint64")
_NOT_VERB_DEPS = string_ids(("amod", "aux", "auxpass"))


class RuleExtractor:
    min_anchor_words = 3
    not_cues = frozenset({"be", "have", "do", "get", "make", "go", "come", "include", "use", "take", "put", "give"})

    def __init__(self, lexicon: Lexicon | None = None):
        self.lex = lexicon or load_lexicon("en")

    def __call__(self, doc: Doc) -> list[Statement]:
        # Doc.text rebuilds the string on every access: read it once per document
        text = self._text = text_of(doc)
        quotes = QuoteIndex(find_quotes(text))
        cands: list[Candidate] = []
        maybe = self._maybe_cues(doc)
        k = 0
        for sent in doc.sents:
            while k < len(maybe) and maybe[k] < sent.end:
                c = self._candidate(doc[maybe[k]], sent, quotes)
                k += 1
                if c is not None:
                    c.sent_end = sent.end_char
                    cands.append(c)
            c = self._headline_colon(sent, quotes)
            if c is not None:
                c.sent_end = sent.end_char
                cands.append(c)
        cands += self._dash_attributions(doc, cands, quotes)
        _close_open_quotes(text, cands, quotes)
        _drop_titles(text, cands)
        _attach_continuations(text, cands, quotes)
        cands += self._quote_anchored(doc, cands, quotes)
        cands = _univocal(cands)
        return [_statement(text, c, i) for i, c in enumerate(sorted(cands, key=_first_offset))]

    # -- candidates ---------------------------------------------------------
    def _maybe_cues(self, doc: Doc) -> list[int]:
        """The tokens ``_candidate`` can take (it still decides): "according", a cue noun, a
        verb of the lexicon not used as an adjective or auxiliary, or "put". Read from
        arrays, each distinct lemma looked up once: most tokens are none of these."""
        if not len(doc):
            return []
        arr = doc.to_array([LOWER, POS, DEP, LEMMA])
        lemmas, which = numpy.unique(arr[:, 3], return_inverse=True)
        strings = doc.vocab.strings
        words = [strings[int(h)] for h in lemmas.tolist()]
        noun_ok = numpy.array([w.lower() in self.lex.nouns for w in words], dtype=bool)
        verb_ok = numpy.array([bool(self.lex.frames(w.lower())) or w == "put" for w in words], dtype=bool)
        which = which.reshape(-1)
        pos, dep = arr[:, 1], arr[:, 2]
        verb = numpy.isin(pos, _VERB_POS) & ~numpy.isin(dep, _NOT_VERB_DEPS) & verb_ok[which]
        mask = (arr[:, 0] == _ACCORDING) | ((pos == NOUN) & noun_ok[which]) | verb
        return numpy.flatnonzero(mask).tolist()

    def _candidate(self, tok: Token, sent: SpacySpan, quotes: QuoteIndex) -> Candidate | None:
        low = tok.lower_
        if low == "according" and any(c.lower_ == "to" for c in tok.children):
            return self._according(tok, sent, quotes)
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in self.lex.nouns:
            return self._noun_cue(tok, sent, quotes)
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "aux", "auxpass"):
            return None
        frames = self.lex.frames(tok.lemma_.lower())
        if frames and self.lex.in_discourse_marker(self._text, tok.idx, tok.idx + len(tok)):
            return None
        if not frames and tok.lemma_ == "put" and any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children):
            frames = frozenset({"speech"})
        if not frames:
            return None
        return self._verb(tok, sent, frames, quotes)

    def _verb(self, verb: Token, sent: SpacySpan, frames: frozenset[str], quotes: QuoteIndex) -> Candidate | None:
        text = self._text
        lemma = self.lex.lemma(verb.lemma_.lower())
        cue_toks = self._cue_tokens(verb, lemma)
        cue_ids = {t.i for t in cue_toks}
        source = self._source(verb)
        content, frame = self._content(verb, lemma, frames, cue_toks, cue_ids, source, sent, quotes)
        if content and not quotes.ending_at(content[-1][1]):
            content = _take_trailing_quote(text, content, quotes, sent)
        flags = []
        if not content and "speech" in frames and _dangling_that(verb, sent):
            flags, frame = ["truncated"], "speech"
        elif not content:
            return None
        cue = [_chars(cue_toks)]
        # a colon right after the cue introduces the content and belongs to the cue
        after = cue[0][1]
        while after < len(text) and text[after] == " ":
            after += 1
        if after < len(text) and text[after] == ":" and content[0][0] > after:
            cue = [(cue[0][0], after + 1)]
        src = []
        if source is not None:
            s, e = source
            if not content or not _inside((s, e), content):
                src = [source]
        conf = 0.75 if frame == "speech" else 0.6
        if flags:
            conf = 0.4
        if source is not None and content and not src:
            return None  # the would-be source lies inside the content: a misparse
        return Candidate(cue, src, content, frame, verb.i, flags=flags, confidence=conf)

    def _quote_anchored(self, doc: Doc, cands: list[Candidate], quotes: QuoteIndex) -> list[Candidate]:
        """A quotation nobody claimed: the verb that governs it is very likely a cue outside
        the lexicon ("touted", "heralded"), so try it with every frame."""
        text = self._text
        covered = [sp for c in cands for part in (c.content, c.cue) for sp in part]
        out: list[Candidate] = []
        for q in quotes.quotes:
            if not opens_double(text, q.start) or _overlaps(list(q.segments), covered):
                continue
            if len(text[q.start:q.end].split()) < self.min_anchor_words:
                continue
            span = doc.char_span(q.start, q.segments[0][1], alignment_mode="expand")
            if span is None or not len(span):
                continue
            tok = span[1] if len(span) > 1 else span[0]
            for _ in range(8):
                if tok.pos_ in ("VERB", "AUX") and not (q.start <= tok.idx < q.end) and tok.dep_ not in ("amod", "aux", "auxpass"):
                    break
                if tok.head is tok:
                    tok = None
                    break
                tok = tok.head
            else:
                tok = None
            if tok is None or tok.lemma_.lower() in self.not_cues:
                continue
            sent = tok.sent
            c = self._verb(tok, sent, frozenset(FRAMES), quotes)
            if c is None or not _overlaps(c.content, list(q.segments)):
                continue
            c.sent_end, c.confidence = sent.end_char, 0.45
            c.flags.append("low_confidence")
            covered.extend(c.content + c.cue)
            out.append(c)
        return out

    def _dash_attributions(self, doc: Doc, cands: list[Candidate], quotes: QuoteIndex) -> list[Candidate]:
        """'"…" — Maria Keller, consumer advocate': a dash after a quote names its speaker."""
        text = self._text
        covered = [sp for c in cands for part in (c.content, c.cue) for sp in part]
        out = []
        for q in quotes.quotes:
            if _overlaps(list(q.segments), covered):
                continue
            # the signature may stand on the same line or open the next paragraph
            j = q.end
            while j < len(text) and text[j] in " \t\n" and text[q.end:j].count("\n") <= 2:
                j += 1
            if j >= len(text) or text[j] not in SIGNATURE_DASHES:
                continue
            dash_end = j + (2 if text[j:j + 2] == "--" else 1)
            span = doc.char_span(dash_end, len(text), alignment_mode="expand")
            if span is None:
                continue
            first = next((t for t in span if not t.is_space), None)
            if first is None or not (first.pos_ == "PROPN" or first.is_title):
                continue
            sent_end = first.sent.end_char
            stop = text.find("\n", first.idx)
            end = min(sent_end, stop if stop >= 0 else len(text))
            src = _trim(text, max(first.idx, dash_end), end)
            if src[1] - src[0] > 150:
                continue
            out.append(Candidate([(j, dash_end)], [src], list(q.segments), "speech", first.i - 1,
                                 confidence=0.6, sent_end=end))
        return out

    def _cue_tokens(self, verb: Token, lemma: str) -> list[Token]:
        doc = verb.doc
        group = [verb]
        for c in verb.children:
            if c.i < verb.i and (c.dep_ in ("aux", "auxpass", "neg") or
                                 (c.dep_ == "advmod" and c.i > verb.i - 4 and c.lower_.endswith("ly") or c.lower_ in ("also", "not", "never", "again", "still", "just", "even", "repeatedly", "previously", "later", "often", "once"))):
                group.append(c)
        group.sort(key=lambda t: t.i)
        # keep the contiguous stretch ending at the verb
        keep = [verb]
        i = verb.i - 1
        ids = {t.i for t in group}
        while i >= 0 and i in ids:
            keep.insert(0, doc[i])
            i -= 1
        # particles and content-introducing prepositions right after the verb
        j = verb.i + 1
        preps = self.lex.preps.get(lemma, frozenset())
        while j < len(doc) and doc[j].head == verb and (
            doc[j].dep_ == "prt" or (doc[j].dep_ in ("prep", "dative") and doc[j].lower_ in preps)
        ):
            keep.append(doc[j])
            j += 1
        return keep

    def _source(self, verb: Token) -> Span | None:
        """The subject (or agent) of the cue verb, or of the verb it hangs from (conjuncts,
        participles)."""
        v = verb
        for _ in range(4):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "csubj")]
            if subj:
                s = subj[-1]
                if s.lower_ in EXPLETIVE and s.dep_ == "nsubj" and not list(s.children):
                    return None
                return self._np_span(s)
            agent = _agent(v)
            if agent is not None:  # "was told by X", "…, as noted by X": never the main clause's subject
                return self._np_span(agent)
            if any(c.dep_ == "nsubjpass" for c in v.children):
                return None
            if asked_of_subject(v):
                return None  # 'Asked if …, Symonette said': she was asked; the asker is unnamed
            if v.dep_ in ("conj", "xcomp", "advcl") and v.head != v:
                v = v.head
                continue
            if v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ in ("VERB", "AUX"):
                v = v.head.head  # "… spent weeks on it before announcing he would retire"
                continue
            if (v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ == "ADJ"
                    and v.head.head.dep_ in ("acomp", "attr") and v.head.head.head.pos_ in ("VERB", "AUX")):
                v = v.head.head.head  # "Trump has been the most aggressive in denouncing the media"
                continue
            if v.dep_ == "relcl" and v.head.pos_ in ("PROPN", "NOUN", "PRON"):
                return self._np_span(v.head, skip_relcl=True)
            break
        return None

    def _np_span(self, tok: Token, skip_relcl: bool = True) -> Span:
        drop: set[int] = set()
        if skip_relcl:
            for c in tok.children:
                if c.dep_ in ("relcl", "acl") and c.i > tok.i:
                    drop |= {t.i for t in c.subtree}
        toks = sorted((t for t in tok.subtree if t.i not in drop), key=lambda t: t.i)
        # the phrase must stay contiguous around its head
        lo = hi = toks.index(tok)
        while lo > 0 and toks[lo - 1].i == toks[lo].i - 1:
            lo -= 1
        while hi + 1 < len(toks) and toks[hi + 1].i == toks[hi].i + 1:
            hi += 1
        first, last = toks[lo], toks[hi]
        doc = tok.doc
        # words glued by hyphens are one word even when the parser split them ("co-chair")
        while first.i > 0 and doc[first.i - 1].whitespace_ == "" and not doc[first.i - 1].is_space \
                and doc[first.i - 1].text not in ",;:\"\u201c\u201d(":
            first = doc[first.i - 1]
        # modifiers the parser hung on a glued word ("former Vice-Chancellor", "the co-chair")
        while first.i > 0:
            prev = doc[first.i - 1]
            hung_inside = prev.dep_ in ("det", "poss", "amod", "compound", "nummod") and first.i <= prev.head.i <= last.i
            stray_adj = prev.dep_ == "amod" and prev.head.pos_ in ("VERB", "AUX")  # an adjective cannot modify a verb
            if not (hung_inside or stray_adj):
                break
            first = prev
        s, e = first.idx, last.idx + len(last)
        return _trim(self._text, s, e)

    def _content(self, verb, lemma, frames, cue_toks, cue_ids, source, sent, quotes) -> tuple[list[Span], str]:
        """The content of a verb cue and its frame: the first of the patterns below, in this
        order, that fits the parse; none: ``([], "")``."""
        at = _Site(verb, lemma, frames, cue_toks, cue_ids, source, sent, quotes, self._text)
        for step in (self._complement, self._inverted_conjunct, self._main_clause_of_as, self._quotation,
                     self._infinitive, self._cue_preposition, self._naming_object, self._object):
            found = step(at)
            if found is not None:
                return found
        return [], ""

    def _complement(self, at: _Site) -> tuple[list[Span], str] | None:
        """1. A clausal complement (said that ..., believes ..., "...," he said)."""
        if not ("speech" in at.frames or "intent" in at.frames):
            return None
        comp = [c for c in at.children if c.dep_ == "ccomp"]
        if not comp:
            return None
        verb, c, quotes, sent = at.verb, comp[0], at.quotes, at.sent
        q = quotes.at(c.left_edge.idx)
        if c.i < verb.i and q is None and any(o.dep_ == "dobj" and o.i > verb.i for o in at.children):
            return None  # 'X was supported, Dr Mitchell suggested an initiative': the object is what he said
        if c.i < verb.i and q is not None and q.start < sent.start_char:
            got = _quote_spans(at.text, q)
        elif c.i < verb.i:
            got = self._before_cue(verb, c, at.cue_toks, at.source, sent, quotes) or at.span_from([c])
        else:
            lead = [o for o in at.children if o.dep_ == "dobj" and verb.i < o.i < c.i
                    and o.lemma_.lower() in self.lex.nouns]
            cuts = [x for x in (_cut_conjuncts(c, verb), _cut_trailing_clause(c, quotes)) if x is not None]
            got = at.span_from(lead + [c], cut=min(cuts) if cuts else None)
        if c.i < verb.i:
            got += self._quote_after(verb, at.cue_toks, at.source, quotes)
        return got, "speech"

    def _inverted_conjunct(self, at: _Site) -> tuple[list[Span], str] | None:
        """1a. 'The Americas cannot ignore the risk, warns PAHO Director Carissa Etienne': an
        inverted cue after a comma that the parse made a conjunct of the clause before it;
        that clause is the content, as for '…, he said.'"""
        verb = at.verb
        if "speech" not in at.frames or verb.dep_ != "conj" or verb.head.i >= verb.i:
            return None
        doc = verb.doc
        if verb.i == 0 or doc[verb.i - 1].text != "," or any(
                c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i for c in at.children):
            return None
        if not any(c.dep_ == "nsubj" and c.i > verb.i for c in at.children):
            return None
        got = self._before_cue(verb, verb.head, at.cue_toks, at.source, at.sent, at.quotes)
        return (got, "speech") if got else None

    def _main_clause_of_as(self, at: _Site) -> tuple[list[Span], str] | None:
        """1b. "As X reported, …" / "As X puts it, …": the main clause is the content."""
        verb = at.verb
        if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in at.children) \
                and ("speech" in at.frames or at.lemma == "put") and verb.head.pos_ in ("VERB", "AUX"):
            got = at.head_clause_runs()
            if got:
                return got, "speech"
        return None

    def _quotation(self, at: _Site) -> tuple[list[Span], str] | None:
        """2. A colon or adjacent quotation ("X said: ...", '"...," X said'); 2b. a
        parenthetical cue ("X, she said, Y")."""
        if "speech" not in at.frames:
            return None
        verb = at.verb
        got = self._adjacent_quote(verb, at.cue_toks, at.source, at.sent, at.quotes)
        if got:
            if got[-1][1] <= at.cue_toks[0].idx:
                got = got + self._quote_after(verb, at.cue_toks, at.source, at.quotes)
            return got, "speech"
        if verb.dep_ == "parataxis" and verb.head.pos_ in ("VERB", "AUX"):
            got = at.head_clause_runs()
            if got:
                return got, "speech"
        return None

    def _infinitive(self, at: _Site) -> tuple[list[Span], str] | None:
        """3. A to-infinitive (wants to ..., called on X to ...)."""
        verb, children, frames = at.verb, at.children, at.frames
        xcomp = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
        if not (xcomp and ("intent" in frames or "urge" in frames)):
            return None
        objs = [c for c in children if c.dep_ in ("dobj", "dative") and c.i > verb.i and c.i < xcomp[0].i]
        prep_objs = [p for c in children if c.i in at.cue_ids and c.dep_ == "prep"
                     for p in c.children if p.dep_ == "pobj"]
        lead = objs + prep_objs if "urge" in frames else []
        if lead or _has_to(xcomp[0]):
            return at.span_from(lead + [xcomp[0]]), "intent" if not lead else "urge"
        return None

    def _cue_preposition(self, at: _Site) -> tuple[list[Span], str] | None:
        """4. A preposition that is part of the cue (called for X, pointed to X)."""
        for c in at.children:
            if c.i in at.cue_ids and c.dep_ in ("prep", "dative"):
                pobj = [p for p in c.children if p.dep_ in ("pobj", "pcomp")]
                if pobj:
                    extra = [x for x in at.children if x.dep_ == "xcomp" and x.i > pobj[0].i]
                    return at.span_from(pobj + extra), "urge" if extra else "attitude"
        return None

    def _naming_object(self, at: _Site) -> tuple[list[Span], str] | None:
        """5a. What a naming verb names (called X a Y, called it "…", what X called "…")."""
        if "naming" not in at.frames:
            return None
        verb, children = at.verb, at.children
        dobj = [c for c in children if c.dep_ == "dobj" and c.i > verb.i]
        pred = [c for c in children if c.dep_ in ("oprd", "xcomp", "ccomp", "acomp") and c.i > verb.i]
        if dobj and pred and pred[0].i > dobj[0].i:
            # 'called it "a quiet revolution"': a pronoun object is fine when a predicate follows
            return at.span_from([dobj[0], pred[0]]), "naming"
        if dobj:
            # 'called that "beyond preposterous"' however the parser hung the quote
            got = _take_trailing_quote(at.text, at.span_from([dobj[0]]), at.quotes, at.sent)
            if got and at.quotes.ending_at(got[-1][1]):
                return got, "naming"
        before = [c for c in children if c.dep_ == "dobj" and c.i < verb.i]
        if not dobj and pred and before and before[0].lower_ in ("what", "which"):
            # 'in what X called "hand-to-hand combat"'
            return [(before[0].idx, before[0].idx + len(before[0]))] + at.span_from([pred[0]]), "naming"
        return None

    def _object(self, at: _Site) -> tuple[list[Span], str] | None:
        """5b. Object frames with a real object (accused X of ..., named X as Y, endorsed X)."""
        verb, children, frames = at.verb, at.children, at.frames
        dobj = [c for c in children if c.dep_ == "dobj" and c.i > verb.i]
        if not dobj or dobj[0].lower_ in PRONOUN_OBJECT:
            return None
        o = dobj[0]
        if "accuse" in frames:
            pp = [c for c in children + list(o.children)
                  if c.dep_ == "prep" and c.i > o.i and c.lower_ in ("of", "for", "with")]
            if pp:
                return at.span_from([o, pp[0]]), "accuse"
        if "naming" in frames:
            pred = [c for c in children if c.dep_ in ("oprd", "xcomp", "ccomp") and c.i > o.i]
            pred += [c for c in o.children if c.dep_ in ("appos",) and c.i > o.i]
            pred += [c for c in children if c.dep_ == "prep" and c.lower_ == "as" and c.i > o.i]
            if pred:
                return at.span_from([o] + pred[:1]), "naming"
        if "attitude" in frames:
            return at.span_from([o]), "attitude"
        return None

    def _before_cue(self, verb, comp, cue_toks, source, sent, quotes) -> list[Span]:
        """'…, he said.' — everything before the comma that sets off source and cue, unless
        another reporting clause stands there (then the complement alone is the content)."""
        text = self._text
        left = min(_chars(cue_toks)[0], source[0] if source else len(text))
        head = text[sent.start_char:left].rstrip()
        if not head or head[-1] not in ",\"\u201d'" or len(head) < 8:
            return []
        start = self._after_byline(sent)
        if comp.pos_ == "VERB" and "speech" in self.lex.frames(comp.lemma_.lower()) \
                and any(c.dep_ == "nsubj" for c in comp.children) and quotes.at(comp.idx) is None:
            # the complement is itself a reporting clause (a headline run into the lead):
            # the content starts where that clause's own complement ends
            t = comp
            own = [c for c in t.children if c.dep_ == "ccomp" and c.i > t.i]
            last = own[0].right_edge if own else t
            start = last.idx + len(last)
        s, e = _trim(text, start, sent.start_char + len(head), quotes)
        s, e = _extend_to_quotes(text, s, e, quotes, sent.end_char + 2)
        return [(s, e)] if e > s else []

    def _quote_after(self, verb, cue_toks, source, quotes) -> list[Span]:
        """The second half of a split quote: '"A," he said, "B."'."""
        text = self._text
        right = max(_chars(cue_toks)[1], source[1] if source else 0)
        j = right
        while j < len(text) and text[j] in " \t,:":
            j += 1
        q = quotes.starting_at(j)
        return _quote_spans(text, q) if q is not None else []

    def _adjacent_quote(self, verb, cue_toks, source, sent, quotes) -> list[Span]:
        text = self._text
        cue_s, cue_e = _chars(cue_toks)
        left = min(cue_s, source[0]) if source else cue_s
        right = max(cue_e, source[1]) if source else cue_e
        # after: "X said: "..."" or 'X said, "..."' (possibly in the next paragraph after a colon)
        j = right
        while j < len(text) and text[j] in " \t,":
            j += 1
        if j < len(text) and text[j] == ":":
            j += 1
            k = j
            while k < len(text) and text[k].isspace():
                k += 1
            q = quotes.starting_at(k)
            if q is not None:
                return _quote_spans(text, q)
            if "\n" not in text[j:k]:
                end = sent.end_char
                s, e = _trim(text, k, end, quotes)
                if e > s:
                    s, e = _extend_to_quotes(text, s, e, quotes, end + 2)
                    return [(s, e)]
            return []
        q = quotes.starting_at(j)
        if q is not None and "\n" not in text[right:j] and _after_is_open(text, right, j):
            return _quote_spans(text, q)
        # before: '"...," X said' — the quote ends right where the clause begins
        k = left
        while k > 0 and text[k - 1] in LINKING_GAP:
            k -= 1
        q = quotes.ending_at(k)
        if q is not None and "\n" not in text[k:left]:
            return _quote_spans(text, q)
        return []

    def _according(self, tok: Token, sent: SpacySpan, quotes: QuoteIndex) -> Candidate | None:
        doc, text = tok.doc, self._text
        to = next(c for c in tok.children if c.lower_ == "to")
        pobj = [c for c in to.children if c.dep_ == "pobj"]
        if not pobj:
            return None
        cue = [(tok.idx, to.idx + len(to))]
        # the source ends at the first comma after its head: anything hung on it past the
        # comma is the misparsed content ("According to X, the only way … is …")
        sub = sorted(pobj[0].subtree, key=lambda t: t.i)
        comma = next((t.i for t in sub if t.i > pobj[0].i and t.text == ","), None)
        src_toks = [t for t in sub if comma is None or t.i < comma]
        source = _trim(text, *_chars(src_toks))
        phrase = {tok.i, to.i} | {t.i for t in src_toks}
        head = tok.head if tok.head != tok else None
        clause = head if head is not None and head.pos_ in ("VERB", "AUX") else None
        if clause is not None:
            toks = [t for t in clause.subtree if t.i not in phrase]
        else:
            toks = [t for t in sent if t.i not in phrase]
        toks = [t for t in toks if sent.start <= t.i < sent.end]
        spans = _runs(text, toks, quotes, sent.end_char + 2)
        if not spans:
            return None
        return Candidate(cue, [source], spans, "speech", tok.i, confidence=0.8)

    def _noun_cue(self, tok: Token, sent: SpacySpan, quotes: QuoteIndex) -> Candidate | None:
        """'in his opinion, …', 'in X's view, …', 'X's words that …'."""
        text = self._text
        holder = [c for c in tok.children if c.dep_ == "poss"]
        of_holder = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                     for p in c.children if p.dep_ == "pobj" and (p.pos_ == "PROPN" or p.ent_type_ == "PERSON")]
        if not holder and not of_holder:
            return None
        cue = [_chars([tok])]
        # X's words that / the words of X that / X's view is that
        heads = [tok] + of_holder
        after = tok.right_edge.i + 1
        heads.append(tok.head)
        acl = [c for h in heads for c in h.children if c.dep_ in ("acl", "ccomp", "relcl") and c.i > tok.i
               and (h is not tok.head or h is tok or c.left_edge.i == after)
               and c.left_edge.lower_ == "that"]
        if of_holder:
            if not acl:
                return None
            drop = {t.i for t in acl[0].subtree}
            toks = sorted((t for t in of_holder[0].subtree if t.i not in drop), key=lambda t: t.i)
            source = _trim(text, *_chars(toks))
        else:
            source = self._np_span(holder[0], skip_relcl=False)
        if acl:
            s, e = _subtree_span(acl[0])
            s, e = _trim(text, *_extend_to_quotes(text, s, e, quotes, sent.end_char + 2), quotes)
            return Candidate(cue, [source], [(s, e)], "speech", tok.i)
        prep = tok.head
        if prep.dep_ == "prep" and prep.lower_ in ("in", "to") and tok.dep_ == "pobj":
            head = prep.head
            phrase = {t.i for t in prep.subtree}
            if head.pos_ in ("VERB", "AUX"):
                toks = [t for t in head.subtree if t.i not in phrase and sent.start <= t.i < sent.end]
                spans = _runs(text, toks, quotes, sent.end_char + 2)
                if spans:
                    return Candidate(cue, [source], spans, "speech", tok.i, confidence=0.6)
        return None

    def _after_byline(self, sent: SpacySpan) -> int:
        """Where the sentence starts once a byline run into it ('By Ann Lee: The Americas
        cannot …') is left out: the writer's name is nobody's words."""
        toks = list(sent[:6])
        if toks and toks[0].lower_ in self.lex.byline_prefixes:
            colon = next((t for t in toks[2:] if t.text == ":"), None)
            if colon is not None and all(x.pos_ == "PROPN" or x.is_title for x in toks[1:colon.i - sent.start]):
                return colon.idx + 1
        return sent.start_char

    def _headline_colon(self, sent: SpacySpan, quotes: QuoteIndex) -> Candidate | None:
        """'Stoltenberg: no way back' — a name, a colon, then what they said."""
        text = self._text
        toks = list(sent[:6])  # a name of up to five words, then the colon
        for i, t in enumerate(toks):
            if t.text == ":" and 0 < i:
                name = toks[:i]
                if not all(x.pos_ == "PROPN" or x.ent_type_ == "PERSON" or x.is_title for x in name):
                    return None
                label = " ".join(x.lower_ for x in name) in self.lex.not_speakers  # "Photo:"
                if label or name[0].lower_ in self.lex.byline_prefixes:  # "By Ann Lee:" is the writer
                    return None
                s, e = _trim(text, t.idx + 1, sent.end_char, quotes)
                if e - s < 3:
                    return None
                return Candidate([(t.idx, t.idx + 1)], [_chars(name)], [(s, e)], "speech", t.i, confidence=0.5)
        return None


# ------------------------------------------------------------------ helpers over candidates
def _cut_conjuncts(comp: Token, verb: Token) -> int | None:
    """'said X is Y, and he railed…': a conjunct in the reporting verb's tense belongs to it."""
    if verb.tag_ != "VBD" or comp.tag_ == "VBD":
        return None
    for c in comp.children:
        if c.dep_ == "conj" and c.i > comp.i and c.tag_ == "VBD":
            prev = c.doc[c.left_edge.i - 1] if c.left_edge.i > 0 else None
            while prev is not None and prev.dep_ in ("cc", "punct") and prev.i > comp.i:
                prev = prev.doc[prev.i - 1]
            return prev.idx + len(prev) if prev is not None else None
    return None


def _take_trailing_quote(text: str, content: list[Span], quotes: QuoteIndex, sent: SpacySpan) -> list[Span]:
    """'argued that X, "because …"' / 'called X "a disaster"': a quotation that closes the
    clause belongs to the paraphrase it completes (a mixed statement)."""
    s, e = content[-1]
    j = e
    while j < len(text) and text[j] in " ,":
        j += 1
    q = quotes.starting_at(j)
    if q is None or len(q.segments) > 1 or q.end > sent.end_char + 2 or "\n" in text[e:j]:
        return content
    return content[:-1] + [(s, q.end)]


def _dangling_that(verb: Token, sent: SpacySpan) -> bool:
    """A reporting verb whose "that" is the last word before the paragraph ends: the
    content was lost (scraping, truncation). Keep the statement so the speaker is not lost."""
    last = [t for t in sent if not t.is_space]
    if not last or last[-1].lower_ != "that" or last[-1].i <= verb.i:
        return False
    that, doc = last[-1], verb.doc
    if that.i == len(doc) - 1 or "\n" in that.whitespace_:
        return True
    nxt = doc[that.i + 1]
    return nxt.is_space and ("\n" in nxt.text or nxt.i == len(doc) - 1)


TRAILING_SUBORDINATORS = {"when", "while", "though", "although", "whereas", "even", "before", "after"}


def _cut_trailing_clause(comp: Token, quotes: QuoteIndex) -> int | None:
    """'said that X, suggesting that Y' / '…, while Z': a comma-led participle or contrast
    clause at the end is the author's narration (often a statement of its own), not content."""
    doc = comp.doc
    for c in sorted(comp.children, key=lambda t: t.i):
        if c.i <= comp.i or c.dep_ not in ("advcl", "xcomp", "conj", "npadvmod"):
            continue
        first = c.left_edge
        if first.i == 0 or doc[first.i - 1].text not in (",", "\u2014", "--"):
            continue
        if not (first.tag_ == "VBG" or first.lower_ in TRAILING_SUBORDINATORS):
            continue
        comma = doc[first.i - 1]
        if quotes.at(comma.idx) is not None:
            continue
        prev = doc[comma.i - 1]
        return prev.idx + len(prev)
    return None


def _has_to(x: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in x.children)


def _after_is_open(text: str, a: int, b: int) -> bool:
    return all(ch in " \t,:" for ch in text[a:b])


def _quote_spans(text: str, q) -> list[Span]:
    return [(s, e) for s, e in q.segments]


def _runs(text: str, toks: list[Token], quotes: QuoteIndex, limit: int) -> list[Span]:
    """Contiguous runs of tokens as trimmed spans (content split around an inserted cue)."""
    toks = sorted(toks, key=lambda t: t.i)
    runs: list[list[Token]] = []
    for t in toks:
        if runs and t.i == runs[-1][-1].i + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    spans = []
    for r in runs:
        s, e = _chars(r)
        s, e = _trim(text, s, e, quotes)
        if e > s and any(ch.isalnum() for ch in text[s:e]):
            spans.append((s, e))
    if spans:
        s0, e0 = _extend_to_quotes(text, spans[0][0], spans[-1][1], quotes, limit)
        spans[0] = (s0, spans[0][1])
        spans[-1] = (spans[-1][0], e0)
    return spans


def _first_offset(c: Candidate) -> int:
    return min(s for part in (c.cue, c.source, c.content) for s, _ in part)


def _last_offset(c: Candidate) -> int:
    return max(e for _, e in c.content + c.cue)






class _Neighbours:
    """Candidates indexed by the stretch of text they cover, so conflicts are only looked
    for among neighbours: keeps a 1 MB article linear instead of quadratic."""

    BIN = 2000

    def __init__(self) -> None:
        self._bins: dict[int, list[Candidate]] = {}

    @staticmethod
    def _hull(c: Candidate) -> Span:
        spans = c.cue + c.content
        return min(s for s, _ in spans), max(e for _, e in spans)

    def add(self, c: Candidate) -> None:
        s, e = self._hull(c)
        for b in range(s // self.BIN, (e - 1) // self.BIN + 1):
            self._bins.setdefault(b, []).append(c)

    def near(self, c: Candidate) -> list[Candidate]:
        s, e = self._hull(c)
        seen: dict[int, Candidate] = {}
        for b in range(s // self.BIN, (e - 1) // self.BIN + 1):
            for k in self._bins.get(b, ()):
                seen[id(k)] = k
        return list(seen.values())


def _univocal(cands: list[Candidate]) -> list[Candidate]:
    """A cue inside another statement's content is nested; rivals for the same words yield."""
    strong = sorted(cands, key=lambda c: (c.frame in WEAK_FRAMES, -sum(e - s for s, e in c.content)))
    kept: list[Candidate] = []
    index = _Neighbours()
    for c in strong:
        near = [k for k in index.near(c) if "nested" not in k.flags]
        if any(_inside(c.cue[0], k.content) for k in near):
            c.flags.append("nested")
        elif any(_overlaps(c.cue, k.cue) or _overlaps(c.content, k.content) or _overlaps(c.cue, k.content)
                 or _overlaps(c.content, k.cue) for k in near):
            continue
        kept.append(c)
        index.add(c)
    # a statement kept early may sit inside a later, larger one's content
    for c in kept:
        if "nested" not in c.flags and any(k is not c and "nested" not in k.flags and _inside(c.cue[0], k.content)
                                           for k in index.near(c)):
            c.flags.append("nested")
    return kept


def _close_open_quotes(text: str, cands: list[Candidate], quotes: QuoteIndex) -> None:
    """Content that opens a quotation runs at least to its closing mark: the parse often
    ends the clause at the first full stop inside the quote ('stated that the party "must
    be careful. We can now …"'), which would cut the quotation in two."""
    for c in cands:
        if not c.content:
            continue
        c.content.sort()
        first, (s, e) = c.content[0][0], c.content[-1]
        q = quotes.at(e - 1)
        if q is None or not opens_double(text, q.start):
            continue
        seg = next(((a, b) for a, b in q.segments if a <= e - 1 < b), None)
        if seg is not None and first <= seg[0] < e < seg[1]:
            c.content[-1] = (s, seg[1])


POSSESSIVE_END = ("'s", "\u2019s", "s'", "s\u2019")
MAX_TITLE_WORDS = 6


def _drop_titles(text: str, cands: list[Candidate]) -> None:
    """A short quotation right after a possessive names a programme or a publication
    ('told NBC's "Today"', 'on CNN's "State of the Union"'): it is not part of what was said."""
    for c in cands:
        if len(c.content) < 2:
            continue
        keep = [(s, e) for s, e in c.content if not (text[s] in DOUBLE_MARKS and _is_title(text, s, e))]
        if keep:
            c.content[:] = keep


def _is_title(text: str, start: int, end: int) -> bool:
    return text[max(0, start - 4):start].rstrip().endswith(POSSESSIVE_END) \
        and len(text[start:end].split()) <= MAX_TITLE_WORDS


def _attach_continuations(text: str, cands: list[Candidate], quotes: QuoteIndex) -> None:
    """'"A," she said. "B."' — a quote that follows its speaker's cue sentence is more content."""
    speakers = [c for c in cands if c.frame == "speech"
                and any(opens_double(text, i) for s, e in c.content for i in range(s, e))]
    covered = [sp for c in speakers for sp in c.content + c.cue + c.source]
    speakers.sort(key=_last_offset)
    for q in quotes.quotes:
        if not opens_double(text, q.start) or _overlaps(list(q.segments), covered):
            continue
        if _is_title(text, q.start, q.end):
            continue
        prev = [c for c in speakers if _last_offset(c) <= q.start]
        if not prev:
            continue
        c = prev[-1]
        end = max(_last_offset(c), c.sent_end)
        gap = text[end:q.start]
        if len(gap) <= 4 and all(ch in " .\n" for ch in gap) and gap.count("\n") <= 2:
            c.content.extend(q.segments)
            c.sent_end = q.end
            covered.extend(q.segments)


def _statement(text: str, c: Candidate, i: int) -> Statement:
    content = Part.from_spans(text, c.content)
    marks = [text[s] in DOUBLE_MARKS or text[s] in "'\u2018" for s, _ in content.spans]
    ends = [text[e - 1] in ALL_MARKS for _, e in content.spans]
    if not content.spans:
        kind = "indirect"
    elif all(marks) and all(ends):
        kind = "direct"
    elif any(ch in DOUBLE_MARKS for ch in content.text) or "''" in content.text:
        kind = "mixed"
    else:
        kind = "indirect"
    return Statement(
        id=f"s{i + 1}", kind=kind, cue=Part.from_spans(text, c.cue),
        source=Part.from_spans(text, c.source) if c.source else None,
        content=content, flags=tuple(c.flags), confidence=c.confidence,
    )


_DEFAULT: RuleExtractor | None = None


def _default() -> RuleExtractor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = RuleExtractor()
    return _DEFAULT


if not Doc.has_extension("rule_statements"):
    Doc.set_extension("rule_statements", default=None)


def extract_statements(doc: Doc) -> list[Statement]:
    """The rule tier's statements. Their cue and content spans are also left on
    ``doc._.rule_statements`` (plain offsets, so the doc still serialises): the calibration
    reads whether a trained tier agrees with the rules."""
    found = _default()(doc)
    doc._.rule_statements = [[[list(sp) for sp in st.cue.spans], [list(sp) for sp in st.content.spans]]
                             for st in found]
    return found


def cue_subject(doc: Doc, cue: Span, text: str | None = None) -> Span | None:
    """The source the parse gives a cue found some other way (by the trained tagger): the
    subject or agent of the cue's verb, or of the verb it hangs from, as the rule tier reads
    it; failing that, a speaker named right after the verb ("…, said Best.")."""
    span = doc.char_span(*cue, alignment_mode="expand")
    if span is None or not len(span):
        return None
    ext = _default()
    ext._text = text_of(doc) if text is None else text
    verb = span.root
    found = ext._source(verb)
    if found is None:
        holder = _inverted_subject(verb)
        found = ext._np_span(holder) if holder is not None else None
    return found


INVERSION_BEFORE = frozenset({",", '"', "”", "’", "'"})  # what ends a statement just before its verb
INVERSION_AFTER = frozenset({",", ".", ";", ":", "!", "?"})  # what ends the speaker's name
NUMERIC_ENTITIES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})


def asked_of_subject(verb: Token) -> bool:
    """'Asked if prices will fall, Symonette said …': a passive participle set before the
    clause was put to the clause's subject, who is not its source; only its own 'by X' is."""
    return verb.dep_ == "advcl" and verb.tag_ == "VBN"


def _agent(verb: Token) -> Token | None:
    """The agent of a passive verb or participle ('… , as noted by dietitian Trista Best')."""
    for c in verb.children:
        if c.dep_ == "agent":
            pobj = [g for g in c.children if g.dep_ == "pobj"]
            return pobj[0] if pobj else None
    return None


def _inverted_subject(verb: Token) -> Token | None:
    """'… will work in tandem with it, said Best.': the speaker after the verb, which the
    parser often hangs there as an adverb or object. Only where the statement stands
    before the verb and the name closes the clause."""
    doc = verb.doc
    if verb.i == 0 or any(c.dep_ == "nsubjpass" for c in verb.children):
        return None
    after_statement = doc[verb.i - 1].text in INVERSION_BEFORE or any(
        c.dep_ in ("ccomp", "parataxis") and c.i < verb.i for c in verb.children)
    if not after_statement:
        return None
    for c in verb.rights:
        if c.left_edge.i != verb.i + 1 or c.dep_ not in ("advmod", "dobj", "npadvmod", "attr", "appos"):
            continue
        end = c.right_edge.i + 1
        closes = end >= c.sent.end or doc[end].text in INVERSION_AFTER
        # a name, even one the tagger read as a word ("said Best"), but not "said Tuesday"
        named = c.pos_ == "PROPN" or (c.text[:1].isupper() and c.i != c.sent.start)
        if named and closes and c.ent_type_ not in NUMERIC_ENTITIES:
            return c
    return None
