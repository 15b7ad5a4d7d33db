"""Company matching and discovery of subject companies the seed does not know."""

from datetime import date

import pytest

from ingest.companies import (
    LEAD_CHARS,
    CompanyMatcher,
    company_slug,
    discover_companies,
    subject_company_ids,
)
from ingest.text import Document, fold

PUB = date(2026, 1, 8)


def _doc(
    text: str,
    language: str = "zh-Hans",
    title: str = "",
    subjects: tuple[str, ...] = (),
) -> Document:
    return Document("doc1", "doc1.txt", text, PUB, language, title=title, subject_companies=subjects)


@pytest.fixture
def matcher() -> CompanyMatcher:
    return CompanyMatcher.from_seed()


def test_seed_matcher_finds_both_scripts_longest_alias_first(matcher):
    mentions = matcher.find_mentions(fold("雲知聲智能與商汤科技、地平線機器人"))
    assert [(m.company_id, m.alias) for m in mentions] == [
        ("unisound", "云知声智能"),
        ("sensetime", "商汤科技"),
        ("horizon_robotics", "地平线机器人"),
    ]


def test_latin_alias_not_matched_inside_a_word(matcher):
    assert [m.start for m in matcher.find_mentions(fold("ZhipuX 与 Zhipu"))] == [9]


def test_add_makes_new_alias_matchable_after_earlier_search(matcher):
    assert matcher.find_mentions("壁仞科技上市") == []
    matcher.add("bi_ren_ke_ji", "壁仞科技")
    assert [m.company_id for m in matcher.find_mentions("壁仞科技上市")] == ["bi_ren_ke_ji"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("壁仞科技", "bi_ren_ke_ji"),
        ("摩爾線程", "mo_er_xian_cheng"),
        ("Kimi月之暗面", "kimi_yue_zhi_an_mian"),
    ],
)
def test_company_slug(name, slug):
    assert company_slug(name) == slug


@pytest.mark.parametrize(
    ("text", "language", "company_id", "name_zh", "name_zh_hant"),
    [
        (
            "壁仞科技正式在港交所挂牌上市，壁仞科技首日大涨。",
            "zh-Hans",
            "bi_ren_ke_ji",
            "壁仞科技",
            "壁仞科技",
        ),
        (
            "國產GPU廠商摩爾線程於12月5日登陸科創板，摩爾線程市值過千億。",
            "zh-Hant",
            "mo_er_xian_cheng",
            "摩尔线程",
            "摩爾線程",
        ),
        (
            "刚刚，北京大模型企业月之暗面通过聆讯。月之暗面成立于2023年。",
            "zh-Hans",
            "yue_zhi_an_mian",
            "月之暗面",
            "月之暗面",
        ),
        (
            "AI芯片独角兽“天数智芯”递表港交所，天数智芯此前已完成多轮融资。",
            "zh-Hans",
            "tian_shu_zhi_xin",
            "天数智芯",
            "天數智芯",
        ),
        (
            "據港交所披露，百川智能於今日正式招股，百川智能計劃募資10億港元。",
            "zh-Hant",
            "bai_chuan_zhi_neng",
            "百川智能",
            "百川智能",
        ),
    ],
)
def test_discovers_unseen_subject_and_registers_it(
    matcher, text, language, company_id, name_zh, name_zh_hant
):
    found = discover_companies(_doc(text, language), matcher)
    assert found.select("company_id", "name_zh", "name_zh_hant", "first_document_id").rows() == [
        (company_id, name_zh, name_zh_hant, "doc1")
    ]
    assert found["evidence"][0] in text
    assert matcher.resolve(name_zh) == company_id
    assert matcher.resolve(name_zh_hant) == company_id


@pytest.mark.parametrize(
    "text",
    [
        "该公司已递表。",
        "公司于今日正式招股。",
        "MiniMax於1月9日（週五）在港交所掛牌上市。",  # known company: not "discovered"
        "云知声于2025年6月30日成功登陆港交所。",
    ],
)
def test_no_discovery_for_pronouns_or_known_companies(matcher, text):
    assert discover_companies(_doc(text), matcher).height == 0


def test_known_company_from_trigger_is_subject_when_manifest_names_none(matcher):
    assert subject_company_ids(_doc("MiniMax於1月9日（週五）在港交所掛牌上市。", "zh-Hant"), matcher) == [
        "minimax"
    ]


def test_manifest_first_then_discovered(matcher):
    doc = _doc("刚刚，壁仞科技通过聆讯。此前智谱已上市，壁仞科技紧随其后。", subjects=("智譜",))
    assert subject_company_ids(doc, matcher) == ["zhipu", "bi_ren_ke_ji"]


def test_known_trigger_company_not_added_when_manifest_has_subjects(matcher):
    doc = _doc("云知声登陆港交所。", subjects=("智谱",))
    assert subject_company_ids(doc, matcher) == ["zhipu"]


def test_unseen_manifest_company_is_discovered_with_manifest_evidence(matcher):
    doc = _doc("文章正文没有触发词。", subjects=("百川智能",))
    found = discover_companies(doc, matcher)
    assert found.select("company_id", "evidence").rows() == [("bai_chuan_zhi_neng", "manifest: 百川智能")]
    assert subject_company_ids(doc, matcher) == ["bai_chuan_zhi_neng"]


def test_title_is_searched(matcher):
    doc = _doc("正文。", title="壁仞科技登陆港交所：国产GPU第一股")
    assert discover_companies(doc, matcher)["company_id"].to_list() == ["bi_ren_ke_ji"]


def test_unseen_name_mentioned_once_is_not_a_subject(matcher):
    doc = _doc("刚刚，摩尔线程通过聆讯。")
    assert discover_companies(doc, matcher).height == 0


def test_lead_skips_bylines_and_stops_after_two_paragraphs(matcher):
    lead = (
        "智东西\n作者 某某\n"
        + "第一段很长的导语文字，讲的是行业背景和市场情况，以及监管环境的变化，没有公司。\n" * 2
    )
    doc = _doc(lead + "刚刚，壁仞科技正式在港交所挂牌上市，壁仞科技首日大涨。")
    assert discover_companies(doc, matcher).height == 0
    doc = _doc("智东西\n作者 某某\n刚刚，壁仞科技正式在港交所挂牌上市，壁仞科技首日大涨超过八成。")
    assert discover_companies(doc, matcher)["company_id"].to_list() == ["bi_ren_ke_ji"]


def test_only_the_lead_is_searched(matcher):
    doc = _doc("。" * LEAD_CHARS + "与此前登陆港交所的壁仞科技相比，摩尔线程通过聆讯。")
    assert discover_companies(doc, matcher).height == 0


def test_missing_rules_file_error_names_the_file():
    from ingest.companies import load_rules

    with pytest.raises(ValueError, match=r"rules/no_such_rules\.yml"):
        load_rules("no_such_rules")


@pytest.mark.parametrize(
    ("title", "company_id"),
    [("壁仞科技港股上市首日大涨", "bi_ren_ke_ji"), ("摩爾線程衝刺港股：三年虧損超50億", "mo_er_xian_cheng")],
)
def test_headline_triggers(matcher, title, company_id):
    doc = _doc("正文。", language="zh-Hant", title=title)
    assert discover_companies(doc, matcher)["company_id"].to_list() == [company_id]
