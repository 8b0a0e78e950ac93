"""Which language an article is written in: text -> ISO 639-1 code.

sayso reads English only; an article in another language must be recognised before spaCy
sees it, or its pronouns and capitalised words come back as speakers ("Ich", "Zyniker").
The detector is py3langid (langid.py's model, shipped inside the wheel: nothing is ever
downloaded). Refusing an English article costs more than reading a foreign one, so the rule
leans to English: a text is called non-English only when it has enough letters to judge and
the detector is confident; headlines, tables of numbers and code stay "en".
"""
from __future__ import annotations

from functools import lru_cache

# The languages sayso has a lexicon for (src/sayso/data/*_en.json) and so can analyse.
READ_LANGUAGES = frozenset({"en"})
DEFAULT = "en"

# A bounded sample keeps the cost of a megabyte page the same as a short one's: a few
# windows spread over the document, so a foreign quotation at the top decides nothing alone.
SAMPLE_CHARS = 3000
WINDOWS = 3
# Below this many letters a text says too little to refuse it as foreign. With these two
# thresholds no English article or PolNeAR sentence is refused (bench/languages.py).
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier():
    """Loaded once per process (under a second), and only when a text is first judged.
    Restricted to two-letter labels so every verdict is an ISO 639-1 code: the model's
    three-letter varieties (Nigerian Pidgin, Egyptian Arabic...) fold into their neighbours
    and 'zxx' (no language) cannot win."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages([code for code in ident.labels if len(code) == 2])
    return ident


def sample(text: str, size: int = SAMPLE_CHARS, windows: int = WINDOWS) -> str:
    """At most ``size`` characters: the whole text when short, else ``windows`` slices
    evenly spread from start to end."""
    if len(text) <= size:
        return text
    width = size // windows
    step = (len(text) - width) / (windows - 1)
    return "\n".join(text[int(i * step):int(i * step) + width] for i in range(windows))


def detect(text: str) -> str:
    """The article's ISO 639-1 code; "en" whenever the evidence for another is thin."""
    piece = sample(text)
    if sum(ch.isalpha() for ch in piece) < MIN_LETTERS:
        return DEFAULT
    code, confidence = _identifier().classify(piece)
    if code != DEFAULT and confidence >= MIN_CONFIDENCE:
        return code
    return DEFAULT


def is_read(code: str) -> bool:
    """Whether sayso can analyse text in this language."""
    return code in READ_LANGUAGES


def skip_reason(code: str) -> str:
    """What an article sayso does not analyse says about itself (``Article.skipped``)."""
    return f"not English ({code}): sayso reads English only"
