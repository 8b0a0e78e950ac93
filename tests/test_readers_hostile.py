"""Readers against what messy crawls hand over: truncated gzip, broken WARC records, HTML
bombs, text in the wrong encoding, empty and unreadable files. Every bad document is one
one-line ReadError, every good one around it is still read, and the CLI reports counts."""
from __future__ import annotations

import gzip
import json
import os
import time
from io import BytesIO

import pytest
from typer.testing import CliRunner

from sayso.cli import app
from sayso.pipeline import Document
from sayso.readers import ReadError, read_path

RUSSIAN = "«Мы победим», — заявил министр обороны в понедельник на пресс-конференции в Москве."


def split(items) -> tuple[list[Document], list[ReadError]]:
    items = list(items)
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(docs) + len(errors) == len(items)
    assert all("\n" not in str(e) for e in errors)
    return docs, errors


# ---------------------------------------------------------------- gzip
def jsonl_lines(n: int) -> bytes:
    return b"".join(json.dumps({"id": f"a{i}", "text": f"Article {i}: the mayor said it was fine."}).encode() + b"\n"
                    for i in range(n))


def test_truncated_gzip_keeps_every_whole_line_before_the_cut(tmp_path):
    data = gzip.compress(jsonl_lines(300))
    f = tmp_path / "crawl.jsonl.gz"
    f.write_bytes(data[: len(data) // 2])
    docs, errors = split(read_path(f))
    assert 20 < len(docs) < 300
    assert [d.id for d in docs] == [f"a{i}" for i in range(len(docs))]  # in order, none partial
    [err] = errors
    assert "cut short" in err.reason and f"{len(docs)} whole lines" in err.reason


def test_damaged_gzip_member_after_a_good_one(tmp_path):
    good = gzip.compress(jsonl_lines(5))
    f = tmp_path / "two.jsonl.gz"
    f.write_bytes(good + b"\x1f\x8b\x08\x00garbage that is not deflate")
    docs, [err] = split(read_path(f))
    assert len(docs) == 5 and "damaged" in err.reason


# ---------------------------------------------------------------- WARC
HTML = ("<html><body><article><p>\"We will rebuild bridge number {i} this year,\" the mayor of "
        "Eastbridge told reporters on Tuesday morning.</p><p>The council said that the money for "
        "project {i} was ready.</p></article></body></html>")


def warc_records(n: int, gz: bool) -> list[bytes]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = []
    for i in range(n):
        buf = BytesIO()
        w = WARCWriter(buf, gzip=gz)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://news.example/{i}", "response",
                                            payload=BytesIO(HTML.format(i=i).encode()), http_headers=headers))
        out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_broken_record_is_reported_and_the_next_ones_read(tmp_path, gz):
    recs = warc_records(4, gz)
    f = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    f.write_bytes(recs[0] + recs[1] + b"GARBAGE\r\nnot a record\r\n\r\n" + recs[2] + recs[3])
    docs, [err] = split(read_path(f))
    assert [d.url for d in docs] == [f"https://news.example/{i}" for i in range(4)]
    assert "broken WARC record" in err.reason


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_cut_short_keeps_the_whole_records(tmp_path, gz):
    recs = warc_records(5, gz)
    f = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    whole = b"".join(recs)
    f.write_bytes(whole[: len(whole) - len(recs[-1]) // 2])
    docs, [err] = split(read_path(f))
    assert [d.url for d in docs] == [f"https://news.example/{i}" for i in range(4)]
    assert "cut short" in err.reason


def test_mislabelled_windows_1251_in_a_warc_is_read_correctly_or_refused(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = f"<html><head><meta charset='utf-8'></head><body><article><p>{RUSSIAN}</p><p>{RUSSIAN}</p></article></body></html>"
    f = tmp_path / "ru.warc"
    with open(f, "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://ru.example/1", "response",
                                            payload=BytesIO(page.encode("cp1251")), http_headers=headers))
    docs, errors = split(read_path(f))
    assert docs or errors
    for d in docs:  # never mojibake: the Russian words or nothing
        assert "министр обороны" in d.text


# ---------------------------------------------------------------- HTML bombs
@pytest.mark.parametrize("name, html", [
    ("deep.html", "<html><body>" + "<div>" * 100_000 + "<p>\"We will win,\" she said.</p>" + "</div>" * 100_000),
    ("attribute.html", "<html><body><p title=\"" + "x" * 12_000_000 + "\">\"We will win,\" she said on Monday.</p>"),
    ("many.html", "<html><body>" + "<p>\"We will win,\" she said.</p>" * 50_000),
    ("unclosed.html", "<html><body>" + "<b><i><table><tr><td>" * 20_000 + "she said"),
])
def test_html_bombs_give_a_document_or_one_clear_error_quickly(tmp_path, name, html):
    f = tmp_path / name
    f.write_text(html, encoding="utf-8")
    t0 = time.perf_counter()
    docs, errors = split(read_path(f))
    assert len(docs) + len(errors) == 1
    assert time.perf_counter() - t0 < 60


# ---------------------------------------------------------------- encodings
def test_windows_1251_mislabelled_as_utf8(tmp_path):
    raw = RUSSIAN.encode("cp1251")
    (tmp_path / "ru.txt").write_bytes(raw)
    [err] = list(read_path(tmp_path / "ru.txt"))
    assert isinstance(err, ReadError) and "not valid UTF-8" in err.reason
    (tmp_path / "ru.jsonl").write_bytes(b'{"id": "ru", "text": "' + raw + b'"}\n{"id": "ok", "text": "Fine."}\n')
    docs, [err] = split(read_path(tmp_path / "ru.jsonl"))
    assert [d.id for d in docs] == ["ok"] and err.path.endswith("ru.jsonl:1") and "UTF-8" in err.reason
    page = f"<html><head><meta charset='utf-8'></head><body><article><p>{RUSSIAN}</p><p>{RUSSIAN}</p></article></body></html>"
    (tmp_path / "ru.html").write_bytes(page.encode("cp1251"))
    docs, errors = split(read_path(tmp_path / "ru.html"))
    assert [d.text.split("\n\n")[0] for d in docs] in ([RUSSIAN], [])  # the real words, or an error


# ---------------------------------------------------------------- files and folders
def messy_folder(tmp_path):
    d = tmp_path / "crawl"
    (d / "sub").mkdir(parents=True)
    (d / "good.txt").write_text('"We will win," the coach said.', encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "empty.jsonl.gz").write_bytes(b"")
    (d / "empty.warc").write_bytes(b"")
    (d / "sub" / "also-good.txt").write_text("The mayor said that the bridge would reopen.", encoding="utf-8")
    os.symlink(d / "gone.txt", d / "dangling.txt")
    os.symlink("/proc/self/mem", d / "unreadable.txt")  # unreadable even for root: EIO
    if os.geteuid() != 0:
        (d / "locked.txt").write_text("secret", encoding="utf-8")
        (d / "locked.txt").chmod(0)
    return d


def test_a_folder_with_empty_and_unreadable_files(tmp_path):
    d = messy_folder(tmp_path)
    docs, errors = split(read_path(d))
    assert sorted(doc.id for doc in docs) == ["also-good", "good"]
    bad = {os.path.basename(e.path.split(":")[0]) for e in errors}
    assert {"empty.txt", "empty.jsonl.gz", "empty.warc", "dangling.txt", "unreadable.txt"} <= bad


def test_cli_goes_on_reports_counts_and_exits_1(tmp_path):
    d = messy_folder(tmp_path)
    res = CliRunner().invoke(app, ["extract", str(d), "-f", "attributions", "--accuracy", "rules"])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.stderr
    assert sorted(json.loads(line)["id"] for line in res.stdout.splitlines()) == ["also-good", "good"]
    lines = res.stderr.splitlines()
    assert all(line.startswith("error: ") for line in lines[:-1])
    assert lines[-1].startswith("sayso: 2 documents analysed, ") and " skipped" in lines[-1]


def test_jsonl_escapes_that_are_not_unicode(tmp_path):
    """``"\\ud800"`` is valid JSON but half a surrogate pair: the line is refused, the next read."""
    f = tmp_path / "sur.jsonl"
    f.write_text('{"id": "bad", "text": "The mayor said \\ud800 that it was fine."}\n'
                 '{"id": "t", "title": "\\udfff", "text": "Fine."}\n{"id": "ok", "text": "Fine too."}\n',
                 encoding="utf-8")
    docs, errors = split(read_path(f))
    assert [d.id for d in docs] == ["ok"]
    assert [e.path.rsplit(":", 1)[1] for e in errors] == ["1", "2"]
    assert all("unpaired surrogate" in e.reason for e in errors)
