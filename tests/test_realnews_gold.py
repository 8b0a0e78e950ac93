"""The real-news gold (eval/realnews/gold/): its offsets still fit the pages, and `sayso eval`
on a folder of gold files, shown on an invented page so that no shared page is needed."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sayso import evaluation, realnews
from sayso.cli import app

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "eval" / "realnews" / "gold"
PAGES = REPO.parent / "shared" / "data" / "realnews" / "html"

spec = importlib.util.spec_from_file_location("realnews_gold", REPO / "tools" / "realnews_gold.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

runner = CliRunner()


@pytest.mark.skipif(not PAGES.is_dir(), reason="the shared real-news pages are not here")
def test_every_gold_file_fits_its_page():
    """A reader change that moves offsets fails here, naming the pages."""
    assert tool.check(GOLD, PAGES) == []


# ------------------------------------------------------------------ an invented page
HTML = """<!DOCTYPE html><html lang="en"><head><title>Harbour bridge to close for repairs</title>
<meta property="og:type" content="article"></head><body><article>
<h1>Harbour bridge to close for repairs</h1>
<p>The harbour bridge in Port Elsby will close for six weeks from May, the city council announced on Monday.
Engineers found cracks in two of its supports during an inspection in the winter, and the repairs cannot wait.</p>
<p>"We know this will be hard for commuters, but safety comes first," said Mayor Lena Okafor, who asked drivers
to use the ring road. Ferries will run every twenty minutes while the bridge is shut.</p>
<p>Local shop owners said they feared a quiet summer. A survey by the chamber of commerce found that most
customers reach the old town by car.</p>
</article></body></html>
"""


def span(text: str, phrase: str) -> list[list[int]]:
    i = text.index(phrase)
    assert text.find(phrase, i + 1) == -1, phrase
    return [[i, i + len(phrase)]]


@pytest.fixture
def invented(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "bridge.html").write_text(HTML, encoding="utf-8")
    (pages / "quiet.html").write_text(HTML.replace("<p>", "<p>Ferries. ").replace(
        "Harbour bridge to close", "Ferry timetable"), encoding="utf-8")
    text = realnews.page_text(pages / "bridge.html")
    quote = '"We know this will be hard for commuters, but safety comes first,"'
    statements = [
        {"cue": span(text, "announced"), "source": span(text, "the city council"),
         "content": span(text, "The harbour bridge in Port Elsby will close for six weeks from May"),
         "speaker": "Port Elsby city council", "type": "speech"},
        {"cue": [[span(text, "said Mayor")[0][0], span(text, "said Mayor")[0][0] + 4]], "source": span(text, "Mayor Lena Okafor"),
         "content": span(text, quote), "speaker": "Lena Okafor", "type": "speech"},
        {"cue": span(text, "said they feared"), "source": span(text, "Local shop owners"),
         "content": span(text, "a quiet summer"), "speaker": None, "type": "thought"},
    ]
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "bridge.json").write_text(json.dumps({
        "page": "bridge.html", "text_sha256": realnews.sha256(text), "text_chars": len(text),
        "statements": statements}), encoding="utf-8")
    quiet = realnews.page_text(pages / "quiet.html")
    (gold / "quiet.json").write_text(json.dumps({
        "page": "quiet.html", "text_sha256": realnews.sha256(quiet), "text_chars": len(quiet),
        "statements": []}), encoding="utf-8")
    return gold, pages, text


def test_check_passes_and_catches_bad_gold(invented):
    gold, pages, text = invented
    assert tool.check(gold, pages) == []
    obj = json.loads((gold / "bridge.json").read_text())
    obj["statements"][0]["type"] = "gossip"
    (gold / "bridge.json").write_text(json.dumps(obj))
    assert any("type 'gossip'" in p for p in tool.check(gold, pages))
    obj["statements"][0]["type"] = "speech"
    obj["statements"][0]["content"] = [[len(text) - 2, len(text) + 5]]
    (gold / "bridge.json").write_text(json.dumps(obj))
    assert any("outside the text" in p for p in tool.check(gold, pages))


def test_build_from_a_spec(invented):
    _, _, text = invented
    built = tool.build(text, "speech | Lena Okafor | said | Mayor Lena Okafor | \"We know ... comes first,\"\n"
                             "thought | - | said | Local shop owners | a quiet summer\n")
    assert [st["type"] for st in built] == ["speech", "thought"]
    s, e = built[0]["content"][0]
    assert text[s:e].startswith('"We know') and text[s:e].endswith('first,"')
    s, e = built[0]["cue"][0]
    assert text[s:e] == "said" and text[e:e + 6] == " Mayor"


@pytest.fixture
def scorer():
    try:
        return evaluation.find_scorer()
    except evaluation.ScorerNotFound as exc:
        pytest.skip(str(exc))


def test_eval_on_a_gold_folder(invented, scorer, tmp_path):
    gold, pages, _ = invented
    pred = tmp_path / "pred.jsonl"
    res = runner.invoke(app, ["eval", str(gold), "--pages", str(pages), "--accuracy", "rules",
                              "--save-pred", str(pred)])
    assert res.exit_code == 0, res.stderr
    assert "Articles: 2" in res.stdout  # the scorer's own report
    assert "detection precision, all predictions vs all gold" in res.stdout
    assert "detection recall, gold speech/writing with a named speaker" in res.stdout
    assert "  quiet: " in res.stdout
    assert {json.loads(line)["id"] for line in pred.read_text().splitlines()} == {"bridge", "quiet"}

    res = runner.invoke(app, ["eval", str(gold), "--pages", str(pages), "--accuracy", "rules",
                              "--trusted", "--json"])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["trusted"] is True and out["recall_subset"]["n_gold_attributions"] == 2
    assert out["all"]["n_gold_attributions"] == 3 and set(out["no_statement_pages"]) == {"quiet"}


def test_eval_fails_loudly_when_the_text_moved(invented, scorer):
    gold, pages, _ = invented
    html = (pages / "bridge.html").read_text()
    (pages / "bridge.html").write_text(html.replace("for six weeks", "for seven weeks"))
    res = runner.invoke(app, ["eval", str(gold), "--pages", str(pages), "--accuracy", "rules"])
    assert res.exit_code == 2
    assert "bridge.html: the extracted text changed" in res.stderr and "Traceback" not in res.stderr
