"""Offering events in the forms real coverage writes them: refilings, the STAR listing committee, CSRC
registration, listings on named boards, key-value dates, Hong Kong dealing notices, final prices,
昨晚 / 昨(13)日, two companies listing at once, and the document's exchange for a sentence naming none.

The sentences are our own, about fictional companies registered next to the seed.
"""

from datetime import date

import pytest

from ingest.companies import CompanyMatcher
from ingest.events import extract_events
from ingest.text import Document

G, H = "guangxin", "haiyun"
PUB = date(2025, 9, 1)


def _matcher() -> CompanyMatcher:
    matcher = CompanyMatcher.from_seed()
    matcher.add(G, "光信智能", "光信")
    matcher.add(H, "海韵科技")
    return matcher


def _events(text, subject_ids=(G,), published_at=PUB, language="zh-Hans", title=""):
    doc = Document("d1", "d1.txt", text, published_at, language, title=title)
    df = extract_events(doc, _matcher(), list(subject_ids))
    for row in df.iter_rows(named=True):
        assert doc.text[row["char_start"] : row["char_end"]] == row["quote"]
    return [
        (r["company_id"], r["event_type"], r["exchange"], r["event_date"], r["date_precision"])
        for r in df.iter_rows(named=True)
    ]


def test_a_second_filing_with_the_exchange_is_a_refiling():
    assert _events("光信智能于8月20日第二次向港交所递交上市申请。") == [
        (G, "refiling", "HKEX", date(2025, 8, 20), "day")
    ]


def test_the_shanghai_listing_committee_of_a_star_listing_is_a_star_hearing():
    text = "光信智能拟在科创板上市，是科创板今年第十家过会企业。光信智能于8月28日获上交所上市委审议通过。"
    assert _events(text) == [(G, "hearing_passed", "STAR", date(2025, 8, 28), "day")]


def test_csrc_consent_to_register_is_an_approval_of_the_documents_exchange():
    text = "光信智能科创板IPO进展顺利。光信智能于8月28日获中国证监会同意注册。"
    assert _events(text) == [(G, "approval", "STAR", date(2025, 8, 28), "day")]


@pytest.mark.parametrize(
    ("text", "exchange"),
    [
        ("光信智能于8月28日在上交所科创板上市。", "STAR"),
        ("光信智能于8月28日在纳斯达克全球精选市场挂牌。", "NASDAQ"),
        ("光信智能于8月28日在港股市场第二上市。", "HKEX"),
    ],
)
def test_listings_on_a_named_board_or_market(text, exchange):
    assert _events(text) == [(G, "listing", exchange, date(2025, 8, 28), "day")]


def test_key_value_dates_of_an_offering_sheet():
    text = "光信智能今日起在港交所招股。光信智能新股速览\n上市日期：9月30日\n招股日期：9月22日至25日"
    assert _events(text) == [
        (G, "listing", "HKEX", date(2025, 9, 30), "day"),
        (G, "prospectus", "HKEX", date(2025, 9, 22), "day"),
    ]


def test_dealings_expected_to_commence_on_a_day_are_the_listing():
    text = "光信智能公告，预期股份于12月19日上午九时正在联交所主板开始买卖。"
    assert _events(text, published_at=date(2025, 12, 10)) == [
        (G, "listing", "HKEX", date(2025, 12, 19), "day")
    ]


def test_a_final_price_fixed_is_the_pricing():
    assert _events("光信智能9月1日公告，最终发售价厘定为每股18.60港元。") == [
        (G, "pricing", "", date(2025, 9, 1), "day")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "光信智能發佈公告，發售價釐定為每股發售股份6.24港元，每手買賣單位1000股。",
        "光信智能公开招股获超购约420倍，定价每股70.58元，为招股价范围的上限。",
        "光信智能每股上市定價港幣 69 元。",
        "光信智能公布，最終發售價68.8元，比招股價下限68.44元高約0.53%。",
        "光信智能國際配售超額認購63倍。股份以26.66元定價，是招股價範圍上限。",
        "光信智能IPO定價設在了招股價的下限48港元。",
        "光信智能每股定價 35 港元，共發行 3686.25 萬股股份。",
        "光信智能發佈公告，該公司發售價最終已釐定為每股發售股份12.40港元。",
    ],
)
def test_a_final_price_with_no_day_is_dated_by_the_report(text):
    assert _events(text, language="zh-Hant") == [(G, "pricing", "", PUB, "reported")]


@pytest.mark.parametrize(
    "text",
    [
        "光信智能的最终发售价将厘定为不高于每股20港元。",
        "光信智能预期定价每股不超过20港元。",
        "光信智能招股价定为每股18至20港元的范围。",
    ],
)
def test_a_price_not_final_yet_is_no_pricing(text):
    assert _events(text) == []


def test_last_night_is_the_day_before_publication():
    assert _events("光信智能昨晚公布最终发售价定为每股18.60港元。") == [
        (G, "pricing", "", date(2025, 8, 31), "day")
    ]


def test_yesterday_with_the_day_of_the_month_in_brackets():
    text = "光信智能昨(13)日在港交所掛牌上市。"
    assert _events(text, published_at=date(2025, 9, 14), language="zh-Hant") == [
        (G, "listing", "HKEX", date(2025, 9, 13), "day")
    ]


def test_both_companies_named_before_a_clause_about_both_list():
    text = "光信智能与海韵科技昨晚公布配售结果，两家公司均于今日在港交所主板挂牌。"
    assert _events(text, subject_ids=(G, H)) == [
        (G, "listing", "HKEX", PUB, "day"),
        (H, "listing", "HKEX", PUB, "day"),
    ]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("光信智能（02501）\n光信智能于9月1日起招股，每手200股。", ""),  # the stock code in the lead
        ("光信智能于9月1日起招股，每手200股。", "新股简介 光信智能(02501)"),  # ... or in the title
    ],
)
def test_an_event_naming_no_exchange_takes_the_exchange_of_the_stock_code(text, title):
    assert _events(text, published_at=date(2025, 8, 30), title=title) == [
        (G, "prospectus", "HKEX", date(2025, 9, 1), "day")
    ]


def test_an_application_to_list_on_the_main_board_is_not_a_listing():
    assert _events("光信智能于8月20日申请在主板上市。光信智能的港交所上市计划推进中。") == []


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        # a day of the month alone: the nearest such date to the publication
        ("2019年11月19日讯 18日，光信智能在科创板挂牌上市。", date(2019, 11, 19),
         [(G, "listing", "STAR", date(2019, 11, 18), "day")]),
        ("光信智能昨日起至下周二（16日）招股，预期19日掛牌。", date(2025, 9, 12),
         [(G, "prospectus", "", date(2025, 9, 11), "day"), (G, "listing", "", date(2025, 9, 19), "day")]),
        # a time of day between the day and the listing
        ("光信智能於今日上午9時掛牌買賣。", date(2025, 3, 21),
         [(G, "listing", "", date(2025, 3, 21), "day")]),
    ],
)  # fmt: skip
def test_days_of_the_month_and_times_of_day_before_a_listing(text, published_at, expected):
    assert _events(text, published_at=published_at, language="zh-Hant") == expected
