"""Export never harms the archive or a previous export, and its files are safe to open:
``-o`` naming the archive itself is refused before anything is written; the file is written
beside its destination under a temporary name and renamed over it at the end, so a failed
export leaves the old file as it was; CSV cells that a spreadsheet would run as a formula
are neutralised; lists stay lists (JSON arrays in CSV, list columns in Parquet)."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from typer.testing import CliRunner

from sayso.cli import app
from sayso.store import export, open_engine
from sayso.store.export import ExportError, neutralise

from .helpers import article, speaker, stmt, store

HOSTILE_ID = "=cmd|' /C calc'!A0"


@pytest.fixture
def archive_file(tmp_path):
    path = tmp_path / "a.db"
    engine = open_engine(path)
    store(engine,
          article(HOSTILE_ID, stmt("s1", "@SUM(A1:A9) is what the mayor wants", speaker("+SUM(1,2)")),
                  stmt("s2", "-2+3 is the figure", speaker("Anna Kowalski")), published="2024-03-05"),
          article("with space", stmt("s1", "@SUM(A1:A9) is what the mayor wants", speaker("+SUM(1,2)")),
                  stmt("s2", "\tthe tab came first", None)),
          article("\rcarriage", stmt("s1", "the figure is a hope", speaker("Anna Kowalski"))))
    engine.dispose()
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_onto_the_archive_is_refused(archive_file, fmt, tmp_path):
    before = digest(archive_file)
    for target in (archive_file, tmp_path / "." / "a.db", tmp_path / "a.db-wal"):
        res = CliRunner().invoke(app, ["export", "-f", fmt, "--db", str(archive_file), "-o", str(target)])
        assert res.exit_code == 2, res.output
        [line] = res.stderr.splitlines()
        assert line.startswith("error: ") and "archive" in line and "Traceback" not in res.output
    assert digest(archive_file) == before
    res = CliRunner().invoke(app, ["search", "--db", str(archive_file), "-f", "jsonl", "--all"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 4


def test_export_onto_a_link_to_the_archive_is_refused(archive_file, tmp_path):
    (tmp_path / "link.csv").symlink_to(archive_file)
    engine = open_engine(archive_file)
    with pytest.raises(ExportError):
        export(engine, "csv", tmp_path / "link.csv")
    engine.dispose()


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(archive_file, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    import importlib

    export_mod = importlib.import_module("sayso.store.export")

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod, "csv_row", broken)
    engine = open_engine(archive_file)
    with pytest.raises(OSError):
        export(engine, "csv", out)
    engine.dispose()
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "a.db-shm", "a.db-wal", "out.csv"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "out.csv"]


def test_export_replaces_the_file_at_the_end(archive_file, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    engine = open_engine(archive_file)
    assert export(engine, "jsonl", out) == 4
    engine.dispose()
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


@pytest.mark.parametrize("value", ["=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", HOSTILE_ID])
def test_neutralise(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["fine", "", "1.5", "'quoted", None, 0.9, " =not first"])
def test_neutralise_leaves_the_rest(value):
    assert neutralise(value) == value


def _cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _no_formula(rows: list[dict]) -> None:
    for row in rows:
        for key, cell in row.items():
            assert not (cell or "").startswith(("=", "+", "-", "@", "\t", "\r")), (key, cell)


def test_csv_export_and_search_csv_have_no_formula_cells(archive_file):
    engine = open_engine(archive_file)
    buf = io.StringIO()
    export(engine, "csv", None, buf)
    engine.dispose()
    rows = _cells(buf.getvalue())
    _no_formula(rows)
    assert rows[0]["article_id"] == "'" + HOSTILE_ID and rows[0]["speaker"] == "'+SUM(1,2)"
    assert rows[0]["content"] == "'@SUM(A1:A9) is what the mayor wants"
    res = CliRunner().invoke(app, ["search", "--db", str(archive_file), "-f", "csv", "-n", "0", "--all"])
    assert res.exit_code == 0, res.output
    found = _cells(res.stdout)
    assert len(found) == 4
    _no_formula(found)


def test_lists_are_lists(archive_file, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    engine = open_engine(archive_file)
    buf = io.StringIO()
    export(engine, "csv", None, buf)
    export(engine, "parquet", tmp_path / "all.parquet")
    engine.dispose()
    rows = _cells(buf.getvalue())
    folded = next(r for r in rows if "with space" in r["article_ids"])
    assert json.loads(folded["article_ids"]) == [HOSTILE_ID, "with space"]  # a list, ids as given
    assert json.loads(folded["content_spans"]) == [[10, 45]]
    table = pq.read_table(tmp_path / "all.parquet")
    assert table.schema.field("article_ids").type == pa.list_(pa.string())
    assert table.schema.field("flags").type == pa.list_(pa.string())
    assert pa.types.is_list(table.schema.field("content_spans").type)
    first = table.to_pylist()[0]
    assert first["article_ids"] == [HOSTILE_ID, "with space"]  # Parquet is data: never neutralised
    assert first["content_spans"] == [{"start": 10, "end": 45}]
