"""``sayso ingest`` (into the archive, here or on Dask) and ``sayso extract-parquet`` (Dask,
Parquet shards only): the long runs, with a progress bar, a summary and a way to go on."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from sayso.cli.common import dask_client, error, not_read_summary, open_archive, settings
from sayso.cli.options import (Accuracy, db_option, local_workers_option, max_bytes_option,
                               partition_option, scheduler_option, time_limit_option)

PATHS_HELP = "Files or folders (recursive): .txt, .html, .jsonl(.gz), .warc(.gz), .rss/.atom/.xml feeds."


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class _IngestProgress:
    """The ingest's progress bar on stderr, and its error lines printed above the bar."""

    def __init__(self, label: str = "ingest"):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        self.bar = Progress(
            SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(),
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


def ingest(
    paths: List[str] = typer.Argument(..., help=PATHS_HELP),
    db: Optional[str] = db_option(),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=0, help="Parsing processes (default: all cores; 0: parse in this process)."
    ),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: worker processes here; dask: a Dask cluster."),
    scheduler: Optional[str] = scheduler_option(),
    local_workers: Optional[int] = local_workers_option(),
    parquet_dir: Optional[Path] = typer.Option(
        None, "--parquet-dir", help="--engine dask: keep the Parquet shards here (re-runs reuse them); "
        "a folder every worker can write. Default: a temporary folder."),
    partition_size: Optional[int] = partition_option(),
    accuracy: Optional[Accuracy] = typer.Option(
        None, "--accuracy", help="Extraction tier (rules, fast, best; default: $SAYSO_ACCURACY, else fast). "
        "Worker processes and Dask tasks, here or on a remote cluster, get it from this command."),
    max_bytes: int = max_bytes_option(),
    time_limit: float = time_limit_option(),
) -> None:
    """Analyse articles and store them with their statements in the archive (idempotent)."""
    run_with = settings(model=model, accuracy=accuracy, max_bytes=max_bytes, time_limit=time_limit)
    if engine is not Engine.dask and (scheduler or local_workers or parquet_dir):
        error("--scheduler, --local-workers and --parquet-dir need --engine dask")
        raise typer.Exit(2)
    archive = open_archive(db, create=True)
    before = _article_count(archive)
    progress = _IngestProgress()

    def run():
        if engine is Engine.dask:
            return _ingest_dask(paths, archive, progress, run_with, scheduler=scheduler,
                                local_workers=local_workers, out=parquet_dir, partition_size=partition_size)
        from sayso import engine as engine_mod
        from sayso.readers import read_paths

        with progress.bar:
            return engine_mod.ingest(read_paths(paths, run_with.max_bytes), archive, workers=workers,
                                     settings=run_with, on_error=progress.report, on_plan=progress.update,
                                     on_article=progress.update)

    _ingest_summary(_guarded_ingest(run, archive, before))


def reanalyse(
    db: Optional[str] = db_option(),
    into: str = typer.Option(..., "--into", help="The archive to build: SQLAlchemy URL or SQLite file path. "
                             "Run the same command again to go on after a stop."),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=0, help="Parsing processes (default: all cores; 0: parse in this process)."
    ),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    accuracy: Optional[Accuracy] = typer.Option(
        None, "--accuracy", help="Extraction tier (rules, fast, best; default: $SAYSO_ACCURACY, else fast)."),
    time_limit: float = time_limit_option(),
) -> None:
    """Analyse every article of an archive again with this sayso, into a new archive: the
    statements, types, confidences and trusted view of this release, the user's speaker
    corrections and registry kept. The old archive is only read."""
    from sayso import store

    run_with = settings(model=model, accuracy=accuracy, time_limit=time_limit)
    if store.database_url(into) == store.database_url(db):
        error("--into must name another archive than --db: the old one is read while the new one is built")
        raise typer.Exit(2)
    old = open_archive(db)
    try:
        before = _counts(old)
        if not before[0]:
            error(f"{store.database_url(db)}: the archive has no articles to analyse again")
            raise typer.Exit(2)
        new = open_archive(into, create=True)
        carried = _carry(old, new)
        if carried.overrides or carried.registered:
            print(f"carried {carried.overrides:,} speaker corrections and {carried.registered:,} registry speakers",
                  file=sys.stderr)
        stats = _guarded_ingest(lambda: _reanalyse_run(old, new, workers, run_with), new, _article_count(new),
                                dispose=False)
    finally:
        old.dispose()
    try:
        after = _counts(new)
    finally:
        new.dispose()
    _ingest_summary(stats, then=f"the new archive: {after[2]:,} statements in {after[0]:,} articles, "
                    f"{after[1]:,} trusted; the old one: {before[2]:,} in {before[0]:,}, {before[1]:,} trusted")


def _reanalyse_run(old, new, workers, run_with):
    from sayso import engine as engine_mod
    from sayso.readers.archive import read_archive

    progress = _IngestProgress("reanalyse")
    with progress.bar:
        return engine_mod.ingest(read_archive(old), new, workers=workers, settings=run_with,
                                 on_error=progress.report, on_plan=progress.update, on_article=progress.update)


def _counts(archive) -> tuple[int, int, int]:
    """Articles, trusted statements, statements."""
    from sayso.store.browse import count_articles, count_statements

    with archive.connect() as conn:
        total, trusted = count_statements(conn)
        return count_articles(conn), trusted, total


def _carry(old, new):
    """The user's corrections copied into the new archive; a database failure there is one
    error line and exit 2, before anything is analysed."""
    import sqlalchemy as sa

    from sayso.store.corrections import carry_corrections
    from sayso.store.db import one_line, write_transaction

    try:
        with old.connect() as src, write_transaction(new) as dst:
            return carry_corrections(src, dst)
    except sa.exc.SQLAlchemyError as exc:
        new.dispose()
        error(f"archive: cannot copy the speaker corrections ({one_line(exc)})")
        raise typer.Exit(2)


def _ingest_dask(paths, archive, progress: _IngestProgress, run_with, *, scheduler, local_workers,
                 out, partition_size):
    from sayso.engine import dask as dask_engine
    from sayso.engine.partitions import InputError, check

    try:
        check(paths)
        with dask_client(scheduler, local_workers) as client, progress.bar:
            return dask_engine.ingest(paths, archive, client, settings=run_with, out=out,
                                      partition_size=partition_size, on_error=progress.report,
                                      on_plan=progress.update, on_article=progress.update)
    except InputError as exc:
        error(exc)
        raise typer.Exit(2)


def _guarded_ingest(run, archive, before: int, dispose: bool = True):
    """The ingest's statistics; what stops it is one error line (and exit 2), or for Ctrl-C
    the count of what was kept. The archive is closed whatever happens."""
    import sqlalchemy as sa

    from sayso.engine.local import ModelLoadError
    from sayso.store.db import one_line

    try:
        return run()
    except ModelLoadError as exc:
        error(exc)
        raise typer.Exit(2)
    except sa.exc.SQLAlchemyError as exc:  # the archive failed under the run: disk full, server gone
        reason = one_line(exc)
        error(f"archive: {reason} (the articles stored so far are kept: run the same command again to go on)")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        _interrupted(archive, before)
    finally:
        if dispose:
            archive.dispose()


def _ingest_summary(stats, then: str | None = None) -> None:
    merged = f", {stats.merged:,} of them reported by another article already" if stats.merged else ""
    print(f"stored {stats.stored:,} articles with {stats.statements:,} statements{merged} "
          f"in {stats.elapsed:.1f} s ({stats.rate:.1f} articles/s); "
          f"{stats.skipped:,} already stored; {stats.errors:,} errors")
    if then:
        print(then)
    not_read_summary(stats.not_read, "stored")
    if stats.errors and not (stats.stored or stats.skipped):
        raise typer.Exit(2)
    if not (stats.read or stats.errors):
        error("no input documents")
        raise typer.Exit(2)
    raise typer.Exit(1 if stats.errors else 0)


def _article_count(archive) -> int:
    from sayso.store.browse import count_articles

    with archive.connect() as conn:
        return count_articles(conn)


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


def extract_parquet(
    paths: List[str] = typer.Argument(..., help=PATHS_HELP),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for the shards: OUT/articles/*.parquet, OUT/statements/*.parquet."),
    scheduler: Optional[str] = scheduler_option(),
    local_workers: Optional[int] = local_workers_option(),
    partition_size: Optional[int] = partition_option(),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline to use."),
    max_bytes: int = max_bytes_option(),
    time_limit: float = time_limit_option(),
) -> None:
    """Extract statements on a Dask cluster into Parquet shards only (no archive): for data lakes, DuckDB."""
    from sayso.engine.dask import extract_parquet as run_extract
    from sayso.engine.local import ModelLoadError
    from sayso.engine.partitions import InputError, check

    run_with = settings(model=model, max_bytes=max_bytes, time_limit=time_limit)
    if output.exists() and not output.is_dir():
        error(f"{output}: not a folder")
        raise typer.Exit(2)
    try:
        check(paths)
        with dask_client(scheduler, local_workers) as client:
            stats = run_extract(paths, output, client, settings=run_with, partition_size=partition_size,
                                on_error=error)
    except (InputError, ModelLoadError) as exc:
        error(exc)
        raise typer.Exit(2)
    except OSError as exc:
        error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    print(f"extracted {stats.documents:,} articles with {stats.statements:,} statements into "
          f"{stats.partitions:,} shards in {output} in {stats.elapsed:.1f} s; {stats.errors:,} errors",
          file=sys.stderr)
    if not stats.documents:
        if not stats.errors:
            error("no input documents")
        raise typer.Exit(2)
    raise typer.Exit(1 if stats.errors else 0)
