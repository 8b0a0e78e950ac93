"""The web app under uvicorn, with what a plain ``uvicorn.run`` lacks (issue 19):

- a header timeout: a client must send a request's headers within ``header_timeout``
  seconds of connecting (or of the first byte of its next request on a kept-alive
  connection), else it gets a 408 and the connection is closed; a connection that sends
  nothing is closed quietly. uvicorn has none, so one connection that sends a header byte
  every few seconds (or nothing at all) was held forever, and enough of them exhaust the
  server's sockets;
- a prompt stop: SIGTERM or Ctrl-C cancels every analysis in flight (``Services.cancel_all``),
  so its request ends at the pipeline's next check, and the graceful shutdown waits at most
  ``GRACEFUL_SHUTDOWN`` seconds for the rest. A long analysis once kept ``sayso serve``
  running 23 s after SIGTERM.

The body timeout lives in the app (``GuardMiddleware``), which can still answer then.
"""
from __future__ import annotations

import asyncio
import copy
from types import FrameType
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from sayso.web.limits import SHUTTING_DOWN

HEADER_TIMEOUT = 10.0  # seconds for a request's headers to arrive
GRACEFUL_SHUTDOWN = 3  # seconds the server waits for requests in flight when it stops
_TOO_SLOW = b"request headers not received in time\n"
TIMED_OUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
             b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_TOO_SLOW), _TOO_SLOW))


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a timer from a request's first byte (or the connection's
    start) until its headers are complete."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._waiting_for_headers():
            if self._header_timer is None:  # the first bytes of the next request
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _waiting_for_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        """A 408 when part of a request came (h11 holds it, unparsed), silence when nothing
        did (a browser's spare connection); the connection is closed either way."""
        self._header_timer = None
        if not self._waiting_for_headers():
            return
        if self.conn.trailing_data[0]:
            self.logger.info("request headers not received within %g s: connection closed", self.header_timeout)
            self.transport.write(TIMED_OUT)
        self.transport.close()


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with this header timeout."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})


class StoppingServer(uvicorn.Server):
    """A uvicorn server that cancels the app's analyses when told to stop, so that the
    requests waiting on them end now instead of after the analysis."""

    def __init__(self, config: uvicorn.Config, app: FastAPI):
        super().__init__(config)
        self.services = app.state.services

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.services.cancel_all(SHUTTING_DOWN)
        super().handle_exit(sig, frame)


def make_server(app: FastAPI, host: str = "127.0.0.1", port: int = 8000, *,
                header_timeout: float = HEADER_TIMEOUT, **config: Any) -> StoppingServer:
    """The server ``sayso serve`` runs (tests run the same one on a free port): no Server
    header, no proxy headers trusted, the header timeout, a short graceful shutdown.
    ``config``: more ``uvicorn.Config`` settings (``log_level``, …)."""
    settings: dict[str, Any] = dict(log_level="info", server_header=False, proxy_headers=False,
                                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, lifespan="on",
                                    log_config=_log_config())
    settings.update(config)
    return StoppingServer(uvicorn.Config(app, host=host, port=port, http=header_timeout_protocol(header_timeout),
                                         **settings), app)


def _log_config() -> dict:
    """uvicorn's logging, with the app's own lines (``sayso.web``: cancelled analyses, a
    busy archive) through the same handler, where they would otherwise be lost."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["sayso"] = {"handlers": ["default"], "level": "INFO"}  # the root logger has none
    return config
