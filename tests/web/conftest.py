"""Web fixtures: real archives (SQLite, and PostgreSQL when ``$SAYSO_TEST_PG`` is set, as in
``tests/store``) built by ingesting sample articles through the real pipeline, the app over
them, and a real uvicorn server on a free local port for the browser tests."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from sayso.store import open_engine
from tests.conftest import REPO, SHARED
from tests.store.conftest import pg_database

EXAMPLES = REPO / "examples"
SEED = SHARED / "data" / "seed" / "000_fad6e7535a46780a.txt"
SCREENSHOTS = REPO / "test-output" / "screenshots"
TOKEN = "test-token-5b8f0c"

# Publication dates for the examples (their datelines give day and month).
EXAMPLE_DATES = {"01_bridge": "2024-03-05", "02_port_strike": "2024-06-12", "03_pollen": "2024-04-02",
                 "04_football": "2024-10-20", "05_tram_voices": "2024-09-09"}

# More articles so that a speaker has a timeline over several weeks, and one that tries XSS.
EXTRA = [
    {"id": "nato-ammunition", "published": "2023-01-10", "title": "NATO chief urges allies to make more ammunition",
     "text": "NATO chief urges allies to make more ammunition\n\n"
             "NATO Secretary General Jens Stoltenberg said on Tuesday that allies must ramp up the "
             "production of ammunition.\n\n"
             "\"We are in a race of logistics,\" Stoltenberg told reporters in Brussels.\n"},
    {"id": "nato-seoul", "published": "2023-01-30", "title": "Stoltenberg in Seoul",
     "text": "Stoltenberg in Seoul\n\n"
             "Jens Stoltenberg said in Seoul that the war in Ukraine showed how security in Europe and "
             "Asia is connected.\n\n"
             "\"What happens in Europe today could happen in East Asia tomorrow,\" he said.\n"},
    {"id": "xss-attempt", "published": "2024-05-01", "title": "Council <b>vote</b> <script>window.__xssTitle=1</script>",
     "text": "Council vote on the budget\n\n"
             "\"<script>window.__xss = 1</script> is not a budget, and <img src=x onerror=\"window.__xss=2\"> "
             "is not a plan,\" councillor Mark Hale said on Monday.\n\n"
             "Hale said that the council would vote again in June.\n"},
]


def corpus_records() -> list[dict]:
    recs = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        recs.append({"id": path.stem, "published": EXAMPLE_DATES.get(path.stem),
                     "text": path.read_text(encoding="utf-8")})
    if SEED.is_file():
        recs.append({"id": "seed-stoltenberg", "published": "2023-02-27", "source": "reference",
                     "text": SEED.read_text(encoding="utf-8")})
    recs.extend(EXTRA)
    return recs


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web-corpus") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in corpus_records():
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def ingest(url: str, corpus: Path) -> None:
    """The real ingest path (readers → pipeline → Writer), parsing in this process."""
    from sayso import engine as engine_mod
    from sayso.readers import read_paths

    eng = open_engine(url)
    try:
        errors: list[str] = []
        stats = engine_mod.ingest(read_paths([corpus]), eng, workers=0, on_error=errors.append)
        assert not errors, errors
        assert stats.stored == len(corpus_records())
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def web_nlp():
    """The default pipeline (tier), as `sayso serve` and `sayso ingest` load it: the very
    object the ingest below uses (nlp.load caches it per process)."""
    from sayso import nlp as nlp_mod

    return nlp_mod.load()


@pytest.fixture(scope="session")
def sqlite_archive(tmp_path_factory, corpus_file, web_nlp) -> str:
    """A read-mostly SQLite archive of the sample corpus (tests must not write to it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-archive') / 'sayso.db'}"
    ingest(url, corpus_file)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def archive_url(request, sqlite_archive, corpus_file, web_nlp):
    """The sample archive on each back end in turn (read-mostly: tests must not write)."""
    if request.param == "sqlite":
        yield sqlite_archive
        return
    with pg_database() as url:
        ingest(url, corpus_file)
        yield url


@pytest.fixture
def fresh_url(request, tmp_path):
    """An empty archive URL for tests that write (SQLite)."""
    return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture(scope="session")
def make_app(web_nlp):
    from sayso.web import create_app

    apps = []

    def make(url: str, token: str | None = TOKEN, **kw):
        app = create_app(url, token=token, nlp=web_nlp, **kw)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.services.engine.dispose()


@pytest.fixture(scope="session")
def client_for(make_app):
    from fastapi.testclient import TestClient

    def make(url: str, token: str | None = TOKEN, **kw) -> TestClient:
        return TestClient(make_app(url, token, **kw))

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(make_app, tmp_path_factory, sqlite_archive):
    """A real uvicorn server on 127.0.0.1 (free port) over a copy of the sample archive (the
    browser tests may store an article)."""
    import uvicorn

    src = Path(sqlite_archive.removeprefix("sqlite:///"))
    dst = tmp_path_factory.mktemp("live") / "sayso.db"
    shutil.copy(src, dst)
    app = make_app(f"sqlite:///{dst}")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", server_header=False))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


def chromium_path() -> str | None:
    explicit = os.environ.get("SAYSO_CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    for name in ("chromium", "chromium-headless-shell", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    for p in ("/usr/lib/chromium/chromium", "/usr/lib/chromium/chromium-headless-shell"):
        if Path(p).exists():
            return p
    return None


EXPECTED_STATUS = re.compile(r"Failed to load resource: the server responded with a status of (401|403|404|422)")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's package) driven by Playwright. Skipped when no browser is
    installed, except under CI (``.ci/run`` installs one), where that is a failure."""
    exe = chromium_path()
    if exe is None:
        msg = "no Chromium found (apt-get install chromium, or set SAYSO_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(msg + " — .ci/run should have installed it")
        pytest.skip(msg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser, request):
    """A fresh page; JavaScript errors and CSP violations on it fail the test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # Console errors fail the test (CSP violations among them), except the browser's note on a
    # page answered 401/404 on purpose; a missing stylesheet, script or asset fails it too.
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
          if msg.type == "error" and not EXPECTED_STATUS.search(msg.text) else None)
    pg.on("response", lambda resp: problems.append(f"{resp.status} for {resp.url}")
          if resp.status >= 400 and resp.request.resource_type != "document" else None)
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()
    assert not problems, problems


def screenshot(pg, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
