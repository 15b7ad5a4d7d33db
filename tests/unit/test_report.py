"""`pipeline.report`: the charts an analyst opens, built from the published warehouse only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from pipeline import report

TABLES_SQL = """
create table dim_companies (company_id varchar, name_zh varchar, name_zh_hant varchar, name_en varchar,
    exchange varchar, ticker varchar, is_reviewed boolean);
create table dim_documents (document_id varchar, file_name varchar, title varchar, publisher varchar,
    published_at date, url varchar);
create table fct_figures (company_id varchar, metric varchar, value double, quote varchar,
    document_id varchar, char_start integer);
create table financials (company_id varchar, metric varchar, dimension varchar, period_label varchar,
    period_end date, value_cny double, quote varchar, document_id varchar);
"""


@pytest.fixture
def single_figure_warehouse(tmp_path, duckdb_files):
    """Only some tables, one company (unreviewed, one figure): a young warehouse."""
    path = duckdb_files.make(tmp_path / "ipo.duckdb", TABLES_SQL)
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(
        "insert into dim_companies values ('xinghe', '星河机器人', '星河機器人', null, 'HKEX', null, false)"
    )
    con.execute(
        "insert into dim_documents values ('d1', 'd1.txt', '星河機器人首日收升', '本報', '2025-11-15', null)"
    )
    con.execute(
        "insert into financials values ('xinghe', 'revenue', null, 'FY2024', '2024-12-31', 250000000, "
        "'去年收入2.5億元人民幣', 'd1')"
    )
    con.execute("checkpoint")
    con.close()
    return path


def test_an_empty_warehouse_draws_every_chart_empty(tmp_path, duckdb_files):
    empty = duckdb_files.make(tmp_path / "ipo.duckdb", "create table marker as select 1 as x")

    path, n = report.write_report(empty, tmp_path / "report.html")

    page = path.read_text(encoding="utf-8")
    assert n == 7 and page.count('class="plotly-graph-div"') == 7
    assert page.count("no data in the published warehouse yet") >= 6
    assert "no build recorded" in page and "No audit run recorded yet." in page


def test_a_company_with_one_figure_is_plotted_with_its_quote_and_names_in_both_scripts(
    single_figure_warehouse, tmp_path
):
    frames = report.read_warehouse(single_figure_warehouse)
    charts = {c.chart_id: c for c in report.charts(frames)}

    [trace] = charts["financials"].figure.data
    assert trace.name == "星河机器人 / 星河機器人" + report.UNREVIEWED
    assert list(trace.y) == [2.5]  # 亿元
    assert "去年收入2.5億元人民幣" in trace.customdata[0][0]
    assert "星河機器人首日收升" in trace.customdata[0][0] and "2025-11-15" in trace.customdata[0][0]
    page = report.render(frames, list(charts.values()))
    assert "<script src=" not in page and not re.search(r"<link[^>]+href=\"https?://", page)


def test_evidence_finds_the_figure_behind_an_offering_value():
    import polars as pl

    documents = pl.DataFrame({"document_id": ["d1"], "title": ["智谱上市"], "file_name": ["d1.txt"],
                              "published_at": [date(2026, 1, 8)]})  # fmt: skip
    figures = pl.DataFrame(
        {
            "company_id": ["z"],
            "metric": ["public_subscription_multiple"],
            "value": [1159.46],
            "quote": ["公开发售获1159.46倍认购"],
            "document_id": ["d1"],
        }
    )
    evidence = report.Evidence(documents, figures)

    shown = evidence.of_figure("z", "public_subscription_multiple", 1159.46)

    assert "公开发售获1159.46倍认购" in shown and "智谱上市" in shown and "2026-01-08" in shown
    assert evidence.of_figure("z", "public_subscription_multiple", 1.0).startswith("(no single quote")


def test_the_audit_section_shows_the_latest_run_only():
    import polars as pl

    audit = pl.DataFrame(
        {"build_id": ["b1", "b2", "b2"], "suite": ["kpis", "kpis", "kpis"], "expectation": ["e", "e", "f"],
         "column_name": [None, None, "value"], "severity": ["error"] * 3, "success": [False, True, False],
         "unexpected_count": [3, 0, 2], "why": ["w", "w", "values are in range"],
         "validated_at": [datetime(2026, 12, 1, tzinfo=UTC)] * 3}
    )  # fmt: skip
    section = report.audit_section(audit, "b2")
    assert "1 of 2 expectations passed" in section and "values are in range" in section


def test_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(report.ReportError, match=r"no published warehouse at .*nope\.duckdb: run make build"):
        report.write_report(tmp_path / "nope.duckdb", tmp_path / "report.html")
    assert report.main(["--warehouse", str(tmp_path / "nope.duckdb")]) == 1
