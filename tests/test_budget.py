"""A document's analysis stops when its time is up or when it is cancelled, and only that
document is lost: the ones after it are analysed as usual."""
from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from sayso import pipeline
from sayso.budget import Budget, OverBudget
from sayso.pipeline import Document, DocumentError, analyse, analyse_many

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))


def long_text() -> str:
    """Over STEP_CHARS, so analysed step by step."""
    text = "\n\n".join(p.read_text("utf-8") for p in EXAMPLES)
    while len(text) <= pipeline.STEP_CHARS:
        text += "\n\n" + text
    return text


class Ticking:
    """A clock that moves one second each time it is read."""

    def __init__(self):
        self.now = itertools.count()

    def __call__(self) -> float:
        return float(next(self.now))


def test_a_budget_stops_after_its_time_and_restarts_for_the_next_document():
    budget = Budget(2.5, clock=Ticking())  # the deadline is read at 0: 2.5
    budget.check()  # 1
    budget.check()  # 2
    with pytest.raises(OverBudget, match="time limit of 2.5 s"):
        budget.check()  # 3
    budget.restart()  # 4: deadline 6.5
    budget.check()


def test_a_cancel_from_another_thread_stops_the_next_check():
    budget = Budget(None)
    budget.check()
    budget.cancel("the client went away")
    with pytest.raises(OverBudget, match="cancelled: the client went away"):
        budget.check()


def test_no_limit_and_bad_limits():
    Budget(0).check()
    Budget(None).check()
    with pytest.raises(ValueError, match="negative"):
        Budget(-1)


def test_a_long_document_over_its_time_is_one_error_and_the_next_one_is_analysed(nlp):
    errors: list[DocumentError] = []
    docs = [Document(long_text(), id="long"), Document('"We will win," the mayor said.', id="short")]
    out = list(analyse_many(docs, nlp, on_error=errors.append, budget=Budget(3.5, clock=Ticking())))
    assert [a.id for a in out] == ["short"] and out[0].statements
    (err,) = errors
    assert err.document.id == "long" and isinstance(err.cause, OverBudget)
    assert "time limit" in str(err)


def test_a_cancelled_budget_stops_short_documents_too(nlp):
    budget = Budget(None)
    budget.cancel("the server is shutting down")
    with pytest.raises(DocumentError, match="shutting down"):
        analyse(Document('"Yes," she said.'), nlp, budget=budget)


def test_step_by_step_gives_the_same_article_as_a_batch(nlp, monkeypatch):
    text = long_text()
    stepwise = analyse(Document(text, id="x"), nlp)
    monkeypatch.setattr(pipeline, "STEP_CHARS", len(text) + 1)
    batched = analyse(Document(text, id="x"), nlp)
    assert stepwise == batched and stepwise.statements


def test_the_cli_reports_a_document_over_its_time_limit_and_goes_on(tmp_path):
    (tmp_path / "a_long.txt").write_text(long_text(), encoding="utf-8")
    (tmp_path / "b_short.txt").write_text('"We will win," the mayor said.', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sayso", "extract", "--accuracy", "rules",
                           "--time-limit", "0.001", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "a_long" in errors[0] and "time limit of 0.001 s" in errors[0]
    assert len(done.stdout.splitlines()) == 1 and "b_short" in done.stdout
