"""More forms of real coverage the figure extractor reads: Taiwan and Hong Kong words, quarters written
Q3 / 2025Q3, periods carried by 同期 / 期内 / a results lead, segment revenue named in the clause before,
results tables flattened one cell per line, from-to changes, comparison bases, declared currencies,
proceeds at most, numbers that are not figures, growth words and offer terms.

The sentences are our own, written in the shapes real Hong Kong, mainland and Taiwan papers use.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_figures import extract, reasons, rows

from ingest.text import fold

G = "guangxin"
TW = "zh-Hant"
AFTER_Q3 = date(2025, 11, 20)  # a publication date after the third quarter of 2025 ended


# ---------------------------------------------------------------------------------------------------
# Taiwan and Hong Kong words folded to mainland ones


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("營收成長", "营收增长"),
        ("獲利", "盈利"),
        ("淨損", "净亏"),
        ("營業利益", "经营利润"),
        ("營收衰退", "营收下降"),
        ("營收年增18%", "营收同增18%"),
        ("營收年減18%", "营收同减18%"),
        # a year followed by a growth word is a date and a word, not a year-on-year growth
        ("2024年增長", "2024年增长"),
        ("去年增加", "去年增加"),
    ],
)
def test_regional_words_are_folded_to_the_mainland_word_of_the_same_length(written, folded):
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("光信智能2024年營收成長25%。", [("revenue_growth_yoy_pct", 25.0, "")]),
        ("光信智能2024年獲利為2.6億元。", [("net_profit", 2.6e8, "CNY")]),
        ("光信智能2024年經調整後獲利為2.6億元。", [("adjusted_net_profit", 2.6e8, "CNY")]),
        ("光信智能2024年淨損達1.12億元。", [("net_profit", -1.12e8, "CNY")]),
        ("光信智能2024年營業利益為0.8億元。", [("operating_profit", 8e7, "CNY")]),
        ("光信智能2024年營收年衰退5%。", [("revenue_growth_yoy_pct", -5.0, "")]),
    ],
)
def test_taiwan_results_words(text, expected):
    result = rows(extract(text, language=TW))
    assert [(r[1], r[4], r[5]) for r in result] == expected
    assert {(r[0], r[3]) for r in result} == {(G, "FY2024")}


@pytest.mark.parametrize(("word", "growth"), [("年增", 18.0), ("年減", -18.0)])
def test_year_on_year_written_before_the_number(word, growth):
    result = extract(f"光信智能2024年營收為3.2億元，{word}18%。", language=TW)
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "", "FY2024", growth, "", "exact"),
    ]


def test_a_year_before_a_growth_word_stays_the_period_of_the_growth():
    result = extract("光信智能營收2024年增長20%。", language=TW)
    assert rows(result) == [(G, "revenue_growth_yoy_pct", "", "FY2024", 20.0, "", "exact")]


# ---------------------------------------------------------------------------------------------------
# Quarters written Q3, 2025Q3, 25Q2, '2019 年 Q4', and the quarters of a year as a list


@pytest.mark.parametrize(
    ("text", "published", "period"),
    [
        ("光信智能Q3营收为3.2亿元。", AFTER_Q3, "Q3-2025"),
        # early in the next year, a bare Q3 is the one that ended last year
        ("光信智能Q3营收为3.2亿元。", date(2026, 1, 10), "Q3-2025"),
        ("光信智能Q2营收为3.2亿元。", date(2025, 9, 1), "Q2-2025"),
        ("光信智能2025Q3营收为3.2亿元。", AFTER_Q3, "Q3-2025"),
        ("光信智能25Q2营收为3.2亿元。", AFTER_Q3, "Q2-2025"),
        ("光信智能2019 年 Q4营收为3.2亿元。", AFTER_Q3, "Q4-2019"),
        ("光信智能2019年Q4营收为3.2亿元。", AFTER_Q3, "Q4-2019"),
    ],
)
def test_quarters_written_with_q(text, published, period):
    assert rows(extract(text, published=published)) == [(G, "revenue", "", period, 3.2e8, "CNY", "exact")]


def test_the_quarters_of_a_year_as_a_list():
    result = extract(
        "光信智能2024年第一至四季度营收分别为1.1亿元、1.2亿元、1.3亿元、1.4亿元。", published=AFTER_Q3
    )
    assert rows(result) == [
        (G, "revenue", "", "Q1-2024", 1.1e8, "CNY", "exact"),
        (G, "revenue", "", "Q2-2024", 1.2e8, "CNY", "exact"),
        (G, "revenue", "", "Q3-2024", 1.3e8, "CNY", "exact"),
        (G, "revenue", "", "Q4-2024", 1.4e8, "CNY", "exact"),
    ]


def test_a_minus_after_an_enumeration_comma_is_a_sign_not_a_bullet():
    result = extract("光信智能2022年至2024年净利润分别为-1.2亿元、 - 0.5亿元、0.3亿元。")
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("net_profit", "FY2022", -1.2e8),
        ("net_profit", "FY2023", -5e7),
        ("net_profit", "FY2024", 3e7),
    ]


# ---------------------------------------------------------------------------------------------------
# Periods carried: 同期 without a list, 期内 / 本期 however far back, the period of a results lead

QUIET = "公司继续扩张。公司员工增加。公司门店增加。公司推出新品。公司获奖。"


def test_same_period_without_a_period_list_is_the_period_just_reported():
    result = extract("光信智能2024年营收为3.2亿元。同期净亏损为1.1亿元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact"),
        (G, "net_profit", "", "FY2024", -1.1e8, "CNY", "exact"),
    ]


@pytest.mark.parametrize("word", ["期内", "本期"])
def test_in_the_period_carries_the_last_reported_period_however_far_back(word):
    result = extract(f"光信智能2024年营收为3.2亿元。{QUIET}{word}净亏损为1.1亿元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact"),
        (G, "net_profit", "", "FY2024", -1.1e8, "CNY", "exact"),
    ]


def test_without_in_the_period_a_flow_far_from_the_last_period_has_none():
    result = extract(f"光信智能2024年营收为3.2亿元。{QUIET}净亏损为1.1亿元。")
    assert rows(result) == [(G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact")]
    assert reasons(result) == {"1.1亿元": "no_period"}


LEAD_LINES = "\n公司继续扩张。\n公司员工增加。\n公司门店增加。\n公司推出新品。\n公司获奖。\n"


def test_the_period_of_the_results_the_lead_announces_applies_to_flows_naming_none():
    text = (
        "光信智能昨日发布了截至9月30日的2025年第三季度财报。"
        + LEAD_LINES
        + "公司营收为3.2亿元，净亏损0.5亿元。"
    )
    assert rows(extract(text, published=AFTER_Q3)) == [
        (G, "revenue", "", "Q3-2025", 3.2e8, "CNY", "exact"),
        (G, "net_profit", "", "Q3-2025", -5e7, "CNY", "exact"),
    ]
    # a lead naming the quarter without a results report gives no period to the later flow
    other = "光信智能昨日发布了截至9月30日的2025年第三季度会议纪要。" + LEAD_LINES + "公司营收为3.2亿元。"
    result = extract(other, published=AFTER_Q3)
    assert rows(result) == []
    assert reasons(result) == {"3.2亿元": "no_period"}


# ---------------------------------------------------------------------------------------------------
# Segment revenue


def test_related_revenue_refers_to_the_segment_named_in_the_clause_before():
    result = extract(
        "光信智能的营收主要来自线上广告，但第三季度相关收入下滑至15.3亿元，同比下降18%。", published=AFTER_Q3
    )
    assert rows(result) == [
        (G, "revenue", "segment:线上广告", "Q3-2025", 15.3e8, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "segment:线上广告", "Q3-2025", -18.0, "", "exact"),
    ]


def test_a_segment_opening_the_clause_before_and_the_growth_and_share_after_its_revenue():
    result = extract(
        "光信智能2024年营收为12亿元。其中，云服务业务快速发展，实现收入约7.98亿元，"
        "按年增长约45.1%，在集团收入占比达到57.5%。"
    )
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 12e8, "CNY", "exact"),
        (G, "revenue", "segment:云服务业务", "FY2024", 7.98e8, "CNY", "approx"),
        (G, "revenue_growth_yoy_pct", "segment:云服务业务", "FY2024", 45.1, "", "approx"),
        (G, "revenue_share_pct", "segment:云服务业务", "FY2024", 57.5, "", "exact"),
    ]


def test_a_latin_product_name_with_a_space_is_one_segment():
    [row] = rows(extract("光信智能2024年FT Ultra收入占比为57.7%。"))
    assert (row[0], row[1], row[3], row[4]) == (G, "revenue_share_pct", "FY2024", 57.7)
    # the whole name, not its last word ('Ultra'); the space itself is left to the dimension cleaner
    assert row[2].replace(" ", "") == "segment:FTUltra"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "光信智能2024年L2+智驾方案业务收入为3.2亿元。",
            [("revenue", "segment:L2+智驾方案", 3.2e8, "CNY", "exact")],
        ),
        (
            "光信智能2024年交易佣金收入为2604.3万美元，占比约77.6%。",
            [
                ("revenue", "segment:交易佣金", 26.043e6, "USD", "exact"),
                ("revenue_share_pct", "segment:交易佣金", 77.6, "", "approx"),
            ],
        ),
        (
            "光信智能2024年技术服务费收入为604.3万美元，占比约17.6%。",
            [
                ("revenue", "segment:技术服务费", 6.043e6, "USD", "exact"),
                ("revenue_share_pct", "segment:技术服务费", 17.6, "", "approx"),
            ],
        ),
    ],
)
def test_business_lines_commissions_and_service_fees_are_segments(text, expected):
    result = rows(extract(text))
    assert [(r[1], r[2], r[4], r[5], r[6]) for r in result] == expected
    assert {(r[0], r[3]) for r in result} == {(G, "FY2024")}


# ---------------------------------------------------------------------------------------------------
# Results tables flattened one cell per line

TABLE = """光信智能公布2024年全年业绩。
截至十二月三十一日止年度
二零二四年
二零二三年
变动
人民币千元
收益
3,185,699
3,167,211
0.6%
毛利
1,204,330
1,050,120
14.7%
本公司拥有人应占溢利(经调整)
302,550
250,100
21.0%
存货周转期
45
52
-13.5%
"""


def test_a_flattened_results_table_with_a_change_column_and_a_unit_line():
    result = extract(TABLE, published=date(2025, 3, 20))
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3_185_699_000.0, "CNY", "exact"),
        (G, "revenue", "", "FY2023", 3_167_211_000.0, "CNY", "exact"),
        (G, "gross_profit", "", "FY2024", 1_204_330_000.0, "CNY", "exact"),
        (G, "gross_profit", "", "FY2023", 1_050_120_000.0, "CNY", "exact"),
        (G, "adjusted_net_profit", "", "FY2024", 302_550_000.0, "CNY", "exact"),
        (G, "adjusted_net_profit", "", "FY2023", 250_100_000.0, "CNY", "exact"),
    ]
    why = reasons(result)
    # the change column and a row whose label names no metric stay unclassified
    assert {k: why[k] for k in ("0.6%", "45", "52", "-13.5%")} == dict.fromkeys(
        ("0.6%", "45", "52", "-13.5%"), "no_metric"
    )


def test_a_flattened_table_without_a_change_column_and_a_loss_row():
    text = (
        "光信智能公布2024年全年业绩。\n2024年\n2023年\n人民币千元\n"
        "年内亏损\n120,500\n98,300\n收益\n3,185,699\n3,167,211\n"
    )
    assert rows(extract(text, published=date(2025, 3, 20))) == [
        (G, "net_profit", "", "FY2024", -120_500_000.0, "CNY", "exact"),
        (G, "net_profit", "", "FY2023", -98_300_000.0, "CNY", "exact"),
        (G, "revenue", "", "FY2024", 3_185_699_000.0, "CNY", "exact"),
        (G, "revenue", "", "FY2023", 3_167_211_000.0, "CNY", "exact"),
    ]


def test_a_table_in_millions_is_scaled_by_a_million():
    text = (
        "光信智能公布2024年全年业绩。\n截至十二月三十一日止年度\n2024年\n2023年\n"
        "人民币百万元\n收益\n3,185.7\n3,167.2\n"
    )
    assert rows(extract(text, published=date(2025, 3, 20))) == [
        (G, "revenue", "", "FY2024", 3_185.7e6, "CNY", "exact"),
        (G, "revenue", "", "FY2023", 3_167.2e6, "CNY", "exact"),
    ]


# ---------------------------------------------------------------------------------------------------
# From-to changes, comparison bases, declared currencies


def test_a_change_without_years_starts_in_the_year_before_the_period_in_context():
    result = extract("光信智能2024年营收为3.2亿元，毛利由5,220万元增至8,670万元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact"),
        (G, "gross_profit", "", "FY2023", 52.2e6, "CNY", "exact"),
        (G, "gross_profit", "", "FY2024", 86.7e6, "CNY", "exact"),
    ]


def test_a_change_from_a_year_ends_in_the_year_after():
    result = extract("光信智能净亏损由2023年的1.41亿元收窄至1.19亿元。")
    assert rows(result) == [
        (G, "net_profit", "", "FY2023", -1.41e8, "CNY", "exact"),
        (G, "net_profit", "", "FY2024", -1.19e8, "CNY", "exact"),
    ]


def test_a_change_with_its_rate_between_gives_the_growth_to_the_later_year():
    result = extract(
        "光信智能2024年收益由人民币3,167.2百万元增加0.6%至人民币3,185.7百万元。", published=date(2025, 3, 20)
    )
    assert rows(result) == [
        (G, "revenue", "", "FY2023", 3_167.2e6, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "", "FY2024", 0.6, "", "exact"),
        (G, "revenue", "", "FY2024", 3_185.7e6, "CNY", "exact"),
    ]


@pytest.mark.parametrize(
    "text", ["光信智能2024年毛利率由28.1%升至30.2%。", "光信智能毛利率由2023年的28.1%升至30.2%。"]
)
def test_a_margin_that_rose_from_one_level_to_another(text):
    assert rows(extract(text)) == [
        (G, "gross_margin_pct", "", "FY2023", 28.1, "", "exact"),
        (G, "gross_margin_pct", "", "FY2024", 30.2, "", "exact"),
    ]


def test_the_comparison_base_is_a_figure_of_its_own_period():
    result = extract("截至2025年6月30日止六个月，光信智能的收益较2024年同期的人民币301.7百万元增长37.1%。")
    assert rows(result) == [
        (G, "revenue", "", "H1-2024", 301.7e6, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "", "H1-2025", 37.1, "", "exact"),
    ]


def test_a_currency_declared_right_after_its_number_covers_it_and_the_ones_after():
    result = extract("光信智能2024年营收为1.86亿元(美元,下同)，净亏损0.5亿元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 1.86e8, "USD", "exact"),
        (G, "net_profit", "", "FY2024", -5e7, "USD", "exact"),
    ]
    # declared after the second number, it does not reach back to the first
    later = extract("光信智能2024年营收为1.86亿元，净亏损0.5亿元(美元,下同)。")
    assert [r[5] for r in rows(later)] == ["CNY", "USD"]


# ---------------------------------------------------------------------------------------------------
# Proceeds


@pytest.mark.parametrize(
    "text", ["光信智能今日起招股，最多集资约18.7亿港元。", "光信智能今日起招股，最多可募集约18.7亿港元。"]
)
def test_proceeds_at_most_are_an_upper_bound(text):
    assert rows(extract(text)) == [(G, "gross_proceeds", "", "2025-09-01", 18.7e8, "HKD", "upper_bound")]


def test_the_selling_shareholders_take_is_not_the_proceeds():
    result = extract("光信智能今日起招股，每股发售价为10港元，售股股东募资1.38亿港元。")
    assert rows(result) == [(G, "offer_price", "", "2025-09-01", 10.0, "HKD", "exact")]
    assert reasons(result) == {"1.38亿港元": "no_metric"}


def test_an_amount_more_than_the_original_plan_is_not_the_proceeds():
    result = extract("光信智能今日起招股，募资总额为5亿港元，募资净额较原计划多3000万港元。")
    assert rows(result) == [(G, "gross_proceeds", "", "2025-09-01", 5e8, "HKD", "exact")]
    assert reasons(result) == {"3000万港元": "no_metric"}


def test_a_plan_cited_from_the_prospectus_stays_a_plan_during_the_offering():
    cited = extract("光信智能今日起招股，每股发售价为10元。披露的招股说明书显示，其拟募集资金5000万元。")
    assert rows(cited)[1] == (G, "planned_proceeds", "", "2025-09-01", 5e7, "CNY", "exact")
    # stated without its source, the plan of the offering under way is its gross proceeds
    stated = extract("光信智能今日起招股，每股发售价为10元。公司拟募集资金5000万元。")
    assert rows(stated)[1] == (G, "gross_proceeds", "", "2025-09-01", 5e7, "CNY", "exact")


def test_a_plan_for_another_exchange_stays_a_plan_of_that_exchange():
    result = extract(
        "光信智能于港交所挂牌，发售价为每股10港元。公司五年前科创板冲刺时的9.12亿元人民币预期募资额未能实现。"
    )
    assert rows(result) == [
        (G, "offer_price", "", "2025-09-01", 10.0, "HKD", "exact"),
        (G, "planned_proceeds", "exchange:STAR", "2025-09-01", 9.12e8, "CNY", "exact"),
    ]


# ---------------------------------------------------------------------------------------------------
# Numbers that are not figures


@pytest.mark.parametrize(
    ("text", "expected", "left_out"),
    [
        (  # a float's value is not the company's market cap
            "光信智能今日登陆科创板，首日收盘市值为320亿元，流通市值为28亿元。",
            [("market_cap", "at_close", 320e8)],
            "28亿元",
        ),
        ("光信智能今日登陆科创板，本次发行保荐机构相关子公司跟投比例为2%，即578,304股。", [], "578,304股"),
        ("光信智能今日登陆科创板，发行人高管核心员工专项资产管理计划获配216.00万股。", [], "216.00万股"),
        (
            "光信智能今日登陆科创板。\n股票代码 688048\n发行价格 28.00元",
            [("offer_price", "", 28.0)],
            "688048",
        ),
        (  # a product's or a business line's margin is not the company's
            "光信智能2024年FT Ultra毛利率为9.7%，综合毛利率为21.3%。",
            [("gross_margin_pct", "", 21.3)],
            "9.7%",
        ),
        ("光信智能2024年汽车毛利率提升至14.7%。", [], "14.7%"),
        (  # a second set of accounts
            "光信智能2024年净利润为3.2亿元。按境外会计准则，本期净利润为4.11亿元。",
            [("net_profit", "", 3.2e8)],
            "4.11亿元",
        ),
        (  # the basis of a computation is not the offer price
            "光信智能今日起招股。若按每股发售价131.50港元计，募资净额约为12亿港元。",
            [("net_proceeds", "", 12e8)],
            "131.50港元",
        ),
        (
            "光信智能今日起招股。假设每股发售价为45元，募资净额约为12亿元。",
            [("net_proceeds", "", 12e8)],
            "45元",
        ),
        (  # a superseded plan
            "光信智能今日起招股。此前计划发行1200万股ADS，现发行规模增至1480万股ADS。",
            [("shares_offered", "", 14.8e6)],
            "1200万股",
        ),
    ],
)
def test_numbers_that_are_not_figures(text, expected, left_out):
    result = extract(text)
    assert [(r[1], r[2], r[4]) for r in rows(result)] == expected
    assert left_out in reasons(result)


def test_every_step_of_a_clawback_scale_is_a_condition():
    result = extract(
        "光信智能今日起招股。若公开发售认购15倍至少于50倍，回拨至30%，50倍至少于100倍即增至40%。"
    )
    assert rows(result) == []
    assert reasons(result) == dict.fromkeys(("15倍", "50倍", "30%", "100倍", "40%"), "conditional")


# ---------------------------------------------------------------------------------------------------
# Growth words, series and margins


@pytest.mark.parametrize(
    ("growth", "value"),
    [("按年升12.3%", 12.3), ("按年跌12.3%", -12.3), ("同比激增197.5%", 197.5)],
)
def test_growth_words_after_a_revenue(growth, value):
    assert rows(extract(f"光信智能2024年收入为32亿元，{growth}。")) == [
        (G, "revenue", "", "FY2024", 32e8, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "", "FY2024", value, "", "exact"),
    ]


@pytest.mark.parametrize("note", ["(约合8.080亿美元)", "(以当日汇率约合8.080亿美元)"])
def test_growth_compared_with_last_year_after_a_conversion(note):
    result = extract(f"光信智能2024年营收为人民币58.9亿元{note}，与上年同期相比增长61%。")
    assert rows(result) == [
        (G, "revenue", "", "FY2024", 58.9e8, "CNY", "exact"),
        (G, "revenue_growth_yoy_pct", "", "FY2024", 61.0, "", "exact"),
    ]


def test_a_series_of_percentages_written_with_slashes():
    assert rows(extract("光信智能2022年至2024年毛利率分别为93.0%/89.9%/88.5%。")) == [
        (G, "gross_margin_pct", "", "FY2022", 93.0, "", "exact"),
        (G, "gross_margin_pct", "", "FY2023", 89.9, "", "exact"),
        (G, "gross_margin_pct", "", "FY2024", 88.5, "", "exact"),
    ]


def test_a_level_series_after_a_change_word():
    result = extract("光信智能2022年至2024年营收持续下滑，分别为16.88亿元、16.40亿元和15.74亿元。")
    assert rows(result) == [
        (G, "revenue", "", "FY2022", 16.88e8, "CNY", "exact"),
        (G, "revenue", "", "FY2023", 16.40e8, "CNY", "exact"),
        (G, "revenue", "", "FY2024", 15.74e8, "CNY", "exact"),
    ]


@pytest.mark.parametrize(
    "text",
    ["光信智能毛利率从2022年53.9%降至2023年46.4%。", "光信智能毛利率持续下降从2022年53.9%降至2023年46.4%。"],
)
def test_a_margin_from_one_year_to_another(text):
    assert rows(extract(text)) == [
        (G, "gross_margin_pct", "", "FY2022", 53.9, "", "exact"),
        (G, "gross_margin_pct", "", "FY2023", 46.4, "", "exact"),
    ]


def test_a_margin_after_a_change_in_points():
    result = extract("光信智能2024年毛利率按年升8.7个百分点至73.6%。")
    assert rows(result) == [(G, "gross_margin_pct", "", "FY2024", 73.6, "", "exact")]
    assert reasons(result) == {"8.7个百分点": "change_in_points"}


def test_non_gaap_adjusted_net_income():
    assert rows(extract("光信智能2024年非公认会计准则调整后净收益为人民币1.897亿元。")) == [
        (G, "adjusted_net_profit", "", "FY2024", 1.897e8, "CNY", "exact")
    ]


# ---------------------------------------------------------------------------------------------------
# Offer terms


def test_the_listing_price_is_the_offer_price():
    assert rows(extract("光信智能今日登陆科创板，上市价为58元。")) == [
        (G, "offer_price", "", "2025-09-01", 58.0, "CNY", "exact")
    ]


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("光信智能今日登陆科创板，开市报38元，较上市价58元低34.48%。", "CNY"),
        ("光信智能今日在港交所挂牌，开市报38港元，较上市价58港元低34.48%。", "HKD"),
    ],
)
def test_a_fall_below_the_listing_price_on_the_listing_day(text, currency):
    assert rows(extract(text)) == [
        (G, "opening_price", "", "2025-09-01", 38.0, currency, "exact"),
        (G, "offer_price", "", "2025-09-01", 58.0, currency, "exact"),
        (G, "opening_change_pct", "", "2025-09-01", -34.48, "", "exact"),
    ]


def test_an_offer_at_a_range_of_prices_per_share():
    assert rows(extract("光信智能今日起招股，以每股10.5港元至12.8港元发售。")) == [
        (G, "offer_price_low", "", "2025-09-01", 10.5, "HKD", "exact"),
        (G, "offer_price_high", "", "2025-09-01", 12.8, "HKD", "exact"),
    ]


def test_investors_listed_after_the_cornerstone_cue_are_not_the_figure_s_company():
    text = "光信智能將引入5名基石投資者，包括北海養老基金、遠山集團及星海投資集團，合共認購25.35億港元股份。"
    assert rows(extract(text, language=TW)) == [
        (G, "cornerstone_count", "", "2025-09-01", 5.0, "", "exact"),
        (G, "cornerstone_amount", "", "2025-09-01", 2.535e9, "HKD", "exact"),
    ]


def test_a_chinese_numeral_right_after_a_latin_name_is_read():
    text = "光信智能引入Lake Capital、North Bridge、遠山集團及Ally Bridge四家基礎投資者，合計認購2,032萬股。"
    found = [r[1:5] for r in rows(extract(text, language=TW))]
    assert found == [("cornerstone_count", "", "2025-09-01", 4.0)]


def test_a_share_of_the_proceeds_written_also_as_an_amount_before_its_purpose():
    text = (
        "光信智能所得款项用途：约35%或约54.3百万港元将用于开发云端解决方案；"
        "约10%或约15.5百万港元将用作营运资金。"
    )
    assert [(r[1], r[2], r[4]) for r in rows(extract(text))] == [
        ("use_of_proceeds_pct", "purpose:开发云端解决方案", 35.0),
        ("use_of_proceeds_amount", "purpose:开发云端解决方案", 54.3e6),
        ("use_of_proceeds_pct", "purpose:营运资金", 10.0),
        ("use_of_proceeds_amount", "purpose:营运资金", 15.5e6),
    ]


def test_an_index_s_move_on_a_listing_day_is_market_wide():
    text = "光信智能今日在港交所挂牌，首日收涨12.5%。截至收盘，恒生指数跌0.49%，恒生科技指数跌1.24%。"
    result = extract(text)
    assert rows(result) == [(G, "first_day_change_pct", "", "2025-09-01", 12.5, "", "exact")]
    assert reasons(result) == {"0.49%": "market_wide", "1.24%": "market_wide"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "光信智能挂牌首日低开14.58%。截至收盘，光信智能报34港元/股，较发行价跌去近30%。",
            [("opening_change_pct", -14.58, "exact"), ("first_day_close_price", 34.0, "exact"),
             ("first_day_change_pct", -30.0, "approx")],
        ),
        (
            "光信智能今日登陆港交所。截至当日收盘，股价涨幅回落至91.71%，报67.10 港元 / 股。",
            [("first_day_change_pct", 91.71, "exact"), ("first_day_close_price", 67.1, "exact")],
        ),
        (
            "光信智能今日在科创板挂牌上市，以140元价格大幅高开，较发行价大涨205.28%。",
            [("opening_price", 140.0, "exact"), ("opening_change_pct", 205.28, "exact")],
        ),
    ],
)  # fmt: skip
def test_listing_day_prices_and_moves_as_reports_write_them(text, expected):
    assert [(r[1], r[4], r[6]) for r in rows(extract(text))] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no currency written: the venue's (an HKEX offering raises HK dollars)
        ("光信智能(02595)今日起招股，集資約15.8億，在港交所上市。", [("gross_proceeds", 1.58e9, "HKD")]),
        # a bare $ on a Hong Kong offering sheet
        ("光信智能(02595.HK)招股详情：发售价$15.38 - $16.80",
         [("offer_price_low", 15.38, "HKD"), ("offer_price_high", 16.8, "HKD")]),
        ("光信智能登陆纳斯达克，募资5亿，发行价为每股$12。",
         [("gross_proceeds", 5e8, "USD"), ("offer_price", 12.0, "USD")]),
    ],
)  # fmt: skip
def test_offering_terms_without_their_own_currency_follow_the_venue(text, expected):
    assert [(r[1], r[4], r[5]) for r in rows(extract(text, language=TW))] == expected


def test_a_hong_kong_public_tranche_names_the_venue_of_the_offering():
    text = "光信智能昨日起招股，其中10%在本港公開發售，每股招股價20.39元，集資約15.8億元。"
    assert [(r[1], r[4], r[5], r[6]) for r in rows(extract(text, language=TW))] == [
        ("offer_price", 20.39, "HKD", "exact"),
        ("gross_proceeds", 1.58e9, "HKD", "approx"),  # not an ambiguous 元
    ]


def test_a_results_note_s_quarter_written_3q25_and_this_quarter_s_revenue():
    text = "光信智能3Q25財報紀要。公司本季度總收入達到64億港元，同比大幅增長86%。"
    assert rows(extract(text, language=TW, published=AFTER_Q3)) == [
        (G, "revenue", "", "Q3-2025", 6.4e9, "HKD", "exact"),
        (G, "revenue_growth_yoy_pct", "", "Q3-2025", 86.0, "", "exact"),
    ]


def test_a_company_backing_the_subject_is_not_the_figure_s_company():
    text = "招股书显示，这家由90后团队掌舵、腾讯生态链加持的机器人公司，2024年营收为3.2亿元。"
    assert rows(extract(text)) == [(G, "revenue", "", "FY2024", 3.2e8, "CNY", "exact")]


def test_the_tranches_after_the_global_offering_are_not_the_shares_offered():
    text = "光信智能递表，计划全球发售3333.34万股H股，其中香港地区发售333.34万股，国际市场发售3000万股。"
    result = extract(text)
    assert rows(result) == [(G, "shares_offered", "", "2025-09-01", 33333400.0, "", "exact")]
    assert reasons(result) == {"333.34万股": "no_metric", "3000万股": "no_metric"}


def test_a_loss_series_after_years_written_in_reverse_order():
    text = "光信智能截至2025年5月底止五個月錄得虧損，而2024及2023年度則分別錄得虧損達1.75億元及7.33億元。"
    assert rows(extract(text, language=TW, published=date(2025, 8, 8))) == [
        (G, "net_profit", "", "FY2024", -1.75e8, "CNY", "exact"),
        (G, "net_profit", "", "FY2023", -7.33e8, "CNY", "exact"),
    ]


def test_a_prospectus_series_over_years_and_a_half_year_ending_on_a_day():
    text = (
        "招股书显示，报告期(2022年至2025年6月30日)各期，"
        "光信智能营业收入分别为82.87亿元、90.87亿元、241.78亿元、154.38亿元。"
    )
    assert [(r[3], r[4]) for r in rows(extract(text, published=date(2025, 12, 31)))] == [
        ("FY2022", 8.287e9), ("FY2023", 9.087e9), ("FY2024", 2.4178e10), ("H1-2025", 1.5438e10),
    ]  # fmt: skip
