"""The trusted view in the archive: ingest stores each statement's type and verdict
(``sayso.trust.is_trusted``), every reading question answers in the trusted view unless
asked ``include_all``, and exports keep everything. On SQLite and PostgreSQL, with records
built by hand: a speech statement (trusted), an intention, an unattributed one and a
low-confidence one (not)."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sayso import digest, trust
from sayso.cli import app
from sayso.store import Query, QueryError, export, search
from sayso.store.search import outside_the_view
from sayso.store import browse
from sayso.store.schema import articles, statement_articles, statements
from sayso.records import Timeline, WeekCount
from tests.store.helpers import article, speaker, stmt, store

LEE, STONE = speaker("Ann Lee"), speaker("Bob Stone")
runner = CliRunner()


def apart(*statements: dict) -> list[dict]:
    """The statements with content spans of their own (the helper gives them all one start,
    and a digest takes a span inside another's as the same remark)."""
    for i, st in enumerate(statements):
        st["content"]["spans"] = [[100 * (i + 1), 100 * (i + 1) + len(st["content"]["text"])]]
    return list(statements)


def trio(aid: str = "harbour", published: str = "2024-03-05") -> dict:
    """An article with one trusted statement and three the trusted view leaves out."""
    return article(
        aid, *apart(
            stmt("s1", "the harbour bridge will open in May", LEE),
            stmt("s2", "to build a second harbour bridge after that", LEE, type="intention"),
            stmt("s3", "the harbour bridge was badly planned", None, flags=["unattributed"]),
            stmt("s4", "harbour tolls will double next year", STONE, confidence=0.2)),
        published=published, title="Harbour bridge")


@pytest.fixture
def archive(engine):
    store(engine, trio())
    return engine


def ids(hits) -> list[str]:
    return sorted(h.local_id for h in hits)


def test_ingest_stores_type_and_verdict_of_the_one_rule(archive):
    with archive.connect() as conn:
        rows = conn.execute(sa.select(statements.c.local_id, statements.c.type, statements.c.trusted)
                            .order_by(statements.c.local_id)).all()
    assert [tuple(r) for r in rows] == [("s1", "speech", True), ("s2", "intention", False),
                                        ("s3", "speech", False), ("s4", "speech", False)]
    for st in trio()["statements"]:  # the column is the rule, not a second spelling of it
        from sayso.records import Statement
        assert dict((r[0], r[2]) for r in rows)[st["id"]] == trust.is_trusted(Statement.from_dict(st))


def test_skipped_article_is_stored_with_its_reason(engine):
    rec = {**article("fremd"), "language": "de", "skipped": "language de: sayso reads English only"}
    store(engine, rec)
    with engine.connect() as conn:
        row = conn.execute(sa.select(articles.c.language, articles.c.skipped, articles.c.n_statements)).one()
        assert tuple(row) == ("de", "language de: sayso reads English only", 0)
        assert browse.article(conn, "fremd").skipped == "language de: sayso reads English only"


def test_search_defaults_to_the_trusted_view(archive):
    with archive.connect() as conn:
        assert ids(search(conn, Query(text="harbour"))) == ["s1"]
        assert ids(search(conn, Query(text="harbour", include_all=True))) == ["s1", "s2", "s3", "s4"]
        assert ids(search(conn, Query(speaker="Bob Stone"))) == []
        page = browse.search_page(conn, Query(), 0, 10)
        assert (page.total, ids(page.rows)) == (1, ["s1"])
        assert browse.search_page(conn, Query(include_all=True), 0, 10).total == 4
        recs = [h.to_dict() for h in search(conn, Query(include_all=True))]
    assert {r["id"]: (r["type"], r["trusted"]) for r in recs} == {
        "s1": ("speech", True), "s2": ("intention", False), "s3": ("speech", False), "s4": ("speech", False)}


def test_search_by_attribution_type(archive):
    """``type`` narrows to one or more types. Asking the trusted view for types it never
    holds can only come back empty: the front ends say why (``outside_the_view``)."""
    with archive.connect() as conn:
        assert ids(search(conn, Query(type="speech"))) == ["s1"]
        assert ids(search(conn, Query(type="speech", include_all=True))) == ["s1", "s3", "s4"]
        assert ids(search(conn, Query(type="intention", include_all=True))) == ["s2"]
        assert ids(search(conn, Query(type="Intention, writing", include_all=True))) == ["s2"]
        assert ids(search(conn, Query(type="writing,thought"))) == []
        assert outside_the_view(Query(type="writing,thought")) is None  # empty here, not by rule
        assert ids(search(conn, Query(type="intention"))) == []
        assert "trusted view holds only speech, writing, thought" in outside_the_view(Query(type="intention"))
        assert outside_the_view(Query(type="intention", include_all=True)) is None
        with pytest.raises(QueryError, match="unknown type 'rumour'"):
            search(conn, Query(type="speech,rumour", include_all=True))


def test_speakers_count_trusted_statements_by_default(archive):
    with archive.connect() as conn:
        default = browse.list_speakers(conn)
        everything = browse.list_speakers(conn, include_all=True)
        assert [(s.id, s.statements) for s in default.rows] == [("ann-lee", 1)]
        assert default.total == 1  # Bob Stone said nothing trusted: not listed
        assert [(s.id, s.statements) for s in everything.rows] == [("ann-lee", 2), ("bob-stone", 1)]
        assert browse.speaker(conn, "bob-stone").statements == 0  # still found, with zero
        assert browse.speaker(conn, "bob-stone", include_all=True).statements == 1
        assert browse.timeline(conn, "ann-lee") == Timeline((WeekCount("2024-03-04", 1),), undated=0)
        assert browse.timeline(conn, "ann-lee", include_all=True).weeks == (WeekCount("2024-03-04", 2),)


def test_article_shows_trusted_statements_and_counts_the_rest(archive):
    with archive.connect() as conn:
        art = browse.article(conn, "harbour")
        assert [s.id for s in art.statements] == ["s1"] and art.hidden == 3
        assert art.statements[0].trusted is True
        every = browse.article(conn, "harbour", include_all=True)
        assert [s.id for s in every.statements] == ["s1", "s2", "s3", "s4"] and every.hidden == 0
        assert [a.statements for a in browse.list_articles(conn).rows] == [1]
        assert [a.statements for a in browse.list_articles(conn, include_all=True).rows] == [4]


def test_digest_and_reactions_read_the_trusted_view(engine):
    reply = stmt("s5", "the harbour bridge plan of Ann Lee is too costly", STONE, confidence=0.2,
                 responds_to=["s1"])
    rec = trio()
    rec["statements"] = apart(*rec["statements"], reply)
    store(engine, rec)
    with engine.connect() as conn:
        d = digest.build(conn, "harbour bridge")
        d_all = digest.build(conn, "harbour bridge", include_all=True)
        assert sorted(e.row.local_id for g in d.groups for e in g.entries) == ["s1"]
        assert {"s1", "s2", "s5"} <= {e.row.local_id for g in d_all.groups for e in g.entries}
        assert browse.reactions(conn, "ann-lee").reactions == ()
        every = browse.reactions(conn, "ann-lee", include_all=True).reactions
        assert [(r.statement_id, r.speaker_id, r.responds_to) for r in every] == [("harbour#s5", "bob-stone", ("s1",))]
        answered = browse.reactions(conn, "bob-stone", include_all=True).reacts_to
        assert [[(t.speaker_id, t.local_id) for t in r.targets] for r in answered] == [[("ann-lee", "s1")]]
        from sayso.digest import graph
        assert graph.around_speaker(conn, "ann-lee", "Ann Lee").edges == []
        assert [(e.source, e.target) for e in graph.around_speaker(conn, "ann-lee", "Ann Lee", True).edges] \
            == [("bob-stone", "ann-lee")]


def test_a_trusted_report_is_not_folded_into_an_untrusted_one(engine):
    words = "the harbour bridge will open in May as planned"
    store(engine, article("a1", stmt("s1", words, LEE, confidence=0.2)),
          article("a2", stmt("s1", words, LEE)), article("a3", stmt("s1", words, LEE)))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(statements.c.id, statements.c.trusted).order_by(statements.c.id)).all()
        links = dict(conn.execute(sa.select(statement_articles.c.article_id, statement_articles.c.statement_id)).all())
        assert [tuple(r) for r in rows] == [("a1#s1", False), ("a2#s1", True)]
        assert links == {"a1": "a1#s1", "a2": "a2#s1", "a3": "a2#s1"}  # a3 folds into the trusted one
        assert ids(search(conn, Query(text="harbour"))) == ["s1"]
        assert search(conn, Query(text="harbour"))[0].article_ids == ("a2", "a3")


def test_export_keeps_everything_with_type_and_trusted(archive, tmp_path):
    out = io.StringIO()
    assert export(archive, "jsonl", None, out) == 4
    recs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["id"], r["type"], r["trusted"]) for r in recs] == [
        ("s1", "speech", True), ("s2", "intention", False), ("s3", "speech", False), ("s4", "speech", False)]
    out = io.StringIO()
    export(archive, "csv", None, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["type"], r["trusted"]) for r in rows] == [
        ("speech", "True"), ("intention", "False"), ("speech", "False"), ("speech", "False")]
    import pyarrow.parquet as pq

    export(archive, "parquet", tmp_path / "x.parquet")
    table = pq.read_table(str(tmp_path / "x.parquet"))
    assert table.column("trusted").to_pylist() == [True, False, False, False]
    assert table.column("type").to_pylist() == ["speech", "intention", "speech", "speech"]


def test_parquet_shards_carry_type_trusted_and_skipped(tmp_path):
    from sayso.store import parquet

    import pyarrow.parquet as pq

    rec = {**trio(), "skipped": None}
    foreign = {**article("fremd"), "language": "de", "skipped": "not English"}
    from sayso.records import Article

    entries = [parquet.Entry(0, Article.from_dict(rec), "text one", None, "d1"),
               parquet.Entry(1, Article.from_dict(foreign), "text two", None, "d2")]
    parquet.write_shard(tmp_path, "part-0", entries)
    a_path, s_path = parquet.shard_paths(tmp_path, "part-0")
    s = pq.read_table(str(s_path)).to_pylist()
    assert [(r["id"], r["type"], r["trusted"]) for r in s] == [
        ("s1", "speech", True), ("s2", "intention", False), ("s3", "speech", False), ("s4", "speech", False)]
    back = parquet.read_shard(tmp_path, "part-0")
    assert back[1].article.skipped == "not English" and back[0].article.to_dict() == Article.from_dict(rec).to_dict()


# ------------------------------------------------------------------ the CLI
def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(engine, db_url):
    store(engine, trio())
    return db_url


def test_cli_search_speakers_digest_graph_show_switch_with_all(db):
    res = cli("search", "harbour", "--db", db, "--format", "jsonl")
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["s1"]
    res = cli("search", "harbour", "--db", db, "--format", "jsonl", "--all")
    assert sorted(json.loads(line)["id"] for line in res.stdout.splitlines()) == ["s1", "s2", "s3", "s4"]

    res = cli("search", "--type", "intention", "--all", "--db", db, "--format", "jsonl")
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["s2"]
    res = cli("search", "--type", "intention", "--db", db)
    assert res.exit_code == 2 and "error: the trusted view holds only" in res.stderr and "add --all" in res.stderr
    res = cli("search", "--type", "rumour", "--db", db)
    assert res.exit_code == 2 and "error: unknown type 'rumour'" in res.stderr

    res = cli("speakers", "--db", db)
    assert "ann-lee" in res.stdout and "bob-stone" not in res.stdout and "1 speaker(s)" in res.stdout
    res = cli("speakers", "--all", "--db", db)
    assert "bob-stone" in res.stdout and "2 speaker(s)" in res.stdout
    res = cli("speakers", "list", "--all", "--db", db)
    assert "bob-stone" in res.stdout

    res = cli("digest", "--query", "harbour", "--format", "json", "--db", db)
    assert res.exit_code == 0, res.output
    shown = [s["id"] for g in json.loads(res.stdout)["groups"] for s in g["statements"]]
    assert shown == ["s1"]
    res = cli("digest", "--query", "harbour", "--format", "json", "--all", "--db", db)
    assert {"s1", "s2", "s4"} <= {s["id"] for g in json.loads(res.stdout)["groups"] for s in g["statements"]}

    res = cli("graph", "--speaker", "Bob Stone", "--db", db)
    assert res.exit_code == 0 and json.loads(res.stdout)["edges"] == []
    shown = " ".join(cli("show", "harbour", "--db", db).stdout.split())  # the table wraps
    assert "1 statement(s)" in shown and "3 more outside the trusted view" in shown
    assert "4 statement(s)" in " ".join(cli("show", "harbour", "--all", "--db", db).stdout.split())
    res = cli("export", "--db", db)
    assert len(res.stdout.splitlines()) == 4  # exports keep everything
