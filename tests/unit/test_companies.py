"""Company matching and discovery of subject companies the seed does not know."""

from datetime import date

import pytest

from ingest.companies import LEAD_CHARS, CompanyMatcher, company_slug
from ingest.registry import registry_for
from ingest.text import Document, fold

PUB = date(2026, 1, 8)


def _doc(
    text: str,
    language: str = "zh-Hans",
    title: str = "",
    subjects: tuple[str, ...] = (),
) -> Document:
    return Document("doc1", "doc1.txt", text, PUB, language, title=title, subject_companies=subjects)


def _registry(doc: Document, matcher: CompanyMatcher):
    """The registry of a one-document corpus; its names are registered in `matcher` too, so a test
    can look up what the registry knows through the fixture."""
    registry = registry_for([doc], matcher)
    for alias, cid in registry.matcher.aliases.items():
        if alias not in matcher.aliases:
            matcher.add(cid, alias)
    return registry


def discover_companies(doc: Document, matcher: CompanyMatcher):
    """The companies a one-document corpus adds to the registry (ingest_discovered_companies rows)."""
    return _registry(doc, matcher).discovered


def subject_company_ids(doc: Document, matcher: CompanyMatcher) -> list[str]:
    return _registry(doc, matcher).subject_ids(doc)


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


def test_manifest_names_the_subject_and_the_lead_adds_companies_beside_it(matcher):
    doc = _doc("刚刚，壁仞科技通过聆讯。此前智谱已上市，壁仞科技紧随其后。", subjects=("智譜",))
    # 壁仞科技 is registered, so a figure of its own is never given to the subject
    assert discover_companies(doc, matcher)["company_id"].to_list() == ["bi_ren_ke_ji"]
    assert subject_company_ids(doc, matcher) == ["zhipu"]


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
    body = f"正文提到{title[:4]}的業務。"
    doc = _doc(body, language="zh-Hant", title=title)
    assert discover_companies(doc, matcher)["company_id"].to_list() == [company_id]
    # a headline name the body never repeats is taken only when it ends like a company's name
    assert discover_companies(_doc("正文。", language="zh-Hant", title=title), CompanyMatcher.from_seed())[
        "company_id"
    ].to_list() == ([company_id] if title.startswith("壁仞科技") else [])


# ---------------------------------------------------------------------------------------------------
# One entity, one subject: headline words cut, recurring forms preferred, bracketed short names merged


@pytest.mark.parametrize(
    ("title", "body", "language", "company_id"),
    [
        (
            "寒武纪元今起招股，招股价区间8至10港元",
            "寒武纪元今日起招股。寒武纪元2024年收入2亿元。",
            "zh-Hans",
            "han_wu_ji_yuan",
        ),
        (
            "三年虧損近8億，墨芯科技轉戰港股再遞表",
            "墨芯科技於10月13日向港交所遞交招股書。",
            "zh-Hant",
            "mo_xin_ke_ji",
        ),
        (
            "星尘智能明日登陆港交所",
            "星尘智能将于明日挂牌。星尘智能发售价10港元。",
            "zh-Hans",
            "xing_chen_zhi_neng",
        ),
        (
            "再思科技递表港交所",
            "再思科技递交上市申请。再思科技营收增长。",
            "zh-Hans",
            "zai_si_ke_ji",
        ),  # a name may begin with 再
    ],
)
def test_headline_trigger_words_are_cut_from_the_name(matcher, title, body, language, company_id):
    doc = _doc(title + "\n" + body, language, title=title)
    assert subject_company_ids(doc, matcher) == [company_id]
    assert discover_companies(doc, matcher).height <= 1


def test_headline_extra_words_give_the_form_the_body_uses_and_one_subject(matcher):
    title = "澜海醫療AI招股 引入四名基石"
    body = "醫學影像公司瀾海醫療科技（瀾海）今日公布招股詳情。瀾海2024年收入1.2億元。"
    doc = _doc(title + "\n" + body, "zh-Hant", title=title)
    assert subject_company_ids(doc, matcher) == ["lan_hai_yi_liao_ke_ji"]
    assert [m.company_id for m in matcher.find_mentions(fold("澜海收入与澜海医疗科技"))] == [
        "lan_hai_yi_liao_ke_ji",
        "lan_hai_yi_liao_ke_ji",
    ]


@pytest.mark.parametrize(
    ("text", "subjects", "company_id", "names"),
    [
        (  # full name then its short name in brackets; the manifest gives the short one
            "多模態模型公司量子躍遷科技（量子躍遷）昨日遞表港交所。量子躍遷2024年收入3億元。",
            ("量子躍遷",),
            "liang_zi_yue_qian",
            ["量子跃迁科技", "量子跃迁", "量子躍遷科技"],
        ),
        (  # 以下简称 with quotes, no manifest: filed under the common name, the legal name an alias
            "北京星图未来科技有限公司（以下简称“星图未来”）今日正式招股。星图未来2024年收入2亿元。",
            (),
            "xing_tu_wei_lai",
            ["北京星图未来科技有限公司", "星图未来"],
        ),
        (  # a Latin name in brackets
            "穹顶智能（Dome AI）已于上周五通过港交所上市聆讯。穹顶智能估值上升。",
            (),
            "qiong_ding_zhi_neng",
            ["穹顶智能", "Dome AI"],
        ),
    ],
)
def test_bracketed_names_are_aliases_of_one_company(matcher, text, subjects, company_id, names):
    language = "zh-Hant" if "躍" in text else "zh-Hans"
    doc = _doc(text, language, subjects=subjects)
    assert subject_company_ids(doc, matcher) == [company_id]
    assert [matcher.resolve(n) for n in names] == [company_id] * len(names)


def test_two_listings_in_one_article_are_two_subjects(matcher):
    text = (
        "11月6日，AI芯片设计公司晶元智算与自动驾驶方案商途锐智驾同日登陆港交所。"
        "晶元智算开盘上涨，途锐智驾破发。"
    )
    doc = _doc(text, title="港股迎AI双子星：晶元智算与途锐智驾同日挂牌")
    assert subject_company_ids(doc, matcher) == ["jing_yuan_zhi_suan", "tu_rui_zhi_jia"]


def test_coordinated_companies_before_a_trigger(matcher):
    from ingest.companies import coordinated_companies

    folded = fold("AI芯片公司黑芝麻智能与激光雷达方案商速腾聚创同日登陆港交所")
    pos = folded.index("登陆")
    mentions = matcher.find_mentions(folded)
    assert coordinated_companies(folded, mentions, 0, pos, "robosense") == ["black_sesame", "robosense"]
    folded = fold("相比黑芝麻智能上市时的估值，速腾聚创今日登陆港交所")
    mentions = matcher.find_mentions(folded)
    assert coordinated_companies(folded, mentions, 0, folded.index("登陆"), "robosense") == ["robosense"]


def test_comparable_companies_are_registered_but_not_subjects(matcher):
    text = (
        "晶元智算今日登陆港交所，晶元智算开盘上涨。"
        "同行中，芯海微电子2024年收入11.74亿元，而启明算力收入23.84亿元，头部企业收入更高。"
    )
    doc = _doc(text)
    found = discover_companies(doc, matcher)
    assert found["company_id"].to_list() == ["jing_yuan_zhi_suan", "xin_hai_wei_dian_zi", "qi_ming_suan_li"]
    assert subject_company_ids(doc, matcher) == ["jing_yuan_zhi_suan"]
    assert matcher.resolve("启明算力") == "qi_ming_suan_li"
    assert matcher.resolve("头部企业") is None


def test_no_comparables_without_a_cue(matcher):
    doc = _doc("晶元智算今日登陆港交所，晶元智算开盘上涨。芯海微电子2024年收入11.74亿元。")
    assert discover_companies(doc, matcher)["company_id"].to_list() == ["jing_yuan_zhi_suan"]


@pytest.mark.parametrize(
    ("text", "company_id", "exchange", "ticker"),
    [
        ("晶元智算（02475.HK）今日公布全年业绩，收入同比增长三成。", "jing_yuan_zhi_suan", "HKEX", "2475.HK"),
        ("途锐智驾-W(9881)昨日股价上涨。", "tu_rui_zhi_jia", "HKEX", "9881.HK"),
        ("芯海微电子（688719.SH）发布上市公告书。", "xin_hai_wei_dian_zi", "STAR", "688719.SH"),
        ("启明算力（NASDAQ: QMSL）公布第三季度业绩。", "qi_ming_suan_li", "", "QMSL"),
    ],
)
def test_a_name_written_with_its_stock_code_is_the_subject_with_that_ticker(
    matcher, text, company_id, exchange, ticker
):
    doc = _doc(text)
    found = discover_companies(doc, matcher)
    assert found.select("company_id", "exchange", "ticker").rows() == [(company_id, exchange, ticker)]
    assert subject_company_ids(doc, matcher) == [company_id]


def test_a_later_document_stating_the_stock_code_fills_the_ticker(matcher):
    filing = Document("d1", "d1.txt", "晶元智算昨日向港交所递交招股书。晶元智算主营AI芯片。", PUB, "zh-Hans")
    debut = Document("d2", "d2.txt", "晶元智算（02475.HK）今日登陆港交所。", PUB, "zh-Hans")
    found = registry_for([filing, debut], matcher).discovered
    assert found.select("company_id", "exchange", "ticker", "first_document_id").rows() == [
        ("jing_yuan_zhi_suan", "HKEX", "2475.HK", "d1")
    ]


def test_the_headline_names_the_subject_when_the_body_says_the_company(matcher):
    body = "公司2024年收入为3.2亿元，同比增长21%。公司表示将继续投入研发。"
    doc = _doc(body, title="晶元智算：去年收入增两成")
    assert subject_company_ids(doc, matcher) == ["jing_yuan_zhi_suan"]
