"""Both extraction passes over several worker processes, with exactly the single-process result.

Discovery of a document reads the reference seed only, and extraction reads the finished registry
only (`ingest.extract`), so either pass is a plain map over documents: chunks go round-robin to the
workers, which receive the seed (or the registry) once per pass, and the results come back in
corpus order. The registry is merged in the parent between the passes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import polars as pl

from ingest.extract import DOCUMENT_TABLES, Extraction, discover, extract_document
from ingest.text import Document

MIN_DOCUMENTS_PER_WORKER = 20  # below this, starting worker processes costs more than it saves
MAX_CHUNK = 100  # documents per task: small enough to keep every worker busy to the end

_shared: dict[str, object] = {}  # stage -> the seed (discover) or the registry (extract), per worker


def run_stage(stage: str, doc: Document, shared: object) -> object:
    """One document through one pass: `discover` (shared = seed matcher) or `extract` (registry)."""
    if stage == "discover":
        return discover(doc, shared)
    if stage == "extract":
        return extract_document(doc, shared)
    raise ValueError(f"unknown stage {stage!r}")


def default_workers(documents: int) -> int:
    """Number of CPUs available to this process, fewer for a small corpus (1 for a tiny one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, documents // MIN_DOCUMENTS_PER_WORKER))


# --- the worker side -------------------------------------------------------------------------------


def _set_shared(stage: str, shared: object) -> None:
    _shared[stage] = shared


def _run_chunk(stage: str, documents: tuple[Document, ...]) -> object:
    shared = _shared[stage]
    results = [run_stage(stage, doc, shared) for doc in documents]
    if stage != "extract":
        return results
    # many small frames pickle slowly: one frame per table for the chunk, and each document's counts
    tables = {
        attr: pl.concat([getattr(r, attr) for r in results], how="vertical") for attr in DOCUMENT_TABLES
    }
    counts = [{attr: getattr(r, attr).height for attr in DOCUMENT_TABLES} for r in results]
    extras = [(r.discovered_companies, r.subject_ids) for r in results]
    return tables, counts, extras


def _split(packed: object) -> list[Extraction]:
    tables, counts, extras = packed
    offsets = dict.fromkeys(DOCUMENT_TABLES, 0)
    out = []
    for count, (discovered, subject_ids) in zip(counts, extras, strict=True):
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

    def __init__(self, workers: int, progress: Callable[[int, int], None] | None = None) -> None:
        self.workers = max(1, workers)
        self.progress = progress
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
        """`run_stage(stage, doc, shared)` for every document, in order. Errors are the
        ExtractionError of the document that failed (it names the file)."""
        if self.workers == 1 or len(documents) < 2 * MIN_DOCUMENTS_PER_WORKER:
            out = []
            for done, doc in enumerate(documents, start=1):
                out.append(run_stage(stage, doc, shared))
                if self.progress is not None and stage == "extract":
                    self.progress(done, len(documents))
            return out
        pools = self._start()
        for pool in pools:
            pool.submit(_set_shared, stage, shared).result()
        size = max(1, min(MAX_CHUNK, -(-len(documents) // (len(pools) * 4))))
        futures = [
            pools[n % len(pools)].submit(_run_chunk, stage, tuple(documents[start : start + size]))
            for n, start in enumerate(range(0, len(documents), size))
        ]
        out: list = []
        for future in futures:
            result = future.result()
            out.extend(_split(result) if stage == "extract" else result)
            if self.progress is not None and stage == "extract":
                self.progress(len(out), len(documents))
        for pool in pools:
            pool.submit(_set_shared, stage, None).result()
        return out

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []


@contextmanager
def worker_pool(workers: int, progress: Callable[[int, int], None] | None = None) -> Iterator[WorkerPool]:
    pool = WorkerPool(workers, progress)
    try:
        yield pool
    finally:
        pool.close()
