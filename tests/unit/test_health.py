"""Is a warehouse file whole (pipeline/health.py), and is a new one not unexpectedly smaller?"""

from __future__ import annotations

import pytest

from pipeline import health

WAREHOUSE = (
    "create table dim_documents as select 'd' || i as document_id from range(3) as t(i); "
    "create table fct_figures as select 'f' || i as figure_id, 'd0' as document_id, i::double as value "
    "from range(50000) as t(i)"
)


def test_a_whole_warehouse_reports_its_documents_and_figures(tmp_path, duckdb_files):
    path = duckdb_files.make(tmp_path / "ipo.duckdb", WAREHOUSE)
    assert health.inspect_warehouse(path) == health.Size(documents=3, figures=50000)


def test_a_file_that_is_not_a_database_is_unreadable_and_named(tmp_path):
    path = tmp_path / "ipo.duckdb"
    path.write_bytes(b"this is not a DuckDB file" * 1000)
    with pytest.raises(health.Unreadable, match=rf"{path} does not open as a DuckDB database"):
        health.inspect_warehouse(path)


def test_a_truncated_warehouse_is_unreadable(tmp_path, duckdb_files):
    path = duckdb_files.make(tmp_path / "ipo.duckdb", WAREHOUSE)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(health.Unreadable, match=str(path)):
        health.inspect_warehouse(path)


def test_a_database_without_the_marts_is_not_a_warehouse(tmp_path, duckdb_files):
    path = duckdb_files.marker(tmp_path / "ipo.duckdb", "b1")
    with pytest.raises(health.Unreadable, match="has no dim_documents or fct_figures"):
        health.inspect_warehouse(path)


def test_a_rollback_target_needs_every_mart(tmp_path, duckdb_files, project_root):
    path = duckdb_files.make(tmp_path / "ipo.prev.duckdb", WAREHOUSE)
    problems = health.check_restorable(path, project_root / "expectations")
    assert problems == [
        "missing marts: dim_companies, financials, kpis, offerings, shareholders, rejected_documents"
    ]


def test_a_rollback_target_that_does_not_open_is_refused_with_why(tmp_path, project_root):
    path = tmp_path / "ipo.prev.duckdb"
    path.write_bytes(b"\0" * 4096)
    [problem] = health.check_restorable(path, project_root / "expectations")
    assert "does not open as a DuckDB database" in problem


@pytest.mark.parametrize(
    ("after", "problems"),
    [
        (health.Size(100, 1000), []),
        (health.Size(95, 950), []),  # exactly 5%: allowed
        (health.Size(120, 1300), []),  # growth
        (health.Size(96, 940), ["figures 1000 -> 940 (-6.0%)"]),
        (health.Size(50, 0), ["documents 100 -> 50 (-50.0%)", "figures 1000 -> 0 (-100.0%)"]),
    ],
)
def test_the_shrink_guard_names_what_fell_by_more_than_the_limit(after, problems):
    assert health.shrink_problems(health.Size(100, 1000), after, 0.05) == problems


def test_nothing_published_cannot_shrink():
    assert health.shrink_problems(health.Size(0, 0), health.Size(0, 0), 0.05) == []
