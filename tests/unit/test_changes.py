"""`pipeline/changes.py`: build_log and build_changes written into the new warehouse before publish."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.changes import (
    ChangeReportError,
    ChangeSummary,
    documents_extracted_from,
    format_summary,
    print_last_changes,
    record_changes,
)

FIGURE_DDL = """
create table fct_figures (
    figure_id varchar, document_id varchar, company_id varchar, table_name varchar, metric varchar,
    dimension varchar, period_type varchar, period_start date, period_end date, period_label varchar,
    value double, unit varchar, currency varchar, value_cny double, qualifier varchar,
    char_start bigint, char_end bigint, quote varchar, is_override boolean
)
"""
DOCUMENT_DDL = """
create table dim_documents (
    document_id varchar, file_name varchar, title varchar, publisher varchar, published_at date,
    url varchar, language varchar, sha256 varchar
)
"""
# (figure_id, document_id, company_id, metric, period_label, value, unit, qualifier, char_start, quote)
REVENUE = ("f-rev", "d1", "xinghe", "revenue", "FY2024", 562e6, "CNY", "exact", 40, "收入为5.62亿元")
LOSS = ("f-loss", "d1", "xinghe", "net_profit", "FY2024", -318e6, "CNY", "exact", 60, "亏损3.18亿元")
PRICE = ("f-price", "d2", "lanzhou", "offer_price", "2025-07-01", 13.6, "HKD", "exact", 12, "每股13.6港元")
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def make_warehouse(path: Path, figures: list[tuple], documents: list[str]) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute(FIGURE_DDL)
        con.execute(DOCUMENT_DDL)
        for fid, doc, company, metric, period, value, unit, qualifier, start, quote in figures:
            currency = unit if unit in ("CNY", "HKD", "USD") else ""
            con.execute(
                "insert into fct_figures values (?, ?, ?, 'financials', ?, '', 'FY', null, null, ?, ?, ?, ?, "
                "null, ?, ?, ?, ?, false)",
                [
                    fid,
                    doc,
                    company,
                    metric,
                    period,
                    value,
                    unit,
                    currency,
                    qualifier,
                    start,
                    start + len(quote),
                    quote,
                ],
            )
        for doc in documents:
            con.execute(
                "insert into dim_documents values (?, ?, 't', 'p', date '2025-07-01', '', 'zh-Hans', 'sha')",
                [doc, f"{doc}.txt"],
            )
    finally:
        con.close()
    return path


def record(
    new: Path, published: Path | None, build_id: str, hour: int = 0, extracted: int = 2
) -> ChangeSummary:
    started = T0.replace(hour=6 + hour)
    return record_changes(
        new,
        published,
        build_id=build_id,
        started_at=started,
        finished_at=started.replace(minute=5),
        status="published",
        documents_extracted=extracted,
    )


def rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def counts(summary: ChangeSummary) -> tuple[int, ...]:
    return (
        summary.figures_added,
        summary.figures_removed,
        summary.figures_changed,
        summary.documents_added,
        summary.documents_removed,
    )


@pytest.fixture
def first(tmp_path) -> Path:
    """A first build (nothing published before) holding two documents and three figures."""
    path = make_warehouse(tmp_path / "b1.duckdb", [REVENUE, LOSS, PRICE], ["d1", "d2"])
    summary = record(path, None, "b1")
    assert counts(summary) == (3, 0, 0, 2, 0)
    return path


def test_first_build_reports_everything_as_added(first):
    assert rows(first, "select change_type, count(*) from build_changes group by all order by 1") == [
        ("document_added", 2),
        ("figure_added", 3),
    ]
    assert rows(
        first, "select new_value, new_quote, old_value from build_changes where figure_id = 'f-rev'"
    ) == [(562e6, "收入为5.62亿元", None)]
    assert rows(
        first,
        "select build_id, status, documents_total, documents_extracted, figures_total, figures_added, "
        "previous_build_id, started_at < finished_at from build_log",
    ) == [("b1", "published", 2, 2, 3, 3, None, True)]


def test_an_unchanged_build_reports_zero_changes(first, tmp_path):
    published_sha = hashlib.sha256(first.read_bytes()).hexdigest()
    second = make_warehouse(tmp_path / "b2.duckdb", [REVENUE, LOSS, PRICE], ["d1", "d2"])
    summary = record(second, first, "b2", hour=1, extracted=0)
    assert counts(summary) == (0, 0, 0, 0, 0)
    assert (summary.previous_build_id, summary.figures_total, summary.documents_extracted) == ("b1", 3, 0)
    assert format_summary(summary) == "changes: +0 figures, -0, ~0 changed; documents +0 -0"
    assert rows(second, "select count(*) from build_changes where build_id = 'b2'") == [(0,)]
    assert hashlib.sha256(first.read_bytes()).hexdigest() == published_sha  # only ever read


def test_a_changed_value_is_one_change_with_old_and_new_value_and_quotes(first, tmp_path):
    revised = (*REVENUE[:5], 575e6, "CNY", "approx", 40, "收入约5.75亿元")
    second = make_warehouse(tmp_path / "b2.duckdb", [revised, LOSS, PRICE], ["d1", "d2"])
    summary = record(second, first, "b2", hour=1)
    assert counts(summary) == (0, 0, 1, 0, 0)
    assert format_summary(summary) == "changes: +0 figures, -0, ~1 changed; documents +0 -0"
    assert rows(
        second,
        "select change_type, document_id, figure_id, company_id, metric, period_label, old_value, new_value, "
        "old_quote, new_quote from build_changes where build_id = 'b2'",
    ) == [
        (
            "figure_changed",
            "d1",
            "f-rev",
            "xinghe",
            "revenue",
            "FY2024",
            562e6,
            575e6,
            "收入为5.62亿元",
            "收入约5.75亿元",
        )
    ]


def test_a_removed_document_removes_its_figures(first, tmp_path):
    second = make_warehouse(tmp_path / "b2.duckdb", [REVENUE, LOSS], ["d1"])
    summary = record(second, first, "b2", hour=1)
    assert counts(summary) == (0, 1, 0, 0, 1)
    assert rows(
        second,
        "select change_type, document_id, figure_id, old_value, new_value, old_quote from build_changes "
        "where build_id = 'b2' order by change_type",
    ) == [
        ("document_removed", "d2", None, None, None, None),
        ("figure_removed", "d2", "f-price", 13.6, None, "每股13.6港元"),
    ]


def test_history_accumulates_over_three_builds(first, tmp_path):
    second = make_warehouse(tmp_path / "b2.duckdb", [REVENUE, LOSS], ["d1"])
    record(second, first, "b2", hour=1)
    extra = ("f-rd", "d3", "qingmu", "rd_expense", "FY2024", 1.1e8, "CNY", "exact", 5, "研发开支1.1亿元")
    third = make_warehouse(tmp_path / "b3.duckdb", [REVENUE, LOSS, extra], ["d1", "d3"])
    summary = record(third, second, "b3", hour=2, extracted=1)
    assert counts(summary) == (1, 0, 0, 1, 0)
    assert rows(
        third,
        "select build_id, previous_build_id, documents_total, figures_total, figures_added, figures_removed, "
        "documents_added, documents_removed from build_log order by started_at",
    ) == [
        ("b1", None, 2, 3, 3, 0, 2, 0),
        ("b2", "b1", 1, 2, 0, 1, 0, 1),
        ("b3", "b2", 2, 3, 1, 0, 1, 0),
    ]
    assert rows(third, "select build_id, count(*) from build_changes group by all order by 1") == [
        ("b1", 5),
        ("b2", 2),
        ("b3", 2),
    ]
    report = print_last_changes(third)
    assert "last build b3 (published), finished 2026-03-01 08:05:00 UTC, previous b2" in report
    assert "  2 documents (1 re-extracted), 3 figures" in report
    assert "  changes: +1 figures, -0, ~0 changed; documents +1 -0" in report
    assert "  figure_added     d3 qingmu rd_expense FY2024: 110,000,000 «研发开支1.1亿元»" in report
    assert "  document_added   d3" in report


def test_print_last_changes_shows_at_most_the_limit(first):
    report = print_last_changes(first, limit=2).splitlines()
    assert report[-1] == "  ... and 3 more (query build_changes where build_id = 'b1')"
    assert len(report) == 3 + 2 + 1


def test_an_unreadable_published_warehouse_is_an_error_naming_it(tmp_path):
    broken = tmp_path / "published.duckdb"
    broken.write_bytes(b"not a duckdb file" * 100)
    new = make_warehouse(tmp_path / "new.duckdb", [REVENUE], ["d1"])
    with pytest.raises(ChangeReportError, match=f"published warehouse {broken}"):
        record(new, broken, "b1")


def test_print_last_changes_without_history(tmp_path):
    plain = make_warehouse(tmp_path / "plain.duckdb", [REVENUE], ["d1"])
    assert print_last_changes(plain) == f"{plain} has no build_log: it was built before changes were recorded"
    assert print_last_changes(tmp_path / "none.duckdb").startswith("no warehouse at ")


def test_documents_extracted_is_read_from_the_ingest_output():
    output = (
        "ingest: read 3 documents (0 rejected) in 0.01s\ningest: extracted 1 of 3 documents (2 from cache)\n"
    )
    assert documents_extracted_from(output) == 1
    assert documents_extracted_from("ingest: extracted 12 figures, 1 shareholders in 0.2s") is None


def test_changes_piped_into_a_reader_that_stops_early_ends_without_a_traceback(first):
    """`make changes | head`: the reader closes the pipe before the report is written."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # a `head` that has already exited
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.changes", str(first)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    os.close(write_end)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr
