"""The digest's pure parts: dates, lines, affiliations, near duplicates, query words."""
from __future__ import annotations

import pytest

from sayso.digest import dates
from sayso.digest.affiliation import OTHER, affiliation, group_name, ordered_groups
from sayso.digest.dedupe import dedupe
from sayso.digest.lines import clean_cue, make_line, speaker_phrase, usable_descriptor
from sayso.digest.select import Found, terms_of
from sayso.digest.vocab import load_vocab
from sayso.records import Part, Speaker, SpeakerSummary, StatementHit, Statement


@pytest.mark.parametrize("value, phrase", [
    ("2023-02-15", "On 15 February 2023"), ("--02-15", "On 15 February"), ("2023-02", "In February 2023"),
    ("2016", "In 2016"), ("2016-W37", "In the week of 12 September 2016"), ("--13-40", None),
    ("soon", None), (None, None),
])
def test_date_phrases(value, phrase):
    assert dates.phrase(value) == phrase


def test_date_falls_back_to_publication_then_nothing():
    assert dates.when("--02-15", "2023-02-27") == "On 15 February"
    assert dates.when(None, "2023-02-27") == "As reported on 27 February 2023"
    assert dates.when(None, None) is None
    assert dates.sort_key("--02-15", "2023-02-27") == "2023-02-15"
    assert dates.sort_key("--12-30", "2023-01-02") == "2022-12-30"  # the year before publication
    assert dates.sort_key(None, None) == "9999"


def test_lines_are_templates_over_the_fields():
    line = make_line(kind="indirect", cue="said", content="that the alliance's position has not changed",
                     speaker="NATO Secretary General Jens Stoltenberg", date="--02-15", published=None)
    assert line.text == ("On 15 February, NATO Secretary General Jens Stoltenberg said that the "
                         "alliance's position has not changed.")
    direct = make_line(kind="direct", cue="said", content='"We will not be involved,"', speaker="Lloyd Austin",
                       date=None, published=None)
    assert direct.text == 'Lloyd Austin said: "We will not be involved."'
    bare = make_line(kind="direct", cue="told", content="We will stay", speaker="Ann Lee", date=None, published=None)
    assert bare.text == "Ann Lee told: “We will stay.”"
    according = make_line(kind="indirect", cue="According to", content="The end will not come",
                          speaker="him", date=None, published="2023-02-27")
    assert according.text == "As reported on 27 February 2023, according to him, the end will not come."


def test_roles_and_cues():
    v = load_vocab()
    assert speaker_phrase("Jens Stoltenberg", "NATO Secretary General") == "NATO Secretary General Jens Stoltenberg"
    assert speaker_phrase("Maria Zakharova", "official representative of the Russian Foreign Ministry") == \
        "Maria Zakharova, official representative of the Russian Foreign Ministry,"
    assert usable_descriptor("German Chancellor", "Olaf Scholz", v)
    for bad in ("Austria", "Trump has been targeting Machado since", "spokeswoman for", "someone like",
                "WASHINGTON -- President", "panel Chairman Rep."):
        assert not usable_descriptor(bad, "X Y", v), bad
    assert clean_cue("said in his", v) == "said"
    assert clean_cue("called on", v) == "called on"
    assert clean_cue("Said", v) == "said"


@pytest.mark.parametrize("record, country, org", [
    ({"name": "A B", "descriptors": ["official representative of the Russian Foreign Ministry"]}, "Russia",
     "Russian Foreign Ministry"),
    ({"name": "A B", "descriptors": ["Chairman of the Federation Council Committee on International Affairs"],
      "organization": "Federation Council Committee on International Affairs"}, "Russia", "Federation Council"),
    ({"name": "A B", "descriptors": ["NATO Secretary General"], "organization": "NATO"}, None, "NATO"),
    ({"name": "A B", "descriptors": ["US Secretary of Defense"], "country": "United States"}, "United States",
     "Pentagon"),
    ({"name": "A B", "descriptors": ["R-Tex."]}, "United States", "Republican Party"),
    ({"name": "A B", "descriptors": ["Vermont senator"]}, "United States", "U.S. Congress"),
    ({"name": "A B", "descriptors": ["former Vice-Chancellor of Austria"]}, "Austria", None),
    ({"name": "Obama Says", "organization": "WASHINGTON"}, "United States", None),  # a dateline: a place
    ({"name": "Machado", "country": "Machado"}, None, None),              # a surname, not a country
    ({"name": "A B", "descriptors": ["spokesman for us"]}, None, None),   # 'us' the pronoun
])
def test_affiliation_from_what_was_recorded(record, country, org):
    a = affiliation(Speaker.from_dict({"id": "a-b", **record}))
    assert (a.country, a.organization) == (country, org)


def test_groups():
    nato = affiliation(Speaker("J S", "j-s", organization="NATO"))
    assert group_name(nato, "country") == "NATO" and group_name(nato, "organization") == "NATO"
    us = affiliation(Speaker("L A", "l-a", country="United States"))
    assert group_name(us, "country") == "United States" and group_name(us, "organization") == "United States"
    assert group_name(affiliation(Speaker("N N", "n-n")), "country") == OTHER
    assert affiliation(None, SpeakerSummary("j-s", "J S", "person", organization="NATO")) == nato
    assert group_name(us, "speaker", "L A") == "L A"
    assert ordered_groups(["Other", "B", "A", "C"], {"Other": 9, "A": 1, "B": 3, "C": 1}) == ["B", "A", "C", "Other"]


def _row(i, speaker, text, spans, article="a"):
    content = Part(text, tuple(tuple(s) for s in spans))
    st = Statement(f"s{i}", "indirect", Part("said", ()), content,
                   speaker=Speaker(speaker, speaker) if speaker else None)
    return Found(StatementHit(st, statement_id=f"{article}#s{i}", article_id=article), position=i, seq=1)


def test_near_duplicates_keep_the_longer():
    rows = [
        _row(1, "x", "the alliance will never go back to normal relations with Moscow", [[0, 60]]),
        _row(2, "x", "the alliance will never go back to normal relations with Moscow, he said again", [[100, 180]],
             article="b"),
        _row(3, "y", "the alliance will never go back to normal relations with Moscow", [[200, 260]]),
        _row(4, "x", "relations with Moscow", [[40, 60]]),   # inside statement 1's span
        _row(5, "x", "something else entirely about budgets", [[300, 340]]),
    ]
    kept = [r.statement_id for r in dedupe(rows)]
    assert kept == ["b#s2", "a#s3", "a#s5"]


def test_query_words():
    assert terms_of('Ukraine NATO membership') == (["Ukraine", "NATO", "membership"], [])
    assert terms_of('what did "Jens Stoltenberg" say about -Russia') == (['"Jens Stoltenberg"'], ["Russia"])
    assert terms_of("the") == (["the"], [])
    assert terms_of("  ") == ([], [])
