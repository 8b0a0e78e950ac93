"""``sayso serve`` (the web pages and the HTTP API) and ``sayso upgrade`` (the archive's schema)."""
from __future__ import annotations

from typing import Iterable, List, Optional

import typer

from sayso.cli.common import error, open_archive, settings
from sayso.cli.options import Accuracy, accuracy_option, db_option, time_limit_option

TRUST_REVISION = "0002"  # the schema that added types and the trusted view


def serve(
    db: Optional[str] = db_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    create: bool = typer.Option(False, "--create", help="Create an empty archive when there is none."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for Analyse and /api/extract."),
    accuracy: Accuracy = accuracy_option(),
    allowed_host: Optional[List[str]] = typer.Option(
        None, "--allowed-host", envvar="SAYSO_ALLOWED_HOSTS", show_envvar=False,
        help="A name clients may reach this server by (Host header), besides localhost and the "
             "--host address; repeat for more ('*': any). Default: $SAYSO_ALLOWED_HOSTS, space-separated."),
    time_limit: float = time_limit_option(),
) -> None:
    """Serve the web pages (search, speakers, articles, Analyse) and the HTTP API (/docs).

    Writes (POST /api/articles, storing from Analyse) need the token in $SAYSO_TOKEN (16 characters or more), sent as `Authorization: Bearer …`; without it the server is read-only."""
    from sayso.web import create_app
    from sayso.web.services import MIN_TOKEN_CHARS
    from sayso.web.server import make_server

    run = settings(model=model, accuracy=accuracy, time_limit=time_limit, allowed_hosts=allowed_host or None)
    token = run.token
    if token is not None and len(token) < MIN_TOKEN_CHARS:  # a short token is guessed, rate limit or not
        error(f"SAYSO_TOKEN is too short ({len(token)} characters): use at least {MIN_TOKEN_CHARS}, "
              "e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))'")
        raise typer.Exit(2)
    archive = open_archive(db, create=create, write=True)  # the usual errors for a missing or unreachable archive
    url = archive.url.render_as_string(hide_password=False)
    archive.dispose()
    web = create_app(url, token=token, settings=run, allowed_hosts=allowed_hosts(host, run.allowed_hosts))
    shown = f"[{host}]" if ":" in host else host
    print(f"sayso: serving {store_name(url)} at http://{shown}:{port}/ "
          f"(API docs at /docs; writes {'enabled' if token else 'disabled: set SAYSO_TOKEN'})", flush=True)
    make_server(web, host, port).run()  # header timeout; SIGTERM cancels the analyses in flight


def upgrade(db: Optional[str] = db_option()) -> None:
    """Bring an archive written by an older sayso to this sayso's schema (read commands
    never do it themselves; ingest, serve and speaker corrections do)."""
    from sayso.store.db import current_revision, head_revision, revision_of

    before = revision_of(db)
    archive = open_archive(db, write=True)
    rev = current_revision(archive)
    archive.dispose()
    print(f"archive schema {rev} (this sayso's: {head_revision()})")
    if before is not None and before < TRUST_REVISION:
        print("its statements were stored before sayso gave them types and calibrated confidences, so "
              "all of them show as trusted: analyse them again with "
              "`sayso reanalyse --db OLD --into NEW` (docs/archive.md)")


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
