"""``sayso export``: every statement of the archive, for other tools."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sayso.cli.common import error, open_archive
from sayso.cli.options import db_option


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def export(
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f", help="jsonl, csv or parquet."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here (parquet: required); else stdout."),
    db: Optional[str] = db_option(),
) -> None:
    """Every statement of the archive: JSON Lines (statement record + article_id), CSV, Parquet."""
    from sayso import store
    from sayso.store.export import ExportError

    if fmt is ExportFormat.parquet and output is None:
        error("--format parquet needs an output file (-o FILE)")
        raise typer.Exit(2)
    archive = open_archive(db)
    try:
        n = store.export(archive, fmt.value, output, sys.stdout)
    except ExportError as exc:
        error(exc)
        raise typer.Exit(2)
    except BrokenPipeError:  # e.g. `sayso export | head`
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if output is not None:
        print(f"exported {n:,} statements to {output}", file=sys.stderr)
