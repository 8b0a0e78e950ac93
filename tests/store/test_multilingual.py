"""A crawl in several languages: every article is stored with its language; those sayso does
not read have no statements and say why; the English one is analysed as before. Also
through the Parquet shards the Dask engine writes."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from sayso.cli import app
from sayso.language import skip_reason
from sayso.store import open_engine
from sayso.store.ingest import content_hash
from sayso.store.schema import articles, statements

FOLDER = Path(__file__).resolve().parents[1] / "data" / "multilingual"
LANGUAGES = {"de_hafen": "de", "fr_marche": "fr", "ru_most": "ru", "es_biblioteca": "es", "en_ferry": "en"}
runner = CliRunner()


def stored(url: str) -> dict[str, tuple[str, str | None, int, int]]:
    """Per article id: language, skipped, n_statements, statement rows."""
    eng = open_engine(url)
    try:
        with eng.connect() as c:
            counts = dict(c.execute(sa.select(statements.c.article_id, sa.func.count())
                                    .group_by(statements.c.article_id)).all())
            rows = c.execute(sa.select(articles.c.id, articles.c.language, articles.c.skipped,
                                       articles.c.n_statements)).all()
    finally:
        eng.dispose()
    return {r.id: (r.language, r.skipped, r.n_statements, counts.get(r.id, 0)) for r in rows}


def test_a_multilingual_folder_stores_no_statements_from_foreign_articles(db_url):
    res = runner.invoke(app, ["ingest", str(FOLDER), "--db", db_url, "--workers", "0"])
    assert res.exit_code == 0, res.stderr
    assert "sayso: 4 articles not in English: stored without statements" in res.stderr
    assert res.stdout.startswith("stored 5 articles with ")
    got = stored(db_url)
    assert {aid: lang for aid, (lang, *_) in got.items()} == LANGUAGES
    for aid, (lang, skipped, n, rows) in got.items():
        if lang == "en":
            assert skipped is None and n == rows >= 3, (aid, n, rows)
        else:
            assert (skipped, n, rows) == (skip_reason(lang), 0, 0), aid
    again = runner.invoke(app, ["ingest", str(FOLDER), "--db", db_url, "--workers", "0"])
    assert again.exit_code == 0 and "not in English" not in again.stderr  # none stored this time


def test_parquet_shards_carry_language_and_skipped(tmp_path):
    from sayso.engine.dask import load_shards
    from sayso.records import Article
    from sayso.store import parquet

    text = (FOLDER / "de_hafen.txt").read_text(encoding="utf-8")
    record = {"id": "de_hafen", "title": None, "published": None, "byline": None, "url": None,
              "language": "de", "skipped": skip_reason("de"), "statements": []}
    parquet.write_shard(tmp_path, "p0", [parquet.Entry(0, Article.from_dict(record), text, None,
                                                     content_hash(text))])
    (back,) = parquet.read_shard(tmp_path, "p0")
    assert (back.article.language, back.article.skipped) == ("de", skip_reason("de"))
    url = f"sqlite:///{tmp_path / 'sayso.db'}"
    eng = open_engine(url)
    stats = load_shards(eng, tmp_path, ["p0"])
    eng.dispose()
    assert (stats.stored, stats.not_read, stats.statements) == (1, 1, 0)
    assert stored(url) == {"de_hafen": ("de", skip_reason("de"), 0, 0)}
