"""The guard every request passes first (plain ASGI, outermost): the body limit and
timeout, same-site redirects as paths, HEAD answered as GET, and the security headers on
every answer, errors included."""
from __future__ import annotations

import anyio
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 2_000_000
BODY_TIMEOUT = 30.0  # seconds for a whole request body to arrive
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
