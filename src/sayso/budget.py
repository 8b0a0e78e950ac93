"""How long one document may take, and a way to stop it from outside.

A text that the tests did not foresee can still make some stage slow, and a web client can
go away while its text is being analysed. Python cannot interrupt a thread, so the
analysis stops itself: the pipeline asks its budget between pieces of a long document and
between the spaCy components on each piece (``pipeline``), and the budget says stop when
the document's time is up or when someone cancelled it (the web app, for a client that
went away or a server that is shutting down). One check costs a clock read.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

DEFAULT_TIME_LIMIT = 100.0  # seconds per document; a news article takes well under one, and a
# document of 1.4 M characters is answered within two minutes, model loading included


class OverBudget(RuntimeError):
    """The analysis of one document stopped: over its time limit, or cancelled."""


class Budget:
    """The time limit of one document's analysis (``seconds``; None or 0: no limit) and a
    cancel switch that any thread may throw. ``restart`` starts the clock for the next
    document; a cancel lasts until the budget is dropped."""

    def __init__(self, seconds: float | None = DEFAULT_TIME_LIMIT,
                 clock: Callable[[], float] = time.monotonic):
        if seconds is not None and seconds < 0:
            raise ValueError(f"a time limit cannot be negative, not {seconds}")
        self.seconds = seconds or None
        self._clock = clock
        self._deadline: float | None = None
        self._cancelled = threading.Event()
        self._reason = ""
        self.restart()

    def restart(self) -> "Budget":
        self._deadline = None if self.seconds is None else self._clock() + self.seconds
        return self

    def cancel(self, reason: str) -> None:
        self._reason = reason
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check_cancel(self) -> None:
        if self._cancelled.is_set():
            raise OverBudget(f"analysis cancelled: {self._reason}")

    def check(self) -> None:
        self.check_cancel()
        if self._deadline is not None and self._clock() > self._deadline:
            raise OverBudget(f"analysis stopped: over the time limit of {self.seconds:g} s per "
                             "document (--time-limit, $SAYSO_TIME_LIMIT)")


def unlimited() -> Budget:
    return Budget(None)
