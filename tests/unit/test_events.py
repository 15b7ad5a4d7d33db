"""Offering events: type, date and precision, exchange, company — other companies, both scripts."""

from datetime import date

import pytest

from ingest.companies import CompanyMatcher
from ingest.events import extract_events
from ingest.text import Document


def _events(
    text,
    subject_ids=("mobvoi",),
    published_at=date(2026, 1, 8),
    language="zh-Hans",
    body_start=0,
):
    doc = Document("d1", "d1.txt", text, published_at, language, body_start=body_start)
    df = extract_events(doc, CompanyMatcher.from_seed(), list(subject_ids))
    for row in df.iter_rows(named=True):
        assert doc.text[row["char_start"] : row["char_end"]] == row["quote"]
    return [
        (
            r["company_id"],
            r["event_type"],
            r["exchange"],
            r["event_date"],
            r["date_precision"],
        )
        for r in df.iter_rows(named=True)
    ]


def test_star_filing_then_withdrawal_three_months_later_known_to_the_year():
    text = "早在2019年，在冲刺科创板上市的浪潮中，出门问问便已递交申请，但仅三个月后便主动撤回。"
    assert _events(text) == [
        ("mobvoi", "filing", "STAR", date(2019, 1, 1), "year"),
        ("mobvoi", "withdrawal", "STAR", date(2019, 1, 1), "year"),
    ]


def test_withdrawal_offset_from_a_day_date_is_computed():
    text = "2024年3月5日，地平线向科创板递交上市申请，两个月后撤回申请。"
    assert _events(text) == [
        ("horizon_robotics", "filing", "STAR", date(2024, 3, 5), "day"),
        ("horizon_robotics", "withdrawal", "STAR", date(2024, 5, 5), "day"),
    ]


def test_hong_kong_path_filing_approval_hearing_traditional():
    text = "直至2023年8月，第四範式轉戰港股，並在兩年內三度遞表，最終在2025年2月獲得「路條」，3月通過聆訊。"
    assert _events(text, subject_ids=("fourth_paradigm",), language="zh-Hant") == [
        ("fourth_paradigm", "filing", "HKEX", date(2023, 8, 1), "month"),
        ("fourth_paradigm", "approval", "HKEX", date(2025, 2, 1), "month"),
        ("fourth_paradigm", "hearing_passed", "HKEX", date(2025, 3, 1), "month"),
    ]


def test_listing_with_weekday_in_brackets_traditional():
    text = "MiniMax於1月9日（週五）在港交所掛牌上市，開盤大漲。"
    assert _events(text, subject_ids=(), published_at=date(2026, 1, 5), language="zh-Hant") == [
        ("minimax", "listing", "HKEX", date(2026, 1, 9), "day")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "優必選於2023年12月29日登陸港交所。",
            ("ubtech", "listing", "HKEX", date(2023, 12, 29), "day"),
        ),
        (
            "云从科技于2022年5月27日登陆科创板。",
            ("cloudwalk", "listing", "STAR", date(2022, 5, 27), "day"),
        ),
        (
            "2019年7月，出门问问登陆纳斯达克。",
            ("mobvoi", "listing", "NASDAQ", date(2019, 7, 1), "month"),
        ),
        (
            "刚刚，黑芝麻智能通过聆讯。",
            ("black_sesame", "hearing_passed", "HKEX", date(2026, 1, 8), "day"),
        ),
        (
            "速腾聚创于1月2日启动招股。",
            ("robosense", "prospectus", "", date(2026, 1, 2), "day"),
        ),
        (
            "2025年6月30日，这家公司在港交所敲响了上市铜锣。",
            ("mobvoi", "listing", "HKEX", date(2025, 6, 30), "day"),
        ),
    ],
)
def test_single_events(text, expected):
    assert _events(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "黑芝麻智能通过聆讯后表现平稳。",  # no date, not today: no event row
        "与同期成功上市的云从科技和云天励飞相比，它沉寂了两年。",  # not an event trigger
        "智谱在港交所正式上市，意味着中国大模型企业首次完成定价。",
    ],
)
def test_no_event_without_a_date(text):
    assert _events(text) == []


def test_refiling_without_its_own_date_is_not_given_the_filing_date():
    rows = _events("2023年6月，出门问问转战港股，并在两年内三度递表。")
    assert [r[1] for r in rows] == ["filing"]


def test_same_event_repeated_is_one_row():
    text = "出门问问于2023年4月24日登陆港交所。2023年4月24日，出门问问在港交所挂牌上市。"
    assert _events(text) == [("mobvoi", "listing", "HKEX", date(2023, 4, 24), "day")]


def test_front_matter_is_not_searched():
    front = "---\nsummary: 壁仞于2025年1月2日登陆港交所\n---\n"
    text = front + "出门问问于2023年4月24日登陆港交所。"
    assert _events(text, body_start=len(front)) == [("mobvoi", "listing", "HKEX", date(2023, 4, 24), "day")]


def test_event_in_sentence_about_another_company_is_not_given_to_subject():
    rows = _events("此前，优必选已于2023年12月29日登陆港交所。", subject_ids=("mobvoi",))
    assert rows == [("ubtech", "listing", "HKEX", date(2023, 12, 29), "day")]


@pytest.mark.parametrize(
    "text",
    [
        "出门问问计划于2026年在港交所上市。",  # a plan is not an event
        "2025年3月，出门问问未能通过聆讯。",  # negated
        "据壁仞科技招股书显示，2025年6月收入增长。",  # 招股书 is not a prospectus launch
    ],
)
def test_planned_or_negated_triggers_are_not_events(text):
    assert _events(text) == []


def test_event_of_an_unknown_company_is_not_given_to_the_subject():
    text = "与同期上市的摩尔线程相比，出门问问估值更低。摩尔线程则于12月5日登陆科创板。"
    assert _events(text) == []


def test_lapsed_filing_is_a_withdrawal_and_refiling_keeps_the_date_of_its_clause():
    text = "出门问问于2024年12月首次递表，2025年6月递表失效后再次递表。"
    assert _events(text) == [
        ("mobvoi", "filing", "HKEX", date(2024, 12, 1), "month"),
        ("mobvoi", "withdrawal", "HKEX", date(2025, 6, 1), "month"),
        ("mobvoi", "refiling", "HKEX", date(2025, 6, 1), "month"),
    ]


# ---------------------------------------------------------------------------------------------------
# Listing dates written with weekdays and relative days, scheduled listings, two listings at once


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        (  # 昨日 + weekday in brackets, "在港交所主板挂牌"
            "人形機器人製造商優必選昨日（週五）在港交所主板掛牌，首日表現亮麗。",
            date(2025, 11, 15),
            ("ubtech", "listing", "HKEX", date(2025, 11, 14), "day"),
        ),
        (  # a relative day with the date and weekday in brackets, "在主板挂牌"
            "速騰聚創將於明日（3月12日，星期四）上午九時半在主板掛牌。",
            date(2026, 3, 11),
            ("robosense", "listing", "HKEX", date(2026, 3, 12), "day"),
        ),
        (  # a listing expected on a stated day is the scheduled listing date
            "黑芝麻智能預期於4月2日在港交所主板掛牌。",
            date(2026, 3, 20),
            ("black_sesame", "listing", "HKEX", date(2026, 4, 2), "day"),
        ),
        (
            "出门问问预计于12月16日（星期二）在港交所主板挂牌，股份代号为2438。",
            date(2025, 12, 8),
            ("mobvoi", "listing", "HKEX", date(2025, 12, 16), "day"),
        ),
        (  # 上周五 from a Monday is the previous week's Friday
            "地平線（Horizon）已於上周五通過港交所上市聆訊，最快本月底掛牌。",
            date(2025, 11, 10),
            ("horizon_robotics", "hearing_passed", "HKEX", date(2025, 11, 7), "day"),
        ),
        (  # 上市 right after a day date, the exchange from elsewhere in the sentence
            "另一家港股机器人公司优必选已于2023年12月29日上市。",
            date(2025, 10, 14),
            ("ubtech", "listing", "HKEX", date(2023, 12, 29), "day"),
        ),
        (  # 在 + any exchange + 上市
            "出門問問於2019年7月在納斯達克上市，其後退市。",
            date(2025, 10, 14),
            ("mobvoi", "listing", "NASDAQ", date(2019, 7, 1), "month"),
        ),
        (  # a STAR Market filing written 申报科创板
            "云从科技曾于2020年6月申报科创板，拟募资37.5亿元。",
            date(2025, 10, 14),
            ("cloudwalk", "filing", "STAR", date(2020, 6, 1), "month"),
        ),
    ],
)
def test_listing_and_filing_date_forms(text, published_at, expected):
    language = "zh-Hant" if any(ch in text for ch in "於將區預掛聆") else "zh-Hans"
    assert _events(text, published_at=published_at, language=language) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "出门问问计划明年在港交所上市。",  # a plan without a day
        "地平线最快本月底掛牌。",
        "黑芝麻智能预计于年内在港交所主板挂牌。",
        "与2023年12月29日上市的优必选相比，地平线估值更高。",  # an adjective, not an event
    ],
)
def test_plans_without_a_day_are_not_events(text):
    assert _events(text, published_at=date(2025, 11, 10)) == []


def test_two_companies_listing_on_the_same_day_give_one_event_each():
    text = "11月6日，AI芯片公司黑芝麻智能与激光雷达方案商速腾聚创同日登陆港交所。"
    assert _events(text, subject_ids=("black_sesame", "robosense"), published_at=date(2025, 11, 6)) == [
        ("black_sesame", "listing", "HKEX", date(2025, 11, 6), "day"),
        ("robosense", "listing", "HKEX", date(2025, 11, 6), "day"),
    ]


def test_offer_start_takes_the_documents_exchange_when_its_sentence_names_none():
    text = "优必选今日（12月8日）起至12月11日招股，每手100股。公司预计于12月16日在港交所挂牌。"
    rows = _events(text, subject_ids=("ubtech",), published_at=date(2025, 12, 8))
    assert rows == [
        ("ubtech", "prospectus", "HKEX", date(2025, 12, 8), "day"),
        ("ubtech", "listing", "HKEX", date(2025, 12, 16), "day"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "星河智能的新产品将在今年下半年正式上市销售。",
        "優必選新款機器人於3月1日正式上市開售。",
        "该车型已于2025年4月18日上市销售，首月交付超过五千台。",
    ],
)
def test_a_product_going_on_sale_is_not_a_listing(text):
    assert _events(text) == []
