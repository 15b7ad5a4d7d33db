"""Figure extraction on short sentences about many companies, in both scripts.

Every test states the figure rows an analyst would record (company, metric, dimension, period,
value, currency, qualifier) or the reason a number is left unclassified.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.companies import CompanyMatcher
from ingest.figures import extract_figures
from ingest.lexicon import load_lexicon
from ingest.text import Document

# Fictional companies the tests register next to the reference seed.
EXTRA_COMPANIES = {
    "guangxin": ("光信智能", "光信"),
    "haiyun": ("海韵科技",),
    "lingyun": ("凌云数据", "凌雲數據"),
}


def _matcher() -> CompanyMatcher:
    matcher = CompanyMatcher.from_seed()
    for cid, names in EXTRA_COMPANIES.items():
        matcher.add(cid, *names)
    return matcher


def extract(text, subjects=("guangxin",), language="zh-Hans", published=date(2025, 9, 1), body_start=0):
    doc = Document("doc1", "doc1.txt", text, published, language, body_start=body_start)
    return extract_figures(doc, _matcher(), list(subjects))


def rows(result):
    """(company, metric, dimension, period_label, value, currency, qualifier) per figure."""
    return [
        (
            r["company_id"],
            r["metric"],
            r["dimension"],
            r["period_label"],
            r["value"],
            r["currency"],
            r["qualifier"],
        )
        for r in result.figures.iter_rows(named=True)
    ]


def reasons(result):
    return {r["value_text"]: r["reason"] for r in result.unclassified.iter_rows(named=True)}


def test_series_aligned_with_period_list_and_cumulative_total():
    result = extract(
        "2022年、2023年和2024年，光信智能营收分别为3.46亿元、4.02亿元、5.51亿元，三年累计收入12.99亿元；"
        "净亏损分别为5.87亿元、4.93亿元和4.11亿元，累计亏损14.91亿元。"
    )
    assert rows(result) == [
        ("guangxin", "revenue", "", "FY2022", 346e6, "CNY", "exact"),
        ("guangxin", "revenue", "", "FY2023", 402e6, "CNY", "exact"),
        ("guangxin", "revenue", "", "FY2024", 551e6, "CNY", "exact"),
        ("guangxin", "revenue", "", "CUM-FY2022-FY2024", 1299e6, "CNY", "exact"),
        ("guangxin", "net_profit", "", "FY2022", -587e6, "CNY", "exact"),
        ("guangxin", "net_profit", "", "FY2023", -493e6, "CNY", "exact"),
        ("guangxin", "net_profit", "", "FY2024", -411e6, "CNY", "exact"),
        ("guangxin", "net_profit", "", "CUM-FY2022-FY2024", -1491e6, "CNY", "exact"),
    ]


def test_same_period_refers_back_to_the_period_list_of_the_paragraph():
    result = extract(
        "2022年至2024年，公司收入分别为4,210万美元、6,380万美元及8,950万美元；2025年前三季度收入为7,820万美元。"
        "同期净亏损分别为3,560万美元、2,910万美元、1,870万美元及620万美元。"
    )
    losses = [r for r in rows(result) if r[1] == "net_profit"]
    assert [(r[3], r[4], r[5]) for r in losses] == [
        ("FY2022", -35.6e6, "USD"),
        ("FY2023", -29.1e6, "USD"),
        ("FY2024", -18.7e6, "USD"),
        ("9M-2025", -6.2e6, "USD"),
    ]


def test_series_that_does_not_match_its_periods_is_not_guessed():
    result = extract("光信智能2022年至2024年收入分别为38.1亿元、34.1亿元。")
    assert rows(result) == []
    assert reasons(result) == {"38.1亿元": "series_mismatch", "34.1亿元": "series_mismatch"}


def test_traditional_script_hong_kong_bare_yuan_is_hkd():
    result = extract(
        "凌雲數據昨日掛牌，該股以每股13.6元定價，處於招股價範圍12.2元至14.8元的中上水平。開市報16.72元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[4], r[5]) for r in rows(result)] == [
        ("offer_price", 13.6, "HKD"),
        ("offer_price_low", 12.2, "HKD"),
        ("offer_price_high", 14.8, "HKD"),
        ("opening_price", 16.72, "HKD"),
    ]


def test_simplified_bare_yuan_stays_cny():
    result = extract("光信智能2024年营收为7.86亿元，同比增长64.1%。")
    assert rows(result) == [
        ("guangxin", "revenue", "", "FY2024", 786e6, "CNY", "exact"),
        ("guangxin", "revenue_growth_yoy_pct", "", "FY2024", 64.1, "", "exact"),
    ]


def test_conversion_parenthetical_is_kept_on_the_figure_and_implies_an_fx_rate():
    result = extract(
        "凌雲數據上市首日開盤上漲約3.3%，為120港元（約合人民幣108元）/股，市值528億港元（約合人民幣474億元）。",
        subjects=("lingyun",),
        language="zh-Hant",
        published=date(2026, 1, 8),
    )
    figures = result.figures.select(
        "metric", "dimension", "value", "converted_value", "converted_currency"
    ).rows()
    assert figures == [
        ("opening_change_pct", "", 3.3, None, None),
        ("opening_price", "", 120.0, 108.0, "CNY"),
        ("market_cap", "at_open", 52.8e9, 47.4e9, "CNY"),
    ]
    fx = result.implied_fx.select("rate_date", "base_currency", "quote_currency", "rate", "source").rows()
    assert fx[0] == (date(2026, 1, 8), "HKD", "CNY", 0.9, "implied:doc1")
    assert fx[1][3] == pytest.approx(474 / 528, rel=1e-5)


def test_market_cap_moments():
    result = extract(
        "光信智能首日开盘价1.02港元。截至10点30分，市值约为21亿港元。截至收盘，报1.165港元，涨37.06%，总市值约21.6亿港元。",
        published=date(2025, 7, 18),
    )
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [
        ("opening_price", "", 1.02),
        ("market_cap", "intraday@10:30", 2.1e9),
        ("first_day_close_price", "", 1.165),
        ("first_day_change_pct", "", 37.06),
        ("market_cap", "at_close", 2.16e9),
    ]


def test_prices_of_an_ordinary_trading_day_are_not_first_day_figures():
    result = extract("商汤股价今日收报1.52港元，较前一交易日上涨3.4%。", subjects=("sensetime",))
    assert rows(result) == []
    assert reasons(result) == {"1.52港元": "not_listing_day", "3.4%": "not_listing_day"}


def test_opening_fall_is_negative():
    result = extract("海韵科技发行价为每股6.5港元，开盘即破发，报5.9港元，跌9.23%。", subjects=("haiyun",))
    assert [(r[1], r[4]) for r in rows(result)] == [
        ("offer_price", 6.5),
        ("opening_price", 5.9),
        ("opening_change_pct", -9.23),
    ]


def test_market_wide_totals_are_never_company_figures():
    result = extract("今年以来，港股IPO募资总额已达1,000亿港元，科技类企业数量占比超过四成。")
    assert rows(result) == []
    assert reasons(result)["1,000亿港元"] == "market_wide"


def test_peer_comparison_attributes_each_named_company():
    result = extract("商汤与百度2024年收入分别为37.7亿元、1331亿元。", subjects=("sensetime",))
    assert rows(result) == [
        ("sensetime", "revenue", "", "FY2024", 3.77e9, "CNY", "exact"),
        ("baidu", "revenue", "", "FY2024", 133.1e9, "CNY", "exact"),
    ]


def test_nearest_company_in_the_sentence_owns_the_figure():
    result = extract(
        "光信智能2024年营收12.4亿元；海韵科技2024年营收3.2亿元。", subjects=("guangxin", "haiyun")
    )
    assert [(r[0], r[4]) for r in rows(result)] == [("guangxin", 1.24e9), ("haiyun", 3.2e8)]


def test_unknown_peer_is_not_given_to_the_subject():
    result = extract("同行中，芯途微电子2024年收入11.74亿元。")
    assert rows(result) == []
    assert "11.74亿元" in reasons(result)


def test_use_of_proceeds_with_purposes_and_parenthetical_amounts():
    result = extract(
        "光信智能募集資金淨額的70%（約29億港元）將用於通用AI大模型方面研發投入，約10%（約4.2億港元）將用於持續優化MaaS平臺。",
        language="zh-Hant",
    )
    assert [(r[1], r[2], r[4], r[6]) for r in rows(result)] == [
        ("use_of_proceeds_pct", "purpose:通用AI大模型", 70.0, "exact"),
        ("use_of_proceeds_amount", "purpose:通用AI大模型", 2.9e9, "approx"),
        ("use_of_proceeds_pct", "purpose:持续优化MaaS平台", 10.0, "approx"),
        ("use_of_proceeds_amount", "purpose:持续优化MaaS平台", 4.2e8, "approx"),
    ]


def test_comparison_base_and_growth_take_the_right_periods():
    result = extract(
        "海韵科技2024年收入为4.86亿美元，较2023年的3.02亿美元增长60.9%，经营亏损为1.35亿美元。", ("haiyun",)
    )
    assert rows(result) == [
        ("haiyun", "revenue", "", "FY2024", 4.86e8, "USD", "exact"),
        ("haiyun", "revenue", "", "FY2023", 3.02e8, "USD", "exact"),
        ("haiyun", "revenue_growth_yoy_pct", "", "FY2024", 60.9, "", "exact"),
        ("haiyun", "operating_profit", "", "FY2024", -1.35e8, "USD", "exact"),
    ]


def test_same_period_last_year_value():
    result = extract(
        "2025年上半年，光信智能期内亏损1.06亿元，上年同期亏损1.92亿元。", published=date(2025, 8, 23)
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("net_profit", "H1-2025", -1.06e8),
        ("net_profit", "H1-2024", -1.92e8),
    ]


def test_quarter_growth_with_lower_bound_ignores_the_comparison_period():
    result = extract(
        "光信智能预计截至2025年9月30日止的三个月收入，将较2024年同期增长60%以上。", published=date(2026, 1, 8)
    )
    assert rows(result) == [("guangxin", "revenue_growth_yoy_pct", "", "Q3-2025", 60.0, "", "lower_bound")]


def test_cumulative_loss_lower_bound_and_cagr():
    result = extract(
        "2022年至2024年，光信智能营收分别为6亿元、7.27亿元和9.39亿元，年复合增长率达23%。但同期净亏损持续扩大，三年累计亏损超12亿元。"
    )
    assert rows(result)[3:] == [
        ("guangxin", "revenue_cagr_pct", "", "CUM-FY2022-FY2024", 23.0, "", "exact"),
        ("guangxin", "net_profit", "", "CUM-FY2022-FY2024", -1.2e9, "CNY", "lower_bound"),
    ]


def test_point_in_time_counts_take_the_as_of_date():
    result = extract(
        "截至2025年6月30日，海韵科技拥有657名研发人员，占员工总数的74%以上。公司已拥有86项授权专利（其中84项为发明专利）。",
        subjects=("haiyun",),
    )
    assert [(r[1], r[3], r[4], r[6]) for r in rows(result)] == [
        ("rd_headcount", "2025-06-30", 657.0, "exact"),
        ("rd_headcount_share_pct", "2025-06-30", 74.0, "lower_bound"),
        ("patents", "2025-06-30", 86.0, "exact"),
        ("invention_patents", "2025-06-30", 84.0, "exact"),
    ]


def test_customers_with_kind_and_kpis_with_dimensions():
    result = extract(
        "截至2025年9月30日，公司累计服务付费企业客户逾1,500家。2023年6月，光信智能发布了拥有600亿参数的“山河”大模型。"
    )
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in rows(result)] == [
        ("customers_count", "kind:付费企业客户", "2025-09-30", 1500.0, "lower_bound"),
        ("model_parameters", "model:山河", "M-2023-06", 6e10, "exact"),
    ]


def test_market_rank_with_market_dimension():
    result = extract(
        "根据灼识咨询，按2024年收入计，光信智能在中国AI设计工具市场排名第五，在医疗AI解决方案中排名第三。"
    )
    assert [(r[1], r[2], r[3], r[4]) for r in rows(result)] == [
        ("market_rank", "market:中国AI设计工具市场", "FY2024", 5.0),
        ("market_rank", "market:医疗AI解决方案", "FY2024", 3.0),
    ]


def test_segment_revenue_and_shares():
    result = extract(
        "2025年上半年，光信智能分业务看，AI视觉解决方案收入3.95亿元，占总收入的61.9%；海外收入占比达到21.7%。",
        published=date(2025, 8, 23),
    )
    found = [(r[1], r[2], r[4]) for r in rows(result)]
    assert found[:3] == [
        ("revenue", "segment:AI视觉解决方案", 3.95e8),
        ("revenue_share_pct", "segment:AI视觉解决方案", 61.9),
        ("revenue_share_pct", "region:海外", 21.7),
    ]


def test_valuation_rounds_and_planned_proceeds_of_another_exchange():
    result = extract(
        "海韵科技今年8月的Pre-IPO轮融资中，投后估值达到64亿美元（约合人民币458亿元）。公司曾于2021年6月申报科创板，拟募资18.5亿元。",
        subjects=("haiyun",),
        published=date(2025, 11, 10),
    )
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows(result)] == [
        ("valuation_post_money", "round:Pre-IPO", "M-2025-08", 6.4e9, "USD"),
        ("planned_proceeds", "exchange:STAR", "M-2021-06", 1.85e9, "CNY"),
    ]


def test_offering_figures_in_traditional_script():
    result = extract(
        "凌雲數據是次全球發售1.25億股，集資總額約35.25億港元，扣除開支後淨額約33.6億港元。香港公開發售認購約3,862.4倍；"
        "國際發售獲約11.3倍認購。六名基石投資者合共認購約15.3億港元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[4], r[6]) for r in rows(result)] == [
        ("shares_offered", 1.25e8, "exact"),
        ("gross_proceeds", 3.525e9, "approx"),
        ("net_proceeds", 3.36e9, "approx"),
        ("public_subscription_multiple", 3862.4, "approx"),
        ("international_subscription_multiple", 11.3, "approx"),
        ("cornerstone_count", 6.0, "exact"),
        ("cornerstone_amount", 1.53e9, "approx"),
    ]


def test_shareholdings_acquisitions_and_changes_are_not_figures():
    result = extract(
        "创始人通过朔风控股持有公司26.8%股份。2023年9月，光信智能以现金总代价7300.46万元收购某公司约94.98%股权。"
        "毛利率较去年同期提升4.6个百分点。"
    )
    assert rows(result) == []
    assert reasons(result) == {
        "26.8%": "shareholding",
        "7300.46万元": "acquisition",
        "94.98%": "acquisition",
        "4.6个百分点": "change_in_points",
    }


def test_heading_summaries_use_the_document_period_list():
    text = (
        "三年亏损近15亿，光信智能再递表\n\n"
        "2022年、2023年和2024年，公司营收分别为3.46亿元、4.02亿元、5.51亿元。"
    )
    result = extract(text, published=date(2025, 10, 14))
    assert rows(result)[0] == ("guangxin", "net_profit", "", "CUM-FY2022-FY2024", -1.5e9, "CNY", "approx")


def test_no_subject_and_several_companies_is_ambiguous():
    result = extract("2024年收入为5亿元，商汤与百度均有布局。", subjects=())
    assert rows(result) == []
    assert reasons(result) == {"5亿元": "ambiguous_company"}


def test_provenance_quotes_the_original_text():
    text = "---\ntitle: x\n---\n光信智能２０２４年營收為７．８６億元。"
    body = text.index("光信")
    result = extract(text, language="zh-Hant", body_start=body)
    (row,) = result.figures.iter_rows(named=True)
    assert row["quote"] == text[row["char_start"] : row["char_end"]]
    assert row["value_text"] == "７．８６億元" and row["value_text"] in row["quote"]
    assert row["value"] == 7.86e8 and row["period_label"] == "FY2024"


def test_front_matter_is_not_extracted():
    text = "---\nsummary: 光信智能首日市值突破220亿港元\n---\n正文没有数字。"
    result = extract(text, body_start=text.index("正文"))
    assert result.figures.is_empty() and result.unclassified.is_empty()


def test_figure_ids_are_unique_and_stable():
    text = "2022年至2024年，光信智能营收分别为6亿元、7.27亿元和9.39亿元，年复合增长率达23%。"
    first, second = extract(text), extract(text)
    ids = first.figures["figure_id"].to_list()
    assert len(set(ids)) == len(ids) == 4
    assert ids == second.figures["figure_id"].to_list()


def test_output_frames_follow_the_seed_contract():
    from ingest.schema import SEED_SCHEMAS

    result = extract("光信智能2024年营收为7.86亿元（约合1.1亿美元）。股份代号为2718。")
    assert dict(result.figures.schema) == SEED_SCHEMAS["ingest_figures"]
    assert dict(result.unclassified.schema) == SEED_SCHEMAS["ingest_unclassified_mentions"]
    assert dict(result.implied_fx.schema) == SEED_SCHEMAS["ingest_implied_fx_rates"]


def test_lexicon_covers_the_metric_vocabulary():
    lexicon = load_lexicon()
    import csv

    vocabulary = Path(__file__).resolve().parents[2] / "seeds/reference/ref_metrics.csv"
    with open(vocabulary, encoding="utf-8") as fh:
        codes = {row["metric"] for row in csv.DictReader(fh)}
    assert set(lexicon.metrics) == codes


def test_lexicon_with_an_unknown_metric_names_file_and_metric(tmp_path):
    bad = tmp_path / "metrics.yml"
    bad.write_text(
        "metrics:\n  revenue_per_user:\n    table: kpis\n    unit: money\n    kind: flow\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"metrics\.yml: metric revenue_per_user is not in ref_metrics\.csv"):
        load_lexicon(bad)


def test_lexicon_with_a_bad_pattern_names_it(tmp_path):
    source = Path(__file__).resolve().parents[2] / "ingest/rules/metrics.yml"
    bad = tmp_path / "metrics.yml"
    bad.write_text(source.read_text(encoding="utf-8").replace('"营收", ', '"营收(", ', 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad pattern '营收\(' in metric revenue"):
        load_lexicon(bad)


def test_growth_then_level_gives_both_figures():
    result = extract("光信智能2024年营收同比增长20%至10亿元。")
    assert rows(result) == [
        ("guangxin", "revenue_growth_yoy_pct", "", "FY2024", 20.0, "", "exact"),
        ("guangxin", "revenue", "", "FY2024", 1e9, "CNY", "exact"),
    ]


def test_investor_named_before_the_figure_does_not_own_it():
    result = extract("今年5月，腾讯领投了光信智能新一轮融资，投后估值达到300亿元。")
    assert rows(result) == [("guangxin", "valuation_post_money", "", "M-2025-05", 3e10, "CNY", "exact")]


def test_grey_market_and_greenshoe_scenarios_are_not_recorded():
    result = extract(
        "光信智能暗盘收报3.6港元，较招股价上涨8%。若超额配股权获悉数行使，光信智能募资净额将增至60亿港元。"
    )
    assert rows(result) == []
    assert reasons(result)["8%"] == "grey_market"


def test_offer_price_bounds_named_explicitly():
    result = extract("光信智能招股价上限为3.99港元。")
    assert rows(result) == [("guangxin", "offer_price_high", "", "2025-09-01", 3.99, "HKD", "exact")]


def test_bare_yuan_offering_terms_follow_the_listing_venue():
    # an HKEX listing: prices, proceeds and market cap in a bare 元 are Hong Kong dollars
    result = extract(
        "凌雲數據昨日在港上市，首日收市報19.3元，較招股價28元下跌31.07%，以收市價計市值約109億元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[4], r[5]) for r in rows(result)] == [
        ("first_day_close_price", 19.3, "HKD"),
        ("offer_price", 28.0, "HKD"),
        ("first_day_change_pct", -31.07, ""),
        ("market_cap", 10_900_000_000.0, "HKD"),
    ]
    # a STAR Market listing: the same words are yuan; financials in a bare 元 stay yuan everywhere
    result = extract("光信智能今日登陆科创板，发行价为28元，募资总额12亿元；公司2024年收入为5.1亿元。")
    assert [(r[1], r[5]) for r in rows(result)] == [
        ("offer_price", "CNY"),
        ("gross_proceeds", "CNY"),
        ("revenue", "CNY"),
    ]


def test_hong_kong_bare_yuan_amount_without_a_venue_is_left_unclassified():
    result = extract("凌雲數據招股，集資約10億元。", subjects=("lingyun",), language="zh-Hant")
    assert rows(result) == []
    assert reasons(result)["10億元"] == "ambiguous_currency"


def test_a_currency_declared_once_applies_to_the_amounts_after_it():
    result = extract("光信智能2024年收入为1.2亿美元（下同），净亏损为3,000万元；2023年收入为9,000万元。")
    assert [(r[1], r[3], r[4], r[5]) for r in rows(result)] == [
        ("revenue", "FY2024", 120_000_000.0, "USD"),
        ("net_profit", "FY2024", -30_000_000.0, "USD"),
        ("revenue", "FY2023", 90_000_000.0, "USD"),
    ]


def test_market_wide_marker_earlier_in_the_sentence():
    result = extract("另外，港股今年上半年共有30隻新股上市，集資總額約180億港元。", language="zh-Hant")
    assert rows(result) == []
    assert set(reasons(result).values()) == {"market_wide"}


def test_midday_figures_are_intraday_not_closing():
    result = extract(
        "光信智能今日在港交所主板上市，開盤報3.9港元。截至中午收市，股價報3.62港元，市值約54億港元。",
        language="zh-Hant",
    )
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [
        ("opening_price", "", 3.9),
        ("market_cap", "intraday", 5.4e9),
    ]
    assert reasons(result)["3.62港元"] == "no_metric"


def test_the_noun_after_a_number_is_not_reused_by_the_next_number():
    result = extract(
        "截至2025年9月30日，其产品累计服务超过2.12亿名个人用户，覆盖200多个国家及地区，企业客户超过10万家。"
    )
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [
        ("customers_count", "kind:个人用户", 2.12e8),
        ("customers_count", "kind:企业客户", 1e5),
    ]
    assert reasons(result) == {"200多个": "no_metric"}


def test_cornerstone_amount_follows_the_cornerstone_count():
    result = extract("本次IPO吸引11家基石投资者合计认购29.8亿港元。")
    assert [(r[1], r[4], r[5]) for r in rows(result)] == [
        ("cornerstone_count", 11.0, ""),
        ("cornerstone_amount", 2.98e9, "HKD"),
    ]


def test_year_end_cash_takes_the_latest_reporting_period_of_the_paragraph():
    result = extract(
        "光信智能2024年净亏损收窄至2.5亿元，而2023年净亏损为9.1亿元。年末现金及现金等价物为28.6亿元。",
        published=date(2025, 3, 28),
    )
    assert rows(result)[-1] == ("guangxin", "cash_and_equivalents", "", "2024-12-31", 2.86e9, "CNY", "exact")


@pytest.mark.parametrize(
    "text",
    [
        "2022年至2024年，光信智能的收入为38.1亿元、34.1亿元及37.7亿元。",
        "2022年、2023年和2024年，光信智能分别实现营收38.1亿元、34.1亿元及37.7亿元。",
    ],
)
def test_value_lists_align_with_the_period_list(text):
    assert [(r[1], r[3], r[4]) for r in rows(extract(text))] == [
        ("revenue", "FY2022", 3.81e9),
        ("revenue", "FY2023", 3.41e9),
        ("revenue", "FY2024", 3.77e9),
    ]


def test_same_metric_for_another_period():
    result = extract(
        "光信智能2024年毛利率为42.9%，而2023年则为44.1%。截至2024年末，公司员工3756名，2023年末为4000名。"
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("gross_margin_pct", "FY2024", 42.9),
        ("gross_margin_pct", "FY2023", 44.1),
        ("headcount", "2024-12-31", 3756.0),
        ("headcount", "2023-12-31", 4000.0),
    ]


def test_counting_word_must_fit_the_metric():
    result = extract(
        "截至2024年6月30日，光信智能的方案已搭载于超过24家OEM的超过230款车型，累计出货量突破600万套。"
    )
    assert [(r[1], r[3], r[4], r[6]) for r in rows(result)] == [
        ("devices", "2024-06-30", 6e6, "lower_bound"),
    ]
    assert reasons(result) == {"24家": "no_metric", "230款": "no_metric"}


def test_per_share_and_pre_tax_amounts_are_not_company_profits():
    result = extract(
        "凌雲數據2024年綜合收益按年增長26%至6.2億元，股東應佔虧損收窄至10.1億元，每股基本虧損0.03元；除稅前溢利為1.2億元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue_growth_yoy_pct", "FY2024", 26.0),
        ("revenue", "FY2024", 6.2e8),
        ("net_profit", "FY2024", -1.01e9),
    ]


def test_unknown_company_named_in_the_clause_is_not_the_subject():
    result = extract("同日上市的启元科技首日下跌10%，收报8.2港元。光信科技首日上涨5%。")
    assert rows(result) == [("guangxin", "first_day_change_pct", "", "2025-09-01", 5.0, "", "exact")]
    assert reasons(result) == {"10%": "unknown_company", "8.2港元": "unknown_company"}


def test_metric_lists_align_value_by_value():
    result = extract(
        "2024年，光信智能收入、毛利及毛利率分别为37.7亿元、16.2亿元和42.9%；营收和净亏损分别为37.7亿元。"
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2024", 3.77e9),
        ("gross_profit", "FY2024", 1.62e9),
        ("gross_margin_pct", "FY2024", 42.9),
    ]
    assert reasons(result) == {"37.7亿元": "series_mismatch"}


def test_market_words_before_a_named_company_do_not_block_its_figures():
    result = extract(
        "受益于行业整体增长，光信智能2024年收入增长30%至10亿元。中国AI视觉市场规模2022年至2024年的年复合增长率达30%。"
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue_growth_yoy_pct", "FY2024", 30.0),
        ("revenue", "FY2024", 1e9),
    ]
    assert list(reasons(result).values()) == ["market_wide"]


def test_table_rows_and_pre_money_valuations_are_not_recorded():
    text = (
        "光信智能2024年收入为9.39亿元。\n\n| 项目 | 2023年 | 2024年 |\n| 收入 | 7.27亿元 | 9.39亿元 |\n\n"
        "本轮融资投前估值为80亿元。"
    )
    result = extract(text)
    assert rows(result) == [("guangxin", "revenue", "", "FY2024", 9.39e8, "CNY", "exact")]
    assert sorted(reasons(result).values()) == ["no_metric", "table_cell", "table_cell"]


def test_unclassified_rows_name_a_company_only_when_not_market_wide():
    result = extract("光信智能股份代号为2718。今年以来，港股IPO募资总额已达1,000亿港元。")
    companies = {r["value_text"]: r["company_id"] for r in result.unclassified.iter_rows(named=True)}
    assert companies == {"2718": "guangxin", "1,000亿港元": ""}


def test_cagr_between_two_named_years():
    result = extract("光信智能收入由2022年的38.1亿元增至2024年的37.7亿元，复合年增长率为-0.5%。")
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2022", 3.81e9),
        ("revenue", "FY2024", 3.77e9),
        ("revenue_cagr_pct", "CUM-FY2022-FY2024", -0.5),
    ]


def test_a_date_is_not_the_period_of_a_flow():
    result = extract("截至2025年6月30日，光信智能收入为3亿元。")
    assert rows(result) == []
    assert reasons(result) == {"3亿元": "point_in_time_for_flow"}


def test_values_of_listed_items_are_not_aligned_with_periods():
    result = extract(
        "2022年至2024年，光信智能营收分别为38.1亿元、34.1亿元及37.7亿元。"
        "AI芯片、物联网模组和医疗业务的毛利率分别为30%、20%、50%。"
    )
    assert [r[3] for r in rows(result)] == ["FY2022", "FY2023", "FY2024"]
    assert set(reasons(result).values()) == {"series_of_items"}


def test_offering_figures_take_the_stated_listing_date():
    result = extract(
        "凌雲數據昨日（週五）在港交所主板掛牌。該股以每股13.6元定價。公司2024年收入今日公布為3億元。",
        subjects=("lingyun",),
        language="zh-Hant",
        published=date(2025, 11, 15),
    )
    assert [(r[1], r[3]) for r in rows(result)] == [("offer_price", "2025-11-14"), ("revenue", "FY2024")]


def test_a_planned_listing_date_does_not_date_the_offer():
    result = extract(
        "光信智能今日起招股，招股价为每股9.5港元，预计于12月16日在港交所挂牌。", published=date(2025, 12, 8)
    )
    assert rows(result) == [("guangxin", "offer_price", "", "2025-12-08", 9.5, "HKD", "exact")]


def test_mainland_profit_variants():
    result = extract("光信智能2024年归母净利润为3亿元，扣非净利润为-1亿元，营业总收入为40亿元。")
    assert [(r[1], r[4]) for r in rows(result)] == [("net_profit", 3e8), ("revenue", 4e9)]
    assert reasons(result) == {"-1亿元": "no_metric"}


# --- comparison bases: the second value belongs to the previous period --------------------------


def test_previous_year_value_after_a_figure_takes_the_previous_period():
    result = extract(
        "2024年，光信智能净亏损为0.76亿美元，上年为1.52亿美元；研发开支为0.41亿美元，上年同期为0.33亿美元。"
    )
    assert rows(result) == [
        ("guangxin", "net_profit", "", "FY2024", -76e6, "USD", "exact"),
        ("guangxin", "net_profit", "", "FY2023", -152e6, "USD", "exact"),
        ("guangxin", "rd_expense", "", "FY2024", 41e6, "USD", "exact"),
        ("guangxin", "rd_expense", "", "FY2023", 33e6, "USD", "exact"),
    ]


def test_same_period_last_year_counts_back_from_the_figure_not_from_publication():
    # published in 2025: '去年同期' of an H1-2024 figure is H1-2023, not H1-2024
    result = extract("2024年上半年，光信智能营收为2.87亿元，较去年同期的1.95亿元增长约47.2%。")
    assert rows(result) == [
        ("guangxin", "revenue", "", "H1-2024", 287e6, "CNY", "exact"),
        ("guangxin", "revenue", "", "H1-2023", 195e6, "CNY", "exact"),
        ("guangxin", "revenue_growth_yoy_pct", "", "H1-2024", 47.2, "", "approx"),
    ]


def test_relative_years_without_a_stated_period_count_from_publication():
    result = extract("光信智能去年营收为6.3亿元，前年为4.8亿元。", published=date(2025, 9, 1))
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2024", 630e6),
        ("revenue", "FY2023", 480e6),
    ]


def test_a_full_previous_year_after_a_half_year_figure_is_that_fiscal_year():
    result = extract(
        "截至2025年3月31日止年度，凌雲數據的收益為人民幣5.6億元，上年為人民幣4.1億元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2025", 560e6),
        ("revenue", "FY2024", 410e6),
    ]
    fiscal = result.figures.row(0, named=True)
    assert (fiscal["period_start"], fiscal["period_end"]) == (date(2024, 4, 1), date(2025, 3, 31))
    previous = result.figures.row(1, named=True)
    assert (previous["period_start"], previous["period_end"]) == (date(2023, 4, 1), date(2024, 3, 31))


# --- Hong Kong prospectus style -------------------------------------------------------------------


def test_prospectus_periods_in_chinese_numerals_and_losses_of_the_same_periods():
    result = extract(
        "截至二零二二年、二零二三年及二零二四年十二月三十一日止年度以及截至二零二五年六月三十日止六個月，"
        "凌雲數據的收益分別為人民幣0.92億元、人民幣1.64億元、人民幣2.37億元及人民幣1.35億元。"
        "同期，公司分別錄得虧損人民幣3.8億元、人民幣4.6億元、人民幣2.9億元及人民幣1.1億元。"
        "截至二〇二五年六月三十日，公司員工總數為486名，當中研發人員佔約61.2%。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[3], r[4], r[6]) for r in rows(result)] == [
        ("revenue", "FY2022", 92e6, "exact"),
        ("revenue", "FY2023", 164e6, "exact"),
        ("revenue", "FY2024", 237e6, "exact"),
        ("revenue", "H1-2025", 135e6, "exact"),
        ("net_profit", "FY2022", -380e6, "exact"),
        ("net_profit", "FY2023", -460e6, "exact"),
        ("net_profit", "FY2024", -290e6, "exact"),
        ("net_profit", "H1-2025", -110e6, "exact"),
        ("headcount", "2025-06-30", 486, "exact"),
        ("rd_headcount_share_pct", "2025-06-30", 61.2, "approx"),
    ]


def test_non_gaap_and_non_ifrs_losses_are_adjusted_net_profit():
    result = extract(
        "2024年，海韵科技Non-GAAP净亏损为1.35亿元，non-IFRS经调整净利润为0.2亿元，"
        "按非公认会计准则计算的净亏损为1.3亿元。",
        subjects=("haiyun",),
    )
    assert [(r[1], r[4]) for r in rows(result)] == [
        ("adjusted_net_profit", -135e6),
        ("adjusted_net_profit", 20e6),
        ("adjusted_net_profit", -130e6),
    ]


def test_hong_kong_revenue_and_rd_words():
    result = extract(
        "2024年，凌雲數據的收益為人民幣3.6億元，研發開支為人民幣1.2億元。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[4]) for r in rows(result)] == [("revenue", 360e6), ("rd_expense", 120e6)]


def test_counts_of_users_and_partners_keep_their_kind():
    result = extract(
        "截至2025年6月30日，海韵科技注册用户逾860万名，付费用户约12万名，合作车企超过28家。",
        subjects=("haiyun",),
    )
    assert rows(result) == [
        ("haiyun", "customers_count", "kind:注册用户", "2025-06-30", 8.6e6, "", "lower_bound"),
        ("haiyun", "customers_count", "kind:付费用户", "2025-06-30", 1.2e5, "", "approx"),
        ("haiyun", "customers_count", "kind:车企", "2025-06-30", 28, "", "lower_bound"),
    ]


# --- series and periods ---------------------------------------------------------------------------


def test_signed_series_after_a_verb_and_losses_over_the_periods_above():
    result = extract(
        "2021年至2023年，光信智能收入分别为1.1亿元、1.9亿元及2.6亿元。"
        "同期，公司分别实现净利润-2.61亿元、-1.07亿元、-0.48亿元。"
        "在上述期间，公司分别录得经营亏损2.2亿元、0.9亿元、0.3亿元。"
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)][3:] == [
        ("net_profit", "FY2021", -261e6),
        ("net_profit", "FY2022", -107e6),
        ("net_profit", "FY2023", -48e6),
        ("operating_profit", "FY2021", -220e6),
        ("operating_profit", "FY2022", -90e6),
        ("operating_profit", "FY2023", -30e6),
    ]


def test_same_period_shares_are_per_listed_period_even_after_a_cagr_range():
    result = extract(
        "2020年、2021年、2022年及2023年上半年，海韵科技收入分别为0.5亿元、0.8亿元、1.3亿元及0.7亿元。"
        "按2020年至2022年计算，收入复合年增长率为61.2%。"
        "同期，来自前五大客户的收入分别占总收入的39.4%、45.1%、52.6%及57.3%。",
        subjects=("haiyun",),
    )
    shares = [(r[3], r[4]) for r in rows(result) if r[1] == "top5_customer_revenue_share_pct"]
    assert shares == [("FY2020", 39.4), ("FY2021", 45.1), ("FY2022", 52.6), ("H1-2023", 57.3)]


def test_from_first_to_last_period_of_a_range():
    result = extract(
        "2019年至2021年，光信智能收入从0.46亿美元提升至1.18亿美元，净亏损由0.9亿美元收窄至0.35亿美元。"
        "光信智能收入由2022年的5,210万元增至2024年的1.42亿元。"
    )
    assert [(r[1], r[3], r[4]) for r in rows(result)] == [
        ("revenue", "FY2019", 46e6),
        ("revenue", "FY2021", 118e6),
        ("net_profit", "FY2019", -90e6),
        ("net_profit", "FY2021", -35e6),
        ("revenue", "FY2022", 52.1e6),
        ("revenue", "FY2024", 142e6),
    ]


def test_year_ranges_inside_period_lists():
    result = extract(
        "光信智能于2017年至2019年分别实现收入0.7亿元、1.1亿元及1.6亿元。"
        "2020年至2022年和截至2023年6月30日止六个月，光信智能毛利率分别为31.2%、35.4%、38.9%及40.1%。"
    )
    assert [(r[1], r[3]) for r in rows(result)] == [
        ("revenue", "FY2017"),
        ("revenue", "FY2018"),
        ("revenue", "FY2019"),
        ("gross_margin_pct", "FY2020"),
        ("gross_margin_pct", "FY2021"),
        ("gross_margin_pct", "FY2022"),
        ("gross_margin_pct", "H1-2023"),
    ]


def test_retention_from_one_year_to_another_and_stated_for_two_years():
    result = extract(
        "光信智能云服务业务客户留存率由2021年的88.6%变为2023年的74.3%。"
        "智能硬件业务客户留存率2023年为69.2%，2021年为80.5%。"
    )
    assert rows(result) == [
        ("guangxin", "customer_retention_pct", "segment:云服务", "FY2021", 88.6, "", "exact"),
        ("guangxin", "customer_retention_pct", "segment:云服务", "FY2023", 74.3, "", "exact"),
        ("guangxin", "customer_retention_pct", "segment:智能硬件", "FY2023", 69.2, "", "exact"),
        ("guangxin", "customer_retention_pct", "segment:智能硬件", "FY2021", 80.5, "", "exact"),
    ]


def test_a_share_stated_once_for_a_range_covers_the_span():
    result = extract("2022年至2023年，光信智能云端部署收入占比超过58.4%。")
    assert rows(result) == [
        ("guangxin", "revenue_share_pct", "deployment:云端部署", "CUM-FY2022-FY2023", 58.4, "", "lower_bound")
    ]


def test_three_years_and_a_half_include_the_half_year():
    result = extract(
        "2021年、2022年、2023年及2024年上半年，光信智能收入分别为1.2亿元、2.3亿元、3.1亿元及1.4亿元。"
        "按2021年至2023年计算，收入复合年增长率为60.7%。"
        "近三年半，本地化部署贡献了公司72.5%的收入；报告期内，光信智能累计亏损约9.6亿元。"
    )
    assert [(r[1], r[2], r[3], r[4]) for r in rows(result)][5:] == [
        ("revenue_share_pct", "deployment:本地化部署", "CUM-FY2021-H1-2024", 72.5),
        ("net_profit", "", "CUM-FY2021-H1-2024", -960e6),
    ]


# --- offerings ------------------------------------------------------------------------------------


def test_opening_price_written_before_the_opening_and_a_fall_that_is_negative():
    result = extract(
        "光信智能今日在港交所上市，以18.42港元开盘，较发行价高开21.3%；收盘报14.06港元，较发行价回落7.4%。",
        published=date(2025, 9, 1),
    )
    assert [(r[1], r[4]) for r in rows(result)] == [
        ("opening_price", 18.42),
        ("opening_change_pct", 21.3),
        ("first_day_close_price", 14.06),
        ("first_day_change_pct", -7.4),
    ]


def test_cornerstones_counted_then_subscribing_together():
    result = extract(
        "基石投资者方面，光信智能共引入6名基石，合计认购9.85亿港元。"
        "海韵科技获7名基石投资者认购合共超4.2亿港元，包括凌云数据认购0.8亿港元。",
        subjects=("guangxin", "haiyun"),
    )
    assert [(r[0], r[1], r[4], r[6]) for r in rows(result)] == [
        ("guangxin", "cornerstone_count", 6, "exact"),
        ("guangxin", "cornerstone_amount", 985e6, "exact"),
        ("haiyun", "cornerstone_count", 7, "exact"),
        ("haiyun", "cornerstone_amount", 420e6, "lower_bound"),
    ]


def test_investors_listed_before_the_count_are_not_the_figures_company():
    result = extract(
        "光信智能吸引了长线基金组成的基石阵容，腾讯旗下腾讯投资、淡马锡等五位基石投资者合计认购约18.3亿港元。"
    )
    assert rows(result) == [
        ("guangxin", "cornerstone_count", "", "2025-09-01", 5, "", "exact"),
        ("guangxin", "cornerstone_amount", "", "2025-09-01", 1.83e9, "HKD", "approx"),
    ]


def test_market_rank_as_the_company_of_a_market():
    result = extract("按收入计，光信智能是中国工业质检市场排名第四的企业。")
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [("market_rank", "market:中国工业质检市场", 4)]


def test_a_withdrawn_star_market_plan_is_planned_proceeds():
    result = extract("光信智能此前曾计划在科创板募资6.5亿元人民币，但仅四个月后便撤回申请。")
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [("planned_proceeds", "exchange:STAR", 650e6)]


def test_use_of_proceeds_with_equal_percentages_and_the_first_purpose():
    result = extract(
        "凌雲數據募集資金淨額中，65%擬用於潛在收購，15%將用於建設算力中心，15%（約0.9億港元）將用於提升研發能力，"
        "餘下5%用作營運資金。",
        subjects=("lingyun",),
        language="zh-Hant",
    )
    assert [(r[1], r[2], r[4]) for r in rows(result)] == [
        ("use_of_proceeds_pct", "purpose:潜在收购", 65),
        ("use_of_proceeds_pct", "purpose:建设算力中心", 15),
        ("use_of_proceeds_pct", "purpose:提升研发能力", 15),
        ("use_of_proceeds_amount", "purpose:提升研发能力", 90e6),
        ("use_of_proceeds_pct", "purpose:营运资金", 5),
    ]


def test_a_segment_named_like_a_firm_is_not_an_unknown_company():
    result = extract(
        "按业务划分，2024年光信智能金融科技收入占总收入的44.6%；2023年，来自教育科技的收入占比达21.3%。"
    )
    assert [(r[1], r[2], r[3], r[4]) for r in rows(result)] == [
        ("revenue_share_pct", "segment:金融科技", "FY2024", 44.6),
        ("revenue_share_pct", "segment:教育科技", "FY2023", 21.3),
    ]
