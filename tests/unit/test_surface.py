"""`pipeline.surface`: a published file holds the marts and operational tables only, NULL where a value
is absent, every table and column explained, and every build's expectation results kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline import surface
from pipeline.validate import ExpectationOutcome, ExpectationSpec, SuiteOutcome, SuiteSpec

CANDIDATE_SQL = """
create table ingest_figures as select 'f1' as figure_id;
create table ref_companies as select 'c' as company_id;
create table int_figures_stated as select 'f1' as figure_id;
create view stg_ingest__figures as select * from ingest_figures;
create table fct_figures as
    select * from (values ('f1', '', 'CNY', 1.5), ('f2', 'segment:cloud', '', null))
        as t(figure_id, dimension, currency, value);
comment on table fct_figures is 'One row per extracted figure.';
create table build_log as select 'b1' as build_id, '' as git_commit, 3 as figures_total;
"""


def suite_outcome() -> SuiteOutcome:
    not_null = ExpectationSpec(
        "expect_column_values_to_not_be_null", {"column": "figure_id"}, "keys are never null"
    )
    rows = ExpectationSpec("expect_table_row_count_to_be_between", {"min_value": 1}, "", severity="warning")
    spec = SuiteSpec("fct_figures", "fct_figures", Path("expectations/fct_figures.yml"), (), (not_null, rows))
    failed = ExpectationOutcome(
        rows, False, examples=[{"figure_id": "f2", "value": None}], unexpected_count=1
    )
    return SuiteOutcome(spec, [ExpectationOutcome(not_null, True, unexpected_count=0), failed], row_count=2)


def test_audit_rows_record_every_expectation_with_its_result():
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    broken = SuiteOutcome(SuiteSpec("kpis", "kpis", Path("k.yml"), (), ()), [], error="no table kpis")

    rows = surface.audit_rows([suite_outcome(), broken], "b2", at)

    assert rows.schema == pl.Schema(surface.AUDIT_COLUMNS)
    assert rows.select(
        "suite", "expectation", "column_name", "severity", "success", "unexpected_count"
    ).rows() == [
        ("fct_figures", "expect_column_values_to_not_be_null", "figure_id", "error", True, 0),
        ("fct_figures", "expect_table_row_count_to_be_between", None, "warning", False, 1),
        ("kpis", "suite_runs", None, None, False, None),
    ]
    assert rows["examples"].to_list() == [None, '[{"figure_id": "f2", "value": null}]', "no table kpis"]
    assert rows["kwargs"][0] == '{"column": "figure_id"}'
    assert set(rows["build_id"]) == {"b2"} and rows["row_count"].to_list() == [2, 2, None]


def test_finish_candidate_keeps_marts_and_operational_tables_only_with_nulls_and_comments(
    tmp_path, duckdb_files
):
    candidate = duckdb_files.make(tmp_path / "candidate.duckdb", CANDIDATE_SQL)
    earlier = surface.audit_rows([suite_outcome()], "b1", datetime(2026, 11, 30, tzinfo=UTC))
    now = surface.audit_rows([suite_outcome()], "b2", datetime(2026, 12, 1, tzinfo=UTC))

    surface.finish_candidate(candidate, pl.concat([earlier, now]))

    con = duckdb.connect(str(candidate), read_only=True)
    try:
        relations = con.execute(
            "select table_name, table_type from information_schema.tables order by 1"
        ).fetchall()
        assert relations == [
            ("audit_results", "BASE TABLE"),
            ("build_log", "BASE TABLE"),
            ("fct_figures", "BASE TABLE"),
        ]
        assert con.execute("select * from fct_figures order by figure_id").fetchall() == [
            ("f1", None, "CNY", 1.5),
            ("f2", "segment:cloud", None, None),
        ]
        assert con.execute("select git_commit from build_log").fetchall() == [(None,)]
        assert con.execute(
            "select build_id, count(*) from audit_results group by 1 order by 1"
        ).fetchall() == [
            ("b1", 2),
            ("b2", 2),
        ]
        comments = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        assert comments["fct_figures"] == "One row per extracted figure."  # dbt's, untouched
        assert comments["audit_results"].startswith("Every expectation result of every published build")
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where table_name in ('audit_results', 'build_log') and (comment is null or comment = '')"
        ).fetchall()
        assert columns == []
    finally:
        con.close()


def test_read_audit_of_a_warehouse_without_the_table_is_empty(tmp_path, duckdb_files):
    old = duckdb_files.make(tmp_path / "old.duckdb", "create table fct_figures as select 1 as x")
    assert surface.read_audit(old).height == 0
    assert surface.read_audit(tmp_path / "missing.duckdb").schema == pl.Schema(surface.AUDIT_COLUMNS)


def test_published_rows_are_kept_per_build_and_pruned_when_no_warehouse_is_from_them(tmp_path):
    loaded = tmp_path / "loaded"
    loaded.mkdir()
    (loaded / "ingest_documents.parquet").write_bytes(b"rows")
    build_dir = tmp_path / ".build" / "ipo"

    first = surface.keep_published_rows(loaded, build_dir, "b1")
    second = surface.keep_published_rows(loaded, build_dir, "b2")
    removed = surface.prune_published_rows(build_dir, {"b2"})

    assert first == build_dir / "published" / "b1" and removed == [first]
    assert (second / "ingest_documents.parquet").read_bytes() == b"rows"
    assert sorted(p.name for p in (build_dir / "published").iterdir()) == ["b2"]
