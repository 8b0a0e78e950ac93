"""Readers never read without bound: a document over the size cap is one clear error
(counted, the next documents still read), and devices, FIFOs and links to them are refused
without being opened for reading, so `sayso extract /dev/zero` or a FIFO never eats memory
or hangs. The cap is passed down explicitly (``max_bytes``); the CLI takes ``--max-bytes``
(``$SAYSO_MAX_BYTES``)."""
from __future__ import annotations

import gzip
import io
import json
import os
import threading

import pytest
from typer.testing import CliRunner

from sayso.cli import app
from sayso.pipeline import Document
from sayso.readers import DEFAULT_MAX_BYTES, ReadError, read_path, read_stdin

CAP = 10_000


def items(path, max_bytes=CAP, timeout=20.0):
    """Everything a reader yields for ``path``, in a thread so that a hang fails the test."""
    out: list = []
    t = threading.Thread(target=lambda: out.extend(read_path(path, max_bytes=max_bytes)), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"reading {path} did not finish in {timeout} s"
    docs = [i for i in out if isinstance(i, Document)]
    errors = [i for i in out if isinstance(i, ReadError)]
    assert len(docs) + len(errors) == len(out)
    return docs, errors


class Endless(io.RawIOBase):
    """A stream of zeros that never ends and counts what was read from it."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, b):
        b[:] = b"\x00" * len(b)
        self.given += len(b)
        return len(b)


def test_the_default_cap_is_a_few_megabytes():
    assert 1_000_000 <= DEFAULT_MAX_BYTES <= 10_000_000


def test_dev_zero_and_a_link_to_it_are_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    for path in ("/dev/zero", tmp_path / "zero.txt"):
        docs, [err] = items(path)
        assert not docs and "not a regular file" in err.reason


def test_a_folder_with_a_link_to_dev_zero(tmp_path):
    (tmp_path / "good.txt").write_text("The mayor said that the bridge would reopen.", encoding="utf-8")
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    os.symlink("/dev/zero", tmp_path / "zero.jsonl")
    os.symlink("/dev/zero", tmp_path / "zero.warc")
    os.symlink("/dev/zero", tmp_path / "zero.rss")
    docs, errors = items(tmp_path)
    assert [d.id for d in docs] == ["good"]
    assert len(errors) == 4 and all("not a regular file" in e.reason for e in errors)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    for name in ("fifo.txt", "fifo.jsonl", "fifo.warc", "fifo.html"):
        os.mkfifo(tmp_path / name)
        docs, [err] = items(tmp_path / name, timeout=5)
        assert not docs and "not a regular file" in err.reason


def test_a_file_over_the_cap_is_one_error(tmp_path):
    (tmp_path / "big.txt").write_text("word " * (CAP // 4), encoding="utf-8")
    (tmp_path / "big.html").write_text("<p>" + "word " * (CAP // 4) + "</p>", encoding="utf-8")
    for name in ("big.txt", "big.html"):
        docs, [err] = items(tmp_path / name)
        assert not docs and "over the size limit" in err.reason and f"{CAP:,}" in err.reason
    docs, errors = items(tmp_path / "big.txt", max_bytes=10 * CAP)
    assert len(docs) == 1 and not errors


def test_stdin_is_read_up_to_the_cap_only():
    stream = Endless()
    [err] = list(read_stdin(io.BufferedReader(stream), max_bytes=CAP))
    assert isinstance(err, ReadError) and "over the size limit" in err.reason
    assert stream.given <= CAP + 64 * 1024  # at most one buffer beyond the cap


@pytest.mark.parametrize("gz", [False, True])
def test_a_jsonl_line_over_the_cap_is_one_error_and_the_next_lines_are_read(tmp_path, gz):
    lines = [json.dumps({"id": "a", "text": "The mayor said it was fine."}),
             json.dumps({"id": "huge", "text": "word " * CAP}),
             json.dumps({"id": "b", "text": "The council said it agreed."})]
    data = ("\n".join(lines) + "\n").encode()
    f = tmp_path / ("crawl.jsonl.gz" if gz else "crawl.jsonl")
    f.write_bytes(gzip.compress(data) if gz else data)
    docs, [err] = items(f)
    assert [d.id for d in docs] == ["a", "b"]
    assert err.path.endswith(":2") and "over the size limit" in err.reason


def test_a_warc_record_over_the_cap_is_one_error_and_the_next_records_are_read(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for i, size in enumerate((1, CAP, 1)):
        page = f"<html><body><p>The mayor said that bridge {i} would reopen. {'word ' * size}</p></body></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://news.example/{i}", "response",
                                            payload=io.BytesIO(page.encode()), http_headers=headers))
    f = tmp_path / "crawl.warc"
    f.write_bytes(buf.getvalue())
    docs, [err] = items(f)
    assert [d.url for d in docs] == ["https://news.example/0", "https://news.example/2"]
    assert "over the size limit" in err.reason


def test_a_feed_over_the_cap_is_one_error(tmp_path):
    f = tmp_path / "feed.rss"
    f.write_text("<rss><channel>" + "<item><title>x</title></item>" * CAP + "</channel></rss>")
    docs, [err] = items(f)
    assert not docs and "over the size limit" in err.reason


# ---------------------------------------------------------------- the command
def test_cli_refuses_dev_zero_a_fifo_and_a_file_over_the_cap(tmp_path):
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "big.txt").write_text("The mayor said it. " * 2000, encoding="utf-8")
    runner = CliRunner()
    for args in (["/dev/zero"], [str(tmp_path / "fifo.txt")], [str(tmp_path / "big.txt"), "--max-bytes", "5000"]):
        res = runner.invoke(app, ["extract", *args, "--accuracy", "rules"])
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.stderr
        [line] = res.stderr.splitlines()
        assert line.startswith("error: ") and ("not a regular file" in line or "over the size limit" in line)


def test_cli_cap_from_the_environment_and_a_bad_value(tmp_path):
    (tmp_path / "big.txt").write_text("The mayor said it. " * 2000, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["extract", str(tmp_path / "big.txt"), "--accuracy", "rules"],
                        env={"SAYSO_MAX_BYTES": "5000"})
    assert res.exit_code == 2 and "over the size limit" in res.stderr
    res = runner.invoke(app, ["extract", str(tmp_path / "big.txt"), "--max-bytes", "0"])
    assert res.exit_code == 2 and "Traceback" not in res.output
