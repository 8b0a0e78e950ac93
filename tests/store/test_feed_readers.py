"""WARC and RSS/Atom readers: one Document per article, one ReadError per bad one."""
from __future__ import annotations

from io import BytesIO

import pytest

from sayso.pipeline import Document
from sayso.readers import ReadError, read_path

HTML = b"""<html><head><title>Mayor: we will rebuild | Daily Bugle</title>
<meta name="date" content="2024-03-05"></head><body><nav>Home | News</nav><article>
<h1>Mayor: we will rebuild</h1>
<p>The mayor of Eastbridge said on Tuesday that the town would rebuild its bridge within a year.</p>
<p>"We will not abandon the people on the other bank," she told reporters outside the town hall.</p>
</article></body></html>"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Daily Bugle</title>
<item><title>Mayor: we will rebuild</title><link>https://bugle.example/1</link>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The mayor said on Tuesday that the town would rebuild its bridge.&lt;/p&gt;&lt;p&gt;"We will not abandon them," she said.&lt;/p&gt;</description></item>
<item><title>Nothing here</title><link>https://bugle.example/2</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>The Herald</title>
<entry><title>Strike at the port</title><link href="https://herald.example/strike"/>
<updated>2024-04-02T08:00:00Z</updated>
<content type="html">&lt;p&gt;"We are not going back," the union leader said.&lt;/p&gt;&lt;p&gt;Talks resume Friday.&lt;/p&gt;</content>
</entry></feed>"""


def write_warc(path, records):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        for uri, body, ctype, status in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=headers))


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_html_responses_become_documents(tmp_path, name):
    f = tmp_path / name
    write_warc(f, [
        ("https://www.bugle.example/news/1", HTML, "text/html; charset=utf-8", "200 OK"),
        ("https://www.bugle.example/logo.png", b"\x89PNG....", "image/png", "200 OK"),
        ("https://www.bugle.example/gone", b"<html></html>", "text/html", "404 Not Found"),
        ("https://www.bugle.example/empty", b"<html><body></body></html>", "text/html", "200 OK"),
    ])
    doc, err = list(read_path(f))
    assert isinstance(doc, Document)
    assert doc.text.startswith("Mayor: we will rebuild\n\nThe mayor of Eastbridge said")
    assert (doc.url, doc.source, doc.published) == ("https://www.bugle.example/news/1", "bugle.example", "2024-03-05")
    assert isinstance(err, ReadError) and "empty" in str(err) and "no main text" in str(err)


def test_bad_warc(tmp_path):
    f = tmp_path / "bad.warc.gz"
    f.write_bytes(b"this is not a warc file at all")
    [err] = list(read_path(f))
    assert isinstance(err, ReadError) and "WARC" in str(err)
    g = tmp_path / "none.warc"
    write_warc(g, [("https://x.example/a.png", b"png", "image/png", "200 OK")])
    [err] = list(read_path(g))
    assert "no HTML or text records" in str(err)


def test_rss_entries(tmp_path):
    f = tmp_path / "feed.rss"
    f.write_text(RSS, encoding="utf-8")
    doc, err = list(read_path(f))
    assert doc == Document(
        text='Mayor: we will rebuild\n\nThe mayor said on Tuesday that the town would rebuild its bridge.'
             '\n\n"We will not abandon them," she said.',
        title="Mayor: we will rebuild", published="2024-03-05", url="https://bugle.example/1", source="Daily Bugle")
    assert isinstance(err, ReadError) and str(err).endswith("entry 2: entry has no text (no content or summary)")


def test_atom_entries(tmp_path):
    f = tmp_path / "feed.atom"
    f.write_text(ATOM, encoding="utf-8")
    [doc] = list(read_path(f))
    assert doc.text == 'Strike at the port\n\n"We are not going back," the union leader said.\n\nTalks resume Friday.'
    assert (doc.published, doc.source, doc.url) == ("2024-04-02", "The Herald", "https://herald.example/strike")


@pytest.mark.parametrize("content", ["<notafeed/>", "", "plain words"])
def test_not_a_feed(tmp_path, content):
    f = tmp_path / "x.xml"
    f.write_text(content, encoding="utf-8")
    [err] = list(read_path(f))
    assert isinstance(err, ReadError)


def test_folders_pick_up_feeds_and_warcs(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "feed.rss").write_text(RSS, encoding="utf-8")
    write_warc(tmp_path / "c.warc.gz", [("https://bugle.example/1", HTML, "text/html", "200 OK")])
    docs = [d for d in read_path(tmp_path) if isinstance(d, Document)]
    assert len(docs) == 2


def test_polnear_publisher_is_the_source(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "x", "text": "Hello there.", "publisher": "breitbart"}\n', encoding="utf-8")
    [doc] = list(read_path(f))
    assert doc.source == "breitbart"


def test_html_site_name_is_the_source(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes(HTML.replace(b"<head>", b'<head><meta property="og:site_name" content="Daily Bugle">'))
    [doc] = list(read_path(f))
    assert doc.source == "Daily Bugle"
