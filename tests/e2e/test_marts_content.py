"""What an analyst reads in the published marts after a build of the two source articles.

A concrete sample per mart, for both companies: values in whole units, periods, qualifiers and the
quote each figure came from. The full per-figure accuracy check against the gold files lives in
tests/test_accuracy.py; this asserts that those figures survive dbt and reach the marts intact.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e


def rows(path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(built_project):
    project, _ = built_project
    return project.warehouse


FINANCIALS = [
    # company, metric, period_label, value, currency, qualifier, words that must be in the quote
    ("zhipu", "revenue", "FY2022", 57_000_000, "CNY", "exact", "0.57億元"),
    ("zhipu", "revenue", "H1-2025", 191_000_000, "CNY", "exact", "1.91億元"),
    ("zhipu", "net_profit", "FY2024", -2_958_000_000, "CNY", "exact", "-29.58億元"),
    ("zhipu", "net_profit", "CUM-FY2022-H1-2025", -6_247_000_000, "CNY", "exact", "62.47億元"),
    ("zhipu", "adjusted_net_profit", "CUM-FY2022-H1-2025", -4_900_000_000, "CNY", "lower_bound", "49億元"),
    ("zhipu", "rd_expense", "FY2023", 529_000_000, "CNY", "exact", "5.29億元"),
    ("zhipu", "gross_margin_pct", "H1-2025", 50.0, "", "exact", "50.0%"),
    ("zhipu", "revenue_growth_yoy_pct", "Q3-2025", 60.0, "", "lower_bound", "60%以上"),
    ("unisound", "revenue", "FY2023", 727_000_000, "CNY", "exact", "7.27亿元"),
    ("unisound", "revenue_cagr_pct", "CUM-FY2022-FY2024", 23.0, "", "exact", "23%"),
    ("unisound", "net_profit", "CUM-FY2022-FY2024", -1_200_000_000, "CNY", "lower_bound", "超12亿元"),
    ("unisound", "rd_expense", "FY2024", 370_000_000, "CNY", "exact", "3.7亿元"),
]


@pytest.mark.parametrize(
    ("company", "metric", "period", "value", "currency", "qualifier", "words"), FINANCIALS
)
def test_financials_hold_the_stated_figures_with_their_quotes(
    warehouse, company, metric, period, value, currency, qualifier, words
):
    found = rows(
        warehouse,
        "select value, coalesce(currency, ''), qualifier, quote from financials "
        "where company_id = ? and metric = ? and period_label = ? and dimension is null",
        [company, metric, period],
    )
    assert len(found) == 1, found
    got_value, got_currency, got_qualifier, quote = found[0]
    assert got_value == pytest.approx(value)
    assert (got_currency, got_qualifier) == (currency, qualifier)
    assert words in quote


def test_shares_and_kpis_carry_their_dimension(warehouse):
    assert rows(
        warehouse,
        "select company_id, dimension, period_label, value, qualifier from financials "
        "where metric = 'revenue_share_pct' order by company_id",
    ) == [
        ("unisound", "segment:智慧生活", "FY2024", 78.8, "approx"),
        ("zhipu", "deployment:本地化部署", "CUM-FY2022-H1-2025", 84.0, "lower_bound"),
    ]
    assert rows(
        warehouse,
        "select period_label, value from kpis where company_id = 'unisound' "
        "and metric = 'customer_retention_pct' and dimension = 'segment:智慧医疗' order by period_label",
    ) == [("FY2022", 70.4), ("FY2024", 53.3)]
    assert rows(
        warehouse,
        "select metric, period_label, value, qualifier from kpis where company_id = 'zhipu' "
        "and metric in ('rd_headcount', 'patents', 'invention_patents', 'daily_tokens') "
        "and period_label <> '2026-01-08' order by metric",
    ) == [
        ("daily_tokens", "M-2025-11", 4.2e12, "exact"),
        ("invention_patents", "2025-06-30", 84.0, "exact"),
        ("patents", "2025-06-30", 86.0, "exact"),
        ("rd_headcount", "2025-06-30", 657.0, "exact"),
    ]
    assert rows(
        warehouse,
        "select period_label, value from kpis where company_id = 'zhipu' "
        "and metric = 'top5_customer_revenue_share_pct' order by period_start",
    ) == [("FY2022", 55.4), ("FY2023", 61.5), ("FY2024", 45.5), ("H1-2025", 40.0)]


def test_offerings_one_row_per_attempt_with_terms(warehouse):
    assert rows(
        warehouse,
        "select offering_id, status, listing_date::varchar, offer_price, offer_price_currency, "
        "gross_proceeds, gross_proceeds_qualifier, planned_proceeds, planned_proceeds_currency "
        "from offerings order by offering_id",
    ) == [
        ("unisound-hkex-1", "listed", "2025-06-30", None, None, 320_000_000.0, "exact", None, None),
        ("unisound-star-1", "withdrawn", None, None, None, None, None, 912_000_000.0, "CNY"),
        ("zhipu-hkex-1", "listed", "2026-01-08", 116.2, "HKD", 4_300_000_000.0, "lower_bound", None, None),
    ]
    assert rows(
        warehouse,
        "select public_subscription_multiple, international_subscription_multiple, cornerstone_count, "
        "cornerstone_amount, cornerstone_amount_currency, opening_price, market_cap_at_open "
        "from offerings where offering_id = 'zhipu-hkex-1'",
    ) == [(1159.46, 15.28, 11.0, 2_980_000_000.0, "HKD", 120.0, 52_800_000_000.0)]
    assert rows(
        warehouse,
        "select first_day_change_pct, market_cap_first_day, market_cap_first_day_currency "
        "from offerings where offering_id = 'unisound-hkex-1'",
    ) == [(52.2, 22_137_000_000.0, "HKD")]


def test_use_of_proceeds_pairs_percent_and_amount(warehouse):
    found = rows(
        warehouse,
        "select purpose, use_of_proceeds_pct, use_of_proceeds_amount, amount_currency "
        "from offering_use_of_proceeds "
        "where company_id = 'zhipu' order by use_of_proceeds_pct desc",
    )
    assert [(round(p), a, c) for _, p, a, c in found] == [(70, 2.9e9, "HKD"), (10, 4.2e8, "HKD")]
    assert "大模型" in found[0][0]


def test_timeline_of_both_companies(warehouse):
    assert rows(
        warehouse,
        "select company_id, exchange, event_type, event_date::varchar, date_precision from offering_events "
        "order by company_id, event_order",
    ) == [
        ("unisound", "STAR", "filing", "2020-01-01", "year"),
        ("unisound", "STAR", "withdrawal", "2020-01-01", "year"),
        ("unisound", "HKEX", "filing", "2023-06-01", "month"),
        ("unisound", "HKEX", "approval", "2025-04-01", "month"),
        ("unisound", "HKEX", "hearing_passed", "2025-06-01", "month"),
        ("unisound", "HKEX", "listing", "2025-06-30", "day"),
        ("zhipu", "HKEX", "listing", "2026-01-08", "day"),
    ]


def test_shareholders_roles_parents_and_the_controlling_stake(warehouse):
    cornerstones = rows(
        warehouse,
        "select company_id, holder_name from shareholders where holder_type = 'cornerstone' order by 1, 2",
    )
    assert ("unisound", "商汤科技") in cornerstones
    assert ("zhipu", "JSC International Investment Fund SPC") in cornerstones
    assert ("zhipu", "Perseverance Asset Management") in cornerstones
    assert rows(
        warehouse,
        "select holder_name, parent_entity from shareholders where company_id = 'zhipu' "
        "and holder_type = 'strategic' order by holder_name",
    ) == [
        ("上海云玡", "蚂蚁集团"),
        ("上海飞玡", "蚂蚁集团"),
        ("北京顺赢", "雷军"),
        ("天津三快", "美团"),
        ("联想创投", "联想"),
        ("腾讯投资", "腾讯"),
    ]
    [(stake, quote)] = rows(
        warehouse,
        "select stake_pct, quote from shareholders where company_id = 'zhipu' "
        "and holder_type = 'controlling_group' and stake_pct is not null",
    )
    assert stake == 33.03 and "33.03%" in quote
    assert ("达晨财智",) in rows(
        warehouse, "select holder_name from shareholders where holder_type = 'early_investor'"
    )


def test_conversions_give_cny_values_and_implied_rates(warehouse):
    [(value_cny, rate, source)] = rows(
        warehouse,
        "select value_cny, fx_rate_used, fx_rate_source from fct_figures "
        "where company_id = 'zhipu' and metric = 'opening_price'",
    )
    assert rate == pytest.approx(0.9) and value_cny == pytest.approx(108.0)
    assert source.startswith("implied:003_b917a50fe0cf0989")
    implied = rows(warehouse, "select count(*) from fx_rates where source like 'implied:%'")[0][0]
    assert implied == 4


def test_every_figure_quotes_the_number_it_holds(warehouse):
    bad = rows(
        warehouse,
        "select figure_id, quote from fct_figures "
        "where not regexp_matches(quote, '[0-9一二三四五六七八九十百千万亿]')",
    )
    assert bad == []


def test_reconciliation_has_every_check_the_two_articles_allow_with_its_verdict(warehouse):
    """Zhipu states 3.5-year totals (exact and rounded in a heading), Unisound a CAGR; both give shares
    and Zhipu two use-of-proceeds amounts with their percentage. Zhipu's Q3 growth has no Q3-2024 base
    and the articles give no share count, so no YoY or market-cap check can be made."""
    found = rows(
        warehouse,
        "select company_id, check_type, metric, period_label, stated_value, qualifier, passed "
        "from reconciliation order by company_id, check_type, metric, stated_value",
    )
    assert found == [
        ("unisound", "cagr", "revenue_cagr_pct", "CUM-FY2022-FY2024", 23.0, "exact", True),
        ("unisound", "shares_at_most_100", "revenue_share_pct", "FY2024", 100.0, "upper_bound", True),
        ("zhipu", "cumulative_total", "net_profit", "CUM-FY2022-H1-2025", -6_247_000_000, "exact", True),
        (
            "zhipu",
            "cumulative_total",
            "net_profit",
            "CUM-FY2022-H1-2025",
            -6_200_000_000,
            "lower_bound",
            True,
        ),
        ("zhipu", "cumulative_total", "rd_expense", "CUM-FY2022-H1-2025", 4_403_000_000, "exact", True),
        ("zhipu", "cumulative_total", "revenue", "CUM-FY2022-H1-2025", 685_000_000, "exact", True),
        ("zhipu", "cumulative_total", "revenue", "CUM-FY2022-H1-2025", 700_000_000, "approx", True),
        (
            "zhipu",
            "shares_at_most_100",
            "revenue_share_pct",
            "CUM-FY2022-H1-2025",
            100.0,
            "upper_bound",
            True,
        ),
        ("zhipu", "shares_at_most_100", "use_of_proceeds_pct", "2026-01-08", 100.0, "upper_bound", True),
        (
            "zhipu",
            "use_of_proceeds_amount",
            "use_of_proceeds_amount",
            "2026-01-08",
            420_000_000,
            "approx",
            True,
        ),
        (
            "zhipu",
            "use_of_proceeds_amount",
            "use_of_proceeds_amount",
            "2026-01-08",
            2_900_000_000,
            "approx",
            True,
        ),
    ]
    # The exact total is off the sum of its four rounded parts by 0.01亿: inside the parts' rounding.
    [(computed, tolerance)] = rows(
        warehouse,
        "select computed_value, tolerance from reconciliation where company_id = 'zhipu' "
        "and metric = 'net_profit' and qualifier = 'exact'",
    )
    assert computed == -6_248_000_000 and abs(-6_247_000_000 - computed) <= tolerance
