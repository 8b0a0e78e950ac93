"""The web app's smaller guards (issue 19): allowed Host names and relative redirects, a
422 body of bounded size, links that work whatever an article id holds, bidi controls
neutralised in what pages show, and HEAD answered wherever GET is."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from sayso.records import Article
from sayso.store import Writer, open_engine
from tests.store.helpers import article, speaker, stmt
from tests.web.conftest import TOKEN

ODD_IDS = ["..", ".", "a/../../b?x=1#frag", "with space"]  # (TestClient decodes a path twice: no "%2e" ids here)
RLO = "\u202e"


@pytest.fixture
def odd_archive(tmp_path):
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = open_engine(url)
    w = Writer(engine)
    for i, aid in enumerate(ODD_IDS):
        rec = article(aid, stmt("s1", f"the bridge number {i} will reopen in the spring", speaker("Anna Kowalski")),
                      title=f"Title {i} {RLO}gnp.exe")
        w.write(Article.from_dict(rec), f"Text {i}: the bridge number {i} will reopen in the spring, Anna Kowalski said.",
                source=f"{RLO}Outlet {i}")
    engine.dispose()
    return url


def _browser_path(base: str, href: str) -> str:
    """Where a browser goes for ``href`` on page ``base``: dot segments removed, with
    ``%2e`` counted as a dot (as the WHATWG URL standard does); still percent-encoded."""
    return urlsplit(urljoin("http://h" + base, href.replace("%2e", ".").replace("%2E", "."))).path


def test_links_to_articles_with_odd_ids_work(odd_archive, make_app):
    client = TestClient(make_app(odd_archive))
    page = client.get("/articles")
    assert page.status_code == 200
    hrefs = [h for h in re.findall(r'href="([^"]+)"', page.text) if "articles" in h and h != "/articles"]
    for aid in ODD_IDS:
        got = [h for h in hrefs if client.get(h.replace("&amp;", "&")).status_code == 200
               and f"Title {ODD_IDS.index(aid)} " in client.get(h.replace("&amp;", "&")).text]
        assert got, (aid, hrefs)
        for h in got:  # and a browser, which removes dot segments first, lands there too
            href = h.replace("&amp;", "&")
            target = _browser_path("/articles", href)
            query = urlsplit(href).query
            r = client.get(target + (f"?{query}" if query else ""))
            assert r.status_code == 200 and f"Title {ODD_IDS.index(aid)} " in r.text, (aid, href, target)


def test_api_location_header_survives_dot_segments(fresh_url, make_app):
    client = TestClient(make_app(fresh_url))
    r = client.post("/api/articles", json={"id": "a/../../b?x=1#frag", "text": '"We are done," the mayor said.'},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201
    loc = r.headers["location"]
    assert client.get(_browser_path("/api/articles", loc)).json()["id"] == "a/../../b?x=1#frag"


def test_bidi_controls_are_not_shown(odd_archive, make_app):
    client = TestClient(make_app(odd_archive))
    for path in ("/articles", "/", "/articles/with%20space"):
        text = client.get(path).text
        assert RLO not in text, path
    assert "gnp.exe" in client.get("/articles/with%20space").text  # the rest of the title is shown


def test_allowed_hosts(fresh_url, make_app):
    client = TestClient(make_app(fresh_url, allowed_hosts=["127.0.0.1", "localhost"]))
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"host": "localhost"}).status_code == 200
    r = client.get("/", headers={"host": "evil.example"})
    assert r.status_code == 400


def test_serve_allows_only_local_names_by_default():
    from sayso.cli import allowed_hosts

    assert set(allowed_hosts("127.0.0.1", [])) == {"127.0.0.1", "localhost", "[::1]"}
    assert "news.example" in allowed_hosts("0.0.0.0", ["news.example"])
    assert "10.0.0.5" in allowed_hosts("10.0.0.5", [])


def test_redirects_are_relative(odd_archive, make_app):
    client = TestClient(make_app(odd_archive), follow_redirects=False)
    r = client.get("/speakers/", headers={"host": "evil.example"})
    assert r.status_code in (301, 307, 308)
    assert r.headers["location"].startswith("/") and "evil" not in r.headers["location"]
    r = client.get("/speakers/Anna%20Kowalski", headers={"host": "evil.example"})
    assert r.status_code == 307 and r.headers["location"].startswith("/speakers/")


def test_a_422_lists_a_bounded_number_of_errors(fresh_url, make_app):
    client = TestClient(make_app(fresh_url))
    body = {"text": "The mayor said it.", **{f"k{i}": 1 for i in range(20_000)}}
    r = client.post("/api/extract", json=body)
    assert r.status_code == 422
    assert len(r.content) < 10_000
    detail = r.json()["detail"]
    assert len(detail) <= 21 and "more" in detail[-1]["msg"]


def test_head_is_answered_where_get_is(fresh_url, make_app):
    client = TestClient(make_app(fresh_url))
    for path in ("/", "/articles", "/api/speakers", "/static/sayso.css"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("content-security-policy")
