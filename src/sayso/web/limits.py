"""What keeps the web app answering while it analyses, and what slows down token guessing.

``AnalysisQueue``: analyses run one at a time in a worker thread of their own (an
``anyio.CapacityLimiter`` of one), never in the thread pool that the read routes use; a few
wait beside the running one without holding a thread, and the next one is a 503 with
Retry-After at once. Each analysis has its own ``Budget``: its time limit, and a cancel
switch thrown when its client goes away (polled while it waits or runs) or when the server
shuts down (``cancel_all``). Without this, 40 waiting analyses held the 40 threads of the
pool and a ``GET /api/speakers`` took 19 s (issue 19).

``FailedTokens``: a client address that failed the token check ``limit`` times within
``window`` seconds gets 429 with Retry-After for every write until the oldest failure is
out of the window, even with the right token, so that a token cannot be guessed at speed.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from typing import Callable, TypeVar

import anyio
from fastapi import HTTPException, Request

from sayso.budget import DEFAULT_TIME_LIMIT, Budget, OverBudget
from sayso.pipeline import DocumentError

T = TypeVar("T")
log = logging.getLogger("sayso.web")

MAX_ANALYSES_WAITING = 2  # beside the one running
BUSY_RETRY_AFTER = 10  # seconds a client refused by a full queue is told to wait
DISCONNECT_POLL = 0.5  # seconds between checks that the client of an analysis is still there
CLIENT_GONE = "the client went away"
SHUTTING_DOWN = "the server is shutting down"
MAX_TOKEN_FAILURES = 10
TOKEN_FAILURE_WINDOW = 60.0  # seconds
MAX_TRACKED_CLIENTS = 10_000  # addresses remembered by FailedTokens (memory stays bounded)


class AnalysisQueue:
    """One analysis at a time, ``max_waiting`` more waiting, each within ``time_limit``
    seconds of analysis (None or 0: no limit). ``budgets`` maps the live analyses' budgets to
    why they were cancelled (None while they run on)."""

    def __init__(self, max_waiting: int = MAX_ANALYSES_WAITING,
                 time_limit: float | None = DEFAULT_TIME_LIMIT, poll: float = DISCONNECT_POLL):
        if max_waiting < 0:
            raise ValueError(f"max_waiting cannot be negative, not {max_waiting}")
        self.max_waiting = max_waiting
        self.time_limit = time_limit or None
        self.poll = poll
        self.budgets: dict[Budget, str | None] = {}
        self.stopping: str | None = None
        self._limiter = anyio.CapacityLimiter(1)
        self._lock = threading.Lock()

    async def run(self, work: Callable[[Budget], T], request: Request | None = None) -> T:
        """``work(budget)`` in the analysis thread, once the running analysis is done; a full
        queue is a 503 at once. While it waits and runs, a client that went away cancels it."""
        budget = self._admit()
        outcome: list[tuple[bool, object]] = []
        try:
            async with anyio.create_task_group() as tg:
                async def analysis() -> None:
                    try:
                        outcome.append((True, await anyio.to_thread.run_sync(work, budget, limiter=self._limiter)))
                    except Exception as exc:  # noqa: BLE001 - raised below, outside the task group
                        outcome.append((False, exc))
                    tg.cancel_scope.cancel()  # the watcher's job is done

                tg.start_soon(analysis)
                if request is not None:
                    tg.start_soon(self._watch, request, budget)
            ok, value = outcome[0]
            if ok:
                return value  # type: ignore[return-value]
            raise self._stopped(budget, value) if _over_budget(value) else value  # type: ignore[misc]
        finally:
            with self._lock:
                self.budgets.pop(budget, None)

    def cancel_all(self, reason: str) -> None:
        """Stop every live analysis at its next check and refuse new ones (shutdown). Safe in
        a signal handler: no lock is taken, so it cannot wait on the thread it interrupted."""
        self.stopping = reason
        for budget in list(self.budgets):
            self.budgets[budget] = reason
            budget.cancel(reason)

    def _admit(self) -> Budget:
        with self._lock:
            if self.stopping:
                raise HTTPException(503, detail=f"analysis refused: {self.stopping}",
                                    headers={"Retry-After": "30"})
            if len(self.budgets) > self.max_waiting:
                raise HTTPException(503, detail="the server is busy analysing other texts: retry in "
                                    f"{BUSY_RETRY_AFTER} seconds", headers={"Retry-After": str(BUSY_RETRY_AFTER)})
            budget = Budget(self.time_limit)
            self.budgets[budget] = None
        return budget

    async def _watch(self, request: Request, budget: Budget) -> None:
        while not budget.cancelled:
            await anyio.sleep(self.poll)
            if await request.is_disconnected():
                self.budgets[budget] = CLIENT_GONE
                budget.cancel(CLIENT_GONE)

    def _stopped(self, budget: Budget, exc: Exception) -> HTTPException:
        """The answer for an analysis its budget stopped: over the time limit (a 503 without
        Retry-After: the same text would take as long again), cancelled by shutdown (503,
        retry later) or by a client that left (nobody reads the answer: logged)."""
        reason = self.budgets.get(budget)
        if not budget.cancelled:
            return HTTPException(503, detail="the analysis took longer than this server allows "
                                 f"({self.time_limit:g} s per text): send a shorter text")
        if reason == CLIENT_GONE:
            log.info("analysis cancelled: %s", CLIENT_GONE)
            return HTTPException(503, detail=f"analysis cancelled: {CLIENT_GONE}")
        log.info("analysis cancelled: %s", reason)
        return HTTPException(503, detail=f"analysis cancelled: {reason}", headers={"Retry-After": "30"})


def _over_budget(exc: object) -> bool:
    return isinstance(exc, OverBudget) or (isinstance(exc, DocumentError) and isinstance(exc.cause, OverBudget))


class FailedTokens:
    """Failed token checks per client address within a sliding window of ``window`` seconds."""

    def __init__(self, limit: int = MAX_TOKEN_FAILURES, window: float = TOKEN_FAILURE_WINDOW,
                 clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """A 429 with Retry-After when ``client`` failed ``limit`` times in the window."""
        with self._lock:
            recent = self._recent(client)
            if self.limit and len(recent) >= self.limit:
                wait = max(1, math.ceil(recent[0] + self.window - self._clock()))
                raise HTTPException(429, detail=f"too many failed token checks from this address: "
                                    f"retry in {wait} seconds", headers={"Retry-After": str(wait)})

    def failed(self, client: str) -> None:
        with self._lock:
            if client not in self._failures and len(self._failures) >= MAX_TRACKED_CLIENTS:
                self._forget_some()
            self._failures.setdefault(client, deque()).append(self._clock())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= self._clock() - self.window:
            times.popleft()
        return times

    def _forget_some(self) -> None:
        """Room for a new address: addresses whose failures are all old go, else the oldest."""
        for client in [c for c in self._failures if not self._recent(c)]:
            del self._failures[client]
        if len(self._failures) >= MAX_TRACKED_CLIENTS:
            del self._failures[next(iter(self._failures))]
