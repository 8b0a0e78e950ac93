"""Writing records: one transaction per article, idempotent by content hash, near-duplicate
statements from several outlets stored once with several article references."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from sayso.records import Article
from sayso.store import Writer, content_hash
from sayso.store.ingest import dup_keys, iso_date, normalise, said_on
from sayso.store.schema import articles, statement_articles, statements

from .conftest import dump
from .helpers import article, speaker, stmt, store

MAYOR = speaker("Anna Kowalski", descriptors=("Mayor",))
BRANDT = speaker("Piet Brandt")
QUOTE = '"We will not abandon the people on the other bank,"'


def count(engine, table) -> int:
    with engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def refs(engine, statement_id: str) -> list[str]:
    with engine.connect() as c:
        return sorted(c.execute(sa.select(statement_articles.c.article_id)
                                .where(statement_articles.c.statement_id == statement_id)).scalars())


@pytest.mark.parametrize("text, words", [
    ('"We will rebuild," she said', ["we", "will", "rebuild", "she", "said"]),
    ("that the bridge will reopen", ["the", "bridge", "will", "reopen"]),
    ("“Ça va” — oui", ["ça", "va", "oui"]),
])
def test_normalise(text, words):
    assert normalise(text) == words


def test_dup_keys_ignore_case_quotes_and_that():
    assert dup_keys(QUOTE) == dup_keys("we will not abandon the people on the other bank")
    assert dup_keys("that the bridge will reopen soon") == dup_keys("The bridge will reopen soon.")
    assert dup_keys("no comment") == (None, None, None)  # too short to merge


@pytest.mark.parametrize("date, published, expected", [
    ("2024-02-15", "2024-03-01", "2024-02-15"),
    ("--02-15", "2024-03-01", "2024-03-01"),
    (None, "2016-09-12T10:00:00Z", "2016-09-12"),
    (None, "Tue, 05 Mar 2024 10:00:00 GMT", "2024-03-05"),
    (None, "last week", None),
    (None, None, None),
])
def test_said_on(date, published, expected):
    assert said_on(date, published) == expected


def test_iso_date_forms():
    assert iso_date("2024-03-05") == "2024-03-05"
    assert iso_date("") is None


def test_article_and_statements_stored_with_all_fields(engine):
    rec = article("01_bridge", stmt("s1", QUOTE, MAYOR, kind="direct", date="2024-03-05",
                                    place="Eastbridge", flags=["nested"], responds_to=["s0"]),
                  stmt("s2", "the figure was a hope", None), published="2024-03-06", title="Bridge")
    [w] = store(engine, rec, source="Daily Bugle")
    assert (w.article_id, w.statements, w.merged) == ("01_bridge", 2, 0)
    with engine.connect() as c:
        a = c.execute(sa.select(articles)).one()
        s1 = c.execute(sa.select(statements).where(statements.c.id == "01_bridge#s1")).one()
        s2 = c.execute(sa.select(statements).where(statements.c.id == "01_bridge#s2")).one()
    assert (a.title, a.published, a.source, a.seq, a.n_statements) == ("Bridge", "2024-03-06", "Daily Bugle", 1, 2)
    assert a.content_hash == content_hash(a.text)
    assert s1.cue == {"text": "said", "spans": [[0, 4]]} and s1.content["text"] == QUOTE
    assert (s1.kind, s1.speaker_id, s1.date, s1.said_on, s1.place) == ("direct", "anna-kowalski", "2024-03-05", "2024-03-05", "Eastbridge")
    assert s1.flags == ["nested"] and s1.responds_to == ["s0"] and s1.speaker == MAYOR
    assert s2.speaker_id is None and s2.source is None and s2.said_on == "2024-03-06"


def test_same_text_is_stored_once(engine):
    rec = Article.from_dict(article("a1", stmt("s1", QUOTE, MAYOR)))
    w = Writer(engine)
    assert w.write(rec, "the text") is not None
    assert w.write(rec, "the text") is None
    assert w.write(Article.from_dict(article("other-id", stmt("s1", QUOTE, MAYOR))), "the text") is None
    assert count(engine, articles) == 1 and count(engine, statements) == 1
    assert w.known_hashes([content_hash("the text"), content_hash("nope")]) == {content_hash("the text")}


def test_same_id_other_text_gets_a_suffixed_id(engine):
    w = Writer(engine)
    w.write(Article.from_dict(article("a1", stmt("s1", QUOTE, MAYOR))), "first text")
    got = w.write(Article.from_dict(article("a1", stmt("s1", "another thing entirely was said here", BRANDT))),
                  "second text")
    assert got.article_id == "a1~" + content_hash("second text")[:8]


def test_an_article_that_fails_midway_leaves_nothing_behind(engine):
    bad = article("a1", stmt("s1", QUOTE, MAYOR), stmt("s1", "the same local id again, refused"))
    with pytest.raises(Exception):
        Writer(engine).write(Article.from_dict(bad), "some text")
    assert count(engine, articles) == 0 and count(engine, statements) == 0
    assert count(engine, statement_articles) == 0


def test_same_statement_from_several_outlets_is_one_statement(engine):
    store(engine,
          article("bugle", stmt("s1", QUOTE, MAYOR, kind="direct")),
          article("herald", stmt("s4", "we will not abandon the people on the other bank", MAYOR)),
          article("post", stmt("s2", '"We will not abandon people on the other bank,"', MAYOR, kind="direct")))
    assert count(engine, statements) == 1
    assert refs(engine, "bugle#s1") == ["bugle", "herald", "post"]
    with engine.connect() as c:
        rec = c.execute(sa.select(statement_articles.c.record).where(
            statement_articles.c.article_id == "herald")).scalar()
    assert rec["id"] == "s4"  # each article keeps its own record and spans


@pytest.mark.parametrize("second", [
    stmt("s1", QUOTE, BRANDT),                                           # another speaker
    stmt("s1", QUOTE, None),                                             # no speaker
    stmt("s1", '"We will abandon the people on the other bank now, sadly,"', MAYOR),  # not near enough
])
def test_not_merged(engine, second):
    store(engine, article("a1", stmt("s1", QUOTE, MAYOR)), article("a2", second))
    assert count(engine, statements) == 2


def test_short_or_same_article_statements_never_merge(engine):
    store(engine,
          article("a1", stmt("s1", "no comment", MAYOR), stmt("s2", QUOTE, MAYOR), stmt("s3", QUOTE, MAYOR)),
          article("a2", stmt("s1", "no comment", MAYOR), stmt("s2", QUOTE, MAYOR), stmt("s3", QUOTE, MAYOR)))
    # a1's two reports stay two statements; a2's fold into them one each; "no comment" never merges
    assert count(engine, statements) == 4
    assert refs(engine, "a1#s2") == ["a1", "a2"] and refs(engine, "a1#s3") == ["a1", "a2"]


def test_same_inputs_same_archive_on_every_run(db_url, tmp_path):
    from sayso.store import open_engine

    recs = [article(f"a{i}", stmt("s1", QUOTE, MAYOR), stmt("s2", f"the plan number {i} is fine", speaker("Stoltenberg")),
                    stmt("s3", "the alliance will grow again soon", speaker("Jens Stoltenberg")))
            for i in range(4)]
    e1 = open_engine(db_url)
    store(e1, *recs)
    other = open_engine(f"sqlite:///{tmp_path / 'other.db'}")
    store(other, *recs[:2])
    store(other, *recs)  # a re-run after an interruption
    assert dump(e1) == {k: v for k, v in dump(other).items() if k in dump(e1)}
    e1.dispose()
    other.dispose()


def test_postgresql_copy_stores_exactly_what_insert_stores():
    """PostgreSQL takes an article's statements through COPY: the archive is the one that
    INSERT gives, row for row (JSON nulls, lists, floats and merges included)."""
    from sayso.store import open_engine

    from .conftest import pg_database

    js = speaker("Jens Stoltenberg", org="NATO", descriptors=("NATO Secretary General",))
    records = [
        article("a1", stmt("s1", "the alliance will not go back", js, date="--02-15"),
                stmt("s2", "a quote with “marks” and a 'tick'", None, kind="direct",
                     flags=["truncated"], responds_to=["s1"]), published="2023-02-27"),
        article("a2", stmt("s1", "The alliance will not go back.", js)),  # folds into a1#s1
    ]
    dumps = []
    for copy in (True, False):
        with pg_database() as url:
            eng = open_engine(url)
            w = Writer(eng, copy=copy)
            assert w.copy is copy
            for r in records:
                w.write(Article.from_dict(r), f"text of {r['id']}")
            dumps.append(dump(eng))
            eng.dispose()
    assert dumps[0] == dumps[1]
    assert len(dumps[0]["statements"]) == 2 and len(dumps[0]["statement_articles"]) == 3
