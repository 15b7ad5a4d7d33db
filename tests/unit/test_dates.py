"""Date mentions: table-driven, both scripts, resolved against a publication date."""

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.dates import DateMention, find_dates, period_end
from ingest.text import fold

PUB = date(2026, 1, 8)  # a Thursday


def _dates(text: str, published_at: date = PUB) -> list[tuple[str, date, str]]:
    folded = fold(text)
    return [(text[d.start : d.end], d.value, d.precision) for d in find_dates(folded, published_at)]


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        ("于2025年6月30日上市", PUB, [("2025年6月30日", date(2025, 6, 30), "day")]),
        ("於2025年6月30日上市", PUB, [("2025年6月30日", date(2025, 6, 30), "day")]),
        ("（2025/6/30）", PUB, [("2025/6/30", date(2025, 6, 30), "day")]),
        ("日期2025-06-30", PUB, [("2025-06-30", date(2025, 6, 30), "day")]),
        (
            "２０２５年４月获得路条",
            PUB,
            [("２０２５年４月", date(2025, 4, 1), "month")],
        ),
        ("早在2020年递交申请", PUB, [("2020年", date(2020, 1, 1), "year")]),
        ("智東西1月8日報道", PUB, [("1月8日", date(2026, 1, 8), "day")]),
        # a yearless date more than ~2 months after publication is last year's
        ("12月20日通过聆讯", PUB, [("12月20日", date(2025, 12, 20), "day")]),
        ("3月1日招股", PUB, [("3月1日", date(2026, 3, 1), "day")]),
        ("3月15日招股", PUB, [("3月15日", date(2025, 3, 15), "day")]),
        ("今年5月完成B6轮融资", PUB, [("今年5月", date(2026, 5, 1), "month")]),
        ("去年递表", PUB, [("去年", date(2025, 1, 1), "year")]),
        ("去年12月3日递表", PUB, [("去年12月3日", date(2025, 12, 3), "day")]),
        ("周四挂牌", PUB, [("周四", date(2026, 1, 8), "day")]),
        ("週五掛牌", PUB, [("週五", date(2026, 1, 9), "day")]),
        ("星期一招股", PUB, [("星期一", date(2026, 1, 5), "day")]),
        ("星期日", PUB, [("星期日", date(2026, 1, 11), "day")]),
        ("下周一上市", PUB, [("下周一", date(2026, 1, 12), "day")]),
        # 上周/下周/本周 name calendar weeks (Monday to Sunday), whatever the publication weekday.
        ("上周五通过聆讯", date(2025, 11, 10), [("上周五", date(2025, 11, 7), "day")]),  # a Monday
        ("上週五通過聆訊", date(2025, 11, 16), [("上週五", date(2025, 11, 7), "day")]),  # a Sunday
        ("下周一上市", date(2025, 11, 16), [("下周一", date(2025, 11, 17), "day")]),
        ("本周三招股", date(2025, 11, 16), [("本周三", date(2025, 11, 12), "day")]),
        ("昨日（週五）在港交所掛牌", date(2025, 11, 15), [("昨日（週五）", date(2025, 11, 14), "day")]),
        ("12月16日（星期二）挂牌", date(2025, 12, 8), [("12月16日（星期二）", date(2025, 12, 16), "day")]),
        (
            "MiniMax於1月9日（週五）在港交所掛牌",
            PUB,
            [("1月9日（週五）", date(2026, 1, 9), "day")],
        ),
        ("同日股价上涨", PUB, [("同日", PUB, "day")]),
        (
            "2025年6月30日上市，当日股价飙升",
            PUB,
            [
                ("2025年6月30日", date(2025, 6, 30), "day"),
                ("当日", date(2025, 6, 30), "day"),
            ],
        ),
        ("今日招股", date(2025, 12, 1), [("今日", date(2025, 12, 1), "day")]),
        (
            "2024年12月递表，1月通过聆讯",
            PUB,
            [
                ("2024年12月", date(2024, 12, 1), "month"),
                ("1月", date(2025, 1, 1), "month"),
            ],
        ),
        ("2025年1-6月收入", PUB, [("2025年", date(2025, 1, 1), "year")]),
        (
            "2022年至2024年",
            PUB,
            [
                ("2022年", date(2022, 1, 1), "year"),
                ("2024年", date(2024, 1, 1), "year"),
            ],
        ),
        ("仅三个月后便撤回，持续6个月", PUB, []),
        ("截至9點58分，股价上涨", PUB, []),
        ("2025年2月30日", PUB, []),
        ("每周四公布", PUB, []),
    ],
)
def test_find_dates(text, published_at, expected):
    assert _dates(text, published_at) == expected


def test_yearless_month_takes_year_of_earlier_date_in_same_sentence():
    text = "直至2023年6月，该公司转战港股，最终在2025年4月获得“路条”，6月通过聆讯。"
    assert _dates(text)[-1] == ("6月", date(2025, 6, 1), "month")


def test_anchor_year_does_not_cross_sentences():
    text = "2023年6月转战港股。6月通过聆讯。"
    # second sentence: no anchor, publication 2026-01-08 → 2026-06 is > 2 months later → 2025-06
    assert _dates(text)[-1] == ("6月", date(2025, 6, 1), "month")


def test_offsets_point_into_original_text():
    text = "智譜於２０２６年１月８日（週四）在港交所掛牌"
    (mention,) = find_dates(fold(text), PUB)
    assert text[mention.start : mention.end] == "２０２６年１月８日（週四）"
    assert mention.value == date(2026, 1, 8)


def test_period_end_by_precision():
    assert period_end(DateMention(0, 1, date(2025, 6, 1), "month")) == date(2025, 6, 30)
    assert period_end(DateMention(0, 1, date(2024, 2, 1), "month")) == date(2024, 2, 29)
    assert period_end(DateMention(0, 1, date(2025, 1, 1), "year")) == date(2025, 12, 31)
    assert period_end(DateMention(0, 1, date(2025, 6, 3), "day")) == date(2025, 6, 3)


@given(st.text(alphabet="2025年1-6月日周四今去同当/.0123456789星期，。 ", max_size=60))
def test_mentions_are_ordered_non_overlapping_and_inside_the_text(text):
    mentions = find_dates(text, PUB)
    assert all(0 <= m.start < m.end <= len(text) for m in mentions)
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))
    assert all(m.precision in ("day", "month", "year") for m in mentions)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("18日，X在科创板挂牌上市", date(2019, 11, 19), [date(2019, 11, 18)]),
        ("预期19日挂牌", date(2025, 9, 12), [date(2025, 9, 19)]),
        ("30日，X递交申请", date(2025, 10, 2), [date(2025, 9, 30)]),  # the month before is nearer
        ("2日，X上市", date(2025, 9, 30), [date(2025, 10, 2)]),
        ("连续3日上涨，3日内完成，30日均线", date(2025, 9, 12), []),  # durations and averages
    ],
)
def test_a_day_of_the_month_alone_is_the_nearest_such_date(text, published, expected):
    assert [m.value for m in find_dates(text, published)] == expected
