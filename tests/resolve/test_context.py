"""Dates, place, event, channel and article structure, table-driven."""
from __future__ import annotations

import pytest

from sayso.resolve.dates import resolve_date, shift
from sayso.resolve.structure import byline_name, find_structure
from sayso.resolve.rules import load_rules
from tests.resolve.helpers import resolve, statement


@pytest.mark.parametrize("phrase,published,expected", [
    ("February 15", None, "--02-15"),
    ("On February 15", "2023-02-27", "2023-02-15"),
    ("February 15, 2023", None, "2023-02-15"),
    ("Thursday", "2016-09-12", "2016-09-08"),
    ("Thursday", None, None),              # relative, and nothing to count from
    ("last week", "2016-09-12", "2016-W36"),
    ("yesterday", "2016-09-12", "2016-09-11"),
    ("Sept. 11", None, "--09-11"),
    ("July", None, "--07"),
    ("2012", None, "2012"),
    ("nonsense words", None, None),
])
def test_resolve_date(phrase, published, expected):
    assert resolve_date(phrase, published) == expected


def test_shift_keeps_partial_dates_partial():
    assert shift("--02-28", 1) == "--03-01"
    assert shift("2016-09-12", -1) == "2016-09-11"
    assert shift("--07", 1) == "--07"  # a month cannot move by days


# (text, source, cue, content, published, expected fields)
CONTEXT = [
    ("On Thursday, Mayor Anna Kowalski said in an interview with CNN that the bridge would reopen.",
     "Mayor Anna Kowalski", "said", "that the bridge would reopen", "2016-09-12",
     {"date": "2016-09-08", "channel": "CNN", "event": "interview"}),
    ("Senator Mark Hill said at a press conference in Brooklyn that the blast was intentional.",
     "Senator Mark Hill", "said", "that the blast was intentional", None,
     {"event": "press conference", "place": "Brooklyn", "date": None}),
    ("Maria Zakharova wrote in her Telegram channel that the talks were over.",
     "Maria Zakharova", "wrote", "that the talks were over", None, {"channel": "Telegram"}),
    ("Jane Doe said on Monday that she had met him in 2012.",
     "Jane Doe", "said", "that she had met him in 2012", "2016-09-14", {"date": "2016-09-12"}),
    # a date inside the content is about what was said, not when
    ("Jane Doe said that the plant closed in 2012.",
     "Jane Doe", "said", "that the plant closed in 2012", "2016-09-14", {"date": None}),
    ("Three years of talks ended, Jane Doe said.",
     "Jane Doe", "said", "Three years of talks ended", "2016-09-14", {"date": None}),
]


@pytest.mark.parametrize("text,source,cue,content,published,fields", CONTEXT, ids=[c[0][:30] for c in CONTEXT])
def test_context_from_the_statement_sentence(nlp, text, source, cue, content, published, fields):
    st = resolve(nlp, text, [statement(text, "s1", source, cue, content)], published).statements[0]
    for key, want in fields.items():
        assert getattr(st, key) == want, key



def test_context_sentence_feeds_the_previous_statement_and_carries(nlp):
    text = ("Jane Doe said that the plan was dead. She announced this during her speech at the Davos forum "
            "in Switzerland.\nLater she added that talks would go on.")
    art = resolve(nlp, text, [statement(text, "s1", "Jane Doe", "said", "that the plan was dead"),
                              statement(text, "s2", "she", "added", "that talks would go on")])
    for st in art.statements:
        assert (st.speaker.name, st.event, st.place) == ("Jane Doe", "Davos forum", "Switzerland")


def test_a_statement_on_another_occasion_carries_nothing_of_the_first(nlp):
    text = ("On Monday, Jane Doe said in an interview with CNN that the plan was dead.\n"
            "On Friday she added at a rally in Ohio that talks would go on.\n"
            "She also said that the deal could wait.")
    art = resolve(nlp, text, [statement(text, "s1", "Jane Doe", "said", "that the plan was dead"),
                              statement(text, "s2", "she", "added", "that talks would go on"),
                              statement(text, "s3", "She", "said", "that the deal could wait", cue_nth=1)],
                  "2016-09-14")
    first, second, third = art.statements
    assert (first.channel, first.event) == ("CNN", "interview")
    assert (second.date, second.place, second.event, second.channel) == ("2016-09-09", "Ohio", "rally", None)
    assert (third.date, third.place, third.event, third.channel) == ("2016-09-09", "Ohio", "rally", None)


def test_a_date_someone_said_dates_no_later_statement(nlp):
    text = ("Eva Lund said that two more trams would be added in November. "
            "She stressed that the timetable would be reviewed.")
    art = resolve(nlp, text, [statement(text, "s1", "Eva Lund", "said", "that two more trams would be added in November"),
                              statement(text, "s2", "She", "stressed", "that the timetable would be reviewed")])
    assert [st.date for st in art.statements] == [None, None]


def test_nested_statement_takes_no_date_from_the_outer_one(nlp):
    text = ('On February 25, Jane Doe recalled the words of John Roe that "peace is far."')
    outer = statement(text, "s1", "Jane Doe", "recalled", 'the words of John Roe that "peace is far."')
    inner = statement(text, "s2", "John Roe", "words", 'that "peace is far."', flags=("nested",))
    a, b = resolve(nlp, text, [outer, inner]).statements
    assert (a.date, b.date, b.speaker.name) == ("--02-25", None, "John Roe")


def test_responds_to_names_the_statements_reacted_to(nlp):
    text = ("Jens Stoltenberg said that the door was open.\n"
            "Grigory Karasin said that the words of Jens Stoltenberg showed the NATO view.")
    art = resolve(nlp, text, [
        statement(text, "s1", "Jens Stoltenberg", "said", "that the door was open"),
        statement(text, "s2", "Grigory Karasin", "said", "that the words of Jens Stoltenberg showed the NATO view",
                  cue_nth=1),
    ])
    assert art.statements[1].responds_to == ("s1",)
    assert art.statements[0].responds_to == ()


@pytest.mark.parametrize("text,title,headings,byline", [
    ("Mayor vows to rebuild bridge\nThe mayor said so.\nReaction in town\nPeople cheered.\nAnna Nowak",
     "Mayor vows to rebuild bridge", ["Reaction in town"], "Anna Nowak"),
    ("Stealth Over Health: Clinton Was Headed to ER But Diverted.\n\nThe Post reports that she left.",
     "Stealth Over Health: Clinton Was Headed to ER But Diverted.", [], None),
    ("Stoltenberg said it was impossible to restore relations with Moscow There is no way back, he said.\n"
     "He spoke in Oslo.", "Stoltenberg said it was impossible to restore relations with Moscow", [], None),
])
def test_structure(nlp, text, title, headings, byline):
    with nlp.select_pipes(disable=["sayso"]):
        doc = nlp(text)
    s = find_structure(doc)
    assert s.title.text == title
    assert [h.text for h in s.headings] == headings
    assert (byline_name(s.byline.text, load_rules()) if s.byline else None) == byline


@pytest.mark.parametrize("line,name", [
    ("Peter Nikolaev", "Peter Nikolaev"), ("By Anna Nowak", "Anna Nowak"),
    ("Read the rest here.", None), ("Reaction in Russia", None), ("5:55 p.m.", None),
])
def test_byline_name(line, name):
    assert byline_name(line, load_rules()) == name
