"""Extraction over several worker processes, with exactly the single-process result.

Company discovery registers the companies a document names in the shared `CompanyMatcher`, and
later documents are read with them (see `ingest/cache.py`), so documents cannot simply be mapped
over a pool. Instead:

1. the parent runs the discovery steps (`discover_document`) document after document, in corpus
   order, on one matcher -- exactly what `extract_document` does first -- and records what each
   document registered (its `matcher.add` calls and discovered ids);
2. as soon as a chunk of documents is discovered it goes to a worker, which brings its own matcher
   to the state before the chunk by replaying the recorded registrations, then for each document
   replays that document's registrations and runs the extractors that only read the matcher
   (`extract_with_subjects`). Chunks go round-robin to the workers, so each worker receives only
   the registrations made since its previous chunk. Discovery (about a fifth of the work) in the
   parent overlaps with extraction in the workers.

`extract_parallel` returns one `Extraction` per document, in corpus order, equal to what
`extract_document` gives in a single process (tests/unit/test_parallel_ingest.py checks the seeds
are byte-identical). `precomputed(...)` hands them to `extract_document`, so the incremental cache
(`extract_incremental`) records them as usual. The CLI uses this only when every document must be
extracted (no cache, or no document of the corpus in it); an incremental run with a few changed
documents stays single-process, where the cache's rules about matcher state apply unchanged.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polars as pl

from ingest import extract
from ingest.companies import CompanyMatcher
from ingest.documents import Corpus
from ingest.extract import (
    Extraction,
    Extractors,
    Precomputed,
    discover_document,
    extract_with_subjects,
)
from ingest.text import Document

MIN_DOCUMENTS_PER_WORKER = 20  # below this, starting worker processes costs more than it saves
MAX_CHUNK = 100  # documents per task: small enough to overlap discovery with extraction
WORKER_TABLES = ("figures", "unclassified", "implied_fx", "shareholders", "events")

Registration = tuple[str, tuple[str, ...]]  # one matcher.add(company_id, *names) call


@dataclass(frozen=True)
class Registrations:
    """What one document's discovery did to the matcher."""

    adds: tuple[Registration, ...]
    discovered_ids: tuple[str, ...]

    def replay(self, matcher: CompanyMatcher) -> None:
        for company_id, names in self.adds:
            matcher.add(company_id, *names)
        matcher.discovered_ids.update(self.discovered_ids)


class _RecordingSet(set):
    """The matcher's discovered ids, remembering which ones were added since `added` was reset
    (copying the whole set before every document would be quadratic)."""

    added: list[str]

    def add(self, item: str) -> None:
        if item not in self:
            self.added.append(item)
        super().add(item)

    def update(self, *others) -> None:
        for other in others:
            for item in other:
                self.add(item)


class _Recorder(CompanyMatcher):
    """A matcher that records every `add` call (state shared with nothing: a private copy)."""

    log: list[Registration]

    @classmethod
    def copy_of(cls, matcher: CompanyMatcher) -> _Recorder:
        recorder = cls(aliases=dict(matcher.aliases), names_zh=dict(matcher.names_zh))
        recorder.discovered_ids = _RecordingSet(matcher.discovered_ids)
        recorder.discovered_ids.added, recorder.log = [], []
        return recorder

    def add(self, company_id: str, *names: str) -> None:
        self.log.append((company_id, tuple(names)))
        super().add(company_id, *names)


def _copy(matcher: CompanyMatcher) -> CompanyMatcher:
    return CompanyMatcher(
        aliases=dict(matcher.aliases),
        names_zh=dict(matcher.names_zh),
        discovered_ids=set(matcher.discovered_ids),
    )


def default_workers(documents: int) -> int:
    """Number of CPUs available to this process, fewer for a small corpus (1 for a tiny one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, documents // MIN_DOCUMENTS_PER_WORKER))


# --- the worker side -------------------------------------------------------------------------------

_worker_matcher: CompanyMatcher | None = None


def _start_worker(matcher: CompanyMatcher) -> None:
    global _worker_matcher
    _worker_matcher = matcher


@dataclass(frozen=True)
class _Task:
    catch_up: tuple[Registrations, ...]  # documents since this worker's previous chunk
    documents: tuple[Document, ...]
    registrations: tuple[Registrations, ...]  # one per document
    subject_ids: tuple[list[str], ...]  # one per document


def _extract_chunk(task: _Task) -> tuple[dict[str, pl.DataFrame], list[dict[str, int]]]:
    """Tables of a chunk (concatenated) and each document's row count per table."""
    matcher = _worker_matcher
    assert matcher is not None, "worker started without its matcher"
    for registrations in task.catch_up:
        registrations.replay(matcher)
    run = Extractors.default()
    frames: dict[str, list[pl.DataFrame]] = {attr: [] for attr in WORKER_TABLES}
    counts = []
    empty = extract.empty_frame("ingest_discovered_companies")
    for doc, registrations, subject_ids in zip(
        task.documents, task.registrations, task.subject_ids, strict=True
    ):
        registrations.replay(matcher)
        part = extract_with_subjects(doc, matcher, run, empty, subject_ids)
        counts.append({attr: getattr(part, attr).height for attr in WORKER_TABLES})
        for attr in WORKER_TABLES:
            frames[attr].append(getattr(part, attr))
    return {attr: pl.concat(parts, how="vertical") for attr, parts in frames.items()}, counts


# --- the parent side -------------------------------------------------------------------------------


def _start_pools(workers: int, matcher: CompanyMatcher) -> list[ProcessPoolExecutor]:
    """One single-process pool per worker, started now, each with one Polars thread.

    The workers handle tiny frames (one document at a time), where Polars' thread pool only adds
    hand-offs; with one process per core plus the parent, more threads measurably slowed every small
    query (waiting for a descheduled pool thread). The environment is read when Polars is imported,
    so it is set around the spawn (`spawn`, not `fork`: fork would copy Polars' thread pool state).
    """
    context = multiprocessing.get_context("spawn")
    saved = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        pools = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker, initargs=(_copy(matcher),))
            for _ in range(workers)
        ]
        for pool in pools:
            pool.submit(int).result()  # start the process now, while the variable is set
    finally:
        if saved is None:
            del os.environ["POLARS_MAX_THREADS"]
        else:
            os.environ["POLARS_MAX_THREADS"] = saved
    return pools


def _chunk_size(documents: int, workers: int) -> int:
    return max(1, min(MAX_CHUNK, -(-documents // (workers * 4))))


@contextmanager
def parallel_extraction(
    documents: Sequence[Document],
    matcher: CompanyMatcher,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[list[Precomputed]]:
    """Per document, what `extract_document` run in corpus order on `matcher` gives: a `Precomputed`
    whose `.extraction` waits for the worker that has its chunk. The block runs while the workers
    still extract, so the caller's own per-document work (the cache's bookkeeping) overlaps theirs.

    `matcher` itself is not changed (its state is copied). Errors are ExtractionError naming the file,
    raised by `.extraction`. The workers stop when the block ends.
    """
    run = Extractors.default()
    recorder = _Recorder.copy_of(matcher)
    pools = _start_pools(max(1, workers), matcher)
    size = _chunk_size(len(documents), len(pools))
    timeline: list[Registrations] = []
    synced = [0] * len(pools)  # documents whose registrations each worker has been sent
    ahead: list[Precomputed] = []
    try:
        for number, start in enumerate(range(0, len(documents), size)):
            chunk = documents[start : start + size]
            discovered, subjects = [], []
            for doc in chunk:
                state_size = (len(recorder.aliases), len(recorder.discovered_ids))
                recorder.log, recorder.discovered_ids.added = [], []
                rows, subject_ids = discover_document(doc, recorder, run)
                timeline.append(
                    Registrations(tuple(recorder.log), tuple(sorted(recorder.discovered_ids.added)))
                )
                discovered.append(rows)
                subjects.append(subject_ids)
                ahead.append(Precomputed(None, timeline[-1].replay, state_size))
            w = number % len(pools)
            task = _Task(
                catch_up=tuple(timeline[synced[w] : start]),
                documents=tuple(chunk),
                registrations=tuple(timeline[start : start + len(chunk)]),
                subject_ids=tuple(subjects),
            )
            synced[w] = start + len(chunk)
            result = _ChunkResult(pools[w].submit(_extract_chunk, task), chunk, discovered, subjects)
            for i, item in enumerate(ahead[start:]):
                item.resolve = partial(result.extraction, i)
            if progress is not None:
                progress(len(ahead), len(documents))
        yield ahead
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


class _ChunkResult:
    """A chunk's worker result, split into per-document Extractions when first asked for."""

    def __init__(self, future: Future, documents, discovered, subjects) -> None:
        self.future, self.documents, self.discovered, self.subjects = future, documents, discovered, subjects
        self.parts: list[Extraction] | None = None

    def extraction(self, i: int) -> Extraction:
        if self.parts is None:
            tables, counts = self.future.result()
            offsets = dict.fromkeys(WORKER_TABLES, 0)
            self.parts = []
            for doc, count, discovered, subject_ids in zip(
                self.documents, counts, self.discovered, self.subjects, strict=True
            ):
                sliced = {}
                for attr in WORKER_TABLES:
                    sliced[attr] = tables[attr].slice(offsets[attr], count[attr])
                    offsets[attr] += count[attr]
                self.parts.append(
                    Extraction(
                        **sliced, discovered_companies=discovered, subject_ids={doc.document_id: subject_ids}
                    )
                )
        return self.parts[i]


def extract_parallel(
    documents: Sequence[Document], matcher: CompanyMatcher, workers: int
) -> list[Precomputed]:
    """`parallel_extraction` with every result collected before returning."""
    with parallel_extraction(documents, matcher, workers) as ahead:
        for item in ahead:
            _ = item.extraction
    return ahead


@contextmanager
def precomputed(documents: Sequence[Document], ahead: Sequence[Precomputed]) -> Iterator[None]:
    """Within the block, `extract_document` returns these results (replaying each document's matcher
    registrations) instead of extracting the documents again."""
    extract.PRECOMPUTED.clear()
    if ahead:  # nothing computed ahead (a single process): every document is extracted in the block
        extract.PRECOMPUTED.update({d.document_id: item for d, item in zip(documents, ahead, strict=True)})
    try:
        yield
    finally:
        extract.PRECOMPUTED.clear()


def corpus_in_cache(corpus: Corpus, cache_dir: Path | None, companies_csv: Path | None) -> bool:
    """True when some document of `corpus` has results in the extraction cache (an incremental run)."""
    if cache_dir is None:
        return False
    from ingest.cache import document_key, rules_version

    entries = Path(cache_dir) / rules_version(companies_csv) / "entries.parquet"
    try:
        cached = set(pl.read_parquet(entries, columns=["_key"])["_key"].to_list())
    except Exception:  # noqa: BLE001 - missing or unreadable: the cache will not be used either
        return False
    return any(document_key(d, corpus.info[d.document_id].sha256) in cached for d in corpus.documents)
