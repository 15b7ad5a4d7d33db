"""Forms of real coverage the extractor reads: bullets and citation marks, spaced numbers, Chinese
decimals, two-digit years, quarters ended on a date, signs and directions beside series values,
conditional and forecast figures, another listing's figures, the company a paragraph is about.

The sentences are our own, written in the shapes real Hong Kong, mainland and Taiwan papers use.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_figures import extract, reasons, rows

G = "guangxin"


def test_bullet_lines_are_sentences_of_their_own():
    result = extract("光信智能招股书显示：\n• 2023年营收为3.2亿元；\n• 2024年营收为4.5亿元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2023", 3.2e8, "CNY", "exact"),
        (G, "revenue", "", "FY2024", 4.5e8, "CNY", "exact"),
    ]


def test_citation_marks_and_bracketed_headings_do_not_hide_figures():
    result = extract("【光信智能（02501.HK）】2024年收入3.2亿元[1]，毛利率45.1%[2]。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact"),
        (G, "gross_margin_pct", "", "FY2024", 45.1, "", "exact"),
    ]
    assert reasons(result) == {"02501": "no_metric"}  # the stock code is not a figure


def test_numbers_with_spaces_before_units_and_after_a_minus():
    result = extract("光信智能2024年收入为 3.2 亿元，净亏损 1.5 亿元。")
    assert [r[4] for r in rows(result)] == [3.2e8, -1.5e8]
    series = extract("光信智能2022年至2024年，净利润分别为 - 1.2亿元、- 0.5亿元、0.3亿元。")
    assert [(r[3], r[4]) for r in rows(series)] == [("FY2022", -1.2e8), ("FY2023", -5e7), ("FY2024", 3e7)]


def test_chinese_decimal_point_and_a_list_of_digits_that_is_not_an_amount():
    assert rows(extract("光信智能2024年营收约为三点五亿元。")) == [
        (G, "revenue", "", "FY2024", 3.5e8, "CNY", "approx")
    ]
    # '1,2,3,4亿元' names product tiers: read as 1,234亿 it would be an absurd revenue
    result = extract("光信智能的产品包括1,2,3,4亿元级别的方案。")
    assert rows(result) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "光信智能公开发售获超额认购约120倍以上。",
            ("public_subscription_multiple", 120.0, "", "lower_bound"),
        ),
        ("光信智能计划募资最高约5亿港元。", ("planned_proceeds", 5e8, "HKD", "upper_bound")),
    ],
)
def test_about_with_at_least_or_at_most_is_a_bound(text, expected):
    [row] = rows(extract(text))
    assert (row[1], row[4], row[5], row[6]) == expected


def test_two_digit_years_of_hong_kong_papers():
    result = extract("光信智能23年营收为3.2亿元，24年营收为4.1亿元。")
    assert [(r[3], r[4]) for r in rows(result)] == [("FY2023", 3.2e8), ("FY2024", 4.1e8)]


@pytest.mark.parametrize(
    ("text", "language", "period", "value"),
    [
        ("光信智能截至2025年3月31日止首3個月收入為1.2億元人民幣。", "zh-Hant", "Q1-2025", 1.2e8),
        ("光信智能截至2024年9月30日止首三季净亏损为1.1亿元。", "zh-Hans", "9M-2024", -1.1e8),
        ("光信智能截至2025年6月30日止六个月收入为2.1亿元。", "zh-Hans", "H1-2025", 2.1e8),
    ],
)
def test_periods_ended_on_a_date(text, language, period, value):
    [row] = rows(extract(text, language=language))
    assert (row[3], row[4]) == (period, value)


def test_from_one_year_to_the_next_gives_both_years():
    grew = extract("光信智能收入由2023年的3.2亿元增至2024年的4.8亿元。")
    assert [(r[1], r[3], r[4]) for r in rows(grew)] == [
        ("revenue", "FY2023", 3.2e8),
        ("revenue", "FY2024", 4.8e8),
    ]
    narrowed = extract("光信智能净亏损由2023年的2.1亿元收窄至2024年的1.2亿元。")
    assert [(r[3], r[4]) for r in rows(narrowed)] == [("FY2023", -2.1e8), ("FY2024", -1.2e8)]


def test_each_growth_rate_of_a_series_keeps_its_own_direction():
    result = extract("光信智能2023年、2024年收入分别为3亿元、2.7亿元，同比分别增长12%及下降10%。")
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2023", 3e8),
        ("revenue", "FY2024", 2.7e8),
        ("revenue_growth_yoy_pct", "FY2023", 12.0),
        ("revenue_growth_yoy_pct", "FY2024", -10.0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "光信智能2024年净利润为亏损1.2亿元。",
        "光信智能2024年年内利润录得亏损1.2亿元。",
        "光信智能2024年亏损净额为1.2亿元。",
    ],
)
def test_a_loss_written_between_the_keyword_and_the_number(text):
    assert [(r[1], r[4]) for r in rows(extract(text))] == [("net_profit", -1.2e8)]


def test_hong_kong_and_taiwan_profit_words():
    result = extract("光信智能2024年纯益为2.1亿元，税后净损为0.3亿元。", published=date(2025, 4, 1))
    assert [(r[1], r[4]) for r in rows(result)] == [("net_profit", 2.1e8), ("net_profit", -3e7)]


def test_a_margin_compared_with_the_year_before_gives_that_years_margin():
    result = extract("光信智能2024年毛利率为45.1%，较2023年的40.2%上升4.9个百分点。")
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("gross_margin_pct", "FY2024", 45.1),
        ("gross_margin_pct", "FY2023", 40.2),
    ]
    assert reasons(result) == {"4.9个百分点": "change_in_points"}


def test_clawback_thresholds_are_conditions_not_results():
    result = extract("光信智能（02501.HK）今日招股。若公开发售超额认购100倍或以上，公开发售部分将回拨至50%。")
    assert rows(result) == []
    assert reasons(result) == {"02501": "no_metric", "100倍": "conditional", "50%": "conditional"}


@pytest.mark.parametrize("text", ["光信智能预计2025年全年收入将达到12亿元。", "光信智能2026年收入为20亿元。"])
def test_guidance_and_periods_not_yet_ended_are_forecasts(text):
    result = extract(text, published=date(2025, 9, 1))
    assert rows(result) == []
    assert list(reasons(result).values()) == ["forecast"]


def test_the_price_of_another_listing_of_the_company_is_left_out():
    result = extract("光信智能于港交所上市，发售价为每股20港元。该公司美股ADS上周五收报35美元。")
    assert rows(result) == [(G, "offer_price", "", "2025-09-01", 20.0, "HKD", "exact")]
    assert reasons(result) == {"35美元": "other_listing"}


def test_bare_yuan_offering_terms_of_a_hong_kong_listing_are_hong_kong_dollars():
    result = extract("光信智能于香港联交所主板上市，发售价为18元。", language="zh-Hant")
    assert rows(result) == [(G, "offer_price", "", "2025-09-01", 18.0, "HKD", "exact")]


def test_use_of_proceeds_amount_and_share_in_the_proceeds_currency():
    result = extract(
        "光信智能（02501.HK）公布招股详情，集资净额约7.2亿港元，其中约4.32亿港元（约60%）将用于研发。"
    )
    assert rows(result) == [
        (G, "net_proceeds", "", "2025-09-01", 7.2e8, "HKD", "approx"),
        (G, "use_of_proceeds_amount", "purpose:研发", "2025-09-01", 4.32e8, "HKD", "approx"),
        (G, "use_of_proceeds_pct", "purpose:研发", "2025-09-01", 60.0, "", "approx"),
    ]


@pytest.mark.parametrize(
    "text", ["光信智能本次发行价区间为每股10港元至12港元。", "光信智能计划以每股10港元至12港元发售股份。"]
)
def test_a_per_share_range_of_the_offer_is_its_price_range(text):
    assert [(r[1], r[4]) for r in rows(extract(text))] == [
        ("offer_price_low", 10.0),
        ("offer_price_high", 12.0),
    ]


def test_proceeds_between_two_amounts_are_two_bounds():
    assert [(r[1], r[4], r[6]) for r in rows(extract("光信智能本次拟募资5亿至8亿港元。"))] == [
        ("planned_proceeds", 5e8, "lower_bound"),
        ("planned_proceeds", 8e8, "upper_bound"),
    ]


def test_another_companys_plan_named_during_an_offering_stays_a_plan():
    result = extract("光信智能每股发售价为10港元。另外，凌云数据计划于纳斯达克上市，拟募资1亿美元。")
    assert rows(result) == [
        (G, "offer_price", "", "2025-09-01", 10.0, "HKD", "exact"),
        ("lingyun", "planned_proceeds", "exchange:NASDAQ", "2025-09-01", 1e8, "USD", "exact"),
    ]


def test_a_sentence_naming_no_company_continues_the_company_that_opened_the_paragraph():
    # no subject given: the offering sentence names its company, the next one does not
    result = extract(
        "光信智能（02501.HK）今日起招股，至9月5日结束。每股发售价为18港元，集资净额约7.2亿港元。", subjects=()
    )
    assert [(r[0], r[1], r[4]) for r in rows(result)] == [
        (G, "offer_price", 18.0),
        (G, "net_proceeds", 7.2e8),
    ]


def test_each_company_of_a_two_company_article_keeps_its_offering():
    result = extract(
        "海韵科技及光信智能今日起招股。光信智能每股发售价为18港元。海韵科技每股发售价为9港元，集资净额约2亿港元。",
        subjects=(),
    )
    assert [(r[0], r[1], r[4]) for r in rows(result)] == [
        (G, "offer_price", 18.0),
        ("haiyun", "offer_price", 9.0),
        ("haiyun", "net_proceeds", 2e8),
    ]


def test_a_gross_loss_margin_is_a_negative_margin():
    assert rows(extract("光信智能2024年毛损率为5%。")) == [
        (G, "gross_margin_pct", "", "FY2024", -5.0, "", "exact")
    ]


def test_an_order_backlog_at_a_date():
    assert rows(extract("截至2024年底，光信智能在手订单为12.3亿元。")) == [
        (G, "order_backlog", "", "2024-12-31", 12.3e8, "CNY", "exact")
    ]


def test_key_value_cells_separated_by_lone_bars_give_each_value_its_key():
    # summary pages that flatten a key-value table one cell per line, with '|' lines between cells
    text = (
        "每手股數\n|\n500\n|\n招股價\n|\n港元 8.5000\n|\n|\n面值\n|\n美元 0.0001\n|\n"
        "上市時間\n|\n2024/07/12\n|\n"
        "- 倘以發售價中位數8.5元計, 售股所得款項淨額約為1.86億港元\n"
    )
    result = extract(text, language="zh-Hant", published=date(2024, 7, 5))
    assert rows(result) == [
        ("guangxin", "offer_price", "", "2024-07-12", 8.5, "HKD", "exact"),
        ("guangxin", "net_proceeds", "", "2024-07-12", 186e6, "HKD", "approx"),
    ]
    # the lot size and the par value keep their own keys: no figure of the contract
    assert reasons(result)["500"] == "no_metric"
    assert reasons(result)["美元 0.0001"] == "no_metric"


def test_allotment_results_of_a_small_cap_announcement():
    # the structure of HKEX allotment-results summaries: tranche sizes are not the shares offered,
    # 配售 is the international tranche, and 公司/本公司 before the net proceeds is the issuer
    text = (
        "光信智能公布,公开发售接获合共9,102份有效申请,认购合共210,000,000股发售股份,相当于公开发售项下"
        "初步可供认购公开发售股份总数10,000,000股的约21.00倍。"
        "故分配至公开发售的发售股份总数已增加至30,000,000股发售股份。"
        "配售项下初步提呈发售的配售股份获足额认购,约占配售项下初步可供认购配售股份总数90,000,000股的1.20倍。"
        "最终发售价厘定为每股发售股份1.5港元。经扣除公司就股份发售应付的包销费用及佣金后,"
        "公司将收取的股份发售所得款项净额估计约为1.25亿港元。"
    )
    result = extract(text, published=date(2020, 11, 10))
    assert rows(result) == [
        ("guangxin", "public_subscription_multiple", "", "2020-11-10", 21.0, "", "approx"),
        ("guangxin", "international_subscription_multiple", "", "2020-11-10", 1.2, "", "exact"),
        ("guangxin", "offer_price", "", "2020-11-10", 1.5, "HKD", "exact"),
        ("guangxin", "net_proceeds", "", "2020-11-10", 125e6, "HKD", "approx"),
    ]
    assert reasons(result)["10,000,000股"] == "no_metric"  # the public tranche, not the offering


def test_a_translated_press_release_of_quarterly_results():
    # translated US press releases: 'financial results' announce the period, 营运亏损 is operating
    text = (
        "光信智能报告2024年第三季度未经审计的财务结果\n\n"
        "光信智能(纳斯达克:GXAI)今天宣布截至2024年9月30日的三个月未经审计的财务结果。\n\n"
        "收入 为5120万美元,超出之前指导的5000万美元,同比增长36.4%。\n\n"
        "营运亏损额为 1830万美元, 同比缩减22.5%。\n"
    )
    result = extract(text, published=date(2024, 11, 20))
    assert rows(result) == [
        ("guangxin", "revenue", "", "Q3-2024", 51.2e6, "USD", "exact"),
        ("guangxin", "revenue_growth_yoy_pct", "", "Q3-2024", 36.4, "", "exact"),
        ("guangxin", "operating_profit", "", "Q3-2024", -18.3e6, "USD", "exact"),
    ]


def test_a_star_listing_day_report_keeps_opening_price_plan_and_excess_apart():
    text = (
        "光信智能今日在上交所科创板上市交易,其开盘价为每股66元,是发行价的近3倍。"
        "光信智能此次公开2000万股新股,其发行价格为22.5元/股,发行新股实际募集资金4.5亿元。"
        "该项目预计的募集资金金额为30000万元,超额募集资金1.5亿元。"
    )
    result = extract(text, published=date(2019, 8, 5))
    assert rows(result) == [
        ("guangxin", "opening_price", "", "2019-08-05", 66.0, "CNY", "exact"),
        ("guangxin", "shares_offered", "", "2019-08-05", 20e6, "", "exact"),
        ("guangxin", "offer_price", "", "2019-08-05", 22.5, "CNY", "exact"),
        ("guangxin", "gross_proceeds", "", "2019-08-05", 450e6, "CNY", "exact"),
    ]
