"""Export: JSON Lines (statement record + article_id), CSV, Parquet; every statement once."""
from __future__ import annotations

import csv
import io
import json

import pytest

from sayso.store import export

from .helpers import article, speaker, stmt, store

SCHEMA_KEYS = {"id", "kind", "cue", "source", "content", "speaker", "date", "place", "event",
               "channel", "responds_to", "flags", "confidence"}
MAYOR = speaker("Anna Kowalski", descriptors=("Mayor",))


@pytest.fixture
def archive(engine):
    store(engine,
          article("a1", *(stmt(f"s{i}", f"statement number {i} was made here", MAYOR) for i in range(1, 12)),
                  published="2024-03-05"),
          article("a2", stmt("s1", "Statement number 3 was made here!", speaker("Kowalski")),
                  stmt("s2", "the figure is a hope", None)))
    return engine


def test_jsonl_one_statement_record_per_line(archive, tmp_path):
    out = tmp_path / "all.jsonl"
    assert export(archive, "jsonl", out) == 12
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 12
    for r in recs:
        assert SCHEMA_KEYS <= set(r) and "article_id" in r
    # ingest order, and within an article the article's own order (s2 before s10)
    assert [r["id"] for r in recs[:11]] == [f"s{i}" for i in range(1, 12)]
    s3 = recs[2]
    assert s3["article_ids"] == ["a1", "a2"] and s3["speaker"]["id"] == "anna-kowalski"
    assert recs[-1]["article_id"] == "a2" and recs[-1]["speaker"] is None


def test_csv(archive):
    buf = io.StringIO()
    assert export(archive, "csv", None, buf) == 12
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert len(rows) == 12 and json.loads(rows[2]["article_ids"]) == ["a1", "a2"]
    assert json.loads(rows[0]["content_spans"]) == [[10, 10 + len(rows[0]["content"])]]


def test_parquet(archive, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "all.parquet"
    assert export(archive, "parquet", out) == 12
    table = pq.read_table(out)
    assert table.num_rows == 12 and table.column("speaker_id").to_pylist()[0] == "anna-kowalski"


def test_empty_archive_exports_nothing(engine, tmp_path):
    assert export(engine, "jsonl", tmp_path / "x.jsonl") == 0
    assert export(engine, "parquet", tmp_path / "x.parquet") == 0
