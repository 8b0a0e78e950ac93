"""The rule tier, pattern family by pattern family, on sentences written for these tests.

Each case names the statement it must find as (cue, source, content) text, or asserts that
no statement is found. Only top-level statements are compared (nested ones stay inside
their outer content, as PolNeAR annotates them).
"""
from __future__ import annotations

import pytest


def top(statements):
    return [s for s in statements if "nested" not in s.flags]


def triples(statements):
    return [(s.cue.text, s.source.text if s.source else None, s.content.text) for s in top(statements)]


DIRECT = [
    # speaker after the quote
    ('"We will rebuild the bridge by spring," the mayor said.',
     ("said", "the mayor", '"We will rebuild the bridge by spring,"'), "direct"),
    # inverted verb and subject, with an apposition
    ("\u201cThe budget is balanced,\u201d said Anna Berg, the city treasurer.",
     ("said", "Anna Berg, the city treasurer", "\u201cThe budget is balanced,\u201d"), "direct"),
    # speaker before the quote, colon lead-in
    ('The minister said: "Nobody will be left behind."',
     ("said:", "The minister", '"Nobody will be left behind."'), "direct"),
    # speaker before the quote, comma
    ("The coach told reporters, \u201cWe played our best game of the season.\u201d",
     ("told", "The coach", "\u201cWe played our best game of the season.\u201d"), "direct"),
    # quote over several sentences before the cue
    ('"Prices rose. Wages did not. That is the problem," the economist said.',
     ("said", "the economist", '"Prices rose. Wages did not. That is the problem,"'), "direct"),
    # German and French quotation marks
    ("\u201eWir bleiben neutral\u201c, the ambassador said.",
     ("said", "the ambassador", "\u201eWir bleiben neutral\u201c"), "direct"),
]


@pytest.mark.parametrize("text, expected, kind", DIRECT)
def test_direct_quotes(extract, text, expected, kind):
    found = top(extract(text))
    assert triples(found)[:1] == [expected]
    assert found[0].kind == kind


def test_speaker_between_the_two_parts_of_a_quote(extract):
    text = '"We tried everything," she said, "but the money ran out."'
    (s,) = top(extract(text))
    assert (s.cue.text, s.source.text) == ("said", "she")
    assert [text[a:b] for a, b in s.content.spans] == ['"We tried everything,"', '"but the money ran out."']
    assert s.kind == "direct"


def test_quote_continues_after_the_cue_sentence(extract):
    text = '"We tried everything," Olsen said. "The money ran out in May."'
    (s,) = top(extract(text))
    assert [text[a:b] for a, b in s.content.spans] == ['"We tried everything,"', '"The money ran out in May."']


def test_quote_continues_into_the_next_paragraph(extract):
    text = ('"The first part of the plan is to repair the roads.\n'
            '"The second part is to pay for it," the governor said.')
    (s,) = top(extract(text))
    assert s.source.text == "the governor"
    assert len(s.content.spans) == 2
    assert s.content.text.startswith('"The first part') and s.content.text.endswith('pay for it,"')


INDIRECT = [
    ("The senator said that the vote would be delayed.",
     ("said", "The senator", "that the vote would be delayed")),
    ("She stressed that arms deliveries could escalate the conflict.",
     ("stressed", "She", "that arms deliveries could escalate the conflict")),
    ("Mayor Lee believes that the tram will be finished on time.",
     ("believes", "Mayor Lee", "that the tram will be finished on time")),
    ("The union accused the company of ignoring safety rules.",
     ("accused", "The union", "the company of ignoring safety rules")),
    ("Councillor Piet Brandt accused the mayor of hiding the true cost from voters.",
     ("accused", "Councillor Piet Brandt", "the mayor of hiding the true cost from voters")),
    ("The president called on parliament to pass the budget.",
     ("called on", "The president", "parliament to pass the budget")),
    ("The opposition leader called for early elections.",
     ("called for", "The opposition leader", "early elections")),
    ("According to the ministry, the new rules take effect in March.",
     ("According to", "the ministry", "the new rules take effect in March")),
    ("The new rules, according to officials, take effect in March.",
     ("according to", "officials", "The new rules take effect in March")),
    ("In her opinion, the reform came too late.",
     ("opinion", "her", "the reform came too late")),
    ("The company plans to close two factories next year.",
     ("plans", "The company", "to close two factories next year")),
    ("Officials said the bridge was safe.", ("said", "Officials", "the bridge was safe")),
    ("Our bodies need a variety of minerals to function, as noted by Harvard Medical School.",
     ("noted", "Harvard Medical School", "Our bodies need a variety of minerals to function")),
    # a clause before the cue that the parse calls its complement, while the verb has its own
    # object after it: the object is what was said
    ("The proposal was generally supported by those in attendance and in his contribution to the "
     "discussions, Dr Mitchell suggested an even broader annual initiative in Washington.",
     ("suggested", "Dr Mitchell", "an even broader annual initiative in Washington")),
]


@pytest.mark.parametrize("text, expected", INDIRECT)
def test_indirect_speech(extract, text, expected):
    found = top(extract(text))
    assert expected in triples(found)
    assert all(s.kind == "indirect" for s in found)


def test_possessive_words_that(extract):
    text = "Nobody believed the minister's words that the crisis was over."
    assert ("words", "the minister's", "that the crisis was over") in triples(extract(text))


def test_mixed_quote_is_one_statement(extract):
    text = 'The mayor said the plan was "a disaster for the city" and had to be stopped.'
    (s,) = top(extract(text))
    assert s.kind == "mixed"
    assert s.source.text == "The mayor"
    assert '"a disaster for the city"' in s.content.text


def test_headline_with_a_colon(extract):
    text = "Stoltenberg: no way back to the old relations"
    (s,) = top(extract(text))
    assert (s.cue.text, s.source.text, s.content.text) == (":", "Stoltenberg", "no way back to the old relations")


def test_a_byline_before_a_colon_is_the_writer_not_a_speaker(extract, nlp_fast):
    """'By Ann Lee: The city cannot ignore the risk …' opens a paragraph with its writer's
    name; neither tier attributes what follows to her."""
    text = "By Ann Lee: The city cannot ignore the risk of further floods this winter.\n\nIt rained."
    assert not [s for s in extract(text) if s.cue.text == ":"]
    assert not [s for s in nlp_fast(text)._.statements if s.source and "Ann Lee" in s.source.text]


def test_dash_attribution(extract):
    text = '"Nobody reads the small print" \u2014 Maria Keller, consumer advocate.'
    (s,) = top(extract(text))
    assert s.source.text.startswith("Maria Keller")
    assert s.content.text == '"Nobody reads the small print"'


def test_signature_paragraph_after_a_quote(extract):
    text = '"Nobody reads the small print."\n\n\u2015 Maria Keller, consumer advocate'
    (s,) = top(extract(text))
    assert (s.cue.text, s.source.text) == ("\u2015", "Maria Keller, consumer advocate")
    assert s.content.text == '"Nobody reads the small print."'


def test_cue_with_nothing_after_it_is_kept_as_truncated(extract):
    text = "The spokeswoman also wrote in her Telegram channel that\nOn Monday, the talks resumed."
    found = [s for s in extract(text) if "truncated" in s.flags]
    assert len(found) == 1
    assert found[0].source.text == "The spokeswoman" and found[0].content.spans == ()


NEGATIVE = [
    # scare quotes and titles in quotes are not speech
    'The so-called "reform" passed on Tuesday.',
    'She appeared on "Meet the Press" last year.',
    'The band played "Yesterday" twice.',
    # "said" in a non-speech sense
    "The said property was sold in 2019.",
    # discourse markers built on a reporting verb
    "That said, most residents seemed relieved that work would start.",
    "Needless to say, the bridge stayed closed.",
    # no reporting verb at all
    "The bridge was closed for repairs after the storm.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_statement(extract, text):
    assert top(extract(text)) == []


def test_a_relative_that_said_is_no_discourse_marker(extract):
    """'a message that said, “…”': the message speaks; only 'That said,' opening a clause
    is the marker."""
    found = top(extract("The page was replaced by a message that said, \u201cSorry, the item is gone.\u201d"))
    assert [(s.cue.text, s.content.text) for s in found] == [("said", "\u201cSorry, the item is gone.\u201d")]


def test_an_inverted_cue_the_parse_made_a_conjunct_takes_the_clause_before_it(extract):
    """'…, warns PAHO Director Carissa F. Etienne as she urged …': the small parser reads
    'warns' as a second verb of the sentence, not as the cue of the clause before it. A
    byline run into the sentence is the writer, not part of what was said."""
    text = ("By Aaron Humes: The Americas cannot ignore the risk of further COVID-19 surges, warns "
            "Pan American Health Organization (PAHO) Director Carissa F. Etienne as she urged "
            "countries to remain vigilant and urgently close vaccination gaps.")
    found = {s.cue.text: s.content.text for s in top(extract(text))}
    assert found.get("warns") == "The Americas cannot ignore the risk of further COVID-19 surges"
