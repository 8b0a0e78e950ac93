"""The Dask engine against the local one, on a real LocalCluster of two worker processes:
partitions read exactly what the readers read, the archive built through Parquet shards is
the local engine's archive (PolNeAR dev, SQLite and PostgreSQL), the shards hold the
single-process records, a worker killed mid-run changes nothing, and the CLI reports bad
input in one line."""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sayso.engine import dask as dask_engine
from sayso.engine import ingest as local_ingest
from sayso.engine.partitions import plan, read_partition
from sayso.readers import ReadError, read_paths
from sayso.store import open_engine, parquet
from sayso.store.schema import articles, statement_articles

from .conftest import dump

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DEV = REPO.parent / "shared" / "data" / "polnear" / "dev.jsonl"


def _same(item):
    return str(item) if isinstance(item, ReadError) else item


def test_partitions_read_what_the_readers_read(tmp_path):
    lines = ['{"id": "a", "text": "One, she said."}', "", "not json", '{"text": "Two, he said."}',
             "   ", '{"id": 7, "text": "Three."}', '{"text": ""}', '{"text": "Four."}']
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    with gzip.open(tmp_path / "z.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"text": "Zipped, they said."}\n')
    for i in range(5):
        (tmp_path / f"t{i}.txt").write_text(f"Article {i}, the mayor said.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text(" ", encoding="utf-8")
    (tmp_path / "nothing").mkdir()
    inputs = [tmp_path, tmp_path / "missing.txt", tmp_path / "nothing", tmp_path / "big.jsonl"]
    want = [_same(x) for x in read_paths(inputs)]
    for size in (1, 2, 3, 100):
        parts = plan(inputs, size)
        assert [p.index for p in parts] == list(range(len(parts)))
        got = [_same(x) for p in parts for x in read_partition(p)]
        assert got == want, size
    parts = plan([tmp_path / "big.jsonl"], 2)
    assert [p.documents for p in parts] == [2, 2, 2] and [p.first_line for p in parts] == [1, 4, 7]


def test_a_shard_name_says_which_tier_and_model_made_it(tmp_path):
    """Shards kept with --parquet-dir are reused only by a run with the same tier and the
    same retrained model (SAYSO_FAST_MODEL / SAYSO_BEST_MODEL: Settings.fast_model, best_model)."""
    from sayso.settings import Settings

    (tmp_path / "a.txt").write_text("One, she said.", encoding="utf-8")
    (part,) = plan([tmp_path], 10)
    runs = [Settings(accuracy="rules"), Settings(accuracy="fast"), Settings(accuracy="best"),
            Settings.from_env({"SAYSO_FAST_MODEL": str(tmp_path / "retrained")})]
    names = {part.name("m", s.tier_stamp()) for s in runs}
    assert len(names) == 4
    assert part.name("m", runs[0].tier_stamp()) == part.name("m", Settings(accuracy="rules").tier_stamp())


@pytest.fixture(scope="module")
def client():
    with dask_engine.connect(workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def dev_reference(tmp_path_factory):
    """PolNeAR dev through the plain multi-process path: (dump, stats)."""
    if not DEV.exists():
        pytest.skip(f"{DEV} not found (the project's shared material)")
    eng = open_engine(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    stats = local_ingest(read_paths([DEV]), eng, workers=2)
    want = dump(eng)
    eng.dispose()
    return want, stats


@pytest.fixture(scope="module")
def dev_shards(client, tmp_path_factory):
    """PolNeAR dev extracted once on the cluster; each back end then loads these shards."""
    if not DEV.exists():
        pytest.skip(f"{DEV} not found (the project's shared material)")
    out = tmp_path_factory.mktemp("shards")
    stats = dask_engine.extract_parquet([DEV], out, client)
    return out, stats


@pytest.mark.slow
def test_dask_archive_equals_the_local_archive_on_polnear_dev(db_url, client, dev_reference, dev_shards):
    want, ref = dev_reference
    out, extracted = dev_shards
    assert extracted.partitions >= 4 and extracted.errors == 0 and extracted.documents == ref.stored == 84
    assert extracted.statements == ref.statements
    eng = open_engine(db_url)
    stats = dask_engine.ingest([DEV], eng, client, out=out)  # the shards are reused, not recomputed
    assert (stats.stored, stats.statements, stats.merged, stats.errors) == \
        (ref.stored, ref.statements, ref.merged, 0)
    got = dump(eng)
    assert {k: want[k] for k in got} == got
    again = dask_engine.ingest([DEV], eng, client, out=out)
    assert (again.stored, again.skipped) == (0, 84) and dump(eng) == got
    eng.dispose()


def test_shards_hold_the_single_process_records(client, tmp_path):
    from sayso import nlp as nlp_mod
    from sayso.pipeline import analyse_many

    docs = [d for d in read_paths([EXAMPLES]) if not isinstance(d, ReadError)]
    want = [a.to_dict() for a in analyse_many(docs, nlp_mod.load())]
    stats = dask_engine.extract_parquet([EXAMPLES], tmp_path, client, partition_size=2)
    assert (stats.partitions, stats.documents, stats.errors) == (3, 5, 0)
    names = sorted(f.stem for f in (tmp_path / "articles").glob("*.parquet"))
    entries = [e for n in names for e in parquet.read_shard(tmp_path, n)]
    assert [e.article.to_dict() for e in entries] == want
    for e, doc in zip(entries, docs):
        assert e.text == doc.text
        for st in e.article.to_dict()["statements"]:  # offsets point into the exact input text
            for part in ("cue", "content"):
                assert " ".join(doc.text[s:t] for s, t in st[part]["spans"]) == st[part]["text"]
    import pyarrow.parquet as pq

    flat = pq.read_table(str(tmp_path / "statements")).to_pylist()
    assert len(flat) == stats.statements == sum(len(r["statements"]) for r in want)


def test_cli_reports_bad_input_in_one_line_and_goes_on(client, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text('"We will rebuild," Mayor Anna Kowalski said.', encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("   ", encoding="utf-8")
    (tmp_path / "in" / "bad.jsonl").write_text('{"text": "Fine, she said."}\nnot json\n', encoding="utf-8")
    sched = client.scheduler.address
    base = [sys.executable, "-m", "sayso.cli"]
    r = subprocess.run(base + ["ingest", str(tmp_path / "in"), "--db", str(tmp_path / "a.db"),
                               "--engine", "dask", "--scheduler", sched], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "stored 2 articles" in r.stdout and "2 errors" in r.stdout
    assert "Traceback" not in r.stderr and "bad.jsonl:2: invalid JSON" in r.stderr
    r = subprocess.run(base + ["extract-parquet", str(tmp_path / "in"), "-o", str(tmp_path / "pq"),
                               "--scheduler", sched], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    shards = list((tmp_path / "pq" / "articles").glob("*.parquet"))
    assert shards and len(shards) == len(list((tmp_path / "pq" / "statements").glob("*.parquet")))
    r = subprocess.run(base + ["ingest", "-", "--db", str(tmp_path / "b.db"), "--engine", "dask"],
                       input="She said so.", capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "error: -: standard input cannot be read by distributed workers; give files"]


def test_workers_keep_the_size_cap_and_time_limit_the_cli_was_given(client, tmp_path):
    """Issue 19: the Dask workers used the default cap and time limit whatever the flags."""
    short = '"We will rebuild," Mayor Anna Kowalski said.'
    (tmp_path / "capped").mkdir()
    (tmp_path / "capped" / "short.txt").write_text(short, encoding="utf-8")
    (tmp_path / "capped" / "lines.jsonl").write_text('{"text": "%s, she said."}\n{"text": "Fine, he said."}\n'
                                                     % ("word " * 400), encoding="utf-8")
    (tmp_path / "timed").mkdir()
    (tmp_path / "timed" / "short.txt").write_text(short, encoding="utf-8")
    long = "\n\n".join(p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    (tmp_path / "timed" / "long.txt").write_text(long * (25_000 // len(long) + 1), encoding="utf-8")

    def ingest(folder: str, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sayso.cli", "ingest", str(tmp_path / folder), "--db",
                               str(tmp_path / f"{folder}.db"), "--engine", "dask", "--scheduler",
                               client.scheduler.address, *flags], capture_output=True, text=True, timeout=300)

    r = ingest("capped", "--max-bytes", "1500")
    assert r.returncode == 1 and "stored 2 articles" in r.stdout and "1 errors" in r.stdout, r.stdout + r.stderr
    assert "lines.jsonl:1: over the size limit: more than 1,500 bytes" in " ".join(r.stderr.split())
    r = ingest("timed", "--time-limit", "0.001")
    assert r.returncode == 1 and "stored 1 articles" in r.stdout and "1 errors" in r.stdout, r.stdout + r.stderr
    assert "time limit of 0.001 s" in " ".join(r.stderr.split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 short articles: the examples, each retold with a closing line of its own."""
    d = tmp_path_factory.mktemp("corpus")
    for i in range(12):
        for f in sorted(EXAMPLES.glob("*.txt")):
            text = f.read_text(encoding="utf-8").rstrip("\n")
            (d / f"{i:02d}_{f.name}").write_text(
                f"{text}\n\nUpdate {i}: officials said on Friday that talks would continue.\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def corpus_reference(corpus, tmp_path_factory):
    eng = open_engine(f"sqlite:///{tmp_path_factory.mktemp('cref') / 'ref.db'}")
    local_ingest(read_paths([corpus]), eng, workers=0)
    want = dump(eng)
    eng.dispose()
    return want


def test_a_worker_killed_mid_run_changes_nothing(db_url, client, corpus, corpus_reference, tmp_path):
    eng = open_engine(db_url)
    killed: list[int] = []

    def kill_one(stats) -> None:
        if not killed and stats.stored >= 1:
            pid = sorted(client.run(os.getpid).values())[0]
            os.kill(pid, signal.SIGKILL)  # the worker process; its nanny starts a new one
            killed.append(pid)
            assert stats.parsed < 10  # mid-run: most partitions still to come

    stats = dask_engine.ingest([corpus], eng, client, partition_size=2, out=tmp_path / "pq",
                               on_article=kill_one)
    client.wait_for_workers(2, timeout=120)
    assert killed and killed[0] not in client.run(os.getpid).values()
    total = len(list(corpus.iterdir()))
    assert (stats.stored, stats.errors) == (total, 0)
    got = dump(eng)
    assert {k: corpus_reference[k] for k in got} == got
    with eng.connect() as c:  # complete and duplicate-free
        hashes = c.execute(sa.select(articles.c.content_hash)).scalars().all()
        assert len(hashes) == len(set(hashes)) == total
        assert c.execute(sa.select(sa.func.count()).select_from(statement_articles)).scalar() == \
            sum(c.execute(sa.select(articles.c.n_statements)).scalars())
    eng.dispose()
