"""Figure extraction: numbers in a document attached to metric, period, company and dimension.

The grammar is data-driven: numbers come from `ingest.numbers`, periods from `ingest.periods`,
metric keywords from `ingest/rules/metrics.yml`. The steps for each number, in order:

1. series: values after 分别为 are aligned with the period (or company) list they refer to;
   counts that differ → unclassified, never guessed;
2. rules that need the words after the number (use of proceeds '…用于X', '…的收入来自X',
   '11家基石投资者', '657名研发人员') and words that make a number not a company figure
   (shareholdings, acquisitions, market-wide totals);
3. the metric keyword nearest before the number between the previous number and this one,
   then follow-on rules (同比增长 after a revenue figure, 占比 after a headcount, a price move
   after a price), then the keyword nearest before in the whole sentence;
4. period, company and dimension from the sentence and the context carried across sentences.

Anything that is not confidently classified becomes an unclassified mention with a reason.
Honest over greedy: a value attached to the wrong metric or period is worse than a missing one.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import polars as pl

from ingest.companies import CompanyMatcher, CompanyMention
from ingest.lexicon import Lexicon, MetricRule, load_lexicon
from ingest.numbers import Quantity, find_quantities, parse_number
from ingest.periods import (
    CUM_MARKER,
    Period,
    PeriodMention,
    as_of,
    cumulative,
    find_periods,
    fy,
    half,
    month,
    nine_months,
    quarter,
)
from ingest.schema import SEED_SCHEMAS, empty_frame
from ingest.sentences import Sentence, no_figure_spans, split_sentences
from ingest.text import Document


@dataclass(frozen=True)
class FigureExtraction:
    figures: pl.DataFrame  # conform(..., "ingest_figures")
    unclassified: pl.DataFrame  # conform(..., "ingest_unclassified_mentions")
    implied_fx: pl.DataFrame  # conform(..., "ingest_implied_fx_rates")


# ---------------------------------------------------------------------------------------------------
# Fixed grammar (words, not figures): kept here because they drive control flow, not metric choice.

_CLAUSE_STOP = ",，;；:：。!?！？\n"
_SERIES_MARKER = re.compile(
    r"分别(?:约为|约|为|是|达到|达|录得|实现|占|持有|持股|增长|同比增长)?|依次为|各为"
)
# between 分别 and the first value: qualifiers or a short metric word ('分别实现营收4.02亿元')
_SERIES_LEAD_GAP = re.compile(r"^[^,，。;；:：\d]{0,10}$")
_SERIES_GAP = re.compile(r"^\s*(?:、|,|，|和|及|以及|与|;|；)?\s*(?:约为|约|近|超过|超|逾|为)?\s*$")
_CONVERSION_OPEN = re.compile(
    r"^\s?[(（]\s?(?:约合|合|折合|约|相当于|即|约为)?\s?(?:人民币|港币|港元|美元)?\s?$"
)
_CONVERSION_CLOSE = re.compile(r"^\s?[)）]")
_PER_SHARE_BEFORE = re.compile(
    r"(?:每股|每单位|每股股份)(?:为|约|作价|定价|定于)?\s?$|(?:报|价|价格|价为|定于|报价)(?:为|约|在)?\s?$"
)
_PER_SHARE_AFTER = re.compile(r"^\s?(?:/|每)股")
_HK_PRICE_CONTEXT = re.compile(
    r"港股|招股|每股|发售价|发行价|定价|开盘|开市|收市|收盘|股价|港交所|联交所|上市|报"
)
_USE_OF_PROCEEDS_CONTEXT = re.compile(r"募集资金|募资|所得款项|集资|筹资|募得")
_USE_OF_PROCEEDS_AFTER = re.compile(
    r"^\s?(?:的)?(?:资金)?(?:将|拟|计划|预计|会|主要)*(?:被)?(?:用于|用作|投入(?:到|于)?|拨作)(?P<purpose>[^,，。;；:：)]*)"
)
_PURPOSE_CUT = re.compile(r"方面|等(?:用途|方面)?$|等$|、(?=[约近超逾余]?\d)")
_THRESHOLD_AFTER = re.compile(r"^\s?的[^,，。;；]{0,10}?(?:客户|用户|企业|公司|项目|订单|合同|门槛)")
_COMPANY_PEER_CUE = re.compile(r"同行|同业|可比公司|竞争对手|竞品|对标|相比之下|行业平均")
_SHARE_OF_PREVIOUS = re.compile(
    r"^\s?[,，]?\s?(?:占比|占(?:总|整体|公司)?(?:收入|营收|收益)?(?:总额)?的?|占(?:员工)?总数的?|占)(?:约|为|达|达到|超过|超)?\s?$"
)
# '…，2023年为34.1亿元' / '…；而2023年则录得…': only joining words around the period
_OTHER_PERIOD_GAP = re.compile(
    r"\s?[,，;；]?\s?(?:而|及|以及|和|与|另)?\s?(?:于|在)?\|(?:末|底)?(?:的)?(?:则|亦|也)?(?:为|是|录得|达到|达|约为|则为)?\s?"
)
# a company-like name the matcher does not know (suffixes that name firms, not businesses)
_COMPANY_LIKE = re.compile(
    r"(?P<name>[\u4e00-\u9fffA-Za-z]{2,8}?(?:科技|集团|股份|控股|有限公司|微电子|半导体|算力))"
    r"(?!业务|板块|产品|方案|解决方案|领域|行业|赛道|平台|公司|股东|投资|旗下|等)"
)
_NO_COMPANY_REASONS = frozenset(
    {
        "market_wide",
        "unknown_company",
        "peer_company_unknown",
        "ambiguous_company",
        "no_company",
        "unknown_subject",
    }
)
_LIST_JOINER = re.compile(r"\s*(?:、|和|及|以及|与|,|，)\s*")
_PERIOD_END_WORDS = re.compile(r"年末|年底|期末|年终")
_SUBSCRIBED = re.compile(
    r"^\s?[,，]?\s?(?:合计|合共|共同|共|总共|一共)?(?:认购|投资|出资)(?:了|约|金额|总额|达|为)*\s?$"
)
_GROWTH_OF_PREVIOUS = re.compile(
    r"^\s?[,，]?\s?(?:同比|按年|较[^,，。;；]{0,14}?)?(?P<dir>增长|增加|上升|上涨|提升|大增|下降|减少|下滑|下跌)(?:了|约|达|为|超过|超)?\s?$"
)
_PRICE_MOVE = re.compile(
    r"(?:较(?:发行价|招股价|发售价|定价|上市价)[^,，。;；]{0,4}?)?"
    r"(?P<dir>上涨|大涨|飙升|涨|上升|升|下跌|跌|高开|低开|破发)(?:了|约|超|达|幅)?\s?$"
)
_OPEN_WORDS = re.compile(r"开盘|开市|高开|低开|开报")
_CLOSE_WORDS = re.compile(r"收盘|收市|收报|收涨|收跌|收升|全日|全天")
_FIRST_DAY_WORDS = re.compile(r"首日")
_INTRADAY = re.compile(
    r"(?P<h>\d{1,2})\s?(?:点|:|时)\s?(?P<m>\d{1,2})\s?分?|盘中|(?:中午|午间|午盘|午市|半日)(?:收市|收盘)?|一度"
)
_NEGATIVE_DIRECTION = ("跌", "下降", "减少", "下滑", "低开", "破发", "降幅")
_RANGE_PRICE_CONTEXT = re.compile(r"招股价|发售价|发行价|价格区间|价格范围|介乎|招股区间|定价区间")
_RANK = re.compile(
    r"(?:位列|排名|排行|位居|名列|位于|排在|居于|居)(?:全国|全球|国内|行业|中国|市场)?第(?P<n>[一二三四五六七八九十\d]{1,3})(?:名|位)?"
    r"|(?P<region>中国|全球|国内|亚洲|全国)?第(?P<n2>[一二三四五六七八九十\d]{1,3})大(?P<mk>[^,，。;；:：]{2,30}?)"
    r"(?:服务商|供应商|提供商|开发商|厂商|企业|公司|平台|玩家|运营商|制造商)"
)
_RANK_MARKET = re.compile(r"在(?P<m>[^,，。;；:：]{2,40}?)(?:中|内|里|上|当中)?\s?[,，]?\s?$")
_ROUND = re.compile(
    r"(?P<r>pre-?ipo|pre-?[a-z]\d*\+{0,2}|[a-z]\d*\+{0,2}|天使|种子|战略|基石)\s?轮", re.IGNORECASE
)
_MODEL_QUOTED = re.compile(r"\"(?P<m>[^\"]{1,24})\"")
_MODEL_LATIN = re.compile(r"(?P<m>[A-Za-z][A-Za-z0-9\-\.]{1,20})\s?(?:大)?模型")
_SEGMENT_NOUN = re.compile(r"(?P<s>[^,，。;；:：、()的]{2,16}?)(?:业务|产品|板块|分部|部门)")
_CUSTOMER_KIND_BEFORE = re.compile(r"(?P<k>[^,，。;；:：、()]{0,14}?)(?P<noun>客户|用户)")
_STRIP_WORDS = re.compile(
    r"^(?:其中|其|该公司|公司|集团|本集团|我们|同期|期内|年内|累计|分别|实现|录得|取得|来自|分业务看|按业务划分|"
    r"按业务|分地区看|按地区划分|按地区|按产品划分|按产品|在细分业务上|在|于|的|了|已|共|服务|覆盖|拥有|有|"
    r"合共|共计|总计|主营业务|营业|经营|综合|合并|总|全年|整体|截至|目前)+"
)
_SEGMENT_CUE = re.compile(
    r"分业务|按业务|业务划分|按分部|分部|按产品|分产品|按地区|分地区|按地域|按行业|分行业|细分业务"
)
_SEGMENT_SUFFIX = re.compile(r"(?:业务|解决方案|产品|服务|硬件|软件|平台|板块|部署|芯片|方案|模组)$")
_REGION_WORDS = re.compile(r"海外|境外|国际|国内|中国内地|内地|东南亚|北美|欧洲|中东|日本|美国|香港")
_EXCHANGES = (
    (re.compile(r"科创板"), "STAR"),
    (re.compile(r"创业板"), "SZSE"),
    (re.compile(r"深交所|深圳证券交易所"), "SZSE"),
    (re.compile(r"上交所|上海证券交易所"), "SSE"),
    (re.compile(r"纳斯达克|nasdaq", re.IGNORECASE), "NASDAQ"),
    (re.compile(r"纽交所|纽约证券交易所|nyse", re.IGNORECASE), "NYSE"),
)
_FOUNDING_BEFORE = re.compile(r"(?:成立|创立|创办|成立于|创立于|始于|起家于)\s?$")
_NUMBERED_YEARS = re.compile(r"(?P<n>[一二三四五六七八九十两\d]+)个?年(?P<half>半)?")

_INVESTOR_AFTER = re.compile(
    r"\s?(?:等)?(?:领投|跟投|参投|投资了?|认购|入股|持股|作为基石|旗下|等投资方|等机构|等股东)"
)
_LISTING_DAY = re.compile(
    r"首日|挂牌|登陆|敲钟|鸣锣|上市铜锣|开始买卖|上市首|暗盘|破发|较发行价|较招股价|较发售价"
    r"|(?:今日|今天|昨日|昨天|正式)[^。]{0,12}上市"
)
# offering amounts a Hong Kong paper quotes in HK dollars (a private round's valuation is not one of them)
_HK_DOLLAR_METRICS = frozenset(
    {"market_cap", "gross_proceeds", "net_proceeds", "cornerstone_amount", "use_of_proceeds_amount"}
)
_LISTING_DAY_METRICS = frozenset(
    {"opening_price", "opening_change_pct", "first_day_close_price", "first_day_change_pct"}
)
_MONEY_SCALES = ("亿", "万", "万亿", "千万", "百万")
# rules whose unit fits a kind of number: (unit, classifier, has currency, has scale, money scale) -> rules
_RULES_BY_KIND: dict[tuple, list[MetricRule]] = {}

FLOW_FALLBACK_SENTENCES = 3  # how many sentences a reporting period carries over to figures without one


# ---------------------------------------------------------------------------------------------------
# Working records


@dataclass
class _Item:
    """One number being classified (a Quantity plus what the document context adds)."""

    q: Quantity
    currency: str
    end: int  # end incl. a conversion parenthetical
    converted_value: float | None = None
    converted_currency: str = ""
    paren_of: int | None = None  # index of the number this one is a parenthetical amount of
    series: tuple[int, int] | None = None  # (series id, position)
    series_approx: bool = False  # '分别约为…': every value of the series is approximate
    per_share: bool = False
    compatible: list | None = None  # metric rules whose unit fits this number (computed once)


@dataclass
class _Decision:
    rule: MetricRule | None
    rule_name: str
    reason: str = ""  # unclassified reason when rule is None
    keyword: str = ""
    keyword_start: int = -1
    negate: bool = False
    dimension: str = ""
    period: Period | None = None
    company_id: str | None = None
    is_comparison: bool = False


@dataclass
class _Series:
    members: list[int]
    marker_start: int  # where 分别为 (or the value run of an implicit series) starts
    periods: tuple[Period, ...] | None = None
    companies: tuple[str, ...] | None = None
    # '收入和净利润分别为…': (rule, keyword, keyword start) per value
    metrics: tuple[tuple[MetricRule, str, int], ...] | None = None
    approx: bool = False
    mismatch: bool = False


@dataclass
class _Context:
    """Period context carried across sentences."""

    period_list: tuple[Period, ...] = ()
    period_list_paragraph: int = -1
    last_flow: Period | None = None
    last_flow_sentence: int = -10
    last_as_of: Period | None = None
    last_as_of_sentence: int = -10
    last_as_of_paragraph: int = -1
    paragraph: int = -1
    paragraph_periods: list = field(default_factory=list)  # reporting periods named so far in the paragraph


@dataclass
class _Out:
    figures: list[dict] = field(default_factory=list)
    unclassified: list[dict] = field(default_factory=list)
    fx: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Small helpers


class _SpanIndex:
    """Sorted, non-nested spans with an overlap test in O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.max_len = max((e - s for s, e in self.spans), default=0)

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans overlapping [start, end), in order."""
        i = bisect.bisect_left(self.starts, end)
        lo = bisect.bisect_left(self.starts, start - self.max_len)
        return [(s, e) for s, e in self.spans[lo:i] if s < end and start < e]

    def overlaps(self, start: int, end: int) -> bool:
        return bool(self.within(start, end))


def _stable_id(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _clause_start(folded: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and folded[i - 1] not in _CLAUSE_STOP:
        i -= 1
    return i


def _right_text(folded: str, pos: int, limit: int, stop: int) -> str:
    return folded[pos : min(stop, pos + limit)]


def _shift_year(p: Period, year: int) -> Period | None:
    t = p.period_type
    if t == "FY":
        return fy(year)
    if t in ("H1", "H2"):
        return half(year, int(t[1]))
    if t == "9M":
        return nine_months(year)
    if t.startswith("Q"):
        return quarter(year, int(t[1]))
    if t == "M":
        return month(year, p.start.month)
    return None


def _years_in(text: str) -> tuple[int, bool] | None:
    m = _NUMBERED_YEARS.search(text)
    if not m:
        return None
    try:
        return int(parse_number(m.group("n"))), bool(m.group("half"))
    except ValueError:
        return None


def _clean_dimension(value: str) -> str:
    value = re.sub(r"\([^)]*\)|（[^）]*）|[\"'《》「」【】\s]", "", value)
    prev = None
    while prev != value:
        prev = value
        value = _STRIP_WORDS.sub("", value)
        value = re.sub(r"(?:的|之|等|方面)$", "", value)
    return value.strip()


def _region_or_segment(value: str) -> str:
    if "部署" in value:
        return f"deployment:{value}"
    if _REGION_WORDS.fullmatch(value) or (len(value) <= 4 and _REGION_WORDS.search(value)):
        return f"region:{value}"
    return f"segment:{value}"


# ---------------------------------------------------------------------------------------------------
# The extractor


class _DocumentExtractor:
    def __init__(self, doc: Document, matcher: CompanyMatcher, subject_ids: list[str], lexicon: Lexicon):
        self.doc = doc
        self.matcher = matcher
        self.folded = doc.folded
        self.text = doc.text
        self.lex = lexicon
        self.rules = list(lexicon.metrics.values())
        body = doc.body_start
        self.sentences = split_sentences(self.folded, body)
        masks = no_figure_spans(self.folded)
        self.periods = [p for p in find_periods(self.folded, doc.published_at) if p.start >= body]
        blocked = _SpanIndex(masks + [(p.start, p.end) for p in self.periods])
        quantities = [
            q
            for q in find_quantities(self.folded)
            if q.start >= body and not blocked.overlaps(q.start, q.end)
        ]
        quantities += self._ranks(body)
        quantities.sort(key=lambda q: q.start)
        self.items = self._items(quantities)
        self.mentions = [m for m in matcher.find_mentions(self.folded) if m.start >= body]
        self.mention_starts = [m.start for m in self.mentions]
        self.name_spans = _SpanIndex(
            [(m.start, m.end) for m in self.mentions] + [(p.start, p.end) for p in self.periods]
        )
        self.period_starts = [p.start for p in self.periods]
        self.subject_ids = list(subject_ids) or self._fallback_subject()
        self.doc_lists = [p for p in self.periods if p.role == "list"]
        self.out = _Out()
        # opening / first-day prices only exist in an article about the listing day
        self.listing_day = bool(_LISTING_DAY.search(self.folded, body))

    # -- setup ----------------------------------------------------------------------------------

    def _ranks(self, body: int) -> list[Quantity]:
        out = []
        for m in _RANK.finditer(self.folded, body):
            n = m.group("n") or m.group("n2")
            try:
                value = parse_number(n)
            except ValueError:
                continue
            if not 1 <= value <= 100:
                continue
            out.append(Quantity(m.start(), m.end(), value, "rank", text=m.group(0)))
        return out

    def _items(self, quantities: list[Quantity]) -> list[_Item]:
        items: list[_Item] = []
        skip: set[int] = set()
        for i, q in enumerate(quantities):
            if i in skip:
                continue
            item = _Item(q=q, currency=q.currency, end=q.end)
            nxt = quantities[i + 1] if i + 1 < len(quantities) else None
            if nxt is not None and _CONVERSION_OPEN.match(self.folded[q.end : nxt.start]):
                close = _CONVERSION_CLOSE.match(self.folded[nxt.end : nxt.end + 3])
                if close and q.unit == "money" and nxt.unit == "money" and nxt.currency != q.currency:
                    item.converted_value = nxt.value
                    item.converted_currency = nxt.currency
                    item.end = nxt.end + close.end()
                    skip.add(i + 1)
                elif close and nxt.unit == "money" and q.unit == "pct":
                    pass  # '70%(约29亿港元)': the amount is its own figure, tied to the percent
            item.per_share = bool(
                _PER_SHARE_BEFORE.search(self.folded[max(0, q.start - 6) : q.start])
                or _PER_SHARE_AFTER.match(self.folded[item.end : item.end + 3])
            )
            items.append(item)
        for i in range(1, len(items)):
            prev, cur = items[i - 1], items[i]
            if (
                prev.q.unit == "pct"
                and cur.q.unit == "money"
                and _CONVERSION_OPEN.match(self.folded[prev.q.end : cur.q.start])
                and _CONVERSION_CLOSE.match(self.folded[cur.q.end : cur.q.end + 3])
            ):
                cur.paren_of = i - 1
        return items

    def _fallback_subject(self) -> list[str]:
        """Without a stated subject: the most-mentioned company, only when it clearly dominates."""
        counts = Counter(m.company_id for m in self.mentions)
        if not counts:
            return []
        ranked = counts.most_common(2)
        top, n = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        return [top] if n >= 3 and n >= 2 * second else []

    # -- main loop ------------------------------------------------------------------------------

    def run(self) -> FigureExtraction:
        ctx = _Context()
        by_sentence: dict[int, list[int]] = {}
        si = 0
        for idx, item in enumerate(self.items):
            while si < len(self.sentences) and self.sentences[si].end <= item.q.start:
                si += 1
            if si < len(self.sentences) and self.sentences[si].start <= item.q.start:
                by_sentence.setdefault(si, []).append(idx)
        for s_idx, sentence in enumerate(self.sentences):
            idxs = by_sentence.get(s_idx, [])
            if idxs:
                self._sentence(s_idx, sentence, idxs, ctx)
            self._update_context(s_idx, sentence, ctx)
        return FigureExtraction(
            figures=_frame(self.out.figures, "ingest_figures"),
            unclassified=_frame(self.out.unclassified, "ingest_unclassified_mentions"),
            implied_fx=_frame(self.out.fx, "ingest_implied_fx_rates"),
        )

    def _sentence_periods(self, s: Sentence) -> list[PeriodMention]:
        lo = bisect.bisect_left(self.period_starts, s.start)
        hi = bisect.bisect_left(self.period_starts, s.end)
        return self.periods[lo:hi]

    def _sentence_mentions(self, s: Sentence) -> list[CompanyMention]:
        lo = bisect.bisect_left(self.mention_starts, s.start)
        hi = bisect.bisect_left(self.mention_starts, s.end)
        return self.mentions[lo:hi]

    def _update_context(self, s_idx: int, s: Sentence, ctx: _Context) -> None:
        if ctx.paragraph != s.paragraph:
            ctx.paragraph, ctx.paragraph_periods = s.paragraph, []
        for p in self._sentence_periods(s):
            if p.role in ("period", "list") and p.period.period_type != "AS_OF":
                ctx.paragraph_periods.extend(p.parts or (p.period,))
            if p.role == "list":
                ctx.period_list = p.parts
                ctx.period_list_paragraph = s.paragraph
            elif (
                p.role == "period"
                and ctx.period_list
                and s.paragraph == ctx.period_list_paragraph
                and p.period.start > ctx.period_list[-1].start
                and p.period.period_type != "AS_OF"
            ):
                # '2022年至2024年…；2025年前三季度…' in one paragraph: 同期 covers all of them
                ctx.period_list = ctx.period_list + (p.period,)
            if p.role in ("as_of",) or (
                p.role == "date" and re.search(r"截至|截止|于", self.folded[p.start - 3 : p.start])
            ):
                ctx.last_as_of, ctx.last_as_of_sentence = p.period, s_idx
                ctx.last_as_of_paragraph = s.paragraph
        if s.heading:
            ctx.last_flow_sentence = -10

    # -- per sentence ---------------------------------------------------------------------------

    def _sentence(self, s_idx: int, s: Sentence, idxs: list[int], ctx: _Context) -> None:
        periods = self._sentence_periods(s)
        self._consumed: list[tuple[int, int]] = []  # keyword spans already used by an earlier number
        series = self._find_series(s, idxs, periods, ctx)
        decided: dict[int, _Decision] = {}
        for pos, idx in enumerate(idxs):
            item = self.items[idx]
            prev_end = s.start
            if pos:
                previous = decided[idxs[pos - 1]]
                prev_end = self.items[idxs[pos - 1]].end
                if previous.rule_name == "keyword_after":
                    # '2.12亿名个人用户，覆盖200多个国家': the noun after a number belongs to that number
                    consumed_end = previous.keyword_start + len(previous.keyword)
                    prev_end = max(prev_end, consumed_end)
                    self._consumed.append((previous.keyword_start, consumed_end))
            decision = self._decide(s_idx, s, idx, item, prev_end, periods, series, decided, ctx)
            decided[idx] = decision
            self._emit(s, item, decision)
            if (
                decision.rule is not None
                and decision.period is not None
                and decision.rule.kind == "flow"
                and decision.period.period_type != "CUM"
                and not decision.is_comparison
            ):
                ctx.last_flow, ctx.last_flow_sentence = decision.period, s_idx

    def _find_series(
        self, s: Sentence, idxs: list[int], periods: list[PeriodMention], ctx: _Context
    ) -> list[_Series]:
        out: list[_Series] = []
        folded = self.folded
        for marker in _SERIES_MARKER.finditer(folded, s.start, s.end):
            members: list[int] = []
            for idx in idxs:
                item = self.items[idx]
                if item.q.start < marker.end() or item.paren_of is not None:
                    continue
                if not members:
                    if not _SERIES_LEAD_GAP.match(folded[marker.end() : item.q.start]):
                        break
                    members.append(idx)
                    continue
                last = self.items[members[-1]]
                if item.q.unit != "rank" and _SERIES_GAP.match(folded[last.end : item.q.start]):
                    members.append(idx)
                else:
                    break
            if not members:
                continue
            if len(self._metric_list(s, marker.start())) < 2:
                # one metric: the series is the run of values of the first value's unit
                unit = self.items[members[0]].q.unit
                cut = next(
                    (i for i, idx in enumerate(members) if self.items[idx].q.unit != unit), len(members)
                )
                members = members[:cut]
            ser = _Series(members=members, marker_start=marker.start(), approx="约" in marker.group(0))
            self._align_series(ser, s, periods, ctx)
            self._register_series(ser, out)
        for run in self._value_runs(idxs):
            # '2022年至2024年，收入为4.02亿元、3.95亿元及5.00亿元': a list without 分别, aligned only with
            # a period list stated earlier in the same sentence
            first = self.items[run[0]].q.start
            if not any(p.is_multi and p.end <= first and p.role == "list" for p in periods):
                continue
            ser = _Series(members=run, marker_start=first)
            self._align_series(ser, s, periods, ctx)
            self._register_series(ser, out)
        return out

    def _register_series(self, ser: _Series, out: list[_Series]) -> None:
        for position, idx in enumerate(ser.members):
            self.items[idx].series = (len(out), position)
            self.items[idx].series_approx = ser.approx
        out.append(ser)

    def _value_runs(self, idxs: list[int]) -> list[list[int]]:
        """Runs of two or more numbers of one unit joined only by 、/和/及, not yet in a series."""
        runs: list[list[int]] = []
        run: list[int] = []
        for idx in idxs:
            item = self.items[idx]
            if item.series is not None or item.paren_of is not None or item.q.unit in ("", "rank"):
                run = []
                continue
            last = self.items[run[-1]] if run else None
            if (
                last is not None
                and item.q.unit == last.q.unit
                and _SERIES_GAP.match(self.folded[last.end : item.q.start])
            ):
                run.append(idx)
            else:
                run = [idx]
                runs.append(run)
        return [r for r in runs if len(r) >= 2]

    def _align_series(self, ser: _Series, s: Sentence, periods: list[PeriodMention], ctx: _Context) -> None:
        n = len(ser.members)
        before = [m for m in self._sentence_mentions(s) if m.end <= ser.marker_start]
        metric_list = self._metric_list(s, ser.marker_start)
        if len(metric_list) >= 2:
            if len(metric_list) == n:
                ser.metrics = tuple(metric_list)
            else:
                ser.mismatch = True
            return
        company_list = self._company_list(before)
        if len(company_list) >= 2:
            if len(company_list) == n:
                ser.companies = tuple(company_list)
            else:
                ser.mismatch = True
            return
        lists = [p for p in periods if p.end <= ser.marker_start and p.role in ("list", "period")]
        multi = [p for p in lists if p.is_multi]
        if multi:
            parts = multi[-1].parts
        elif n == 1 and lists:
            parts = (lists[-1].period,)
        else:
            parts = ctx.period_list
        if n == 1 and not parts:
            return
        if len(parts) != n:
            ser.mismatch = True
        else:
            ser.periods = tuple(parts)

    def _metric_list(self, s: Sentence, marker_start: int) -> list[tuple[MetricRule, str, int]]:
        """Metric keywords joined by 和/及/、 right before 分别 ('营收和净利润分别为…')."""
        start = _clause_start(self.folded, marker_start, s.start)
        text = self.folded[start:marker_start]
        hits = []
        for rule in self.rules:
            if rule.before_any is None or not rule.before_any.search(text):
                continue
            for pat in rule.before:
                hits += [(m.start(), -len(m.group(0)), m.end(), rule, m.group(0)) for m in pat.finditer(text)]
        hits = [(a + start, b, c + start, r, k) for a, b, c, r, k in hits]
        text = self.folded[: start + len(text)]
        hits.sort(key=lambda h: (h[0], h[1]))
        chosen: list[tuple[int, int, MetricRule, str]] = []
        for h_start, _, h_end, rule, keyword in hits:
            if chosen and h_start < chosen[-1][1]:
                continue  # inside a longer keyword already taken
            chosen.append((h_start, h_end, rule, keyword))
        if len(chosen) < 2:
            return []
        for (_, a_end, _, _), (b_start, _, _, _) in zip(chosen, chosen[1:], strict=False):
            if not _LIST_JOINER.fullmatch(text[a_end:b_start]):
                return []
        if _LIST_JOINER.fullmatch(text[chosen[-1][1] :]) is None and text[chosen[-1][1] :].strip():
            return []
        return [(rule, keyword, k_start) for k_start, _, rule, keyword in chosen]

    def _company_list(self, mentions: list[CompanyMention]) -> list[str]:
        """The last run of company mentions joined only by separators (A、B和C)."""
        run: list[CompanyMention] = []
        for m in mentions:
            if run and re.fullmatch(r"\s*(?:、|,|，|和|及|以及|与)\s*", self.folded[run[-1].end : m.start]):
                run.append(m)
            else:
                run = [m]
        ids = [m.company_id for m in run]
        return ids if len(set(ids)) == len(ids) else []

    # -- classification -------------------------------------------------------------------------

    def _decide(
        self,
        s_idx: int,
        s: Sentence,
        idx: int,
        item: _Item,
        prev_end: int,
        periods: list[PeriodMention],
        series: list[_Series],
        decided: dict[int, _Decision],
        ctx: _Context,
    ) -> _Decision:
        q = item.q
        folded = self.folded
        item.currency = self._currency(item, s)
        if q.unit == "pp":
            return _Decision(None, "", reason="change_in_points")
        if s.table:
            return _Decision(None, "", reason="table_cell")
        ser = series[item.series[0]] if item.series else None
        if ser is not None and ser.metrics is not None and not ser.mismatch:
            rule, keyword, keyword_start = ser.metrics[item.series[1]]
            if not self._compatible(rule, item):
                return _Decision(None, "", reason="series_unit_mismatch")
            negate = any(w in keyword for w in rule.negate)
            decision = _Decision(
                rule, "series_of_metrics", keyword=keyword, keyword_start=keyword_start, negate=negate
            )
            self._finish(s_idx, s, item, decision, folded[prev_end : q.start], periods, None, decided, ctx)
            return decision
        if ser is not None and item.series[1] > 0:
            return self._series_member(ser, item, idx, decided)
        window = folded[prev_end : q.start]
        right = _right_text(folded, item.end, 30, s.end)
        decision = self._metric(s, idx, item, window, prev_end, right, decided)
        if decision.rule is None:
            return decision
        if (
            decision.rule.code in _HK_DOLLAR_METRICS
            and q.bare_yuan
            and item.currency == "CNY"
            and self.doc.language == "zh-Hant"
            and _HK_PRICE_CONTEXT.search(self.folded, self.doc.body_start)
        ):
            # Hong Kong papers write a bare 元 for HK dollars; only per-share prices are settled by convention
            return _Decision(None, "", reason="ambiguous_currency")
        if decision.rule.code in _LISTING_DAY_METRICS:
            if not self.listing_day:
                return _Decision(None, "", reason="not_listing_day")
            if "暗盘" in self.folded[s.start : q.start]:
                return _Decision(None, "", reason="grey_market")
        if ser is not None:
            if ser.mismatch:
                return _Decision(None, "", reason="series_mismatch")
            decision.rule_name = f"series:{decision.rule_name}"
        self._finish(s_idx, s, item, decision, window, periods, ser, decided, ctx)
        return decision

    def _series_member(self, ser: _Series, item: _Item, idx: int, decided: dict[int, _Decision]) -> _Decision:
        head = decided.get(ser.members[0])
        if head is None or head.rule is None:
            return _Decision(None, "", reason=head.reason if head else "series_head_unclassified")
        if ser.mismatch:
            return _Decision(None, "", reason="series_mismatch")
        position = item.series[1]
        d = replace(head, rule_name=head.rule_name)
        if ser.periods is not None:
            d.period = ser.periods[position]
        if ser.companies is not None:
            d.company_id = ser.companies[position]
        return d

    def _currency(self, item: _Item, s: Sentence) -> str:
        q = item.q
        if (
            q.bare_yuan
            and self.doc.language == "zh-Hant"
            and abs(q.value) < 10_000
            and _HK_PRICE_CONTEXT.search(self.folded[s.start : s.end])
        ):
            return "HKD"
        return q.currency

    def _compatible_rules(self, item: _Item) -> list[MetricRule]:
        if item.compatible is None:
            q = item.q
            key = (q.unit, q.classifier, bool(q.currency), bool(q.scale_text), q.scale_text in _MONEY_SCALES)
            by_unit = _RULES_BY_KIND.get(key)
            if by_unit is None:
                by_unit = _RULES_BY_KIND[key] = [r for r in self.rules if self._unit_fits(r, item)]
            item.compatible = [r for r in by_unit if self._value_fits(r, item)]
        return item.compatible

    def _compatible(self, rule: MetricRule, item: _Item) -> bool:
        return self._unit_fits(rule, item) and self._value_fits(rule, item)

    @staticmethod
    def _value_fits(rule: MetricRule, item: _Item) -> bool:
        value = abs(item.q.value)
        if rule.min_value is not None and value < rule.min_value:
            return False
        return rule.max_value is None or value <= rule.max_value

    @staticmethod
    def _unit_fits(rule: MetricRule, item: _Item) -> bool:

        q = item.q
        if rule.unit == "money":
            ok = q.unit == "money" or (
                q.unit == "" and rule.table == "financials" and q.scale_text in _MONEY_SCALES
            )
        elif rule.unit == "count":
            ok = (q.unit == "count" or (q.unit == "" and bool(q.scale_text))) and not q.currency
            # the counting word must fit the thing counted: 24家OEM are not 24 devices
            ok = ok and q.classifier in rule.classifiers
        else:
            ok = q.unit == rule.unit
        return ok

    def _best_keyword(
        self,
        rules: list[MetricRule],
        item: _Item,
        window: str,
        window_start: int,
        sentence_text: str,
        extended: bool,
    ) -> tuple[MetricRule, re.Match] | None:
        best = None
        best_key = None
        for rule in self._compatible_rules(item):
            if rule.before_any is None or not rule.before_any.search(window):
                continue
            if rule.requires and not any(r.search(sentence_text) for r in rule.requires):
                continue
            if any(b.search(window) for b in rule.block_if_window):
                continue
            for pat in rule.before:
                for m in pat.finditer(window):
                    if m.end() == m.start():
                        continue
                    gap = window[m.end() :]
                    if any(f.search(gap) for f in rule.forbid):
                        continue
                    if rule.not_after and any(na.search(window[: m.start()]) for na in rule.not_after):
                        continue
                    if extended and (
                        self._gap_has_same_unit(item, window_start + m.end())
                        or any(
                            a < window_start + m.end() and window_start + m.start() < b
                            for a, b in self._consumed
                        )
                    ):
                        continue
                    key = (m.end(), m.end() - m.start())
                    if best_key is None or key > best_key:
                        best, best_key = (rule, m), key
        return best

    def _gap_has_same_unit(self, item: _Item, gap_start: int) -> bool:
        """A keyword already used by an earlier number of the same kind does not reach this one."""
        for other in self.items:
            o = other.q
            if o.start >= item.q.start:
                break
            if (
                o.start >= gap_start
                and o.unit == item.q.unit
                and other.paren_of is None
                and not re.search(r"至|到", self.folded[o.end : item.q.start])
            ):
                return True
        return False

    def _metric(
        self,
        s: Sentence,
        idx: int,
        item: _Item,
        window: str,
        prev_end: int,
        right: str,
        decided: dict[int, _Decision],
    ) -> _Decision:
        q = item.q
        folded = self.folded
        sentence_text = folded[s.start : s.end]
        metrics = self.lex.metrics
        # use of proceeds: '募集资金净额的70%(约29亿港元)将用于X'
        if item.paren_of is not None:
            head = decided.get(item.paren_of)
            if head is not None and head.rule is not None and head.rule.code == "use_of_proceeds_pct":
                return _Decision(
                    metrics["use_of_proceeds_amount"], "use_of_proceeds_paren", dimension=head.dimension
                )
        if q.unit in ("pct", "money") and _USE_OF_PROCEEDS_CONTEXT.search(sentence_text):
            purpose = _USE_OF_PROCEEDS_AFTER.match(re.sub(r"^\s?\([^)]*\)", "", right))
            if purpose:
                value = _clean_dimension(_PURPOSE_CUT.split(purpose.group("purpose"))[0])
                if not value:
                    return _Decision(None, "", reason="use_of_proceeds_without_purpose")
                code = "use_of_proceeds_pct" if q.unit == "pct" else "use_of_proceeds_amount"
                return _Decision(metrics[code], "use_of_proceeds", dimension=f"purpose:{value}")
        if item.paren_of is not None:
            return _Decision(None, "", reason="parenthetical_amount")
        if q.unit == "money" and _THRESHOLD_AFTER.match(right):
            return _Decision(None, "", reason="threshold")
        # words right after the number: '11家基石投资者', '600亿参数', '的发行价'
        after_hit = self._after_keyword(item, right, sentence_text)
        if after_hit is not None and q.low is None:
            return after_hit
        probe = window + q.text + right[:12]
        for reason, patterns in self.lex.not_figures.items():
            if reason == "market_wide":
                # market words count only when no company is named between them and the number
                if self._market_wide_before(s, q, prev_end, patterns):
                    return _Decision(None, "", reason=reason)
            elif any(p.search(probe) for p in patterns):
                return _Decision(None, "", reason=reason)
        if self._market_wide_before(s, q, s.start, self.lex.market_wide_sentence):
            return _Decision(None, "", reason="market_wide")
        if q.unit == "rank":
            return _Decision(metrics["market_rank"], "rank")
        # offer price range: '招股价区间为每股9.5港元至11.5港元'
        if q.low is not None:
            if (
                q.unit == "money"
                and _RANGE_PRICE_CONTEXT.search(folded[s.start : q.start])
                and q.high < 100_000
            ):
                return _Decision(metrics["offer_price_low"], "offer_price_range")
            return _Decision(None, "", reason="range")
        comparison = self._comparison_base(s, item, window, prev_end, decided)
        if comparison is not None:
            return comparison
        follow = self._follow_on(s, item, window, decided) or self._same_metric_other_period(
            item, prev_end, decided
        )
        if follow is not None:
            return follow
        hit = self._best_keyword(self.rules, item, window, prev_end, sentence_text, extended=False)
        if hit is not None:
            return self._from_keyword(hit, prev_end, item, window)
        move = self._price_move(s, item, window)
        if move is not None:
            return move
        sentence_window = folded[s.start : q.start]
        hit = self._best_keyword(self.rules, item, sentence_window, s.start, sentence_text, extended=True)
        if hit is not None:
            rule, m = hit
            if rule.per_share and not item.per_share:
                return _Decision(None, "", reason="price_without_per_share_context")
            d = self._from_keyword(hit, s.start, item, sentence_window)
            d.rule_name = "keyword_sentence"
            return d
        return _Decision(None, "", reason="no_metric")

    def _market_wide_before(self, s: Sentence, q: Quantity, start: int, patterns) -> bool:
        """A market-wide marker in folded[start:q] with no company named after it
        ('港股今年上半年共有30只新股上市，集资总额约180亿港元')."""
        before = self.folded[start : q.start]
        for pattern in patterns:
            for m in pattern.finditer(before):
                named = [c for c in self._sentence_mentions(s) if start + m.end() <= c.start < q.start]
                if not named:
                    return True
        return False

    def _from_keyword(self, hit, offset: int, item: _Item, window: str) -> _Decision:
        rule, m = hit
        keyword = m.group(0)
        negate = any(w in keyword for w in rule.negate)
        tail = window[m.end() :]
        if rule.negate and any(w in tail for w in _NEGATIVE_DIRECTION):
            negate = any(w in tail for w in rule.negate) or negate
        return _Decision(rule, "keyword", keyword=keyword, keyword_start=offset + m.start(), negate=negate)

    def _after_keyword(self, item: _Item, right: str, sentence_text: str) -> _Decision | None:
        """The keyword right after the number that ends first wins ('为发明专利' before '专利')."""
        best = None
        for rule in self._compatible_rules(item):
            if not rule.after:
                continue
            if rule.requires and not any(r.search(sentence_text) for r in rule.requires):
                continue
            for pat in rule.after:
                m = pat.search(right)
                if m and (
                    best is None or (m.end(), -len(m.group(0))) < (best[1].end(), -len(best[1].group(0)))
                ):
                    best = (rule, m)
        if best is None:
            return None
        rule, m = best
        return _Decision(rule, "keyword_after", keyword=m.group(0), keyword_start=item.end + m.start())

    def _comparison_base(
        self, s: Sentence, item: _Item, window: str, prev_end: int, decided: dict[int, _Decision]
    ) -> _Decision | None:
        """'较2023年的3.02亿美元' / '上年同期亏损1.92亿元': the base value of a comparison."""
        if item.q.unit not in ("money", "count"):
            return None
        comps = [
            p
            for p in self.periods
            if prev_end <= p.start and p.end <= item.q.start and p.role == "comparison" and p.parts
        ]
        if not comps:
            return None
        comp = comps[-1]
        tail = self.folded[comp.end : item.q.start]
        if not re.fullmatch(r"\s?(?:同期)?(?:的|为|录得)?[^,，。;；\d]{0,8}?(?:为|录得|的)?\s?", tail):
            return None
        main = next(
            (
                d
                for d in decided.values()
                if d.rule is not None and not d.is_comparison and d.rule.unit == item.q.unit
            ),
            None,
        )
        hit = self._best_keyword(
            self.rules, item, tail, comp.end, self.folded[s.start : s.end], extended=False
        )
        if hit is not None:
            d = self._from_keyword(hit, comp.end, item, tail)
        elif main is not None:
            d = replace(main, keyword="", negate=main.negate)
        else:
            return None
        same_period = "同期" in self.folded[comp.start : comp.end + 2]
        if same_period:
            ref = main.period if main is not None else None
            d.period = _shift_year(ref, comp.period.start.year) if ref is not None else None
        else:
            d.period = comp.period
        if d.period is None:
            return None
        d.rule_name = "comparison_base"
        d.is_comparison = True
        return d

    def _same_metric_other_period(
        self, item: _Item, prev_end: int, decided: dict[int, _Decision]
    ) -> _Decision | None:
        """'2024年收入37.7亿元，2023年为34.1亿元': the previous figure's metric for another period."""
        previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
        if not previous:
            return None
        last = previous[-1]
        if last.rule.kind not in ("flow", "stock") or not self._compatible(last.rule, item):
            return None
        inside = [p for p in self.periods if prev_end <= p.start and p.end <= item.q.start]
        if len(inside) != 1 or inside[0].is_multi or inside[0].role not in ("period", "as_of"):
            return None
        p = inside[0]
        text = self.folded[prev_end : p.start] + "|" + self.folded[p.end : item.q.start]
        if not _OTHER_PERIOD_GAP.fullmatch(text):
            return None
        return _Decision(
            last.rule,
            "same_metric_other_period",
            negate=last.negate,
            dimension=last.dimension,
            period=p.period,
        )

    def _follow_on(
        self, s: Sentence, item: _Item, window: str, decided: dict[int, _Decision]
    ) -> _Decision | None:
        """Percentages that refer to the previous figure: '收入X，同比增长Y%' / '研发人员X人，占比Y%'."""
        previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
        if not previous or item.q.unit not in ("pct", "money"):
            return None
        last = previous[-1]
        metrics = self.lex.metrics
        if item.q.unit == "money":
            # '11家基石投资者合计认购29.8亿港元'
            if last.rule.code == "cornerstone_count" and _SUBSCRIBED.match(window):
                return _Decision(metrics["cornerstone_amount"], "amount_of_previous")
            return None
        growth = _GROWTH_OF_PREVIOUS.match(window)
        if growth and last.rule.code == "revenue":
            revenue = next(d for d in previous if d.rule.code == "revenue")
            negative = growth.group("dir") in ("下降", "减少", "下滑", "下跌")
            return _Decision(
                metrics["revenue_growth_yoy_pct"],
                "growth_of_previous",
                negate=negative,
                period=revenue.period,
                company_id=revenue.company_id,
            )
        if _SHARE_OF_PREVIOUS.match(window):
            if last.rule.code == "revenue" and last.dimension:
                return _Decision(metrics["revenue_share_pct"], "share_of_previous", dimension=last.dimension)
            if last.rule.code == "rd_headcount":
                return _Decision(metrics["rd_headcount_share_pct"], "share_of_previous")
        return None

    def _price_move(self, s: Sentence, item: _Item, window: str) -> _Decision | None:
        if item.q.unit != "pct":
            return None
        m = _PRICE_MOVE.search(window)
        if not m:
            return None
        before = self.folded[s.start : item.q.start]
        moment = self._nearest_moment(before)
        if moment not in ("at_open", "at_close", "first_day"):
            return None
        code = "opening_change_pct" if moment == "at_open" else "first_day_change_pct"
        negative = m.group("dir") in ("下跌", "跌", "低开", "破发")
        return _Decision(self.lex.metrics[code], "price_move", negate=negative)

    def _nearest_moment(self, before: str) -> str:
        best, best_pos = "", -1
        # intraday first: '中午收市' ends where '收市' does and must win the tie
        for pattern, name in (
            (_INTRADAY, "intraday"),
            (_OPEN_WORDS, "at_open"),
            (_CLOSE_WORDS, "at_close"),
            (_FIRST_DAY_WORDS, "first_day"),
        ):
            for m in pattern.finditer(before):
                if m.end() > best_pos:
                    best_pos = m.end()
                    if name == "intraday" and m.group("h"):
                        best = f"intraday@{int(m.group('h')):02d}:{int(m.group('m')):02d}"
                    else:
                        best = name
        return best

    # -- period, company, dimension -------------------------------------------------------------

    def _finish(
        self,
        s_idx: int,
        s: Sentence,
        item: _Item,
        d: _Decision,
        window: str,
        periods: list[PeriodMention],
        ser: _Series | None,
        decided: dict[int, _Decision],
        ctx: _Context,
    ) -> None:
        rule = d.rule
        if not d.dimension:
            d.dimension, problem = self._dimension(s, item, d, decided)
            if problem:
                d.rule, d.reason = None, problem
                return
        if d.company_id is None:
            if ser is not None and ser.companies is not None:
                d.company_id = ser.companies[0]
            else:
                d.company_id, problem = self._company(s, item)
                if d.company_id is None:
                    d.rule, d.reason = None, problem
                    return
        if d.period is None:
            if ser is not None and ser.periods is not None:
                d.period = ser.periods[0]
            else:
                d.period, problem = self._period(s_idx, s, item, rule, window, periods, ctx)
                if d.period is None:
                    d.rule, d.reason = None, problem

    def _period(
        self,
        s_idx: int,
        s: Sentence,
        item: _Item,
        rule: MetricRule,
        window: str,
        periods: list[PeriodMention],
        ctx: _Context,
    ) -> tuple[Period | None, str]:
        q = item.q
        usable = [p for p in periods if p.end <= q.start and p.role not in ("comparison", "same_period")]
        if rule.kind == "offering":
            dated = [p for p in usable if p.period.period_type in ("AS_OF", "M") and not p.is_multi]
            if dated:
                return dated[-1].period, ""
            return as_of(self.doc.published_at), ""
        if rule.kind == "stock":
            # a founding date (成立于2019年6月) is never the date of a count
            usable = [
                p for p in usable if not _FOUNDING_BEFORE.search(self.folded[max(0, p.start - 4) : p.start])
            ]
            as_of_mentions = [p for p in usable if p.role == "as_of"]
            # a rank is 'by 2024 revenue' for the whole sentence; other counts need a date next to them
            reach = s.start if rule.code == "market_rank" else q.start - len(window)
            local = [p for p in usable if not p.is_multi and p.start >= reach]
            if as_of_mentions:
                return as_of_mentions[-1].period, ""
            if local:
                return local[-1].period, ""
            if any(p.is_multi for p in usable):
                return None, "ambiguous_period"
            if (
                ctx.last_as_of is not None
                and s_idx - ctx.last_as_of_sentence <= 2
                and ctx.last_as_of_paragraph == s.paragraph
            ):
                return ctx.last_as_of, ""
            if _PERIOD_END_WORDS.search(window):
                # '年末现金…' after '2024年…': the end of the reporting period in context
                reported = [p.period for p in usable if p.period.period_type != "AS_OF" and not p.is_multi]
                candidates = reported or (ctx.paragraph_periods if ctx.paragraph == s.paragraph else [])
                if not candidates:
                    return None, "no_period"
                return as_of(max(p.end for p in candidates)), ""
            return as_of(self.doc.published_at), ""
        before = self.folded[s.start : q.start]
        in_window = [p for p in usable if p.start >= q.start - len(window)]
        if rule.kind == "cagr":
            lists = [p for p in usable if p.is_multi]
            parts = lists[-1].parts if lists else ctx.period_list
            return (cumulative(parts), "") if len(parts) > 1 else (None, "cagr_without_periods")
        cum_window = CUM_MARKER.search(window)
        cum_sentence = [m for m in CUM_MARKER.finditer(before)]
        if cum_window or (
            cum_sentence and not [p for p in usable if p.start >= s.start + cum_sentence[-1].end()]
        ):
            marker = cum_window.group(0) if cum_window else cum_sentence[-1].group(0)
            lists = [p for p in usable if p.is_multi]
            parts = lists[-1].parts if lists else ctx.period_list
            if not parts:
                parts = self._doc_list_for(marker)
            if len(parts) > 1:
                return cumulative(parts), ""
            return None, "cumulative_without_periods"
        if in_window:
            p = in_window[-1]
            return (p.period, "") if not p.is_multi else (None, "ambiguous_period")
        if usable:
            p = usable[-1]
            if p.is_multi:
                return None, "ambiguous_period"
            if p.period.period_type == "AS_OF" and rule.kind == "flow":
                return None, "point_in_time_for_flow"
            return p.period, ""
        if any(p.role == "same_period" and p.start < q.start for p in periods):
            parts = ctx.period_list
            if len(parts) == 1:
                return parts[0], ""
            if len(parts) > 1 and rule.unit == "pct":
                return cumulative(parts), ""
            return None, "ambiguous_period"
        # carry the period of the last reported figure over a few sentences (never into a heading)
        if (
            ctx.last_flow is not None
            and not s.heading
            and s_idx - ctx.last_flow_sentence <= FLOW_FALLBACK_SENTENCES
        ):
            return ctx.last_flow, ""
        return None, "no_period"

    def _doc_list_for(self, marker: str) -> tuple[Period, ...]:
        """'三年累计' with no list yet: the document's first list of that many fiscal years."""
        years = _years_in(marker)
        if years is None:
            return ()
        n, has_half = years
        for p in self.doc_lists:
            fys = [x for x in p.parts if x.period_type == "FY"]
            halves = [x for x in p.parts if x.period_type in ("H1", "9M", "Q1", "Q3")]
            if len(fys) == n and (bool(halves) == has_half):
                return p.parts
        return ()

    def _company(self, s: Sentence, item: _Item) -> tuple[str | None, str]:
        q = item.q
        in_sentence = self._sentence_mentions(s)
        # an investor named before the number (腾讯领投, 美团旗下) is not the figure's company
        investors = {m for m in in_sentence if _INVESTOR_AFTER.match(self.folded, m.end)}
        left = [m for m in in_sentence if m.end <= q.start and m not in investors]
        # an unknown company name closer to the number than any known one ('同行芯途微电子收入…')
        tail_start = left[-1].end if left else s.start
        for m in _COMPANY_LIKE.finditer(self._without_names(tail_start, q.start)):
            if not self._is_subject_name(m.group("name")):
                return None, "unknown_company"
        if left:
            return left[-1].company_id, ""
        if _COMPANY_PEER_CUE.search(self.folded[s.start : q.start]):
            return None, "peer_company_unknown"
        others = [m for m in in_sentence if m.company_id not in self.subject_ids and m not in investors]
        if others:
            return None, "ambiguous_company"
        if len(self.subject_ids) == 1:
            return self.subject_ids[0], ""
        if not self.subject_ids:
            return None, "no_company"
        return None, "ambiguous_company"

    def _dimension(
        self, s: Sentence, item: _Item, d: _Decision, decided: dict[int, _Decision]
    ) -> tuple[str, str]:
        rule = d.rule
        kind = rule.dimension
        folded = self.folded
        q = item.q
        before = folded[s.start : q.start]
        right = _right_text(folded, item.end, 40, s.end)
        if kind == "moment":
            return self._nearest_moment(before), ""
        if kind == "round":
            rounds = list(_ROUND.finditer(before))
            return (f"round:{rounds[-1].group('r')}" if rounds else ""), ""
        if kind == "exchange":
            best, pos = "", -1
            for pattern, code in _EXCHANGES:
                for m in pattern.finditer(folded, s.start, min(s.end, item.end + 20)):
                    if m.start() > pos:
                        best, pos = code, m.start()
            return (f"exchange:{best}" if best else ""), ""
        if kind == "market":
            m = _RANK.fullmatch(q.text)
            if m and m.group("mk"):
                return f"market:{m.group('region') or ''}{m.group('mk')}", ""
            clause_start = _clause_start(folded, q.start, s.start)
            previous_clause = _clause_start(folded, max(s.start, clause_start - 1), s.start)
            mm = _RANK_MARKET.search(folded[clause_start : q.start]) or _RANK_MARKET.search(
                folded[previous_clause : q.start]
            )
            market = _clean_dimension(mm.group("m")) if mm else ""
            return (f"market:{market}", "") if market else ("", "rank_without_market")
        if kind == "model":
            near_before = folded[max(s.start, q.start - 30) : q.start]
            quoted = list(_MODEL_QUOTED.finditer(near_before))
            after_quoted = _MODEL_QUOTED.search(right[:16])
            if after_quoted:
                return f"model:{after_quoted.group('m')}", ""
            if quoted:
                return f"model:{quoted[-1].group('m')}", ""
            latin = list(_MODEL_LATIN.finditer(near_before))
            return (f"model:{latin[-1].group('m')}" if latin else ""), ""
        if kind == "customer_kind":
            return self._customer_kind(s, item, d), ""
        if kind == "retention_segment":
            segs = list(
                _SEGMENT_NOUN.finditer(folded, s.start, d.keyword_start if d.keyword_start > 0 else q.start)
            )
            if segs:
                value = _clean_dimension(segs[-1].group("s"))
                return (f"segment:{value}" if value else ""), ""
            return "", ""
        if kind == "revenue_segment":
            return self._revenue_segment(s, item, d, decided, right)
        return "", ""

    def _customer_kind(self, s: Sentence, item: _Item, d: _Decision) -> str:
        if d.rule_name == "keyword_after":
            value = re.sub(r"^(?:为|是|的)", "", d.keyword)
            value = _clean_dimension(value)
        else:
            start = d.keyword_start if d.keyword_start >= 0 else item.q.start
            clause_start = _clause_start(self.folded, start, s.start)
            m = _CUSTOMER_KIND_BEFORE.search(self._without_names(clause_start, start + len(d.keyword)))
            value = _clean_dimension(m.group("k").split(" ")[-1]) + m.group("noun") if m else ""
        value = value.split("的")[-1]
        return "" if value in ("", "客户", "用户") else f"kind:{value}"

    def _without_names(self, start: int, end: int) -> str:
        """folded[start:end] with company names and period expressions blanked out."""
        spans = self.name_spans.within(start, end)
        if not spans:
            return self.folded[start:end]
        parts, pos = [], start
        for a, b in spans:
            a, b = max(a, start), min(b, end)
            if a > pos:
                parts.append(self.folded[pos:a])
            parts.append(" ")
            pos = max(pos, b)
        parts.append(self.folded[pos:end])
        return re.sub(r" +", " ", "".join(parts))

    def _likely_company(self, s: Sentence, item: _Item, reason: str) -> str:
        """Best guess for an unclassified number's company ('' for market-wide or contested ones)."""
        if reason in _NO_COMPANY_REASONS:
            return ""
        company, _ = self._company(s, item)
        return company or ""

    def _is_subject_name(self, value: str) -> bool:
        """'澄明' for 澄明医疗科技, '深瞳科技' for 深瞳智能: a form of a subject company's name."""
        if len(value) < 2:
            return False
        value = value.lower()
        return any(
            cid in self.subject_ids
            and (
                alias.startswith(value)
                or value.startswith(alias)
                or (len(alias) >= 2 and alias[:2] == value[:2])
            )
            for alias, cid in self.matcher.aliases.items()
        )

    def _revenue_segment(
        self, s: Sentence, item: _Item, d: _Decision, decided: dict[int, _Decision], right: str
    ) -> tuple[str, str]:
        folded = self.folded
        rule = d.rule
        source = re.search(r"^的?(?:总|整体)?(?:收入|营收|收益)来自(?P<d>[^,，。;；:：]{1,20})", right)
        if source:
            return _region_or_segment(_clean_dimension(source.group("d"))), ""
        q = item.q
        anchor = d.keyword_start if 0 <= d.keyword_start < q.start else q.start
        clause_start = _clause_start(folded, anchor, s.start)
        raw = self._without_names(clause_start, anchor)
        raw = CUM_MARKER.sub(" ", re.sub(r"\([^)]*\)", "", raw))
        raw = re.sub(r"^[一二三四五六七八九十]+、|[一二三四五六七八九十两\d]+个?年半?", " ", raw)
        raw = re.sub(r"(?:贡献了?|约|超过|超|近|达到?|为|占|了|\s)+$", "", raw)
        value = _clean_dimension(raw.split(" ")[-1] if raw.strip() else "")
        looks_like_segment = _SEGMENT_SUFFIX.search(value) or _REGION_WORDS.search(value)
        value = re.sub(r"(?:业务|板块|分部)$", "", value) if len(value) > 3 else value
        if len(value) < 2 or re.search(r"\d", value):
            if rule.code == "revenue_share_pct":
                return "", "share_without_segment"
            return "", ""
        cue = _SEGMENT_CUE.search(folded[max(0, s.start - 60) : anchor])
        if self._is_subject_name(value):
            return "", ""
        if rule.code == "revenue" and not (cue or looks_like_segment):
            return "", "unknown_subject"
        return _region_or_segment(value), ""

    # -- output ---------------------------------------------------------------------------------

    def _quote_span(self, s: Sentence, item: _Item, d: _Decision | None) -> tuple[int, int]:
        start = max(s.start, item.q.start - 100)
        if d is not None and 0 <= d.keyword_start < item.q.start:
            start = max(s.start, min(start, d.keyword_start))
        end = min(s.end, max(item.end, item.q.end) + 30)
        end = max(end, item.end)
        return start, end

    def _emit(self, s: Sentence, item: _Item, d: _Decision) -> None:
        q = item.q
        doc_id = self.doc.document_id
        value_text = self.text[q.start : q.end]
        if item.converted_value is not None and q.value:
            rate_date = d.period.end if d.rule is not None and d.period is not None else self.doc.published_at
            if d.rule is None or d.period is None or d.period.period_type != "AS_OF":
                rate_date = self.doc.published_at
            self.out.fx.append(
                {
                    "rate_date": rate_date,
                    "base_currency": item.currency,
                    "quote_currency": item.converted_currency,
                    "rate": round(item.converted_value / q.value, 6),
                    "source": f"implied:{doc_id}",
                    "document_id": doc_id,
                    "quote": self.text[q.start : item.end],
                }
            )
        start, end = self._quote_span(s, item, d)
        if d.rule is None:
            self.out.unclassified.append(
                {
                    "mention_id": _stable_id(doc_id, q.start, q.end, "unclassified"),
                    "document_id": doc_id,
                    "company_id": d.company_id or self._likely_company(s, item, d.reason),
                    "value": q.value,
                    "unit": self._out_unit(q.unit, item.currency),
                    "currency": item.currency,
                    "value_text": value_text,
                    "char_start": start,
                    "char_end": end,
                    "quote": self.text[start:end],
                    "reason": d.reason or "no_metric",
                }
            )
            return
        rule = d.rule
        rows = []
        if q.low is not None and rule.code == "offer_price_low":
            high_rule = self.lex.metrics["offer_price_high"]
            rows = [(rule, q.low), (high_rule, q.high)]
        else:
            rows = [(rule, q.value)]
        for r, value in rows:
            if d.negate:
                value = -abs(value)
            converted = item.converted_value
            if converted is not None and d.negate:
                converted = -abs(converted)
            qualifier = q.qualifier
            if qualifier == "exact" and item.series_approx:
                qualifier = "approx"
            period = d.period
            self.out.figures.append(
                {
                    "figure_id": _stable_id(doc_id, q.start, r.code, d.dimension, period.label),
                    "document_id": doc_id,
                    "company_id": d.company_id,
                    "table_name": r.table,
                    "metric": r.code,
                    "dimension": d.dimension,
                    "period_type": period.period_type,
                    "period_start": period.start,
                    "period_end": period.end,
                    "period_label": period.label,
                    "value": float(value),
                    "unit": r.out_unit
                    or self._out_unit(q.unit if r.unit != "money" else "money", item.currency or "CNY"),
                    "currency": (item.currency or "CNY") if r.unit == "money" else "",
                    "qualifier": qualifier,
                    "value_text": value_text,
                    "char_start": start,
                    "char_end": end,
                    "quote": self.text[start:end],
                    "converted_value": converted,
                    "converted_currency": item.converted_currency or None,
                    "rule": d.rule_name,
                }
            )

    @staticmethod
    def _out_unit(unit: str, currency: str) -> str:
        if unit == "money":
            return currency or "CNY"
        return unit or "count"


def _frame(rows: list[dict], name: str) -> pl.DataFrame:
    """Rows built with exactly the seed's columns, typed by the schema (cheaper than conform)."""
    if not rows:
        return empty_frame(name)
    return pl.DataFrame(rows, schema=SEED_SCHEMAS[name])


def extract_figures(doc: Document, matcher: CompanyMatcher, subject_ids: list[str]) -> FigureExtraction:
    """Figures, unclassified numbers and implied FX rates of one document."""
    return _DocumentExtractor(doc, matcher, subject_ids, load_lexicon()).run()
