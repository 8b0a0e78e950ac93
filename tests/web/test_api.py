"""The HTTP API through FastAPI's TestClient, against real archives (SQLite, and PostgreSQL
when ``$SAYSO_TEST_PG`` is set) built with the real pipeline."""
from __future__ import annotations

from datetime import date

import pytest

from tests.web.conftest import EXAMPLES, SEED, TOKEN

SCHEMA_KEYS = {"id", "title", "published", "byline", "url", "language", "statements"}
STATEMENT_KEYS = {"id", "kind", "cue", "source", "content", "speaker", "date", "place", "event",
                  "channel", "responds_to", "flags", "confidence"}


@pytest.fixture(scope="module")
def client(client_for, sqlite_archive):
    return client_for(sqlite_archive)


@pytest.fixture
def both(client_for, archive_url):
    """A client on each back end in turn."""
    return client_for(archive_url)


def assert_spans_index(text: str, statements: list[dict]) -> None:
    for st in statements:
        for part in ("cue", "source", "content"):
            p = st.get(part)
            if p is None:
                continue
            assert p["text"] == " ".join(text[s:e] for s, e in p["spans"]), (st["id"], part)


# ------------------------------------------------------------------ POST /api/extract
def test_extract_answers_the_schema_article_with_exact_spans(client):
    text = (EXAMPLES / "01_bridge.txt").read_text(encoding="utf-8")
    r = client.post("/api/extract", json={"text": text, "id": "bridge", "published": "2024-03-05"})
    assert r.status_code == 200, r.text
    art = r.json()
    assert SCHEMA_KEYS <= set(art)
    assert art["id"] == "bridge" and art["published"] == "2024-03-05"
    assert art["statements"], "the bridge example has statements"
    for st in art["statements"]:
        assert STATEMENT_KEYS <= set(st)
    assert_spans_index(text, art["statements"])
    assert "Anna Kowalski" in {st["speaker"]["name"] for st in art["statements"] if st["speaker"]}


def test_extract_stores_nothing(client):
    before = client.get("/api/statements", params={"limit": 1}).json()["total"]
    r = client.post("/api/extract", json={"text": "\"We will win,\" coach Ben Ray said after the match."})
    assert r.status_code == 200
    assert client.get("/api/statements", params={"limit": 1}).json()["total"] == before


@pytest.mark.skipif(not SEED.is_file(), reason="../shared (the reference article) is not here")
def test_extract_reference_article(client):
    text = SEED.read_text(encoding="utf-8")
    art = client.post("/api/extract", json={"text": text}).json()
    names = [st["speaker"]["name"] for st in art["statements"] if st["speaker"]]
    assert names.count("Jens Stoltenberg") >= 3
    assert_spans_index(text, art["statements"])


@pytest.mark.parametrize("body", [
    {}, {"text": ""}, {"text": "   \n "}, {"text": "a\x00b"}, {"text": "x", "unknown": 1},
    {"text": "x", "published": "last week"}, {"text": 5}, [], "text",
])
def test_extract_rejects_bad_bodies(client, body):
    r = client.post("/api/extract", json=body)
    assert r.status_code == 422, r.text
    assert "detail" in r.json()


def test_extract_rejects_malformed_json(client):
    r = client.post("/api/extract", content=b'{"text": ', headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_pipeline_is_loaded_lazily_once(make_app, sqlite_archive, web_nlp):
    from fastapi.testclient import TestClient

    app = make_app(sqlite_archive)
    svc = app.state.services
    c = TestClient(app)
    assert c.get("/api/statements").status_code == 200
    assert svc._nlp is None, "reading the archive must not load spaCy"
    assert c.post("/api/extract", json={"text": "\"Yes,\" she said."}).status_code == 200
    assert svc._nlp is web_nlp
    assert c.post("/api/extract", json={"text": "\"No,\" he said."}).status_code == 200
    assert svc._nlp is web_nlp


# ------------------------------------------------------------------ GET /api/statements
def test_statements_search_and_filters(both):
    r = both.get("/api/statements", params={"q": "bridge"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] >= 1 and page["statements"]
    assert all("bridge" in st["content"]["text"].lower() for st in page["statements"])
    st = page["statements"][0]
    assert {"statement_id", "article_id", "article_ids"} <= set(st)

    by = both.get("/api/statements", params={"speaker": "Stoltenberg"}).json()
    assert by["total"] >= 3
    assert {st["speaker"]["id"] for st in by["statements"]} == {"jens-stoltenberg"}

    direct = both.get("/api/statements", params={"kind": "direct", "limit": 100}).json()
    assert direct["total"] >= 1 and all(st["kind"] == "direct" for st in direct["statements"])

    dated = both.get("/api/statements", params={"since": "2023-01", "until": "2023-01", "limit": 100}).json()
    assert dated["total"] >= 2
    assert {st["article_id"] for st in dated["statements"]} <= {"nato-ammunition", "nato-seoul"}


def test_statements_paging_is_disjoint_and_complete(both):
    total = both.get("/api/statements", params={"limit": 1}).json()["total"]
    seen = []
    for offset in range(0, total, 7):
        page = both.get("/api/statements", params={"offset": offset, "limit": 7}).json()
        assert page["total"] == total and page["offset"] == offset and page["limit"] == 7
        seen += [st["statement_id"] for st in page["statements"]]
    assert len(seen) == total == len(set(seen))


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 10_001}, {"since": "yesterday"},
    {"until": "2024/01/01"}, {"kind": "rumour"}, {"q": "x" * 501}, {"q": "a\x00"}, {"q": "!!!"},
])
def test_statements_rejects_bad_parameters(client, params):
    r = client.get("/api/statements", params=params)
    assert r.status_code == 422, r.text


# ------------------------------------------------------------------ speakers
def test_speakers_list_and_filter(both):
    page = both.get("/api/speakers").json()
    assert page["total"] >= 5
    counts = [s["statements"] for s in page["speakers"]]
    assert counts == sorted(counts, reverse=True)
    found = both.get("/api/speakers", params={"q": "stolten"}).json()
    assert [s["id"] for s in found["speakers"]] == ["jens-stoltenberg"]
    assert both.get("/api/speakers", params={"limit": 101}).status_code == 422


def test_speaker_detail_timeline_and_reactions(both):
    r = both.get("/api/speakers/jens-stoltenberg")
    assert r.status_code == 200, r.text
    sp = r.json()
    assert sp["name"] == "Jens Stoltenberg" and sp["organization"] == "NATO"
    weeks = sp["timeline"]
    assert weeks and all(date.fromisoformat(w["week"]).weekday() == 0 for w in weeks)
    days = [date.fromisoformat(w["week"]) for w in weeks]
    assert all((b - a).days == 7 for a, b in zip(days, days[1:])), "consecutive weeks, gaps filled"
    assert sum(w["count"] for w in weeks) + sp["undated"] == sp["statements"]
    assert weeks[0]["week"].startswith("2023-01")  # the ammunition article (10 January)
    assert len(weeks) >= 4  # … to the reference article (27 February) when present, else Seoul
    if SEED.is_file():
        # a reaction may fall outside the trusted view (the default): ?all=1 shows them all
        every = both.get("/api/speakers/jens-stoltenberg", params={"all": 1}).json()
        assert every["reactions"], "the reference article reacts to Stoltenberg"
        assert all(x["speaker_id"] != "jens-stoltenberg" for x in every["reactions"])
        assert every["statements"] >= sp["statements"]
        trusted = {s["statement_id"] for s in both.get("/api/statements", params={"limit": 100}).json()["statements"]}
        assert all(x["statement_id"] in trusted for x in sp["reactions"])


def test_speaker_by_alias_and_unknown(both):
    assert both.get("/api/speakers/stoltenberg").json()["id"] == "jens-stoltenberg"
    r = both.get("/api/speakers/nobody-at-all")
    assert r.status_code == 404 and "nobody-at-all" in r.json()["detail"]


# ------------------------------------------------------------------ articles
def test_article_has_text_and_statements_with_its_spans(both):
    r = both.get("/api/articles/01_bridge")
    assert r.status_code == 200, r.text
    art = r.json()
    assert art["text"] == (EXAMPLES / "01_bridge.txt").read_text(encoding="utf-8")
    assert art["published"] == "2024-03-05"
    assert art["statements"]
    assert_spans_index(art["text"], art["statements"])
    starts = [st["content"]["spans"][0][0] for st in art["statements"] if st["content"]["spans"]]
    assert starts == sorted(starts)
    assert both.get("/api/articles/no-such-article").status_code == 404


# ------------------------------------------------------------------ writes
def test_writes_need_the_token(client_for, fresh_url):
    c = client_for(fresh_url)
    body = {"text": "\"The dam will hold,\" engineer Lisa Moor said on Friday.", "id": "dam"}
    r = c.post("/api/articles", json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = c.post("/api/articles", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = c.post("/api/articles", json=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert r.status_code == 401
    assert c.get("/api/articles/dam").status_code == 404

    r = c.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/api/articles/dam"
    art = r.json()
    assert art["id"] == "dam" and art["text"] == body["text"] and art["statements"]
    assert c.get("/api/articles/dam").json() == art
    found = c.get("/api/statements", params={"q": "dam"}).json()
    assert found["total"] == 1 and found["statements"][0]["speaker"]["name"] == "Lisa Moor"

    again = c.post("/api/articles", json={**body, "id": "other"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.status_code == 200 and again.json()["id"] == "dam"  # same text: stored once


def test_writes_refused_without_a_configured_token(client_for, fresh_url):
    c = client_for(fresh_url, token=None)
    r = c.post("/api/articles", json={"text": "\"Hi,\" he said."}, headers={"Authorization": "Bearer "})
    assert r.status_code == 403
    r = c.post("/api/articles", json={"text": "\"Hi,\" he said."}, headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403 and "SAYSO_TOKEN" in r.json()["detail"]


def test_write_on_postgresql(client_for):
    from tests.store.conftest import pg_database

    with pg_database() as url:
        c = client_for(url)
        body = {"text": "\"Rates will fall,\" banker Ada Quist said.", "id": "rates/2024"}
        r = c.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text
        assert r.headers["location"] == "/api/articles/rates%2F2024"  # '/' escaped in the id
        assert c.get(r.headers["location"]).json()["statements"]
        c.app.state.services.engine.dispose()


# ------------------------------------------------------------------ limits and headers
def test_body_limit_gives_413(client):
    big = b'{"text": "' + b"a" * 2_100_000 + b'"}'
    r = client.post("/api/extract", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]

    def chunks():  # no Content-Length: the body is counted as it streams in
        yield b'{"text": "'
        for _ in range(25):
            yield b"b" * 100_000
        yield b'"}'

    r = client.post("/api/extract", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/articles", content=big,
                    headers={"content-type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413


@pytest.mark.parametrize("path", ["/api/statements", "/", "/articles/01_bridge", "/static/sayso.css", "/nope"])
def test_security_headers(client, path):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_cors_is_off(client):
    r = client.get("/api/statements", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.options("/api/articles", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_lists_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for p in ("/api/extract", "/api/statements", "/api/speakers", "/api/speakers/{speaker_id}",
              "/api/articles/{article_id}", "/api/articles"):
        assert p in paths
    assert paths["/api/articles"]["post"]["security"]
    assert "413" in paths["/api/articles"]["post"]["responses"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
