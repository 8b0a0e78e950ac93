"""Sources → the named person or organisation they denote.

In-house, rule-based coreference for one article (there is no offline coreference
package for spaCy 3.8). It works in three passes over the parse:

1. **Named mentions.** Every statement source that writes a name, every PERSON entity,
   and every organisation or place the tagger finds, becomes a mention of an entity in an
   article-wide registry. A surname joins the person whose full name shares it
   ('Stoltenberg' → 'Jens Stoltenberg'); the fullest name wins; the roles written around a
   name ('NATO Secretary General', ', the official representative of …,') are kept as
   descriptors, with the organisation and country they state.
2. **Pronouns and nominals, left to right.** 'he', 'his', 'according to her' go to the
   most salient earlier person of compatible gender, where salience is recency in
   sentences plus a penalty for not being a speaker or a subject (whoever spoke last is
   preferred; names inside quotations never are). Each resolved pronoun is itself a
   mention, so chains of 'He … He …' carry, and it teaches the entity its gender.
   'The Secretary General', 'the head of the German government' go to the person whose
   descriptors carry that role (synonyms are data); 'the politician' to the most salient
   person; 'the fund', 'the campaign', 'the city' to an organisation or place.
3. **Speakers.** Each statement's speaker is built from the entity's final state, so a
   descriptor learnt late still appears on every statement of that person.

The byline is never an entity, and people only mentioned (not sources) are never
speakers: speakers come only from statement sources.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy
from spacy.attrs import LOWER, SENT_START
from spacy.tokens import Doc, Span, Token

from sayso.doctext import line_break_after, string_ids, text_of, token_starts
from sayso.records import Speaker, Statement
from sayso.resolve.names import DETERMINERS, NameInPhrase, NameReader, slug, title_today, words_of
from sayso.resolve.rules import Rules, load_rules
from sayso.resolve.structure import Structure

SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
HEAD_ENDS = frozenset({"of", "for", "to", "at", "from", "with", "in", "on"})  # words after a noun phrase's head
GROUP_WORDS = frozenset({"one", "number", "some", "many", "several", "most", "few", "group", "dozens", "all"})
DEFINITE = frozenset({"the", "this", "that"})
INDEFINITE = frozenset({"a", "an", "another", "one", "some", "several", "many", "most", "few"})
ROLE_PENALTY = {"source": 0.0, "subj": 0.25, "other": 1.0, "nested": 1.2}
PRONOUN_WINDOW = 8       # sentences a pronoun looks back
NOMINAL_WINDOW = 60      # sentences a title looks back ('the Secretary General')
GENERIC_WINDOW = 12      # sentences 'the politician' looks back
IT_WINDOW = 2            # sentences 'it said' looks back for an organisation
ORG_LABELS = {"ORG", "NORP"}
PLACE_LABELS = {"GPE", "LOC"}


@dataclass
class Entity:
    key: int
    kind: str                          # person | org | place
    name: tuple[str, ...]
    gender: str | None = None
    gender_rank: int = 0               # 3 honorific/noun, 2 pronoun, 1 given name
    descriptors: list[str] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)
    organization: str | None = None
    country: str | None = None
    last_seen: int = -1

    @property
    def text(self) -> str:
        return " ".join(self.name)

    def set_gender(self, gender: str | None, rank: int) -> None:
        if gender and rank > self.gender_rank:
            self.gender, self.gender_rank = gender, rank

    def add_descriptor(self, d: str) -> None:
        low = d.lower()
        for k, old in enumerate(self.descriptors):
            if low in old.lower():
                return
            if old.lower() in low:
                self.descriptors[k] = d
                return
        self.descriptors.append(d)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: Entity
    role: str          # source | subj | other | nested
    unit: int          # sentence-like unit index
    in_quote: bool = False
    in_content: bool = False  # inside what someone is reported to have said


@dataclass(frozen=True)
class Resolution:
    entity: Entity | None
    via: str = "name"


class ArticleCoref:
    """Entities and mentions of one article, and the resolution of statement sources."""

    def __init__(self, doc: Doc, statements: tuple[Statement, ...], structure: Structure,
                 rules: Rules | None = None):
        self.doc = doc
        self.text = text_of(doc)
        self._ents = list(doc.ents)
        self._tok_starts = token_starts(doc)
        self.r = rules or load_rules()
        self.names = NameReader(self.r)
        self._person_words = self._tagged_person_words()
        self.structure = structure
        self.statements = statements
        self.entities: list[Entity] = []
        self.mentions: list[Mention] = []
        self._starts: list[int] = []
        self._units = self._unit_index()
        self._quotes = self._quote_spans()
        self._quote_starts = [a for a, _ in self._quotes]
        self._contents = [sp for st in statements if "nested" not in st.flags for sp in st.content.spans]
        self._by_statement: dict[str, Resolution] = {}
        self._full_names: dict[int, Entity] | None = None
        self._title_case: dict[int, bool] = {}  # paragraph index → is it a title-case line
        self._collect_named()
        self._resolve_in_order()

    # ================================================================ document layout
    def _unit_index(self) -> list[int]:
        """Sentence number per token, also breaking at line ends (the parser runs over them):
        counted on arrays, not token by token."""
        n = len(self.doc)
        if not n:
            return []
        breaks = numpy.zeros(n, dtype=bool)
        breaks[1:] = (self.doc.to_array(SENT_START)[1:] == 1) | numpy.asarray(line_break_after(self.doc)[:-1], dtype=bool)
        return numpy.cumsum(breaks).tolist()

    def unit_at(self, char: int) -> int:
        tok = self._token_at(char)
        return self._units[tok.i] if tok is not None else 0

    def _token_at(self, char: int) -> Token | None:
        if not len(self.doc):
            return None
        k = max(0, bisect.bisect_right(self._tok_starts, char) - 1)
        return self.doc[k]

    def _quote_spans(self) -> list[tuple[int, int]]:
        """Quoted stretches per paragraph: names inside quotes are not antecedents."""
        spans = []
        for b in self.structure.blocks:
            open_at = None
            for m in re.finditer(r"''|\"|\u201c|\u201d|\u00ab|\u00bb", b.text):
                ch, pos = m.group(), b.start + m.start()
                if ch in ("\u201c", "\u00ab") or (ch in ('"', "''") and open_at is None):
                    open_at = pos if open_at is None else open_at
                elif open_at is not None:
                    spans.append((open_at, pos + len(ch)))
                    open_at = None
        return spans

    def in_quote(self, start: int, end: int | None = None) -> bool:
        """Whether ``start..end`` lies inside a quoted stretch. The stretches follow each
        other without overlapping, so only the last one opened before ``start`` can hold it."""
        end = start if end is None else end
        k = bisect.bisect_left(self._quote_starts, start) - 1
        return k >= 0 and end < self._quotes[k][1]

    # ================================================================ registry
    def _add(self, kind: str, name: tuple[str, ...], start: int) -> Entity:
        """Find or create the entity for a name; a surname or short form joins the full one."""
        name = tuple(w for w in name if w)
        low = [w.lower() for w in name]
        best = None
        for e in self.entities:
            if e.kind != kind:
                continue
            el = [w.lower() for w in e.name]
            if kind != "person":
                if el == low:
                    best = e
                continue
            if el[-1] == low[-1]:
                if len(el) > 1 and len(low) > 1 and not _first_names_agree(el[0], low[0]):
                    continue
                given = self.r.gender_of_word(name[0]) if len(low) > 1 else None
                if given and e.gender and given != e.gender:
                    continue  # 'Mr. Obama' is not the 'Michelle Obama' named later
            elif len(low) == 1 and low[0] in el[:-1] and low[0] not in self.r.male_names | self.r.female_names:
                pass  # 'Ban' for 'Ban Ki-moon'
            elif len(el) == 1 and el[0] in low[:-1] and el[0] not in self.r.male_names | self.r.female_names:
                pass
            else:
                continue
            if best is None or e.last_seen > best.last_seen:
                best = e
        if best is None:
            best = Entity(len(self.entities), kind, name)
            self.entities.append(best)
        elif len(name) > len(best.name) or (len(name) == len(best.name) and kind != "person"):
            best.name = name
        best.last_seen = max(best.last_seen, start)
        return best

    def _add_person(self, found: NameInPhrase) -> Entity:
        e = self._add("person", found.name, found.start)
        for d in found.descriptors:
            e.add_descriptor(d)
            for w in re.findall(r"[A-Za-z][\w\-]*", d):
                g = self._noun_gender(w)
                e.set_gender(g, 3)
        e.titles.update(found.title_words)
        e.set_gender(found.honorific_gender, 3)
        e.set_gender(self.r.gender_of_word(found.name[0]) if len(found.name) > 1 else None, 1)
        if found.organization and not self.names.is_org_word(found.organization):
            e.organization = e.organization or found.organization
        e.country = e.country or found.country
        return e

    def _noun_gender(self, w: str) -> str | None:
        low = w.lower()
        if low in self.r.male_nouns:
            return "male"
        if low in self.r.female_nouns:
            return "female"
        return None

    def _mention(self, start: int, end: int, entity: Entity, role: str) -> Mention:
        inside = role not in ("source", "nested") and any(a <= start < b for a, b in self._contents)
        m = Mention(start, end, entity, role, self.unit_at(start), self.in_quote(start, end), inside)
        k = bisect.bisect_left(self._starts, start)
        self._starts.insert(k, start)
        self.mentions.insert(k, m)
        entity.last_seen = max(entity.last_seen, start)
        return m

    # ================================================================ pass 1: names
    def _role_of(self, tok: Token) -> str:
        t = tok
        for _ in range(3):
            if t.dep_ in SUBJECT_DEPS:
                return "subj"
            if t.dep_ in ("compound", "flat", "appos", "poss", "amod", "nmod") and t.head is not t:
                t = t.head
                continue
            break
        return "other"

    def _source_tokens(self, st: Statement) -> tuple[int, int] | None:
        if st.source is None or not st.source.spans:
            return None
        s, e = st.source.spans[0][0], st.source.spans[-1][1]
        span = self.doc.char_span(s, e, alignment_mode="expand")
        if span is None or not len(span):
            return None
        first = span.start
        # 'former' etc. written just before the source belongs to its descriptor
        while first > 0:
            prev = self.doc[first - 1]
            if prev.lower_ in self.r.descriptor_prefixes and prev.whitespace_ and prev.sent == span.sent:
                first -= 1
                continue
            break
        return first, self._before_relative(first, span.end - 1)

    def _before_relative(self, first: int, last: int) -> int:
        """'King, who resigned from Meadows' office and filed to run': a relative clause
        describes the source; a name inside it is not the source's. (Only a clause opened by
        a relative pronoun: in 'a speech Mrs. Clinton delivered' the name is the maker.)"""
        for tok in self.doc[first + 1:last + 1]:
            if (tok.dep_ == "relcl" and first <= tok.head.i < tok.left_edge.i
                    and tok.left_edge.lower_ in self.r.relative_pronouns):
                cut = tok.left_edge.i - 1
                while cut > first and (self.doc[cut].is_punct or self.doc[cut].is_space):
                    cut -= 1
                return cut
        return last

    def _source_root(self, first: int, last: int) -> Token:
        toks = self.doc[first:last + 1]
        for t in toks:
            if not (first <= t.head.i <= last) or t.head is t:
                if not t.is_punct:
                    return t
        return toks[-1]

    def _role_start(self, ent: Span) -> int:
        """Where the words describing a PERSON entity outside any source begin: its own
        left edge, the role it hangs from, or the role it stands in apposition to."""
        left = ent.root.left_edge.i if ent.root.left_edge.i < ent.start else ent.start
        prev = self.doc[left - 1] if left > 0 else None
        if prev is not None and prev.dep_ == "prep" and prev.lower_ == "of" and prev.head.i < prev.i \
                and prev.head.pos_ in ("NOUN", "PROPN"):
            # 'former Vice-Chancellor of [Austria Heinz-Christian Strache]': the
            # role the name hangs from (NER took the country into the name); only through
            # 'of': 'joined forces with soul star Peabo Bryson' is no 'forces'
            j, stop = prev.head.i, prev.head.sent.start
            while j > stop and (self.doc[j - 1].pos_ in ("ADJ", "PROPN", "NOUN")
                                or self.doc[j - 1].text in ("-", "\u2013")):
                j -= 1  # the role's own words, whatever the parse made of them
            left = min(left, j)
        head = ent.root.head
        if head.pos_ == "PROPN" and head.dep_ == "pobj" and head.head.head.pos_ == "NOUN":
            head = head.head.head  # one name is not in apposition to another: the role is
        if ent.root.dep_ == "appos" and head.i < ent.start and head.pos_ == "NOUN":
            left = min(left, head.left_edge.i)  # 'An attorney for Pagliano, Mark MacDougall'
        return left

    def _collect_named(self) -> None:
        """Pass 1: names in sources, PERSON entities, organisations and places."""
        source_ranges = []
        for st in sorted(self.statements, key=lambda s: (s.source.start if s.source else -1)):
            rng = self._source_tokens(st)
            if rng is None or self.structure.in_byline(st.source.start):
                continue
            first, last = rng
            root = self._source_root(first, last)
            if root.lower_ in self._all_pronouns():
                continue
            found = self._source_name(first, last, root)
            role = "nested" if "nested" in st.flags else "source"
            if found is not None and self._owner_named(root, found):
                continue
            if found is not None and self._is_person(found, first, last):
                ent = self._add_person(found)
                self._mention(found.start, found.end, ent, role)
                self._by_statement[st.id] = Resolution(ent, "name")
                source_ranges.append((self.doc[first].idx, self.doc[last].idx + len(self.doc[last])))
                continue
            org = self._org_in(first, last, root)
            if org is not None:
                self._mention(org[1], org[2], org[0], role)
                self._by_statement[st.id] = Resolution(org[0], "name")
                source_ranges.append((self.doc[first].idx, self.doc[last].idx + len(self.doc[last])))

        def covered(s: int, e: int) -> bool:
            return any(a <= s and e <= b for a, b in source_ranges)

        for ent in self._ents:
            if covered(ent.start_char, ent.end_char) or self.structure.in_byline(ent.start_char):
                continue
            if ent.label_ == "PERSON":
                left = self._role_start(ent)
                left = max(left, ent.start - 8)
                found = self._headline_name(self.names.read(self.doc, left, ent.end - 1, prefer_last=True))
                if found is None or not (ent.start_char <= found.end and found.start < ent.end_char):
                    continue
                if len(found.name) == 1 and self.names.is_org_word(found.name[0]):
                    continue  # 'Convention' tagged PERSON
                e = self._add_person(found)
                self._mention(found.start, found.end, e, self._role_of(ent.root))
            elif ent.label_ in ("ORG", "GPE", "LOC", "NORP"):
                words = ent.text.split()
                if words and words[0].lower() == "the":
                    words = words[1:]
                if not words:
                    continue
                bare = _without_possessive(" ".join(words))
                if self._generic(bare):
                    continue
                person = self._known_person(bare)
                if person is not None:
                    self._mention(ent.start_char, ent.end_char, person, self._role_of(ent.root))
                    continue
                if ent.label_ == "ORG" and self._person_in_org(ent):
                    continue
                if ent.label_ == "NORP":
                    continue
                kind = self.r.name_kind(bare.split(), ent.label_ == "ORG")
                e = self._add(kind, tuple(bare.split()), ent.start_char)
                if kind == "place":
                    e.country = self.r.country_alias.get(bare.lower())
                self._mention(ent.start_char, ent.end_char, e, self._role_of(ent.root))
        self._given_names()
        self._untagged_mentions()

    def _source_name(self, first: int, last: int, root: Token) -> NameInPhrase | None:
        """The name the source's head word is part of; when that is no person's and a
        person is tagged elsewhere in the source, that person ('According to Coils to Locs
        Founder Dianne Austin': the parse's head is 'Coils', the company)."""
        found = self._headline_name(self.names.read(self.doc, first, last,
                                                    head=root.i if root.pos_ == "PROPN" else None))
        if found is None or root.pos_ != "PROPN" or self._is_person(found, first, last):
            return found
        if not any(t.ent_type_ == "PERSON" for t in self.doc[first:last + 1]):
            return found
        person = self._headline_name(self.names.read(self.doc, first, last))
        return person if person is not None and self._is_person(person, first, last) else found

    def _people_by_surname(self) -> dict[str, list[Entity]]:
        """The people read so far, by lower-case surname."""
        surnames: dict[str, list[Entity]] = {}
        for e in self.entities:
            if e.kind == "person":
                surnames.setdefault(e.name[-1].lower(), []).append(e)
        return surnames

    def _given_names(self) -> None:
        """'Even though Céline Dion is a pop icon, …' where the tagger saw no name: a person
        known only by a surname takes the given name the text writes right before it, when
        that one is written more often than all others together ('Céline Dion' twice, a pun
        'Canine Dion' once; a longer name is left alone), so the speaker is 'Céline Dion',
        whom other articles name so too, not 'Dion'. In a title-case line every word looks
        like a name ('Derelict Obama'), so a headline's word counts only for a given name the
        text also writes before the surname elsewhere."""
        singles = {e.name[0].lower(): e for e in self.entities if e.kind == "person" and len(e.name) == 1}
        if not singles:
            return
        full = {e.name[-1].lower() for e in self.entities if e.kind == "person" and len(e.name) > 1}
        lower = self.doc.to_array(LOWER)
        givens: dict[str, Counter] = {}
        in_headlines: dict[str, Counter] = {}
        for i in numpy.flatnonzero(numpy.isin(lower, string_ids(singles))).tolist():
            tok, prev = self.doc[i], self.doc[i - 1] if i else None
            nxt = self.doc[i + 1] if i + 1 < len(self.doc) else None
            if prev is None or not tok.text[:1].isupper() or (nxt is not None and nxt.pos_ == "PROPN"):
                continue
            if prev.pos_ == "PROPN" and prev.is_alpha and prev.text[:1].isupper() and self._given_like(prev.text):
                counts = in_headlines if self._in_title_case_line(prev.idx) else givens
                counts.setdefault(tok.lower_, Counter())[prev.text] += 1
        for sur, names in givens.items():
            names.update({g: n for g, n in in_headlines.get(sur, {}).items() if g in names})
            (given, n), = names.most_common(1)
            if 2 * n > sum(names.values()) and sur not in full:
                singles[sur].name = (given, singles[sur].name[0])

    def _given_like(self, word: str) -> bool:
        low = word.lower()
        return not (self.names.is_role(word) or self.names.is_org_word(word) or self.r.is_place(word)
                    or low in self.r.honorifics or low in self.r.sentence_openers)

    def _untagged_mentions(self) -> None:
        """The small model leaves a name it tagged elsewhere untagged here and there ('in
        2010 Dion gave birth to twins Eddy and Nelson'): a lone proper noun that is the
        surname of exactly one person read so far is a mention of them, so that a pronoun or
        'the singer' after it finds them and not the person next to them. (The tagger makes
        some such names common nouns; those count except at a sentence start.)"""
        surnames = self._people_by_surname()
        wanted = string_ids(w for w, es in surnames.items() if len(es) == 1)
        lower = self.doc.to_array(LOWER)  # only tokens spelled like a surname are read as tokens
        for i in numpy.flatnonzero(numpy.isin(lower, wanted)).tolist():
            tok = self.doc[i]
            if (not (tok.pos_ == "PROPN" or (tok.pos_ == "NOUN" and not tok.is_sent_start))
                    or tok.ent_type_ or not tok.text[:1].isupper() or len(tok.text) < 2
                    or len(surnames.get(tok.lower_, ())) != 1 or self._in_mention(tok.idx)
                    or self.structure.in_byline(tok.idx)):
                continue
            if any(n.pos_ == "PROPN" for n in (tok.nbor(-1) if tok.i else None,
                                                 tok.nbor(1) if tok.i + 1 < len(self.doc) else None) if n):
                continue  # part of a longer name
            self._mention(tok.idx, tok.idx + len(tok), surnames[tok.lower_][0], self._role_of(tok))

    def _in_mention(self, char: int) -> bool:
        k = bisect.bisect_right(self._starts, char) - 1
        return k >= 0 and self.mentions[k].end > char

    def _person_in_org(self, ent) -> bool:
        """'German Chancellor Olaf Scholz' tagged ORG: a person when the phrase says so, or
        when the article tags the name PERSON elsewhere."""
        poss = [t.i for t in ent if t.lower_ in ("'s", "\u2019s", "'", "\u2019")]
        if poss:  # "NBC's Lester Holt": the outlet's person
            ent = ent.doc[poss[-1] + 1:ent.end]
            if not len(ent):
                return False
        if any(self.names.is_org_word(w) or self.names.is_acronym(w) for w in ent.text.split()):
            return False
        after_poss = ent.start > 1 and ent.doc[ent.start - 1].lower_ in ("'s", "\u2019s")
        left = ent.start if poss or after_poss else max(min(ent.root.left_edge.i, ent.start), ent.start - 8)
        found = self._headline_name(self.names.read(self.doc, left, ent.end - 1, prefer_last=True))
        if found is None or not (ent.start_char <= found.start and found.end <= ent.end_char):
            return False
        strong = (found.honorific_gender is not None
                  or (self._outlet_person(ent) and 1 < len(found.name) <= 3)
                  or self._named_person_elsewhere(found)
                  or (len(found.name) > 1 and self.r.gender_of_word(found.name[0]) is not None)
                  or any(self.names.is_role(w) or self._noun_gender(w)
                         for d in found.descriptors for w in d.split()))
        if not strong:
            return False
        e = self._add_person(found)
        self._mention(found.start, found.end, e, self._role_of(ent.root))
        return True

    def _outlet_person(self, ent) -> bool:
        """"NBC's Lester Holt", "Fox News' Chris Wallace": two or three capitalised words
        after an organisation's possessive are its person, whatever the tagger said."""
        doc = ent.doc
        if ent.start < 2 or doc[ent.start - 1].lower_ not in ("'s", "\u2019s", "'", "\u2019"):
            return False
        owner = doc[ent.start - 2]
        words = ent.text.split()
        return ((owner.ent_type_ in ORG_LABELS or self.names.is_acronym(owner.text))
                and 1 < len(words) <= 3 and all(w[:1].isupper() and w.isalpha() for w in words)
                and not any(self.names.is_org_word(w) for w in words))

    def _generic(self, text: str) -> bool:
        """'Bank', 'State': a bare common noun the tagger capitalised, not a name."""
        words = text.split()
        return len(words) == 1 and (words[0].lower() in self.r.org_words
                                    or words[0].lower() in self.r.org_nouns or not words[0][:1].isupper())

    def _owner_named(self, root: Token, found: NameInPhrase) -> bool:
        """'Pagliano's lawyer', 'a spokeswoman for Hillary Clinton': the name is whom the
        source belongs to, not the source ('his lawyer, Mark MacDougall,' names him)."""
        plural = root.tag_ == "NNS" or root.lower_ in GROUP_WORDS  # 'Clinton supporters',
        if root.pos_ not in ("NOUN", "NUM", "PRON") or root.ent_type_ not in ("", "CARDINAL") \
                or not (plural or root.lower_ in self.r.relational_nouns):
            return False  # ('Citizens for Tax Justice' is a name, not citizens)
        tok = self._token_at(found.start)
        for _ in range(8):
            if tok is None or tok.dep_ == "appos":
                return False
            if tok is root:
                return plural  # anywhere under 'several judges handling … lawsuits'
            if tok.dep_ == "poss" or (tok.dep_ == "pobj" and tok.head.lower_ in ("for", "of", "to", "about")):
                return True  # 'one of Mr. Obama's advisers', 'experts … about Mrs. Clinton's plan'
            tok = tok.head
        return False

    def _is_person(self, found: NameInPhrase, first: int, last: int) -> bool:
        """A name in a source is a person unless the tagger and the lexicon say otherwise."""
        if self._known_person(" ".join(found.name)):
            return True
        toks = [t for t in self.doc[first:last + 1] if found.start <= t.idx < found.end]
        labels = {t.ent_type_ for t in toks}
        if "PERSON" in labels or found.honorific_gender:
            return True
        if self.r.gender_of_word(found.name[0]) and len(found.name) > 1:
            return True
        after = toks[-1].i + 1 if toks else None
        if after is not None and after < len(self.doc) and self.names.is_org_word(self.doc[after].text):
            return False  # 'Congressional Budget' + 'Office'
        if self._named_person_elsewhere(found):
            return True
        if toks and toks[0].ent_iob_ == "I" and toks[0].ent_type_ in ORG_LABELS:
            return False  # the end of a longer organisation: 'Commission on Presidential Debates'
        if len(found.name) == 1 and self.names.is_org_word(found.name[0]):
            return False  # 'Convention', 'Committee': an organisation's last word
        if len(found.name) == 1 and toks and toks[-1].tag_ in ("NNS", "NNPS") and found.name[0].endswith("s"):
            return False  # 'Scholars', 'Latinos', a headline's 'Parents'
        if any(self.names.is_role(w) or w.lower() in self.r.person_nouns
               for d in found.descriptors for w in d.split()):
            return True  # 'Vann R. Newkirk II, a writer for The Atlantic,'
        if labels & (ORG_LABELS | PLACE_LABELS):
            return False
        return not any(self.names.is_org_word(w) for w in found.name)

    def _in_title_case_line(self, char: int) -> bool:
        """Read once per paragraph: a one-line page asks for every name on it."""
        if not self.structure.blocks:
            return False
        k = self.structure.paragraph_of(char)
        if k not in self._title_case:
            words = re.findall(r"[A-Za-z][\w'\u2019-]*", self.structure.blocks[k].text)
            self._title_case[k] = len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)
        return self._title_case[k]

    def _headline_name(self, found: NameInPhrase | None) -> NameInPhrase | None:
        """In a title-case line every word looks like a name ('Derelict Obama And Clinton
        …', 'Gold Star Mom Corners Obama', 'President Obama Speech at …'): keep the words
        the article names a person by elsewhere."""
        if found is None or len(found.name) < 2 or not self._in_title_case_line(found.start):
            return found
        block = self.structure.blocks[self.structure.paragraph_of(found.start)]
        body = self.text[:block.start] + self.text[block.end:]
        if re.search(r"\b" + re.escape(" ".join(found.name)) + r"\b", body):
            return found
        known = [w for w in found.name if w.lower() in self.r.male_names | self.r.female_names
                 or re.search(r"\b" + re.escape(w) + r"\b", body)]
        if len(known) == len(found.name) or not known:
            return found
        return replace(found, name=tuple(known))

    def _tagged_person_words(self) -> set[str]:
        """Full names the tagger gives as PERSON anywhere in the article, and their surnames.
        Sources are read before the rest of the text, and the small model tags the same name
        PERSON in one place and ORG in another ('Wells Fargo CEO John Stumpf' … 'Stumpf
        said'), so a source named like a person the article names elsewhere is that person."""
        out = set()
        for ent in self._ents:
            if ent.label_ != "PERSON" and not (ent.label_ == "ORG" and self._outlet_person(ent)):
                continue
            words = _without_possessive(ent.text).split()
            if len(words) > 1 and not any(self.names.is_org_word(w) for w in words):
                out.add(" ".join(words).lower())
                out.add(words[-1].lower())
        return out

    def _named_person_elsewhere(self, found: NameInPhrase) -> bool:
        """Tagged PERSON elsewhere in the article, as a full name or its surname."""
        return " ".join(found.name).lower() in self._person_words

    def _known_person(self, text: str) -> Entity | None:
        low = text.lower().split()
        if not low:
            return None
        for e in reversed(self.entities):
            if e.kind == "person" and ([w.lower() for w in e.name] == low
                                       or (len(low) == 1 and e.name[-1].lower() == low[0])):
                return e
        return None

    def _org_in(self, first: int, last: int, root: Token) -> tuple[Entity, int, int] | None:
        for ent in self._ents:
            cut = self._cut_short(ent, root)
            if (ent.start <= root.i < ent.end or cut) and ent.label_ in ORG_LABELS | PLACE_LABELS:
                words = ent.text.split()
                end_char = ent.end_char
                if cut:
                    words, end_char = words + [root.text], root.idx + len(root)
                if ent.end <= last and title_today(self.doc[ent.end]):
                    today = self.doc[ent.end]
                    words, end_char = words + [today.text], today.idx + len(today)
                if words and words[0].lower() == "the":
                    words = words[1:]
                if not words or self._generic(" ".join(words)):
                    return None
                if ent.label_ == "NORP":
                    return None
                kind = self.r.name_kind(words, ent.label_ not in PLACE_LABELS)
                e = self._add(kind, tuple(words), ent.start_char)
                if kind == "place":
                    e.country = self.r.country_alias.get(" ".join(words).lower())
                return e, ent.start_char, end_char
        return None

    def _cut_short(self, ent: Span, root: Token) -> bool:
        """'The California Independent System | Operator': the tagger ended an organisation's
        name just before the source's head, a capitalised word that names a body (not a
        title: 'White House | Doctor'; not in a title-case line, where every word is
        capitalised)."""
        return (ent.label_ == "ORG" and root.i == ent.end and root.pos_ == "PROPN"
                and root.text[:1].isupper() and self.names.is_org_word(root.text)
                and not self._in_title_case_line(root.idx))

    def _all_pronouns(self) -> set[str]:
        r = self.r
        return set(r.male_pronouns | r.female_pronouns | r.first_singular | r.first_plural
                   | r.plural_pronouns | r.relative_pronouns | {"it", "its"})

    # ================================================================ pass 2: in order
    def _resolve_in_order(self) -> None:
        """Pronoun and nominal sources, and subject pronouns, left to right."""
        jobs: list[tuple[int, int, object]] = []
        for st in self.statements:
            if st.id in self._by_statement or st.source is None or not st.source.spans:
                continue
            if self.structure.in_byline(st.source.start):
                continue
            jobs.append((st.source.start, 1 if "nested" in st.flags else 0, st))
        taken = {st.source.start for _, _, st in jobs}
        for tok in self.doc:
            subject = tok.dep_ in SUBJECT_DEPS
            if not (subject or tok.dep_ == "poss") or self.in_quote(tok.idx):
                continue  # 'the president's roots' names him as surely as 'the president said'
            if subject and tok.lower_ in self.r.male_pronouns | self.r.female_pronouns and tok.idx not in taken:
                jobs.append((tok.idx, 0, tok))
            elif (tok.pos_ in ("NOUN", "PROPN") and any(c.lower_ == "the" for c in tok.children)
                  and tok.lower_ in self.r.person_nouns and tok.left_edge.idx not in taken
                  and self._mention_entity(tok.idx) is None):
                jobs.append((tok.left_edge.idx, 0, ("nominal", tok)))
        jobs.sort(key=lambda j: (j[1], j[0]))
        for _, _, job in jobs:
            if isinstance(job, tuple):
                tok = job[1]
                res = self._nominal(list(self.doc[tok.left_edge.i:tok.i + 1]), tok.left_edge.idx)
                if res.entity is not None and res.via == "title":
                    self._mention(tok.left_edge.idx, tok.idx + len(tok), res.entity, "subj")
                continue
            if isinstance(job, Token):
                res = self._pronoun(job.idx, job.lower_)
                if res.entity is not None:
                    self._mention(job.idx, job.idx + len(job), res.entity, "subj")
                continue
            st: Statement = job
            rng = self._source_tokens(st)
            if rng is None:
                continue
            res = self._resolve_source(st, *rng)
            self._by_statement[st.id] = res
            if res.entity is not None:
                role = "nested" if "nested" in st.flags else "source"
                self._mention(st.source.start, st.source.end, res.entity, role)

    def _resolve_source(self, st: Statement, first: int, last: int) -> Resolution:
        root = self._source_root(first, last)
        toks = [t for t in self.doc[first:last + 1] if not t.is_punct]
        low = root.lower_
        pos = st.source.start
        if len(toks) == 1 or low in self._all_pronouns():
            if low in self.r.male_pronouns | self.r.female_pronouns:
                return self._pronoun(pos, low)
            if low in self.r.first_singular | self.r.first_plural:
                return self._first_person(st, low)
            if low in self.r.relative_pronouns:
                return self._relative(root)
            if low in ("it", "its"):
                return Resolution(self._last_body_quoted(pos), "pronoun")
            if low in self._all_pronouns():
                return Resolution(None)
            surnamed = self._only_person_surnamed(root)
            if surnamed is not None:
                return Resolution(surnamed, "name")
        return self._authored(root) or self._nominal(toks, pos)

    def _only_person_surnamed(self, tok: Token) -> Entity | None:
        """A source of one capitalised word that is the surname of exactly one person the
        article names: the small tagger makes some surnames common nouns or adverbs ('…, says
        Best.' after 'dietitian Trista Best'; 'Dion also made it clear')."""
        if not tok.text[:1].isupper() or len(tok.text) < 2:
            return None
        same = self._people_by_surname().get(tok.lower_, [])
        return same[0] if len(same) == 1 else None

    # ------------------------------------------------------------ pronouns
    def _pronoun(self, pos: int, word: str) -> Resolution:
        gender = self.r.gender_of_word(word)
        best = self._salient(pos, gender=gender, window=PRONOUN_WINDOW)
        if best is not None:
            best.set_gender(gender, 2)
        return Resolution(best, "pronoun")

    def _salient(self, pos: int, gender: str | None = None, window: int = PRONOUN_WINDOW,
                 kinds: tuple[str, ...] = ("person",), accept=None) -> Entity | None:
        """The most salient earlier entity: recent, a speaker or subject, compatible."""
        unit = self.unit_at(pos)
        k = bisect.bisect_left(self._starts, pos)
        best, best_score = None, None
        for m in reversed(self.mentions[:k]):
            d = unit - m.unit
            if d > window:
                break
            e = m.entity
            if e.kind not in kinds or m.in_quote or m.end > pos:
                continue
            if accept is not None and not accept(e):
                continue
            if gender and e.gender and e.gender != gender:
                continue
            score = (d + ROLE_PENALTY[m.role] + (0.3 if gender and not e.gender else 0.0)
                     + (0.5 if m.in_content else 0.0) + (0.5 if d == 0 and m.role == "other" else 0.0))
            if best_score is None or score < best_score:
                best, best_score = e, score
        return best

    def _last_body_quoted(self, pos: int) -> Entity | None:
        """'It said': the organisation (or country) that was last a source, within two
        sentences; a body only mentioned is more often what the statement is about."""
        unit = self.unit_at(pos)
        k = bisect.bisect_left(self._starts, pos)
        for m in reversed(self.mentions[:k]):
            if unit - m.unit > IT_WINDOW:
                break
            if m.role == "source" and m.entity.kind in ("org", "place") and not m.in_quote:
                return m.entity
        return None

    def _first_person(self, st: Statement, word: str) -> Resolution:
        """'I' / 'we' inside someone's quotation: that speaker (or their organisation)."""
        outer = self._enclosing(st)
        if outer is None:
            return Resolution(None)
        res = self._by_statement.get(outer.id)
        if res is None or res.entity is None:
            return Resolution(None)
        if word in self.r.first_plural:
            org = res.entity.organization
            if org:
                return Resolution(self._add("org", tuple(org.split()), st.source.start), "pronoun")
            return Resolution(None)
        return Resolution(res.entity, "pronoun")

    def _enclosing(self, st: Statement) -> Statement | None:
        s = st.cue.start
        best = None
        for o in self.statements:
            if o is st or "nested" in o.flags:
                continue
            if any(a <= s < b for a, b in o.content.spans):
                best = o
        return best

    def _relative(self, tok: Token) -> Resolution:
        """'who' / 'which' heading a relative clause: the noun the clause hangs on."""
        verb = tok.head
        noun = verb.head if verb.dep_ == "relcl" else None
        if noun is None or noun is verb:
            return Resolution(None)
        noun = self._named_noun(noun)
        for m in self.mentions:
            if m.start <= noun.idx < m.end:
                return Resolution(m.entity, "name")
        if noun.pos_ == "PROPN" and self._known_person(noun.text) is not None:
            return Resolution(self._known_person(noun.text), "name")
        toks = [t for t in noun.subtree if t.i <= noun.i]
        return self._nominal(toks, noun.idx)

    def _named_noun(self, noun: Token) -> Token:
        """The name a relative clause's noun stands for: 'Kaine is a former lawyer who',
        'Heather Samuelson, a campaign staffer who', 'his wife, Laura, who', 'Donna
        Rawlings, 59, of Ashton, Md., who'."""
        if noun.dep_ == "attr":
            return next((c for c in noun.head.children if c.dep_ in SUBJECT_DEPS), noun)
        if noun.dep_ == "appos" and noun.pos_ == "NOUN":
            return noun.head
        named = next((c for c in noun.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if noun.pos_ == "NOUN" and named is not None:
            return named
        if noun.ent_type_ in PLACE_LABELS and noun.dep_ == "pobj" and noun.head.lower_ == "of":
            return noun.head.head
        return noun

    # ------------------------------------------------------------ made things
    def _authored(self, root: Token) -> Resolution | None:
        """'a new Washington Post-ABC News poll', 'a report by X', 'his website', and a later
        'the poll': whoever issued the thing speaks through it. None when the source is not
        a made thing, so the nominal rules run."""
        group = self._group_of(root)
        if group is None:
            return None
        e = self._author_of(root)
        if e is None and any(c.lower_ in ("the", "this", "that", "its", "another") for c in root.children):
            e = self._earlier_author(root, group)
        if any(c.dep_ == "poss" and c.lower_ == "its" for c in root.children) and (e is None or e.kind == "person"):
            # 'Its statement': an organisation's, never the person whose statement came before
            e = self._salient(root.idx, kinds=("org",), window=IT_WINDOW)
        if e is None and self.unit_at(root.idx) == 0 and not any(c.dep_ == "det" for c in root.children):
            e = self._later_author(root, group)  # a headline's 'Poll: …', told in the text
        if e is None and not {root.lower_, root.lemma_.lower()} & self.r.artifact_nouns:
            return None
        return Resolution(e, "nominal")

    def _group_of(self, tok: Token) -> str | None:
        if tok.pos_ not in ("NOUN", "PROPN"):
            return None
        return self.r.authored_nouns.get(tok.lower_) or self.r.authored_nouns.get(tok.lemma_.lower())

    def _author_of(self, noun: Token) -> Entity | None:
        """Who the phrase itself says made it: a possessor, a name before the noun, 'by X'
        or 'from X', an organisation in 'of X', the outlet an article is 'in', 'released by
        X' / 'published in X'."""
        for c in noun.children:
            if c.dep_ == "poss" and c.lower_ in self.r.male_pronouns | self.r.female_pronouns:
                return self._pronoun(c.idx, c.lower_).entity
        e = self._named_in(noun.left_edge.idx, noun.idx)
        if e is not None:
            return e
        for c in noun.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from"):
                e = self._named_in(c.idx, c.right_edge.idx + len(c.right_edge))
            elif c.dep_ == "prep" and c.lower_ == "of":
                e = self._named_in(c.idx, c.right_edge.idx + len(c.right_edge), kinds=("org",))
            elif c.dep_ == "prep" and c.lower_ == "in" and self._group_of(noun) == "article":
                # 'an article in Healthline': the outlet that ran it
                e = self._named_in(c.idx, c.right_edge.idx + len(c.right_edge), kinds=("org",))
            elif c.dep_ in ("acl", "relcl"):
                e = next((x for t in c.children if t.dep_ in ("prep", "agent")
                          and t.lower_ in ("by", "in", "from")
                          for x in [self._named_in(t.idx, t.right_edge.idx + len(t.right_edge))]
                          if x is not None), None)
            if e is not None:
                return e
        return None

    def _earlier_author(self, noun: Token, group: str) -> Entity | None:
        """'the poll' after 'a Quinnipiac poll': the maker of the last such thing named."""
        unit = self._units[noun.i]
        for t in reversed(self.doc[max(0, noun.i - 3000):noun.i]):
            if unit - self._units[t.i] > NOMINAL_WINDOW:
                break
            if self._group_of(t) == group:
                e = self._author_of(t)
                if e is not None:
                    return e
        return None

    def _later_author(self, noun: Token, group: str) -> Entity | None:
        for t in self.doc[noun.i + 1:min(len(self.doc), noun.i + 400)]:
            if self.unit_at(t.idx) > 3:
                break
            if self._group_of(t) == group:
                e = self._author_of(t)
                if e is not None:
                    return e
        return None

    def _named_in(self, start: int, end: int, kinds: tuple[str, ...] = ("person", "org")) -> Entity | None:
        k = bisect.bisect_left(self._starts, start)
        while k < len(self.mentions) and self.mentions[k].start < end:
            m = self.mentions[k]
            if m.end <= end and m.entity.kind in kinds and not m.in_quote:
                return m.entity
            k += 1
        return None

    # ------------------------------------------------------------ nominals
    def _nominal(self, toks: list[Token], pos: int) -> Resolution:
        words = [t for t in toks if t.lower_ not in DETERMINERS and not t.is_punct
                 and t.lower_ not in ("'s", "\u2019s")]
        if not words:
            return Resolution(None)
        lows = [t.lower_ for t in words]
        cut = next((i for i, w in enumerate(lows) if w in HEAD_ENDS and i > 0), len(lows))
        head = words[cut - 1].lemma_.lower() if cut > 0 else lows[-1]
        head_text = lows[cut - 1] if cut > 0 else lows[-1]
        if head in self.r.artifact_nouns or head_text in self.r.artifact_nouns:
            return Resolution(None)
        country = None
        core = []
        former = False
        for w in lows:
            if w in self.r.country_alias and w != head_text:
                country = self.r.country_alias[w]
                continue
            if w in self.r.descriptor_prefixes:
                former = True
            core.append(w)
        phrase = " ".join(core)
        written = " ".join(self.text[words[0].idx:toks[-1].idx + len(toks[-1])].split())
        conflicts = self._conflicts(words[:cut], head_text, pos)

        def role_match(e: Entity) -> bool:
            desc = " ".join(e.descriptors).lower() + " " + " ".join(sorted(e.titles))
            if conflicts(e):
                return False
            if former and not any(p in desc for p in self.r.descriptor_prefixes):
                return False
            if country and e.country and e.country != country:
                return False
            keys = [phrase.replace("former ", "").strip()]
            keys += list(self.r.role_synonyms.get(keys[0], ()))
            keys += list(self.r.role_synonyms.get(head_text, ()))
            if head_text in self.r.title_abbreviations.values() or conflicts.owners:
                keys.append(head_text)  # 'his lawyer': whoever the article calls a lawyer
            return any(k and re.search(r"\b" + re.escape(k) + r"\b", desc) for k in keys)

        if head_text not in self.r.org_nouns or head_text in self.r.person_nouns:
            e = self._salient(pos, window=NOMINAL_WINDOW, accept=role_match)
            if e is None and self._introduces(toks, conflicts):
                gender = self._noun_gender(head_text)
                e = self._named_after(pos, lambda x: role_match(x) or (
                    conflicts.related(x) and not (gender and x.gender and x.gender != gender)),
                    conflicts, lead=head_text in self.r.person_nouns)
            if e is not None:
                if len(core) > 1 and not self.names.is_role(written.split()[-1]):
                    e.add_descriptor(written)
                return Resolution(e, "title")
        kind = self.r.org_nouns.get(head_text)
        if kind in ("place", "org") and cut < len(words):
            e = self._named_in(words[cut].idx, toks[-1].idx + len(toks[-1]),
                               kinds=("place",) if kind == "place" else ("org", "place"))
            if e is not None:  # 'the city of Phoenix', 'the government of Mexico'
                return Resolution(e, "nominal")
        if kind == "campaign":
            return self._campaign(pos)
        if kind == "place":
            return Resolution(self._place_nominal(pos, head_text), "nominal")
        if kind in ("org", "media"):
            return Resolution(self._org_nominal(pos, head_text, kind), "nominal")
        gender = self._noun_gender(head_text)
        if (head_text in self.r.relational_nouns and conflicts.owners) or self._new_referent(toks, words[cut - 1]):
            # 'his lawyer', 'a doctor', 'several judges': someone no earlier description named
            return Resolution(None)
        if head_text in self.r.person_nouns or gender:
            e = self._salient(pos, gender=gender, window=GENERIC_WINDOW, accept=lambda x: not conflicts(x))
            if e is not None and len(core) > 1:
                e.add_descriptor(written)
            elif e is not None and core and not gender and toks[0].lower_ in DEFINITE:
                e.add_descriptor(core[0])  # later, 'the star' is whom the article called the star
            return Resolution(e, "nominal")
        return Resolution(None)

    def _place_nominal(self, pos: int, head: str) -> Entity | None:
        """'the city' → the last city named; 'the country' → the last country; 'the state'."""
        if head == "city":
            e = self._salient(pos, window=GENERIC_WINDOW * 3, kinds=("place",),
                              accept=lambda x: x.text.lower() in self.r.cities)
            if e is not None:
                return e
        want_country = head in ("country", "nation", "kingdom", "republic")
        return self._salient(pos, window=GENERIC_WINDOW, kinds=("place",),
                             accept=lambda e: (e.text.lower() in self.r.country_alias) == want_country
                             or head == "state")

    def _introduces(self, toks: list[Token], conflicts: "_Conflicts") -> bool:
        """'A New York judge', 'his attorney', a headline's 'Former DNC chairman': a person
        the text is about to name, not one it named before."""
        first = toks[0]
        return (first.lower_ in INDEFINITE or bool(conflicts.owners)
                or (first.lower_ not in DETERMINERS and self.unit_at(first.idx) == 0))

    def _new_referent(self, toks: list[Token], head: Token) -> bool:
        """An indefinite or plural description ('a spokesman', 'one official', 'voters')
        brings in someone new: never the most salient person."""
        return head.tag_ in ("NNS", "NNPS") or toks[0].lower_ in INDEFINITE or toks[0].like_num

    def _named_after(self, pos: int, accept, conflicts: "_Conflicts", lead: bool) -> Entity | None:
        """The person named next (within two sentences) whom the description fits; in the
        lead, the next person quoted even without a description (delayed identification:
        'A former DNC chairman is calling … Don Fowler said')."""
        unit = self.unit_at(pos)
        k = bisect.bisect_right(self._starts, pos)
        fallback = None
        for m in self.mentions[k:]:
            if m.unit - unit > 2:
                break
            if m.entity.kind != "person" or m.in_quote:
                continue
            if accept(m.entity):
                return m.entity
            if fallback is None and lead and unit <= 2 and m.role == "source" and not conflicts(m.entity):
                fallback = m.entity
        return fallback

    def _conflicts(self, words: list[Token], head: str, pos: int) -> "_Conflicts":
        """What a description rules out: another party ('the Democratic nominee' is not a
        Republican), another place or body for the same role ('the Indiana governor' is not
        the New Mexico one), and, for 'his lawyer' or 'a spokeswoman for Clinton', the
        person it is related to."""
        party = next((self.r.parties[t.lower_] for t in words if t.lower_ in self.r.parties), None)
        places = [t.lower_ for t in words if t.pos_ == "PROPN" and t.lower_ != head
                  and t.lower_ not in self.r.parties and t.lower_ not in self.r.role_words
                  and t.lower_ not in self.r.country_alias]
        owners: set[int] = set()
        if head in self.r.relational_nouns:
            for t in words:
                if t.dep_ == "poss" and t.lower_ in self.r.male_pronouns | self.r.female_pronouns:
                    e = self._pronoun(t.idx, t.lower_).entity
                elif t.dep_ == "poss" or t.i > words[-1].i:
                    e = self._named_in(t.left_edge.idx, t.idx + len(t))
                else:
                    e = None
                if e is not None:
                    owners.add(e.key)
            tail = words[-1].doc[words[-1].i + 1:words[-1].right_edge.i + 1]
            if len(tail) and tail[0].lower_ in ("for", "of", "to"):
                e = self._named_in(tail[0].idx, tail[-1].idx + len(tail[-1]))
                if e is not None:
                    owners.add(e.key)
        names = tuple(e.name[-1].lower() for e in self.entities if e.key in owners)
        return _Conflicts(self.r.parties, party, places, head, frozenset(owners), names)

    def _org_nominal(self, pos: int, noun: str, kind: str) -> Entity | None:
        keys = self.r.org_noun_synonyms.get(noun, (noun,))

        def named_like(e: Entity) -> bool:
            t = " " + e.text.lower() + " "
            return any(" " + k + " " in t for k in keys)

        def media(e: Entity) -> bool:
            t = e.text.lower()
            return any(w in t.split() or (" " in w and w in t) for w in self.r.media_words)

        e = self._salient(pos, window=NOMINAL_WINDOW, kinds=("org",), accept=named_like)
        if e is None and kind == "media":
            e = self._salient(pos, window=NOMINAL_WINDOW, kinds=("org",), accept=media)

        return e

    def _campaign(self, pos: int) -> Resolution:
        """'the campaign' → the campaign of the nearest person written with one, else the most salient."""
        k = self._token_at(pos)
        person = None
        if k is not None:
            for t in reversed(self.doc[max(0, k.i - 400):k.i]):
                if t.lower_ == "campaign":
                    for c in t.children:
                        if c.dep_ in ("poss", "compound"):
                            person = self._known_person(c.text) or (
                                self._mention_entity(c.idx) if self._mention_entity(c.idx) else None)
                    if person is not None:
                        break
        if person is None:
            person = self._salient(pos, window=GENERIC_WINDOW)
        if person is None:
            return Resolution(None)
        name = (person.name[-1], "campaign") if person.kind == "person" else person.name + ("campaign",)
        org = self._add("org", name, pos)
        return Resolution(org, "nominal")

    def _mention_entity(self, char: int) -> Entity | None:
        k = bisect.bisect_right(self._starts, char) - 1
        if k >= 0 and self.mentions[k].start <= char < self.mentions[k].end:
            return self.mentions[k].entity
        return None

    # ================================================================ pass 3: speakers
    def speaker(self, st: Statement) -> Speaker | None:
        res = self._by_statement.get(st.id)
        if res is None or res.entity is None:
            return None
        e = res.entity
        full = self._spelled_out().get(e.key) if e.kind == "org" else None
        return to_speaker(replace(e, name=full.name) if full is not None else e, res.via)

    def _spelled_out(self) -> dict[int, Entity]:
        """Organisations the article also names in full ('The IMF' and 'the International
        Monetary Fund', 'California ISO' and 'The California Independent System Operator'):
        the speaker is the full name, as other articles may write it."""
        if self._full_names is None:
            orgs = [e for e in self.entities if e.kind == "org"]
            self._full_names = {}
            for short in orgs:
                if not any(self.names.is_acronym(w) for w in short.name):
                    continue
                longer = [e for e in orgs if e is not short and _abbreviates(short.name, e.name)]
                if len(longer) == 1:
                    self._full_names[short.key] = longer[0]
        return self._full_names

    def entity_of_token(self, tok: Token) -> Entity | None:
        """The entity a subject token (name or pronoun) denotes, for context sentences."""
        e = self._mention_entity(tok.idx)
        if e is not None:
            return e
        if tok.lower_ in self.r.male_pronouns | self.r.female_pronouns:
            return self._pronoun(tok.idx, tok.lower_).entity
        return None

    def entity_named(self, tok: Token) -> Entity | None:
        return self._mention_entity(tok.idx)


@dataclass(frozen=True)
class _Conflicts:
    """Whether an entity is ruled out by a description (``ArticleCoref._conflicts``)."""

    parties: dict[str, str]
    party: str | None
    places: list[str]
    head: str
    owners: frozenset[int]
    owner_names: tuple[str, ...] = ()  # the owners' surnames: 'Clinton communications director'

    def related(self, e: Entity) -> bool:
        """Described as the owner's: 'a spokeswoman for Clinton' … 'Clinton aide X'."""
        desc = " ".join(e.descriptors + [e.organization or ""]).lower()
        return any(re.search(r"\b" + re.escape(n) + r"\b", desc) for n in self.owner_names)

    def __call__(self, e: Entity) -> bool:
        if e.key in self.owners:
            return True
        desc = " ".join(e.descriptors + [e.organization or ""]).lower()
        if self.party:
            theirs = {p for w, p in self.parties.items() if re.search(r"\b" + w + r"\b", desc)}
            if theirs and self.party not in theirs:
                return True
        if self.places and re.search(r"\b" + re.escape(self.head) + r"\b", desc):
            return not all(re.search(r"\b" + re.escape(w) + r"\b", desc) for w in self.places)
        return False


def _without_possessive(text: str) -> str:
    """'Trump's' and 'Gates'' as the name they are the possessive of."""
    return text.rstrip("'\u2019").removesuffix("'s").removesuffix("\u2019s")


def to_speaker(e: Entity, via: str) -> Speaker:
    name = e.text
    if e.kind == "person":
        return Speaker(name=name, id=slug(name), descriptors=tuple(e.descriptors),
                       organization=e.organization, country=e.country, resolved_via=via, kind="person")
    if e.kind == "place":
        return Speaker(name=name, id=slug(name), country=e.country or name, resolved_via=via, kind="place")
    return Speaker(name=name, id=slug(name), organization=name, country=e.country, resolved_via=via,
                   kind="organization")


NAME_FILLERS = frozenset({"of", "the", "and", "for", "&", "on", "in"})


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """'IMF' for 'International Monetary Fund', 'California ISO' for 'California Independent
    System Operator': each word of the short name is the next word of the full one, or an
    acronym of the initials of as many next words (small words skipped)."""
    words = [w for w in full if w.lower() not in NAME_FILLERS]
    k = 0
    for w in short:
        if k < len(words) and w.lower() == words[k].lower():
            k += 1
            continue
        letters = w.rstrip(".").replace(".", "")
        if len(letters) < 2 or not letters.isupper() or k + len(letters) > len(words):
            return False
        if any(words[k + j][:1].upper() != c for j, c in enumerate(letters)):
            return False
        k += len(letters)
    return k == len(words) and len(short) < len(full)


def _first_names_agree(a: str, b: str) -> bool:
    a, b = a.rstrip("."), b.rstrip(".")
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def resolve_speakers(doc: Doc, statements: tuple[Statement, ...], structure: Structure,
                     rules: Rules | None = None) -> tuple[tuple[Statement, ...], ArticleCoref]:
    """Statements with ``speaker`` filled, and the coreference state for context rules."""
    coref = ArticleCoref(doc, statements, structure, rules)
    return tuple(st.with_(speaker=coref.speaker(st)) for st in statements), coref
