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


PUBLISHED = {f"d{i}": 10 for i in range(20)}  # 20 documents of 10 figures


def without(*gone: str, **figures: int) -> dict[str, int]:
    return {d: figures.get(d, n) for d, n in PUBLISHED.items() if d not in gone}


@pytest.mark.parametrize(
    ("after", "problems"),
    [
        (PUBLISHED, []),
        (without("d3"), []),  # 1 of 20 documents, 10 of 200 figures: exactly 5%, allowed
        (without(d4=0), []),  # 10 figures of one document: 5%
        (
            without("d3", "d7"),
            [
                "2 of its 20 documents are gone (10.0%: d3, d7)",
                "its documents' figures fall from 200 to 180 (-10.0%)",
            ],
        ),
        (
            without(d1=0, d2=0),
            ["its documents' figures fall from 200 to 180 (-10.0%)"],
        ),  # a parser regression
    ],
)
def test_the_shrink_guard_names_what_of_the_published_warehouse_is_gone(after, problems):
    assert health.shrink_problems(PUBLISHED, after, 0.05) == problems


def test_new_documents_do_not_hide_lost_ones():
    replaced = {**without(*(f"d{i}" for i in range(5))), **{f"n{i}": 50 for i in range(5)}}
    assert health.shrink_problems(PUBLISHED, replaced, 0.05) == [
        "5 of its 20 documents are gone (25.0%: d0, d1, d2, d3, d4)",
        "its documents' figures fall from 200 to 150 (-25.0%)",
    ]


def test_nothing_published_cannot_shrink():
    assert health.shrink_problems({}, {"d1": 3}, 0.05) == []


def test_a_warehouse_s_contents_are_its_documents_and_their_figures(tmp_path, duckdb_files):
    path = duckdb_files.make(tmp_path / "ipo.duckdb", WAREHOUSE)
    assert health.warehouse_contents(path) == {"d0": 50000, "d1": 0, "d2": 0}
