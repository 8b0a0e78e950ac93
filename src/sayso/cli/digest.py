"""``sayso digest`` (a roundup on one issue) and ``sayso graph`` (who reacts to whom): both
built by ``sayso.digest`` from the archive, as the web pages build them."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sayso.cli.common import error, open_archive, write_text
from sayso.cli.options import all_option, db_option, output_option


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
    output: Optional[Path] = output_option(),
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
) -> None:
    """A "who said what" roundup on one issue: statements grouped by country or organisation,
    in date order, each line linked to its article and character span (trusted statements
    unless --all)."""
    from sayso import digest as digest_mod
    from sayso.digest import render
    from sayso.store import QueryError

    if not query.strip():
        error("the query is empty: say what the digest is about (--query WORDS)")
        raise typer.Exit(2)
    archive = open_archive(db)
    try:
        with archive.connect() as conn:
            d = digest_mod.build(conn, query, group_by=group_by.value, since=since, until=until,
                                 speaker=speaker, org=org, limit=limit or None, include_all=include_all)
    except QueryError as exc:
        error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if not d.size:
        print(render.empty_message(d), file=sys.stderr)
    write_text(render.render(d, fmt.value, base_url), output)


def _build_graph(conn, query: Optional[str], speaker: Optional[str], since, until, include_all: bool):
    """The graph asked for and the speaker at its centre (None for a digest's graph)."""
    from sayso import digest as digest_mod
    from sayso.digest import graph as graph_mod
    from sayso.store.browse import speaker as find

    if speaker:
        sp = find(conn, speaker, include_all)
        if sp is None:
            error(f"no speaker {speaker!r} in the archive")
            raise typer.Exit(2)
        return graph_mod.around_speaker(conn, sp.id, sp.name, include_all), sp.id
    d = digest_mod.build(conn, query, since=since, until=until, limit=None, include_all=include_all)
    return graph_mod.for_statements(conn, [e.row.hit for grp in d.groups for e in grp.entries]), None


def graph(
    query: Optional[str] = typer.Option(None, "--query", "-q", help="The reactions among a digest's statements."),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="The reactions to and from one speaker."),
    since: Optional[str] = typer.Option(None, "--since", help="With --query: from this date on."),
    until: Optional[str] = typer.Option(None, "--until", help="With --query: up to this date."),
    fmt: GraphFormat = typer.Option(GraphFormat.json, "--format", "-f", help="json or svg."),
    output: Optional[Path] = output_option(),
    include_all: bool = all_option(),
    db: Optional[str] = db_option(),
) -> None:
    """Who reacts to whom (responds_to links, and statements naming another speaker), as
    JSON or as an SVG picture, drawn from trusted statements unless --all. Give --query or
    --speaker."""
    from sayso.digest import graph_svg
    from sayso.store import QueryError

    if bool(query and query.strip()) == bool(speaker and speaker.strip()):
        error("give either --query WORDS or --speaker NAME")
        raise typer.Exit(2)
    archive = open_archive(db)
    try:
        with archive.connect() as conn:
            g, centre = _build_graph(conn, query, speaker, since, until, include_all)
    except QueryError as exc:
        error(exc)
        raise typer.Exit(2)
    finally:
        archive.dispose()
    if not g.edges:
        print("no reactions found", file=sys.stderr)
    if fmt is GraphFormat.svg:
        write_text(graph_svg.standalone(g, centre), output)
    else:
        write_text(json.dumps(g.to_json(), ensure_ascii=False, indent=2) + "\n", output)
