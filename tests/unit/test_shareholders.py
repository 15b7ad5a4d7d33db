"""Shareholders: roles, parent vehicles, acting-in-concert groups, stakes, subscriptions, founders."""

from datetime import date

from ingest.companies import CompanyMatcher
from ingest.shareholders import extract_shareholders
from ingest.text import Document

PUB = date(2026, 1, 8)


def _holders(text, subject_ids=("black_sesame",), language="zh-Hans"):
    doc = Document("d1", "d1.txt", text, PUB, language)
    df = extract_shareholders(doc, CompanyMatcher.from_seed(), list(subject_ids))
    for row in df.iter_rows(named=True):
        assert doc.text[row["char_start"] : row["char_end"]] == row["quote"]
    return df


def _rows(df, *cols):
    return [tuple(r[c] for c in cols) for r in df.iter_rows(named=True)]


def test_parent_vehicle_pairs_traditional():
    df = _holders(
        "黑芝麻智能的股東包括地平線機器人旗下地平線創投及北京芯動基金、騰訊旗下騰訊投資等。",
        language="zh-Hant",
    )
    assert _rows(df, "company_id", "holder_name", "parent_entity", "holder_type") == [
        ("black_sesame", "地平线创投", "地平线机器人", "strategic"),
        ("black_sesame", "北京芯动基金", "地平线机器人", "strategic"),
        ("black_sesame", "腾讯投资", "腾讯", "strategic"),
    ]


def test_generic_shareholder_list_without_parent_is_other_and_brackets_dropped():
    df = _holders("其股东包括红杉中国(领投方)、高瓴资本和启明创投等。")
    assert _rows(df, "holder_name", "parent_entity", "holder_type") == [
        ("红杉中国", "", "other"),
        ("高瓴资本", "", "other"),
        ("启明创投", "", "other"),
    ]


def test_stake_list_aligned_with_holders_and_as_of_date():
    df = _holders(
        "截至2025年6月30日，創始人兼CEO張三、李四和王五分別持有8.25%、2.92%和0.61%股份。",
        language="zh-Hant",
    )
    stakes = df.filter(df["stake_pct"].is_not_null())
    assert _rows(stakes, "holder_name", "holder_type", "stake_pct", "as_of") == [
        ("张三", "founder", 8.25, date(2025, 6, 30)),  # the founder title before the first name
        ("李四", "other", 2.92, date(2025, 6, 30)),
        ("王五", "other", 0.61, date(2025, 6, 30)),
    ]
    assert _rows(df.filter(df["holder_type"] == "founder"), "holder_name") == [("张三",)]


def test_stake_count_mismatch_gives_no_stakes():
    df = _holders("张三、李四和王五分别持有8.25%和2.92%股份。")
    assert df.filter(df["stake_pct"].is_not_null()).height == 0


def test_acting_in_concert_group_row_plus_member_rows():
    text = (
        "截至最後實際可行日期，控股股東王小川、茹立雲及北京百川"
        "根據彼等訂立的一致行動協議共同擁有約40.5%股份權益。"
    )
    df = _holders(text, subject_ids=("minimax",), language="zh-Hant")
    group = "一致行动集团(王小川、茹立云、北京百川)"
    assert _rows(
        df,
        "holder_name",
        "holder_type",
        "parent_entity",
        "stake_pct",
        "qualifier",
        "as_of",
    ) == [
        (group, "controlling_group", "", 40.5, "approx", PUB),
        ("王小川", "controlling_group", group, None, "exact", PUB),
        ("茹立云", "controlling_group", group, None, "exact", PUB),
        ("北京百川", "controlling_group", group, None, "exact", PUB),
    ]
    assert df["stake_pct"].sum() == 40.5  # no double counting


def test_cornerstones_named_before_count_total_not_assigned():
    text = (
        "本次，公司引入了豪華基石陣容，Aspex Master Fund、高瓴資本和淡馬錫等6家基石投資者合計認購12.5億港元。"
    )
    df = _holders(text, language="zh-Hant")
    assert _rows(df, "holder_name", "holder_name_en", "holder_type", "subscription_amount") == [
        ("Aspex Master Fund", "Aspex Master Fund", "cornerstone", None),
        ("高瓴资本", "", "cornerstone", None),
        ("淡马锡", "", "cornerstone", None),
    ]


def test_cornerstone_amounts_per_investor():
    text = "基石投资者包括:高瓴资本认购1亿港元、淡马锡认购5000万美元及GIC Private Limited认购约3,000万港元。"
    df = _holders(text)
    assert _rows(df, "holder_name", "holder_type", "subscription_amount", "currency", "qualifier") == [
        ("高瓴资本", "cornerstone", 100_000_000.0, "HKD", "exact"),
        ("淡马锡", "cornerstone", 50_000_000.0, "USD", "exact"),
        ("GIC Private Limited", "cornerstone", 30_000_000.0, "HKD", "approx"),
    ]


def test_cornerstone_amounts_aligned_with_fenbie():
    df = _holders(
        "其中，基石投资者商汤和阿里巴巴分别认购2亿港元、1.5亿港元。",
        subject_ids=("unisound",),
    )
    assert _rows(df, "company_id", "holder_name", "subscription_amount") == [
        ("unisound", "商汤", 200_000_000.0),
        ("unisound", "阿里巴巴", 150_000_000.0),
    ]


def test_cornerstone_introduced_with_zuowei():
    df = _holders(
        "加之引入商汤科技等作为基石投资者，仍体现了市场对云知声的信心。",
        subject_ids=("unisound",),
    )
    assert _rows(df, "company_id", "holder_name", "holder_type") == [("unisound", "商汤科技", "cornerstone")]


def test_early_investor_patterns():
    df = _holders(
        "作為地平線的早期投資方，紅杉中國自2016年起便領投其A輪融資。地平線早期投資方高瓴創投方面表示看好。",
        subject_ids=("horizon_robotics",),
        language="zh-Hant",
    )
    assert _rows(df, "company_id", "holder_name", "holder_type") == [
        ("horizon_robotics", "红杉中国", "early_investor"),
        ("horizon_robotics", "高瓴创投", "early_investor"),
    ]


def test_founders_named_only_by_title_are_not_holders():
    df = _holders(
        "出门问问创始人兼CEO李志飞表示，公司将继续投入。创始团队均来自谷歌，其核心成员李志飞和雷欣在语音领域经验丰富。",
        subject_ids=("mobvoi",),
    )
    assert df.height == 0


def test_founders_from_titles_and_founding_team_kept_when_they_hold_shares():
    df = _holders(
        "出门问问创始人兼CEO李志飞表示，公司将继续投入。创始团队均来自谷歌，其核心成员李志飞和雷欣在语音领域经验丰富。"
        "李志飞及雷欣分别持有21.5%及3.2%股份。",
        subject_ids=("mobvoi",),
    )
    assert _rows(df, "company_id", "holder_name", "holder_type", "stake_pct") == [
        ("mobvoi", "李志飞", "founder", 21.5),
        ("mobvoi", "雷欣", "founder", 3.2),
    ]


def test_company_itself_is_never_its_own_holder():
    df = _holders("黑芝麻智能的股东包括黑芝麻智能、小米旗下小米长江产业基金。")
    assert _rows(df, "holder_name", "parent_entity") == [("小米长江产业基金", "小米")]


def test_sentence_without_holders_gives_empty_typed_frame():
    df = _holders("公司收入持续增长，毛利率为50%。")
    assert df.height == 0
    assert df.columns[:3] == ["holder_id", "document_id", "company_id"]


def test_founder_title_followed_by_verb_is_not_a_name():
    df = _holders(
        "出门问问创始人表示，公司将继续投入。创始人之一在会上发言。",
        subject_ids=("mobvoi",),
    )
    assert df.height == 0


def test_generic_list_closed_by_jun_wei_qi_gudong_traditional():
    df = _holders(
        "阿里巴巴、騰訊旗下騰訊投資、米哈遊及小紅書等均為其股東。",
        subject_ids=("minimax",),
        language="zh-Hant",
    )
    assert _rows(df, "company_id", "holder_name", "parent_entity", "holder_type") == [
        ("minimax", "阿里巴巴", "", "other"),
        ("minimax", "腾讯投资", "腾讯", "strategic"),
        ("minimax", "米哈游", "", "other"),
        ("minimax", "小红书", "", "other"),
    ]


def test_two_parents_in_one_item_and_zai_nei_trimmed():
    df = _holders(
        "其股东包括格力旗下珠海格力创投及平安旗下平安资本。公司引入包括启明创投、中金公司在内的8家基石投资者。"
    )
    assert _rows(df, "holder_name", "parent_entity", "holder_type") == [
        ("珠海格力创投", "格力", "strategic"),
        ("平安资本", "平安", "strategic"),
        ("启明创投", "", "cornerstone"),
        ("中金公司", "", "cornerstone"),
    ]


def test_holders_of_an_unknown_company_are_not_given_to_the_subject():
    text = "与摩尔线程不同，黑芝麻智能更早上市。摩尔线程的股东包括腾讯旗下腾讯投资。"
    assert _holders(text).height == 0


def test_founder_after_known_company_with_lead_in_repeated():
    text = (
        "其中智譜聯合創始人兼董事長劉德兵今年49歲。其中智譜聯合創始人兼副總經理王紹蘭曾任職於清華大學。"
        "劉德兵與王紹蘭分別持有4.6%及1.9%股份。"
    )
    df = _holders(text, subject_ids=("zhipu",), language="zh-Hant")
    assert _rows(df, "company_id", "holder_name", "holder_type", "stake_pct") == [
        ("zhipu", "刘德兵", "founder", 4.6),
        ("zhipu", "王绍兰", "founder", 1.9),
    ]


def test_cornerstone_amounts_in_brackets():
    df = _holders(
        "基石投資者包括高瓴資本（1億港元）、淡馬錫（約5000萬美元）及某某基金（未披露）。", language="zh-Hant"
    )
    assert _rows(df, "holder_name", "subscription_amount", "currency", "qualifier") == [
        ("高瓴资本", 100_000_000.0, "HKD", "exact"),
        ("淡马锡", 50_000_000.0, "USD", "approx"),
        ("某某基金", None, "", "exact"),
    ]


def test_early_investor_lead_round_with_adverb_lead_in():
    df = _holders("据悉，此前红杉中国领投其天使轮融资。", subject_ids=("robosense",))
    assert _rows(df, "company_id", "holder_name", "holder_type") == [
        ("robosense", "红杉中国", "early_investor")
    ]


# ---------------------------------------------------------------------------------------------------
# Holder names cut at verbs, generic nouns rejected, founder role, cornerstones without amounts


def test_holder_name_stops_at_time_and_verb_words_and_keeps_its_cornerstone_role():
    df = _holders(
        "基石投資者中，小米旗下長江產業基金認購3,000萬美元。按發售價計算，長江產業基金上市後將持有公司約1.8%股份。",
        language="zh-Hant",
    )
    assert _rows(df, "holder_name", "holder_type", "parent_entity", "subscription_amount", "stake_pct") == [
        ("长江产业基金", "cornerstone", "小米", 30_000_000.0, 1.8)
    ]
    assert "1.8%" in df["quote"][0] and "3,000萬美元" in df["quote"][0]


def test_employee_platform_is_described_not_a_holder():
    df = _holders("上市前，董事长王海、总裁刘洋及员工持股平台海川合伙分别持有28.4%、7.1%和4.2%股份。")
    assert _rows(df, "holder_name", "stake_pct") == [("王海", 28.4), ("刘洋", 7.1), ("海川合伙", 4.2)]


def test_founder_holding_through_a_wholly_owned_vehicle():
    for text, language in [
        ("创始人赵峰通过其全资持有的峰石控股持有公司31.6%股份。", "zh-Hans"),
        ("創辦人趙峰透過其全資擁有的峰石控股持有約31.6%股份。", "zh-Hant"),
    ]:
        df = _holders(text, language=language)
        assert _rows(df, "holder_name", "holder_type", "stake_pct") == [("赵峰", "founder", 31.6)]


def test_generic_nouns_are_not_holders():
    df = _holders("其中全资持有的子公司持有5.0%股份，员工持有2.0%。")
    assert df.height == 0


def test_cornerstones_named_without_amounts_and_each_amount():
    df = _holders(
        "公司引入七名基石投資者。其中高瓴資本認購6,000萬港元，中東主權基金、"
        "淡马锡及瑞銀資管各認購2,000萬港元，其餘由華夏基金、嘉實國際及景順認購。",
        language="zh-Hant",
    )
    assert _rows(df, "holder_name", "holder_type", "subscription_amount") == [
        ("高瓴资本", "cornerstone", 60_000_000.0),
        ("中东主权基金", "cornerstone", 20_000_000.0),
        ("淡马锡", "cornerstone", 20_000_000.0),
        ("瑞银资管", "cornerstone", 20_000_000.0),
        ("华夏基金", "cornerstone", None),
        ("嘉实国际", "cornerstone", None),
        ("景顺", "cornerstone", None),
    ]
