"""Number grammar: numerals, scales, currencies, units, qualifiers, and what is not a number."""

from __future__ import annotations

import pytest

from ingest.numbers import find_quantities, parse_chinese_numeral, parse_number
from ingest.text import fold

PARSE_CASES = [
    ("1,541.93", 1541.93),
    ("12,000", 12000),
    ("0.57", 0.57),
    ("-1.44", -1.44),
    ("一百二十", 120),
    ("两千", 2000),
    ("三千五百", 3500),
    ("十", 10),
    ("十五", 15),
    ("二十万", 200_000),
    ("一亿二千万", 120_000_000),
    ("三万亿", 3e12),
    ("二〇二四", 2024),
    ("十余", 10),
    ("七成", 70),
    ("百分之五十", 50),
    ("4.2万亿", 4.2e12),
    ("3千万", 3e7),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "亿", "第一", "1.2.3"])
def test_parse_number_rejects_non_numbers(text):
    with pytest.raises(ValueError, match="not a"):
        parse_number(text)


def test_parse_chinese_numeral_names_bad_input():
    with pytest.raises(ValueError, match="'三个'"):
        parse_chinese_numeral("三个")


# (text, [(value, unit, currency, qualifier), ...]) — every quantity found, in order
QUANTITY_CASES = [
    ("收入为6亿元", [(6e8, "money", "CNY", "exact")]),
    ("收益為37.72億元人民幣", [(3.772e9, "money", "CNY", "exact")]),
    ("人民币9.12亿元", [(9.12e8, "money", "CNY", "exact")]),
    ("募资3.2亿港元", [(3.2e8, "money", "HKD", "exact")]),
    ("集資淨額約12.87億港幣", [(1.287e9, "money", "HKD", "approx")]),
    ("营收4,210万美元", [(4.21e7, "money", "USD", "exact")]),
    ("估值US$1.2 billion", [(1.2e9, "money", "USD", "exact")]),
    ("HK$116.2", [(116.2, "money", "HKD", "exact")]),
    ("RMB100万", [(1e6, "money", "CNY", "exact")]),
    ("HKD 5.2亿", [(5.2e8, "money", "HKD", "exact")]),
    ("USD 3,000万", [(3e7, "money", "USD", "exact")]),
    ("港幣1.5億元", [(1.5e8, "money", "HKD", "exact")]),
    ("发行价每股85港仙", [(0.85, "money", "HKD", "exact")]),
    ("净利润为-1.44亿元", [(-1.44e8, "money", "CNY", "exact")]),
    (
        "净亏损分别为-7.8亿元和-4.2亿元",
        [(-7.8e8, "money", "CNY", "exact"), (-4.2e8, "money", "CNY", "exact")],
    ),
    ("首日股价飙升52.20%", [(52.2, "pct", "", "exact")]),
    ("占比５４．４％", [(54.4, "pct", "", "exact")]),
    ("百分之三十五", [(35, "pct", "", "exact")]),
    ("大幅缩水了近七成", [(70, "pct", "", "approx")]),
    ("毛利率下降3.1个百分点", [(3.1, "pp", "", "exact")]),
    ("获1159.46倍认购", [(1159.46, "x", "", "exact")]),
    ("估值三年涨五倍", [(5, "x", "", "exact")]),
    ("11家基石投资者", [(11, "count", "", "exact")]),
    ("657名研发人员", [(657, "count", "", "exact")]),
    ("86項授權專利", [(86, "count", "", "exact")]),
    ("约8000万台", [(8e7, "count", "", "approx")]),
    ("超過4500萬次", [(4.5e7, "count", "", "lower_bound")]),
    ("十余家公司", [(10, "count", "", "lower_bound")]),
    ("3000多万元", [(3e7, "money", "CNY", "lower_bound")]),
    ("日均token消耗量达到4.2萬億", [(4.2e12, "", "", "exact")]),
    ("拥有600亿参数", [(6e10, "", "", "exact")]),
    ("市值突破220亿港元", [(2.2e10, "money", "HKD", "lower_bound")]),
    ("逾1,500家", [(1500, "count", "", "lower_bound")]),
    ("不足5亿元", [(5e8, "money", "CNY", "upper_bound")]),
    ("未达10%", [(10, "pct", "", "upper_bound")]),
    ("约50%左右", [(50, "pct", "", "approx")]),
    ("74%以上", [(74, "pct", "", "lower_bound")]),
    ("不低于35%", [(35, "pct", "", "lower_bound")]),
    ("大约3亿元", [(3e8, "money", "CNY", "approx")]),
    ("接近2万人", [(2e4, "count", "", "approx")]),
    ("10亿元以下", [(1e9, "money", "CNY", "upper_bound")]),
    # one amount in two scaled parts
    ("募资3亿5000万元", [(3.5e8, "money", "CNY", "exact")]),
    ("约三亿五千万元", [(3.5e8, "money", "CNY", "approx")]),
    # a change and a level, not a range
    ("营收同比增长20%至10亿元", [(20, "pct", "", "exact"), (1e9, "money", "CNY", "exact")]),
    # a minus sign right after a metric word, or before the currency word
    (
        "分别实现净利润-2.61亿元、-0.48亿元",
        [(-2.61e8, "money", "CNY", "exact"), (-4.8e7, "money", "CNY", "exact")],
    ),
    ("淨利潤為-人民幣4.73億元", [(-4.73e8, "money", "CNY", "exact")]),
    ("净亏损-US$1,250万", [(-1.25e7, "money", "USD", "exact")]),
]


@pytest.mark.parametrize(("text", "expected"), QUANTITY_CASES)
def test_find_quantities(text, expected):
    found = [(q.value, q.unit, q.currency, q.qualifier) for q in find_quantities(fold(text))]
    assert len(found) == len(expected), found
    for got, want in zip(found, expected, strict=True):
        assert got[0] == pytest.approx(want[0])
        assert got[1:] == want[1:]


RANGE_CASES = [
    ("招股价9.5至11.5港元", 9.5, 11.5, "HKD"),
    ("招股价9.5-11.5港元", 9.5, 11.5, "HKD"),
    ("招股价9.5~11.5港元", 9.5, 11.5, "HKD"),
    ("每股9.5港元至11.5港元", 9.5, 11.5, "HKD"),
    ("介乎每股18.0元至21.6元", 18.0, 21.6, "CNY"),
    ("预计收入50亿元至55亿元", 5e9, 5.5e9, "CNY"),
]


@pytest.mark.parametrize(("text", "low", "high", "currency"), RANGE_CASES)
def test_ranges(text, low, high, currency):
    (q,) = find_quantities(fold(text))
    assert (q.low, q.high, q.currency) == (pytest.approx(low), pytest.approx(high), currency)


def test_offsets_quote_the_original_text():
    text = "智譜募資總額超４３億港元（“綠鞋”前）"
    (q,) = find_quantities(fold(text))
    assert text[q.start : q.end] == "４３億港元"
    assert q.value == 4.3e9 and q.qualifier == "lower_bound"


def test_bare_yuan_is_flagged_for_hong_kong_contexts():
    (q,) = find_quantities(fold("每股13.6元"))
    assert q.bare_yuan and q.currency == "CNY"
    (q,) = find_quantities(fold("13.6港元"))
    assert not q.bare_yuan


@pytest.mark.parametrize(
    "text",
    [
        "2024年",  # a year
        "2025年6月30日",  # a date
        "1-9月",  # a month range
        "9點58分",  # a time
        "今年49歲",  # an age
        "近20年的經驗",  # a duration
        "三個月後便撤回",  # a duration
        "GLM-4.5",  # a model name
        "AutoGLM 2.0",  # a version
        "RTX 4090",  # a product number after a word
        "5G网络",  # a number glued to letters
        "[^1]",  # a footnote mark
        "六小虎",  # a Chinese numeral that is a word
        "一家公司",  # an article, not a count
        "第四名",  # an ordinal
        "灵枢-2模型",  # a hyphenated name
        "2025",  # a bare year
        "二〇二四年十二月三十一日",  # a date in Chinese numerals
        "天穹-3大模型",  # a hyphenated name, even after Chinese characters
        "2019年至2021年",  # a range of years
    ],
)
def test_not_quantities(text):
    assert find_quantities(fold(text)) == []
