"""Search: full text (FTS5 / tsvector), filters, newest first, bound parameters only."""
from __future__ import annotations

import pytest

from sayso.store import Query, QueryError, search
from sayso.store.schema import articles
from sayso.store.search import date_bound, fts5_query

from .helpers import article, speaker, stmt, store

JENS = speaker("Jens Stoltenberg", org="NATO", descriptors=("NATO Secretary General",))
SCHOLZ = speaker("Olaf Scholz", country="Germany", descriptors=("German Chancellor",))
ZAKHAROVA = speaker("Maria Zakharova", org="Russian Foreign Ministry")


@pytest.fixture
def archive(engine):
    store(engine,
          article("jan", stmt("s1", "Ukraine will become a member of the alliance", JENS, kind="indirect"),
                  stmt("s2", '"Membership is not on the agenda today,"', SCHOLZ, kind="direct"),
                  published="2023-01-20"),
          article("feb", stmt("s1", "Ukraine's membership is a question for the allies", JENS, date="2023-02-15"),
                  stmt("s2", "NATO is preparing for a long confrontation", ZAKHAROVA, date="2023-02-16"),
                  published="2023-02-20"),
          article("mar", stmt("s1", '"The door to membership remains open,"', speaker("Stoltenberg"), kind="direct"),
                  stmt("s2", "Germany will deliver more tanks to Ukraine", SCHOLZ),
                  published="2023-03-02"),
          article("undated", stmt("s1", "Ukraine needs members of parliament who listen", None)))
    return engine


def ids(engine, **kw) -> list[str]:
    with engine.connect() as c:
        return [r.statement_id for r in search(c, Query(**kw))]


def test_text_search_uses_stemming_and_is_newest_first(archive):
    assert ids(archive, text="membership") == ["mar#s1", "feb#s1", "jan#s2"]
    assert ids(archive, text="members") == ["jan#s1", "undated#s1"]
    assert ids(archive, text="delivered tank") == ["mar#s2"]  # deliver/tanks stemmed


def test_phrase_exclusion_and_or(archive):
    assert ids(archive, text='"long confrontation"') == ["feb#s2"]
    assert ids(archive, text='"confrontation long"') == []
    assert ids(archive, text="membership -door") == ["feb#s1", "jan#s2"]
    assert ids(archive, text="tanks OR confrontation") == ["mar#s2", "feb#s2"]


def test_speaker_filter_by_surname_name_or_id(archive):
    want = ["mar#s1", "feb#s1", "jan#s1"]
    assert ids(archive, speaker="Stoltenberg") == want
    assert ids(archive, speaker="Jens Stoltenberg") == want
    assert ids(archive, speaker="jens-stoltenberg") == want
    assert ids(archive, speaker="Nobody Known") == []


def test_the_stoltenberg_question(archive):
    """Everything Stoltenberg said about Ukraine's membership in February, newest first."""
    assert ids(archive, text="Ukraine membership", speaker="Stoltenberg", since="2023-02", until="2023-02") == ["feb#s1"]


def test_org_kind_and_dates(archive):
    assert ids(archive, org="nato") == ["mar#s1", "feb#s1", "jan#s1"]
    assert ids(archive, org="foreign ministry") == ["feb#s2"]
    assert ids(archive, kind="direct") == ["mar#s1", "jan#s2"]
    assert ids(archive, since="2023-02-16") == ["mar#s1", "mar#s2", "feb#s2"]
    assert ids(archive, until="2023-01") == ["jan#s1", "jan#s2"]
    assert ids(archive, since="2023") [-1] == "jan#s2"
    assert ids(archive)[-1] == "undated#s1"  # undated last


def test_limit_and_article_references(archive):
    with archive.connect() as c:
        rows = search(c, Query(text="membership", limit=1))
    assert len(rows) == 1 and rows[0].article_ids == ("mar",) and rows[0].speaker_name == "Jens Stoltenberg"


@pytest.mark.parametrize("text", [
    "'; DROP TABLE articles; --", 'unbalanced "quote', "NEAR(a b)", "col:umn*", "a AND OR NOT",
    "-", "OR membership", "membership OR",
])
def test_hostile_text_is_just_text(archive, text):
    try:
        ids(archive, text=text)
    except QueryError:
        pass  # nothing searchable: a clear error, never an SQL one
    with archive.connect() as c:
        assert c.execute(articles.select()).first() is not None


def test_bad_queries(archive):
    with pytest.raises(QueryError, match="not a date"):
        ids(archive, since="February")
    with pytest.raises(QueryError, match="unknown kind"):
        ids(archive, kind="rumour")


@pytest.mark.parametrize("value, upper, bound", [
    ("2023", False, "2023-01-01"), ("2023", True, "2023-12-31"),
    ("2023-02", False, "2023-02-01"), ("2023-02", True, "2023-02-31"), ("2023-02-15", True, "2023-02-15"),
])
def test_date_bounds(value, upper, bound):
    assert date_bound(value, upper) == bound


@pytest.mark.parametrize("text, expr", [
    ("ukraine membership", '"ukraine" AND "membership"'),
    ('"door to membership" -open', '"door to membership" NOT "open"'),
    ("tanks OR jets", '("tanks" OR "jets")'),
    ("it's", '"it s"'),
    ("--", None),
])
def test_fts5_query(text, expr):
    assert fts5_query(text) == expr
