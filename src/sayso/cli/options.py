"""The options several commands share, built once so their help text and defaults cannot
drift between commands."""
from __future__ import annotations

from enum import Enum

import typer

DB_HELP = "Archive: SQLAlchemy URL or SQLite file path (default: $SAYSO_DB, else ./sayso.db)."


class Accuracy(str, Enum):
    rules = "rules"
    fast = "fast"
    best = "best"


def accuracy_option():
    from sayso.nlp import DEFAULT_ACCURACY

    return typer.Option(
        Accuracy(DEFAULT_ACCURACY), "--accuracy",
        help="Extraction tier: 'rules' (hand-written), 'fast' (trained tagger + linker) or "
             "'best' (fine-tuned MiniLM encoder + linker; needs pip install 'sayso[best]').",
    )


def max_bytes_option():
    from sayso.readers import DEFAULT_MAX_BYTES

    return typer.Option(
        DEFAULT_MAX_BYTES, "--max-bytes", envvar="SAYSO_MAX_BYTES", show_envvar=False, min=1000,
        help="Refuse a document (a file, stdin, a JSON line, a WARC record, a feed) over this "
             "many bytes, unread (default: $SAYSO_MAX_BYTES, else 4,000,000).")


def time_limit_option():
    from sayso.budget import DEFAULT_TIME_LIMIT

    return typer.Option(
        DEFAULT_TIME_LIMIT, "--time-limit", envvar="SAYSO_TIME_LIMIT", show_envvar=False, min=0,
        help="Stop analysing a document after this many seconds: it is one error and the run "
             "goes on (default: $SAYSO_TIME_LIMIT, else 100; 0: no limit).")


def model_option(help: str = "spaCy pipeline to use."):
    return typer.Option(None, "--model", help=help)


def output_option(help: str = "Write here, not stdout."):
    return typer.Option(None, "-o", "--output", help=help)


def db_option():
    return typer.Option(None, "--db", envvar="SAYSO_DB", show_envvar=False, help=DB_HELP)


def all_option():
    return typer.Option(False, "--all", help="Every statement, not only the trusted view "
                        "(speech, writing or thought, attributed, confident enough: docs/trust.md).")


def scheduler_option():
    return typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT",
                        help="Dask scheduler of a running cluster (--engine dask); else a local cluster.")


def local_workers_option():
    return typer.Option(None, "--local-workers", min=1,
                        help="Worker processes of the local Dask cluster (default: all cores).")


def partition_option():
    return typer.Option(None, "--partition-size", min=1,
                        help="Documents per Dask task (default: about 8 tasks per worker, at most 64).")
