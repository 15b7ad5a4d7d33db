"""Shareholder forms seen in real IPO coverage (our own sentences, modelled on their structure)."""

from datetime import date

import pytest

from ingest.companies import CompanyMatcher
from ingest.shareholders import extract_shareholders
from ingest.text import Document

PUB = date(2026, 1, 8)


def _rows(text, *cols, language="zh-Hans"):
    doc = Document("d1", "d1.txt", text, PUB, language)
    df = extract_shareholders(doc, CompanyMatcher.from_seed(), ["black_sesame"])
    for row in df.iter_rows(named=True):
        assert doc.text[row["char_start"] : row["char_end"]] == row["quote"]
    return [tuple(r[c] for c in cols) for r in df.iter_rows(named=True)]


def test_a_one_character_lead_in_inside_a_name_is_part_of_the_name():
    text = "基石投資者方面，其中星海能源集團認購約5,000萬美元、和而泰(深交所︰002402)認購約8,000萬港元。"
    cols = ("holder_name", "holder_type", "subscription_amount", "currency")
    assert _rows(text, *cols, language="zh-Hant") == [
        ("星海能源集团", "cornerstone", 5e7, "USD"),
        ("和而泰", "cornerstone", 8e7, "HKD"),
    ]


def test_a_plain_list_takes_the_role_the_previous_sentence_of_the_paragraph_named():
    text = (
        "公司此次引入了8名基石投资者，合共认购约3亿港元。"
        "且阵容堪称豪华，包括星海资本、LAV Star、远山创投等专业投资机构，"
        "也汇聚了南风基金、北辰香港等二级市场基金。"
        "\n且阵容堪称豪华，包括甲公司、乙公司等合作方。"
    )
    assert _rows(text, "holder_name", "holder_type") == [
        ("星海资本", "cornerstone"),
        ("LAV Star", "cornerstone"),
        ("远山创投", "cornerstone"),
        ("南风基金", "cornerstone"),
        ("北辰香港", "cornerstone"),
    ]  # the next paragraph names no role: its list is nobody's holders


def test_a_list_after_its_cue_runs_on_over_clauses_that_hold_only_names():
    text = (
        "消息称，公司已吸引约10名基石投資者，當中包括遠山資本、北海退休金計劃(NRP)，"
        "中東主權投資局(MSIA)、新加坡南洋基金，公司預計將為基石投資者預留超過20億美元股份。"
    )
    assert _rows(text, "holder_name", "holder_type", language="zh-Hant") == [
        ("远山资本", "cornerstone"),
        ("北海退休金计划", "cornerstone"),
        ("中东主权投资局", "cornerstone"),
        ("新加坡南洋基金", "cornerstone"),
    ]


def test_a_headline_list_before_a_cornerstone_verb():
    text = "【IPO追踪】星海汽车、远山电器、南风智控参与基石投资，某某微今起招股\n正文。"
    assert _rows(text, "holder_name", "holder_type") == [
        ("星海汽车", "cornerstone"),
        ("远山电器", "cornerstone"),
        ("南风智控", "cornerstone"),
    ]


def test_investors_of_funding_rounds_are_early_investors_and_a_citation_ends_the_list():
    text = (
        "融资情况 - 公司相继进行了十轮融资，金额总计约19亿元，投资者包括星海科技、远山产投、南风创投等[2] "
        "- IPO前，公司实际控制人张林合计控制约42.6%的投票权[2]"
    )
    assert _rows(text, "holder_name", "holder_type", "stake_pct") == [
        ("星海科技", "early_investor", None),
        ("远山产投", "early_investor", None),
        ("南风创投", "early_investor", None),
        ("张林", "controlling_group", 42.6),  # "实际控制人…控制": the title is not the stake's verb
    ]


def test_causes_time_phrases_and_possessives_are_not_holders():
    assert _rows("由于市场认购踊跃，公司启动回拨机制。", "holder_name") == []
    assert _rows("创始人发行后的持股比例也是由15.8%降至13.8%。", "holder_name") == []
    assert _rows("全额行使后合计控制38.3%的表决权。", "holder_name") == []
    assert _rows("星海医疗的13家基石投资者合共认购5亿元。", "holder_name") == []


def test_base_investors_of_hong_kong_papers_subscribing_shares_are_cornerstones():
    text = (
        "根據與基礎投資者訂立的基礎投資協定，基礎投資者認購的發售股份數目現已確定。"
        "其中 Northwind Funds 及 NWF Global 認購 5660.37 萬股、Lakeside Partners (UK) LLP 認購 3396.26 萬股、"
        "星海產業基金透過管理人某基金公司認購 1132.08 萬股發售股份。大戶最多認購 125.7 萬股。"
    )
    assert _rows(text, "holder_name", "holder_type", "subscription_amount", language="zh-Hant") == [
        ("Northwind Funds", "cornerstone", None),
        ("NWF Global", "cornerstone", None),
        ("Lakeside Partners (UK) LLP", "cornerstone", None),  # a bracket inside a name stays
        ("星海产业基金", "cornerstone", None),
    ]


def test_amounts_in_the_clause_after_the_names_go_to_them_in_order():
    text = (
        "公司引入兩名基礎投資者，分別為分眾星海及美國上市的遠山傳媒(Yuanshan)，"
        "分別認購3,000萬美元及1,000萬美元。"
    )
    cols = ("holder_name", "holder_type", "subscription_amount", "currency")
    assert _rows(text, *cols, language="zh-Hant") == [
        ("分众星海", "cornerstone", 3e7, "USD"),
        ("远山传媒", "cornerstone", 1e7, "USD"),  # "美国上市的" describes it; 传 is part of a name
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("星海智能为其控股股东，持股比例为52.47%。", [("星海智能", "controlling_group", 52.47)]),
        ("远山国际系该公司第二大股东，控制该公司18.98%股份。", [("远山国际", "other", 18.98)]),
        ("南风资本为公司第二大机构股东持有公司16.6%的股权。", [("南风资本", "other", 16.6)]),
        ("发行前北辰建投合计控制公司52.99%的股份。", [("北辰建投", "other", 52.99)]),
        ("创始人发行后的持股比例由15.8%降至13.8%。", []),
    ],
)
def test_a_holder_named_with_its_rank_among_shareholders(text, expected):
    assert _rows(text, "holder_name", "holder_type", "stake_pct") == expected


def test_share_subscriptions_of_several_names_and_names_after_a_description():
    text = (
        "基石投資者方面，星海資本認購3356.25萬股，北京遠山、SailStone及Sure Skill認購2192.7萬股，"
        "3W Fund認購1875萬股。基石投資者包括RTW基金、TruMed、專注於生物醫療領域投資的南風資本在內的多家機構。"
    )
    assert _rows(text, "holder_name", "holder_type", language="zh-Hant") == [
        ("星海资本", "cornerstone"),
        ("北京远山", "cornerstone"),
        ("SailStone", "cornerstone"),
        ("Sure Skill", "cornerstone"),
        ("3W Fund", "cornerstone"),  # a name may start with a digit before Latin letters
        ("RTW基金", "cornerstone"),
        ("TruMed", "cornerstone"),
        ("南风资本", "cornerstone"),  # the description before 的 is not the name
    ]
    assert _rows("美的集团认购5000万美元，作为基石投资者。", "holder_name") == [("美的集团",)]
