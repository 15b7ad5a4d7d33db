"""Both extraction passes over several worker processes, with exactly the single-process result.

Discovery of a document reads the reference seed only, and extraction reads the finished registry
only (`ingest.extract`), so either pass is a plain map over documents: chunks go round-robin to the
workers, which receive the seed (or the registry) once per pass, and the results come back in
corpus order. The registry is merged in the parent between the passes.

Each document runs under the per-document time limit (`ingest.timeout`) in the worker that runs it: a
document over it comes back as a `TooSlow` in its place and the worker goes on with the next one, so
no worker is killed (or left behind); `close()` shuts every worker down. A worker that gives no answer
for longer than its chunk's time limits allow is stuck outside Python (where the timer cannot reach):
then every worker is killed and the pass fails with an error naming the chunk's files, rather than
waiting forever.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

import polars as pl

from ingest.extract import (
    DOCUMENT_TABLES,
    TABLES,
    Extraction,
    ExtractionError,
    discover,
    extract_document,
    warm_up,
)
from ingest.schema import empty_frame
from ingest.text import Document
from ingest.timeout import TooSlow, run_limited

MIN_DOCUMENTS_PER_WORKER = 20  # below this, starting worker processes costs more than it saves
MAX_CHUNK = 100  # documents per task: small enough to keep every worker busy to the end
STALL_MARGIN = 120.0  # seconds a chunk may take beyond its documents' time limits before it is stuck

_shared: dict[str, object] = {}  # stage -> the seed (discover) or the registry (extract), per worker


def run_stage(stage: str, doc: Document, shared: object, time_limit: float | None = None) -> object:
    """One document through one pass: `discover` (shared = seed matcher) or `extract` (registry);
    a TooSlow instead of the result when it runs over `time_limit` seconds."""
    if stage == "discover":
        return run_limited(discover, doc, shared, seconds=time_limit, stage=stage)
    if stage == "extract":
        return run_limited(extract_document, doc, shared, seconds=time_limit, stage=stage)
    raise ValueError(f"unknown stage {stage!r}")


def default_workers(documents: int) -> int:
    """Number of CPUs available to this process, fewer for a small corpus (1 for a tiny one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, documents // MIN_DOCUMENTS_PER_WORKER))


# --- the worker side -------------------------------------------------------------------------------


def _warm(stage: str, shared: object) -> None:
    """Load the rules once per process, before the first document's time limit starts."""
    if shared is not None and not _shared.get("warm"):
        warm_up(shared if stage == "discover" else shared.matcher)  # the seed, or the registry's
        _shared["warm"] = True


def _set_shared(stage: str, shared: object) -> None:
    _shared[stage] = shared
    _warm(stage, shared)


def _run_chunk(stage: str, documents: tuple[Document, ...], time_limit: float | None = None) -> object:
    shared = _shared[stage]
    results = [run_stage(stage, doc, shared, time_limit) for doc in documents]
    if stage != "extract":
        return results
    # many small frames pickle slowly: one frame per table for the chunk, and each document's counts
    done = [r for r in results if isinstance(r, Extraction)]
    tables = {
        attr: pl.concat([getattr(r, attr) for r in done], how="vertical")
        if done
        else empty_frame(TABLES[attr][0])
        for attr in DOCUMENT_TABLES
    }
    counts = [
        {attr: getattr(r, attr).height for attr in DOCUMENT_TABLES} if isinstance(r, Extraction) else None
        for r in results
    ]
    extras = [(r.discovered_companies, r.subject_ids) if isinstance(r, Extraction) else r for r in results]
    return tables, counts, extras


def _split(packed: object) -> list[Extraction | TooSlow]:
    tables, counts, extras = packed
    offsets = dict.fromkeys(DOCUMENT_TABLES, 0)
    out: list[Extraction | TooSlow] = []
    for count, extra in zip(counts, extras, strict=True):
        if count is None:  # the document ran out of time: its TooSlow
            out.append(extra)
            continue
        discovered, subject_ids = extra
        sliced = {}
        for attr in DOCUMENT_TABLES:
            sliced[attr] = tables[attr].slice(offsets[attr], count[attr])
            offsets[attr] += count[attr]
        out.append(Extraction(**sliced, discovered_companies=discovered, subject_ids=subject_ids))
    return out


# --- the parent side -------------------------------------------------------------------------------


class WorkerPool:
    """`workers` single-process pools, started on first use, each with one Polars thread.

    The workers handle tiny frames (one document at a time), where Polars' thread pool only adds
    hand-offs; with one process per core plus the parent, more threads measurably slowed every small
    query. The environment is read when Polars is imported, so it is set around the spawn (`spawn`,
    not `fork`: fork would copy Polars' thread pool state).
    """

    def __init__(
        self,
        workers: int,
        progress: Callable[[int, int], None] | None = None,
        time_limit: float | None = None,
    ) -> None:
        self.workers = max(1, workers)
        self.progress = progress
        self.time_limit = time_limit  # seconds per document and pass (ingest.timeout), None: none
        self._pools: list[ProcessPoolExecutor] = []

    def _start(self) -> list[ProcessPoolExecutor]:
        if self._pools:
            return self._pools
        context = multiprocessing.get_context("spawn")
        saved = os.environ.get("POLARS_MAX_THREADS")
        os.environ["POLARS_MAX_THREADS"] = "1"
        try:
            self._pools = [ProcessPoolExecutor(1, mp_context=context) for _ in range(self.workers)]
            for pool in self._pools:
                pool.submit(int).result()  # start the process now, while the variable is set
        finally:
            if saved is None:
                del os.environ["POLARS_MAX_THREADS"]
            else:
                os.environ["POLARS_MAX_THREADS"] = saved
        return self._pools

    def map(self, stage: str, documents: Sequence[Document], shared: object) -> list:
        """`run_stage(stage, doc, shared)` for every document, in order (a TooSlow for a document
        over the time limit). Errors are the ExtractionError of the document that failed (it names
        the file)."""
        if self.workers == 1 or len(documents) < 2 * MIN_DOCUMENTS_PER_WORKER:
            if self.time_limit and documents:
                _warm(stage, shared)
            out = []
            for done, doc in enumerate(documents, start=1):
                out.append(run_stage(stage, doc, shared, self.time_limit))
                if self.progress is not None and stage == "extract":
                    self.progress(done, len(documents))
            return out
        pools = self._start()
        for pool in pools:
            pool.submit(_set_shared, stage, shared).result()
        size = max(1, min(MAX_CHUNK, -(-len(documents) // (len(pools) * 4))))
        chunks = [tuple(documents[start : start + size]) for start in range(0, len(documents), size)]
        futures = [
            pools[n % len(pools)].submit(_run_chunk, stage, chunk, self.time_limit)
            for n, chunk in enumerate(chunks)
        ]
        deadline = self.time_limit and size * self.time_limit + STALL_MARGIN
        out: list = []
        for future, chunk in zip(futures, chunks, strict=True):
            result = self.result(future, [doc.file_name for doc in chunk], stage, deadline or None)
            out.extend(_split(result) if stage == "extract" else result)
            if self.progress is not None and stage == "extract":
                self.progress(len(out), len(documents))
        for pool in pools:
            pool.submit(_set_shared, stage, None).result()
        return out

    def result(self, future: Future, file_names: list[str], stage: str, seconds: float | None) -> object:
        """What a worker returned for a chunk; if it gives nothing within `seconds`, every worker is
        killed and an ExtractionError names the chunk's files."""
        try:
            return future.result(timeout=seconds)
        except TimeoutError:
            self.kill()
            more = len(file_names) - 3
            shown = ", ".join(file_names[:3]) + (f" and {more} more" if more > 0 else "")
            raise ExtractionError(
                f"{stage}: a worker process gave no answer for {seconds:g} s on a chunk of "
                f"{len(file_names)} documents ({shown}), more than their time limits allow; "
                "the workers were stopped"
            ) from None

    def kill(self) -> None:
        """Stop every worker now, running or not (a stuck one cannot be asked to finish)."""
        for pool in self._pools:
            # the executor has no public way to kill its processes; `_processes` maps pid -> Process
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []


@contextmanager
def worker_pool(
    workers: int, progress: Callable[[int, int], None] | None = None, time_limit: float | None = None
) -> Iterator[WorkerPool]:
    pool = WorkerPool(workers, progress, time_limit)
    try:
        yield pool
    finally:
        pool.close()
