"""The web application: ``create_app(db_url, token=None)`` builds the FastAPI app that serves
the HTML pages (``pages``), the JSON API (``api``), the static files and the API docs.

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
  ``time_limit`` seconds of analysis (default ``sayso.budget.DEFAULT_TIME_LIMIT``) it is a
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

import hmac
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

import anyio
import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from spacy.language import Language
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sayso import __version__
from sayso.budget import DEFAULT_TIME_LIMIT, Budget
from sayso.pipeline import Document, DocumentError, analyse
from sayso.records import Article
from sayso.store import StoreError, Writer, content_hash, open_engine
from sayso.store.db import BUSY_TIMEOUT, is_busy, one_line
from sayso.store.browse import article_id_for_text
from sayso.web.limits import (MAX_ANALYSES_WAITING, MAX_TOKEN_FAILURES, TOKEN_FAILURE_WINDOW,
                              AnalysisQueue, FailedTokens)

HERE = Path(__file__).resolve().parent
MAX_BODY = 2_000_000
MAX_TEXT_CHARS = 1_000_000  # characters of text one analysis takes, whatever the body limit
BODY_TIMEOUT = 30.0  # seconds for a whole request body to arrive
MAX_LISTED_ERRORS = 20  # a 422 names this many problems, then says how many more
TOKEN_ENV = "SAYSO_TOKEN"
MIN_TOKEN_CHARS = 16  # `sayso serve` refuses a shorter token
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

log = logging.getLogger("sayso.web")


class BodyTimeout(StarletteHTTPException):
    """Raised when a request body is not all there within the body timeout (a client that
    trickles bytes to hold a connection); the answer closes the connection."""

    def __init__(self, seconds: float):
        super().__init__(408, detail=f"request body not received within {seconds:g} seconds",
                         headers={"Connection": "close"})


class BodyTooLarge(StarletteHTTPException):
    """Raised while a streamed body is read past the limit; an HTTP error, so that the
    framework's body parsing passes it on (as a 413) instead of calling it a bad body."""

    def __init__(self, limit: int):
        super().__init__(413, detail=too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes"


class GuardMiddleware:
    """Request body limit (Content-Length checked up front, streamed bodies counted), body
    timeout (the whole body within ``body_timeout`` seconds of the request, else a 408 and
    the connection closed) and security headers on every response. Plain ASGI, so it sees
    every request first."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY, body_timeout: float | None = BODY_TIMEOUT):
        self.app = app
        self.max_body = max_body
        self.body_timeout = body_timeout or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        head = scope["method"] == "HEAD"
        if head:  # answered as GET without the body, wherever GET is
            scope = {**scope, "method": "GET"}
        host = dict(scope.get("headers", [])).get(b"host", b"")
        body = _GuardedBody(receive, self.max_body, self.body_timeout)

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                ours = {h for h, _ in SECURITY_HEADERS} | ({b"connection"} if body.timed_out else set())
                headers = [(k, _relative(v, host) if k.lower() == b"location" else v)
                           for k, v in message.get("headers", []) if k.lower() not in ours]
                closing = [(b"connection", b"close")] if body.timed_out else []
                message = {**message, "headers": headers + SECURITY_HEADERS + closing}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_body
                except ValueError:
                    too_big = False
                if too_big:
                    await self._answer(BodyTooLarge(self.max_body), send_with_headers)
                    return

        try:
            await self.app(scope, body.receive, send_with_headers)
        except (BodyTooLarge, BodyTimeout) as exc:
            if started:
                raise
            await self._answer(exc, send_with_headers)

    async def _answer(self, exc: StarletteHTTPException, send: Send) -> None:
        resp = JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        await resp({"type": "http"}, _no_receive, send)


class _GuardedBody:
    """A request's ``receive``, counted against the body limit and, until the body is all
    there, bounded by the body timeout (after that the app may wait on it for as long as it
    likes: that is how it hears that the client went away)."""

    def __init__(self, receive: Receive, max_body: int, timeout: float | None):
        self._receive = receive
        self._max_body = max_body
        self._timeout = timeout
        self._deadline = None if timeout is None else anyio.current_time() + timeout
        self._seen = 0
        self._complete = False
        self.timed_out = False

    async def receive(self) -> Message:
        if self._complete or self._deadline is None:
            message = await self._receive()
        elif self.timed_out:
            raise BodyTimeout(self._timeout)
        else:
            try:
                with anyio.fail_after(max(0.0, self._deadline - anyio.current_time())):
                    message = await self._receive()
            except TimeoutError:
                self.timed_out = True
                raise BodyTimeout(self._timeout) from None
        if message["type"] == "http.request":
            self._seen += len(message.get("body", b""))
            if self._seen > self._max_body:
                raise BodyTooLarge(self._max_body)
            self._complete = not message.get("more_body", False)
        return message


def _relative(location: bytes, host: bytes) -> bytes:
    """A redirect to this same site as a path only: the framework's own redirects (a
    trailing slash) are built from the request's Host header, which the client chose."""
    for scheme in (b"http://", b"https://"):
        if host and location.startswith(scheme + host + b"/"):
            return location[len(scheme + host):]
    return location


async def _no_receive() -> Message:  # pragma: no cover - a response never reads
    return {"type": "http.disconnect"}


class Services:
    """What the routes share: the archive, the write token (with its failed-check limit),
    the lazily loaded pipeline and the queue that analyses run through."""

    def __init__(self, engine: sa.engine.Engine, token: str | None,
                 nlp_loader: Callable[[], Language], *, max_text_chars: int = MAX_TEXT_CHARS,
                 queue: AnalysisQueue | None = None, failed_tokens: FailedTokens | None = None):
        self.engine = engine
        self.token = token or None
        self.max_text_chars = max_text_chars
        self.queue = queue or AnalysisQueue()
        self.failed_tokens = failed_tokens or FailedTokens()
        self._nlp_loader = nlp_loader
        self._nlp: Language | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._write_lock = threading.Lock()

    # ------------------------------------------------------------ the pipeline
    def nlp(self) -> Language:
        if self._nlp is None:
            with self._load_lock:
                if self._nlp is None:
                    self._nlp = self._nlp_loader()
        return self._nlp

    async def analyse(self, document: Document, request: Request | None = None) -> Article:
        """The pipeline's article for a document, through the analysis queue (a 503 when it
        is full, when the analysis runs over its time limit or the server is stopping); a
        text over ``max_text_chars`` is a 413, one it cannot analyse a 422. ``request``: the
        client whose departure cancels the analysis."""
        if len(document.text) > self.max_text_chars:
            raise HTTPException(413, detail=f"text too long: {len(document.text):,} characters, "
                                f"the limit is {self.max_text_chars:,}")
        try:
            return await self.queue.run(lambda budget: self._analyse_now(document, budget), request)
        except DocumentError as exc:
            raise HTTPException(422, detail=str(exc)) from exc

    def _analyse_now(self, document: Document, budget: Budget) -> Article:
        nlp = self.nlp()
        with self._run_lock:  # spaCy pipelines are not made for concurrent calls
            budget.restart()  # the time limit counts analysis, not waiting
            budget.check()  # cancelled while it waited: its client left, or the server stops
            return analyse(document, nlp, budget=budget)

    def live_budgets(self) -> list[Budget]:
        """The budgets of the analyses running or waiting now."""
        return list(self.queue.budgets)

    def cancel_all(self, reason: str) -> None:
        """Stop every analysis at its next check and refuse new ones (``sayso serve`` on
        SIGTERM or Ctrl-C, so that the server stops within seconds)."""
        self.queue.cancel_all(reason)

    # ------------------------------------------------------------ writes
    def authorise(self, presented: str | None, client: str | None = None) -> None:
        """Constant-time token check: 403 when writes are off, 401 on a missing/wrong token,
        429 for an address (``client``) with too many recent failures, right token or not."""
        if not self.token:
            raise HTTPException(403, detail=f"writes are disabled: start the server with {TOKEN_ENV} set")
        who = client or "unknown"
        self.failed_tokens.check(who)
        if not presented or not hmac.compare_digest(presented.encode("utf-8", "surrogatepass"),
                                                    self.token.encode("utf-8", "surrogatepass")):
            self.failed_tokens.failed(who)
            raise HTTPException(401, detail="a valid token is needed (Authorization: Bearer …)",
                                headers={"WWW-Authenticate": "Bearer"})
        self.failed_tokens.succeeded(who)

    def store(self, document: Document, article: Article) -> tuple[str, bool]:
        """Write an analysed article: (its id in the archive, whether it is new)."""
        with self._write_lock:
            try:
                written = Writer(self.engine).write(article.to_dict(), document.text, document.source)
            except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                reason = one_line(exc)
                raise HTTPException(422, detail=f"the archive cannot store this article: {reason}") from exc
        if written is not None:
            return written.article_id, True
        with self.engine.connect() as conn:
            return article_id_for_text(conn, content_hash(document.text)), False


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
               nlp: Language | None = None, model: str | None = None, accuracy: str | None = None,
               max_body: int = MAX_BODY, busy_timeout: float = BUSY_TIMEOUT,
               allowed_hosts: list[str] | None = None, max_text_chars: int = MAX_TEXT_CHARS,
               max_analyses_waiting: int = MAX_ANALYSES_WAITING,
               time_limit: float | None = DEFAULT_TIME_LIMIT, body_timeout: float | None = BODY_TIMEOUT,
               max_token_failures: int = MAX_TOKEN_FAILURES,
               token_failure_window: float = TOKEN_FAILURE_WINDOW) -> FastAPI:
    """The web app over the archive at ``db_url`` (an SQLAlchemy URL or an SQLite path;
    default ``$SAYSO_DB``, else ``./sayso.db``; created and migrated when needed). ``token``
    enables writes (None: every write is refused). ``nlp``: an already loaded pipeline, else
    ``model``/``accuracy`` are loaded on first use. ``busy_timeout``: seconds a write waits
    for another writer (an ingest) before the request is a 503. ``allowed_hosts``: the
    names the Host header may give (400 otherwise; a guard against DNS rebinding); None
    accepts any, and ``sayso serve`` always passes a list. The other limits are described in
    this module's docstring; ``time_limit`` and ``body_timeout`` are seconds (None: none)."""
    from sayso import nlp as nlp_mod
    from sayso.web import api, pages

    engine = open_engine(db_url, busy_timeout=busy_timeout)

    def loader() -> Language:
        return nlp if nlp is not None else nlp_mod.load(nlp_mod.model_name(model), accuracy)

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
        engine, token, loader, max_text_chars=max_text_chars,
        queue=AnalysisQueue(max_analyses_waiting, time_limit),
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
