"""The archive commands end to end: ingest, search, speakers (list/merge/split), show,
export; --db and $SAYSO_DB; one-line errors and exit codes."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sayso.cli import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def one_line_errors(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert [line for line in stderr.splitlines() if line.startswith("error: ")], stderr


@pytest.fixture
def archive(db_url, nlp):
    res = run("ingest", EXAMPLES, "--db", db_url, "--workers", 0)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("stored 5 articles with ")
    return db_url


def test_ingest_is_idempotent_and_reports(archive):
    res = run("ingest", EXAMPLES, "--db", archive, "--workers", 0)
    assert res.exit_code == 0
    assert "stored 0 articles" in res.stdout and "5 already stored; 0 errors" in res.stdout
    assert "ingest" in res.stderr  # the progress bar


def test_ingest_bad_inputs_go_on_exit_1(db_url, tmp_path, nlp):
    (tmp_path / "good.txt").write_text('"We will rebuild," Mayor Anna Kowalski said.', encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    res = run("ingest", tmp_path, "--db", db_url, "--workers", 0)
    assert res.exit_code == 1
    assert "stored 1 articles" in res.stdout and "1 errors" in res.stdout
    assert "error: " in res.stderr and "bad.txt: not valid UTF-8" in res.stderr


def test_ingest_nothing_readable_exit_2(db_url, tmp_path):
    res = run("ingest", tmp_path / "missing.txt", "--db", db_url, "--workers", 0)
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_search_formats(archive):
    res = run("search", "bridge", "--db", archive)
    assert res.exit_code == 0 and "Kowalski" in res.stdout and "statement(s)" in res.stdout
    res = run("search", "--speaker", "Kowalski", "--format", "jsonl", "--db", archive)
    recs = [json.loads(x) for x in res.stdout.splitlines()]
    assert recs and all(r["speaker"]["id"] == "anna-kowalski" and r["article_id"] == "01_bridge" for r in recs)
    res = run("search", "--kind", "direct", "--limit", 2, "--format", "csv", "--db", archive)
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 2 and all(r["kind"] == "direct" for r in rows)


def test_search_bad_query_is_one_line(archive):
    res = run("search", "--since", "last week", "--db", archive)
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_sayso_db_environment_variable(archive):
    res = run("search", "--speaker", "Kowalski", "-f", "jsonl", env={"SAYSO_DB": archive})
    assert res.exit_code == 0 and res.stdout.strip()


def test_speakers_list_merge_split(archive):
    res = run("speakers", "--top", 3, "--db", archive)
    assert res.exit_code == 0 and "3 speaker(s)" in res.stdout
    res = run("speakers", "list", "--db", archive)
    assert res.exit_code == 0 and "anna-kowalski" in res.stdout
    res = run("speakers", "merge", "Anna Kowalski", "Luis Ortega", "--db", archive)
    assert res.exit_code == 0 and "merged luis-ortega into anna-kowalski" in res.stdout
    res = run("search", "--speaker", "Luis Ortega", "-f", "jsonl", "--db", archive)
    assert {json.loads(x)["speaker"]["id"] for x in res.stdout.splitlines()} == {"anna-kowalski"}
    res = run("speakers", "--db", archive, "split", "anna-kowalski", "luis-ortega")  # --db before
    assert res.exit_code == 0 and "split luis-ortega from anna-kowalski" in res.stdout
    res = run("search", "--speaker", "Luis Ortega", "-f", "jsonl", "--db", archive)
    assert {json.loads(x)["speaker"]["id"] for x in res.stdout.splitlines()} == {"luis-ortega"}
    res = run("speakers", "merge", "nobody", "Anna Kowalski", "--db", archive)
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_show(archive):
    res = run("show", "01_bridge", "--db", archive)
    assert res.exit_code == 0
    assert "title: Kowalski" in res.stdout and "Mayor Anna Kowalski told reporters" in res.stdout
    assert "Anna Kowalski" in res.stdout and "statement(s)" in res.stdout
    res = run("show", "no-such-article", "--db", archive)
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_export_formats(archive, tmp_path):
    res = run("export", "--db", archive)
    recs = [json.loads(x) for x in res.stdout.splitlines()]
    assert res.exit_code == 0 and recs and all("article_id" in r and "cue" in r for r in recs)
    out = tmp_path / "all.csv"
    res = run("export", "--format", "csv", "-o", out, "--db", archive)
    assert res.exit_code == 0 and len(list(csv.DictReader(out.open()))) == len(recs)
    out = tmp_path / "all.parquet"
    res = run("export", "--format", "parquet", "-o", out, "--db", archive)
    assert res.exit_code == 0 and out.stat().st_size > 0
    res = run("export", "--format", "parquet", "--db", archive)
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_read_commands_on_a_missing_archive(tmp_path):
    for args in (["search", "x"], ["speakers"], ["show", "a"], ["export"]):
        res = run(*args, "--db", tmp_path / "none.db")
        assert res.exit_code == 2, args
        one_line_errors(res.stderr)
        assert "no archive here" in res.stderr
    assert not (tmp_path / "none.db").exists()


def test_unreachable_server_is_one_line(tmp_path):
    res = run("search", "x", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert res.exit_code == 2
    one_line_errors(res.stderr)
    res = run("search", "x", "--db", "nosuchdialect://x/y")
    assert res.exit_code == 2
    one_line_errors(res.stderr)


def test_ingest_accuracy_chooses_the_tier(tmp_path, monkeypatch):
    """`ingest --accuracy rules` stores what `extract --accuracy rules` finds."""
    monkeypatch.delenv("SAYSO_ACCURACY", raising=False)
    examples = Path(__file__).resolve().parents[2] / "examples"
    counts = {}
    for tier in ("rules", "fast"):
        db = f"sqlite:///{tmp_path / tier}.db"
        r = run("ingest", examples, "--db", db, "--workers", 0, "--accuracy", tier)
        assert r.exit_code == 0, r.output
        monkeypatch.delenv("SAYSO_ACCURACY", raising=False)
        out = run("export", "--db", db, "--format", "jsonl")
        counts[tier] = len(out.stdout.splitlines())  # one statement per line
        ex = run("extract", *sorted(examples.glob("*.txt")), "--accuracy", tier)
        assert counts[tier] == sum(len(json.loads(line)["statements"]) for line in ex.stdout.splitlines())
    assert counts["rules"] != counts["fast"]
