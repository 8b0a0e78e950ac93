"""The trained fast tier: the shipped model loads offline and finds who said what, with exact
offsets; the training entry point runs end to end on a tiny slice (CI never trains for real)."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sayso.extract.model import LABELS, default_model_path
from tests.conftest import SHARED
from tests.resolve.helpers import find
from tests.extract.test_offsets import EXAMPLES, MARKS, SEED, WORDS, assert_offsets_valid

TRAIN = SHARED / "data" / "polnear" / "train.jsonl"
DEV = SHARED / "data" / "polnear" / "dev.jsonl"


@pytest.fixture(scope="module")
def fast_extract(nlp_fast):
    return lambda text: list(nlp_fast(text)._.statements)


def parts(s):
    return s.cue.text, s.source.text if s.source else None, s.content.text


def built(text, cue, *contents, kind="indirect"):
    """A statement on ``text`` with the given cue and content spans (first occurrences), for
    the content trims that run after the linker."""
    from sayso.records import Part, Statement

    return Statement(id="s1", kind=kind, cue=Part.from_spans(text, [find(text, cue)]),
                     content=Part.from_spans(text, [find(text, c) for c in contents]))


def test_shipped_model_is_in_the_package_and_compact():
    path = default_model_path()
    assert (path / "config.cfg").is_file()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 30 * 2**20


def test_component_is_selected_by_accuracy(nlp_fast):
    assert nlp_fast.get_pipe("sayso").accuracy == "fast"


@pytest.mark.parametrize("text, cue, source, content", [
    ('"The road opens on Monday," the mayor said.', "said", "the mayor", '"The road opens on Monday,"'),
    ("The senator said that taxes would rise next year.", "said", "The senator",
     "that taxes would rise next year"),
    ("According to the report, unemployment fell sharply in March.", "According to", "the report",
     "unemployment fell sharply in March"),
    ("Mayor Anna Kowalski told reporters on Tuesday that the bridge would be rebuilt by winter.",
     "told", "Mayor Anna Kowalski", "that the bridge would be rebuilt by winter"),
])
def test_finds_who_said_what(fast_extract, text, cue, source, content):
    found = [parts(s) for s in fast_extract(text) if "nested" not in s.flags]
    assert found, text
    got_cue, got_source, got_content = found[0]
    assert cue in got_cue
    assert got_source == source
    assert got_content.rstrip(".,") == content.rstrip(".,")


@pytest.mark.parametrize("text, content", [
    ("The mayor said that the city would close the old bridge, which was built in 1920.",
     "that the city would close the old bridge"),
    ('"We will close the old bridge, which was built in 1920," the mayor said.',
     '"We will close the old bridge, which was built in 1920,"'),
    # a clause of time or place is part of the account, not an aside
    ("The consultant said the first alert began at 6 p.m., when the operating reserves stood at 12 percent.",
     "the first alert began at 6 p.m., when the operating reserves stood at 12 percent"),
])
def test_a_trailing_aside_is_cut_from_reported_speech_but_not_from_a_quote(fast_extract, text, content):
    (s,) = [s for s in fast_extract(text) if "nested" not in s.flags]
    assert s.content.text == content


def test_a_clause_coordinated_after_the_content_stays_and_the_full_stop_goes(fast_extract):
    """PolNeAR's annotators, like ours, keep ', and …' in what was said; the sentence's full
    stop is never content."""
    text = ("Police said the teenage driver was killed, and paramedics rushed the passenger to "
            "HCA Florida Kendall Hospital in critical condition.")
    (s,) = [s for s in fast_extract(text) if "nested" not in s.flags]
    assert s.content.text == text[len("Police said "):-1]


@pytest.mark.parametrize("text, content", [
    ("The human brain is an amazing organ. It is responsible for the function of bodily systems "
     "and regulates our breathing, heartbeat, and consciousness, as noted by Live Science.",
     "It is responsible for the function of bodily systems and regulates our breathing, heartbeat, "
     "and consciousness"),
    ("Scott is one of at least 707 people shot and killed by police so far this year and the fourth "
     "person shot and killed by a police officer, according to a Washington Post database.",
     "Scott is one of at least 707 people shot and killed by police so far this year and the fourth "
     "person shot and killed by a police officer"),
])
def test_an_attribution_after_coordinated_content_takes_every_conjunct(fast_extract, text, content):
    """The parse hangs 'according to' from the last conjunct; the content is the whole clause."""
    (s,) = [s for s in fast_extract(text) if "nested" not in s.flags]
    assert s.content.text == content


def test_a_source_does_not_run_on_into_an_adverbial_clause(fast_extract):
    text = ("The Americas cannot ignore the risk of further COVID-19 surges, warns Pan American "
            "Health Organization (PAHO) Director Carissa F. Etienne as she urged countries to "
            "remain vigilant and urgently close vaccination gaps.")
    sources = {s.cue.text: s.source.text for s in fast_extract(text) if s.source}
    assert sources.get("warns") == "Pan American Health Organization (PAHO) Director Carissa F. Etienne"


def test_according_to_keeps_its_source_and_the_clause_it_reports(fast_extract):
    """The nearer cue 'called' took the content and with it the paper as its source; the
    paper reports the whole clause, and the candidate is never 'the Bronx Times'."""
    text = ("Marmorato, who is the sister of Bronx Republican chair Michael Rendino, campaigned on "
            "the issue — and called the about-face “heartbreaking,” according to the Bronx Times.")
    found = {s.cue.text: s for s in fast_extract(text)}
    outer = found["according to"]
    assert outer.source.text == "the Bronx Times"
    assert outer.content.text.startswith("Marmorato") and outer.content.text.endswith("“heartbreaking,”")
    assert "called" not in found or found["called"].source.text != "the Bronx Times"


@pytest.mark.parametrize("text, cue, source", [
    ("Blige sings to Clinton before asking her how she would heal the country.", "asking", "Blige"),
    ("Derek Mitchell, who served as ambassador to Burma until this year, said the vote was fair.",
     "said", "Derek Mitchell, who served as ambassador to Burma until this year,"),
])
def test_a_source_grows_to_its_noun_phrase_not_to_its_verb(fast_extract, text, cue, source):
    """A tagged source stops at the verb it is the subject of; a clause that modifies the
    noun stays in it."""
    sources = {s.cue.text: s.source.text for s in fast_extract(text) if s.source}
    assert sources.get(cue) == source


@pytest.mark.parametrize("after, kept", [
    ("but with that can come some nutrition issues", False),
    ("but also the flow of illegal drugs", True),
])
def test_a_but_clause_after_the_attribution_is_the_writers(after, kept):
    """'X, according to Forbes, but …' turns to the writer's own point; 'not only … but also'
    is still the source's."""
    from sayso.extract.model import _without_contrast_after_cue

    text = f"Plant-based diets are becoming popular, according to Forbes, {after}."
    st = built(text, "according to", "Plant-based diets are becoming popular", after)
    assert (after in _without_contrast_after_cue(st, text).content.text) == kept


@pytest.mark.parametrize("text, source", [
    ("Asked if prices would fall soon, Symonette said the store was doing its best.", None),
    ("Asked by reporters whether he would run, Trump said he was undecided.", "reporters"),
])
def test_who_was_asked_is_not_who_asked(fast_extract, text, source):
    """A passive participle before the clause ('Asked if …, Symonette said') was put to the
    clause's subject: PolNeAR leaves its source empty unless the text names the asker."""
    asked = next(s for s in fast_extract(text) if s.cue.text == "Asked")
    assert (asked.source.text if asked.source else None) == source


def test_quote_split_around_its_cue_is_one_statement(fast_extract):
    text = '"We will win this state," she said. "And then we will win the country."'
    (s,) = [s for s in fast_extract(text) if "nested" not in s.flags]
    assert s.cue.text == "said" and s.source.text == "she"
    assert len(s.content.spans) == 2 and s.kind == "direct"


def test_no_statement_without_attribution(fast_extract):
    assert fast_extract("The bridge was closed for repairs on Monday. Traffic was heavy.") == []
    assert fast_extract("") == []


def test_statements_are_numbered_in_text_order(fast_extract):
    text = ('The governor said the budget was balanced. "It is not," the senator replied.\n\n'
            "Analysts believe that spending will rise.")
    found = fast_extract(text)
    assert [s.id for s in found] == [f"s{i + 1}" for i in range(len(found))]
    starts = [s.cue.start for s in found]
    assert len(found) >= 2 and all(0 <= a for a in starts)


@pytest.mark.parametrize("path", EXAMPLES + ([SEED] if SEED.exists() else []), ids=lambda p: p.name)
def test_offsets_on_real_articles(fast_extract, path):
    text = path.read_text("utf-8")
    found = fast_extract(text)
    assert found
    assert_offsets_valid(text, found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(MARKS + WORDS), min_size=0, max_size=60))
def test_random_text_never_breaks_offsets(fast_extract, pieces):
    text = " ".join(pieces)
    assert_offsets_valid(text, fast_extract(text))


@pytest.mark.parametrize("text, cue, subject", [
    ("Toomey fumed that the vote was a sham.", "fumed", "Toomey"),
    ("Trump, who tweeted that the polls were rigged, left early.", "tweeted", "who"),  # as PolNeAR marks it
    ("The senator stood up and warned that the bill would fail.", "warned", "The senator"),
    ("Walker spent weeks on the road before announcing that he would retire.", "announcing", "Walker"),
    # a gerund after an adjective of the main verb ('was the first in …') is the subject's act
    ("Trump has been the most aggressive in denouncing that the media were biased.", "denouncing", "Trump"),
])
def test_a_cue_without_a_tagged_source_takes_its_verbs_subject(nlp, text, cue, subject):
    """The tagger sometimes finds a cue and its content but no source; the parse then
    supplies the subject of the cue's verb (as the rule tier reads it)."""
    from sayso.extract.model import _parse_source
    from sayso.records import Part, Statement

    doc = nlp(text)
    start = text.index(cue)
    rest = text.index("that") if "that" in text else start + len(cue) + 1
    st = Statement(id="s1", kind="indirect", cue=Part.from_spans(text, [(start, start + len(cue))]),
                   content=Part.from_spans(text, [(rest, len(text) - 1)]), source=None)
    got = _parse_source(doc, st)
    assert got.source is not None and got.source.text == subject
    assert_offsets_valid(text, [got])


@pytest.mark.parametrize("text, cue, subject", [
    # the parser hangs an inverted speaker on the verb as an adverb or an object
    ("Your daily vitamin will work in tandem with it, said Best.", "said", "Best"),
    ("Do not worry too much about overdoses if you take one pill, says Best.", "says", "Best"),
    ("There is one thing it will do for sure, as noted by dietitian Trista Best.", "noted",
     "dietitian Trista Best"),
])
def test_a_speaker_after_the_cue_is_the_source(nlp, text, cue, subject):
    """'…, said Best.' and '…, as noted by X': the statement stands before its cue and the
    speaker after it, where no subject is."""
    from sayso.extract.model import _parse_source
    from sayso.records import Part, Statement

    doc = nlp(text)
    start = text.index(cue)
    end_of_content = text.rindex(",", 0, start)
    st = Statement(id="s1", kind="indirect", cue=Part.from_spans(text, [(start, start + len(cue))]),
                   content=Part.from_spans(text, [(0, end_of_content)]), source=None)
    got = _parse_source(doc, st)
    assert got.source is not None and got.source.text == subject
    assert_offsets_valid(text, [got])


def test_a_date_after_the_cue_is_not_a_speaker(nlp):
    from sayso.extract.rules import cue_subject

    text = "The plan will fail, said Tuesday."
    assert cue_subject(nlp(text), (text.index("said"), text.index("said") + 4)) is None


def test_a_source_is_not_taken_from_inside_the_content(nlp):
    from sayso.extract.model import _parse_source
    from sayso.records import Part, Statement

    text = "The minister said the talks had failed."
    doc = nlp(text)
    st = Statement(id="s1", kind="indirect", cue=Part.from_spans(text, [(13, 17)]),
                   content=Part.from_spans(text, [(0, 38)]), source=None)
    assert _parse_source(doc, st).source is None


def test_the_rules_content_wins_where_the_two_agree_else_the_likelier_span(nlp):
    """The rule tier bounds content from the parse. Where its span and the tagger's share
    most of their words, the rule's edges are kept; where they part ways, the tagger's
    content probabilities over the words only one of them holds decide."""
    import numpy

    from sayso.extract.model import _prefer_rule_content

    text = "The mayor said that the bridge would close, and the council agreed on Monday."
    doc = nlp(text)
    tagged = [(15, 42)]                     # "that the bridge would close"
    near = [(20, 42)]                       # "the bridge would close": agrees
    far = [(15, len(text) - 1)]             # runs on over "and the council agreed on Monday"
    unlikely = numpy.full(len(doc), -3.0)   # the tagger: those extra words are not content
    likely = numpy.full(len(doc), 3.0)
    assert _prefer_rule_content(doc, tagged, near, unlikely)
    assert not _prefer_rule_content(doc, tagged, far, unlikely)
    assert _prefer_rule_content(doc, tagged, far, likely)


def test_the_taggers_own_words_decide_not_what_the_phrase_extension_added(nlp):
    """'said the driver was killed, and paramedics rushed him to hospital': the taggers
    chose the words up to 'paramedics', the phrase extension ran on to the clause's end. The
    words the taggers chose weigh for them; the ones only the extension added do not weigh
    against them."""
    import numpy

    from sayso.extract.model import _prefer_rule_content

    text = "Police said the driver was killed, and paramedics rushed him to a hospital in Miami."
    doc = nlp(text)
    rule = [(12, 33)]                                  # "the driver was killed"
    extended = [(12, len(text) - 1)]                   # on to "… in Miami"
    chosen = {t.i for t in doc if 12 <= t.idx < text.index("rushed") and not t.is_punct}
    log_odds = numpy.array([1.0 if t.i in chosen else -2.0 for t in doc])
    assert _prefer_rule_content(doc, extended, rule, log_odds)               # all its words weighed
    assert not _prefer_rule_content(doc, extended, rule, log_odds, chosen)   # only the chosen ones


def test_only_a_quotation_continues_into_the_next_sentence(nlp):
    """'"A." She said. "B."' is one statement in two pieces; after reported speech a quote
    in the next sentence is not taken as more of the same statement."""
    from sayso.extract.model import _prune_contents, _sent_ids

    def gap(a, b):
        return max(a[1] - b[2], b[1] - a[2], 0)

    def tokens(doc, fragment):
        span = doc.char_span(doc.text.index(fragment), doc.text.index(fragment) + len(fragment))
        return span.start, span.end

    quoted = nlp('"We will win this state," she said. "And then we will win the country."')
    cue = ("CUE", *tokens(quoted, "said"), 0.9)
    first = ("CON", *tokens(quoted, '"We will win this state,"'), 0.9)
    then = ("CON", *tokens(quoted, '"And then we will win the country."'), 0.9)
    assert _prune_contents(quoted, cue, [first, then], {}, gap, _sent_ids(quoted)) == [first, then]

    reported = nlp('The senator mocked the plan to close the bridge. "It is a joke."')
    cue = ("CUE", *tokens(reported, "mocked"), 0.9)
    plan = ("CON", *tokens(reported, "the plan to close the bridge"), 0.9)
    joke = ("CON", *tokens(reported, '"It is a joke."'), 0.9)
    assert _prune_contents(reported, cue, [plan, joke], {}, gap, _sent_ids(reported)) == [plan]


def test_content_of_function_words_alone_is_no_statement(nlp, fast_extract):
    """A cue whose content was lost in scraping keeps the rule tier's ``truncated``
    statement, even where the taggers mark the dangling 'that' as content."""
    from sayso.extract.model import _function_words_only
    from sayso.records import Part, Statement

    text = "The spokeswoman wrote that taxes would rise."
    doc = nlp(text)

    def statement(content):
        start = text.index(content)
        return Statement(id="s1", kind="indirect", cue=Part.from_spans(text, [(16, 21)]),
                         content=Part.from_spans(text, [(start, start + len(content))]))

    assert _function_words_only(doc, statement("that"))
    assert not _function_words_only(doc, statement("that taxes would rise"))
    cut = "The spokeswoman also wrote in her Telegram channel that\nOn Monday, the talks resumed."
    (lost,) = [s for s in fast_extract(cut) if s.cue.text.startswith("also wrote")]
    assert "truncated" in lost.flags and lost.content.spans == ()


def test_a_lead_in_before_a_colon_is_not_the_speakers_words():
    """'Cells renew fast: “New cells form below,” Dr. Moy says.' The words before the colon
    that opens the quotation are the writer's; with the cue before the content they are
    the cue's own frame ('He said: “…”') and the content is left alone."""
    from sayso.extract.model import _from_colon_quote

    after = "Cells renew fast: \u201cNew cells form below,\u201d Dr. Moy says."
    lead_in = built(after, "says", "Cells renew fast: \u201cNew cells form below,\u201d", kind="mixed")
    cut = _from_colon_quote(lead_in, after)
    assert (cut.content.text, cut.kind) == ("\u201cNew cells form below,\u201d", "direct")
    before = "Dr. Moy says cells renew fast: \u201cNew cells form below.\u201d"
    kept = built(before, "says", "cells renew fast: \u201cNew cells form below.\u201d", kind="mixed")
    assert _from_colon_quote(kept, before) == kept


def test_no_further_content_span_lies_on_the_source():
    from sayso.extract.model import _off_source
    from sayso.records import Part, Statement

    text = "Wigs Deserve More Options, according to Coils Founder Dianne Austin"
    st = Statement(id="s1", kind="indirect", cue=Part.from_spans(text, [find(text, "according to")]),
                   source=Part.from_spans(text, [find(text, "Coils Founder Dianne Austin")]),
                   content=Part.from_spans(text, [find(text, "Wigs Deserve More Options"),
                                                  find(text, "Founder Dianne Austin")]))
    assert _off_source(st, text).content.text == "Wigs Deserve More Options"


def test_the_channel_a_statement_was_made_in_is_not_its_content(nlp):
    """'… criticised the plan in an interview with the Globe': the phrase naming the channel
    hangs from the cue verb after its complement and is cut off; a channel inside the
    reported clause ('the mayor spoke in a video') and a quotation stay as they are."""
    from sayso.extract.model import _without_channel

    text = "The senator criticised the plan in an interview with the Globe."
    long = built(text, "criticised", "the plan in an interview with the Globe")
    assert _without_channel(nlp(text), long, text).content.text == "the plan"
    inner = "She said the mayor spoke in a video."
    kept = built(inner, "said", "the mayor spoke in a video")
    assert _without_channel(nlp(inner), kept, inner) == kept
    quoted = "The senator criticised \u201cthe plan\u201d in an interview."
    direct = built(quoted, "criticised", "\u201cthe plan\u201d in an interview", kind="mixed")
    assert _without_channel(nlp(quoted), direct, quoted) == direct


@pytest.mark.parametrize("sentence, source, content", [
    ("According to the society's chair, Rui Santos, about one adult in four now suffers from hay fever.",
     "the society's chair, Rui Santos", "about one adult in four now suffers from hay fever"),
    ("According to his lawyer, Mark Bell, the charges are baseless and will be dropped.",
     "his lawyer, Mark Bell", "the charges are baseless and will be dropped"),
    # not a person's role, or the name is the content's subject with an age after it
    ("According to the report, John Smith, a former aide, lied to investigators.",
     "the report", "John Smith, a former aide, lied to investigators"),
    ("According to police, John Doe, 34, was arrested on Friday.", "police", "John Doe, 34, was arrested on Friday"),
    ("According to the police chief, John Doe, 34, was arrested on Friday.",
     "the police chief", "John Doe, 34, was arrested on Friday"),
])
def test_a_name_set_off_after_a_role_names_the_source(nlp_fast, sentence, source, content):
    """The parse makes the name the content's subject; set off by commas right after one
    person's role it is that role's apposition, and the speaker is that person."""
    (st,) = [s for s in nlp_fast(sentence)._.statements if "nested" not in s.flags]
    assert (st.source.text, st.content.text) == (source, content)


def test_a_discourse_marker_is_nobody_speaking_but_a_relative_that_said_is(nlp_fast):
    """'That said, …' opens a clause with no speaker (the rule tier never cued it; the
    taggers did); 'bottles that said, “…”' are bottles speaking."""
    marker = nlp_fast("Prices rose again in May. That said, most residents seemed relieved that work would start.")
    assert [s.cue.text for s in marker._.statements] == []
    bottles = nlp_fast("They passed out water bottles that said, \u201cThe party welcomes you to the games.\u201d")
    assert "\u201cThe party welcomes you to the games.\u201d" in [s.content.text for s in bottles._.statements]


def test_a_dateline_opening_the_paragraph_is_not_content(nlp_fast):
    text = ("Researchers warn that pollen season starts ever earlier.\n\n"
            "NORTHFIELD, April 2 \u2014 Pollen seasons in the region now begin almost three weeks earlier "
            "than they did in the 1990s, according to a study published on Monday by the institute.")
    found = {s.cue.text: s.content.text for s in nlp_fast(text)._.statements}
    assert found["according to"].startswith("Pollen seasons in the region now begin")


def test_a_quotation_over_several_paragraphs_is_one_content():
    """The newspaper convention: a quotation that goes on in the next paragraph leaves its
    closing mark off and reopens there. The taggers end spans at paragraph breaks; the
    statement takes every paragraph of the quotation, unless another statement holds one."""
    from sayso.extract.model import _through_quotes

    text = ("Mayor Ann Lee said: \u201cWe looked at every option and none was safe.\n\n"
            "\u201cSo we will build a bridge.\n\n\u201cIt opens in the spring,\u201d she added.\n\nEnd.")
    first = built(text, "said", "\u201cWe looked at every option and none was safe.", kind="direct")
    (whole,) = _through_quotes([first], text)
    assert [text[a:b] for a, b in whole.content.spans] == [
        "\u201cWe looked at every option and none was safe.", "\u201cSo we will build a bridge.",
        "\u201cIt opens in the spring,\u201d"]
    added = built(text, "added", "\u201cIt opens in the spring,\u201d", kind="direct")
    assert _through_quotes([first, added], text) == [first, added]


def test_a_quotation_right_after_a_statement_goes_on_with_it():
    """'He said he was not deterred. “I don’t expect …”': a quotation that is a sentence of
    its own, with no cue, right after a statement in its paragraph is that statement's. One
    after a paragraph break, one with its own cue, and one followed by more words of its
    sentence are left alone."""
    from sayso.extract.model import _with_following_quotes
    from sayso.records import Part

    def said(text, content):
        return built(text, "said", content).with_(source=Part.from_spans(text, [find(text, "He")]))

    text = "He said he was not deterred. \u201cI don\u2019t expect anyone to hand me anything.\u201d\n\nEnd."
    (st,) = _with_following_quotes([said(text, "he was not deterred")], text)
    assert st.content.text.endswith("hand me anything.\u201d") and st.kind == "mixed"
    apart = "He said he was not deterred.\n\n\u201cI don\u2019t expect anyone to hand me anything.\u201d"
    alone = said(apart, "he was not deterred")
    assert _with_following_quotes([alone], apart) == [alone]
    cued = "He said he was not deterred. \u201cWe will all be there on time,\u201d she added."
    first = said(cued, "he was not deterred")
    added = built(cued, "added", "\u201cWe will all be there on time,\u201d", kind="direct")
    assert _with_following_quotes([first, added], cued) == [first, added]
    uncued = "He said he was not deterred. \u201cWe will all be there on time,\u201d a neighbour wrote."
    assert _with_following_quotes([said(uncued, "he was not deterred")], uncued) == [said(uncued, "he was not deterred")]


def test_an_ensemble_averages_its_members(nlp):
    """Two copies of one tagger score exactly as that tagger does; members with other
    labels are refused."""
    import numpy
    import spacy

    from sayso.extract.model import build_tagger_nlp, combine, load_model, predict_scores

    shipped = load_model()
    single = spacy.load(default_model_path(), exclude=[p for p in shipped.pipe_names if p != "tagger"])
    pair = combine([single, single])
    assert pair.pipe_names == ["tagger", "tagger2"]
    doc = nlp('"We will win," she said.')
    (one,), (two,) = predict_scores(single, [doc]), predict_scores(pair, [doc])
    numpy.testing.assert_allclose(one, two, rtol=1e-5)
    assert numpy.allclose(two.sum(axis=1), 1.0, atol=1e-4)
    other = build_tagger_nlp()
    other.get_pipe("tagger").add_label("B-EXTRA")
    other.initialize()
    with pytest.raises(ValueError, match="label order"):
        combine([single, other])


def test_another_fast_model_is_named_by_environment(tmp_path):
    """SAYSO_FAST_MODEL points at a retrained model; a path without one is a clear error."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SAYSO_FAST_MODEL": str(tmp_path / "missing")}
    proc = subprocess.run([sys.executable, "-m", "sayso.cli", "extract", "-"], input="He said so.",
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "cannot load the fast tier's model" in proc.stderr and "Traceback" not in proc.stderr


def test_gold_tags_follow_the_spans(nlp):
    from sayso.extract.train import gold_tags

    text = '"We will win," she said.'
    doc = nlp.make_doc(text)
    tags = gold_tags(doc, [{"cue": [[19, 23]], "source": [[15, 18]], "content": [[0, 14]]}])
    assert set(tags) <= set(LABELS)
    assert tags == ["B-CON", "I-CON", "I-CON", "I-CON", "I-CON", "I-CON", "B-SRC", "B-CUE", "O"]


@pytest.mark.skipif(not (TRAIN.exists() and DEV.exists()), reason="../shared PolNeAR absent")
def test_training_smoke_on_a_tiny_slice(tmp_path):
    """Three training articles, two dev articles, a few updates: the command runs end to end,
    reports progress and leaves a model that loads and predicts."""
    from typer.testing import CliRunner

    from sayso.cli import app
    from sayso.extract.model import extract_statements_fast, load_model

    train = tmp_path / "train.jsonl"
    dev = tmp_path / "dev.jsonl"
    with TRAIN.open(encoding="utf-8") as fh:
        train.write_text("".join(next(fh) for _ in range(3)), "utf-8")
    with DEV.open(encoding="utf-8") as fh:
        dev.write_text("".join(next(fh) for _ in range(2)), "utf-8")
    out = tmp_path / "model"
    result = CliRunner().invoke(app, ["train", "--train", str(train), "--dev", str(dev), "-o", str(out),
                                      "--max-steps", "3", "--eval-every", "2",
                                      "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [m["steps"] for m in summary["members"]] == [3, 3]
    assert set(summary["dev"]) >= {"cue", "detection", "end_to_end"}
    assert "step" in result.stderr and "parsed" in result.stderr and "ensemble of 2" in result.stderr
    tagger = load_model(str(out))
    assert tagger.pipe_names == ["tagger", "tagger2"]  # the two members, averaged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "dev.jsonl", "model", "train.jsonl"]
    assert all(m["step"] in (2, 3) for m in tagger.meta["sayso"]["members"])  # kept checkpoints
    from sayso import nlp as nlp_mod

    doc = nlp_mod.load(accuracy="rules")('"We will win," she said.')
    assert_offsets_valid(doc.text, extract_statements_fast(doc, tagger))
