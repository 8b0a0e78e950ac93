"""``sayso eval``: extract from a gold file's articles and let the independent scorer judge."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Optional

import typer

from sayso.cli.common import error, load_model, settings
from sayso.cli.extract import Documents
from sayso.cli.options import Accuracy, accuracy_option
from sayso.settings import Settings


def _evaluate_pages(gold_dir: Path, pages: Optional[Path], scorer_path: Path, run: Settings,
                    trusted: bool, as_json: bool, save_pred: Optional[Path]) -> None:
    """``sayso eval`` on a folder of real-news gold files (sayso.realnews)."""
    import shutil

    from sayso import realnews
    from sayso.pipeline import DocumentError

    with tempfile.TemporaryDirectory(prefix="sayso-realnews-") as tmp:
        try:
            result = realnews.score_pages(gold_dir, realnews.find_pages(pages), load_model(run), scorer_path,
                                          Path(tmp), trusted=trusted, settings=run)
        except realnews.GoldError as exc:  # TextChanged included: the offsets no longer fit
            error(exc)
            raise typer.Exit(2)
        except DocumentError as exc:  # a page sayso could not analyse: no figures without it
            error(exc)
            raise typer.Exit(1)
        if save_pred:
            shutil.copyfile(Path(tmp) / "pred.jsonl", save_pred)
    if as_json:
        print(json.dumps({k: v for k, v in result.items() if k != "report"}, indent=2))
    else:
        sys.stdout.write(result["report"])
        sys.stdout.write(realnews.summary(result))


def _predict(docs: Documents, run: Settings, trusted: bool, pred_path: Path) -> dict[str, list]:
    """The predictions, written to ``pred_path`` for the scorer and kept for the error report."""
    from sayso.pipeline import analyse_many
    from sayso.trust import trusted_article

    predictions: dict[str, list] = {}
    with open(pred_path, "w", encoding="utf-8") as fh:
        for article in analyse_many(docs, load_model(run), on_error=docs.failed, settings=run):
            if trusted:
                article = trusted_article(article)
            rec = article.to_attributions()
            predictions[rec["id"]] = rec["attributions"]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return predictions


def _score_file(gold: Path, run: Settings, scorer_path: Path, errors: int, trusted: bool, as_json: bool,
                save_pred: Optional[Path]) -> None:
    from sayso import evaluation

    docs = Documents([str(gold)])
    tmp = None
    if save_pred is None:
        fd, tmp = tempfile.mkstemp(prefix="sayso-pred-", suffix=".jsonl")
        os.close(fd)
    pred_path = save_pred or Path(tmp)
    try:
        predictions = _predict(docs, run, trusted, pred_path)
        if not docs.good:
            raise typer.Exit(docs.exit_code())
        result = evaluation.run_scorer(scorer_path, gold, pred_path, as_json)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            raise typer.Exit(result.returncode)
        if errors:
            report = evaluation.error_report(gold, predictions, errors)
            (sys.stderr if as_json else sys.stdout).write(report)
    except OSError as exc:
        error(f"{exc.filename or pred_path}: {exc.strerror or exc}")
        raise typer.Exit(2)
    finally:
        if tmp:
            os.unlink(tmp)
    raise typer.Exit(docs.exit_code())


def evaluate(
    gold: Path = typer.Argument(..., help="Gold JSONL in the PolNeAR shape (id, text, attributions), "
                                          "or a folder of real-news gold files (docs/annotation.md)."),
    errors: int = typer.Option(0, "--errors", min=0, help="Also list the N worst misses and false positives."),
    trusted: bool = typer.Option(False, "--trusted", help="Score only the trusted view (sayso.trust)."),
    pages: Optional[Path] = typer.Option(
        None, "--pages", help="Real-news gold: the HTML pages (default: ../shared/data/realnews/html)."
    ),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    as_json: bool = typer.Option(False, "--json", help="The scorer's figures as JSON."),
    save_pred: Optional[Path] = typer.Option(None, "--save-pred", help="Keep the predictions here."),
    scorer: Optional[Path] = typer.Option(
        None, "--scorer", help="score.py to use (default: $SAYSO_SCORER, else ../shared/eval/score.py)."
    ),
    accuracy: Accuracy = accuracy_option(),
) -> None:
    """Score extraction on a gold file with the independent scorer (../shared/eval/score.py)."""
    from sayso import evaluation

    run = settings(model=model, accuracy=accuracy, scorer=scorer)
    try:
        scorer_path = evaluation.find_scorer(run.scorer)
    except evaluation.ScorerNotFound as exc:
        error(exc)
        raise typer.Exit(2)
    if gold.is_dir():
        _evaluate_pages(gold, pages, scorer_path, run, trusted, as_json, save_pred)
        raise typer.Exit(0)
    if not gold.is_file():
        error(f"{gold}: no such file")
        raise typer.Exit(2)
    load_model(run)  # fails before the temporary file exists
    _score_file(gold, run, scorer_path, errors, trusted, as_json, save_pred)
