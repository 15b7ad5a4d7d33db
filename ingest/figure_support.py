"""Working records, fixed grammar words and pure helpers of the figure extractor (`ingest.figures`).

The words here drive control flow (series markers, conversion parentheses, price moments, market
totals); the metric vocabulary itself is data in `ingest/rules/metrics.yml`.
"""

from __future__ import annotations

import bisect
import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from ingest.lexicon import MetricRule
from ingest.numbers import Quantity, parse_number
from ingest.periods import Period, fiscal_year, fy, half, month, nine_months, quarter

# ---------------------------------------------------------------------------------------------------
# Fixed grammar (words, not figures): kept here because they drive control flow, not metric choice.

CLAUSE_STOP = ",，;；:：。!?！？\n"
SERIES_MARKER = re.compile(r"分别(?:约为|约|为|是|达到|达|录得|实现|占|持有|持股|增长|同比增长)?|依次为|各为")
# between 分别 and the first value: qualifiers or a short metric word ('分别实现营收4.02亿元')
SERIES_LEAD_GAP = re.compile(r"^[^,，。;；:：\d]{0,10}$")
SERIES_GAP = re.compile(r"^\s*(?:、|,|，|和|及|以及|与|;|；)?\s*(?:约为|约|近|超过|超|逾|为)?\s*$")
CONVERSION_OPEN = re.compile(
    r"^\s?[(（]\s?(?:约合|合|折合|约|相当于|即|约为)?\s?(?:人民币|港币|港元|美元)?\s?$"
)
CONVERSION_CLOSE = re.compile(r"^\s?[)）]")
PER_SHARE_BEFORE = re.compile(
    r"(?:每股|每单位|每股股份)(?:为|约|作价|定价|定于)?\s?$|(?:报|价|价格|价为|定于|报价)(?:为|约|在)?\s?$"
)
PER_SHARE_AFTER = re.compile(r"^\s?(?:/|每)股")
HK_PRICE_CONTEXT = re.compile(
    r"港股|招股|每股|发售价|发行价|定价|开盘|开市|收市|收盘|股价|港交所|联交所|上市|报"
)
USE_OF_PROCEEDS_CONTEXT = re.compile(r"募集资金|募资|所得款项|集资|筹资|募得")
# 於 stays unfolded where OpenCC reads a place name ('用於潛在收購' → '用於潜在收购')
USE_OF_PROCEEDS_AFTER = re.compile(
    r"^\s?(?:的)?(?:资金)?(?:将|拟|计划|预计|会|主要)*(?:被)?(?:用[于於]|用作|投入(?:到|[于於])?|拨作)(?P<purpose>[^,，。;；:：)]*)"
)
PURPOSE_CUT = re.compile(r"方面|等(?:用途|方面)?$|等$|、(?=[约近超逾余]?\d)")
THRESHOLD_AFTER = re.compile(r"^\s?的[^,，。;；]{0,10}?(?:客户|用户|企业|公司|项目|订单|合同|门槛)")
COMPANY_PEER_CUE = re.compile(r"同行|同业|可比公司|竞争对手|竞品|对标|相比之下|行业平均")
SHARE_OF_PREVIOUS = re.compile(
    r"^\s?[,，]?\s?(?:占比|占(?:总|整体|公司)?(?:收入|营收|收益)?(?:总额)?的?|占(?:员工)?总数的?|占)(?:约|为|达|达到|超过|超)?\s?$"
)
# '…，2023年为34.1亿元' / '…；而2023年则录得…': only joining words around the period
OTHER_PERIOD_GAP = re.compile(
    r"\s?[,，;；]?\s?(?:而|及|以及|和|与|另)?\s?(?:于|在)?"
    # '留存率由2021年的52.1%变为2023年的47.4%': the level the metric moved to
    r"(?:变为|变成|(?:增|增加|增长|提升|上升|攀升|降|下降|减少|下滑|回落|扩大|收窄)(?:至|到))?\|(?:末|底)?(?:的)?(?:则|亦|也)?(?:为|是|录得|达到|达|约为|则为)?\s?"
)
# a company-like name the matcher does not know (suffixes that name firms, not businesses)
COMPANY_LIKE = re.compile(
    r"(?P<name>[\u4e00-\u9fffA-Za-z]{2,8}?(?<![股万亿])(?:科技|集团|股份|控股|有限公司|微电子|半导体|算力))"
    r"(?!业务|板块|产品|方案|解决方案|领域|行业|赛道|平台|公司|股东|投资|旗下|等"
    # things built of these words ('建设算力中心', '算力集群') are not company names
    r"|中心|集群|资源|基础设施|服务|设施|网络|能力|规模|需求|成本"
    # accounting terms built on 股份 (股份支付, 股份激励) are not company names
    r"|支付|激励|奖励|回购|转让|数目|薪酬)"
)
NO_COMPANY_REASONS = frozenset(
    {
        "market_wide",
        "unknown_company",
        "peer_company_unknown",
        "ambiguous_company",
        "no_company",
        "unknown_subject",
    }
)
ITEM_LIST = re.compile(r"[^\s,，;；、]{2,}、[^\s,，;；、]{2,}")
LIST_JOINER = re.compile(r"\s*(?:、|和|及|以及|与|,|，)\s*")
PERIOD_END_WORDS = re.compile(r"年末|年底|期末|年终")
SUBSCRIBED = re.compile(
    r"^\s?[,，]?\s?(?:合计|合共|共同|共|总共|一共)?(?:认购|投资|出资)(?:了|约|金额|总额|达|为|合计|合共|共|总共)*"
    r"(?:大约|约为|约|近|接近|超过|超|逾|突破|不少于|不足|不到|少于)?\s?$"
)
GROWTH_OF_PREVIOUS = re.compile(
    r"^\s?[,，]?\s?(?:同比|按年|较[^,，。;；]{0,14}?)?(?P<dir>增长|增加|上升|上涨|提升|大增|下降|减少|下滑|下跌)(?:了|约|达|为|超过|超)?\s?$"
)
PRICE_MOVE = re.compile(
    r"(?:较(?:发行价|招股价|发售价|定价|上市价)[^,，。;；]{0,4}?)?"
    r"(?P<dir>上涨|大涨|飙升|涨|上升|升|下跌|跌|回落|下挫|下滑|高开|低开|破发)"
    r"(?:了|大约|约|接近|近|超过|超|逾|达|幅)?\s?$"
)
OPEN_WORDS = re.compile(r"开盘|开市|高开|低开|开报")
CLOSE_WORDS = re.compile(r"收盘|收市|收报|收涨|收跌|收升|全日|全天")
FIRST_DAY_WORDS = re.compile(r"首日")
INTRADAY = re.compile(
    r"(?P<h>\d{1,2})\s?(?:点|:|时)\s?(?P<m>\d{1,2})\s?分?|盘中|(?:中午|午间|午盘|午市|半日)(?:收市|收盘)?|一度"
)
NEGATIVE_DIRECTION = ("跌", "下降", "减少", "下滑", "低开", "破发", "降幅", "回落", "下挫")
RANGE_PRICE_CONTEXT = re.compile(r"招股价|发售价|发行价|价格区间|价格范围|介乎|招股区间|定价区间")
RANK = re.compile(
    r"(?:位列|排名|排行|位居|名列|位于|排在|居于|居)(?:全国|全球|国内|行业|中国|市场)?第(?P<n>[一二三四五六七八九十\d]{1,3})(?:名|位)?"
    r"|(?P<region>中国|全球|国内|亚洲|全国)?第(?P<n2>[一二三四五六七八九十\d]{1,3})大(?P<mk>[^,，。;；:：]{2,30}?)"
    r"(?:服务商|供应商|提供商|开发商|厂商|企业|公司|平台|玩家|运营商|制造商)"
)
RANK_MARKET = re.compile(
    r"在(?P<m>[^,，。;；:：]{2,40}?)(?:中|内|里|上|当中)?\s?[,，]?\s?$"
    # '是中国智能座舱市场排名第三的企业'
    r"|(?:是|为|系|成为|作为)(?P<m2>[^,，。;；:：是为]{2,30}?市场)(?:中|内|上)?\s?$"
)
ROUND = re.compile(
    r"(?P<r>pre-?ipo|pre-?[a-z]\d*\+{0,2}|[a-z]\d*\+{0,2}|天使|种子|战略|基石)\s?轮", re.IGNORECASE
)
MODEL_QUOTED = re.compile(r"\"(?P<m>[^\"]{1,24})\"")
MODEL_LATIN = re.compile(r"(?P<m>[A-Za-z][A-Za-z0-9\-\.]{1,20})\s?(?:大)?模型")
SEGMENT_NOUN = re.compile(r"(?P<s>[^,，。;；:：、()的]{2,16}?)(?:业务|产品|板块|分部|部门)")
CUSTOMER_KIND_BEFORE = re.compile(
    r"(?P<k>[^,，。;；:：、()]{0,14}?)(?P<noun>客户|用户|车企|主机厂|整车厂|医院|银行|金融机构)"
)
PARTNER_WORDS = re.compile(r"^(?:合作|服务|签约)的?")
STRIP_WORDS = re.compile(
    r"^(?:其中|其|该公司|公司|集团|本集团|我们|同期|期内|年内|累计|分别|实现|录得|取得|来自|分业务看|按业务划分|"
    r"按业务|分地区看|按地区划分|按地区|按产品划分|按产品|在细分业务上|在|于|的|了|已|共|服务|覆盖|拥有|有|"
    r"合共|共计|总计|主营业务|营业|经营|综合|合并|总|全年|整体|截至|目前)+"
)
SEGMENT_CUE = re.compile(
    r"分业务|按业务|业务划分|按分部|分部|按产品|分产品|按地区|分地区|按地域|按行业|分行业|细分业务"
)
SEGMENT_REVENUE_AFTER = re.compile(r"(?:业务|板块|分部)?的?(?:收入|营收|收益)")
SEGMENT_SUFFIX = re.compile(r"(?:业务|解决方案|产品|服务|硬件|软件|平台|板块|部署|芯片|方案|模组)$")
REGION_WORDS = re.compile(r"海外|境外|国际|国内|中国内地|内地|东南亚|北美|欧洲|中东|日本|美国|香港")
EXCHANGES = (
    (re.compile(r"科创板"), "STAR"),
    (re.compile(r"创业板"), "SZSE"),
    (re.compile(r"深交所|深圳证券交易所"), "SZSE"),
    (re.compile(r"上交所|上海证券交易所"), "SSE"),
    (re.compile(r"纳斯达克|nasdaq", re.IGNORECASE), "NASDAQ"),
    (re.compile(r"纽交所|纽约证券交易所|nyse", re.IGNORECASE), "NYSE"),
)
# '收入从X提升至Y': the first value of a change (FROM_BEFORE ends right before it) and the words
# between it and the level it changed to (TO_BETWEEN)
FROM_BEFORE = re.compile(r"(?:从|由)\s?(?:约|近|超过|超|逾|接近|不足)?\s?$")
TO_BETWEEN = re.compile(
    r"\s?[,，]?\s?(?:大幅|显著|逐步|持续|进一步|一路)?"
    r"(?:增加|增长|提升|上升|攀升|升|增|下降|减少|降|下滑|回落|扩大|收窄|缩小|降低|跃升|飙升|变为|变成)"
    r"(?:了)?(?:到|至)?\s?(?:约|近|超过|超|逾|接近|不足)?\s?"
)
FOUNDING_BEFORE = re.compile(r"(?:成立|创立|创办|成立于|创立于|始于|起家于)\s?$")
# '三年半' / '三年零九个月': N years and a part-year
NUMBERED_YEARS = re.compile(
    r"(?P<n>[一二三四五六七八九十两\d]+)个?年(?P<half>半|零?[一二三四五六七八九十\d]{1,2}个月)?"
)
TRACK_RECORD = re.compile(r"报告期|往绩记录期")
# shares stated once for a range of years ('2022年至2023年云端部署收入占比超过55.3%') cover the whole span
SHARE_OVER_SPAN = frozenset({"revenue_share_pct"})

INVESTOR_AFTER = re.compile(
    r"\s?(?:等)?(?:领投|跟投|参投|投资了?|认购|入股|持股|作为基石|旗下|等投资方|等机构|等股东)"
)
# '京东旗下京东科技、GIC等9名基石投资者': names listed before a count of investors are investors
INVESTOR_LIST_AFTER = re.compile(r"[^,，。;；:：]{0,30}?等\s?[\d一二三四五六七八九十两]+\s?[名家位个]基石")
# a sentence that reports the listing itself, and words that make it a plan rather than an event
LISTING_EVENT = re.compile(r"挂牌|上市|登陆|敲钟|鸣锣")
FUTURE_WORDS = re.compile(r"预计|预期|拟|将于|将在|计划|有望|即将")
LISTING_DAY = re.compile(
    r"首日|首挂|挂牌|登陆|敲钟|鸣锣|上市铜锣|开始买卖|上市首|暗盘|破发|较发行价|较招股价|较发售价"
    r"|(?:今日|今天|昨日|昨天|正式)[^。]{0,12}上市"
)
# offering amounts a Hong Kong paper quotes in HK dollars (a private round's valuation is not one of them)
HK_DOLLAR_METRICS = frozenset(
    {"market_cap", "gross_proceeds", "net_proceeds", "cornerstone_amount", "use_of_proceeds_amount"}
)
LISTING_DAY_METRICS = frozenset(
    {"opening_price", "opening_change_pct", "first_day_close_price", "first_day_change_pct"}
)
MONEY_SCALES = ("亿", "万", "万亿", "千万", "百万")
# rules whose unit fits a kind of number: (unit, classifier, has currency, has scale, money scale) -> rules
RULES_BY_KIND: dict[tuple, list[MetricRule]] = {}

FLOW_FALLBACK_SENTENCES = 3  # how many sentences a reporting period carries over to figures without one


# ---------------------------------------------------------------------------------------------------
# Working records


@dataclass
class Item:
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
class Decision:
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
class Series:
    members: list[int]
    marker_start: int  # where 分别为 (or the value run of an implicit series) starts
    periods: tuple[Period, ...] | None = None
    companies: tuple[str, ...] | None = None
    # '收入和净利润分别为…': (rule, keyword, keyword start) per value
    metrics: tuple[tuple[MetricRule, str, int], ...] | None = None
    approx: bool = False
    mismatch: bool = False
    reason: str = "series_mismatch"  # why a mismatched series is left unclassified


@dataclass
class Context:
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
class Out:
    figures: list[dict] = field(default_factory=list)
    unclassified: list[dict] = field(default_factory=list)
    fx: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Small helpers


class SpanIndex:
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


def stable_id(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def clause_begin(folded: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and folded[i - 1] not in CLAUSE_STOP:
        i -= 1
    return i


def right_text(folded: str, pos: int, limit: int, stop: int) -> str:
    return folded[pos : min(stop, pos + limit)]


def shift_year(p: Period, year: int) -> Period | None:
    """The period of the same kind ending in `year` (H1-2025 → H1-2024; FY2025 ending in March → FY2024)."""
    t = p.period_type
    if t == "FY":
        if (p.end.month, p.end.day) != (12, 31):
            return fiscal_year(date(year, p.end.month, calendar.monthrange(year, p.end.month)[1]))
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


def year_before(ref: Period, said: Period, back: int, same_period: bool) -> Period | None:
    """'上年(同期)' / '去年' counted back from the figure's period `ref` ('said' is the period the words
    denote when counted from publication): the same kind of period for 同期 or when the kinds agree,
    else the kind the words name ('2025年上半年…，去年全年为Y' → FY2024)."""
    year = ref.end.year - back
    if same_period or said.period_type == ref.period_type:
        return shift_year(ref, year)
    return shift_year(said, year)


def years_in(text: str) -> tuple[int, bool] | None:
    m = NUMBERED_YEARS.search(text)
    if not m:
        return None
    try:
        return int(parse_number(m.group("n"))), bool(m.group("half"))
    except ValueError:
        return None


_DIMENSION_NOISE = re.compile(r"\([^)]*\)|（[^）]*）|[\"'《》「」【】\s]")
_DIMENSION_TAIL = re.compile(r"(?:的|之|等|方面)$")


def clean_dimension(value: str) -> str:
    value = _DIMENSION_NOISE.sub("", value)
    prev = None
    while prev != value:
        prev = value
        value = STRIP_WORDS.sub("", value)
        value = _DIMENSION_TAIL.sub("", value)
    return value.strip()


def region_or_segment(value: str) -> str:
    if "部署" in value:
        return f"deployment:{value}"
    if REGION_WORDS.fullmatch(value) or (len(value) <= 4 and REGION_WORDS.search(value)):
        return f"region:{value}"
    return f"segment:{value}"
