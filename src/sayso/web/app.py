"""The web application: ``create_app(db_url, token=None)`` builds the FastAPI app that serves
the HTML pages (``pages``), the JSON API (``api``), the static files and the API docs.

Safety, in one place:
- request bodies over ``max_body`` bytes (default 2 MB) get a 413 before they are read;
- every response carries a strict Content-Security-Policy (``default-src 'self'``, no inline
  script), ``X-Content-Type-Options: nosniff``, ``frame-ancestors 'none'`` and friends;
- no CORS middleware: browsers refuse cross-origin reads;
- writes need ``Authorization: Bearer <token>`` (the API) or the token in the form (the
  Analyse page), compared in constant time; with no token configured every write is refused.
The spaCy pipeline is loaded on first use, once per process, and runs one text at a time.
"""
from __future__ import annotations

import hmac
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

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
from sayso.pipeline import Document, DocumentError, analyse
from sayso.records import Article
from sayso.store import StoreError, Writer, content_hash, open_engine
from sayso.store.db import BUSY_TIMEOUT, is_busy, one_line
from sayso.store.browse import article_id_for_text

HERE = Path(__file__).resolve().parent
MAX_BODY = 2_000_000
MAX_LISTED_ERRORS = 20  # a 422 names this many problems, then says how many more
TOKEN_ENV = "SAYSO_TOKEN"
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


class BodyTooLarge(StarletteHTTPException):
    """Raised while a streamed body is read past the limit; an HTTP error, so that the
    framework's body parsing passes it on (as a 413) instead of calling it a bad body."""

    def __init__(self, limit: int):
        super().__init__(413, detail=too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes"


class GuardMiddleware:
    """Request body limit (Content-Length checked up front, streamed bodies counted) and
    security headers on every response. Plain ASGI, so it sees every request first."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        head = scope["method"] == "HEAD"
        if head:  # answered as GET without the body, wherever GET is
            scope = {**scope, "method": "GET"}
        host = dict(scope.get("headers", [])).get(b"host", b"")

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, _relative(v, host) if k.lower() == b"location" else v)
                           for k, v in message.get("headers", [])
                           if k.lower() not in {h for h, _ in SECURITY_HEADERS}]
                message = {**message, "headers": headers + SECURITY_HEADERS}
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
                    await self._too_large(send_with_headers)
                    return

        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(send_with_headers)

    async def _too_large(self, send: Send) -> None:
        resp = JSONResponse({"detail": too_large_message(self.max_body)}, status_code=413)
        await resp({"type": "http"}, _no_receive, send)


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
    """What the routes share: the archive, the write token and the lazily loaded pipeline."""

    def __init__(self, engine: sa.engine.Engine, token: str | None,
                 nlp_loader: Callable[[], Language]):
        self.engine = engine
        self.token = token or None
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

    def analyse(self, document: Document) -> Article:
        """The pipeline's article for a document; a text it cannot analyse is a 422."""
        nlp = self.nlp()
        with self._run_lock:  # spaCy pipelines are not made for concurrent calls
            try:
                return analyse(document, nlp)
            except DocumentError as exc:
                raise HTTPException(422, detail=str(exc)) from exc

    # ------------------------------------------------------------ writes
    def authorise(self, presented: str | None) -> None:
        """Constant-time token check: 403 when writes are off, 401 on a missing/wrong token."""
        if not self.token:
            raise HTTPException(403, detail=f"writes are disabled: start the server with {TOKEN_ENV} set")
        if not presented or not hmac.compare_digest(presented.encode("utf-8", "surrogatepass"),
                                                    self.token.encode("utf-8", "surrogatepass")):
            raise HTTPException(401, detail="a valid token is needed (Authorization: Bearer …)",
                                headers={"WWW-Authenticate": "Bearer"})

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
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The web app over the archive at ``db_url`` (an SQLAlchemy URL or an SQLite path;
    default ``$SAYSO_DB``, else ``./sayso.db``; created and migrated when needed). ``token``
    enables writes (None: every write is refused). ``nlp``: an already loaded pipeline, else
    ``model``/``accuracy`` are loaded on first use. ``busy_timeout``: seconds a write waits
    for another writer (an ingest) before the request is a 503. ``allowed_hosts``: the
    names the Host header may give (400 otherwise; a guard against DNS rebinding); None
    accepts any, and ``sayso serve`` always passes a list."""
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
    app.state.services = Services(engine, token, loader)
    app.state.templates = _templates()
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(GuardMiddleware, max_body=max_body)  # outermost: its headers on every answer
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    try:
        import fastapi_offline

        assets = Path(fastapi_offline.__file__).resolve().parent / "static"
        app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")
    except ImportError:  # pragma: no cover - the docs page says the assets are missing
        pass
    app.include_router(api.router)
    app.include_router(pages.router)

    _error_handlers(app)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request):
        return app.state.templates.TemplateResponse(request, "docs.html", {"title": "API"})

    return app


def _error_handlers(app: FastAPI) -> None:
    """Errors as answers: HTML pages for browsers, JSON for the API; a 422 of bounded size;
    an archive that is busy or down is a 503 with Retry-After (retryable, never a 4xx)."""
    from sayso.web import pages

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_html(request):
            return pages.error_page(request, exc.status_code, str(exc.detail))
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
