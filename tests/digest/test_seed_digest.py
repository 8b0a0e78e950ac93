"""The issue's acceptance test: a digest about NATO from an archive of the reference article
plus PolNeAR dev groups the speakers by country or organisation, with dates, and every line
is traceable to its article's text."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sayso.cli import app
from sayso.store import open_engine
from sayso.store.schema import articles
from tests.digest.conftest import SEED_ID

QUERY = "Ukraine NATO membership"
EXPECTED = {  # speaker → the heading the reference article's camps put them under
    "Jens Stoltenberg": "NATO",
    "Lloyd Austin": "United States",
    "Grigory Karasin": "Russia",
    "Maria Zakharova": "Russia",
    "Heinz-Christian Strache": "Austria",
    "Janine Wissler": "Germany",
    "Olaf Scholz": "Germany",
}
DATES = {"Lloyd Austin": "On 15 February", "Janine Wissler": "On 25 February",
         "Olaf Scholz": "On 24 February", "Heinz-Christian Strache": "On 25 February"}


@pytest.fixture(scope="module")
def result(dev_archive) -> dict:
    out = CliRunner().invoke(app, ["digest", "--query", QUERY, "--format", "json", "--db", dev_archive])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def result_all(dev_archive) -> dict:
    """The digest of every statement (``--all``), not only the trusted view."""
    out = CliRunner().invoke(app, ["digest", "--query", QUERY, "--format", "json", "--all", "--db", dev_archive])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def texts(dev_archive) -> dict[str, str]:
    eng = open_engine(dev_archive)
    with eng.connect() as conn:
        t = dict(conn.execute(sa.select(articles.c.id, articles.c.text)).all())
    eng.dispose()
    return t


def _by_speaker(result: dict) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for g in result["groups"]:
        for s in g["statements"]:
            if s["speaker"]:
                groups.setdefault(s["speaker"]["name"], set()).add(g["name"])
    return groups


def test_shape(result):
    assert result["query"] == QUERY
    assert result["groups"] and all(g["name"] and g["statements"] for g in result["groups"])
    names = [g["name"] for g in result["groups"]]
    assert len(names) == len(set(names))
    assert "Other" not in names[:-1]  # "Other", if any, comes last


def test_seed_speakers_grouped_by_camp(result, result_all):
    every = _by_speaker(result_all)
    for speaker, group in EXPECTED.items():
        assert every.get(speaker) == {group}, (speaker, every.get(speaker))
    # the trusted view leaves a speaker out only when none of their lines is trusted
    groups = _by_speaker(result)
    trusted = {s["speaker"]["name"] for g in result_all["groups"] for s in g["statements"]
               if s["speaker"] and s["trusted"]}
    assert all(s["trusted"] for g in result["groups"] for s in g["statements"])
    for speaker, group in EXPECTED.items():
        assert groups.get(speaker) == ({group} if speaker in trusted else None), speaker


def test_lines_are_dated_and_in_date_order(result):
    lines: dict[str, list[str]] = {}
    for g in result["groups"]:
        days = [s["said_on"] for s in g["statements"] if s["said_on"]]
        assert days == sorted(days), g["name"]
        for s in g["statements"]:
            if s["speaker"]:
                lines.setdefault(s["speaker"]["name"], []).append(s["line"])
    for speaker, opening in DATES.items():
        assert any(line.startswith(opening) for line in lines[speaker]), (speaker, lines[speaker])
    stoltenberg = lines["Jens Stoltenberg"]
    assert any(line.startswith("On 15 February") for line in stoltenberg)
    # statements without a date of their own carry the article's publication date
    assert any(line.startswith("As reported on 27 February 2023") for line in stoltenberg)
    # the first line naming a speaker gives the role the article gives them
    assert any("NATO Secretary General Jens Stoltenberg" in line for line in stoltenberg)


def test_every_line_traces_to_its_span(result, texts):
    n = 0
    for g in result["groups"]:
        for s in g["statements"]:
            text = texts[s["article_id"]]
            pieces = [text[a:b] for a, b in s["content"]["spans"]]
            assert " ".join(pieces) == s["content"]["text"]
            shown = " ".join(" ".join(pieces).split())
            # the line holds the content as stored (white space normalised; a closing comma
            # may have become a full stop, a first "The" lower case, a long content is cut)
            assert shown[:60].strip('"“,. ').lower() in s["line"].lower(), (shown, s["line"])
            assert s["href"] == f"/articles/{s['article_id']}#{s['id']}"
            n += 1
    assert n >= len(EXPECTED)
    assert any(s["article_id"] == SEED_ID for g in result["groups"] for s in g["statements"])


def test_markdown_links_every_line(dev_archive, result):
    out = CliRunner().invoke(app, ["digest", "--query", QUERY, "--db", dev_archive])
    assert out.exit_code == 0, out.output
    bullets = [line for line in out.stdout.splitlines() if line.startswith("- ")]
    assert len(bullets) == sum(len(g["statements"]) for g in result["groups"])
    assert all("](/articles/" in b and "characters" in b for b in bullets)
    headings = [line[3:] for line in out.stdout.splitlines() if line.startswith("## ")]
    assert headings == [g["name"] for g in result["groups"]]


def test_polnear_digest_groups_by_organisation(dev_archive):
    out = CliRunner().invoke(app, ["digest", "--query", "Clinton emails", "--group-by", "organization",
                                   "--format", "json", "--db", dev_archive])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    names = [g["name"] for g in data["groups"]]
    assert "Republican Party" in names
    for g in data["groups"]:
        for s in g["statements"]:
            assert "email" in s["content"]["text"].lower() or "clinton" in s["content"]["text"].lower()


def test_reaction_graph_of_the_seed(dev_archive):
    out = CliRunner().invoke(app, ["graph", "--speaker", "Jens Stoltenberg", "--db", dev_archive])
    assert out.exit_code == 0, out.output
    trusted_edges = {(e["source"], e["target"]) for e in json.loads(out.stdout)["edges"]}
    out = CliRunner().invoke(app, ["graph", "--speaker", "Jens Stoltenberg", "--all", "--db", dev_archive])
    assert out.exit_code == 0, out.output
    g = json.loads(out.stdout)
    assert trusted_edges <= {(e["source"], e["target"]) for e in g["edges"]}
    edges = {(e["source"], e["target"]) for e in g["edges"]}
    # 'In his opinion, the words of Jens Stoltenberg …': Karasin answers Stoltenberg
    assert ("grigory-karasin", "jens-stoltenberg") in edges
    for e in g["edges"]:
        assert e["evidence"] and all(ev["via"] in ("responds_to", "names") for ev in e["evidence"])
    svg = CliRunner().invoke(app, ["graph", "--speaker", "Stoltenberg", "--format", "svg", "--all", "--db", dev_archive])
    assert svg.exit_code == 0 and svg.stdout.lstrip().startswith("<?xml") and "<svg" in svg.stdout
    assert "Grigory Karasin" in svg.stdout


@pytest.mark.parametrize("args, message", [
    (["--query", " "], "query is empty"),
    (["--query", "nato", "--since", "2023-13"], "not a date"),
    (["--query", "nato", "--until", "yesterday"], "not a date"),
])
def test_bad_input_is_one_line_and_exit_2(dev_archive, args, message):
    out = CliRunner().invoke(app, ["digest", *args, "--db", dev_archive])
    assert out.exit_code == 2
    assert message in out.output and "Traceback" not in out.output


def test_missing_archive(tmp_path):
    out = CliRunner().invoke(app, ["digest", "--query", "nato", "--db", str(tmp_path / "none.db")])
    assert out.exit_code == 2 and "no archive here" in out.output


def test_empty_result_is_said_plainly(dev_archive):
    out = CliRunner().invoke(app, ["digest", "--query", "xylophonist", "--db", dev_archive])
    assert out.exit_code == 0
    assert "No statement in the archive matches" in out.output


def test_a_statement_whose_content_was_lost_says_so(result_all, texts):
    """Zakharova's 'also wrote in her Telegram channel that' ends the paragraph: the digest
    of every statement keeps her line, traceable to its cue, and says the content is missing."""
    lines = [s for g in result_all["groups"] for s in g["statements"]
             if s["speaker"] and s["speaker"]["name"] == "Maria Zakharova"]
    assert lines and all("truncated" in s["flags"] for s in lines)
    for s in lines:
        assert "missing from the source text" in s["line"]
        (a, b), = s["cue"]["spans"]
        assert texts[s["article_id"]][a:b] == s["cue"]["text"]
