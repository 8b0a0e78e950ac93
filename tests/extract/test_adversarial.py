"""The whole pipeline (parse, extract, resolve) against hostile text: quote marks of every
kind, unbalanced and nested; zero-width, control and bidi characters; right-to-left and
mixed scripts; HTML fragments; run-on sentences; megabyte articles. Nothing may raise,
every span must index the text, and the time per KB must stay within a bound of plain
news text measured in the same test (CPU time, so that other jobs on the machine do not
count). Quick checks run always; the long ones are marked ``slow``."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sayso.pipeline import Document, DocumentError, analyse, analyse_many
from tests.extract.test_offsets import assert_offsets_valid

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.txt"))

QUOTES = ['"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e", "\u201f",
          "\u2039", "\u203a", "\u2033", "\uff02", "''", "``", "\u300c", "\u300d", "\u300e", "\u300f",
          "\u2014", ":", "\u2015 "]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u0301"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\r", "\t", "\u2028", "\u2029"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u200e"]
SCRIPTS = ["قال الوزير", "سنفوز", "אמר השר", "他说", "我们会赢", "Он сказал", "«Мы победим»", "Ελλάδα",
           "नमस्ते", "😀", "👨‍👩‍👧", "Ünïcödé", "\ud800", "\udfff"]  # lone surrogates too (JSON can carry them)
HTML = ["<p>", "</p>", "<div class=\"x\">", "</div>", "<script>alert(\"x\")</script>", "&quot;", "&amp;",
        "<a href='javascript:alert(1)'>", "</a>", "<br/>", "<!--", "-->", "<![CDATA[", "]]>"]
WORDS = ["he", "said", "that", "the", "minister", "Anna", "Berg", "told", "reporters", "according", "to",
         "we", "will", "win", ",", ".", "\n", "\n\n", "said:", "added", "Mr.", "Gov.", "she", "stated"]
PIECES = QUOTES + INVISIBLE + CONTROL + BIDI + SCRIPTS + HTML + WORDS

adversarial = st.lists(st.sampled_from(PIECES), max_size=120).map(
    lambda ps: "".join(p + (" " if i % 3 else "") for i, p in enumerate(ps)))


def check(text: str, nlp) -> None:
    if any("\ud800" <= ch <= "\udfff" for ch in text):  # not Unicode text: refused, clearly
        with pytest.raises(DocumentError, match="unpaired surrogate"):
            analyse(Document(text), nlp)
        return
    article = analyse(Document(text), nlp)
    assert_offsets_valid(text, article.statements)


@pytest.fixture(scope="module", params=["rules", "fast"])
def tier(request):
    return request.getfixturevalue("nlp" if request.param == "rules" else "nlp_fast")


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=adversarial)
def test_adversarial_text_never_raises_and_offsets_hold(tier, text):
    check(text, tier)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(adversarial, min_size=1, max_size=8).map("\n\n".join))
def test_adversarial_text_long_run(tier, text):
    check(text, tier)


# ---------------------------------------------------------------- hostile documents
def plain(size: int) -> str:
    """Real news text (the examples), repeated up to ``size`` characters."""
    text = "\n\n".join(p.read_text("utf-8") for p in EXAMPLES)
    return (text * (size // len(text) + 1))[:size]


def hostile(kind: str, size: int) -> str:
    rnd = random.Random(kind)
    if kind == "nested quotes":
        unit = ("\u201c" * 40 + " he said " + "\u201d" * 40 + " "
                + " ".join(['"a \u00abb \u2018c \u201ed\u201f e\u2019 f\u00bb g" she said'] * 20) + " ")
    elif kind == "unbalanced quotes":
        unit = " ".join(rnd.choice(['"He said', "that", "\u00abit", "was\u00bb", "\u201cfine", "\u201eok",
                                    "she said:", "\u2018no", '"', "\u00ab"]) for _ in range(400))
    elif kind == "run-on sentence":  # no full stop at all
        unit = " ".join(rnd.choice(["he", "said", "that", "the", "minister", "told", "\u201cwe", "will\u201d",
                                    "and", ","]) for _ in range(400)) + " "
    elif kind == "invisible and control":
        unit = "".join(rnd.choice(INVISIBLE + CONTROL + BIDI + [" said ", '"', " the mayor "]) for _ in range(600))
    elif kind == "mixed scripts":
        unit = ('\u0642\u0627\u0644 "\u0633\u0646\u0641\u0648\u0632" \u4ed6\u8bf4\uff1a\u201c\u6211\u4eec\u4f1a\u8d62\u3002\u201d '
                "\u041e\u043d \u0441\u043a\u0430\u0437\u0430\u043b: \u00ab\u041c\u044b \u043f\u043e\u0431\u0435\u0434\u0438\u043c\u00bb. "
                "\u202eevil\u202c \"We will win,\" she said. ")
    elif kind == "html":
        unit = '<div class="x"><p>"We will win," <b>she</b> said.</p><script>alert("x")</script>&quot;ok&quot;</div>\n'
    else:
        raise ValueError(kind)
    return (unit * (size // len(unit) + 1))[:size]


KINDS = ["nested quotes", "unbalanced quotes", "run-on sentence", "invisible and control", "mixed scripts", "html"]


def cpu_seconds(text: str, nlp) -> float:
    t0 = time.process_time()
    check(text, nlp)
    return time.process_time() - t0


K = 10  # an adversarial KB may cost this many plain KB (measured: at most about 5)


@pytest.fixture(scope="module")
def baseline(tier) -> float:
    cpu_seconds(plain(2000), tier)  # warm up
    return cpu_seconds(plain(10_000), tier)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_documents_cost_at_most_k_times_plain_text(tier, baseline, kind):
    text = hostile(kind, 10_000)
    spent = cpu_seconds(text, tier)
    print(f"{tier.get_pipe('sayso').accuracy} {kind}: {spent / baseline:.1f}x plain text per KB")
    assert spent <= K * baseline + 0.5, f"{kind}: {spent:.2f} s CPU for 10 KB, plain text {baseline:.2f} s"


@pytest.mark.slow
def test_time_per_kb_does_not_grow_with_the_document(nlp):
    """Six times the text may cost at most about six times as much (a quadratic step would
    cost 36 times): all hostile kinds at 12 KB, then at 72 KB."""
    small = "\n\n".join(hostile(k, 2_000) for k in KINDS)
    large = "\n\n".join(hostile(k, 12_000) for k in KINDS)
    cpu_seconds(small, nlp)  # warm up
    t_small, t_large = cpu_seconds(small, nlp), cpu_seconds(large, nlp)
    per_kb_small, per_kb_large = t_small / len(small), t_large / len(large)
    print(f"hostile mix: {1e6 * per_kb_small:.0f} ms/KB at 12 KB, {1e6 * per_kb_large:.0f} ms/KB at 72 KB")
    assert per_kb_large <= 2.5 * per_kb_small, (t_small, t_large)


@pytest.mark.slow
def test_a_megabyte_article_is_analysed_in_pieces_with_true_offsets(nlp):
    """Over the piece size (``$SAYSO_MAX_CHARS``) a document is cut at paragraph breaks,
    analysed piece by piece and comes back as one article, spans into the whole text."""
    news = plain(3_000)
    filler = ("x" * 5_000 + "\u200b" + "\u202e" + "y" * 5_000 + " ") * 10  # cheap to parse, 100 KB
    paragraphs = [news] + [filler + "\n\n" + news for _ in range(11)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 1_000_000
    from sayso.budget import unlimited  # the pieces are the subject here, not the time limit

    (article,) = analyse_many([Document(text, id="big")], nlp, budget=unlimited())
    assert article.id == "big"
    assert_offsets_valid(text, article.statements)
    starts = [s.cue.spans[0][0] for s in article.statements]
    assert min(starts) < 3_000 and max(starts) > 1_000_000  # both sides of the cut
