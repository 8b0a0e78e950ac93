"""What every command shares: the command group, the one way to report an error, and the
three things a command may need that fail in a user's hands (the model, the archive, a
Dask cluster), each turned into one ``error:`` line and exit 2 instead of a traceback."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator, Optional

import typer

from sayso import __version__
from sayso.settings import Settings

CONTENT_WIDTH = 160  # characters of content shown per table row


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

            error(f"archive: {one_line(exc)}")
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="sayso: who said what in news articles (attributed statements).",
)


def error(message: str) -> None:
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


def not_read_summary(count: int, done: str) -> None:
    """One stderr line for the articles sayso did not analyse for their language."""
    if count:
        noun = "article" if count == 1 else "articles"
        print(f"sayso: {count:,} {noun} not in English: {done} without statements", file=sys.stderr)


def settings(**flags) -> Settings:
    """The run's settings, built here at the edge and passed down: each flag given (not
    None) over its environment variable. A malformed variable, which would otherwise fail
    deep inside a run, is one error line and exit 2 before anything starts."""
    try:
        return Settings.from_env(**{k: getattr(v, "value", v) for k, v in flags.items()})
    except ValueError as exc:
        error(exc)
        raise typer.Exit(2)


def load_model(run: Settings):
    from sayso import nlp as nlp_mod

    try:
        return nlp_mod.load(settings=run)
    except nlp_mod.ModelError as exc:
        error(exc)
        raise typer.Exit(2)


@contextmanager
def lazy_output(path: Optional[Path]) -> Iterator[callable]:
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


def write_text(text: str, output: Optional[Path]) -> None:
    try:
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)


def one_line(text: str, width: int) -> str:
    text = " ".join(text.replace("\n\n", " ¶ ").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def open_archive(db: Optional[str], create: bool = False, write: bool = False):
    """An engine on the archive; a read-only command on a missing SQLite file is an error
    rather than a new empty archive. Commands that only read (neither ``create`` nor
    ``write``) open it read-only and never migrate it."""
    from sayso import store

    url = store.database_url(db)
    if not create and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.exists():
            error(f"{path}: no archive here (create one with: sayso ingest FILES --db {db or path})")
            raise typer.Exit(2)
    try:
        return store.open_engine(url, read_only=not (create or write))
    except store.StoreError as exc:
        error(exc)
        raise typer.Exit(2)


@contextmanager
def dask_client(scheduler: Optional[str], local_workers: Optional[int]):
    """A Dask client, or one error line and exit 2 when no cluster can be had."""
    from sayso.engine.dask import ClusterError, connect

    try:
        with connect(scheduler, local_workers) as client:
            yield client
    except ClusterError as exc:
        error(exc)
        raise typer.Exit(2)
