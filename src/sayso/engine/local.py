"""Local parallel ingest: parse in worker processes, write in the parent.

Each worker process loads the spaCy pipeline once (pool initializer) and turns batches
of documents into plain records (``Article.to_dict()``), which it sends back to the
parent. The parent alone writes to the archive, in one thread, one transaction per
article, in input order (so the archive does not depend on which worker was faster).
Texts already stored (same SHA-256) are skipped before parsing, so a run that was killed
continues where it stopped; a document that cannot be read or analysed is reported with
its reason, counted, and the run goes on.

``workers=0`` parses in the parent process itself (for tests and tiny inputs).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sayso.budget import Budget
from sayso.records import Document
from sayso.settings import Settings
from sayso.store.db import one_line
from sayso.store.ingest import Writer, content_hash

BATCH = 4  # documents per task: small, so that the workers stay evenly loaded


@dataclass
class IngestStats:
    read: int = 0            # documents read from the inputs
    stored: int = 0          # articles written by this run
    skipped: int = 0         # already in the archive (or repeated in the inputs)
    statements: int = 0      # statements in the articles written
    merged: int = 0          # of which folded into a statement of another article
    not_read: int = 0        # of the articles written, those in a language sayso does not read
    errors: int = 0          # documents that could not be read or analysed
    todo: int = 0            # documents to parse in this run
    parsed: int = 0          # of those, parsed so far (stored, or failed analysis)
    started: float = field(default_factory=time.perf_counter)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.stored / self.elapsed if self.elapsed else 0.0


class ModelLoadError(RuntimeError):
    """A worker could not load the spaCy pipeline: the whole ingest stops."""


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- worker side
_NLP = None
_LOAD_ERROR: str | None = None
_SETTINGS = Settings()


def _init_worker(settings: Settings) -> None:
    """A worker process's start: the settings come from the parent (pickled), never from
    this process's environment."""
    global _NLP, _LOAD_ERROR, _SETTINGS
    from sayso import nlp as nlp_mod

    _SETTINGS = settings
    try:
        _NLP = nlp_mod.load(settings=settings)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the run
        _LOAD_ERROR = str(exc)


def analyse_batch(nlp, docs: list[Document], settings: Settings | None = None) -> list[dict]:
    """One result per document, in order: ``{"article": Article}`` or ``{"error": reason}``
    (a document over ``settings.time_limit`` seconds is an error). Records, not their
    dicts, cross to the parent: they carry what the dicts leave out (``Speaker.kind``)."""
    from sayso.pipeline import analyse_many

    settings = settings or Settings()
    out: list[dict] = []
    for article in analyse_many(docs, nlp, batch_size=len(docs) or 1, budget=Budget(settings.time_limit),
                                settings=settings, on_error=lambda err: out.append({"error": str(err)})):
        out.append({"article": article})
    return out


def _work(docs: list[Document]) -> list[dict] | dict:
    if _NLP is None:
        return {"fatal": _LOAD_ERROR or "the spaCy pipeline is not loaded"}
    return analyse_batch(_NLP, docs, _SETTINGS)


# ---------------------------------------------------------------- parent side
def _plan(items: Iterable, writer: Writer, stats: IngestStats,
          on_error: Callable[[str], None]) -> list[tuple[str, Document]]:
    from sayso.readers import ReadError

    seen: set[str] = set()
    docs: list[tuple[str, Document]] = []
    for item in items:
        if isinstance(item, ReadError):
            stats.errors += 1
            on_error(str(item))
            continue
        stats.read += 1
        digest = content_hash(item.text)
        if digest in seen:
            stats.skipped += 1
            continue
        seen.add(digest)
        docs.append((digest, item))
    known = writer.known_hashes(d for d, _ in docs)
    stats.skipped += sum(1 for d, _ in docs if d in known)
    return [(d, doc) for d, doc in docs if d not in known]


def _batches(todo: list[tuple[str, Document]]) -> list[list[tuple[str, Document]]]:
    return [todo[i:i + BATCH] for i in range(0, len(todo), BATCH)]


def _results(batches, workers: int, settings: Settings) -> Iterator[list[dict] | dict]:
    payloads = [[doc for _, doc in b] for b in batches]
    if not payloads:
        return
    if workers <= 0:
        from sayso import nlp as nlp_mod

        nlp = nlp_mod.load(settings=settings)
        for p in payloads:
            yield analyse_batch(nlp, p, settings)
        return
    ctx = mp.get_context("spawn")  # a fresh interpreter: no database handles inherited
    pool = ctx.Pool(min(workers, max(1, len(payloads))), initializer=_init_worker,
                    initargs=(settings,))
    try:
        yield from pool.imap(_work, payloads)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def ingest(
    items: Iterable,
    engine: Engine,
    workers: int | None = None,
    settings: Settings | None = None,
    on_error: Callable[[str], None] = lambda msg: None,
    on_plan: Callable[[IngestStats], None] = lambda stats: None,
    on_article: Callable[[IngestStats], None] = lambda stats: None,
) -> IngestStats:
    """Store the documents of ``items`` (``Document`` or ``ReadError``, as the readers
    yield them) in the archive behind ``engine``, analysed as ``settings`` say (model,
    tier; a document whose analysis takes over ``time_limit`` seconds is an error, and the
    run goes on). The worker processes get the same settings."""
    workers = default_workers() if workers is None else workers
    settings = settings or Settings()
    writer = Writer(engine)
    stats = IngestStats()
    todo = _plan(items, writer, stats, on_error)
    stats.todo = len(todo)
    on_plan(stats)
    batches = _batches(todo)
    results_of = _results(batches, workers, settings)
    try:
        for batch, results in zip(batches, results_of):
            if isinstance(results, dict):
                raise ModelLoadError(results["fatal"])
            for (digest, doc), res in zip(batch, results):
                if "error" in res:
                    stats.errors += 1
                    on_error(res["error"])
                else:
                    try:
                        written = writer.write(res["article"], doc.text, doc.source, digest)
                    except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                        # this document's data, not the database, is the problem: go on
                        stats.errors += 1
                        stats.parsed += 1
                        reason = one_line(exc)
                        on_error(f"{res['article'].id}: cannot be stored ({reason})")
                        on_article(stats)
                        continue
                    if written is None:
                        stats.skipped += 1
                    else:
                        stats.stored += 1
                        stats.statements += written.statements
                        stats.merged += written.merged
                        stats.not_read += written.skipped is not None
                stats.parsed += 1
                stats.elapsed = time.perf_counter() - stats.started
                on_article(stats)
    finally:
        results_of.close()  # stops the worker processes at once, also on errors and Ctrl-C
    stats.elapsed = time.perf_counter() - stats.started
    return stats
