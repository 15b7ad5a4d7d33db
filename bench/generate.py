"""Synthetic corpus of IPO articles with the figures each one states, for benchmarking the extractor.

    python -m bench.generate --n N --out DIR [--seed S]

Writes into DIR:

- N articles (`NNNNN_<company_id>.txt`, some `.md` with front matter), about half zh-Hant (converted
  with OpenCC s2t), about random fictional companies, built from the templates in `bench/templates.py`;
- `manifest.csv` (file, title, publisher, published_at, url, language, companies) as in `sources/`;
- `expected.csv`: one row per figure an analyst would record, following docs/conventions.md —
  document_id, company_id, metric, dimension, period_label, value, unit, currency, qualifier, text.
  `company_id` is `ingest.companies.company_slug` of the simplified name (what the extractor gives a
  discovered company); `period_label` '' means "any period" (the text pins none: market ranks,
  funding rounds, a withdrawn application), as in the gold files; `|` separates accepted
  alternatives of `dimension`; `text` is the number as written (it occurs in the article).
  One CSV rather than a YAML file per article so 10,000 articles stay fast to write and to score.
- `expected_shareholders.csv`: holders named in the article (company_id, holder_name, holder_type,
  parent_entity, stake_pct, subscription_amount, currency).

Deterministic for a given seed: the same (n, seed) writes byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import opencc

from bench import templates as T
from ingest.companies import CompanyMatcher, company_slug

EXPECTED_COLUMNS = (
    "document_id",
    "company_id",
    "metric",
    "dimension",
    "period_label",
    "value",
    "unit",
    "currency",
    "qualifier",
    "text",
)
SHAREHOLDER_COLUMNS = (
    "document_id",
    "company_id",
    "holder_name",
    "holder_type",
    "parent_entity",
    "stake_pct",
    "subscription_amount",
    "currency",
)
MANIFEST_COLUMNS = ("file", "title", "publisher", "published_at", "url", "language", "companies")
FIRST_DATE, LAST_DATE = date(2019, 3, 1), date(2026, 10, 31)
HANT_SHARE = 0.5

QUALIFIER_WORDS = {
    "approx": (("约", ""), ("近", ""), ("约", ""), ("", "左右"), ("大约", ""), ("接近", "")),
    "lower_bound": (("超", ""), ("超过", ""), ("逾", ""), ("", "以上"), ("突破", ""), ("超", "")),
    "upper_bound": (("不足", ""), ("不到", ""), ("", "以下"), ("少于", "")),
}


# --------------------------------------------------------------------------- figures and slots


@dataclass(frozen=True)
class Figure:
    metric: str
    value: float
    unit: str
    currency: str
    qualifier: str
    text: str  # the number as written (simplified; converted with the article)
    period_label: str = ""
    dimension: str = ""


@dataclass(frozen=True)
class Slot:
    """Text for a template placeholder and the figures it states."""

    text: str
    figures: tuple[Figure, ...] = ()


@lru_cache(maxsize=4096)
def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


# '为约3.3%' / '达超过900家' read badly: a qualifier word replaces the copula before it.
_COPULA_BEFORE_QUALIFIER = re.compile(r"(?:高达|达到|为|达)(?=约|近|超|逾|突破|不足|不到|少于|大约|接近)")


def _smooth(sentence: str) -> str:
    return _COPULA_BEFORE_QUALIFIER.sub("", sentence)


@dataclass(frozen=True)
class Period:
    kind: str  # FY H1 9M
    year: int

    @property
    def label(self) -> str:
        return f"FY{self.year}" if self.kind == "FY" else f"{self.kind}-{self.year}"

    @property
    def end(self) -> date:
        return {"FY": date(self.year, 12, 31), "H1": date(self.year, 6, 30), "9M": date(self.year, 9, 30)}[
            self.kind
        ]


def cum_label(periods: Sequence[Period]) -> str:
    return f"CUM-{periods[0].label}-{periods[-1].label}"


# --------------------------------------------------------------------------- number rendering


def _decimal_value(number: str, scale: int) -> float:
    """Exact whole-unit value of a number as written ('4,210' × 万)."""
    value = Decimal(number.replace(",", "")) * scale
    return float(value)


def _with_commas(rng: random.Random, integer: int) -> str:
    return f"{integer:,}" if integer >= 1000 and rng.random() < 0.4 else str(integer)


def qualify(rng: random.Random, core: str, qualifier: str) -> str:
    if qualifier == "exact":
        return core
    before, after = rng.choice(QUALIFIER_WORDS[qualifier])
    return f"{before}{core}{after}"


def pick_qualifier(rng: random.Random, exact_share: float = 0.55) -> str:
    r = rng.random()
    if r < exact_share:
        return "exact"
    r = (r - exact_share) / (1 - exact_share)
    return "approx" if r < 0.45 else "lower_bound" if r < 0.9 else "upper_bound"


@dataclass
class Style:
    """How one article writes money (per-article, so its series read consistently)."""

    cny_word: str  # 元 / 元人民币 / 人民币
    hk_bare_price: bool  # zh-Hant HK paper: '每股13.6元' means HKD
    decimals_yi: int  # 1 or 2 decimals for 亿 amounts
    wan_for_small: bool  # amounts under 1亿 in 万 (4,210万美元) rather than 0.42亿
    cny_prefix: bool = False  # '人民币9.39亿元' rather than '9.39亿元'
    millions: bool = False  # HK prospectus style '人民币562.3百万元' (with cny_prefix)


def money(rng: random.Random, style: Style, amount: float, currency: str) -> tuple[str, float]:
    """(number with scale and currency as written, exact value in whole units) for ~`amount`."""
    amount = abs(amount)
    if currency == "CNY" and style.cny_prefix:
        if style.millions and amount >= 1e6:
            number = f"{amount / 1e6:.1f}"
            return f"人民币{number}百万元", _decimal_value(number, 1_000_000)
        text, value = money(rng, replace(style, cny_prefix=False, cny_word="元"), amount, currency)
        return f"人民币{text}", value
    word = {"CNY": style.cny_word, "USD": "美元", "HKD": "港元"}[currency]
    if amount >= 1e8 or (not style.wan_for_small and amount >= 5e6):
        # under 1亿 two decimals keep the value meaningful (0.57亿, not 0.6亿)
        decimals = 2 if amount < 1e8 else style.decimals_yi if amount < 1e10 else rng.choice((0, 1, 2))
        number = f"{amount / 1e8:.{decimals}f}"
        if float(number) == 0:
            number = f"{amount / 1e8:.2f}"
        return f"{number}亿{word}", _decimal_value(number, 100_000_000)
    wan = max(1, round(amount / 1e4))
    number = _with_commas(rng, wan)
    return f"{number}万{word}", _decimal_value(number, 10_000)


def price(rng: random.Random, style: Style, value: float) -> tuple[str, float]:
    number = f"{value:.2f}" if value < 100 or rng.random() < 0.5 else f"{value:.1f}"
    return f"{number}{'元' if style.hk_bare_price else '港元'}", float(Decimal(number))


def pct(value: float, decimals: int) -> tuple[str, float]:
    number = f"{abs(value):.{decimals}f}"
    return f"{number}%", float(Decimal(number))


def count(rng: random.Random, value: int, classifier: str, qualifier: str = "exact") -> tuple[str, float]:
    """'1,126人', '1.2万家', '超过900家', '1100余家' — and the count it states."""
    if value >= 10_000 and rng.random() < 0.5:
        number = f"{value / 10_000:.1f}".rstrip("0").rstrip(".")
        core, val = f"{number}万{classifier}", _decimal_value(number, 10_000)
    else:
        core, val = f"{_with_commas(rng, value)}{classifier}", float(value)
    if qualifier == "lower_bound" and rng.random() < 0.25 and core.endswith(classifier) and "万" not in core:
        return f"{core[: -len(classifier)]}余{classifier}", val
    return qualify(rng, core, qualifier), val


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (第三, 十一名)."""
    if n <= 10:
        return T.CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else T.CN_DIGITS[tens]) + "十" + (T.CN_DIGITS[ones] if ones else "")


def join_list(rng: random.Random, items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    last = rng.choice(("及", "和", "以及", "、"))
    return "、".join(items[:-1]) + last + items[-1]


# --------------------------------------------------------------------------- periods


FY_STYLES = ("{y}年", "{y}年", "{y}年度", "{y}财年")
PARTIAL_STYLES = {
    "H1": ("{y}年上半年", "{y}年1-6月", "截至{y}年6月30日止六个月"),
    "9M": ("{y}年前三季度", "{y}年1-9月", "截至{y}年9月30日止九个月"),
}


def period_text(rng: random.Random, p: Period, fy_style: str) -> str:
    if p.kind == "FY":
        return fy_style.format(y=p.year)
    return rng.choice(PARTIAL_STYLES[p.kind]).format(y=p.year)


def periods_text(rng: random.Random, periods: Sequence[Period]) -> str:
    """'2022年、2023年、2024年及2025年上半年' or '2022年至2024年及2025年1-6月'."""
    fy = [p for p in periods if p.kind == "FY"]
    rest = [p for p in periods if p.kind != "FY"]
    fy_style = rng.choice(FY_STYLES)
    if len(fy) >= 3 and rng.random() < 0.3:
        head = f"{fy[0].year}年至{fy[-1].year}年"
    elif len(fy) >= 3 and rng.random() < 0.15:
        head = f"{fy[0].year}-{fy[-1].year}年"
    else:
        items = [period_text(rng, p, fy_style) for p in fy]
        if not rest:
            return join_list(rng, items)
        head = "、".join(items)
    if not rest:
        return head
    return head + rng.choice(("及", "以及", "和", "、")) + period_text(rng, rest[0], fy_style)


def span_text(rng: random.Random, periods: Sequence[Period]) -> str:
    """A cumulative span: '三年半时间内', '报告期内', '2022年至2024年'."""
    n_fy = sum(p.kind == "FY" for p in periods)
    partial = periods[-1].kind != "FY"
    years = cn_number(n_fy) if n_fy != 2 else "两"
    if partial and periods[-1].kind == "H1":
        options = [f"{years}年半时间内", f"近{years}年半", "报告期内", f"过去{years}年半"]
    elif partial:
        options = ["报告期内", f"{years}年零九个月内"]
    else:
        options = [f"{years}年间", f"{periods[0].year}年至{periods[-1].year}年", "报告期内", f"过去{years}年"]
    return rng.choice(options)


def date_text(rng: random.Random, d: date, published: date, allow_relative: bool = True) -> str:
    options = [f"{d.year}年{d.month}月{d.day}日"]
    if d.year == published.year:
        options.append(f"{d.month}月{d.day}日")
        if allow_relative and d == published:
            options.append(f"今日（{d.month}月{d.day}日）")
    return rng.choice(options)


# --------------------------------------------------------------------------- article state


@dataclass
class Article:
    rng: random.Random
    document_id: str
    name: str  # simplified
    company_id: str
    published: date
    hant: bool
    kind: str  # debut / filing
    style: Style
    reporter: str  # CNY / USD / HKD
    publisher: str = ""
    figures: dict[tuple[str, str, str], Figure] = field(default_factory=dict)
    holders: list[dict] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    #: set when the sentence before a series did not list its periods (a 同期 chain would dangle)
    needs_periods: bool = False

    def pick(self, variants: Sequence[str], hk_variants: Sequence[str] = ()) -> str:
        pool = list(variants) + (list(hk_variants) if self.hant else [])
        if self.needs_periods and any("{periods}" in v for v in pool):
            pool = [v for v in pool if "{periods}" in v]
        return self.rng.choice(pool)

    def fill(self, template: str, **slots: Slot | str) -> str:
        used = _fields(template)
        values = {}
        for key, slot in slots.items():
            if isinstance(slot, Slot):
                values[key] = slot.text
                if key in used:
                    for fig in slot.figures:
                        self.record(fig)
            else:
                values[key] = slot
        return _smooth(template.format(**values))

    def record(self, fig: Figure) -> None:
        key = (fig.metric, fig.dimension, fig.period_label)
        known = self.figures.get(key)
        if known is not None and (known.value, known.qualifier) != (fig.value, fig.qualifier):
            raise AssertionError(f"{self.document_id}: two different figures for {key}: {known} / {fig}")
        self.figures.setdefault(key, fig)

    def co(self) -> str:
        """The company as a later sentence names it (name or pronoun)."""
        return self.rng.choice((self.name, self.name, self.name, "公司", "该公司"))

    def money_slot(
        self,
        metric: str,
        amount: float,
        currency: str,
        label: str,
        *,
        q: str = "exact",
        dim: str = "",
        sign=1,
    ) -> Slot:
        core, value = money(self.rng, self.style, amount, currency)
        text = qualify(self.rng, core, q)
        return Slot(text, (Figure(metric, sign * value, currency, currency, q, text, label, dim),))

    def pct_slot(
        self, metric: str, value: float, label: str, *, q="exact", dim="", decimals=None, sign=1
    ) -> Slot:
        core, number = pct(value, decimals if decimals is not None else self.rng.choice((1, 1, 2)))
        text = qualify(self.rng, core, q)
        return Slot(text, (Figure(metric, sign * number, "pct", "", q, text, label, dim),))

    def count_slot(self, metric: str, value: int, classifier: str, label: str, *, q="exact", dim="") -> Slot:
        text, number = count(self.rng, value, classifier, q)
        return Slot(text, (Figure(metric, number, "count", "", q, text, label, dim),))


# --------------------------------------------------------------------------- article sections


def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return lo * (hi / lo) ** rng.random()


@dataclass
class Financials:
    periods: list[Period]
    revenue: list[tuple[str, float]]  # (text, value) per period
    net: list[tuple[str, float]]  # signed values
    rd: list[tuple[str, float]]
    margins: list[tuple[str, float]]
    asof: date


def build_financials(a: Article) -> Financials:
    rng, y = a.rng, a.published.year
    month = a.published.month
    if month <= 3:
        fy_years, partial = [y - 4, y - 3, y - 2], Period(rng.choice(("H1", "9M")), y - 1)
    elif month <= 8:
        fy_years, partial = [y - 3, y - 2, y - 1], None
    else:
        fy_years, partial = [y - 3, y - 2, y - 1], Period("H1", y)
    if rng.random() < 0.2:
        fy_years = fy_years[1:]
    periods = [Period("FY", fy) for fy in fy_years] + ([partial] if partial else [])
    scale = {"CNY": 1.0, "USD": 1 / 7.1, "HKD": 1.08}[a.reporter]
    base = log_uniform(rng, 0.3e8, 120e8) * scale
    amounts, current = [], base
    for p in periods:
        if p.kind == "FY":
            if amounts:
                current *= 1 + rng.uniform(-0.1, 1.2)
            amounts.append(current)
        else:
            amounts.append(current * (1 + rng.uniform(0, 0.6)) * (0.45 if p.kind == "H1" else 0.7))
    profitable = rng.random() < 0.2
    revenue = [money(rng, a.style, amt, a.reporter) for amt in amounts]
    net = []
    for amt in amounts:
        ratio = rng.uniform(0.03, 0.3) if profitable else -rng.uniform(0.05, 2.5)
        text, value = money(rng, a.style, amt * ratio, a.reporter)
        net.append((text, value if ratio > 0 else -value))
    rd = [money(rng, a.style, amt * rng.uniform(0.1, 1.4), a.reporter) for amt in amounts]
    margins = [pct(rng.uniform(15, 80), rng.choice((1, 2))) for _ in periods]
    return Financials(periods, revenue, net, rd, margins, periods[-1].end)


def series_slot(a: Article, metric: str, items: Sequence[tuple[str, float]], periods, unit="money") -> Slot:
    figs, texts = [], []
    for (text, value), p in zip(items, periods, strict=True):
        texts.append(text)
        currency = a.reporter if unit == "money" else ""
        figs.append(
            Figure(metric, value, currency if unit == "money" else unit, currency, "exact", text, p.label)
        )
    return Slot(join_list(a.rng, texts), tuple(figs))


def section_financials(a: Article, f: Financials) -> list[str]:
    rng = a.rng
    out = []
    periods = periods_text(rng, f.periods)
    rev = series_slot(a, "revenue", f.revenue, f.periods)
    if a.reporter != "CNY" and rng.random() < 0.7:
        word = {"USD": "美元", "HKD": "港元"}[a.reporter]
        out.append(f"招股书显示，{a.name}以{word}作为报告货币。")
    fy = [i for i, p in enumerate(f.periods) if p.kind == "FY"]
    from_to = rng.random() < 0.2
    if from_to:
        out.append(from_to_sentence(a, f, "revenue", f.revenue, fy[0], fy[-1]))
        a.needs_periods = True
    else:
        out.append(
            a.fill(a.pick(T.REVENUE_SERIES, T.REVENUE_SERIES_HK), periods=periods, co=a.co(), vals=rev)
        )
    losses = all(v < 0 for _, v in f.net)
    if losses and (from_to or rng.random() < 0.15):
        out.append(from_to_sentence(a, f, "net_profit", f.net, fy[0], fy[-1]))
    elif losses and rng.random() < 0.7:
        net = series_slot(a, "net_profit", f.net, f.periods)
        out.append(a.fill(a.pick(T.LOSS_SERIES, T.LOSS_SERIES_HK), periods=periods, co=a.co(), vals=net))
    else:
        signed = [(("-" if v < 0 else "") + t, v) for t, v in f.net]
        net = series_slot(a, "net_profit", signed, f.periods)
        out.append(a.fill(a.pick(T.PROFIT_SERIES, T.PROFIT_SERIES_HK), periods=periods, co=a.co(), vals=net))
    if rng.random() < 0.7:
        rd = series_slot(a, "rd_expense", f.rd, f.periods)
        out.append(a.fill(a.pick(T.RD_SERIES, T.RD_SERIES_HK), periods=periods, co=a.co(), vals=rd))
    if losses and rng.random() < 0.35:
        adj = [money(rng, a.style, v * rng.uniform(0.5, 0.95), a.reporter) for _, v in f.net]
        slot = series_slot(a, "adjusted_net_profit", [(t, -v) for t, v in adj], f.periods)
        out.append(a.fill(a.pick(T.ADJ_LOSS_SERIES), periods=periods, co=a.co(), vals=slot))
    if rng.random() < 0.6:
        slot = series_slot(a, "gross_margin_pct", f.margins, f.periods, unit="pct")
        out.append(a.fill(a.pick(T.MARGIN_SERIES), periods=periods, co=a.co(), vals=slot))
    a.needs_periods = False
    return out


def from_to_sentence(a: Article, f: Financials, metric: str, items, first: int, last: int) -> str:
    """'收入由2022年的6亿元增长至2024年的9.39亿元' — the first and last full years of a series."""
    (t1, v1), (t2, v2) = items[first], items[last]
    p1, p2 = f.periods[first], f.periods[last]
    currency = a.reporter
    slots = {
        "v1": Slot(t1, (Figure(metric, v1, currency, currency, "exact", t1, p1.label),)),
        "v2": Slot(t2, (Figure(metric, v2, currency, currency, "exact", t2, p2.label),)),
    }
    if metric == "revenue":
        template, verbs = a.pick(T.REVENUE_FROM_TO), T.REVENUE_UP if v2 >= v1 else T.REVENUE_DOWN
    else:
        template, verbs = a.pick(T.LOSS_FROM_TO), T.LOSS_UP if abs(v2) >= abs(v1) else T.LOSS_DOWN
    return a.fill(template, co=a.co(), y1=str(p1.year), y2=str(p2.year), change=a.rng.choice(verbs), **slots)


def _sum_text(a: Article, values: Sequence[float], metric: str, label: str, sign: int) -> Slot:
    total = sum(abs(v) for v in values)
    q = pick_qualifier(a.rng, 0.6)
    return a.money_slot(metric, total, a.reporter, label, q=q, sign=sign)


def section_derived(a: Article, f: Financials) -> list[str]:
    """Cumulative totals, CAGR, YoY growth, the latest partial period."""
    rng, out = a.rng, []
    label = cum_label(f.periods)
    fy = [(p, r) for p, r in zip(f.periods, f.revenue, strict=True) if p.kind == "FY"]
    if rng.random() < 0.6:
        out.append(
            a.fill(
                a.pick(T.CUMULATIVE),
                span=span_text(rng, f.periods),
                co=a.co(),
                cum_rev=_sum_text(a, [v for _, v in f.revenue], "revenue", label, 1),
                cum_loss=_sum_text(a, [v for _, v in f.net], "net_profit", label, -1),
                cum_rd=_sum_text(a, [v for _, v in f.rd], "rd_expense", label, 1),
            )
            if all(v < 0 for _, v in f.net)
            else a.fill(
                "{span}，{co}累计实现收入{cum_rev}。",
                span=span_text(rng, f.periods),
                co=a.co(),
                cum_rev=_sum_text(a, [v for _, v in f.revenue], "revenue", label, 1),
            )
        )
    if len(fy) >= 3 and rng.random() < 0.5:
        first, last = fy[0][1][1], fy[-1][1][1]
        rate = ((last / first) ** (1 / (len(fy) - 1)) - 1) * 100
        if rate > 0:
            slot = a.pct_slot(
                "revenue_cagr_pct",
                rate,
                f"CUM-{fy[0][0].label}-{fy[-1][0].label}",
                q=pick_qualifier(rng, 0.8),
            )
            out.append(
                a.fill(a.pick(T.CAGR), y1=str(fy[0][0].year), y2=str(fy[-1][0].year), co=a.co(), cagr=slot)
            )
    if len(fy) >= 2 and rng.random() < 0.5:
        (p_prev, (_, prev)), (p_last, (rev_text, last)) = fy[-2], fy[-1]
        growth = (last / prev - 1) * 100
        if growth > 0:
            yoy = a.pct_slot("revenue_growth_yoy_pct", growth, p_last.label)
            rev_one = Slot(
                rev_text, (Figure("revenue", last, a.reporter, a.reporter, "exact", rev_text, p_last.label),)
            )
            out.append(
                a.fill(
                    a.pick(T.YOY, T.YOY_HK),
                    year=str(p_last.year),
                    prev=str(p_prev.year),
                    co=a.co(),
                    yoy=yoy,
                    rev_one=rev_one,
                )
            )
    partial = f.periods[-1]
    if partial.kind != "FY" and rng.random() < 0.5:
        rev_text, rev_value = f.revenue[-1]
        out.append(
            a.fill(
                a.pick(T.PARTIAL_YOY),
                partial=period_text(rng, partial, "{y}年"),
                co=a.co(),
                rev_part=Slot(
                    rev_text,
                    (Figure("revenue", rev_value, a.reporter, a.reporter, "exact", rev_text, partial.label),),
                ),
                part_yoy=a.pct_slot("revenue_growth_yoy_pct", rng.uniform(5, 150), partial.label),
                part_margin=series_slot(a, "gross_margin_pct", f.margins[-1:], f.periods[-1:], unit="pct"),
            )
        )
    return out


def section_structure(a: Article, f: Financials) -> list[str]:
    """Segment and deployment shares, customer concentration, retention."""
    rng, out = a.rng, []
    last_fy = [p for p in f.periods if p.kind == "FY"][-1]
    if rng.random() < 0.5:
        seg = rng.choice(T.SEGMENTS)
        template = a.pick(T.SEGMENT_SHARE)
        # A template without a year states the latest full year's share only by context: skip it.
        if "{year}" in template:
            slot = a.pct_slot(
                "revenue_share_pct",
                rng.uniform(20, 90),
                last_fy.label,
                q=pick_qualifier(rng, 0.7),
                dim=f"segment:{seg}",
            )
            out.append(a.fill(template, year=str(last_fy.year), co=a.co(), seg=seg, seg_pct=slot))
    if rng.random() < 0.3:
        dep = rng.choice(T.DEPLOYMENTS)
        slot = a.pct_slot(
            "revenue_share_pct",
            rng.uniform(50, 95),
            cum_label(f.periods),
            q=pick_qualifier(rng, 0.5),
            dim=f"deployment:{dep}",
            decimals=rng.choice((0, 1)),
        )
        out.append(
            a.fill(
                a.pick(T.DEPLOYMENT_SHARE), span=span_text(rng, f.periods), co=a.co(), dep=dep, dep_pct=slot
            )
        )
    if rng.random() < 0.45:
        shares = [pct(rng.uniform(20, 75), 1) for _ in f.periods]
        slot = series_slot(a, "top5_customer_revenue_share_pct", shares, f.periods, unit="pct")
        out.append(a.fill(a.pick(T.TOP5_SERIES), periods=periods_text(rng, f.periods), co=a.co(), vals=slot))
    if rng.random() < 0.3:
        slot = a.pct_slot(
            "top5_supplier_purchase_share_pct", rng.uniform(20, 70), last_fy.label, q=pick_qualifier(rng, 0.7)
        )
        out.append(a.fill(a.pick(T.TOP5_SUPPLIERS), year=str(last_fy.year), co=a.co(), sup_pct=slot))
    fys = [p for p in f.periods if p.kind == "FY"]
    if rng.random() < 0.25 and len(fys) >= 2:
        seg = rng.choice(T.SEGMENTS)
        p1, p2 = fys[0], fys[-1]
        r1 = a.pct_slot("customer_retention_pct", rng.uniform(50, 95), p1.label, dim=f"segment:{seg}")
        r2 = a.pct_slot("customer_retention_pct", rng.uniform(40, 95), p2.label, dim=f"segment:{seg}")
        out.append(
            a.fill(
                a.pick(T.RETENTION), seg=seg, co=a.co(), y1=str(p1.year), y2=str(p2.year), ret1=r1, ret2=r2
            )
        )
    return out


def section_kpis(a: Article, f: Financials) -> list[str]:
    rng, out = a.rng, []
    asof = date_text(rng, f.asof, a.published, allow_relative=False)
    label = f.asof.isoformat()
    if rng.random() < 0.6:
        staff = rng.randint(150, 9000)
        rd_staff = int(staff * rng.uniform(0.3, 0.8))
        out.append(
            a.fill(
                a.pick(T.HEADCOUNT),
                asof=asof,
                co=a.co(),
                staff=a.count_slot("headcount", staff, rng.choice(("人", "名")), label),
                rd_staff=a.count_slot("rd_headcount", rd_staff, rng.choice(("人", "名")), label),
                rd_share=a.pct_slot(
                    "rd_headcount_share_pct",
                    rd_staff / staff * 100,
                    label,
                    q=pick_qualifier(rng, 0.6),
                    decimals=rng.choice((0, 1)),
                ),
            )
        )
    if rng.random() < 0.45:
        patents = rng.randint(20, 1500)
        out.append(
            a.fill(
                a.pick(T.IP),
                asof=asof,
                co=a.co(),
                patents=a.count_slot("patents", patents, "项", label),
                inv=a.count_slot("invention_patents", int(patents * rng.uniform(0.4, 0.95)), "项", label),
                papers=a.count_slot("papers", rng.randint(30, 900), "篇", label, q=pick_qualifier(rng, 0.5)),
                citations=a.count_slot(
                    "citations", rng.randint(10, 90) * 1000, "次", label, q=pick_qualifier(rng, 0.5)
                ),
            )
        )
    if rng.random() < 0.5:
        kind = rng.choice(T.CUSTOMER_KINDS)
        cust = rng.choice((rng.randint(30, 990), rng.randint(1, 30) * 100, rng.randint(10, 200) * 100))
        out.append(
            a.fill(
                a.pick(T.CUSTOMERS),
                asof=asof,
                co=a.co(),
                kind=kind,
                cust=a.count_slot(
                    "customers_count", cust, "家", label, q=pick_qualifier(rng, 0.5), dim=f"kind:{kind}"
                ),
            )
        )
    if rng.random() < 0.4:
        cash_amt = log_uniform(rng, 0.5e8, 80e8) * (1 / 7.1 if a.reporter == "USD" else 1)
        out.append(
            a.fill(
                a.pick(T.CASH),
                asof=asof,
                co=a.co(),
                cash=a.money_slot(
                    "cash_and_equivalents", cash_amt, a.reporter, label, q=pick_qualifier(rng, 0.7)
                ),
            )
        )
    if rng.random() < 0.4:
        market = rng.choice(T.MARKETS)
        rank = rng.randint(1, 8)
        text = f"第{cn_number(rank)}"
        out.append(
            a.fill(
                a.pick(T.RANK),
                co=a.name,
                market=market,
                rank=Slot(
                    cn_number(rank),
                    (Figure("market_rank", rank, "rank", "", "exact", text, "", f"market:{market}"),),
                ),
                mshare=f"{rng.uniform(2, 30):.1f}%",
            )
        )
    if rng.random() < 0.3:
        model = rng.choice(T.MODELS)
        billions = rng.choice((7, 13, 34, 70, 130, 600, 1000, 2000, 12000))
        if billions >= 10_000:
            text, value = f"{billions / 10_000:g}万亿", billions * 1e8
        else:
            text, value = f"{billions}亿", billions * 1e8
        out.append(
            a.fill(
                a.pick(T.PARAMS),
                co=a.name,
                model=model,
                year=str(a.published.year - 1),
                params=Slot(
                    text,
                    (Figure("model_parameters", value, "count", "", "exact", text, "", f"model:{model}"),),
                ),
            )
        )
    if rng.random() < 0.25:
        downloads = a.count_slot(
            "open_source_downloads", rng.randint(5, 900) * 10_000, "次", label, q=pick_qualifier(rng, 0.4)
        )
        out.append(a.fill(a.pick(T.DOWNLOADS), asof=asof, co=a.co(), downloads=downloads))
    if rng.random() < 0.2:
        month_date = a.published - timedelta(days=rng.randint(31, 120))
        tokens = rng.randint(2, 99) / 10
        text = f"{tokens:g}万亿"
        out.append(
            a.fill(
                a.pick(T.TOKENS),
                month=f"{month_date.year}年{month_date.month}月",
                co=a.co(),
                tokens=Slot(
                    text,
                    (
                        Figure(
                            "daily_tokens",
                            tokens * 1e12,
                            "count",
                            "",
                            "exact",
                            text,
                            f"M-{month_date.year}-{month_date.month:02d}",
                        ),
                    ),
                ),
            )
        )
    return out


def section_shareholders(a: Article) -> list[str]:
    rng, out = a.rng, []
    if rng.random() < 0.55:
        founder = rng.choice(T.SURNAMES) + rng.choice(T.GIVEN)
        holdco = f"{founder[0]}氏{rng.choice(('控股', '投资', '资本'))}有限公司"
        parent, vehicle = rng.choice(T.PARENT_VEHICLES)
        vc = rng.choice(T.EARLY_INVESTORS)
        stakes = [f"{rng.uniform(15, 45):.2f}%", f"{rng.uniform(2, 12):.1f}%", f"{rng.uniform(1, 9):.1f}%"]
        template = a.pick(T.SHAREHOLDERS)
        out.append(
            a.fill(
                template,
                founder=founder,
                holdco=holdco,
                parent=parent,
                vehicle=vehicle,
                vc=vc,
                co=a.name,
                f_stake=stakes[0],
                p_stake=stakes[1],
                vc_stake=stakes[2],
            )
        )
        # a stake held jointly with persons acting in concert is not the founder's own
        joint = "一致行动" in template
        for name, kind, parent_name, stake in (
            (founder, "founder", "", None if joint else stakes[0]),
            (vehicle, "strategic", parent, stakes[1]),
        ):
            stake_pct = None if stake is None else float(stake.rstrip("%"))
            a.holders.append(_holder(a, name, kind, parent_name, stake_pct, None, ""))
    if rng.random() < 0.3:
        early = rng.choice(T.EARLY_INVESTORS)
        out.append(
            a.fill(a.pick(T.EARLY), co=a.name, early=early, year=str(a.published.year - rng.randint(3, 8)))
        )
        a.holders.append(_holder(a, early, "early_investor", "", None, None, ""))
    if rng.random() < 0.35:
        rnd = rng.choice(T.ROUNDS)
        currency = rng.choice(("CNY", "CNY", "USD"))
        amount = log_uniform(rng, 5e8, 500e8) * (1 / 7.1 if currency == "USD" else 1)
        out.append(
            a.fill(
                a.pick(T.VALUATION),
                year=str(a.published.year - rng.randint(1, 3)),
                round=rnd,
                co=a.name,
                valuation=a.money_slot(
                    "valuation_post_money",
                    amount,
                    currency,
                    "",
                    q=pick_qualifier(rng, 0.8),
                    dim=f"round:{rnd}",
                ),
            )
        )
    return out


def _holder(a: Article, name, kind, parent, stake, amount, currency) -> dict:
    return {
        "document_id": a.document_id,
        "company_id": a.company_id,
        "holder_name": name,
        "holder_type": kind,
        "parent_entity": parent,
        "stake_pct": "" if stake is None else stake,
        "subscription_amount": "" if amount is None else amount,
        "currency": currency,
    }


def section_offering(a: Article) -> list[str]:
    """Offering terms, trading, cornerstones and use of proceeds of a debut article (AS_OF listing day)."""
    rng, out, style = a.rng, [], a.style
    label = a.published.isoformat()
    offer = log_uniform(rng, 3, 200)
    offer_text, offer_value = price(rng, style, offer)
    lo_text, lo_value = price(rng, style, offer * rng.uniform(0.8, 0.97))
    hi_text, hi_value = price(rng, style, offer * rng.uniform(1.0, 1.2))
    if hi_value <= offer_value:
        hi_text, hi_value = offer_text, offer_value
    # Gross proceeds of AI listings run from ~1亿 to ~150亿港元: pick them, then the share count.
    shares = max(1, round(log_uniform(rng, 1.5e8, 150e8) / offer / 1e6)) * 1_000_000
    if shares >= 100_000_000 and rng.random() < 0.5:
        number = f"{shares / 1e8:.2f}".rstrip("0").rstrip(".")
        shares_text, shares_value = f"{number}亿股", _decimal_value(number, 100_000_000)
    else:
        wan = shares // 10_000
        shares_text, shares_value = f"{_with_commas(rng, wan)}万股", float(wan * 10_000)

    def fig(metric, value, unit, currency, text, q="exact", dim=""):
        return Figure(metric, value, unit, currency, q, text, label, dim)

    slots = {
        "price": Slot(offer_text, (fig("offer_price", offer_value, "HKD", "HKD", offer_text),)),
        "lo": Slot(lo_text, (fig("offer_price_low", lo_value, "HKD", "HKD", lo_text),)),
        "hi": Slot(hi_text, (fig("offer_price_high", hi_value, "HKD", "HKD", hi_text),)),
        "shares": Slot(shares_text, (fig("shares_offered", shares_value, "count", "", shares_text),)),
        "lot": str(rng.choice((100, 200, 250, 500, 1000))),
        "fee": f"{rng.uniform(2000, 20000):.2f}",
    }
    out.append(a.fill(a.pick(T.OFFER_TERMS, T.OFFER_TERMS_HK), co=a.co(), **slots))
    gross = offer_value * shares_value
    out.append(
        a.fill(
            a.pick(T.PROCEEDS, T.PROCEEDS_HK),
            co=a.co(),
            price=slots["price"],
            gross=a.money_slot("gross_proceeds", gross, "HKD", label, q=pick_qualifier(rng, 0.5)),
            net=a.money_slot(
                "net_proceeds", gross * rng.uniform(0.85, 0.95), "HKD", label, q=pick_qualifier(rng, 0.5)
            ),
        )
    )
    net_value = gross * 0.9
    public = log_uniform(rng, 1.5, 5000)
    public_text = (
        f"{public:.2f}" if public < 1000 and rng.random() < 0.6 else _with_commas(rng, round(public))
    )
    intl = rng.uniform(1.1, 40)
    intl_text = f"{intl:.2f}"
    q_public = "approx" if rng.random() < 0.25 else "exact"
    public_core = f"{public_text}倍"
    public_written = f"约{public_core}" if q_public == "approx" else public_core
    out.append(
        a.fill(
            a.pick(T.SUBSCRIPTION, T.SUBSCRIPTION_HK),
            co=a.co(),
            public=Slot(
                public_written,
                (
                    fig(
                        "public_subscription_multiple",
                        float(public_text.replace(",", "")),
                        "x",
                        "",
                        public_written,
                        q_public,
                    ),
                ),
            ),
            intl=Slot(
                f"{intl_text}倍",
                (fig("international_subscription_multiple", float(intl_text), "x", "", f"{intl_text}倍"),),
            ),
            frozen=_with_commas(rng, rng.randint(100, 5000)),
        )
    )
    total_shares = shares_value / rng.uniform(0.05, 0.25)
    up = rng.random() < 0.75
    open_move = (1 if up else -1) * rng.uniform(0.5, 120 if up else 30)
    open_text, open_value = price(rng, style, offer_value * (1 + open_move / 100))
    open_pct = (open_value / offer_value - 1) * 100
    moves = {
        True: (T.OPEN_UP + (T.OPEN_UP_HK if a.hant else ()), T.CLOSE_UP + (T.CLOSE_UP_HK if a.hant else ())),
        False: (
            T.OPEN_DOWN + (T.OPEN_DOWN_HK if a.hant else ()),
            T.CLOSE_DOWN + (T.CLOSE_DOWN_HK if a.hant else ()),
        ),
    }
    if abs(open_pct) >= 0.01:
        sign = 1 if open_pct > 0 else -1
        pct_text, pct_value = pct(open_pct, 2)
        q = "approx" if rng.random() < 0.2 else "exact"
        written = qualify(rng, pct_text, q)
        out.append(
            a.fill(
                a.pick(T.OPENING, T.OPENING_HK),
                co=a.co(),
                date_short=f"{a.published.month}月{a.published.day}日",
                open_move=rng.choice(moves[sign > 0][0]),
                open_pct=Slot(written, (fig("opening_change_pct", sign * pct_value, "pct", "", written, q),)),
                open_price=Slot(open_text, (fig("opening_price", open_value, "HKD", "HKD", open_text),)),
                cap_open=a.money_slot(
                    "market_cap",
                    open_value * total_shares,
                    "HKD",
                    label,
                    q=pick_qualifier(rng, 0.7),
                    dim="at_open",
                ),
            )
        )
    if rng.random() < 0.35:
        hour = rng.choice((9, 10, 11, 13, 14, 15))
        minute = rng.randint(30, 59) if hour == 9 else rng.randint(0, 59)
        intra_price, intra_value = price(rng, style, open_value * rng.uniform(0.9, 1.1))
        time_text = rng.choice((f"{hour}点{minute:02d}分", f"{hour}:{minute:02d}", f"{hour}时{minute:02d}分"))
        out.append(
            a.fill(
                a.pick(T.INTRADAY),
                time=time_text,
                co=a.co(),
                intra_move=rng.choice(("上涨", "涨", "升")) if intra_value >= offer_value else "下跌",
                intra_pct=f"{abs(intra_value / offer_value - 1) * 100:.2f}%",
                intra_price=intra_price,
                cap_intra=a.money_slot(
                    "market_cap",
                    intra_value * total_shares,
                    "HKD",
                    label,
                    q=pick_qualifier(rng, 0.5),
                    dim=f"intraday@{hour:02d}:{minute:02d}",
                ),
            )
        )
    close_move = open_move + rng.uniform(-15, 15)
    close_text, close_value = price(rng, style, offer_value * (1 + close_move / 100))
    close_pct = (close_value / offer_value - 1) * 100
    if abs(close_pct) >= 0.01:
        sign = 1 if close_pct > 0 else -1
        pct_text, pct_value = pct(close_pct, 2)
        out.append(
            a.fill(
                a.pick(T.CLOSING, T.CLOSING_HK),
                co=a.co(),
                close_move=rng.choice(moves[sign > 0][1]),
                close_pct=Slot(
                    pct_text, (fig("first_day_change_pct", sign * pct_value, "pct", "", pct_text),)
                ),
                close_price=Slot(
                    close_text, (fig("first_day_close_price", close_value, "HKD", "HKD", close_text),)
                ),
                cap_close=a.money_slot(
                    "market_cap",
                    close_value * total_shares,
                    "HKD",
                    label,
                    q=pick_qualifier(rng, 0.6),
                    dim="at_close|first_day",
                ),
                turnover=f"{rng.uniform(1, 30):.2f}",
            )
        )
    elif rng.random() < 0.5:
        out.append(
            a.fill(
                a.pick(T.FIRST_DAY_CAP),
                co=a.co(),
                cap_first=a.money_slot(
                    "market_cap",
                    close_value * total_shares,
                    "HKD",
                    label,
                    q=pick_qualifier(rng, 0.3),
                    dim="first_day",
                ),
            )
        )
    if rng.random() < 0.6:
        out.append(cornerstones(a, gross, label))
    if rng.random() < 0.6:
        out.append(use_of_proceeds(a, net_value, label))
    return out


def cornerstones(a: Article, gross: float, label: str) -> str:
    rng = a.rng
    n = rng.randint(2, 12)
    classifier = rng.choice(("名", "家", "位"))
    n_text = f"{cn_number(n) if n <= 10 and rng.random() < 0.5 else n}{classifier}"
    template = a.pick(T.CORNERSTONE, T.CORNERSTONE_HK)
    with_amounts = "{corner_list}" in template
    named, names = [], []
    for _ in range(min(n, rng.randint(1, 3))):
        if rng.random() < 0.4:
            parent, vehicle = rng.choice(T.PARENT_VEHICLES)
            name = f"{parent}旗下{vehicle}"
        else:
            parent, vehicle = "", rng.choice(T.CORNERSTONES)
            name = vehicle
        if any(vehicle == h["holder_name"] for h in a.holders):
            continue
        amount_text, amount_value = money(rng, a.style, gross * rng.uniform(0.02, 0.1), "HKD")
        named.append(f"{name}认购{amount_text}")
        names.append(name)
        amount = amount_value if with_amounts else None
        a.holders.append(
            _holder(a, vehicle, "cornerstone", parent, None, amount, "HKD" if with_amounts else "")
        )
    count_fig = Figure("cornerstone_count", float(n), "count", "", "exact", n_text, label)
    return a.fill(
        template,
        co=a.name,
        n_corner=Slot(n_text, (count_fig,)),
        corner_amt=a.money_slot(
            "cornerstone_amount", gross * rng.uniform(0.2, 0.6), "HKD", label, q=pick_qualifier(rng, 0.7)
        ),
        corner_list="，".join(named) if named else "多家长线基金",
        corner_names="、".join(names) if names else "多家长线基金",
    )


def use_of_proceeds(a: Article, net_value: float, label: str) -> str:
    rng = a.rng
    purposes = rng.sample(T.PURPOSES, rng.randint(2, 4))
    weights = sorted((rng.randint(1, 9) for _ in purposes), reverse=True)
    shares = [round(w / sum(weights) * 90 / 5) * 5 or 5 for w in weights]
    if sum(shares) > 100:
        shares[0] -= sum(shares) - 100
    rest = 100 - sum(shares)
    parts = []
    for purpose, share in zip(purposes, shares, strict=True):
        q = "approx" if rng.random() < 0.5 else "exact"
        text = qualify(rng, f"{share}%", q)
        dim = f"purpose:{purpose}"
        a.record(Figure("use_of_proceeds_pct", float(share), "pct", "", q, text, label, dim))
        amount = ""
        if rng.random() < 0.35:
            amount_text, amount_value = money(rng, a.style, net_value * share / 100, "HKD")
            amount = f"（约{amount_text}）"
            a.record(
                Figure(
                    "use_of_proceeds_amount",
                    amount_value,
                    "HKD",
                    "HKD",
                    "approx",
                    f"约{amount_text}",
                    label,
                    dim,
                )
            )
        verb = rng.choice(("将用于", "用于", "拟用于"))
        parts.append(f"{text}{amount}{verb}{purpose}")
    if rest > 0:
        purpose = "营运资金及一般公司用途"
        text = f"{rest}%"
        a.record(
            Figure("use_of_proceeds_pct", float(rest), "pct", "", "exact", text, label, f"purpose:{purpose}")
        )
        parts.append(f"余下{text}用作{purpose}")
    return a.fill(a.pick(T.USE_OF_PROCEEDS), co=a.name, uses="，".join(parts))


# --------------------------------------------------------------------------- whole article


def random_date(rng: random.Random) -> date:
    span = (LAST_DATE - FIRST_DATE).days
    return FIRST_DATE + timedelta(days=rng.randint(0, span))


@lru_cache(maxsize=1)
def _known_aliases() -> tuple[str, ...]:
    return tuple(CompanyMatcher.from_seed().aliases)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def pick_company(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """A fictional (simplified name, company_id) not used yet in this corpus.

    Rejected: names containing an alias of a real company in the reference seed (the matcher would
    attribute figures to it), names whose company_id another name already has (雲/云 or 行/星 give
    the same pinyin), and names that do not survive s2t→t2s (the zh-Hant article must fold back to the
    same id). After many collisions (a corpus larger than the name space) a used name is reused.
    """
    aliases = [a for a in _known_aliases() if not a.isascii()]
    fallback = None
    while True:
        for _ in range(200):
            name = rng.choice(T.NAME_FIRST) + rng.choice(T.NAME_SECOND) + rng.choice(T.NAME_TAILS)
            if any(alias in name for alias in aliases) or _t2s().convert(_s2t().convert(name)) != name:
                continue
            slug = company_slug(name)
            if slug not in used:
                used.add(slug)
                return name, slug
            fallback = (name, slug)
        if fallback is not None:
            return fallback


def build_article(rng: random.Random, index: int, name: str, company_id: str) -> tuple[Article, str]:
    hant = rng.random() < HANT_SHARE
    published = random_date(rng)
    kind = "debut" if rng.random() < 0.6 else "filing"
    reporter = rng.choices(("CNY", "USD", "HKD"), weights=(0.72, 0.2, 0.08))[0]
    style = Style(
        cny_word=rng.choice(("元", "元", "元人民币", "人民币"))
        if not hant
        else rng.choice(("元人民币", "元", "元")),
        hk_bare_price=hant and rng.random() < 0.6,
        decimals_yi=rng.choice((1, 2, 2)),
        wan_for_small=rng.random() < 0.5,
        cny_prefix=rng.random() < 0.2,
        millions=hant and rng.random() < 0.3,
    )
    a = Article(rng, f"{index:05d}_{company_id}", name, company_id, published, hant, kind, style, reporter)
    publisher = rng.choice(T.PUBLISHERS_HANT if hant else T.PUBLISHERS_HANS)
    a.publisher = publisher
    desc = rng.choice(T.DESCRIPTORS)
    lead_slots = dict(
        co=name,
        desc=desc,
        date=date_text(rng, published, published),
        code=f"{rng.randint(100, 9999):04d}",
        epithet=rng.choice(T.EPITHETS),
        epithet_clause=f"成为{rng.choice(T.EPITHETS)}。",
        publisher=publisher,
        sponsor=rng.choice(T.SPONSORS),
        sponsor2=rng.choice(T.SPONSORS),
    )
    if kind == "debut":
        title = rng.choice(T.TITLES_DEBUT).format(co=name, hook=rng.choice(T.HOOKS))
        lead = a.fill(a.pick(T.LEAD_DEBUT, T.LEAD_DEBUT_HK), **lead_slots)
    else:
        title = rng.choice(T.TITLES_FILING).format(co=name, hook=rng.choice(T.HOOKS))
        lead = a.fill(a.pick(T.LEAD_FILING, T.LEAD_FILING_HK), **lead_slots)
    paragraphs = [lead]
    if rng.random() < 0.5:
        paragraphs.append(rng.choice(T.FILLERS))
    if kind == "debut":
        offering = section_offering(a)
        paragraphs.append("".join(offering[:3]))
        if offering[3:]:
            paragraphs.extend(offering[3:])
    elif rng.random() < 0.4:
        planned_currency = "CNY"
        paragraphs.append(
            a.fill(
                a.pick(T.PLANNED),
                co=a.name,
                old_year=str(published.year - rng.randint(2, 5)),
                planned=a.money_slot(
                    "planned_proceeds", log_uniform(rng, 3e8, 30e8), planned_currency, "", dim="exchange:STAR"
                ),
            )
        )
    f = build_financials(a)
    sections = [
        section_financials(a, f),
        section_derived(a, f),
        section_structure(a, f),
        section_kpis(a, f),
        section_shareholders(a),
    ]
    with_heads = rng.random() < 0.4
    numbered = 0
    for section, sentences in zip(T.SECTION_HEADS, sections, strict=True):
        if not sentences:
            continue
        if with_heads:
            numbered += 1
            paragraphs.append(f"{cn_number(numbered)}、{rng.choice(T.SECTION_HEADS[section])}")
        # two or three sentences per paragraph, like the sources
        for start in range(0, len(sentences), 3):
            paragraphs.append("".join(sentences[start : start + 3]))
        if rng.random() < 0.3:
            paragraphs.append(rng.choice(T.FILLERS))
    if rng.random() < 0.3:
        paragraphs.append(
            rng.choice(T.MARKET_WIDE).format(
                big=_with_commas(rng, rng.randint(500, 3000)), n=rng.randint(5, 60)
            )
        )
    paragraphs.append(rng.choice(T.FILLERS))
    return a, title + "\n\n" + "\n\n".join(paragraphs) + "\n"


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def generate(n: int, out: Path, seed: int = 0) -> dict[str, int]:
    """Write `n` articles, manifest.csv, expected.csv and expected_shareholders.csv into `out`."""
    if n <= 0:
        raise ValueError(f"--n must be a positive number of articles, got {n}")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    used_ids: set[str] = set()
    convert = _s2t().convert
    manifest, expected, holders = [], [], []
    for index in range(1, n + 1):
        name, company_id = pick_company(rng, used_ids)
        article, body = build_article(rng, index, name, company_id)
        title = body.split("\n", 1)[0]
        if article.hant:
            body, title, shown_name = convert(body), convert(title), convert(name)
        else:
            shown_name = name
        as_md = rng.random() < 0.3
        file_name = f"{article.document_id}.{'md' if as_md else 'txt'}"
        text = body
        if as_md:
            text = f"---\ntitle: {title}\ndate: {article.published.isoformat()}\n---\n\n# {body}"
        (out / file_name).write_text(text, encoding="utf-8")
        publisher = article.publisher
        manifest.append(
            (
                file_name,
                title,
                convert(publisher) if article.hant else publisher,
                article.published.isoformat(),
                f"https://news.example.com/{article.document_id}",
                "zh-Hant" if article.hant else "zh-Hans",
                shown_name,
            )
        )
        for fig in article.figures.values():
            written = convert(fig.text) if article.hant else fig.text
            expected.append(
                (
                    article.document_id,
                    article.company_id,
                    fig.metric,
                    fig.dimension,
                    fig.period_label,
                    _number(fig.value),
                    fig.unit,
                    fig.currency,
                    fig.qualifier,
                    written,
                )
            )
        holders.extend(tuple(h[c] for c in SHAREHOLDER_COLUMNS) for h in article.holders)
    _write_csv(out / "manifest.csv", MANIFEST_COLUMNS, manifest)
    _write_csv(out / "expected.csv", EXPECTED_COLUMNS, expected)
    _write_csv(out / "expected_shareholders.csv", SHAREHOLDER_COLUMNS, holders)
    return {"articles": n, "expected_figures": len(expected), "shareholders": len(holders)}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _write_csv(path: Path, header: Sequence[str], rows: list[tuple]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.n, args.out, args.seed)
    except (ValueError, OSError) as exc:
        print(f"bench.generate: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(
        f"bench.generate: {counts['articles']} articles, {counts['expected_figures']} expected figures, "
        f"{counts['shareholders']} shareholders → {args.out} in {elapsed:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
