"""Every expectation suite fails on a deliberately corrupted copy of its table, naming the expectation.

The published warehouse of the session build is copied; each case corrupts one table of its own copy
(a null or duplicated key, an absurd value - revenue 1e20, a 900% margin, a date in 1850, a negative
subscription multiple -, a currency outside the contract, a quote without a digit, an emptied table)
and runs that table's suite through `pipeline.validate`. A suite with no case here fails
`test_every_suite_has_a_corruption_case`: a new suite needs a case that proves it can fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import validate

from .project_copy import PROJECT_ROOT

pytestmark = pytest.mark.e2e

EXPECTATIONS = PROJECT_ROOT / "expectations"
SUITE_NAMES = sorted(p.stem for p in EXPECTATIONS.glob("*.yml"))


def one(table: str, key: str, where: str = "true") -> str:
    """SQL picking one row of `table` (the smallest key matching `where`)."""
    return f"{key} = (select min({key}) from {table} where {where})"


def duplicate(table: str) -> str:
    return f"insert into {table} select * from {table} limit 1"


# suite -> [(case, corrupting SQL, (expectation type, column it names or None))]
CORRUPTIONS: dict[str, list[tuple[str, str, tuple[str, str | None]]]] = {
    "dim_companies": [
        ("empty", "delete from dim_companies", ("expect_table_row_count_to_be_between", None)),
        ("duplicate_key", duplicate("dim_companies"), ("expect_column_values_to_be_unique", "company_id")),
        (
            "null_key",
            f"update dim_companies set company_id = null where {one('dim_companies', 'company_id')}",
            ("expect_column_values_to_not_be_null", "company_id"),
        ),
    ],
    "dim_documents": [
        ("empty", "delete from dim_documents", ("expect_table_row_count_to_be_between", None)),
        ("duplicate_key", duplicate("dim_documents"), ("expect_column_values_to_be_unique", "document_id")),
        (
            "date_1850",
            "update dim_documents set published_at = date '1850-01-01' "
            f"where {one('dim_documents', 'document_id')}",
            ("expect_column_values_to_be_between", "published_at"),
        ),
    ],
    "fct_figures": [
        ("empty", "delete from fct_figures", ("expect_table_row_count_to_be_between", None)),
        (
            "revenue_1e20",
            "update fct_figures set value = 1e20 where "
            + one("fct_figures", "figure_id", "metric = 'revenue' and currency is not null"),
            ("expect_column_values_to_be_between", "value"),
        ),
        (
            "margin_900",
            "update fct_figures set value = 900 where "
            + one("fct_figures", "figure_id", "metric = 'gross_margin_pct'"),
            ("expect_column_values_to_be_between", "value"),
        ),
        (
            "negative_multiple",
            "update fct_figures set value = -5 where " + one("fct_figures", "figure_id", "unit = 'x'"),
            ("expect_column_values_to_be_between", "value"),
        ),
        (
            "date_1850",
            "update fct_figures set period_start = date '1850-01-01' "
            f"where {one('fct_figures', 'figure_id', 'period_start is not null')}",
            ("expect_column_values_to_be_between", "period_start"),
        ),
        (
            "bad_currency",
            "update fct_figures set currency = 'EUR' where "
            + one("fct_figures", "figure_id", "currency = 'CNY'"),
            ("expect_column_values_to_be_in_set", "currency"),
        ),
        (
            "quote_without_digits",
            f"update fct_figures set quote = '公司表示前景良好' where {one('fct_figures', 'figure_id')}",
            ("expect_column_values_to_match_regex", "quote"),
        ),
        (
            "null_key",
            f"update fct_figures set figure_id = null where {one('fct_figures', 'figure_id')}",
            ("expect_column_values_to_not_be_null", "figure_id"),
        ),
        ("duplicate_key", duplicate("fct_figures"), ("expect_column_values_to_be_unique", "figure_id")),
    ],
    "financials": [
        (
            "revenue_1e20",
            "update financials set value = 1e20 where metric = 'revenue' and currency is not null",
            ("expect_column_values_to_be_between", "value"),
        ),
        (
            "margin_900",
            "update financials set value = 900 where metric = 'gross_margin_pct'",
            ("expect_column_values_to_be_between", "value"),
        ),
        ("duplicate_key", duplicate("financials"), ("expect_compound_columns_to_be_unique", "company_id")),
        (
            "bad_currency",
            "update financials set currency = 'EUR' where currency = 'CNY'",
            ("expect_column_values_to_be_in_set", "currency"),
        ),
    ],
    "financials_wide": [
        (
            "revenue_1e20",
            "update financials_wide set revenue = 1e20 where revenue is not null",
            ("expect_column_values_to_be_between", "revenue"),
        ),
        (
            "margin_900",
            "update financials_wide set gross_margin_pct = 900",
            ("expect_column_values_to_be_between", "gross_margin_pct"),
        ),
        (
            "duplicate_key",
            duplicate("financials_wide"),
            ("expect_compound_columns_to_be_unique", "company_id"),
        ),
    ],
    "fx_rates": [
        ("absurd_rate", "update fx_rates set rate = 1e6", ("expect_column_values_to_be_between", "rate")),
        (
            "bad_currency",
            "update fx_rates set base_currency = 'EUR'",
            ("expect_column_values_to_be_in_set", "base_currency"),
        ),
        (
            "date_1850",
            "update fx_rates set rate_date = date '1850-01-01'",
            ("expect_column_values_to_be_between", "rate_date"),
        ),
    ],
    "kpis": [
        ("duplicate_key", duplicate("kpis"), ("expect_compound_columns_to_be_unique", "company_id")),
        (
            "null_value",
            f"update kpis set value = null where {one('kpis', 'value')}",
            ("expect_column_values_to_not_be_null", "value"),
        ),
    ],
    "offering_events": [
        (
            "date_1850",
            "update offering_events set event_date = date '1850-01-01'",
            ("expect_column_values_to_be_between", "event_date"),
        ),
        ("duplicate_key", duplicate("offering_events"), ("expect_column_values_to_be_unique", "event_id")),
        (
            "null_key",
            f"update offering_events set offering_id = null where {one('offering_events', 'event_id')}",
            ("expect_column_values_to_not_be_null", "offering_id"),
        ),
    ],
    "offering_use_of_proceeds": [
        (
            "share_900",
            "update offering_use_of_proceeds set use_of_proceeds_pct = 900",
            ("expect_column_values_to_be_between", "use_of_proceeds_pct"),
        ),
        (
            "null_key",
            "update offering_use_of_proceeds set offering_id = null",
            ("expect_column_values_to_not_be_null", "offering_id"),
        ),
    ],
    "offerings": [
        (
            "negative_multiple",
            "update offerings set public_subscription_multiple = -3",
            ("expect_column_values_to_be_between", "public_subscription_multiple"),
        ),
        (
            "date_1850",
            "update offerings set listing_date = date '1850-01-01'",
            ("expect_column_values_to_be_between", "listing_date"),
        ),
        ("duplicate_key", duplicate("offerings"), ("expect_column_values_to_be_unique", "offering_id")),
        (
            "bad_currency",
            "update offerings set offer_price_currency = 'EUR'",
            ("expect_column_values_to_be_in_set", "offer_price_currency"),
        ),
    ],
    "reconciliation": [
        ("duplicate_key", duplicate("reconciliation"), ("expect_column_values_to_be_unique", "check_id")),
        (
            "negative_tolerance",
            "update reconciliation set tolerance = -1",
            ("expect_column_values_to_be_between", "tolerance"),
        ),
    ],
    "rejected_documents": [
        (
            "null_file",
            "insert into rejected_documents (file_name, reason, detail) values (null, 'empty', 'no file')",
            ("expect_column_values_to_not_be_null", "file_name"),
        ),
        (
            "unknown_reason",
            "insert into rejected_documents (file_name, reason, detail) values ('a.txt', 'because', 'x')",
            ("expect_column_values_to_be_in_set", "reason"),
        ),
    ],
    "shareholders": [
        (
            "stake_900",
            f"update shareholders set stake_pct = 900 where {one('shareholders', 'holder_id')}",
            ("expect_column_values_to_be_between", "stake_pct"),
        ),
        ("duplicate_key", duplicate("shareholders"), ("expect_column_values_to_be_unique", "holder_id")),
        (
            "bad_currency",
            f"update shareholders set currency = 'EUR' where {one('shareholders', 'holder_id')}",
            ("expect_column_values_to_be_in_set", "currency"),
        ),
    ],
    "unclassified_mentions": [
        (
            "quote_without_digits",
            "update unclassified_mentions set quote = '没有数字' where "
            + one("unclassified_mentions", "mention_id"),
            ("expect_column_values_to_match_regex", "quote"),
        ),
        (
            "duplicate_key",
            duplicate("unclassified_mentions"),
            ("expect_column_values_to_be_unique", "mention_id"),
        ),
    ],
}
CASES = [(suite, *case) for suite, cases in CORRUPTIONS.items() for case in cases]


@pytest.fixture(scope="module")
def pristine(built_project, tmp_path_factory) -> Path:
    """A private copy of the published warehouse that passes every suite."""
    project, _ = built_project
    copy = tmp_path_factory.mktemp("corruption") / "pristine.duckdb"
    shutil.copy(project.warehouse, copy)
    results = validate.validate_warehouse(copy, validate.load_suites(EXPECTATIONS))
    assert validate.all_passed(results), "\n".join(validate.report_lines(results))
    return copy


@pytest.mark.parametrize("suite_name", SUITE_NAMES)
def test_every_suite_has_a_corruption_case(suite_name):
    assert CORRUPTIONS.get(suite_name), f"expectations/{suite_name}.yml has no corruption case in {__file__}"


def names_column(spec: validate.ExpectationSpec, column: str | None) -> bool:
    if column is None:
        return True
    return column in (spec.kwargs.get("column"), *spec.kwargs.get("column_list", ()))


@pytest.mark.parametrize(
    ("suite_name", "case", "sql", "caught_by"), CASES, ids=[f"{s}-{c}" for s, c, *_ in CASES]
)
def test_suite_fails_on_its_corrupted_table(pristine, tmp_path, suite_name, case, sql, caught_by):
    suite = validate.load_suite(EXPECTATIONS / f"{suite_name}.yml")
    corrupted = tmp_path / f"{suite_name}-{case}.duckdb"
    shutil.copy(pristine, corrupted)
    con = duckdb.connect(str(corrupted))
    try:
        [(changed,)] = con.execute(sql).fetchall()
        con.execute("checkpoint")
    finally:
        con.close()
    assert changed > 0, f"the corruption {sql!r} touched no row"

    [outcome] = validate.validate_warehouse(corrupted, [suite])

    assert not outcome.ok and not validate.all_passed([outcome])
    kind, column = caught_by
    failing = [o.spec for o in outcome.outcomes if not o.success and o.blocking]
    assert any(spec.type == kind and names_column(spec, column) for spec in failing), [
        s.describe() for s in failing
    ]
    report = "\n".join(validate.report_lines([outcome]))
    named = f"ERROR {suite.table}: {kind}(" + (
        f"column='{column}'" if column and "compound" not in kind else ""
    )
    assert named in report and f"validate: {suite_name} " in report and "-- FAILED" in report, report
