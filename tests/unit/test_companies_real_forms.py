"""Subject discovery on the forms real coverage writes: registered names with a place in brackets and
a declared short name, two coded companies listing the same day, listings sidebars, filings, results
announcements, loose US stock codes, and time spans or boards that are never names.

The names are fictional; the sentences are our own.
"""

import pytest
from test_companies import _doc, discover_companies, subject_company_ids

from ingest.companies import CompanyMatcher


@pytest.fixture
def matcher() -> CompanyMatcher:
    return CompanyMatcher.from_seed()


def test_a_registered_name_with_a_place_in_brackets_and_its_declared_short_name(matcher):
    text = '澜石(浙江)机器人集团股份有限公司(下称"澜石")向港交所递交招股说明书。澜石2024年收入3.2亿元。'
    doc = _doc(text)
    found = discover_companies(doc, matcher)
    assert found.select("company_id", "name_zh", "name_zh_hant").rows() == [("lan_shi", "澜石", "瀾石")]
    assert subject_company_ids(doc, matcher) == ["lan_shi"]
    # the short name, the core another article will write, and the name without the place
    for name in ("澜石", "澜石机器人", "澜石机器人集团股份有限公司"):
        assert matcher.resolve(name) == "lan_shi"


def test_two_coded_companies_listing_the_same_day_under_a_headline_naming_one(matcher):
    text = "拾味小面(02418)及内地外延片制造商天曜半导体(02668)同日挂牌。拾味小面开盘上涨，天曜半导体平开。"
    doc = _doc(text, title="拾味小面今日挂牌")
    assert subject_company_ids(doc, matcher) == ["shi_wei_xiao_mian", "tian_yao_ban_dao_ti"]
    found = discover_companies(_doc(text, title="拾味小面今日挂牌"), CompanyMatcher.from_seed())
    assert found.select("company_id", "exchange", "ticker").rows() == [
        ("shi_wei_xiao_mian", "HKEX", "2418.HK"),
        ("tian_yao_ban_dao_ti", "HKEX", "2668.HK"),
    ]


@pytest.mark.parametrize("gap", ["\n\n", "\n"])
def test_a_listings_sidebar_is_not_the_subject_the_coded_name_after_it_is(matcher, gap):
    text = (
        "新股日历\n拾味小面(02418)\n天曜半导体(02668)\n云帆物流(02677)"
        + gap
        + "曜石医疗(02690)\n曜石医疗今日公布招股详情，每股发售价10港元。"
    )
    doc = _doc(text)
    assert subject_company_ids(doc, matcher) == ["yao_shi_yi_liao"]
    # the sidebar's companies are registered, not subjects
    assert matcher.resolve("天曜半导体") == "tian_yao_ban_dao_ti"


@pytest.mark.parametrize("day", ["昨日", "昨", "今"])
def test_a_filing_yesterday_by_a_name_the_body_repeats(matcher, day):
    doc = _doc(f"澄星科技{day}向港交所递交招股书。据悉，澄星科技主要从事工业视觉检测。")
    assert discover_companies(doc, matcher).select("company_id", "name_zh").rows() == [
        ("cheng_xing_ke_ji", "澄星科技")
    ]
    assert subject_company_ids(doc, matcher) == ["cheng_xing_ke_ji"]


@pytest.mark.parametrize(
    ("text", "language", "company_id"),
    [
        ("澄星科技昨公布上半年盈利1.2亿元，按年增长35%。澄星科技股价上涨。", "zh-Hans", "cheng_xing_ke_ji"),
        ("瀾圖昨公布上半年盈利1.2億元，按年增長35%。瀾圖股價上漲。", "zh-Hant", "lan_tu"),
    ],
)
def test_a_results_announcement_names_the_subject(matcher, text, language, company_id):
    assert subject_company_ids(_doc(text, language), matcher) == [company_id]


def test_a_loose_us_stock_code_with_a_nickname_gives_the_ticker(matcher):
    doc = _doc("星弦视频(Nasdsaq:XNV,星弦)公布第三季度业绩，星弦视频收入增长。")
    assert discover_companies(doc, matcher).select("company_id", "ticker").rows() == [
        ("xing_xian_shi_pin", "XNV")
    ]
    assert subject_company_ids(doc, matcher) == ["xing_xian_shi_pin"]


@pytest.mark.parametrize(
    "text",
    [
        "三年递表港交所。三年",
        "上半年公布业绩的公司增多。上半年公布业绩的企业收入增长。",
        "全年公布业绩，全年盈利上升。全年业绩显示公司收入增长。",
        "下半年递表港交所的企业增多。下半年递表港交所的公司。",
        "科创板递表企业增多。科创板递表数量创新高。",
        "港股递表企业增多。港股递表数量创新高。",
    ],
)
def test_time_spans_and_boards_are_never_companies(matcher, text):
    doc = _doc(text)
    assert discover_companies(doc, matcher).height == 0
    assert subject_company_ids(doc, matcher) == []


def test_a_headline_time_span_before_the_name_is_not_part_of_it(matcher):
    doc = _doc("正文。", title="三年亏损近8亿 澄星科技递表港交所")
    assert discover_companies(doc, matcher)["company_id"].to_list() == ["cheng_xing_ke_ji"]


def test_an_announcement_headed_by_its_registered_name_is_about_that_company(matcher):
    text = (
        "香港交易及结算所有限公司对本公告之内容概不负责。\n\n星衡控股有限公司\n"
        "(于开曼群岛注册成立的有限公司)\n(股份代号:9669)\n截至2024年12月31日止年度的业绩公告\n"
        "本公司2024年收入为3.2亿元。"
    )
    doc = _doc(text)
    assert subject_company_ids(doc, matcher) == ["xing_heng"]
    assert matcher.resolve("星衡控股有限公司") == "xing_heng"
    # the exchange's disclaimer names a registered company too, but never on a line of its own
    assert matcher.resolve("香港交易及结算所有限公司") is None


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # the headline names it and the lead names it once more: two mentions
        ("鹭岑科技配發結果", "鹭岑科技公布配發結果，香港公開發售獲超額認購。", ["lu_cen_ke_ji"]),
        # a headline name with a company's ending before an allotment word, the body says only 公司
        ("鹭岑科技配發結果", "公司公布配發結果，香港公開發售獲超額認購。", ["lu_cen_ke_ji"]),
        # a pricing is a trigger: "X發售價定為…"
        ("", "據報道，汐澜音乐發售價定為每股205港元。汐澜音乐下周四掛牌。", ["xi_lan_yin_yue"]),
        # a registered name declaring its short name in corner brackets (folded to quotes)
        ("", "桐禾控股有限公司（「桐禾」）公佈，發售價為每股29.7港元。桐禾將於周五上市。", ["tong_he"]),
    ],
)
def test_headlines_pricings_and_declared_short_names_name_the_subject(matcher, title, text, expected):
    assert subject_company_ids(_doc(text, language="zh-Hant", title=title), matcher) == expected


def test_ipo_before_a_pricing_is_not_a_company(matcher):
    doc = _doc("汐澜音乐今日公布招股結果，IPO發售價定為每股18美元。汐澜音乐周五上市。", language="zh-Hant")
    assert subject_company_ids(doc, matcher) == ["xi_lan_yin_yue"]
    assert "ipo" not in discover_companies(doc, matcher)["company_id"].to_list()


def test_a_latin_name_with_its_chinese_name_in_brackets_is_filed_under_the_chinese_one(matcher):
    text = "Nebulink(星云通信)今日公布2022年全年财务业绩。Nebulink全年营收为1.6亿美元，星云通信同比下降4.4%。"
    doc = _doc(text)
    assert subject_company_ids(doc, matcher) == ["xing_yun_tong_xin"]
    assert matcher.resolve("nebulink") == "xing_yun_tong_xin"


@pytest.mark.parametrize(
    "title",
    ["星云通信公布配发结果", "星云通信全球发售所得款项用途"],
)
def test_a_summary_whose_body_names_no_company_is_about_its_headline_s_company(matcher, title):
    text = "要点\n- 最终发售价：每股29.7港元 [1]\n- 公开发售获超额认购约6.46倍，国际发售约1.07倍 [1]"
    assert subject_company_ids(_doc(text, title=title), matcher) == ["xing_yun_tong_xin"]


def test_a_summary_whose_body_names_a_company_needs_more_than_the_headline(matcher):
    text = "要点\n- 最终发售价：每股29.7港元 [1]\n- 同行远山科技获超额认购约6.46倍，国际发售约1.07倍 [1]"
    assert subject_company_ids(_doc(text, title="星云通信公布配发结果"), matcher) == []


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # a verb opens the headline; the company is the name a headline word follows
        ("取消补流项目、毛利率低于同行,星海超导科创板IPO上会迎考",
         "IPO进程 - 公司2024年营收3.2亿元[1] - 取消补流项目后募资20亿元[2] - 公司取消了原计划",
         ["xing_hai_chao_dao"]),
        # the grey market is no company
        ("【新股上市】星海藥業近下限定價公售超購逾71倍,暗盤跌約6%",
         "星海藥業-B(02561-HK)公布，最終發售價68.8元。暗盤跌約6%，暗盤收報64.9元。", ["xing_hai_yao_ye"]),
    ],
)  # fmt: skip
def test_the_headline_s_company_is_the_name_a_headline_word_follows(matcher, title, text, expected):
    assert subject_company_ids(_doc(text, title=title), matcher) == expected


def test_an_offering_sheet_line_with_the_code_before_the_name(matcher):
    text = "股票代号 招股信息\n06622 星海眼科\nXinghai Ophthalmology\n上市日期2021/04/29\n星海眼科是药企。"
    found = discover_companies(_doc(text), matcher)
    assert found.select("company_id", "ticker", "exchange").rows() == [("xing_hai_yan_ke", "6622.HK", "HKEX")]


@pytest.mark.parametrize(
    "text",
    [
        "【財華社訊】尚未有盈利星海醫藥-B(06855-HK)公布配發結果。",
        "【明報專訊】生物製藥公司、18A生科股星海醫藥（2595）昨日起招股。",
    ],
)
def test_hong_kong_labels_before_a_coded_name_are_not_part_of_it(matcher, text):
    found = discover_companies(_doc(text, language="zh-Hant"), matcher)
    assert found.select("company_id", "exchange").rows() == [("xing_hai_yi_yao", "HKEX")]


def test_a_registered_name_is_not_cut_by_a_label_that_shares_its_characters(matcher):
    text = "星海科技股份有限公司(688001.SH)今日在科创板上市。星海科技开盘上涨。"
    assert discover_companies(_doc(text), matcher).select("company_id", "name_zh").rows() == [
        ("xing_hai_ke_ji", "星海科技")
    ]


def test_a_headline_s_common_words_discover_no_company_that_takes_other_documents_figures(tmp_path):
    import csv

    import polars as pl

    from ingest.__main__ import main

    docs = {
        # headlines whose phrases open with offering words: '公開發售佔一成', '首度折戟港交所'
        "a.txt": (
            "IPO改革後頭炮 星海醫藥不設回撥 公開發售佔一成",
            "星海醫藥（2591）起招股，一成在本港公開發售。" * 3,
        ),
        "b.txt": ("首度折戟港交所后再战 远山能源的营收", "远山能源(02592)2024年收入为12.5亿元。" * 3),
        "c.txt": ("南风科技今日招股", "南风科技(02593)今日起招股，香港公开发售获超额认购约12.5倍。" * 3),
    }
    src = tmp_path / "src"
    src.mkdir()
    with open(src / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "title", "publisher", "published_at", "url", "language", "companies"])
        for name, (title, body) in docs.items():
            (src / name).write_text(title + "\n" + body + "\n" + "（完）" * 100, encoding="utf-8")
            writer.writerow([name, title, "测试", "2025-09-01", "", "zh-Hant", ""])
    assert main(["--sources", str(src), "--out", str(tmp_path / "out"), "--no-cache", "--workers", "1"]) == 0
    found = pl.read_csv(tmp_path / "out" / "ingest_discovered_companies.csv")["company_id"].to_list()
    assert "gong_kai" not in found and "shou_du_zhe_ji" not in found
    assert {"nan_feng_ke_ji", "yuan_shan_neng_yuan"} <= set(found)
    figures = pl.read_csv(tmp_path / "out" / "ingest_figures.csv")
    of_c = figures.filter(pl.col("document_id") == "c")["company_id"].unique().to_list()
    assert of_c == ["nan_feng_ke_ji"]  # not a company named 公开 found in another document's headline


def test_a_two_character_headline_phrase_without_a_code_is_not_registered_beside_the_subject(matcher):
    title = "星海醫藥(02591)不設回撥 保薦上市首日大漲"
    text = "星海醫藥(02591)今日起招股，保薦人為遠山證券。星海醫藥保薦人表示，上市首日…"
    found = discover_companies(_doc(text, language="zh-Hant", title=title), matcher)
    assert found["company_id"].to_list() == ["xing_hai_yi_yao"]
