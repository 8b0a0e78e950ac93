"""One digest line per statement, assembled only from stored fields by fixed templates.

    [date phrase, ]SPEAKER CUE CONTENT.              (paraphrase, mixed quote)
    [date phrase, ]SPEAKER CUE: "CONTENT"            (direct quote)
    [date phrase, ]according to SPEAKER, CONTENT.    (cues such as 'according to')

SPEAKER is the speaker's name, with a role the article gave (a descriptor) the first time
the digest names them: before the name when it is a title ('NATO Secretary General Jens
Stoltenberg'), after it otherwise ('Maria Zakharova, official representative of the
Russian Foreign Ministry,'). CUE and CONTENT are the stored text; the only changes are
white space, a cue's trailing preposition that belonged to a channel ('said in his
[Telegram channel]'), the quote's closing comma made a full stop, and capitals at the
start of the sentence. No word is added that the archive does not hold, apart from the
templates' 'On', 'In', 'As reported on' and 'according to' (also standing
for cues of the same sense, such as 'in his opinion').
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from sayso.digest import dates
from sayso.digest.vocab import Vocab, load_vocab
from sayso.records import Speaker

MAX_CONTENT = 600
QUOTES = "\"“”„«»'‘’"
OPEN_QUOTES = "\"“„«'‘"


@dataclass(frozen=True)
class Line:
    text: str            # the sentence
    when: str | None     # its date phrase ("On 15 February"), if any
    speaker: str         # who, as shown
    cue: str
    content: str         # the content as shown (stored text, white space normalised)


def squash(text: str) -> str:
    return " ".join((text or "").split())


def usable_descriptor(d: str, name: str, v: Vocab) -> bool:
    """A role worth printing: short, a title word in it, not a clause the resolver caught."""
    words = d.split()
    if not 1 <= len(words) <= 10 or "--" in d or any(ch in d for ch in QUOTES + "()[]"):
        return False
    if not d[0].isalpha() or words[-1].lower() in v.descriptor_enders:
        return False
    if d.lower() in v.places or d.lower() == name.lower():
        return False
    if len(words) == 1 and not d[0].isupper():
        return False
    if d[0].islower() and words[-1].endswith("."):  # 'panel Chairman Rep.': a title cut from its name
        return False
    return any(w.lower().strip(",.") in v.title_words or w.lower() in v.title_words for w in words)


def descriptor(record: Speaker | None, row_descriptors: Sequence[str] | None, name: str, v: Vocab) -> str | None:
    """The first printable role of the article's speaker record, else of the archive's."""
    for src in ((record.descriptors if record else None) or (), row_descriptors or ()):
        for d in src:
            if isinstance(d, str) and usable_descriptor(d.strip(), name, v):
                return d.strip()
    return None


def speaker_phrase(name: str, role: str | None) -> str:
    if not role:
        return name
    if role[0].isupper():
        return f"{role} {name}"
    return f"{name}, {role},"


def clean_cue(cue: str, v: Vocab) -> str:
    c = squash(cue)
    low = c.lower()
    for t in v.cue_trailers:
        if low.endswith(" " + t) and len(low) > len(t) + 1:
            c = c[: -len(t) - 1].rstrip()
            break
    if c and c[0].isupper() and not c[:2].isupper():
        c = c[0].lower() + c[1:]
    return c


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _uncap(s: str, v: Vocab) -> str:
    """'The escalation …' → 'the escalation …' inside a sentence (only for function words,
    never for a name)."""
    first = s.split(" ", 1)[0]
    return s[:1].lower() + s[1:] if first.lower() in v.stopwords and first[:1].isupper() else s


def _shorten(text: str) -> str:
    if len(text) <= MAX_CONTENT:
        return text
    cut = text[: MAX_CONTENT - 1]
    return cut[: cut.rfind(" ")].rstrip(",;: ") + "…" if " " in cut else cut + "…"


def _close(text: str) -> str:
    """End a sentence: a closing ',' inside a quote becomes '.', a missing full stop is added."""
    t = text.rstrip()
    if len(t) >= 2 and t[-1] in QUOTES and t[-2] in ",;:":
        return t[:-2] + "." + t[-1]
    if t.endswith("…") or re.search(r"[.!?][" + re.escape(QUOTES) + r"]?$", t):
        return t
    return t.rstrip(",;:– -") + "."


def make_line(*, kind: str, cue: str, content: str, speaker: str, date: str | None,
              published: str | None, vocab: Vocab | None = None) -> Line:
    v = vocab or load_vocab()
    when = dates.when(date, published)
    body = _shorten(squash(content))
    c = clean_cue(cue, v)
    if not body:  # a statement whose content the source text lost (flagged truncated)
        core = f"{speaker} {c} … {v.lost_content}" if re.search(r"\w", c) else f"{speaker}: … {v.lost_content}"
        text = f"{when}, {_uncap(core, v)}" if when else _cap(core)
        return Line(text=text, when=when, speaker=speaker, cue=c, content="")
    quoted = kind == "direct"
    if quoted and body and body[0] not in OPEN_QUOTES:
        body = f"“{_close(body)}”"
    if c.lower() in v.according_cues:  # 'according to', 'in his opinion': the same template
        also = "also " if c.lower().startswith("also ") else ""
        core = f"{also}according to {speaker}, {_close(_uncap(body, v))}"
    elif not re.search(r"\w", c):  # a colon or a dash
        core = f"{speaker}: {_close(body)}"
    elif quoted:
        core = f"{speaker} {c}: {_close(body)}"
    else:
        core = f"{speaker} {c} {_close(_uncap(body, v))}"
    text = f"{when}, {_uncap(core, v)}" if when else _cap(core)
    return Line(text=text, when=when, speaker=speaker, cue=c, content=body)
