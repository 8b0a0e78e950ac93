"""Local parallel ingest: parse in worker processes, write in the parent.

Each worker process loads the spaCy pipeline once (pool initializer) and turns batches
of documents into plain records (``Article.to_dict()``), which it sends back to the
parent. The parent alone writes to the archive, in one thread, one transaction per
article, in input order (so the archive does not depend on which worker was faster).
Texts already stored (same SHA-256) are skipped before parsing, so a run that was killed
continues where it stopped; a document that cannot be read or analysed is reported with
its reason, counted, and the run goes on. The inputs are read a window of documents ahead of
the analysis, never whole, so a crawl file of any size costs the same memory.

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
WINDOW = 256  # documents read ahead of the analysis at most: what memory holds, whatever the input's size
WINDOW_CHARS = 16_000_000  # and characters of text at most (a few documents near the size cap fill it)


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


def _windows(items: Iterable, size: int, chars: int = WINDOW_CHARS) -> Iterator[tuple[list, bool]]:
    """The items in order, in lists of at most ``size`` items and about ``chars`` characters
    of text (a window ends with the item that reaches it), each with whether it is the last."""
    window, held = [], 0
    for item in items:
        if len(window) >= size or held >= chars:
            yield window, False
            window, held = [], 0
        window.append(item)
        held += len(getattr(item, "text", ""))
    yield window, True


def _batches(todo: list[tuple[str, Document]]) -> list[list[tuple[str, Document]]]:
    return [todo[i:i + BATCH] for i in range(0, len(todo), BATCH)]


class _Analysers:
    """The run's parsers: worker processes started at the first batch and kept for every
    window after it (``workers=0``: this process)."""

    def __init__(self, workers: int, settings: Settings):
        self.workers, self.settings = workers, settings
        self.pool = None
        self.nlp = None

    def results(self, batches, last: bool = True) -> Iterator[list[dict] | dict]:
        """Each batch's results in order. The pool is as large as asked, or as the batches
        need when they are the whole input (``last`` of a run's first window)."""
        payloads = [[doc for _, doc in b] for b in batches]
        if not payloads:
            return
        if self.workers <= 0:
            if self.nlp is None:
                from sayso import nlp as nlp_mod

                self.nlp = nlp_mod.load(settings=self.settings)
            for p in payloads:
                yield analyse_batch(self.nlp, p, self.settings)
            return
        if self.pool is None:
            ctx = mp.get_context("spawn")  # a fresh interpreter: no database handles inherited
            size = min(self.workers, len(payloads)) if last else self.workers
            self.pool = ctx.Pool(size, initializer=_init_worker, initargs=(self.settings,))
        yield from self.pool.imap(_work, payloads)

    def close(self) -> None:
        """Stops the worker processes at once, also on errors and Ctrl-C."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def ingest(
    items: Iterable,
    engine: Engine,
    workers: int | None = None,
    settings: Settings | None = None,
    on_error: Callable[[str], None] = lambda msg: None,
    on_plan: Callable[[IngestStats], None] = lambda stats: None,
    on_article: Callable[[IngestStats], None] = lambda stats: None,
    window: int = WINDOW,
) -> IngestStats:
    """Store the documents of ``items`` (``Document`` or ``ReadError``, as the readers
    yield them) in the archive behind ``engine``, analysed as ``settings`` say (model,
    tier; a document whose analysis takes over ``time_limit`` seconds is an error, and the
    run goes on). The worker processes get the same settings. ``items`` is read ``window``
    documents ahead of the analysis, so memory does not grow with the input (a crawl file
    of any size); ``stats.todo`` grows as the windows are read, and ``on_plan`` hears of each."""
    workers = default_workers() if workers is None else workers
    writer = Writer(engine)
    stats = IngestStats()
    analysers = _Analysers(workers, settings or Settings())
    try:
        for docs, last in _windows(items, window):
            todo = _plan(docs, writer, stats, on_error)
            stats.todo += len(todo)
            on_plan(stats)
            batches = _batches(todo)
            for batch, results in zip(batches, analysers.results(batches, last)):
                if isinstance(results, dict):
                    raise ModelLoadError(results["fatal"])
                for (digest, doc), res in zip(batch, results):
                    _store(writer, digest, doc, res, stats, on_error)
                    on_article(stats)
    finally:
        analysers.close()
    stats.elapsed = time.perf_counter() - stats.started
    return stats


def _store(writer: Writer, digest: str, doc: Document, res: dict, stats: IngestStats,
           on_error: Callable[[str], None]) -> None:
    """One analysed document into the archive, counted; a document the database refuses
    (its data, not the database, is the problem) is an error and the run goes on."""
    stats.parsed += 1
    stats.elapsed = time.perf_counter() - stats.started
    if "error" in res:
        stats.errors += 1
        on_error(res["error"])
        return
    try:
        written = writer.write(res["article"], doc.text, doc.source, digest)
    except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
        stats.errors += 1
        on_error(f"{res['article'].id}: cannot be stored ({one_line(exc)})")
        return
    if written is None:
        stats.skipped += 1
        return
    stats.stored += 1
    stats.statements += written.statements
    stats.merged += written.merged
    stats.not_read += written.skipped is not None
