"""The benchmark runner on a 20-article corpus without dbt (bench/run.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from bench import run as bench_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("bench")
    markdown, results = tmp / "BENCHMARKS.md", tmp / "results.json"
    markdown.write_text(
        "# Benchmarks\n\nHand-written analysis.\n\n"
        "<!-- bench:results -->\nold\n<!-- /bench:results -->\n\nEnd.\n"
    )
    argv = [
        "--sizes",
        "20",
        "--workdir",
        str(tmp / "work"),
        "--no-dbt",
        "--workers",
        "1",
        "--long-bytes",
        "3000",
    ]
    assert bench_run.main([*argv, "--markdown", str(markdown), "--json", str(results)]) == 0
    return json.loads(results.read_text()), markdown.read_text()


def test_results_json_has_the_contract_fields(measured):
    results, _ = measured
    size = results["20"]
    assert set(size) == {
        "total_s",
        "stages",
        "peak_rss_mb",
        "articles_per_s",
        "recall",
        *bench_run.PER_SIZE_MEASURES,
    }
    assert list(size["stages"]) == ["read", "extract", "write"]  # dbt stages skipped with --no-dbt
    assert size["total_s"] == pytest.approx(sum(size["stages"].values()), abs=0.05)
    assert size["articles_per_s"] == pytest.approx(20 / size["total_s"], rel=0.05)
    assert 0.5 < size["recall"] <= 1.0
    assert 100 < size["peak_rss_mb"] < 4096
    # The pipeline always loads ingest's Parquet copies (no dbt needed): that load is timed too.
    assert results["native_load_s"] > 0 and results["seed_load_s"] > 0
    assert results["noop_rebuild_s"] is None and results["one_change_rebuild_s"] is None


def test_markdown_block_is_replaced_and_the_text_around_it_kept(measured):
    _, text = measured
    assert text.startswith("# Benchmarks\n\nHand-written analysis.\n\n<!-- bench:results -->")
    assert text.endswith("<!-- /bench:results -->\n\nEnd.\n")
    assert "old\n" not in text
    assert "### 20 articles" in text
    assert "| **total** |" in text
    read = next(line for line in text.splitlines() if line.startswith("| read |"))
    assert read.split("|")[5].strip() == "20"  # rows: the 20 documents read
    extract = next(line for line in text.splitlines() if line.startswith("| extract |"))
    assert int(extract.split("|")[5].strip().replace(",", "")) > 200  # figures extracted


def test_one_line_documents_are_timed_per_shape_and_size(measured):
    results, text = measured
    rows = results["long_document"]
    assert [(r["shape"], r["bytes"] <= 3000) for r in rows] == [
        ("articles", True),
        ("figure_list", True),
        ("count_list", True),
    ]
    assert all(r["extract_s"] > 0 and r["per_kb_ms"] > 0 for r in rows)
    assert next(r for r in rows if r["shape"] == "figure_list")["figures"] > 10
    assert "### Documents written as one line" in text and "| count_list | " in text


def test_process_tree_memory_includes_children():
    alone = bench_run._tree_rss_kb(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", "b = bytearray(200 * 2**20); input()"], stdin=subprocess.PIPE
    )
    try:
        for _ in range(100):  # wait until the child holds its 200 MB
            if bench_run._rss_kb(child.pid) > 150 * 1024:
                break
            time.sleep(0.05)
        assert bench_run._tree_rss_kb(os.getpid()) - alone > 150 * 1024
    finally:
        child.kill()
        child.wait()


def test_the_startup_verdict_compares_the_source_build_with_the_bare_startup():
    from bench import startup

    met = startup.verdict({"bare_startup_s": 9.2, "seed_build_s": 13.0, "seed_build_ratio": 1.41})
    missed = startup.verdict({"bare_startup_s": 9.2, "seed_build_s": 17.4, "seed_build_ratio": 1.89})
    assert met == "source build 13.0 s vs bare start-up 9.2 s: 1.41× (target ≤ 1.5×) — met"
    assert missed.endswith("1.89× (target ≤ 1.5×) — MISSED")


def test_results_json_carries_the_startup_figures():
    figures = {"bare_startup_s": 9.2, "seed_build_s": 13.0, "seed_build_ratio": 1.41}
    out = bench_run.results_json([bench_run.SizeRun(100)], startup_figures=figures)
    assert {k: out[k] for k in figures} == figures
