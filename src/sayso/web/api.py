"""The JSON API under ``/api``: extraction without storing, the archive's statements,
speakers and articles, and storing new articles (token required). OpenAPI at
``/openapi.json``, browsable at ``/docs``."""
from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from sayso.records import TYPES, Document
from sayso.store import QueryError
from sayso.store import browse
from sayso.store.search import Query as SearchQuery
from sayso.web import models
from sayso.web.services import Services, client_address
from sayso.web.render import api_article_href

router = APIRouter(prefix="/api", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="The server's SAYSO_TOKEN.")

MAX_LIMIT = 100
MAX_OFFSET = 10_000
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
FILTER = r"^[^\x00]*$"
_TYPE = "(" + "|".join(TYPES) + ")"
TYPE_LIST = rf"^{_TYPE}(,{_TYPE})*$"  # "speech" or "speech,writing"
WORDS = r"^[^\x00]*\w[^\x00]*$"  # something to search for
CALENDAR = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


def _all_option():
    """``all=1``: every statement, not only the trusted view (the default, docs/trust.md)."""
    return Query(False, alias="all", description="Every statement, not only the trusted view "
                 "(speech, writing or thought, attributed, confident enough: docs/trust.md).")

E = {"model": models.Error}
NOT_FOUND = {404: {**E, "description": "No such item in the archive."}}
BAD_QUERY = {422: {**E, "description": "Invalid parameters."}}
WRITE = {400: {**E, "description": "The body cannot be read as JSON (e.g. not UTF-8)."},
         401: {**E, "description": "Missing or wrong token."},
         403: {**E, "description": "Writes are disabled on this server (no SAYSO_TOKEN)."},
         408: {**E, "description": "The request body did not arrive in time (30 s by default)."},
         413: {**E, "description": "Request body over the limit (2 MB), or a text over the "
               "server's limit (1,000,000 characters by default)."},
         422: {**E, "description": "Invalid body, or a text that cannot be analysed or stored."},
         429: {**E, "description": "Too many failed token checks from this address: wait for "
               "Retry-After seconds."},
         503: {**E, "description": "The server is busy analysing other texts (Retry-After), the "
               "analysis took longer than the server's time limit (send a shorter text), or "
               "the server is stopping."}}
ANALYSE = {k: WRITE[k] for k in (400, 408, 413, 422, 503)}


def services(request: Request) -> Services:
    return request.app.state.services


def require_token(request: Request,
                  creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
    services(request).authorise(creds.credentials if creds else None, client_address(request))



def _document(body: models.ArticleIn) -> Document:
    return Document(text=body.text, id=body.id, title=body.title,
                    published=body.published.isoformat() if body.published else None, url=body.url)


@router.post("/extract", response_model=models.Article,
             responses=ANALYSE, summary="Extract statements from a text (nothing is stored)")
async def extract(body: models.ArticleIn, request: Request,
                  trusted: bool = Query(False, description="Only the statements of the trusted view "
                                        "(docs/trust.md); default: every statement, as `sayso extract`.")) -> dict:
    """The article record of the statement schema for the text sent, with its statements;
    spans are offsets into `text` exactly as sent. One text is analysed at a time; a few
    wait, and beyond that the answer is a 503 with Retry-After."""
    from sayso.trust import trusted_article

    art = await services(request).analyse(_document(body), request)  # async: no pool thread waits
    return (trusted_article(art) if trusted else art).to_dict()


@router.get("/statements", response_model=models.StatementPage, responses=BAD_QUERY,
            summary="Search the archive's statements")
def statements(
    request: Request,
    q: Optional[str] = Query(None, max_length=500, pattern=FILTER,
                             description='Words in what was said ("a phrase", -word, a OR b).'),
    speaker: Optional[str] = Query(None, max_length=200, pattern=FILTER, description="Speaker: id, name, alias or surname."),
    org: Optional[str] = Query(None, max_length=200, pattern=FILTER, description="The speaker's organisation (substring)."),
    since: Optional[str] = Query(None, pattern=DATE, description="From this date on: YYYY, YYYY-MM or YYYY-MM-DD."),
    until: Optional[str] = Query(None, pattern=DATE, description="Up to this date: YYYY, YYYY-MM or YYYY-MM-DD."),
    kind: Optional[Literal["direct", "indirect", "mixed"]] = Query(None),
    type_: Optional[str] = Query(None, alias="type", max_length=100, pattern=TYPE_LIST,
                                 description="Attribution type: speech, writing, thought (knowledge, "
                                             "intention, evidence with all=1); several with commas."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    include_all: bool = _all_option(),
) -> dict:
    """Statements newest first (the statement's own date, else its article's publication
    date), each a statement record with `statement_id`, `article_id` and `article_ids`;
    trusted ones only unless `all=1`."""
    sq = SearchQuery(text=q, speaker=speaker, org=org, since=since, until=until, kind=kind,
                     type=type_, include_all=include_all)
    try:
        with services(request).engine.connect() as conn:
            page = browse.search_page(conn, sq, offset, limit)
    except QueryError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    return {"total": page.total, "offset": offset, "limit": limit,
            "statements": [h.to_dict() for h in page.rows]}


@router.get("/speakers", response_model=models.SpeakerPage, responses=BAD_QUERY,
            summary="Speakers, most statements first")
def speakers(
    request: Request,
    q: Optional[str] = Query(None, max_length=200, pattern=FILTER,
                             description="Keep speakers whose name, id or an alias contains this."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    include_all: bool = _all_option(),
) -> dict:
    """Speakers with their counts of trusted statements (every statement with `all=1`); a
    speaker with no trusted statement is listed only with `all=1`."""
    with services(request).engine.connect() as conn:
        page = browse.list_speakers(conn, q, offset, limit, include_all)
    return {"total": page.total, "offset": offset, "limit": limit, "speakers": [s.to_dict() for s in page.rows]}


@router.get("/speakers/{speaker_id}", response_model=models.SpeakerDetail,
            responses={**NOT_FOUND, **BAD_QUERY}, summary="One speaker: roles, timeline, reactions")
def speaker(request: Request, speaker_id: str, include_all: bool = _all_option()) -> dict:
    """A speaker by id (or alias, or full name): roles, counts, statements per week, and the
    statements of others that react to theirs, in the trusted view unless `all=1`. Their
    statements: `GET /api/statements?speaker=ID`."""
    if "\x00" in speaker_id or len(speaker_id) > 300:
        raise HTTPException(404, detail="no such speaker")
    with services(request).engine.connect() as conn:
        sp = browse.speaker(conn, speaker_id, include_all)
        if sp is None:
            raise HTTPException(404, detail=f"no speaker {speaker_id!r} in the archive")
        tl = browse.timeline(conn, sp.id, include_all)
        rx = browse.reactions(conn, sp.id, include_all=include_all)
    return {**sp.to_dict(), "timeline": [w.to_dict() for w in tl.weeks],
            "undated": tl.undated, "reactions": [r.to_dict() for r in rx.reactions]}


@router.get("/digest", response_model=models.Digest, responses=BAD_QUERY,
            summary='A "who said what" roundup on one issue')
def digest(
    request: Request,
    query: str = Query(..., min_length=1, max_length=500, pattern=WORDS,
                       description='What the roundup is about: words, "a phrase", -word.'),
    since: Optional[str] = Query(None, pattern=CALENDAR, description="From this date on: YYYY, YYYY-MM or YYYY-MM-DD."),
    until: Optional[str] = Query(None, pattern=CALENDAR, description="Up to this date: YYYY, YYYY-MM or YYYY-MM-DD."),
    group_by: Literal["country", "organization", "speaker"] = Query("country"),
    limit: int = Query(60, ge=1, le=200),
    include_all: bool = _all_option(),
) -> dict:
    """Statements on the issue, near duplicates removed, grouped by the speaker's country or
    organisation (else "Other"), oldest first: `{"query", "group_by", "groups": [{"name",
    "statements": [statement records with article_id, line, said_on, href]}]}`. Each
    statement's `content.spans` are offsets into its article (`GET /api/articles/{article_id}`)."""
    from sayso import digest as digest_mod
    from sayso.digest.render import to_json

    try:
        with services(request).engine.connect() as conn:
            d = digest_mod.build(conn, query, group_by=group_by, since=since, until=until, limit=limit,
                                 include_all=include_all)
    except QueryError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    return to_json(d)


@router.get("/graph", response_model=models.ReactionGraph, responses={**NOT_FOUND, **BAD_QUERY},
            summary="Who reacts to whom")
def reaction_graph(
    request: Request,
    speaker: Optional[str] = Query(None, max_length=200, pattern=FILTER,
                                   description="Around one speaker (wins over `query`)."),
    query: Optional[str] = Query(None, max_length=500, pattern=WORDS, description="Among a digest's statements."),
    include_all: bool = _all_option(),
) -> dict:
    """`{"nodes": [{"id", "name", "group"}], "edges": [{"source", "target", "count",
    "evidence": [{"article_id", "local_id", "statement_id", "via"}]}]}`: an edge per pair of
    speakers where the first's statement responds to (`via: responds_to`) or names
    (`via: names`) the second. Give `speaker` or `query`; with neither the graph is empty."""
    from sayso import digest as digest_mod
    from sayso.digest import graph as graph_mod

    if not speaker and not query:
        return {"nodes": [], "edges": []}
    try:
        with services(request).engine.connect() as conn:
            if speaker:
                sp = browse.speaker(conn, speaker, include_all)
                if sp is None:
                    raise HTTPException(404, detail=f"no speaker {speaker!r} in the archive")
                g = graph_mod.around_speaker(conn, sp.id, sp.name, include_all)
            else:
                d = digest_mod.build(conn, query, limit=None, include_all=include_all)
                g = graph_mod.for_statements(conn, [e.row.hit for grp in d.groups for e in grp.entries])
    except QueryError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    return g.to_json()


@router.get("/articles/{article_id:path}", response_model=models.StoredArticle,
            responses={**NOT_FOUND, **BAD_QUERY}, summary="One stored article with its statements")
def article(request: Request, article_id: str, include_all: bool = _all_option()) -> dict:
    """The stored article (its `text` exactly as stored) and the statements it reports, each
    with this article's own spans, in text order: the trusted ones (`hidden` counts the
    others), or all with `all=1`."""
    if "\x00" in article_id or len(article_id) > 1000:
        raise HTTPException(404, detail="no such article")
    with services(request).engine.connect() as conn:
        art = browse.article(conn, article_id, include_all)
    if art is None:
        raise HTTPException(404, detail=f"no article {article_id!r} in the archive")
    return art.to_dict()


@router.post("/articles", response_model=models.StoredArticle, status_code=201,
             dependencies=[Depends(require_token)],
             responses={200: {"model": models.StoredArticle, "description": "The text was stored already."},
                        **WRITE},
             summary="Store an article and its statements (token required)")
async def store_article(body: models.ArticleIn, request: Request, response: Response) -> dict:
    """Analyse the text and store the article with its statements (201); a text already in
    the archive is not stored again (200, the stored article)."""
    svc = services(request)
    doc = _document(body)
    analysed = await svc.analyse(doc, request)  # through the analysis queue, as /api/extract
    article_id, created, art = await run_in_threadpool(_stored, svc, doc, analysed)
    if not created:
        response.status_code = 200
    response.headers["Location"] = api_article_href(article_id)  # "/" escaped: ids may hold "../"
    return art


def _stored(svc: Services, doc: Document, analysed) -> tuple[str, bool, dict]:
    """Store an analysed article and read it back, in a pool thread (the archive's calls block)."""
    article_id, created = svc.store(doc, analysed)
    with svc.engine.connect() as conn:
        return article_id, created, browse.article(conn, article_id).to_dict()
