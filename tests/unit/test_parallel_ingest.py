"""Ingest over several processes gives byte-identical seeds (ingest/parallel.py).

Companies discovered in one document change how other documents are read (through the registry), so
the parallel run must merge every document's discovery before any extraction; a 60-article synthetic
corpus (each article about a new company, some naming comparable companies) exercises that.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from bench.generate import generate
from ingest.__main__ import main
from ingest.companies import CompanyMatcher
from ingest.documents import read_corpus
from ingest.extract import discover_corpus, extract_document
from ingest.parallel import WorkerPool, default_workers
from ingest.registry import build_registry
from ingest.schema import SEED_SCHEMAS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus60")
    generate(60, folder, seed=7)
    return folder


def _ingest(capsys, sources: Path, out: Path, *args: str) -> list[str]:
    assert main(["--sources", str(sources), "--out", str(out), *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_two_workers_write_byte_identical_seeds(corpus, tmp_path, capsys):
    _ingest(capsys, corpus, tmp_path / "one", "--no-cache", "--workers", "1")
    lines = _ingest(
        capsys,
        corpus,
        tmp_path / "two",
        "--no-cache",
        "--workers",
        "2",
        "--parquet-out",
        str(tmp_path / "pq"),
    )
    assert lines[-1] == "ingest: extracted 60 of 60 documents (0 from cache)"
    for name in SEED_SCHEMAS:
        one = (tmp_path / "one" / f"{name}.csv").read_bytes()
        assert (tmp_path / "two" / f"{name}.csv").read_bytes() == one, name
    figures = pl.read_csv(tmp_path / "one" / "ingest_figures.csv", infer_schema_length=0)
    assert figures.height > 1000  # the corpus states ~30 figures per article
    assert figures["company_id"].n_unique() >= 60  # every article's company was discovered
    # The Parquet copy holds the same rows, empty cells as nulls (as dbt reads the seed).
    copy = pl.read_parquet(tmp_path / "pq" / "ingest_figures.parquet")
    assert copy.height == figures.height
    assert copy["figure_id"].to_list() == figures["figure_id"].to_list()
    assert copy.filter(pl.col("dimension") == "").height == 0
    blank = figures.filter(pl.col("dimension").is_null() | (pl.col("dimension") == "")).height
    assert copy["dimension"].null_count() == blank > 0


def test_parallel_run_fills_the_cache_a_serial_run_reuses(corpus, tmp_path, capsys):
    cache = tmp_path / "cache"
    _ingest(capsys, corpus, tmp_path / "serial", "--no-cache", "--workers", "1")
    _ingest(capsys, corpus, tmp_path / "first", "--cache-dir", str(cache), "--workers", "2")
    again = _ingest(capsys, corpus, tmp_path / "again", "--cache-dir", str(cache), "--workers", "2")
    assert again[-1] == "ingest: extracted 0 of 60 documents (60 from cache)"
    for name in SEED_SCHEMAS:
        serial = (tmp_path / "serial" / f"{name}.csv").read_bytes()
        assert (tmp_path / "first" / f"{name}.csv").read_bytes() == serial, name
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == serial, name


def test_both_passes_over_workers_equal_the_single_process_result(corpus):
    documents = read_corpus(corpus).documents
    seed = CompanyMatcher.from_seed()
    pool = WorkerPool(2)
    try:
        found = pool.map("discover", documents, seed)
        registry = build_registry(documents, {f.document_id: f for f in found}, seed)
        parts = pool.map("extract", documents, registry)
    finally:
        pool.close()
    serial = discover_corpus(documents, seed)
    assert registry.discovered.equals(serial.discovered)
    assert registry.subjects == serial.subjects
    assert [
        p.figures.equals(extract_document(d, serial).figures) for p, d in zip(parts, documents, strict=True)
    ] == [True] * len(documents)
    assert seed.aliases == CompanyMatcher.from_seed().aliases  # the seed is never changed


def test_default_workers_is_one_for_tiny_corpora():
    assert default_workers(2) == 1
    assert default_workers(39) == 1
    assert default_workers(10_000) == len(os.sched_getaffinity(0))


def test_a_worker_stuck_past_its_chunk_s_limits_is_killed_and_the_error_names_the_files():
    import multiprocessing
    import time

    from ingest.extract import ExtractionError

    pool = WorkerPool(2, time_limit=0.1)
    try:
        [stuck, _] = pool._start()
        future = stuck.submit(time.sleep, 60)  # a call the per-document timer cannot interrupt
        started = time.perf_counter()
        names = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
        with pytest.raises(ExtractionError) as error:
            pool.result(future, names, "extract", 1.0)
        assert time.perf_counter() - started < 20
        assert str(error.value) == (
            "extract: a worker process gave no answer for 1 s on a chunk of 5 documents "
            "(a.txt, b.txt, c.txt and 2 more), more than their time limits allow; the workers were stopped"
        )
        assert multiprocessing.active_children() == []  # both workers are gone, the stuck one too
    finally:
        pool.close()
