"""Period grammar: reporting periods, as-of dates, ranges, lists and relative dates."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.periods import (
    CUM_MARKER,
    cumulative,
    find_periods,
    fiscal_year,
    fy,
    half,
    is_relative_year,
    months_to_period,
    years_back,
)
from ingest.text import fold

PUB = date(2026, 1, 8)
PUB_SUMMER = date(2025, 8, 23)

# (text, publication date, [(role, label, [part labels]), ...])
PERIOD_CASES = [
    ("2024年", PUB, [("period", "FY2024", ["FY2024"])]),
    ("2024年度", PUB, [("period", "FY2024", ["FY2024"])]),
    ("2024财年", PUB, [("period", "FY2024", ["FY2024"])]),
    ("2025年上半年", PUB, [("period", "H1-2025", ["H1-2025"])]),
    ("2025年1-6月", PUB, [("period", "H1-2025", ["H1-2025"])]),
    ("2025年1至6月", PUB, [("period", "H1-2025", ["H1-2025"])]),
    ("截至2025年6月30日止六个月", PUB, [("period", "H1-2025", ["H1-2025"])]),
    ("截至2025年6月30日止六個月", PUB, [("period", "H1-2025", ["H1-2025"])]),
    ("2024年下半年", PUB, [("period", "H2-2024", ["H2-2024"])]),
    ("2025年前三季度", PUB, [("period", "9M-2025", ["9M-2025"])]),
    ("2025年1-9月", PUB, [("period", "9M-2025", ["9M-2025"])]),
    ("截至2025年9月30日止九個月", PUB, [("period", "9M-2025", ["9M-2025"])]),
    ("今年首三季", date(2025, 11, 10), [("period", "9M-2025", ["9M-2025"])]),
    ("2025年第三季度", PUB, [("period", "Q3-2025", ["Q3-2025"])]),
    ("2025年Q1", PUB, [("period", "Q1-2025", ["Q1-2025"])]),
    ("截至2025年9月30日止的三个月", PUB, [("period", "Q3-2025", ["Q3-2025"])]),
    ("截至2024年12月31日止年度", PUB, [("period", "FY2024", ["FY2024"])]),
    ("截至今年6月底止六個月", date(2023, 12, 18), [("period", "H1-2023", ["H1-2023"])]),
    ("截至2024年12月底止年度", PUB, [("period", "FY2024", ["FY2024"])]),
    ("截至今日", PUB, [("as_of", "2026-01-08", ["2026-01-08"])]),
    ("FY2024", PUB, [("period", "FY2024", ["FY2024"])]),
    ("2025年11月", PUB, [("period", "M-2025-11", ["M-2025-11"])]),
    ("截至2025年6月30日", PUB, [("as_of", "2025-06-30", ["2025-06-30"])]),
    ("截至2024年末", PUB, [("as_of", "2024-12-31", ["2024-12-31"])]),
    ("截至上市前", PUB, [("as_of", "2026-01-08", ["2026-01-08"])]),
    ("截至目前", PUB, [("as_of", "2026-01-08", ["2026-01-08"])]),
    ("于2025年9月30日为", PUB, [("as_of", "2025-09-30", ["2025-09-30"])]),
    ("2025年6月30日挂牌", PUB, [("date", "2025-06-30", ["2025-06-30"])]),
    ("2025/6/30", PUB, [("date", "2025-06-30", ["2025-06-30"])]),
    # month-day and month without a year resolve from the publication date
    ("1月8日报道", PUB, [("date", "2026-01-08", ["2026-01-08"])]),
    ("截至6月30日", PUB_SUMMER, [("as_of", "2025-06-30", ["2025-06-30"])]),
    ("12月20日", PUB, [("date", "2025-12-20", ["2025-12-20"])]),
    ("上半年", PUB_SUMMER, [("period", "H1-2025", ["H1-2025"])]),
    ("下半年", PUB_SUMMER, [("period", "H2-2025", ["H2-2025"])]),
    ("今年5月", PUB, [("period", "M-2025-05", ["M-2025-05"])]),  # not yet May 2026: last year's May
    ("今年5月", PUB_SUMMER, [("period", "M-2025-05", ["M-2025-05"])]),
    ("去年", PUB, [("period", "FY2025", ["FY2025"])]),
    ("今年", PUB_SUMMER, [("period", "FY2025", ["FY2025"])]),
    ("昨日（週五）掛牌", date(2025, 11, 15), [("day", "2025-11-14", ["2025-11-14"])]),
    ("今日起招股", PUB, [("day", "2026-01-08", ["2026-01-08"])]),
    # ranges and lists
    ("2022年至2024年", PUB, [("list", "CUM-FY2022-FY2024", ["FY2022", "FY2023", "FY2024"])]),
    ("2022-2024年", PUB, [("list", "CUM-FY2022-FY2024", ["FY2022", "FY2023", "FY2024"])]),
    ("2020至2022年度", PUB, [("list", "CUM-FY2020-FY2022", ["FY2020", "FY2021", "FY2022"])]),
    (
        "2022年~2025年1-6月",
        PUB,
        [("list", "CUM-FY2022-H1-2025", ["FY2022", "FY2023", "FY2024", "H1-2025"])],
    ),
    (
        "2022年、2023年、2024年以及2025年上半年",
        PUB,
        [("list", "CUM-FY2022-H1-2025", ["FY2022", "FY2023", "FY2024", "H1-2025"])],
    ),
    (
        "截至2023年及2024年12月31日止年度以及截至2025年9月30日止九個月",
        PUB,
        [("list", "CUM-FY2023-9M-2025", ["FY2023", "FY2024", "9M-2025"])],
    ),
    ("2024年、2025年1-6月", PUB, [("list", "CUM-FY2024-H1-2025", ["FY2024", "H1-2025"])]),
    # Hong Kong prospectus style: Chinese numerals, years sharing one period end
    (
        "截至二零二一年及二零二二年十二月三十一日止年度",
        PUB,
        [("list", "CUM-FY2021-FY2022", ["FY2021", "FY2022"])],
    ),
    (
        "截至二〇二一年、二〇二二年及二〇二三年十二月三十一日止年度以及截至二〇二四年六月三十日止六個月",
        PUB,
        [("list", "CUM-FY2021-H1-2024", ["FY2021", "FY2022", "FY2023", "H1-2024"])],
    ),
    ("截至二零二四年九月三十日止九個月", PUB, [("period", "9M-2024", ["9M-2024"])]),
    ("截至二零二四年六月三十日", PUB, [("as_of", "2024-06-30", ["2024-06-30"])]),
    ("二〇二三年", PUB, [("period", "FY2023", ["FY2023"])]),
    ("二零二三年十一月", PUB, [("period", "M-2023-11", ["M-2023-11"])]),
    # fiscal years ending in another month are labelled by the year they end in
    ("截至2024年3月31日止年度", PUB, [("period", "FY2024", ["FY2024"])]),
    (
        "截至2023年及2024年6月30日止年度",
        PUB,
        [("list", "CUM-FY2023-FY2024", ["FY2023", "FY2024"])],
    ),
    # comparison bases are marked, never the period of a figure
    (
        "較2024年同期增長",
        PUB,
        [("comparison", "FY2024", ["FY2024"]), ("comparison", "2026-01-08", [])],
    ),
    ("较2023年的3.02亿美元", PUB, [("comparison", "FY2023", ["FY2023"])]),
    ("同期净利润", PUB, [("same_period", "2026-01-08", [])]),
]


@pytest.mark.parametrize(("text", "published", "expected"), PERIOD_CASES)
def test_find_periods(text, published, expected):
    found = [
        (p.role, p.period.label, [x.label for x in p.parts]) for p in find_periods(fold(text), published)
    ]
    assert found == expected


def test_offsets_point_into_the_original_text():
    text = "收入方面，截至2025年6月30日止六個月收益為3.41億元"
    (p,) = find_periods(fold(text), PUB)
    assert text[p.start : p.end] == "截至2025年6月30日止六個月"
    assert (p.period.start, p.period.end) == (date(2025, 1, 1), date(2025, 6, 30))


def test_a_fiscal_year_ending_in_march_runs_from_april():
    (p,) = find_periods(fold("截至2025年3月31日止年度"), PUB)
    assert (p.period.period_type, p.period.start, p.period.end, p.period.label) == (
        "FY",
        date(2024, 4, 1),
        date(2025, 3, 31),
        "FY2025",
    )
    (listed,) = find_periods(fold("截至二零二三年及二零二四年六月三十日止年度"), PUB)
    assert [(x.start, x.end) for x in listed.parts] == [
        (date(2022, 7, 1), date(2023, 6, 30)),
        (date(2023, 7, 1), date(2024, 6, 30)),
    ]
    assert fiscal_year(date(2024, 12, 31)) == fy(2024)


def test_chinese_numeral_dates_keep_offsets():
    text = "據招股書，截至二零二四年六月三十日止六個月，收益為人民幣3.1億元"
    (p,) = find_periods(fold(text), PUB)
    assert text[p.start : p.end] == "截至二零二四年六月三十日止六個月"
    assert p.period.label == "H1-2024"


@pytest.mark.parametrize(
    ("text", "back", "relative"),
    [
        ("上年", 1, True),
        ("去年同期", 1, True),
        ("前年", 2, True),
        ("今年", None, True),
        ("2023年", None, False),
    ],
)
def test_years_counted_back(text, back, relative):
    assert years_back(text) == back
    assert is_relative_year(text) is relative


@pytest.mark.parametrize(
    "text",
    [
        "三年累计亏损",
        "三年零九个月内",
        "三年半时间内",
        "近三年半",
        "报告期内",
        "累计研发投入",
        "三年亏损近15亿",
        "往绩记录期内",
    ],
)
def test_cumulative_markers(text):
    assert CUM_MARKER.search(fold(text))


@pytest.mark.parametrize("text", ["2024年收入", "三年前撤回申请", "第三年", "五年前"])
def test_not_cumulative(text):
    assert not CUM_MARKER.search(fold(text))


def test_cumulative_label_spans_its_parts():
    p = cumulative([fy(2022), fy(2023), fy(2024), half(2025, 1)])
    assert (p.period_type, p.label) == ("CUM", "CUM-FY2022-H1-2025")
    assert (p.start, p.end) == (date(2022, 1, 1), date(2025, 6, 30))


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (1, 12, "FY2025"),
        (1, 6, "H1-2025"),
        (7, 12, "H2-2025"),
        (1, 9, "9M-2025"),
        (4, 6, "Q2-2025"),
        (3, 3, "M-2025-03"),
    ],
)
def test_month_spans(first, last, label):
    assert months_to_period(2025, first, last).label == label


def test_irregular_month_span_is_not_a_period():
    assert months_to_period(2025, 2, 7) is None


@pytest.mark.parametrize(
    ("text", "label"),
    [("富途3Q25纪要", "Q3-2025"), ("1H25业绩", "H1-2025"), ("FY24收入", "FY2024"), ("2H2024", "H2-2024")],
)
def test_quarters_and_halves_written_before_a_two_digit_year(text, label):
    assert [p.period.label for p in find_periods(fold(text), PUB)] == [label]


def test_a_quarter_glued_to_a_word_is_no_period():
    assert find_periods(fold("型号A3Q25与B1H25"), PUB) == []


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2022、2023及2024年收入分别为", ["FY2022", "FY2023", "FY2024"]),
        ("2023及2024年度", ["FY2023", "FY2024"]),
        ("2024及2023年度则分别录得亏损", ["FY2024", "FY2023"]),  # in the order written: a series follows it
    ],
)
def test_bare_years_sharing_the_last_one_s_year_word_are_a_list(text, parts):
    [mention] = find_periods(fold(text), PUB)
    assert (mention.role, [p.label for p in mention.parts]) == ("list", parts)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("报告期(2022年至2025年6月30日)各期", ["FY2022", "FY2023", "FY2024", "H1-2025"]),
        ("2023年至2025年9月30日", ["FY2023", "FY2024", "9M-2025"]),
        ("2023年至2025年3月31日止", ["FY2023", "FY2024", "Q1-2025"]),
        ("2022年至2024年12月31日", ["FY2022", "FY2023", "FY2024"]),
    ],
)
def test_a_range_of_years_ending_on_a_reporting_day(text, parts):
    [mention] = find_periods(fold(text), date(2025, 12, 31))
    assert (mention.role, [p.label for p in mention.parts]) == ("list", parts)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("截至2025年5月底止五個月", "CUM-M-2025-01-M-2025-05"),
        ("截至2025年4月30日止四个月", "CUM-M-2025-01-M-2025-04"),
        ("2025年前5个月", "CUM-M-2025-01-M-2025-05"),
        ("今年首4個月錄得收入", "CUM-M-2025-01-M-2025-04"),
        ("截至2025年6月30日止六个月", "H1-2025"),  # the usual periods keep their own types
    ],
)
def test_the_first_months_of_a_year_that_are_no_quarter_or_half(text, label):
    [mention] = find_periods(fold(text), date(2025, 9, 12))
    assert mention.period.label == label
