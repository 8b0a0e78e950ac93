"""The web application: ``create_app(db_url, token=None)`` builds the FastAPI app that serves
the HTML pages (``pages``), the JSON API (``api``), the static files and the API docs, over
the parts it composes: the request guard (``guard``), what the routes share (``services``)
and the analysis queue and token limits (``limits``).

Safety, in one place (the ``create_app`` settings in brackets):
- request bodies over ``max_body`` bytes (default 2 MB) get a 413 before they are read; a
  body not all there within ``body_timeout`` seconds of the request (default 30) gets a 408
  and the connection is closed (the header timeout is the server's: ``web.server``);
- a text to analyse over ``max_text_chars`` characters (default 1,000,000) is a 413 whatever
  the body limit, so the limit on work does not depend on how the text is encoded;
- analyses (``/api/extract``, ``POST /api/articles``, the Analyse page) run one at a time in
  a thread of their own, never in the pool the read routes use; ``max_analyses_waiting``
  more (default 2) wait without holding a thread, and a further one is a 503 with
  Retry-After at once (``limits.AnalysisQueue``). Each analysis has a budget: over
  ``settings.time_limit`` seconds of analysis (default ``sayso.budget.DEFAULT_TIME_LIMIT``) it is a
  503 without Retry-After (the same text would take as long again: send a shorter one); a
  client that goes away cancels it (logged); ``Services.cancel_all`` stops them all
  (``sayso serve`` on SIGTERM: a 503 with Retry-After for their clients);
- every response carries a strict Content-Security-Policy (``default-src 'self'``, no inline
  script), ``X-Content-Type-Options: nosniff``, ``frame-ancestors 'none'`` and friends;
- no CORS middleware: browsers refuse cross-origin reads;
- writes need ``Authorization: Bearer <token>`` (the API) or the token in the form (the
  Analyse page), compared in constant time; with no token configured every write is refused.
  An address that failed the check ``max_token_failures`` times (default 10) within
  ``token_failure_window`` seconds (default 60) gets 429 with Retry-After for every write,
  right token or not, until the window has passed; ``sayso serve`` refuses a token shorter
  than ``MIN_TOKEN_CHARS`` (16).
The spaCy pipeline is loaded on first use, once per process, and runs one text at a time.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from spacy.language import Language
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.templating import Jinja2Templates

from sayso import __version__
from sayso.settings import Settings
from sayso.store import StoreError, open_engine
from sayso.store.db import BUSY_TIMEOUT, is_busy
from sayso.web.guard import BODY_TIMEOUT, CSP, MAX_BODY, SECURITY_HEADERS, GuardMiddleware
from sayso.web.limits import (MAX_ANALYSES_WAITING, MAX_TOKEN_FAILURES, TOKEN_FAILURE_WINDOW,
                              AnalysisQueue, FailedTokens)
from sayso.web.services import MAX_TEXT_CHARS, MIN_TOKEN_CHARS, TOKEN_ENV, Services

__all__ = ["BODY_TIMEOUT", "CSP", "MAX_BODY", "MAX_TEXT_CHARS", "MIN_TOKEN_CHARS", "SECURITY_HEADERS",
           "TOKEN_ENV", "GuardMiddleware", "Services", "create_app"]

HERE = Path(__file__).resolve().parent
MAX_LISTED_ERRORS = 20  # a 422 names this many problems, then says how many more

log = logging.getLogger("sayso.web")


def _templates() -> Jinja2Templates:
    from sayso.web.render import api_article_href, article_href, no_bidi, one_line, speaker_href, web_url

    # finalize: every value a template shows loses its bidi controls (titles, outlets, names)
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(enabled_extensions=("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True, finalize=no_bidi)
    env.globals.update(article_href=article_href, api_article_href=api_article_href,
                       speaker_href=speaker_href, web_url=web_url)
    env.filters["one_line"] = one_line
    return Jinja2Templates(env=env)


def create_app(db_url: str | None = None, token: str | None = None, *,
               nlp: Language | None = None, settings: Settings | None = None,
               max_body: int = MAX_BODY, busy_timeout: float = BUSY_TIMEOUT,
               allowed_hosts: list[str] | None = None, max_text_chars: int = MAX_TEXT_CHARS,
               max_analyses_waiting: int = MAX_ANALYSES_WAITING,
               body_timeout: float | None = BODY_TIMEOUT,
               max_token_failures: int = MAX_TOKEN_FAILURES,
               token_failure_window: float = TOKEN_FAILURE_WINDOW) -> FastAPI:
    """The web app over the archive at ``db_url`` (an SQLAlchemy URL or an SQLite path;
    default ``settings.db``, else ``./sayso.db``; created and migrated when needed). ``token``
    enables writes (None: every write is refused). ``nlp``: an already loaded pipeline, else
    the one ``settings`` name (default ``Settings()``; ``sayso serve`` builds them from flags
    and environment) is loaded on first use, and their ``time_limit`` bounds each analysis.
    ``busy_timeout``: seconds a write waits
    for another writer (an ingest) before the request is a 503. ``allowed_hosts``: the
    names the Host header may give (400 otherwise; a guard against DNS rebinding); None
    accepts any, and ``sayso serve`` always passes a list. The other limits are described in
    this module's docstring; ``body_timeout`` is seconds (None: none)."""
    from sayso import nlp as nlp_mod
    from sayso.web import api, pages

    settings = settings or Settings()
    engine = open_engine(db_url if db_url is not None else settings.db, busy_timeout=busy_timeout)

    def loader() -> Language:
        return nlp if nlp is not None else nlp_mod.load(settings=settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan, title="sayso", version=__version__,
        description=("Who said what: attributed statements (quotes and paraphrases) from news "
                     "articles, and the archive of them. Write endpoints need "
                     "`Authorization: Bearer <SAYSO_TOKEN>`."),
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.services = Services(
        engine, token, loader, max_text_chars=max_text_chars, settings=settings,
        queue=AnalysisQueue(max_analyses_waiting, settings.time_limit),
        failed_tokens=FailedTokens(max_token_failures, token_failure_window))
    app.state.templates = _templates()
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    # outermost: its headers on every answer
    app.add_middleware(GuardMiddleware, max_body=max_body, body_timeout=body_timeout)
    _files(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    return app


def _files(app: FastAPI) -> None:
    """The static files, the favicon and the API docs page (its assets served from here)."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    try:
        import fastapi_offline

        assets = Path(fastapi_offline.__file__).resolve().parent / "static"
        app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")
    except ImportError:  # pragma: no cover - the docs page says the assets are missing
        pass

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request):
        return app.state.templates.TemplateResponse(request, "docs.html", {"title": "API"})


def _error_handlers(app: FastAPI) -> None:
    """Errors as answers: HTML pages for browsers, JSON for the API; a 422 of bounded size;
    an archive that is busy or down is a 503 with Retry-After (retryable, never a 4xx)."""
    from sayso.web import pages

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_html(request):  # with the error's headers (Retry-After, Connection: close)
            page = pages.error_page(request, exc.status_code, str(exc.detail))
            page.headers.update(getattr(exc, "headers", None) or {})
            return page
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        found = exc.errors()
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in found[:MAX_LISTED_ERRORS]]
        if len(found) > MAX_LISTED_ERRORS:  # 150 k unknown keys once made a 13.5 MB answer
            errors.append({"loc": [], "msg": f"and {len(found) - MAX_LISTED_ERRORS:,} more errors",
                           "type": "too_many_errors"})
        if _wants_html(request):
            msg = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
            return pages.error_page(request, 422, msg)
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(StoreError)
    @app.exception_handler(sa.exc.OperationalError)
    async def unavailable(request: Request, exc: Exception):
        # retryable, so never a 4xx: the client did nothing wrong
        busy = is_busy(exc)
        log.error("archive %s: %s", "busy" if busy else "unavailable", exc)
        msg = ("the archive is busy with another writer: retry in a few seconds" if busy
               else "the archive is not available right now")
        headers = {"Retry-After": "5" if busy else "30"}
        if _wants_html(request):
            page = pages.error_page(request, 503, msg)
            page.headers.update(headers)
            return page
        return JSONResponse({"detail": msg}, status_code=503, headers=headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/openapi", "/static/", "/docs-assets/"))
