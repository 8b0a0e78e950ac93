"""Person names inside noun phrases, the roles written around them, and stable ids.

The entity tagger misses or mislabels many names ('Olaf Scholz' as ORG, 'Stoltenberg'
as GPE, 'Austria Heinz-Christian Strache' as one PERSON), so a name is read off the
surface of the phrase instead: runs of capitalised proper-noun words, broken by role
words ('Secretary General'), organisation words ('Committee'), places and acronyms.
The last such run (or the one at the phrase's syntactic head) is the name; the rest of
the phrase, as written, is the descriptor.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from sayso.doctext import text_of
from sayso.resolve.rules import Rules

SEPARATORS = set(",;:()[]\"\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014\u2013")
POSSESSIVE = {"'s", "\u2019s", "'", "\u2019"}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}
RELATIVE_START = {"who", "whom", "whose", "which", "that", "where", "when"}
DASHES = {"-", "--", "\u2014", "\u2013", "\u2015"}
FINITE_VERB_TAGS = {"VBD", "VBZ", "VBP"}  # 'met', 'says': a clause, not a role


@dataclass(frozen=True)
class Word:
    """Tokens glued without whitespace ('Heinz-Christian', 'Vice-Chancellor')."""

    text: str
    start: int
    end: int
    first: int  # token indices [first, last]
    last: int
    possessive: bool = False

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class NameInPhrase:
    name: tuple[str, ...]          # the name's words, honorifics and possessives removed
    start: int                     # character span of the name
    end: int
    descriptors: tuple[str, ...]   # roles as written, without leading determiners
    honorific_gender: str | None
    title_words: tuple[str, ...]   # lower-case role words and expanded abbreviations
    organization: str | None = None
    country: str | None = None


def slug(name: str) -> str:
    """'Jens Stoltenberg' → 'jens-stoltenberg': a pure function of the name, so stable."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return s or "unknown"


def words_of(doc: Doc, first: int, last: int, text: str | None = None) -> list[Word]:
    """Words of tokens ``first..last`` (inclusive); separators and possessives stand alone.

    ``text`` is ``doc.text``, passed in by callers that hold it; else it is read once per
    doc (``sayso.doctext``: spaCy rebuilds that string on every access).
    """
    text = text_of(doc) if text is None else text
    out: list[Word] = []
    cur: list[Token] = []

    def flush(possessive: bool = False) -> None:
        if cur:
            s, e = cur[0].idx, cur[-1].idx + len(cur[-1])
            out.append(Word(text[s:e], s, e, cur[0].i, cur[-1].i, possessive))
            cur.clear()

    for i in range(first, last + 1):
        t = doc[i]
        if t.is_space:
            flush()
            continue
        if t.text in POSSESSIVE and t.tag_ == "POS":
            flush(possessive=True)
            continue
        if t.text in SEPARATORS or (t.is_punct and t.text not in "-.'\u2019&"):
            flush()
            out.append(Word(t.text, t.idx, t.idx + len(t), i, i))
            continue
        if cur and doc[i - 1].whitespace_:
            flush()
        cur.append(t)
        if t.whitespace_:
            flush()
    flush()
    return out


def title_today(tok: Token) -> bool:
    """'Medical News Today', 'USA Today': a capitalised 'Today' inside a sentence, right
    after a proper name, ends a title; the tagger reads it as a date."""
    return (tok.text == "Today" and not tok.is_sent_start and tok.i > 0
            and tok.nbor(-1).text[:1].isupper() and tok.nbor(-1).pos_ == "PROPN")


class NameReader:
    """Finds the person name in a phrase and the roles written around it."""

    def __init__(self, rules: Rules):
        self.r = rules
        self._doc: Doc | None = None
        self._text = ""
        self._ents: list = []

    def _bind(self, doc: Doc) -> None:
        """Read ``doc.text`` and ``doc.ents`` once per document (spaCy rebuilds both per access)."""
        if self._doc is not doc:
            self._doc, self._text, self._ents = doc, text_of(doc), list(doc.ents)

    # ------------------------------------------------------------ word classes
    def is_role(self, w: str) -> bool:
        low = w.lower()
        return (low in self.r.role_words or low.rstrip(".") in self.r.role_words
                or all(p in self.r.role_words for p in low.split("-") if p))

    def is_org_word(self, w: str) -> bool:
        return w.lower() in self.r.org_words

    def is_acronym(self, w: str) -> bool:
        letters = [c for c in w if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters) and "." not in w[:-1]

    def name_like(self, doc: Doc, w: Word) -> bool:
        t = w.text
        if not t or not t[0].isupper() or w.text in SEPARATORS:
            return False
        if (self.is_role(t) or self.r.is_place(t)) and self._surname_in_entity(doc, w):
            return True
        if self.is_role(t) or self.is_org_word(t) or self.r.is_place(t) or self.is_acronym(t):
            return False
        low = t.lower()
        if low in self.r.sentence_openers or low in self.r.honorifics:
            return False
        toks = doc[w.first:w.last + 1]
        if any(tok.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL") for tok in toks) \
                and not (title_today(toks[0]) and not self.is_org_word(toks[0].nbor(-1).text)):
            return False
        if any(ch.isdigit() for ch in t):
            return False
        head = toks[-1]
        return head.pos_ == "PROPN" or head.ent_type_ == "PERSON" or (
            re.fullmatch(r"[A-Z]\.", t) is not None)

    def _surname_in_entity(self, doc: Doc, w: Word) -> bool:
        """'Wayne King', 'Mr. King', 'John Major', 'Jim Jordan': a role word or a place that ends a PERSON entity
        right after a given name or an honorific is a surname, and so is one tagged PERSON
        alone when the article names someone with it ('King said'); a title comes first
        and a name follows it ('King Charles', 'Mr. President')."""
        first, last = doc[w.first], doc[w.last]
        if first.ent_type_ != "PERSON" or last.pos_ != "PROPN" or w.first == 0:
            return False
        if w.last + 1 < len(doc) and doc[w.last + 1].ent_iob_ == "I":
            return False
        prev = doc[w.first - 1]
        if prev.lower_ in self.r.honorifics:
            return True
        if first.ent_iob_ == "B":  # alone: the surname of a 'Wayne King' named in the article
            self._bind(doc)
            return any(len(e) > 1 and e[-1].lower_ == last.lower_ and e.label_ == "PERSON"
                       for e in self._ents)
        return prev.text[:1].isupper() and not self.is_role(prev.text)

    # ------------------------------------------------------------ runs and choice
    def runs(self, doc: Doc, words: list[Word]) -> list[list[int]]:
        """Indices of maximal runs of name words (particles like 'de' allowed inside)."""
        runs: list[list[int]] = []
        cur: list[int] = []
        depth = 0
        for k, w in enumerate(words):
            if w.text in "([":
                depth += 1
            if w.text in ")]":
                depth = max(0, depth - 1)
            ok = depth == 0 and self.name_like(doc, w)
            particle = (depth == 0 and w.lower in self.r.name_particles and k + 1 < len(words)
                        and self.name_like(doc, words[k + 1]))
            suffix = bool(cur) and w.lower.rstrip(",") in self.r.name_suffixes
            if ok or particle or suffix:
                if particle and not cur and k > 0 and not self.name_like(doc, words[k - 1]):
                    # 'Bill de Blasio' keeps 'de'; a sentence-initial 'De Blasio' is name-like anyway
                    pass
                cur.append(k)
                if w.possessive:
                    runs.append(cur)
                    cur = []
            else:
                if cur:
                    runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
        return [r for r in runs if not all(words[i].lower in self.r.name_particles for i in r)]

    def read(self, doc: Doc, first: int, last: int, head: int | None = None,
             prefer_last: bool = True) -> NameInPhrase | None:
        """The name in tokens ``first..last`` with its descriptors, or None if none is written."""
        self._bind(doc)
        words = words_of(doc, first, last, self._text)
        runs = self.runs(doc, words)
        if not runs:
            return None
        chosen = None
        if head is not None:
            for r in runs:
                if words[r[0]].first <= head <= words[r[-1]].last:
                    chosen = r
        if chosen is None:
            person = [r for r in runs if any(doc[words[i].last].ent_type_ == "PERSON" for i in r)
                      or words[r[0]].lower in self.r.male_names or words[r[0]].lower in self.r.female_names]
            pool = person or runs
            if len(pool) > 1:  # 'Minyon Moore, a senior adviser to the Clinton campaign': Moore
                pool = [r for r in pool if not _dependent_name(doc[words[r[-1]].last])] or pool
            chosen = pool[-1] if prefer_last else pool[0]
        while len(chosen) > 1 and _reporting_verb(words[chosen[-1]].lower):
            chosen = chosen[:-1]  # a title-case headline: 'Obama Says …' is Obama
        while len(chosen) > 2 and words[chosen[-1]].lower in self.r.programme_words:
            chosen = chosen[:-1]  # 'The Dan Wootton Interview' is his show: the host is Dan Wootton
        name_words = [words[i] for i in chosen]
        # drop suffix words from the id-bearing name? keep them: 'Jr.' distinguishes people
        name = tuple(w.text.rstrip(",") for w in name_words)
        s, e = name_words[0].start, name_words[-1].end
        a, b = chosen[0], chosen[-1]
        honor = None
        titles: list[str] = []
        pre = self._segment_before(words, a)
        for w in pre:
            low = w.lower
            if low in self.r.honorifics:
                honor = honor or self.r.honorifics[low]
            if low in self.r.title_abbreviations:
                titles.append(self.r.title_abbreviations[low])
        descriptors: list[str] = []
        org = country = None
        for seg, drop in ((pre, True), (self._segment_after(words, b), False)):
            seg = self._trim(seg, drop)
            if not seg:
                continue
            text = " ".join(self._text[seg[0].start:seg[-1].end].split())
            if not any(c.isalpha() for c in text):
                continue
            descriptors.append(text)
            o, c = self._org_country(doc, seg)
            org, country = org or o, country or c
        for d in descriptors:
            titles.extend(x.lower() for x in re.findall(r"[A-Za-z][\w\-]*", d))
        return NameInPhrase(name, s, e, tuple(descriptors), honor, tuple(titles), org, country)

    def _org_country(self, doc: Doc, seg: list[Word]) -> tuple[str | None, str | None]:
        """Organisation and country stated in a descriptor ('of the Russian Foreign Ministry')."""
        s, e = seg[0].start, seg[-1].end
        org = country = None
        for ent in self._ents:
            if ent.label_ == "ORG" and s <= ent.start_char and ent.end_char <= e:
                words = ent.text.split()
                if words and words[0].lower() == "the":
                    words = words[1:]
                if words and not all(self.is_role(w) for w in words):
                    org = " ".join(words)
                    break
        if org is None:
            for w in seg:
                if self.is_acronym(w.text) and not self.r.is_place(w.text):
                    org = w.text
                    break
        scan = [w.lower for w in seg] + ([x.lower() for x in org.split()] if org else [])
        for k, low in enumerate(scan):
            two = " ".join(scan[k:k + 2])
            if two in self.r.country_alias:
                country = self.r.country_alias[two]
                break
            if low in self.r.country_alias:
                country = self.r.country_alias[low]
                break
        return org, country

    def _segment_before(self, words: list[Word], a: int) -> list[Word]:
        """Words left of the name, back to the phrase start (a descriptor written before it)."""
        seg = words[:a]
        # 'On February 25, former Vice-Chancellor …': only what follows the last comma that
        # closes something other than an apposition ('the co-chair of …, Janine Wissler').
        while seg and seg[-1].text in (",", "\u2014", "\u2013", "("):
            seg = seg[:-1]
        # 'WASHINGTON -- President Obama': a dateline's dash ends what describes nobody
        for k in range(len(seg) - 1, -1, -1):
            if seg[k].text in DASHES:
                seg = seg[k + 1:]
                break
        # 'FBI criticism of Hillary Clinton', 'contributors to Mrs. Clinton': the name is the
        # object of a preposition, and the words before it describe something else
        k = len(seg) - 1
        while k >= 0 and seg[k].lower in self.r.honorifics:
            k -= 1
        if k >= 0 and self._doc is not None and self._doc[seg[k].last].pos_ in ("ADP", "SCONJ", "CCONJ"):
            return []
        return self._without_adverbial(seg)

    def _without_adverbial(self, seg: list[Word]) -> list[Word]:
        """'In the spin room after the debate, Obama', 'On Thursday, however, Trump': a
        phrase that opens with a preposition or a subordinating conjunction sets the scene
        and describes nobody; only what follows its last comma can ('On February 25, former
        Vice-Chancellor …'), and only if it names something and is not a clause ('…, a
        group of Republicans met with Justice Department liaison Peter Kadzik')."""
        doc = self._doc
        if not seg or doc is None or doc[seg[0].first].pos_ not in ("ADP", "SCONJ"):
            return seg
        commas = [k for k, w in enumerate(seg) if w.text == ","]
        if not commas:
            return []
        rest = seg[commas[-1] + 1:]
        toks = [doc[i] for w in rest for i in range(w.first, w.last + 1)]
        if not any(t.pos_ in ("NOUN", "PROPN") for t in toks) or any(t.tag_ in FINITE_VERB_TAGS for t in toks):
            return []
        return rest

    def _segment_after(self, words: list[Word], b: int) -> list[Word]:
        """', the official representative of …,' after a name: an apposition."""
        k = b + 1
        if k < len(words) and words[k].text in (",", "(") and k + 1 < len(words):
            seg = []
            for w in words[k + 1:]:
                if w.text in (",", ")", ";"):
                    break
                seg.append(w)
            if seg and seg[0].lower not in RELATIVE_START and not seg[0].text[0].isdigit() \
                    and not self._scene_setting(seg[0]):
                return seg
        return []

    def _scene_setting(self, w: Word) -> bool:
        """'Clinton, at Monday's debate, cited …': a preposition other than 'of' or 'from'
        opens when or where, not who ('Peter Wherry, of Mayfield Baptist Church,' is a role)."""
        return (self._doc is not None and self._doc[w.first].pos_ == "ADP"
                and w.lower not in ("of", "from"))

    def _trim(self, seg: list[Word], drop_honorifics: bool = False) -> list[Word]:
        """Determiners, honorifics ('Mr.') and stray punctuation off a descriptor's ends."""
        while seg and (seg[0].lower in DETERMINERS or seg[0].text in SEPARATORS):
            seg = seg[1:]
        if drop_honorifics:
            while seg and seg[-1].lower in self.r.honorifics:
                seg = seg[:-1]
            while seg and seg[0].lower in self.r.honorifics:
                seg = seg[1:]
        while seg and seg[-1].text in SEPARATORS:
            seg = seg[:-1]
        return seg


def _reporting_verb(word: str) -> bool:
    """'says', 'warns', 'denies', 'said', 'told': an inflected reporting verb of the cue
    lexicon (the bare form is left alone: it can be a surname)."""
    from sayso.extract.cues import load_lexicon

    if word in ("said", "told"):
        return True
    forms = set()
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("es"):
        forms.update({word[:-1], word[:-2]})
    elif word.endswith("s"):
        forms.add(word[:-1])
    elif word.endswith("ed"):
        forms.update({word[:-2], word[:-1]})
    lex = load_lexicon("en")
    return any(lex.is_cue(f) for f in forms)


def _dependent_name(tok) -> bool:
    """A name that modifies a noun or sits in a prepositional phrase ('the Clinton
    campaign', 'an adviser to Clinton', 'Clinton's aide'): someone the phrase is about."""
    if tok.dep_ in ("compound", "poss") and tok.head.pos_ == "NOUN":
        return True
    t = tok
    for _ in range(4):
        if t.dep_ == "pobj":
            return True
        if t.head is t or t.dep_ not in ("compound", "flat", "poss", "amod", "nmod", "pobj"):
            return False
        t = t.head
    return False
