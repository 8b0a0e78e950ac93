"""The web app's limits (issue 19), on real servers where timing matters: analyses queue
without starving reads (a full queue is a 503 with Retry-After), a text limit apart from the
body limit, analyses cancelled when their client leaves, over their time limit or at
shutdown, slow headers and bodies cut off, and failed tokens rate-limited."""
from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from sayso.web.limits import FailedTokens
from sayso.web.server import make_server
from tests.conftest import SHARED
from tests.web.conftest import TOKEN, free_port

POLNEAR_DEV = SHARED / "data" / "polnear" / "dev.jsonl"


def news(chars: int) -> str:
    """``chars`` characters of real news text: PolNeAR dev articles one after another."""
    if not POLNEAR_DEV.is_file():
        pytest.skip(f"no PolNeAR dev set at {POLNEAR_DEV}")
    with POLNEAR_DEV.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    text = "\n\n".join(texts)
    while len(text) < chars:
        text += "\n\n" + text
    return text[:chars]


@contextmanager
def serving(app, **server_settings):
    """``app`` under the server ``sayso serve`` runs, on a free local port, in a thread (the
    logging of this test process left alone)."""
    port = free_port()
    server = make_server(app, "127.0.0.1", port, log_level="warning", log_config=None, **server_settings)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        app.state.services.cancel_all("the test is over")
        server.should_exit = True
        thread.join(30)


class Extract(threading.Thread):
    """A POST /api/extract of ``text`` in a thread of its own; ``close()`` hangs up."""

    def __init__(self, port: int, text: str):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.body = json.dumps({"text": text})
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.detail = ""
        self.sent = threading.Event()

    def run(self) -> None:
        try:
            self.conn.request("POST", "/api/extract", self.body, {"Content-Type": "application/json"})
            self.sent.set()
            resp = self.conn.getresponse()
            self.status, self.headers = resp.status, dict(resp.getheaders())
            self.detail = json.loads(resp.read()).get("detail", "")
        except OSError:  # hung up by close()
            pass
        finally:
            self.sent.set()

    def close(self) -> None:
        if self.conn.sock is not None:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()


def get(port: int, path: str) -> tuple[int, float]:
    """(status, seconds) of one GET on a fresh connection."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - started
    finally:
        conn.close()


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


# ---------------------------------------------------------------------- the analysis queue
def test_reads_answer_in_under_a_second_with_40_long_analyses_in_flight(make_app, sqlite_archive):
    """Issue 19's criterion: 40 concurrent 200,000-character extracts; GET /api/speakers
    still answers in under 1 s. One runs and two wait (the default queue); the other 37 are
    told to come back (503 with Retry-After) at once."""
    app = make_app(sqlite_archive)
    text = news(200_000)
    with serving(app) as port:
        extracts = [Extract(port, text) for _ in range(40)]
        for e in extracts:
            e.start()
        wait_for(lambda: sum(e.status is not None for e in extracts) == 37)
        refused = [e for e in extracts if e.status is not None]
        assert {e.status for e in refused} == {503}
        assert all(e.headers.get("retry-after") == "10" and "busy analysing" in e.detail for e in refused)
        assert len(app.state.services.live_budgets()) == 3

        reads = []
        for _ in range(6):  # over 3 s of the running analysis (one takes several times that)
            time.sleep(0.5)
            reads.append(get(port, "/api/speakers?limit=20"))
        assert app.state.services.live_budgets()  # all measured with analyses in flight
        print(f"GET /api/speakers with analyses in flight: {max(s for _, s in reads) * 1000:.0f} ms at most")
        assert {status for status, _ in reads} == {200}
        assert max(seconds for _, seconds in reads) < 1.0
        for e in extracts:
            e.close()


def test_a_full_queue_is_a_503_and_a_client_that_leaves_cancels_its_analysis(make_app, sqlite_archive, caplog):
    app = make_app(sqlite_archive, max_analyses_waiting=0)
    services = app.state.services
    with serving(app) as port, caplog.at_level(logging.INFO, logger="sayso.web"):
        long = Extract(port, news(100_000))
        long.start()
        wait_for(lambda: services.live_budgets())
        [budget] = services.live_budgets()

        other = Extract(port, "The mayor said the bridge would close.")
        other.run()  # no room beside the running one: refused at once, no thread held
        assert other.status == 503 and other.headers["retry-after"] == "10"
        assert other.detail == "the server is busy analysing other texts: retry in 10 seconds"

        long.close()  # the client gives up
        wait_for(lambda: not services.live_budgets())
        assert budget.cancelled
        assert "analysis cancelled: the client went away" in caplog.text

        again = Extract(port, "The mayor said the bridge would close.")
        again.run()
        assert again.status == 200


def test_shutdown_cancels_the_analysis_in_flight_and_refuses_new_ones(make_app, sqlite_archive):
    app = make_app(sqlite_archive)
    services = app.state.services
    with serving(app) as port:
        long = Extract(port, news(60_000))
        long.start()
        wait_for(lambda: services.live_budgets())
        services.cancel_all("the server is shutting down")
        long.join(60)
        assert long.status == 503 and long.headers["retry-after"] == "30"
        assert long.detail == "analysis cancelled: the server is shutting down"

        late = Extract(port, "The mayor said the bridge would close.")
        late.run()
        assert late.status == 503 and late.detail == "analysis refused: the server is shutting down"


def test_an_analysis_over_its_time_limit_is_a_503_that_says_so(make_app, sqlite_archive):
    from sayso.settings import Settings

    client = TestClient(make_app(sqlite_archive, settings=Settings(time_limit=0.01)))
    r = client.post("/api/extract", json={"text": news(30_000)})
    assert r.status_code == 503 and "retry-after" not in r.headers
    assert r.json()["detail"] == ("the analysis took longer than this server allows (0.01 s per text): "
                                  "send a shorter text")
    page = client.post("/analyse", data={"text": news(30_000)})
    assert page.status_code == 503 and "longer than this server allows" in page.text


# ---------------------------------------------------------------------- the text limit
def test_a_text_over_the_limit_is_a_413_whatever_the_body_limit(make_app, fresh_url):
    client = TestClient(make_app(fresh_url, max_text_chars=1_000))
    text = "The mayor said the bridge would close. " * 26  # 1,014 characters
    r = client.post("/api/extract", json={"text": text})
    assert r.status_code == 413
    assert r.json()["detail"] == "text too long: 1,014 characters, the limit is 1,000"
    r = client.post("/api/articles", json={"text": text}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413 and "the limit is 1,000" in r.json()["detail"]
    page = client.post("/analyse", data={"text": text})
    assert page.status_code == 413 and "the limit is 1,000" in page.text
    assert client.post("/api/extract", json={"text": text[:1_000]}).status_code == 200


def test_the_default_text_limit_is_a_million_characters(make_app, fresh_url):
    client = TestClient(make_app(fresh_url))
    r = client.post("/api/extract", json={"text": "a" * 1_000_001})  # 1 MB: under the 2 MB body limit
    assert r.status_code == 413
    assert r.json()["detail"] == "text too long: 1,000,001 characters, the limit is 1,000,000"


# ---------------------------------------------------------------------- slow clients
def _answer(sock: socket.socket, seconds: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as the
    close: a byte still trickling in reaches a closed socket; what came before it is read)."""
    sock.settimeout(seconds)
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except ConnectionResetError:
        pass
    return got


def _trickle(sock: socket.socket, data: bytes, stop: threading.Event) -> None:
    for byte in data:
        if stop.wait(0.2):
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return


def test_slow_headers_get_a_408_and_the_connection_closed(make_app, sqlite_archive):
    with serving(make_app(sqlite_archive), header_timeout=1.0) as port:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /api/speakers HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            stop = threading.Event()
            threading.Thread(target=_trickle, args=(sock, b"X-Slow: " + b"a" * 200, stop), daemon=True).start()
            try:
                answer = _answer(sock)
            finally:
                stop.set()
        assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b"request headers not received in time\n")

        with socket.create_connection(("127.0.0.1", port)) as idle:  # says nothing at all
            assert _answer(idle) == b""
        assert get(port, "/api/speakers?limit=1")[0] == 200  # quick clients are not affected


def _slow_post(port: int, path: str, content_type: bytes, start: bytes) -> tuple[bytes, bytes]:
    """(head, body) of the answer to a POST whose body comes at 5 bytes a second."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type
                     + b"\r\nContent-Length: 1000\r\n\r\n" + start)
        stop = threading.Event()
        threading.Thread(target=_trickle, args=(sock, b"a" * 900, stop), daemon=True).start()
        try:
            answer = _answer(sock)
        finally:
            stop.set()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def test_a_slow_body_gets_a_408_and_the_connection_closed(make_app, sqlite_archive):
    with serving(make_app(sqlite_archive, body_timeout=1.0), header_timeout=1.0) as port:
        head, body = _slow_post(port, "/api/extract", b"application/json", b'{"text": "')
        assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower()
        assert json.loads(body) == {"detail": "request body not received within 1 seconds"}

        head, body = _slow_post(port, "/analyse", b"application/x-www-form-urlencoded", b"text=")
        assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower()
        assert b"request body not received within 1 seconds" in body  # the page says so


# ---------------------------------------------------------------------- failed tokens
def test_too_many_failed_tokens_from_one_address_are_a_429_until_the_window_passes(make_app, fresh_url):
    app = make_app(fresh_url)
    now = [1000.0]
    app.state.services.failed_tokens = FailedTokens(limit=3, window=60.0, clock=lambda: now[0])
    guesser = TestClient(app, client=("203.0.113.9", 50000))
    article = {"text": '"We will reopen the bridge," the mayor said.'}

    for guess in ("a", "b", "c"):
        r = guesser.post("/api/articles", json=article, headers={"Authorization": f"Bearer {guess}"})
        assert r.status_code == 401
    now[0] += 20
    r = guesser.post("/api/articles", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 429 and r.headers["retry-after"] == "40"  # right token or not
    assert r.json()["detail"] == "too many failed token checks from this address: retry in 40 seconds"
    page = guesser.post("/analyse", data={"text": article["text"], "store": "on", "token": TOKEN})
    assert page.status_code == 429 and page.headers["retry-after"] == "40"

    someone_else = TestClient(app, client=("198.51.100.7", 50000))
    r = someone_else.post("/api/articles", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201

    now[0] += 41  # the failures are over a minute old
    r = guesser.post("/api/articles", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200  # stored already, by the other client


def test_the_default_failed_token_limit_is_ten_a_minute_and_a_success_clears_it(make_app, fresh_url):
    client = TestClient(make_app(fresh_url))

    def post(token: str) -> int:
        return client.post("/api/articles", json={"text": "The mayor said the bridge would close."},
                           headers={"Authorization": f"Bearer {token}"}).status_code

    assert [post(f"guess-{i}") for i in range(9)] == [401] * 9
    assert post(TOKEN) == 201  # a mistyped token or two, then the right one: counted from zero again
    assert [post(f"guess-{i}") for i in range(11)] == [401] * 10 + [429]
