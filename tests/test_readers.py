"""Readers: bytes on disk → Documents, and one clear ReadError per bad document."""
from __future__ import annotations

import gzip
import io
import json

import pytest

from sayso.pipeline import Document
from sayso.readers import ReadError, read_path, read_paths, read_stdin

ARTICLE = 'Mayor: "We will rebuild"\n\n"We will rebuild," Mayor Anna Kowalski said on Tuesday.\n'

HTML = """<html><head><title>Mayor: we will rebuild | Daily Bugle</title>
<meta property="og:title" content="Mayor: we will rebuild">
<meta name="date" content="2024-03-05">
<link rel="canonical" href="https://example.org/news/rebuild"></head>
<body><nav>Home | News | Sport</nav><article><h1>Mayor: we will rebuild</h1>
<p>The mayor of Eastbridge said on Tuesday that the town would rebuild its bridge within a year.</p>
<p>"We will not abandon the people on the other bank," she told reporters outside the town hall.</p>
</article><footer>Copyright 2024 Daily Bugle</footer></body></html>"""


def items(path):
    return list(read_path(path))


def only_error(path) -> ReadError:
    got = items(path)
    assert len(got) == 1 and isinstance(got[0], ReadError), got
    assert "\n" not in str(got[0])
    return got[0]


# ---------------------------------------------------------------- txt
def test_txt_exact_text_and_stem_id(tmp_path):
    f = tmp_path / "bridge.txt"
    f.write_bytes(ARTICLE.encode("utf-8"))
    [doc] = items(f)
    assert doc == Document(text=ARTICLE, id="bridge")


def test_txt_keeps_offsets_exact(tmp_path):
    text = "“Ça va,” dit-elle.\r\nSecond line — ok.\n"
    f = tmp_path / "x.txt"
    f.write_bytes(text.encode("utf-8"))
    [doc] = items(f)
    assert doc.text == text  # no newline or Unicode normalisation


def test_unknown_suffix_is_read_as_text(tmp_path):
    f = tmp_path / "note.md"
    f.write_text(ARTICLE, encoding="utf-8")
    [doc] = items(f)
    assert doc.text == ARTICLE


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t\n", "empty"),
        ("binary.txt", b"PK\x03\x04\x00\x00binary", "binary"),
        ("latin1.txt", "caf\u00e9 au lait".encode("latin-1"), "not valid UTF-8"),
        ("empty.html", b"", "empty"),
        ("binary.html", b"<html>\x00\x01</html>", "binary"),
        ("nothing.html", b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>", "no main text"),
        ("empty.jsonl", b"\n\n", "empty"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, name, data, reason):
    f = tmp_path / name
    f.write_bytes(data)
    err = only_error(f)
    assert err.path == str(f)
    assert reason in err.reason
    assert str(err).startswith(f"{f}: ")


def test_missing_file(tmp_path):
    err = only_error(tmp_path / "nope.txt")
    assert "no such file" in err.reason


def test_read_error_message_is_single_line():
    err = ReadError("a.txt", "first\nsecond")
    assert str(err) == "a.txt: first second"
    assert isinstance(err, Exception)


# ---------------------------------------------------------------- html
def test_html_main_text_and_metadata(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(HTML, encoding="utf-8")
    [doc] = items(f)
    assert isinstance(doc, Document)
    assert doc.id == "page"
    assert doc.title == "Mayor: we will rebuild"
    assert doc.published == "2024-03-05"
    assert doc.url == "https://example.org/news/rebuild"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Mayor: we will rebuild"  # headline first, once
    assert paragraphs[1].startswith("The mayor of Eastbridge said")
    assert paragraphs[2].startswith('"We will not abandon')
    assert "Home | News" not in doc.text and "Copyright" not in doc.text


def test_htm_suffix_and_title_added_when_body_lacks_it(tmp_path):
    html = HTML.replace("<h1>Mayor: we will rebuild</h1>", "")
    f = tmp_path / "page.HTM"
    f.write_text(html, encoding="utf-8")
    [doc] = items(f)
    assert doc.text.startswith("Mayor: we will rebuild\n\nThe mayor of Eastbridge")


# ---------------------------------------------------------------- jsonl
def write_jsonl(path, lines):
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n",
                    encoding="utf-8")
    return path


def test_jsonl_fields(tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "a1", "text": ARTICLE, "title": "T", "published": "2024-01-02", "url": "https://x.org/1"},
        {"id": "a2", "text": "Second.", "publication_date": "2016-09-12", "annotator": "ef2d"},
        {"text": "No id here."},
        {"id": 7, "text": "Numeric id."},
    ])
    docs = items(f)
    assert docs == [
        Document(text=ARTICLE, id="a1", title="T", published="2024-01-02", url="https://x.org/1"),
        Document(text="Second.", id="a2", published="2016-09-12"),
        Document(text="No id here."),
        Document(text="Numeric id.", id="7"),
    ]


def test_jsonl_bad_lines_are_reported_and_the_rest_read(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(b"\n".join([
        json.dumps({"id": "ok1", "text": "Fine."}).encode(),
        b"{not json",
        b"[1, 2]",
        json.dumps({"id": "nt"}).encode(),
        json.dumps({"id": "blank", "text": "   "}).encode(),
        json.dumps({"id": "badtitle", "text": "x", "title": ["a"]}).encode(),
        b'{"id": "latin", "text": "caf\xe9"}',
        b"",
        json.dumps({"id": "ok2", "text": "Also fine."}).encode(),
    ]))
    got = items(f)
    assert [d.id for d in got if isinstance(d, Document)] == ["ok1", "ok2"]
    errors = [e for e in got if isinstance(e, ReadError)]
    assert [e.path for e in errors] == [f"{f}:{n}" for n in (2, 3, 4, 5, 6, 7)]
    reasons = [e.reason for e in errors]
    assert "invalid JSON" in reasons[0]
    assert "not a JSON object" in reasons[1]
    assert "'text'" in reasons[2] and "'text'" in reasons[3]
    assert "'title'" in reasons[4]
    assert "UTF-8" in reasons[5]
    assert all("\n" not in str(e) for e in errors)


def test_jsonl_gz(tmp_path):
    f = tmp_path / "a.jsonl.gz"
    f.write_bytes(gzip.compress(json.dumps({"id": "z", "text": "Zipped."}).encode() + b"\n"))
    assert items(f) == [Document(text="Zipped.", id="z")]


def test_jsonl_gz_corrupt(tmp_path):
    f = tmp_path / "a.jsonl.gz"
    f.write_bytes(b"not gzip at all")
    assert "gzip" in only_error(f).reason


# ---------------------------------------------------------------- dispatch
def test_directory_reads_known_suffixes_in_order(tmp_path):
    (tmp_path / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Ay.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "sub" / "c.jsonl", [{"id": "c", "text": "Cee."}])
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00")
    got = items(tmp_path)
    assert [d.text for d in got] == ["Ay.", "Bee.", "Cee."]


def test_directory_with_nothing_readable(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00")
    assert "directory has no" in only_error(tmp_path).reason


def test_read_paths_continues_after_errors(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good.", encoding="utf-8")
    got = list(read_paths([tmp_path / "missing.txt", good]))
    assert isinstance(got[0], ReadError) and got[1] == Document(text="Good.", id="good")


def test_stdin():
    assert list(read_stdin(io.BytesIO(ARTICLE.encode()))) == [Document(text=ARTICLE)]
    [err] = read_stdin(io.BytesIO(b""))
    assert isinstance(err, ReadError) and err.path == "<stdin>" and "empty" in err.reason
