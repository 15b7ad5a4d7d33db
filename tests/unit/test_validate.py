"""Expectation suites: loading, running against DuckDB files, and reporting failing rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipeline import validate

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"

FIGURES_DDL = """
create table fct_figures (
    figure_id varchar, document_id varchar, company_id varchar, table_name varchar, metric varchar,
    dimension varchar, period_type varchar, period_start date, period_end date, period_label varchar,
    value double, unit varchar, currency varchar, value_cny double, qualifier varchar,
    char_start bigint, char_end bigint, quote varchar, is_override boolean
)
"""
REVENUE = {
    "figure_id": "f1",
    "document_id": "d1",
    "company_id": "acme",
    "table_name": "financials",
    "metric": "revenue",
    "dimension": "",
    "period_type": "FY",
    "period_start": dt.date(2024, 1, 1),
    "period_end": dt.date(2024, 12, 31),
    "period_label": "FY2024",
    "value": 939000000.0,
    "unit": "CNY",
    "currency": "CNY",
    "value_cny": 939000000.0,
    "qualifier": "exact",
    "char_start": 10,
    "char_end": 18,
    "quote": "收入9.39亿元",
    "is_override": False,
}
AS_OF = {"period_type": "AS_OF", "period_start": dt.date(2025, 6, 30), "period_end": dt.date(2025, 6, 30)}
NOT_MONEY = {"currency": "", "value_cny": None}
MARGIN = {
    "figure_id": "f2",
    "metric": "gross_margin_pct",
    "unit": "pct",
    "value": 52.2,
    "qualifier": "approx",
}
HEADCOUNT = {"figure_id": "f3", "table_name": "kpis", "metric": "headcount", "unit": "count", "value": 800.0}
SUBSCRIBED = {"figure_id": "f4", "table_name": "offerings", "metric": "public_subscription_multiple"}
GOOD_ROWS = [
    REVENUE,
    REVENUE | NOT_MONEY | MARGIN | {"quote": "毛利率约52.2%"},
    REVENUE | NOT_MONEY | AS_OF | HEADCOUNT | {"period_label": "2025-06-30", "quote": "员工逾八百人"},
    REVENUE | NOT_MONEY | AS_OF | SUBSCRIBED | {"unit": "x", "value": 1159.46, "quote": "超额认购1159.46倍"},
]


def figures_db(tmp_path: Path, extra_rows: tuple[dict, ...] = ()) -> Path:
    """A candidate warehouse holding only fct_figures: the good rows plus `extra_rows`."""
    path = tmp_path / "candidate.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute(FIGURES_DDL)
        placeholders = ", ".join("?" * len(REVENUE))
        rows = [[row[c] for c in REVENUE] for row in (*GOOD_ROWS, *extra_rows)]
        con.executemany(f"insert into fct_figures values ({placeholders})", rows)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def run_fct_figures(db: Path) -> validate.SuiteOutcome:
    suite = validate.load_suite(SUITES_DIR / "fct_figures.yml")
    [outcome] = validate.validate_warehouse(db, [suite])
    return outcome


def failing(outcome: validate.SuiteOutcome) -> list[validate.ExpectationOutcome]:
    return [o for o in outcome.outcomes if not o.success]


def write_suite(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_suites_cover_the_marts_and_justify_every_check():
    suites = {s.name: s for s in validate.load_suites(SUITES_DIR)}

    assert {
        "dim_documents",
        "dim_companies",
        "fct_figures",
        "financials",
        "kpis",
        "offerings",
        "offering_events",
        "shareholders",
        "reconciliation",
        "unclassified_mentions",
    } <= set(suites)
    assert all(e.why for s in suites.values() for e in s.expectations)
    for mart in ("fct_figures", "dim_documents", "dim_companies"):
        row_counts = [
            e for e in suites[mart].expectations if e.type == "expect_table_row_count_to_be_between"
        ]
        assert [e.kwargs["min_value"] for e in row_counts] == [1], mart
    pair = [e for e in suites["fct_figures"].expectations if e.type.startswith("expect_column_pair")]
    assert ("period_end", "period_start") in [(e.kwargs["column_A"], e.kwargs["column_B"]) for e in pair]


def test_good_figures_pass_every_fct_figures_expectation(tmp_path):
    outcome = run_fct_figures(figures_db(tmp_path))

    assert [(o.spec.describe(), o.message) for o in failing(outcome)] == []
    assert outcome.ok and outcome.passed == outcome.total == 36
    assert outcome.row_count == 4


def test_absurd_money_value_is_reported_with_the_offending_row(tmp_path):
    absurd = REVENUE | {"figure_id": "f9", "document_id": "d2", "period_label": "FY2023", "value": 1e20}
    absurd |= {"value_cny": 1e20, "quote": "收入7.27亿元", "is_override": True}
    outcome = run_fct_figures(figures_db(tmp_path, (absurd,)))

    assert not outcome.ok
    money = [o for o in failing(outcome) if o.spec.kwargs.get("column") == "value"]
    assert len(money) == 1
    assert money[0].unexpected_count == 1
    assert money[0].examples == [
        {
            "value": 1e20,
            "figure_id": "f9",
            "document_id": "d2",
            "metric": "revenue",
            "period_label": "FY2023",
            "quote": "收入7.27亿元",
        }
    ]
    report = "\n".join(validate.report_lines([outcome]))
    assert "validate: fct_figures 34/36 passed (5 rows) -- FAILED" in report
    assert "figure_id='f9'" in report and "quote='收入7.27亿元'" in report
    assert "money |value| <= 1e13" in report


@pytest.mark.parametrize(
    ("row", "failing_check"),
    [
        (
            REVENUE
            | NOT_MONEY
            | {"figure_id": "f9", "metric": "revenue_share_pct", "unit": "pct", "value": 150.0},
            ("expect_column_values_to_be_between", "value"),
        ),
        (
            REVENUE
            | {"figure_id": "f9", "period_start": dt.date(2024, 12, 31), "period_end": dt.date(2024, 1, 1)},
            ("expect_column_pair_values_a_to_be_greater_than_b", "period_end"),
        ),
        (
            REVENUE | {"figure_id": "f9", "quote": "收入大幅增长"},
            ("expect_column_values_to_match_regex", "quote"),
        ),
        (REVENUE | {"figure_id": "f9", "currency": "EUR"}, ("expect_column_values_to_be_in_set", "currency")),
        (REVENUE | {"value": 1.0}, ("expect_column_values_to_be_unique", "figure_id")),
        (
            REVENUE
            | {"figure_id": "f9", "period_start": dt.date(1899, 1, 1), "period_end": dt.date(1899, 12, 31)},
            ("expect_column_values_to_be_between", "period_start"),
        ),
        (
            REVENUE | {"figure_id": "f9", "unit": "pct", "value": 5.0},
            ("expect_column_values_to_be_in_set", "currency"),
        ),
        (REVENUE | {"figure_id": "f9", "unit": "HKD"}, ("expect_column_pair_values_to_be_equal", "unit")),
    ],
    ids=[
        "share_over_100",
        "period_reversed",
        "no_number_in_quote",
        "euro",
        "duplicate_key",
        "1899",
        "pct_in_cny",
        "hkd_unit_cny_currency",
    ],
)
def test_each_kind_of_bad_figure_fails_its_check(tmp_path, row, failing_check):
    outcome = run_fct_figures(figures_db(tmp_path, (row,)))

    failed = [(o.spec.type, o.spec.columns()[0]) for o in failing(outcome)]
    assert failing_check in failed
    assert not outcome.ok
    assert all(o.examples for o in failing(outcome))


def test_a_suite_naming_a_missing_column_fails_clearly_and_the_rest_still_runs(tmp_path):
    db = figures_db(tmp_path)
    suite = validate.load_suite(
        write_suite(
            tmp_path / "fct_figures.yml",
            "table: fct_figures\n"
            "expectations:\n"
            "  - {type: expect_column_values_to_not_be_null, kwargs: {column: revenue_cny}, why: typo}\n"
            "  - {type: expect_column_values_to_be_unique, kwargs: {column: figure_id}, why: key}\n",
        )
    )

    [outcome] = validate.validate_warehouse(db, [suite])

    assert [o.success for o in outcome.outcomes] == [False, True]
    assert outcome.outcomes[0].message.startswith(
        "column(s) ['revenue_cny'] not in fct_figures (it has char_end, char_start, company_id"
    )
    assert not outcome.ok


def test_a_missing_mart_fails_its_suite(tmp_path):
    db = figures_db(tmp_path)
    suite = validate.load_suite(
        write_suite(
            tmp_path / "holders.yml",
            "table: shareholders\n"
            "expectations:\n"
            "  - {type: expect_column_values_to_not_be_null, kwargs: {column: holder_name}, why: named}\n"
            "  - {type: expect_column_values_to_be_unique, kwargs: {column: holder_id}, why: key}\n",
        )
    )

    [outcome] = validate.validate_warehouse(db, [suite])

    assert not outcome.ok
    assert outcome.error == f"table shareholders does not exist in {db} (suite {tmp_path / 'holders.yml'})"
    assert validate.report_lines([outcome]) == [f"validate: holders 0/2 passed -- FAILED: {outcome.error}"]


def test_warn_severity_blocks_only_in_strict_mode(tmp_path, monkeypatch):
    db = figures_db(tmp_path)
    suite = validate.load_suite(
        write_suite(
            tmp_path / "s.yml",
            "table: fct_figures\n"
            "expectations:\n"
            "  - type: expect_column_values_to_be_in_set\n"
            "    kwargs: {column: qualifier, value_set: [exact]}\n"
            "    why: prefer exact figures\n"
            "    severity: warn\n",
        )
    )
    monkeypatch.delenv("STRICT", raising=False)
    [outcome] = validate.validate_warehouse(db, [suite])
    assert (outcome.passed, outcome.ok) == (0, True)
    assert "  WARN fct_figures" in "\n".join(validate.report_lines([outcome]))

    monkeypatch.setenv("STRICT", "1")
    assert not outcome.ok


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("expectations: []\n", "needs a top-level 'table"),
        ("table: t\nexpectations: []\n", "'expectations' must be a non-empty list"),
        (
            "table: t\nexpectations:\n  - {type: expect_column_values_to_be_unique, kwargs: {column: a}}\n",
            "no 'why'",
        ),
        (
            "table: t\nexpectations:\n  - {type: expect_values_to_sparkle, why: x}\n",
            "unknown expectation type",
        ),
        (
            "table: t\nexpectations:\n  - {type: expect_table_row_count_to_be_between, why: x, hue: red}\n",
            "unknown keys",
        ),
        ("table: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_suite_files_name_the_file_and_the_problem(tmp_path, body, problem):
    path = write_suite(tmp_path / "broken_suite.yml", body)
    with pytest.raises(validate.SuiteError, match="broken_suite.yml") as error:
        validate.load_suite(path)
    assert problem in str(error.value)


def test_published_tables_without_a_suite_are_listed(tmp_path):
    db = figures_db(tmp_path)
    con = duckdb.connect(str(db))
    try:
        con.execute("create table ingest_figures as select 1 as x")  # a seed: dbt tests cover it
        con.execute("create view stg_ingest__figures as select 1 as x")
        con.execute("create table new_mart as select 1 as x")
    finally:
        con.close()
    suites = [validate.load_suite(SUITES_DIR / "fct_figures.yml")]

    assert validate.unaudited_tables(db, suites) == ["new_mart"]


def test_warm_up_imports_great_expectations_in_the_background():
    """The build starts it before dbt runs: the audit then finds GX imported (~2 s saved per build)."""
    import subprocess
    import sys

    code = (
        "import sys; from pipeline import validate\n"
        "assert 'great_expectations' not in sys.modules\n"
        "thread = validate.warm_up()\n"
        "assert thread.daemon and thread.name == 'gx-warm-up'  # never holds the build's exit\n"
        "thread.join(120); assert 'great_expectations.expectations.registry' in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
