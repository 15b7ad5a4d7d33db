"""Working records of the figure extractor and the pure helpers its stages share.

`Item` is a candidate number with what the document adds to it, `Decision` what the stages decided
about it, `Series` a run of values aligned with periods, metrics or companies, `CarriedContext` the
period context carried from sentence to sentence.
"""

from __future__ import annotations

import bisect
import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from ingest.figures.grammar import (
    CLAUSE_STOP,
    DIMENSION_NOISE,
    DIMENSION_TAIL,
    NUMBERED_YEARS,
    PURPOSE_PARTICLES,
    REGION_WORDS,
    STRIP_WORDS,
    TO_BETWEEN,
    TO_BETWEEN_WITH_RATE,
)
from ingest.lexicon import MetricRule
from ingest.numbers import Quantity, parse_number
from ingest.periods import Period, fiscal_year, fy, half, month, nine_months, quarter


@dataclass
class Item:
    """One number being classified (a Quantity plus what the document context adds)."""

    q: Quantity
    currency: str
    end: int  # end incl. a conversion parenthetical
    # where `currency` came from: written beside the number, declared for the passage ('人民币，下同'),
    # or the default of a bare 元 (CNY), which an offering term of an HKEX listing turns into HKD
    currency_source: str = "written"
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
class CarriedContext:
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
    proceeds_currency: str = ""  # currency of the last gross or net proceeds: the parts of them share it


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


_WIDE_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_WRITTEN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WRITTEN_DECIMALS = re.compile(r"[0-9]+\.([0-9]+)")
_DIMENSION_KIND = re.compile(r"([a-z_]+):")


def written_precision(value_text: str) -> tuple[float | None, int]:
    """The first number written in `value_text` (digits folded, thousands separators dropped) and the
    count of decimals written in it: with the stored value they give the scale word's power of ten and
    the rounding tolerance (macros/rounding_tolerance.sql). (None, 0) when no arabic number is written
    ('第四', '七成')."""
    plain = value_text.translate(_WIDE_DIGITS).replace(",", "")
    number = _WRITTEN_NUMBER.search(plain)
    decimals = _WRITTEN_DECIMALS.search(plain)
    return (float(number.group(0)) if number else None), (len(decimals.group(1)) if decimals else 0)


def split_dimension(dimension: str) -> tuple[str, str]:
    """'segment:智慧医疗' -> ('segment', '智慧医疗'); a moment ('at_open', 'intraday@09:58') ->
    ('moment', 'at_open'); '' -> ('', '')."""
    if not dimension:
        return "", ""
    kind = _DIMENSION_KIND.match(dimension)
    if kind is None:
        return "moment", dimension
    return kind.group(1), dimension[kind.end() :]


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


def clean_dimension(value: str) -> str:
    value = DIMENSION_NOISE.sub("", value)
    prev = None
    while prev != value:
        prev = value
        value = STRIP_WORDS.sub("", value)
        value = DIMENSION_TAIL.sub("", value)
    return value.strip()


def clean_purpose(value: str) -> str:
    """A purpose of the proceeds as written, without brackets and the particles around it (its verbs
    stay: '取得创新的机器人技术', '其他管线产品的持续研发')."""
    value = DIMENSION_NOISE.sub("", value)
    return PURPOSE_PARTICLES.sub("", value).strip()


def region_or_segment(value: str) -> str:
    if "部署" in value:
        return f"deployment:{value}"
    if REGION_WORDS.fullmatch(value) or (len(value) <= 4 and REGION_WORDS.search(value)):
        return f"region:{value}"
    return f"segment:{value}"


def change_target(folded: str, items: list[Item], i: int) -> int | None:
    """Index of the level item `i` changed to ('由X增至Y', '由X增加0.6%至Y'), None when it did not."""
    first = items[i]
    for j in (i + 1, i + 2):
        if j >= len(items) or items[j].q.unit != first.q.unit:
            continue
        gap = TO_BETWEEN if j == i + 1 else TO_BETWEEN_WITH_RATE
        if gap.fullmatch(folded, first.end, items[j].q.start):
            return j
    return None


def change_source(folded: str, items: list[Item], j: int) -> int | None:
    """Index of the item whose change `j` is the level of, None when none."""
    for i in (j - 1, j - 2):
        if i >= 0 and change_target(folded, items, i) == j:
            return i
    return None
