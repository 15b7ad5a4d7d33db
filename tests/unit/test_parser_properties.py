"""Property tests: the grammars never crash and their offsets always quote the text they came from."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.companies import CompanyMatcher
from ingest.figures import extract_figures
from ingest.numbers import find_quantities
from ingest.periods import find_periods
from ingest.text import Document, fold

# Text built from the pieces the grammars react to, so the properties exercise real branches.
PIECES = [
    "0",
    "1",
    "2",
    "5",
    "9",
    "12",
    "2024",
    "2025",
    ".",
    ",",
    "-",
    "~",
    "%",
    "％",
    "１",
    "２",
    "一",
    "二",
    "两",
    "三",
    "十",
    "百",
    "千",
    "万",
    "萬",
    "亿",
    "億",
    "成",
    "倍",
    "余",
    "多",
    "元",
    "港元",
    "港幣",
    "美元",
    "人民币",
    "HK$",
    "US$",
    "港仙",
    "个百分点",
    "家",
    "名",
    "项",
    "次",
    "股",
    "台",
    "年",
    "月",
    "日",
    "上半年",
    "前三季度",
    "截至",
    "止",
    "六个月",
    "同期",
    "累计",
    "分别为",
    "、",
    "，",
    "。",
    "；",
    "（",
    "）",
    "约",
    "超过",
    "不足",
    "以上",
    "左右",
    "收入",
    "营收",
    "净亏损",
    "毛利率",
    "市值",
    "开盘",
    "收报",
    "首日",
    "每股",
    "发行价",
    "募资",
    "用于",
    "基石投资者",
    "研发人员",
    "客户",
    "排名第",
    "第",
    "智谱",
    "商汤",
    "云知声",
    "\n",
    " ",
    "GLM-",
    "[^1]",
    "「",
    "」",
    "今年",
    "去年",
    "较",
    "增长",
    "占比",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=60)
published = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MATCHER = CompanyMatcher.from_seed()


@SETTINGS
@given(texts)
def test_find_quantities_never_crashes_and_offsets_are_exact(text):
    folded = fold(text)
    previous_end = 0
    for q in find_quantities(folded):
        assert 0 <= q.start < q.end <= len(folded)
        assert folded[q.start : q.end] == q.text
        assert q.start >= previous_end  # no overlaps, in order
        previous_end = q.end
        assert q.qualifier in {"exact", "approx", "lower_bound", "upper_bound"}
        assert q.unit in {"money", "pct", "pp", "x", "count", ""}
        if q.low is not None:
            assert q.low <= q.high


@SETTINGS
@given(texts, published)
def test_find_periods_never_crashes_and_periods_are_ordered(text, pub):
    folded = fold(text)
    for p in find_periods(folded, pub):
        assert 0 <= p.start < p.end <= len(folded)
        assert p.period.start <= p.period.end
        for part in p.parts:
            assert part.start <= part.end


@SETTINGS
@given(
    texts,
    published,
    st.sampled_from(["zh-Hans", "zh-Hant"]),
    st.sampled_from([[], ["zhipu"], ["zhipu", "sensetime"]]),
)
def test_extract_figures_never_crashes_and_quotes_are_exact(text, pub, language, subjects):
    doc = Document("prop", "prop.txt", text, pub, language)
    result = extract_figures(doc, MATCHER, subjects)
    for frame in (result.figures, result.unclassified):
        for row in frame.iter_rows(named=True):
            assert row["quote"] == text[row["char_start"] : row["char_end"]]
            assert row["value_text"] in row["quote"]
    for row in result.figures.iter_rows(named=True):
        assert row["company_id"]
        assert row["period_start"] <= row["period_end"]
        assert row["qualifier"] in {"exact", "approx", "lower_bound", "upper_bound"}
