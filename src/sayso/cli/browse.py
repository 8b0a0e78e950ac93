"""Reading the archive: ``sayso search``, ``sayso show`` and ``sayso speakers`` (list, merge,
split). The questions are ``sayso.store``'s (the same the web pages ask); these commands
only print the answers."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional, Sequence

import typer

from sayso.cli.common import CONTENT_WIDTH, error, one_line, open_archive
from sayso.cli.options import all_option, db_option
from sayso.records import StatementHit, StoredArticle, StoredStatement


class SearchFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def search(
    text: Optional[str] = typer.Argument(
        None, help='Words to find in what was said ("a phrase", -word, a OR b); none: everything.'
    ),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker: name, surname or id."),
    org: Optional[str] = typer.Option(None, "--org", help="Organisation of the speaker (substring)."),
    since: Optional[str] = typer.Option(None, "--since", help="From this date on (YYYY[-MM[-DD]])."),
    until: Optional[str] = typer.Option(None, "--until", help="Up to this date (YYYY[-MM[-DD]])."),
    kind: Optional[str] = typer.Option(None, "--kind", help="direct, indirect or mixed."),
    type_: Optional[str] = typer.Option(
        None, "--type", help="Attribution type: speech, writing, thought (knowledge, intention, evidence "
        "with --all); several with commas."),
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="At most N statements (0: all)."),
    fmt: SearchFormat = typer.Option(SearchFormat.table, "--format", "-f", help="Output format."),
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Statements in the archive, newest first (statement date, else publication date); the
    trusted view unless --all."""
    from sayso import store
    from sayso.store.search import outside_the_view

    q = store.Query(text=text, speaker=speaker, org=org, since=since, until=until, kind=kind,
                    type=type_, limit=limit or None, include_all=include_all)
    try:
        why = outside_the_view(q)
    except store.QueryError as exc:
        error(exc)
        raise typer.Exit(2)
    if why:
        error(f"{why}: add --all")
        raise typer.Exit(2)
    archive = open_archive(db)
    try:
        with archive.connect() as conn:
            rows = store.search(conn, q)
    except store.QueryError as exc:
        error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    try:
        _print_results(rows, fmt)
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0)


def _print_results(rows: list[StatementHit], fmt: SearchFormat) -> None:
    from sayso.store.export import csv_row

    if fmt is SearchFormat.jsonl:
        for r in rows:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
    elif fmt is SearchFormat.csv:
        import csv

        from sayso.store.export import COLUMNS

        w = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow(csv_row(r))
    else:
        _results_table(rows)


def _what(st, flags: bool = False) -> str:
    """A table's "kind" cell: the kind and the attribution type, what keeps a statement out
    of the trusted view when it is out (seen with --all), and with ``flags`` the flags."""
    lines = [st.kind, st.type]
    if not st.trusted:
        lines.append("untrusted")
    return "\n".join([*lines, *(f for f in st.flags if flags)])


def _results_table(rows: list[StatementHit]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(show_lines=False, expand=False)
    for name, kw in (("date", {"no_wrap": True}), ("speaker", {"max_width": 26}),
                     ("kind", {}), ("content", {"ratio": 1}), ("article", {"max_width": 34})):
        table.add_column(name, overflow="fold", **kw)
    for r in rows:
        who = r.speaker_name or (r.source.text if r.source else None) or "—"
        more = len(r.article_ids) - 1
        where = r.article_id + (f" (+{more})" if more > 0 else "")
        table.add_row(r.said_on or "", who, _what(r), one_line(r.content_text, CONTENT_WIDTH), where)
    table.caption = f"{len(rows)} statement(s)"
    console.print(table, markup=False)


# ---------------------------------------------------------------------- speakers
speakers_app = typer.Typer(help="Speakers across the archive: list, merge, split, import a registry.", no_args_is_help=False)


def _list_speakers(db: Optional[str], top: int, include_all: bool = False) -> None:
    """The speakers table; counts (and who is listed) in the trusted view unless --all."""
    from rich.console import Console
    from rich.table import Table

    from sayso.store.browse import list_speakers

    archive = open_archive(db)
    with archive.connect() as conn:
        rows = list_speakers(conn, None, 0, top or None, include_all).rows
    archive.dispose()
    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(expand=False)
    for name in ("id", "name", "kind", "statements", "articles", "organization", "aliases"):
        table.add_column(name, overflow="fold", justify="right" if name in ("statements", "articles") else "left")
    for r in rows:
        table.add_row(r.id, r.name, r.kind, str(r.statements), str(r.articles),
                      r.organization or "", one_line(", ".join(r.aliases), 60))
    table.caption = f"{len(rows)} speaker(s)" + ("" if include_all else ", counting trusted statements (--all: every one)")
    console.print(table, markup=False)


@speakers_app.callback(invoke_without_command=True)
def speakers_main(
    ctx: typer.Context,
    top: int = typer.Option(20, "--top", "-n", min=0, help="The N speakers with most statements (0: all)."),
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
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
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Speakers with most statements."""
    _list_speakers(_group_db(ctx, db), top, include_all)


@speakers_app.command("merge")
def speakers_merge(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="The speaker that stays (id, alias or name)."),
    b: str = typer.Argument(..., help="The speaker who is the same person as A."),
    db: Optional[str] = db_option(),
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
    db: Optional[str] = db_option(),
) -> None:
    """ALIAS is not SPEAKER: its statements get a speaker of their own, now and on later ingests."""
    from sayso import store

    sid, new, moved = _correct_speakers(ctx, db, store.split, speaker, alias)
    print(f"split {new} from {sid}: {moved} statement(s) moved")


@speakers_app.command("import")
def speakers_import(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A registry: .csv (name, kind, aliases, roles, organization, "
                                          "wikidata; ';' between aliases) or .yaml with the same keys."),
    db: Optional[str] = db_option(),
) -> None:
    """Known people and organisations: their aliases join them at every later ingest."""
    from sayso.readers.registry import RegistryError, read_registry
    from sayso.store.db import write_transaction
    from sayso.store.registry import import_registry

    try:
        entries = read_registry(path)
    except RegistryError as exc:
        error(exc)
        raise typer.Exit(2)
    archive = open_archive(_group_db(ctx, db), create=True)
    try:
        with write_transaction(archive) as conn:
            done = import_registry(conn, entries)
    finally:
        archive.dispose()
    print(f"imported {len(entries)} speaker(s) from {path}: {done.created} new, {done.updated} updated, "
          f"{done.aliases} alias(es) added, {done.moved} statement(s) moved to them")
    for kept in done.kept:
        print(f"  kept where your own merge or split put it: {kept}")


def _correct_speakers(ctx: typer.Context, db: Optional[str], correction, *args):
    """A manual speaker correction in one transaction; a refused one is a one-line error."""
    from sayso import store
    from sayso.store.db import write_transaction

    archive = open_archive(_group_db(ctx, db), write=True)
    try:
        with write_transaction(archive) as conn:
            return correction(conn, *args)
    except store.SpeakerError as exc:
        error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()


# ---------------------------------------------------------------------- show
def show(
    article_id: str = typer.Argument(..., help="The article's id (as `sayso search` shows it)."),
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
) -> None:
    """An article with its statements highlighted (source, cue, content) and listed: the
    trusted ones unless --all."""
    from sayso.store import browse

    archive = open_archive(db)
    try:
        with archive.connect() as conn:
            art = browse.article(conn, article_id, include_all)
    finally:
        archive.dispose()
    if art is None:
        error(f"no article {article_id!r} in the archive")
        raise typer.Exit(2)
    _print_article(art)


def _print_article(art: StoredArticle) -> None:
    """Metadata, the text with every statement's parts coloured, then the statements' table."""
    from rich.console import Console
    from rich.text import Text

    console = Console(width=None if sys.stdout.isatty() else 120)
    for k in ("id", "title", "published", "outlet", "byline", "url"):
        if getattr(art, k):
            console.print(Text.assemble((f"{k}: ", "bold"), str(getattr(art, k))))
    console.print()
    body = Text(art.text)
    for st in art.statements:
        for s, e in st.content.spans:
            body.stylize("yellow", s, e)
        for part, style in (("source", "bold cyan"), ("cue", "bold magenta")):
            for s, e in getattr(st, part).spans if getattr(st, part) else ():
                body.stylize(style, s, e)
    console.print(body)
    console.print()
    console.print(_show_table(art.statements, art.hidden), markup=False)


def _show_table(statements: Sequence[StoredStatement], hidden: int):
    """The statements `sayso show` lists, and how many the trusted view left out."""
    from rich.table import Table

    more = f"; {hidden} more outside the trusted view (--all)" if hidden else ""
    table = Table(expand=False, caption=f"{len(statements)} statement(s): source cyan, cue magenta, content yellow{more}")
    for name, kw in (("id", {}), ("speaker", {"max_width": 26}), ("cue", {"max_width": 18}),
                     ("kind", {}), ("content", {"ratio": 1}), ("also in", {"justify": "right"})):
        table.add_column(name, overflow="fold", **kw)
    for st in statements:
        who = (st.speaker.name if st.speaker else None) or (st.source.text if st.source else None) or "—"
        others = len(st.article_ids) - 1
        table.add_row(st.id, who, st.cue.text, _what(st, flags=True),
                      one_line(st.content.text, CONTENT_WIDTH), f"{others} article(s)" if others else "")
    return table
