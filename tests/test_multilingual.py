"""The pipeline and ``sayso extract`` on articles in languages sayso does not read: never
analysed as English, returned with their language and the reason, counted on stderr."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sayso.cli import app
from sayso.language import skip_reason
from sayso.pipeline import Document, analyse_many

FOLDER = Path(__file__).resolve().parent / "data" / "multilingual"
runner = CliRunner()


def page(name: str) -> Document:
    return Document((FOLDER / name).read_text(encoding="utf-8"), id=name.split(".")[0])


class RecordingNlp:
    """Stands in for spaCy to show which texts it would be asked to parse."""

    def __init__(self):
        import spacy

        self.seen: list[str] = []
        self._blank = spacy.blank("en")

    def make_doc(self, text):
        return self._blank.make_doc(text)

    def pipe(self, items, as_tuples=True, batch_size=16):
        for doc, context in items:
            self.seen.append(doc.text)
            yield doc, context


def test_spacy_never_sees_a_foreign_text():
    fake = RecordingNlp()
    got = list(analyse_many([page("de_hafen.txt"), page("ru_most.txt")], fake))
    assert fake.seen == ["", ""]
    assert [(a.id, a.language, a.statements, a.skipped) for a in got] == [
        ("de_hafen", "de", (), skip_reason("de")), ("ru_most", "ru", (), skip_reason("ru"))]


def test_a_mixed_batch_keeps_its_order_and_analyses_the_english(nlp):
    docs = [page("fr_marche.txt"), page("en_ferry.txt"), Document("bad \ud800 text", id="bad"),
            page("de_hafen.txt")]
    errors = []
    got = list(analyse_many(docs, nlp, on_error=errors.append))
    assert [(a.id, a.language, a.skipped) for a in got] == [
        ("fr_marche", "fr", skip_reason("fr")), ("en_ferry", "en", None), ("de_hafen", "de", skip_reason("de"))]
    assert len(got[1].statements) >= 3 and not got[0].statements and not got[2].statements
    assert len(errors) == 1 and errors[0].document.id == "bad"


def test_extract_counts_the_articles_not_in_english(nlp):
    res = runner.invoke(app, ["extract", str(FOLDER), "--accuracy", "rules"])
    assert res.exit_code == 0, res.stderr
    assert res.stderr.strip().splitlines() == ["sayso: 4 articles not in English: written without statements"]
    records = {r["id"]: r for r in map(json.loads, res.stdout.splitlines())}
    assert {i: r["language"] for i, r in records.items()} == {
        "de_hafen": "de", "fr_marche": "fr", "ru_most": "ru", "es_biblioteca": "es", "en_ferry": "en"}
    assert all(r["statements"] == [] and r["skipped"] for i, r in records.items() if i != "en_ferry")
    assert records["en_ferry"]["statements"] and records["en_ferry"]["skipped"] is None


def test_extract_of_english_only_prints_no_language_line(tmp_path, nlp):
    f = tmp_path / "en.txt"
    f.write_text((FOLDER / "en_ferry.txt").read_text(encoding="utf-8"), encoding="utf-8")
    res = runner.invoke(app, ["extract", str(f), "--accuracy", "rules"])
    assert res.exit_code == 0 and "not in English" not in res.stderr
