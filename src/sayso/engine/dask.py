"""Distributed extraction on a Dask cluster: partitions → Parquet shards → the archive.

The client cuts the input into partitions (``engine.partitions``) and submits one task per
partition. A worker loads the spaCy pipeline once (a worker plugin loads it as the worker
starts; ``nlp.load`` keeps it for the process), reads its partition itself (the input must
be on storage every worker sees), analyses it in the same batches as the local engine and
writes one Parquet shard (``store.parquet``) to the output folder. A document that cannot
be read or analysed becomes an error row of its shard, never a failed task; a task that
fails anyway (its worker died, the disk hiccuped) is run again by Dask, and since a shard
is written atomically under a name fixed by its input, a repeated task changes nothing.

``ingest`` loads the shards into the archive in partition order as they become ready, in
batches of articles per transaction, through the same ``Writer`` as the local engine: the
archive is the one the local engine builds from the same input (article order, speaker
merging and near-duplicate folding included), and texts already stored are skipped.
``extract_parquet`` stops at the shards (data lakes, DuckDB).
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlalchemy as sa
from distributed import WorkerPlugin
from sqlalchemy.engine import Engine

from sayso.engine.local import BATCH, IngestStats, ModelLoadError, analyse_batch, default_workers
from sayso.engine.partitions import Partition, plan, read_partition
from sayso.settings import Settings
from sayso.store import parquet
from sayso.store.db import one_line
from sayso.store.ingest import Writer, content_hash

RETRIES = 2          # extra tries of a failed partition task (a dead worker is also rescheduled)
LOAD_BATCH = 64      # articles per transaction when loading shards
CONNECT_TIMEOUT = "15s"
TASKS_PER_WORKER = 8  # default partitioning: enough tasks to balance, few enough to amortise
MAX_PARTITION = 64    # documents per task at most (a few seconds to a minute of parsing)


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or started: one line saying why."""


# ---------------------------------------------------------------- worker side
def _model(settings: Settings):
    from sayso import nlp as nlp_mod

    return nlp_mod.load(settings=settings)  # cached per process


class ModelPlugin(WorkerPlugin):
    """Loads the pipeline when a worker starts (and when a restarted worker comes back),
    off the worker's event loop; a failure is left for the first task to report."""

    name = "sayso-model"

    def __init__(self, settings: Settings):
        self.settings = settings

    async def setup(self, worker) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, _model, self.settings)
        except Exception:  # noqa: BLE001 - extract_partition reports it as fatal
            pass


def _analyse(nlp, docs: list, settings: Settings) -> list[dict]:
    """analyse_batch, isolating a document that breaks a whole batch."""
    try:
        return analyse_batch(nlp, docs, settings)
    except Exception:  # noqa: BLE001
        if len(docs) == 1:
            import sys

            from sayso.pipeline import DocumentError

            return [{"error": str(DocumentError(docs[0], sys.exc_info()[1]))}]
        return [r for d in docs for r in _analyse(nlp, [d], settings)]


def extract_partition(part: Partition, out: str, settings: Settings = Settings()) -> dict:
    """The task: read, analyse and write one shard; a summary for the client. ``settings``
    travel with the task, so a worker on another machine keeps what the user chose."""
    from sayso.readers import ReadError

    try:
        nlp = _model(settings)
    except Exception as exc:  # noqa: BLE001 - stops the run, not worth a retry
        return {"fatal": str(exc)}
    entries: list[parquet.Entry] = []
    docs: list[tuple[int, object]] = []
    for pos, item in enumerate(read_partition(part, settings.max_bytes)):
        if isinstance(item, ReadError):
            entries.append(parquet.Entry(pos, error=str(item)))
        else:
            docs.append((pos, item))
    for i in range(0, len(docs), BATCH):
        batch = docs[i:i + BATCH]
        for (pos, doc), res in zip(batch, _analyse(nlp, [d for _, d in batch], settings)):
            if "error" in res:
                entries.append(parquet.Entry(pos, error=res["error"], digest=content_hash(doc.text)))
            else:
                entries.append(parquet.Entry(pos, res["article"], doc.text, doc.source, content_hash(doc.text)))
    entries.sort(key=lambda e: e.position)
    name = part.name(settings.model, settings.tier_stamp())
    parquet.write_shard(out, name, entries)
    return {"name": name}


# ---------------------------------------------------------------- client side
@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator:
    """A Dask client: on the scheduler at ``scheduler`` (tcp://HOST:PORT), else on a local
    cluster of ``workers`` single-threaded worker processes (default: one per core)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"{scheduler}: cannot reach the Dask scheduler ({exc})") from None
        try:
            yield client
        finally:
            client.close()
        return
    try:
        cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                               processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
    except Exception as exc:  # noqa: BLE001
        raise ClusterError(f"cannot start a local Dask cluster ({exc})") from None
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@dataclass
class Shard:
    partition: Partition
    name: str | None          # None: the partition failed for good (see error)
    error: str | None = None


def run(parts: list[Partition], out: str | Path, client, settings: Settings) -> Iterator[Shard]:
    """Shards of the partitions, yielded in partition order as soon as each and all before
    it are written; those already in ``out`` are not computed again."""
    from distributed import as_completed

    out = str(Path(out).resolve())
    Path(out).mkdir(parents=True, exist_ok=True)
    client.register_plugin(ModelPlugin(settings), name=ModelPlugin.name)
    ready: dict[int, Shard] = {}
    futures = {}
    run_id = uuid.uuid4().hex[:8]  # a task key of this run only: an earlier run's result is no shard here
    for p in parts:
        name = p.name(settings.model, settings.tier_stamp())
        if parquet.shard_done(out, name):
            ready[p.index] = Shard(p, name)
        else:
            fut = client.submit(extract_partition, p, out, settings, key=f"sayso-{name}-{run_id}",
                                retries=RETRIES, pure=False)
            futures[fut] = p
    nxt = 0
    try:
        while nxt < len(parts) and nxt in ready:
            yield ready.pop(nxt)
            nxt += 1
        for fut in as_completed(list(futures)):
            p = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - retries spent: this partition's documents are lost
                where = p.jsonl or (p.paths[0] if p.paths else "?")
                ready[p.index] = Shard(p, None, f"partition {p.index} ({where}…): failed after "
                                                f"{RETRIES + 1} tries ({type(exc).__name__}: {exc})")
            else:
                if "fatal" in res:
                    raise ModelLoadError(res["fatal"])
                ready[p.index] = Shard(p, res["name"])
            while nxt < len(parts) and nxt in ready:
                yield ready.pop(nxt)
                nxt += 1
    finally:
        client.cancel([f for f in futures if not f.done()])


def _plan(paths, size: int | None, client) -> list[Partition]:
    """Partitions of ``size`` documents; by default about TASKS_PER_WORKER per worker (so
    that the last tasks leave no worker idle for long), 1 to MAX_PARTITION documents."""
    paths = list(paths)
    if size:
        return plan(paths, size)
    total = sum(p.documents for p in plan(paths, MAX_PARTITION))
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return plan(paths, max(1, min(MAX_PARTITION, -(-total // (TASKS_PER_WORKER * workers)))))


# ---------------------------------------------------------------- Parquet only
@dataclass
class ExtractStats:
    partitions: int = 0
    documents: int = 0       # articles in the shards
    statements: int = 0
    errors: int = 0          # documents (or partitions) that gave no article
    started: float = field(default_factory=time.perf_counter)
    elapsed: float = 0.0


def extract_parquet(paths: Iterable[str | Path], out: str | Path, client,
                    settings: Settings | None = None, partition_size: int | None = None,
                    on_error: Callable[[str], None] = lambda msg: None) -> ExtractStats:
    """Extract the inputs into Parquet shards under ``out`` (``articles/``, ``statements/``),
    one shard per partition, analysed as ``settings`` say (sent with every task); shards of
    earlier runs on other input are removed."""
    settings = settings or Settings()
    parts = _plan(paths, partition_size, client)
    stats = ExtractStats(partitions=len(parts))
    names: set[str] = set()
    for shard in run(parts, out, client, settings):
        if shard.name is None:
            stats.errors += 1
            on_error(shard.error)
            continue
        names.add(shard.name)
        docs, stmts, errors = parquet.shard_errors(out, shard.name)
        stats.documents += docs
        stats.statements += stmts
        stats.errors += len(errors)
        for e in errors:
            on_error(e)
    parquet.remove_other_shards(out, names)
    stats.elapsed = time.perf_counter() - stats.started
    return stats


# ---------------------------------------------------------------- into the archive
def _load(writer: Writer, entries: list[parquet.Entry], stats: IngestStats,
          on_error: Callable[[str], None], on_article: Callable[[IngestStats], None]) -> None:
    """Store a shard's entries in order, LOAD_BATCH per transaction; a batch the database
    refuses is stored again one article at a time, so only the bad article is lost."""
    def done(written) -> None:
        if written is None:
            stats.skipped += 1
        else:
            stats.stored += 1
            stats.statements += written.statements
            stats.merged += written.merged
            stats.not_read += written.skipped is not None

    def tick() -> None:
        stats.parsed += 1
        stats.elapsed = time.perf_counter() - stats.started
        on_article(stats)

    pending: list[parquet.Entry] = []

    def flush() -> None:
        items = [(e.article, e.text, e.source, e.digest) for e in pending]
        try:
            results = writer.write_many(items)
        except (sa.exc.DataError, sa.exc.IntegrityError):
            results = []
            for e, item in zip(pending, items):
                try:
                    results.append(writer.write(*item))
                except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                    reason = one_line(exc)
                    results.append(f"{e.article.id}: cannot be stored ({reason})")
        for written in results:
            if isinstance(written, str):
                stats.errors += 1
                on_error(written)
            else:
                done(written)
            tick()
        pending.clear()

    for e in entries:
        if e.error is not None:
            flush()
            stats.errors += 1
            if e.digest is not None:  # read, but its analysis failed
                stats.read += 1
            on_error(e.error)
            tick()
            continue
        stats.read += 1
        pending.append(e)
        if len(pending) == LOAD_BATCH:
            flush()
    flush()


def load_shards(engine: Engine, folder: str | Path, names: Iterable[str],
                on_error: Callable[[str], None] = lambda msg: None) -> IngestStats:
    """Load finished shards into the archive, in the order given (no cluster needed)."""
    stats = IngestStats()
    writer = Writer(engine)
    for name in names:
        _load(writer, parquet.read_shard(folder, name), stats, on_error, lambda s: None)
    stats.elapsed = time.perf_counter() - stats.started
    return stats


def ingest(
    paths: Iterable[str | Path],
    engine: Engine,
    client,
    settings: Settings | None = None,
    out: str | Path | None = None,
    partition_size: int | None = None,
    on_error: Callable[[str], None] = lambda msg: None,
    on_plan: Callable[[IngestStats], None] = lambda stats: None,
    on_article: Callable[[IngestStats], None] = lambda stats: None,
) -> IngestStats:
    """Store the documents of the input files in the archive behind ``engine``, extracting
    them on the Dask cluster of ``client``. The shards go to ``out`` and stay there (a
    re-run reuses them); without ``out`` they go to a temporary folder removed afterwards
    (local clusters only: workers elsewhere must see ``out``). ``settings`` go with every
    task, as in ``extract_parquet``."""
    settings = settings or Settings()
    stats = IngestStats()
    parts = _plan(paths, partition_size, client)
    stats.todo = sum(p.documents for p in parts)
    on_plan(stats)
    tmp = None if out is not None else tempfile.mkdtemp(prefix="sayso-parquet-")
    folder = Path(out if out is not None else tmp)
    writer = Writer(engine)
    names: set[str] = set()
    try:
        for shard in run(parts, folder, client, settings):
            if shard.name is None:
                stats.errors += 1
                on_error(shard.error)
                continue
            names.add(shard.name)
            _load(writer, parquet.read_shard(folder, shard.name), stats, on_error, on_article)
        if out is not None:
            parquet.remove_other_shards(folder, names)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    stats.elapsed = time.perf_counter() - stats.started
    return stats
