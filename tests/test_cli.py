"""The command line: formats, stdin, exit codes, one-line errors, and eval with the real scorer."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sayso import __version__, evaluation
from sayso.cli import _table, app
from sayso.records import Article, Part, Speaker, Statement

ARTICLE = (
    'Mayor: "We will rebuild the bridge"\n\n'
    '"We will rebuild the bridge by winter," Mayor Anna Kowalski said on Tuesday. '
    "Her deputy said that the money was already in the budget.\n"
)
SCHEMA_KEYS = {"id", "title", "published", "byline", "language", "statements"}

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(map(str, args)), input=input)


def assert_error_lines(stderr: str, n: int | None = None):
    lines = stderr.splitlines()
    if lines and lines[-1].startswith("sayso: "):  # the closing counts
        assert " skipped (errors above)" in lines.pop()
    assert "Traceback" not in stderr
    assert all(line.startswith("error: ") for line in lines), lines
    if n is not None:
        assert len(lines) == n, lines


@pytest.fixture
def article(tmp_path):
    f = tmp_path / "bridge.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    return f


# ------------------------------------------------------------------ formats
def test_version():
    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"sayso {__version__}"


def test_jsonl_default(article):
    res = run("extract", article)
    assert res.exit_code == 0, res.stderr
    [line] = res.stdout.splitlines()
    d = json.loads(line)
    assert SCHEMA_KEYS <= set(d) and d["id"] == "bridge"
    for s in d["statements"]:
        assert {"id", "kind", "cue", "source", "content", "speaker", "flags", "confidence"} <= set(s)
        for part in ("cue", "content"):
            assert s[part]["text"] == " ".join(ARTICLE[a:b] for a, b in s[part]["spans"])


def test_json_array(article, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Nothing attributed here at all.", encoding="utf-8")
    res = run("extract", article, other, "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert [d["id"] for d in data] == ["bridge", "other"]
    assert res.stdout.startswith("[\n  {")  # pretty


def test_attributions_format(article):
    res = run("extract", article, "-f", "attributions")
    d = json.loads(res.stdout)
    assert set(d) == {"id", "attributions"} and d["id"] == "bridge"
    for at in d["attributions"]:
        assert set(at) == {"cue", "source", "content"}


def test_table_format(article):
    res = run("extract", article, "--format", "table")
    assert res.exit_code == 0
    for heading in ("bridge", "speaker", "cue", "kind", "content"):
        assert heading in res.stdout


def test_table_rendering_of_statements():
    text = "x" * 400
    stmt = Statement("s1", "direct", Part("said", ((0, 4),)), Part(text, ((0, 400),)))
    art = Article("art-1", (
        stmt.with_(speaker=Speaker("Anna Kowalski", "anna-kowalski"), source=Part("she", ((0, 3),))),
        stmt.with_(id="s2", kind="indirect", source=Part("The council", ((0, 11),))),
        stmt.with_(id="s3", kind="mixed", flags=("nested",)),
    ))
    out = io.StringIO()
    _table(art, out)
    shown = out.getvalue()
    assert "art-1" in shown and "Anna Kowalski" in shown and "The council" in shown and "—" in shown
    assert "she" not in shown  # the resolved name wins over the source text
    assert "x" * 200 not in shown.replace("│", "").replace(" ", "").replace("\n", "") and "…" in shown
    assert "nested" in shown
    assert "3 statement(s)" in shown


def test_stdin_dash_and_no_files(article):
    for args in (["extract", "-"], ["extract"]):
        res = run(*args, "-f", "attributions", input=ARTICLE)
        assert res.exit_code == 0, res.stderr
        assert json.loads(res.stdout)["id"].startswith("sha1-")


def test_output_file(article, tmp_path):
    out = tmp_path / "out.jsonl"
    res = run("extract", article, "-o", out)
    assert res.exit_code == 0 and res.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "bridge"


def test_jsonl_and_html_inputs(tmp_path):
    j = tmp_path / "batch.jsonl"
    j.write_text(json.dumps({"id": "j1", "text": ARTICLE, "publication_date": "2016-09-12"}) + "\n",
                 encoding="utf-8")
    h = tmp_path / "page.html"
    h.write_text("<html><head><title>Bridge</title></head><body><article><p>"
                 + ARTICLE.replace("\n", " ") + "</p></article></body></html>", encoding="utf-8")
    res = run("extract", j, h)
    assert res.exit_code == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(d["id"], d["published"]) for d in out][0] == ("j1", "2016-09-12")
    assert out[1]["id"] == "page" and out[1]["title"] == "Bridge"


# ------------------------------------------------------------------ errors and exit codes
def test_partial_batch_exits_1(article, tmp_path):
    res = run("extract", tmp_path / "missing.txt", article, "-f", "attributions")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["id"] == "bridge"
    assert_error_lines(res.stderr, 1)
    assert "missing.txt" in res.stderr and "no such file" in res.stderr


def test_jsonl_bad_line_skipped_exits_1(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join([json.dumps({"id": "a", "text": "One."}), "{broken",
                            json.dumps({"id": "b", "text": "Two."})]) + "\n", encoding="utf-8")
    res = run("extract", f, "-f", "attributions")
    assert res.exit_code == 1
    assert [json.loads(l)["id"] for l in res.stdout.splitlines()] == ["a", "b"]
    assert_error_lines(res.stderr, 1)
    assert f"{f}:2: invalid JSON" in res.stderr


@pytest.mark.parametrize("name, data", [
    ("missing.txt", None),
    ("binary.txt", b"\x7fELF\x00\x01\x02"),
    ("latin1.txt", "na\u00efve".encode("latin-1")),
    ("empty.txt", b""),
    ("bad.jsonl", b"{oops\n"),
])
def test_nothing_processed_exits_2(tmp_path, name, data):
    f = tmp_path / name
    if data is not None:
        f.write_bytes(data)
    out = tmp_path / "out.jsonl"
    res = run("extract", f, "-o", out)
    assert res.exit_code == 2
    assert_error_lines(res.stderr, 1)
    assert str(f) in res.stderr
    assert not out.exists()  # nothing processed, no empty output file


def test_empty_directory_and_empty_stdin(tmp_path):
    res = run("extract", tmp_path)
    assert res.exit_code == 2 and "directory has no" in res.stderr
    assert_error_lines(res.stderr, 1)
    res = run("extract", input="")
    assert res.exit_code == 2 and "<stdin>: empty" in res.stderr
    assert_error_lines(res.stderr, 1)


def test_unknown_model_exits_2(article):
    res = run("extract", article, "--model", "no_such_spacy_pipeline")
    assert res.exit_code == 2
    assert_error_lines(res.stderr, 1)
    assert "no_such_spacy_pipeline" in res.stderr


def test_model_from_environment(article, monkeypatch):
    monkeypatch.setenv("SAYSO_MODEL", "no_such_spacy_pipeline")
    res = run("extract", article)
    assert res.exit_code == 2 and "no_such_spacy_pipeline" in res.stderr


def test_console_entry_point_has_no_traceback(tmp_path):
    """A real process: bad input gives one line on stderr and exit 2."""
    f = tmp_path / "bin.txt"
    f.write_bytes(b"\x00\x01")
    proc = subprocess.run([sys.executable, "-m", "sayso", "extract", str(f)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {f}: binary data (contains NUL bytes), not text\n"


# ------------------------------------------------------------------ eval
GOLD_TEXT = ('"We will rebuild," Mayor Anna Kowalski said on Tuesday. '
             "The council said that the money was ready.")


def span(sub: str, after: str = "") -> list[list[int]]:
    i = GOLD_TEXT.index(sub, GOLD_TEXT.index(after))
    return [[i, i + len(sub)]]


@pytest.fixture
def gold(tmp_path):
    try:
        evaluation.find_scorer()
    except evaluation.ScorerNotFound as exc:
        pytest.skip(str(exc))
    g = tmp_path / "gold.jsonl"
    attributions = [
        {"cue": span("said on Tuesday"), "source": span("Mayor Anna Kowalski"),
         "content": span('"We will rebuild,"')},
        {"cue": span("said", after="The council"), "source": span("The council"),
         "content": span("that the money was ready")},
    ]
    g.write_text(json.dumps({"id": "g1", "text": GOLD_TEXT, "publication_date": "2024-03-05",
                             "title": "Bridge", "attributions": attributions}) + "\n",
                 encoding="utf-8")
    return g


def test_eval_runs_the_scorer(gold, tmp_path):
    pred = tmp_path / "pred.jsonl"
    res = run("eval", gold, "--save-pred", pred, "--errors", "3")
    assert res.exit_code == 0, res.stderr
    for heading in ("Articles: 1", "exact span", "token overlap", "detection",
                    "end-to-end", "Recall by gold attribution type"):
        assert heading in res.stdout
    assert "Missed gold attributions" in res.stdout and "Spurious predictions" in res.stdout
    saved = json.loads(pred.read_text(encoding="utf-8"))
    assert saved["id"] == "g1" and isinstance(saved["attributions"], list)


def test_eval_json(gold):
    res = run("eval", gold, "--json")
    assert res.exit_code == 0
    result = json.loads(res.stdout)
    assert result["n_articles"] == 1 and result["n_gold_attributions"] == 2
    assert {"exact", "overlap", "attribution", "subsets"} <= set(result)


def test_eval_scorer_option_and_missing_scorer(gold, tmp_path, monkeypatch):
    res = run("eval", gold, "--scorer", tmp_path / "nope.py")
    assert res.exit_code == 2 and "scorer not found" in res.stderr
    assert_error_lines(res.stderr, 1)
    monkeypatch.setenv("SAYSO_SCORER", str(evaluation.find_scorer()))
    res = run("eval", gold)
    assert res.exit_code == 0 and "token overlap" in res.stdout


def test_eval_unwritable_save_pred(gold, tmp_path):
    res = run("eval", gold, "--save-pred", tmp_path / "no" / "such" / "dir.jsonl")
    assert res.exit_code == 2
    assert_error_lines(res.stderr, 1)


def test_eval_missing_gold(tmp_path):
    res = run("eval", tmp_path / "nope.jsonl", "--scorer", __file__)
    assert res.exit_code == 2
    assert_error_lines(res.stderr, 1)


def test_error_report_marks_parts(tmp_path):
    g = tmp_path / "gold.jsonl"
    g.write_text(json.dumps({"id": "g1", "text": GOLD_TEXT, "attributions": [
        {"cue": span("said", after="The council"), "source": span("The council"),
         "content": span("that the money was ready")}]}) + "\n", encoding="utf-8")
    spurious = {"cue": span("said on Tuesday"), "source": [], "content": span('"We will rebuild,"')}
    report = evaluation.error_report(g, {"g1": [spurious]}, 5)
    assert "[SOURCE The council] [CUE said] [CONTENT that the money was ready]" in report
    assert '[CONTENT "We will rebuild,"] Mayor Anna Kowalski [CUE said on Tuesday]' in report
    assert "Missed gold attributions: 1 of 1" in report and "Spurious predictions: 1 of 1" in report
