"""The HTML pages: search (home), speakers, a speaker, articles, an article, Analyse.

Rendered on the server with Jinja2 (autoescape on); article text is marked up by
``render.highlighted``, which escapes every piece of it. Query parameters are read leniently
(an out-of-range page is clamped) but bounded, and reach the archive only as bound values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sayso.records import KINDS, TYPES, Document, SpeakerSummary, StatementHit
from sayso.store import QueryError
from sayso.store import browse
from sayso.store.search import Query as SearchQuery, outside_the_view
from sayso.web.guard import MAX_BODY
from sayso.web.services import Services, client_address
from sayso.web.render import article_href, highlighted, speaker_href, timeline_svg

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PER_PAGE = 20
MAX_PAGE = 500
FILTERS = ("q", "speaker", "org", "since", "until", "kind", "type")


def _svc(request: Request) -> Services:
    return request.app.state.services


def show_all(request: Request) -> bool:
    """``?all=1`` (the "show all statements" checkbox): every statement, not only the trusted
    view that every page shows by default (``sayso.trust``)."""
    return request.query_params.get("all", "").strip().lower() in ("1", "on", "true", "yes")


def keep_all(url: str, on: bool) -> str:
    """A link that stays in the view the reader chose: ``all=1`` before any ``#fragment``."""
    if not on:
        return url
    path, hash_, frag = url.partition("#")
    return path + ("&" if "?" in path else "?") + "all=1" + hash_ + frag


def _switch(request: Request) -> str:
    """This page in the other view (the ``all`` switch flipped, the page number dropped)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("all", "page") and v}
    if not show_all(request):
        params["all"] = "1"
    return request.url.path + ("?" + urlencode(params) if params else "")


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page; its links to speakers and articles keep the reader's choice of view."""
    ctx.setdefault("title", None)
    on = show_all(request)
    ctx.update(show_all=on, switch_href=_switch(request),
               article_href=lambda a: keep_all(article_href(a), on),
               speaker_href=lambda s: keep_all(speaker_href(s), on))
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {400: "Bad request", 401: "Token needed", 403: "Not allowed", 404: "Not found",
              405: "Method not allowed", 408: "Too slow", 413: "Too large", 422: "Invalid request",
              429: "Too many attempts", 503: "Unavailable"}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    resp = render(request, "error.html", status, title=titles.get(status, "Error"), code=status,
                  message=message)
    if headers:
        resp.headers.update(headers)
    return resp


def _param(request: Request, name: str, max_len: int = 200) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    value = value.replace("\x00", "").strip()[:max_len]
    return value or None


def _page(request: Request) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.query_params.get("page", "1"))))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Pager:
    """Where a list page is (``page`` of ``pages``, ``total`` items) and the links to the
    pages around it (None at either end), as the ``pager`` macro shows them."""

    page: int
    pages: int
    total: int
    prev: str | None = None
    next: str | None = None


def _pager(request: Request, page: int, total: int, per_page: int = PER_PAGE) -> Pager:
    pages = max(1, -(-total // per_page))
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def link(p: int) -> str:
        return request.url.path + "?" + urlencode({**params, "page": p})

    return Pager(page, min(pages, MAX_PAGE), total, prev=link(page - 1) if page > 1 else None,
                 next=link(page + 1) if page < min(pages, MAX_PAGE) else None)


# ---------------------------------------------------------------------- search (home)
@router.get("/")
def search_page(request: Request):
    f = {k: _param(request, k, 500 if k == "q" else 200) for k in FILTERS}
    if f["kind"] not in KINDS:
        f["kind"] = None
    if f["type"] not in TYPES:
        f["type"] = None
    page = _page(request)
    error = None
    rows: list[StatementHit] = []
    total = 0
    speaker_card = None
    every = show_all(request)
    q = SearchQuery(text=f["q"], speaker=f["speaker"], org=f["org"], since=f["since"],
                    until=f["until"], kind=f["kind"], type=f["type"], include_all=every)
    note = outside_the_view(q)
    try:
        with _svc(request).engine.connect() as conn:
            result = browse.search_page(conn, q, (page - 1) * PER_PAGE, PER_PAGE)
            rows, total = result.rows, result.total
            if f["speaker"]:
                speaker_card = browse.speaker(conn, f["speaker"], every)
            if not any(f.values()):
                speaker_card = None
    except QueryError as exc:
        error = str(exc)
    return render(request, "search.html", 400 if error else 200, title=None, f=f, kinds=KINDS, types=TYPES,
                  rows=rows, error=error, note=note and f"{note}: tick “show all statements”.",
                  paging=_pager(request, page, total), speaker=speaker_card,
                  filtered=any(f.values()))


# ---------------------------------------------------------------------- speakers
@router.get("/speakers")
def speakers_page(request: Request):
    name = _param(request, "q")
    page = _page(request)
    with _svc(request).engine.connect() as conn:
        result = browse.list_speakers(conn, name, (page - 1) * 50, 50, show_all(request))
    return render(request, "speakers.html", title="Speakers", q=name, rows=result.rows,
                  paging=_pager(request, page, result.total, 50))


@router.get("/speakers/{speaker_id}")
def speaker_page(request: Request, speaker_id: str):
    page = _page(request)
    every = show_all(request)
    with _svc(request).engine.connect() as conn:
        sp = browse.speaker(conn, speaker_id.replace("\x00", "")[:300], every)
        if sp is None:
            raise HTTPException(404, detail=f"No speaker {speaker_id!r} in the archive.")
        if sp.id != speaker_id:
            return RedirectResponse(keep_all(speaker_href(sp.id), every), status_code=307)
        tl = browse.timeline(conn, sp.id, every)
        result = browse.search_page(conn, SearchQuery(speaker=sp.id, include_all=every),
                                    (page - 1) * PER_PAGE, PER_PAGE)
        rx = browse.reactions(conn, sp.id, include_all=every)
        picture = _reaction_picture(conn, sp, every)
    weeks = list(tl.weeks)
    return render(request, "speaker.html", title=sp.name, sp=sp, chart=timeline_svg(weeks),
                  weeks=weeks, undated=tl.undated, rows=result.rows,
                  paging=_pager(request, page, result.total), reactions=rx.reactions,
                  reacts_to=rx.reacts_to, graph=picture)


def _reaction_picture(conn, sp: SpeakerSummary, include_all: bool):
    """The reaction graph around a speaker, as inline SVG ('' when nobody reacts)."""
    from sayso.digest import graph as graph_mod, graph_svg

    g = graph_mod.around_speaker(conn, sp.id, sp.name, include_all)
    return graph_svg.svg(g, centre=sp.id, title=f"Who reacts to {sp.name}, and to whom they react")


# ---------------------------------------------------------------------- digest
@router.get("/digest")
def digest_page(request: Request):
    from sayso import digest as digest_mod
    from sayso.digest import graph as graph_mod, graph_svg
    from sayso.digest.render import header, href, reference

    f = {k: _param(request, k, 500 if k == "query" else 200) for k in ("query", "since", "until", "group_by")}
    if f["group_by"] not in digest_mod.GROUPINGS:
        f["group_by"] = "country"
    d = None
    picture = None
    error = None
    if f["query"]:
        try:
            with _svc(request).engine.connect() as conn:
                d = digest_mod.build(conn, f["query"], group_by=f["group_by"], since=f["since"],
                                     until=f["until"], include_all=show_all(request))
                rows = [e.row.hit for g in d.groups for e in g.entries]
                picture = graph_svg.svg(graph_mod.for_statements(conn, rows)) if rows else None
        except QueryError as exc:
            error = str(exc)
    return render(request, "digest.html", 400 if error else 200, title="Digest", f=f, d=d, error=error,
                  groupings=digest_mod.GROUPINGS, picture=picture,
                  summary=header(d) if d and d.size else None, reference=reference,
                  href=lambda e: keep_all(href(e), show_all(request)))


# ---------------------------------------------------------------------- articles
@router.get("/articles")
def articles_page(request: Request):
    if request.query_params.get("id") is not None:  # ids a path cannot carry ("..", ".")
        return article_page(request, request.query_params["id"])
    page = _page(request)
    with _svc(request).engine.connect() as conn:
        result = browse.list_articles(conn, (page - 1) * 50, 50, show_all(request))
    return render(request, "articles.html", title="Articles", rows=result.rows,
                  paging=_pager(request, page, result.total, 50))


@router.get("/articles/{article_id:path}")
def article_page(request: Request, article_id: str):
    with _svc(request).engine.connect() as conn:
        art = browse.article(conn, article_id.replace("\x00", "")[:1000], show_all(request))
    if art is None:
        raise HTTPException(404, detail=f"No article {article_id!r} in the archive.")
    return render(request, "article.html", title=art.title or art.id, art=art,
                  body=highlighted(art.text, art.statements), archived=True)


# ---------------------------------------------------------------------- analyse
@router.get("/analyse")
def analyse_form(request: Request):
    return render(request, "analyse.html", title="Analyse", text="", form={},
                  writes=bool(_svc(request).token))


@router.post("/analyse")
async def analyse_submit(request: Request):
    svc = _svc(request)
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_BODY)
    except Exception as exc:  # noqa: BLE001 - malformed multipart bodies
        status = getattr(exc, "status_code", 400)
        raise HTTPException(status if status in (400, 408, 413) else 400, headers=getattr(exc, "headers", None),
                            detail=f"cannot read the form: {getattr(exc, 'detail', exc)}") from exc
    fields = {k: (v if isinstance(v, str) else "") for k, v in form.items()}
    upload = form.get("file")
    title = (fields.get("title") or "").replace("\x00", "").strip()[:1000] or None
    want_store = fields.get("store") == "on"
    text = (fields.get("text") or "").replace("\r\n", "\n")  # browsers send textareas with CRLF
    ctx = {"title": "Analyse", "text": text, "form": {"title": title or "", "store": want_store},
           "writes": bool(svc.token)}

    def again(status: int, error: str, headers: dict | None = None) -> HTMLResponse:
        page = render(request, "analyse.html", status, error=error, **ctx)
        page.headers.update(headers or {})  # Retry-After on a 429 or a 503
        return page

    document: Document | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        await upload.close()
        if data:
            document = await run_in_threadpool(_document_from_upload, upload.filename, data)
            if isinstance(document, str):
                return again(422, document)
            if title:
                document = Document(document.text, None, title, document.published, document.url, document.source)
            ctx["text"] = document.text
    if document is None:
        if "\x00" in text:
            return again(422, "The text contains NUL characters; paste plain text.")
        if not text.strip():
            return again(422, "Paste a text or choose a file to analyse.")
        document = Document(text=text, title=title)
    if want_store:
        try:
            svc.authorise(fields.get("token") or None, client_address(request))
        except HTTPException as exc:
            return again(exc.status_code, str(exc.detail), exc.headers)
    try:
        art = await svc.analyse(document, request)  # through the analysis queue
    except HTTPException as exc:
        return again(exc.status_code, str(exc.detail), exc.headers)
    if want_store:
        article_id, _created = await run_in_threadpool(svc.store, document, art)
        return RedirectResponse(article_href(article_id), status_code=303)
    return render(request, "analyse.html", title="Analyse", text=document.text, form=ctx["form"],
                  writes=bool(svc.token), art=art, body=highlighted(document.text, art.statements),
                  archived=False)


def _document_from_upload(filename: str, data: bytes) -> Document | str:
    """An uploaded file as a document (HTML through the reader's extraction, anything else as
    UTF-8 text); a string says why it cannot be read."""
    from sayso.readers import ReadError
    from sayso.readers.html import document_from_html
    from sayso.readers.txt import document_from_bytes

    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if name.lower().endswith((".html", ".htm")):
        doc = document_from_html(data, name)
    else:
        doc = document_from_bytes(data, name)
    if isinstance(doc, ReadError):
        return f"Cannot read the file: {doc}"
    return doc
