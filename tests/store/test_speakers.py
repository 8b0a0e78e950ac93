"""One speaker row per person across articles: aliases merged, namesakes kept apart, manual
merges and splits kept across later ingests."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from sayso import store as st
from sayso.store.schema import speakers, statements
from sayso.store.speakers import first_names_agree, kind_of, name_parts

from .helpers import article, speaker, stmt, store

JENS = speaker("Jens Stoltenberg", org="NATO", descriptors=("NATO Secretary General",))
THORVALD = speaker("Thorvald Stoltenberg", country="Norway", descriptors=("former foreign minister",))


def speaker_of(engine, statement_id: str) -> str | None:
    with engine.connect() as c:
        return c.execute(sa.select(statements.c.speaker_id).where(statements.c.id == statement_id)).scalar()


def speaker_rows(engine) -> dict[str, sa.Row]:
    with engine.connect() as c:
        return {r.id: r for r in c.execute(sa.select(speakers))}


@pytest.mark.parametrize("name, parts", [
    ("Jens Stoltenberg", ("jens", "stoltenberg")),
    ("Stoltenberg", (None, "stoltenberg")),
    ("Martin Luther King Jr.", ("martin", "king")),
    ("Heinz-Christian Strache", ("heinz-christian", "strache")),
    ("J. Stoltenberg", ("j", "stoltenberg")),
])
def test_name_parts(name, parts):
    assert name_parts(name) == parts


@pytest.mark.parametrize("a, b, agree", [
    ("jens", "jens", True), ("j", "jens", True), ("jens", "j", True),
    ("jens", "thorvald", False), ("j", "thorvald", False), ("hillary", "bill", False),
])
def test_first_names_agree(a, b, agree):
    assert first_names_agree(a, b) is agree


def test_kind_of():
    assert kind_of(speaker("NATO", kind="organization")) == "organization"
    assert kind_of(speaker("Russia", kind="place")) == "place"
    assert kind_of(JENS) == "person"


def test_aliases_of_one_person_merge(engine):
    store(engine,
          article("a1", stmt("s1", "There is no way back to the old relations", JENS)),
          article("a2", stmt("s1", "Allies must spend more on defence now", speaker("Stoltenberg"))),
          article("a3", stmt("s1", "Ukraine's place is in the alliance one day",
                             speaker("Jens Stoltenberg", descriptors=("NATO chief",)))),
          article("a4", stmt("s1", "The alliance is ready to talk at any time", speaker("J. Stoltenberg"))))
    for aid in ("a1", "a2", "a3", "a4"):
        assert speaker_of(engine, f"{aid}#s1") == "jens-stoltenberg"
    rows = speaker_rows(engine)
    assert [r for r in rows if "stoltenberg" in r] == ["jens-stoltenberg"]
    jens = rows["jens-stoltenberg"]
    assert jens.name == "Jens Stoltenberg" and jens.organization == "NATO"
    assert {"Stoltenberg", "J. Stoltenberg"} <= set(jens.aliases)
    assert jens.descriptors == ["NATO Secretary General", "NATO chief"]


def test_namesakes_with_other_first_names_never_merge(engine):
    store(engine,
          article("a1", stmt("s1", "There is no way back to the old relations", JENS)),
          article("a2", stmt("s1", "Norway will always talk to its neighbours", THORVALD)),
          article("a3", stmt("s1", "Nobody should be surprised by this at all", speaker("Stoltenberg"))))
    assert speaker_of(engine, "a1#s1") == "jens-stoltenberg"
    assert speaker_of(engine, "a2#s1") == "thorvald-stoltenberg"
    # a bare surname with two candidates is nobody's alias: a speaker of its own
    assert speaker_of(engine, "a3#s1") == "stoltenberg"


def test_conflicting_roles_keep_people_apart(engine):
    store(engine,
          article("a1", stmt("s1", "The budget will be balanced next year", speaker("Anna Berg", org="Finance Ministry"))),
          article("a2", stmt("s1", "The match was decided in the last minute", speaker("Berg", org="FC Eastbridge"))),
          article("a3", stmt("s1", "The reforms will go ahead as planned", speaker("A. Berg", org="FC Eastbridge"))))
    assert speaker_of(engine, "a1#s1") == "anna-berg"
    assert speaker_of(engine, "a2#s1") == "berg"
    assert speaker_of(engine, "a3#s1") == "a-berg"


def test_surname_first_is_folded_into_the_full_name_later(engine):
    store(engine, article("a1", stmt("s1", "We will not give up the fight for this", speaker("Kowalski"))))
    assert speaker_of(engine, "a1#s1") == "kowalski"
    store(engine, article("a2", stmt("s1", "The bridge will reopen before winter comes", speaker("Anna Kowalski"))))
    assert speaker_of(engine, "a1#s1") == "anna-kowalski"
    assert speaker_of(engine, "a2#s1") == "anna-kowalski"
    rows = speaker_rows(engine)
    assert "kowalski" not in rows and "Kowalski" in rows["anna-kowalski"].aliases
    with engine.connect() as c:  # the old alias still finds her
        assert st.search(c, st.Query(speaker="kowalski"))


def test_organisations_keep_their_own_ids(engine):
    store(engine, article("a1", stmt("s1", "Spending rose for the ninth year in a row", speaker("NATO", kind="organization"))),
          article("a2", stmt("s1", "Prices will fall again in the spring", speaker("Nato Watch", kind="organization"))))
    rows = speaker_rows(engine)
    assert rows["nato"].kind == "organization" and rows["nato-watch"].kind == "organization"


@pytest.mark.parametrize("readings", [("organization", "person"), ("person", "organization")])
def test_a_name_read_as_a_person_anywhere_is_a_person_whichever_article_came_first(engine, readings):
    """The small model tags 'Trump' ORG in some articles; where another article reads the
    same name as a person (an honorific, a pronoun, a PERSON tag), the speaker is a person
    with no organisation of its own name."""
    store(engine, *[article(f"a{k}", stmt("s1", f"The deal was the worst ever, number {k}",
                                          speaker("Trump", kind=kind)))
                    for k, kind in enumerate(readings)])
    assert speaker_of(engine, "a0#s1") == speaker_of(engine, "a1#s1") == "trump"
    row = speaker_rows(engine)["trump"]
    assert (row.kind, row.organization, row.surname) == ("person", None, "trump")


def test_an_organisation_stays_one_when_no_article_reads_it_as_a_person(engine):
    store(engine, article("a1", stmt("s1", "Spending rose for the ninth year in a row", speaker("NATO", kind="organization"))),
          article("a2", stmt("s1", "Spending will rise for a tenth year", speaker("NATO", kind="organization"))))
    row = speaker_rows(engine)["nato"]
    assert (row.kind, row.organization) == ("organization", "NATO")


def test_manual_merge_moves_statements_and_holds_for_later_ingests(engine):
    store(engine,
          article("a1", stmt("s1", "The deal is good for both countries", speaker("Joe Biden"))),
          article("a2", stmt("s1", "Nobody is above the law in this country", speaker("Joseph Biden"))))
    assert speaker_of(engine, "a2#s1") == "joseph-biden"  # 'joe' is not 'joseph' to the rules
    with engine.begin() as c:
        assert st.merge(c, "Joe Biden", "joseph-biden") == ("joe-biden", "joseph-biden", 1)
    assert speaker_of(engine, "a2#s1") == "joe-biden"
    assert "joseph-biden" not in speaker_rows(engine)
    store(engine, article("a3", stmt("s1", "We will build back better than before", speaker("Joseph Biden"))))
    assert speaker_of(engine, "a3#s1") == "joe-biden"


def test_manual_split_undoes_a_merge_and_holds_for_later_ingests(engine):
    store(engine,
          article("a1", stmt("s1", "There is no way back to the old relations", JENS)),
          article("a2", stmt("s1", "Allies must spend more on defence now", speaker("Stoltenberg"))))
    assert speaker_of(engine, "a2#s1") == "jens-stoltenberg"
    with engine.begin() as c:
        assert st.split(c, "jens-stoltenberg", "Stoltenberg") == ("jens-stoltenberg", "stoltenberg", 1)
    assert speaker_of(engine, "a2#s1") == "stoltenberg"
    assert speaker_of(engine, "a1#s1") == "jens-stoltenberg"
    store(engine, article("a3", stmt("s1", "The talks will go on next week in Oslo", speaker("Stoltenberg"))))
    assert speaker_of(engine, "a3#s1") == "stoltenberg"
    rows = speaker_rows(engine)
    assert "Stoltenberg" not in rows["jens-stoltenberg"].aliases


def test_manual_corrections_reject_unknown_or_pointless_requests(engine):
    store(engine, article("a1", stmt("s1", "There is no way back to the old relations", JENS)))
    with engine.begin() as c:
        with pytest.raises(st.SpeakerError, match="no speaker"):
            st.merge(c, "jens-stoltenberg", "nobody-at-all")
        with pytest.raises(st.SpeakerError, match="already the same"):
            st.merge(c, "jens-stoltenberg", "Jens Stoltenberg")
        with pytest.raises(st.SpeakerError, match="not an alias"):
            st.split(c, "jens-stoltenberg", "Thorvald Stoltenberg")


def test_a_bare_surname_joins_the_namesake_its_article_describes(engine):
    barack = speaker("Barack Obama", descriptors=("President",))
    michelle = speaker("Michelle Obama", descriptors=("first lady",))
    store(engine,
          article("a1", stmt("s1", "Climate change is the defining challenge of our time", barack)),
          article("a2", stmt("s1", "When they go low, we go high, and we always will", michelle)),
          article("a3", stmt("s1", "The museum tells the story of all of America",
                             speaker("Obama", descriptors=("President",)))),
          article("a4", stmt("s1", "Nobody should be surprised by this at all", speaker("Obama"))))
    # 'President Obama': the article says which Obama
    assert speaker_of(engine, "a3#s1") == "barack-obama"
    # a bare 'Obama' with two Obamas stored and nothing to tell them apart stays its own
    assert speaker_of(engine, "a4#s1") == "obama"


def test_an_organisation_qualified_by_its_country_is_the_same_organisation(engine):
    store(engine,
          article("a1", stmt("s1", "The visa rules will not change this year", speaker("State Department", kind="organization"))),
          article("a2", stmt("s1", "The embassy will reopen next month", speaker("U.S. State Department", kind="organization"))),
          article("a3", stmt("s1", "Interest rates will stay where they are", speaker("Federal Reserve", kind="organization"))))
    assert speaker_of(engine, "a1#s1") == speaker_of(engine, "a2#s1") == "state-department"
    # one word left after the qualifier is no name of its own: the Federal Reserve stays itself
    assert speaker_of(engine, "a3#s1") == "federal-reserve"


def test_a_bare_surname_stored_first_joins_the_namesake_its_roles_fit_when_he_arrives(engine):
    store(engine,
          article("a1", stmt("s1", "When they go low, we go high, and we always will",
                             speaker("Michelle Obama", descriptors=("first lady",)))),
          article("a2", stmt("s1", "The schools reopen after the summer holidays",
                             speaker("Malia Obama", descriptors=("student",)))),
          article("a3", stmt("s1", "The museum tells the story of all of America",
                             speaker("Obama", descriptors=("President",)))))
    assert speaker_of(engine, "a3#s1") == "obama"  # no stored Obama is a president
    store(engine, article("a4", stmt("s1", "Climate change is the defining challenge of our time",
                                     speaker("Barack Obama", descriptors=("President",)))))
    assert speaker_of(engine, "a3#s1") == "barack-obama"
