"""What the routes share (``Services``): the archive, the write token with its
failed-check limit, the lazily loaded pipeline and the queue that analyses run through."""
from __future__ import annotations

import hmac
import threading
from typing import Callable

import sqlalchemy as sa
from fastapi import HTTPException, Request
from spacy.language import Language

from sayso.budget import Budget
from sayso.pipeline import DocumentError, analyse
from sayso.records import Document
from sayso.records import Article
from sayso.store import Writer, content_hash
from sayso.settings import TOKEN_ENV, Settings
from sayso.store.browse import article_id_for_text
from sayso.store.db import one_line
from sayso.web.limits import AnalysisQueue, FailedTokens

MAX_TEXT_CHARS = 1_000_000  # characters of text one analysis takes, whatever the body limit
MIN_TOKEN_CHARS = 16  # `sayso serve` refuses a shorter token


def client_address(request: Request) -> str | None:
    """The address the connection comes from, which the failed-token limit counts by
    (``sayso serve`` trusts no proxy headers)."""
    return request.client.host if request.client else None


class Services:
    """What the routes share: the archive, the write token (with its failed-check limit),
    the lazily loaded pipeline and the queue that analyses run through."""

    def __init__(self, engine: sa.engine.Engine, token: str | None,
                 nlp_loader: Callable[[], Language], *, max_text_chars: int = MAX_TEXT_CHARS,
                 queue: AnalysisQueue | None = None, failed_tokens: FailedTokens | None = None,
                 settings: Settings | None = None):
        self.engine = engine
        self.settings = settings or Settings()
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
            return analyse(document, nlp, budget=budget, settings=self.settings)

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
                written = Writer(self.engine).write(article, document.text, document.source)
            except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                reason = one_line(exc)
                raise HTTPException(422, detail=f"the archive cannot store this article: {reason}") from exc
        if written is not None:
            return written.article_id, True
        with self.engine.connect() as conn:
            return article_id_for_text(conn, content_hash(document.text)), False
