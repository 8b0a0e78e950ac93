"""The ``sayso`` command: thin wrappers that read, call the pipeline or the archive, and print.

One module per group of commands; this one only puts them on the command group, in the
order ``sayso --help`` lists them. Bad input never produces a traceback: each unreadable
document gives one ``error: …`` line on stderr and is skipped. Exit status: 0 all went
well, 1 some documents were skipped, 2 nothing could be processed (or the model or scorer
is unusable).
"""
from __future__ import annotations

from sayso.cli import browse, digest, evaluate, export, extract, ingest, serve, train
from sayso.cli.common import app
from sayso.cli.extract import table as _table
from sayso.cli.serve import allowed_hosts, store_name

app.command()(extract.extract)
app.command("eval")(evaluate.evaluate)
app.command()(train.train)
app.command()(ingest.ingest)
app.command()(ingest.reanalyse)
app.command()(browse.search)
app.add_typer(browse.speakers_app, name="speakers")
app.command()(browse.show)
app.command("extract-parquet")(ingest.extract_parquet)
app.command()(digest.digest)
app.command()(digest.graph)
app.command()(export.export)
app.command()(serve.serve)
app.command()(serve.upgrade)

__all__ = ["_table", "allowed_hosts", "app", "store_name"]
