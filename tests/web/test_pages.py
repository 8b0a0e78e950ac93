"""The HTML pages through FastAPI's TestClient: every page on each back end, escaping of
untrusted text (XSS), the highlight markup against the stored spans, the Analyse form."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sayso.records import Part, Statement, StoredStatement, WeekCount
from sayso.web.render import highlighted, segments, timeline_svg
from tests.web.conftest import EXAMPLES, SEED, TOKEN


@pytest.fixture(scope="module")
def client(client_for, sqlite_archive):
    return client_for(sqlite_archive)


class Marks(HTMLParser):
    """The highlighted pieces of ``#article-text``: (start, end, data attributes, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.inside = False
        self.pieces: list[dict] = []
        self.current: dict | None = None
        self.tags_inside: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == "article-text":
            self.inside, self.depth = True, 0
            return
        if not self.inside:
            return
        self.depth += 1
        self.tags_inside.append(tag)
        if tag == "span" and "hl" in (a.get("class") or "").split():
            self.current = {"s": int(a["data-s"]), "e": int(a["data-e"]), "text": "",
                            **{p: (a.get(f"data-{p}") or "").split() for p in ("cue", "source", "content")}}

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if self.depth == 0:
            self.inside = False
            return
        self.depth -= 1
        if tag == "span" and self.current is not None:
            self.pieces.append(self.current)
            self.current = None

    def handle_data(self, data):
        if self.inside and self.current is not None:
            self.current["text"] += data


def marks_of(html: str) -> Marks:
    m = Marks()
    m.feed(html)
    return m


def merged(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


@pytest.mark.parametrize("path", [
    "/", "/?q=bridge", "/?speaker=Kowalski", "/?org=NATO&kind=direct", "/?since=2023&until=2023-02",
    "/?page=2", "/?page=99999", "/?page=x", "/speakers", "/speakers?q=a", "/speakers/jens-stoltenberg",
    "/articles", "/articles/01_bridge", "/analyse", "/docs",
])
def test_pages_render(client_for, archive_url, path):
    c = client_for(archive_url)
    r = c.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text and "style=" not in r.text, "no inline script or style (CSP)"


def test_bad_search_is_a_message_not_a_crash(client):
    r = client.get("/", params={"since": "soon"})
    assert r.status_code == 400 and "not a date" in r.text
    r = client.get("/", params={"q": "!!!"})
    assert r.status_code == 400 and "nothing to search for" in r.text


def test_unknown_things_are_404_pages(client):
    for path in ("/articles/nope", "/speakers/nobody-here", "/no/such/page"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text


def test_speaker_alias_redirects_to_the_canonical_page(client):
    r = client.get("/speakers/stoltenberg", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/speakers/jens-stoltenberg"


def test_speaker_page_has_the_timeline(client):
    html = client.get("/speakers/jens-stoltenberg").text
    assert '<svg class="timeline"' in html and html.count('<rect class="bar"') >= 2
    assert "NATO Secretary General" in html


# ------------------------------------------------------------------ XSS
def test_script_in_article_text_is_escaped(client):
    html = client.get("/articles/xss-attempt").text
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert "<b>vote</b>" not in html and "&lt;b&gt;vote&lt;/b&gt;" in html
    assert "<script>window.__xssTitle" not in html
    # the quote with the script is a statement, its content highlighted as escaped text
    pieces = marks_of(html).pieces
    assert any("<script>window.__xss = 1</script>" in p["text"] for p in pieces if p["content"])


def test_script_in_search_results_and_analyse_is_escaped(client):
    html = client.get("/", params={"q": "budget"}).text
    assert "&lt;script&gt;window.__xss" in html and "<script>window.__xss" not in html
    html = client.get("/", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in html
    text = '"<script>alert(1)</script> is no answer," Mayor Ann Lee said.'
    r = client.post("/analyse", data={"text": text}, files={"file": ("", b"")})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "Ann Lee" in r.text


def test_javascript_urls_are_not_links(client_for, fresh_url):
    c = client_for(fresh_url)
    body = {"text": "\"Fine,\" Ed Roe said.", "id": "js-url", "url": "javascript:alert(1)"}
    assert c.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 201
    html = c.get("/articles/js-url").text
    assert "javascript:" not in html


# ------------------------------------------------------------------ highlights
@pytest.mark.parametrize("article_id", ["01_bridge", "02_port_strike", "05_tram_voices", "seed-stoltenberg"])
def test_highlighted_pieces_are_exactly_the_stored_spans(client, article_id):
    if article_id.startswith("seed") and not SEED.is_file():
        pytest.skip("../shared (the reference article) is not here")
    art = client.get(f"/api/articles/{article_id}").json()
    html = client.get(f"/articles/{article_id}").text
    pieces = marks_of(html).pieces
    text = art["text"]
    for p in pieces:
        assert p["text"] == text[p["s"]:p["e"]]
    for st in art["statements"]:
        for part in ("cue", "source", "content"):
            want = merged([list(s) for s in (st.get(part) or {}).get("spans") or [] if s[1] > s[0]])
            got = merged([[p["s"], p["e"]] for p in pieces if st["id"] in p[part]])
            assert got == want, (article_id, st["id"], part)


def _st(sid: str, cue, content, source=None) -> Statement:
    part = lambda spans: Part("", tuple(tuple(x) for x in spans))  # noqa: E731 - spans only
    return Statement(sid, "direct", part(cue), part(content), part(source) if source else None)


def test_segments_cover_the_text_and_nest():
    text = 'Ann said "I will go," and Bob agreed.'
    sts = [_st("s1", [[4, 8]], [[9, 20]], [[0, 3]]), _st("s2", [[29, 35]], [[11, 20]], [[25, 28]])]
    segs = segments(text, sts)
    assert "".join(text[s.start:s.end] for s in segs) == text
    inner = [s for s in segs if s.start == 11][0]
    assert inner.marks["content"] == ["s1", "s2"]
    html = str(highlighted(text, sts))
    assert 'data-content="s1 s2"' in html
    assert highlighted("<b>&</b>", []) == "&lt;b&gt;&amp;&lt;/b&gt;"
    # spans outside the text are clipped, not a crash
    assert segments("abc", [_st("s1", [[2, 99]], [[5, 9]])])[-1].end == 3
    # a stored statement reads the same
    stored = StoredStatement(sts[0], "a#s1", ("a",))
    assert [s.marks for s in segments(text, [stored])] == [s.marks for s in segments(text, sts[:1])]


def test_timeline_svg():
    assert timeline_svg([]) == ""
    svg = str(timeline_svg([WeekCount("2024-01-01", 2), WeekCount("2024-01-08", 0), WeekCount("2024-01-15", 5)]))
    assert svg.startswith("<svg") and svg.count('<rect class="bar"') == 2
    assert 'data-week="2024-01-15" data-count="5"' in svg and "style=" not in svg
    one = str(timeline_svg([WeekCount("2024-01-01", 1)]))
    assert one.count('<rect class="bar"') == 1


# ------------------------------------------------------------------ Analyse
def test_analyse_a_pasted_text_stores_nothing(client):
    text = (EXAMPLES / "03_pollen.txt").read_text(encoding="utf-8")
    before = client.get("/api/statements").json()["total"]
    r = client.post("/analyse", data={"text": text.replace("\n", "\r\n")})  # as browsers send it
    assert r.status_code == 200
    assert "Helena Marsh" in r.text
    pieces = marks_of(r.text).pieces
    assert pieces and all(p["text"] == text[p["s"]:p["e"]] for p in pieces), "offsets index the LF text"
    assert client.get("/api/statements").json()["total"] == before


def test_analyse_an_uploaded_file(client):
    data = (EXAMPLES / "04_football.txt").read_bytes()
    r = client.post("/analyse", files={"file": ("04_football.txt", data, "text/plain")})
    assert r.status_code == 200 and "Luis Ortega" in r.text
    html = b"<html><head><title>Deal</title></head><body><article><h1>Deal</h1><p>" \
           b"\"We have a deal,\" union leader Mia Stone said on Monday after talks that lasted all night." \
           b"</p><p>The company said that the agreement would be signed on Friday.</p></article></body></html>"
    r = client.post("/analyse", files={"file": ("deal.html", html, "text/html")})
    assert r.status_code == 200 and "Mia Stone" in r.text
    r = client.post("/analyse", files={"file": ("bin.txt", b"\x00\x01\x02", "application/octet-stream")})
    assert r.status_code == 422 and "NUL" in r.text


def test_analyse_empty_and_too_large(client):
    r = client.post("/analyse", data={"text": "   "})
    assert r.status_code == 422 and "Paste a text" in r.text
    r = client.post("/analyse", data={"text": "a" * 2_100_000})
    assert r.status_code == 413


def test_analyse_and_store_needs_the_token(client_for, fresh_url):
    c = client_for(fresh_url)
    text = "\"The bridge opens in June,\" Mayor Rita Holm said on Monday.\n"
    r = c.post("/analyse", data={"text": text, "store": "on", "token": "nope"})
    assert r.status_code == 401 and "valid token" in r.text
    assert c.get("/api/statements").json()["total"] == 0
    r = c.post("/analyse", data={"text": text, "store": "on", "token": TOKEN, "title": "Bridge"},
               follow_redirects=False)
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "Rita Holm" in page.text and "<h1>Bridge</h1>" in page.text

    off = client_for(fresh_url, token=None)
    r = off.post("/analyse", data={"text": text + " ", "store": "on", "token": TOKEN})
    assert r.status_code == 403 and "SAYSO_TOKEN" in r.text


def test_a_registered_speaker_links_to_wikidata(client_for, fresh_url, corpus_file):
    from sayso.records import KnownSpeaker
    from sayso.store import open_engine
    from sayso.store.registry import import_registry
    from tests.web.conftest import ingest

    ingest(fresh_url, corpus_file)
    eng = open_engine(fresh_url)
    with eng.begin() as conn:
        import_registry(conn, [KnownSpeaker("Jens Stoltenberg", aliases=("Stoltenberg",),
                                            organization="NATO", wikidata="Q57269")])
    eng.dispose()
    c = client_for(fresh_url)
    html = c.get("/speakers/jens-stoltenberg").text
    assert '<a class="wikidata" href="https://www.wikidata.org/wiki/Q57269"' in html
    assert c.get("/api/speakers/jens-stoltenberg").json()["wikidata"] == "Q57269"
    # an unregistered speaker has no link
    assert 'class="wikidata"' not in c.get("/speakers/janine-wissler").text
