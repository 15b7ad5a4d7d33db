"""Ingest over several processes gives byte-identical seeds (ingest/parallel.py).

Companies discovered in one document change how later documents are read, so the parallel run must
replay the registrations in corpus order; a 60-article synthetic corpus (each article about a new
company, some naming comparable companies) exercises that.
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
from ingest.extract import PRECOMPUTED, Extractors, extract_document
from ingest.parallel import Registrations, default_workers, extract_parallel, precomputed
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


def test_results_are_replayed_only_for_the_matcher_state_they_were_made_for(corpus):
    documents = read_corpus(corpus).documents[:3]
    ahead = extract_parallel(documents, CompanyMatcher.from_seed(), workers=2)
    sequential = CompanyMatcher.from_seed()
    expected = [extract_document(doc, sequential) for doc in documents]
    assert [a.extraction.figures.equals(e.figures) for a, e in zip(ahead, expected, strict=True)] == [
        True
    ] * 3
    matcher = CompanyMatcher.from_seed()
    with precomputed(documents, ahead):
        assert extract_document(documents[0], matcher) is ahead[0].extraction  # replayed, not extracted
        assert set(matcher.aliases) > set(CompanyMatcher.from_seed().aliases)  # its registrations too
        assert documents[0].document_id not in PRECOMPUTED  # each result is used once
        # The third document's result assumed the second one's registrations: a matcher without
        # them gets a fresh extraction, never the result computed for another state.
        fresh = extract_document(documents[2], matcher, Extractors.default())
        assert fresh is not ahead[2].extraction
        assert fresh.figures.height > 0
    assert PRECOMPUTED == {}


def test_registrations_replay_adds_names_and_discovered_ids():
    matcher = CompanyMatcher(aliases={}, names_zh={})
    Registrations((("xing_he", ("星河智能", "星河")),), ("xing_he",)).replay(matcher)
    assert matcher.resolve("星河") == "xing_he"
    assert matcher.names_zh == {"xing_he": "星河智能"}
    assert matcher.discovered_ids == {"xing_he"}
    assert [m.company_id for m in matcher.find_mentions("星河智能与星河")] == ["xing_he", "xing_he"]


def test_default_workers_is_one_for_tiny_corpora():
    assert default_workers(2) == 1
    assert default_workers(39) == 1
    assert default_workers(10_000) == len(os.sched_getaffinity(0))
