"""Stage 4, period: the reporting period or date of a classified figure, and the period context
carried from sentence to sentence (the last period list, the last as-of date, the last flow period).
"""

from __future__ import annotations

import bisect
from datetime import date

from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    AS_OF_WORD,
    FLOW_FALLBACK_SENTENCES,
    FOUNDING_BEFORE,
    FROM_BEFORE,
    FROM_WITH_PERIOD,
    FUTURE_WORDS,
    IN_THE_PERIOD,
    LISTING_EVENT,
    OWN_PERIOD_GAP,
    PERIOD_END_WORDS,
    RANK_BASIS_AFTER,
    SHARE_OVER_SPAN,
    TO_BETWEEN,
    TRACK_RECORD,
)
from ingest.figures.records import (
    CarriedContext,
    Item,
    change_source,
    change_target,
    shift_year,
    years_in,
)
from ingest.lexicon import MetricRule
from ingest.periods import (
    CUM_MARKER,
    Period,
    PeriodMention,
    as_of,
    cumulative,
    fy,
)
from ingest.sentences import Sentence


def resolve_period(
    ctx: DocumentContext,
    s_idx: int,
    s: Sentence,
    item: Item,
    rule: MetricRule,
    window: str,
    periods: list[PeriodMention],
    carried: CarriedContext,
    decided: dict | None = None,
) -> tuple[Period | None, str]:
    period, problem = period_in_context(ctx, s_idx, s, item, rule, window, periods, carried)
    if period is not None and rule.kind == "flow":
        period = from_to_period(ctx, item, periods, period, decided or {})
    return period, problem


def own_period(ctx: DocumentContext, periods: list[PeriodMention], start: int) -> PeriodMention | None:
    """The period written right before a value ('由2024年的1.41亿元' → 2024年)."""
    for p in reversed(periods):
        if p.end <= start and not p.is_multi and OWN_PERIOD_GAP.fullmatch(ctx.folded, p.end, start):
            return p
        if p.end <= start:
            return None
    return None


def from_to_period(
    ctx: DocumentContext, item: Item, periods: list[PeriodMention], period: Period, decided: dict
) -> Period:
    """'毛利由5,220万元增至8,670万元' (no year): the first value is the year before the second;
    '由2024年的1.41亿元收窄至1.19亿元': the second is the year after the first."""
    i = bisect.bisect_left(ctx.item_starts, item.q.start)
    folded, q = ctx.folded, item.q
    mine = own_period(ctx, periods, q.start)
    if mine is not None or any(p.is_multi and p.end <= q.start for p in periods):
        return period  # its own year, or the ends of a range ('2019年至2021年，收入从X提升至Y')
    source = change_source(folded, ctx.items, i)
    if source is not None and FROM_WITH_PERIOD.search(
        folded, max(0, ctx.items[source].q.start - 12), ctx.items[source].q.start
    ):
        before = decided.get(source)
        theirs = before.period if before is not None and before.rule is not None else None
        if theirs is not None and theirs.period_type == period.period_type:
            return shift_year(theirs, theirs.end.year + 1) or period
        return period
    target = change_target(folded, ctx.items, i)
    if target is not None and FROM_BEFORE.search(folded, max(0, q.start - 6), q.start):
        theirs = own_period(ctx, periods, ctx.items[target].q.start)
        base = theirs.period if theirs is not None else period
        return shift_year(base, base.end.year - 1) or period
    return period


def period_in_context(
    ctx: DocumentContext,
    s_idx: int,
    s: Sentence,
    item: Item,
    rule: MetricRule,
    window: str,
    periods: list[PeriodMention],
    carried: CarriedContext,
) -> tuple[Period | None, str]:
    q = item.q
    usable = [p for p in periods if p.end <= q.start and p.role not in ("comparison", "same_period")]
    if rule.kind == "offering":
        # offering figures: the date stated in the sentence, else the listing date, else publication
        dated = [p for p in usable if p.period.period_type in ("AS_OF", "M") and not p.is_multi]
        if dated:
            return dated[-1].period, ""
        return as_of(ctx.listing_date or ctx.doc.published_at), ""
    usable = [p for p in usable if p.role != "day"]  # 今日/昨日 date events, not reporting periods
    if rule.kind == "stock":
        # a founding date (成立于2019年6月) is never the date of a count
        usable = [p for p in usable if not FOUNDING_BEFORE.search(ctx.folded[max(0, p.start - 4) : p.start])]
        as_of_mentions = [p for p in usable if p.role == "as_of"]
        # a rank is 'by 2024 revenue' for the whole sentence; other counts need a date next to them
        reach = s.start if rule.code == "market_rank" else q.start - len(window)
        local = [p for p in usable if not p.is_multi and p.start >= reach]
        if as_of_mentions:
            return as_of_mentions[-1].period, ""
        if local:
            return local[-1].period, ""
        if rule.code == "market_rank":
            # '…最大的…提供商,按2024年收入计占有…': the basis of a rank may follow it
            basis = RANK_BASIS_AFTER.search(ctx.folded, q.end, s.end)
            later = [p for p in periods if basis and p.start == basis.end() and not p.is_multi]
            if later:
                return later[0].period, ""
        if any(p.is_multi for p in usable):
            return None, "ambiguous_period"
        if (
            carried.last_as_of is not None
            and s_idx - carried.last_as_of_sentence <= 2
            and carried.last_as_of_paragraph == s.paragraph
        ):
            return carried.last_as_of, ""
        if PERIOD_END_WORDS.search(window):
            # '年末现金…' after '2024年…': the end of the reporting period in context
            reported = [p.period for p in usable if p.period.period_type != "AS_OF" and not p.is_multi]
            candidates = reported or (carried.paragraph_periods if carried.paragraph == s.paragraph else [])
            if not candidates:
                return None, "no_period"
            return as_of(max(p.end for p in candidates)), ""
        return as_of(ctx.doc.published_at), ""
    before = ctx.folded[s.start : q.start]
    in_window = [p for p in usable if p.start >= q.start - len(window)]
    if rule.kind == "cagr":
        lists = [p for p in usable if p.is_multi]
        years = sorted({p.period.start.year for p in usable if p.period.period_type == "FY"})
        if lists:
            parts = lists[-1].parts
        elif len(years) >= 2:
            # '收入由2022年的X增至2024年的Y，复合年增长率为Z%': the span of the years named
            parts = tuple(fy(y) for y in range(years[0], years[-1] + 1))
        else:
            parts = carried.period_list
        return (cumulative(parts), "") if len(parts) > 1 else (None, "cagr_without_periods")
    cum_window = CUM_MARKER.search(window)
    cum_sentence = [m for m in CUM_MARKER.finditer(before)]
    if cum_window or (
        cum_sentence and not [p for p in usable if p.start >= s.start + cum_sentence[-1].end()]
    ):
        marker = cum_window.group(0) if cum_window else cum_sentence[-1].group(0)
        counted = [m.group(0) for m in cum_sentence if years_in(m.group(0))]
        if years_in(marker) is None and counted:
            marker = counted[-1]  # '三年零九个月内…收入X，累计亏损Y': the span named earlier
        lists = [p for p in usable if p.is_multi]
        parts = lists[-1].parts if lists else carried.period_list
        if not parts or (not lists and not fits_marker(marker, parts)):
            # '过去三年半' after a list of three years: the document's list of 3 years and a half
            parts = doc_list_for(ctx, marker, q.start) or parts
        if not lists and TRACK_RECORD.search(marker):
            # '报告期内': the whole track record, the longest list stated so far (not a CAGR basis)
            # (a list stated later in the article when none came before)
            earlier = [p.parts for p in ctx.doc_lists if p.end <= q.start]
            anywhere = [p.parts for p in ctx.doc_lists]
            parts = max(earlier or anywhere, key=lambda x: (x[-1].end, len(x)), default=parts)
        if len(parts) > 1:
            return cumulative(parts), ""
        return None, "cumulative_without_periods"
    if in_window:
        p = in_window[-1]
        if p.is_multi:
            return first_or_last(ctx, item, rule, p.parts)
        if p.period.period_type == "AS_OF":
            return None, "point_in_time_for_flow"  # a date is not the period of a revenue or a loss
        return p.period, ""
    if usable:
        p = usable[-1]
        if p.is_multi:
            return first_or_last(ctx, item, rule, p.parts)
        if p.period.period_type == "AS_OF" and rule.kind == "flow":
            return None, "point_in_time_for_flow"
        return p.period, ""
    if any(p.role == "same_period" and p.start < q.start for p in periods) and carried.period_list:
        parts = carried.period_list
        if len(parts) == 1:
            return parts[0], ""
        if len(parts) > 1 and rule.unit == "pct":
            return cumulative(parts), ""
        return None, "ambiguous_period"
    # ('公司同期转为亏损' without a period list: the period of the figure just reported)
    # carry the period of the last reported figure over a few sentences (never into a heading);
    # '期内/本期' says so however far back it was
    if (
        carried.last_flow is not None
        and not s.heading
        and (
            s_idx - carried.last_flow_sentence <= FLOW_FALLBACK_SENTENCES
            or IN_THE_PERIOD.search(ctx.folded, s.start, q.start)
        )
    ):
        return carried.last_flow, ""
    if ctx.reporting_period is not None and not s.heading:
        return ctx.reporting_period, ""  # a results report: its period, however far from the lead
    return None, "no_period"


def first_or_last(
    ctx: DocumentContext, item: Item, rule: MetricRule, parts: tuple[Period, ...]
) -> tuple[Period | None, str]:
    """'2016年至2018年，收入从X提升至Y': X is the first period of the list, Y the last.
    '2019年至2021年，公司50.2%的收入来自云端部署': a share of the whole span (CUM)."""
    q = item.q
    if len({p.period_type for p in parts}) == 1:
        if FROM_BEFORE.search(ctx.folded, max(0, q.start - 6), q.start):
            return parts[0], ""
        i = bisect.bisect_left(ctx.item_starts, q.start) - 1
        if i >= 0:
            prev = ctx.items[i].q
            if FROM_BEFORE.search(ctx.folded, max(0, prev.start - 6), prev.start) and TO_BETWEEN.fullmatch(
                ctx.folded, ctx.items[i].end, q.start
            ):
                return parts[-1], ""
    if rule.code in SHARE_OVER_SPAN:
        return cumulative(parts), ""
    return None, "ambiguous_period"


def fits_marker(marker: str, parts: tuple[Period, ...]) -> bool:
    """Whether 'N年(半)' in the marker describes `parts` (True when it names no count)."""
    years = years_in(marker)
    if years is None:
        return True
    n, has_half = years
    fys = [x for x in parts if x.period_type == "FY"]
    halves = [x for x in parts if x.period_type in ("H1", "9M", "Q1", "Q3")]
    return len(fys) == n and bool(halves) == has_half


def doc_list_for(ctx: DocumentContext, marker: str, before: int | None = None) -> tuple[Period, ...]:
    """'三年累计' / '三年半' without a fitting list in context: the document's last list before
    the number with that many fiscal years (and a part-year when it says 半), else its first."""
    if years_in(marker) is None:
        return ()
    fitting = [p for p in ctx.doc_lists if fits_marker(marker, p.parts)]
    earlier = [p for p in fitting if before is not None and p.end <= before]
    chosen = earlier[-1] if earlier else (fitting[0] if fitting else None)
    return chosen.parts if chosen is not None else ()


def carry_context(ctx: DocumentContext, s_idx: int, s: Sentence, carried: CarriedContext) -> None:
    if carried.paragraph != s.paragraph:
        carried.paragraph, carried.paragraph_periods = s.paragraph, []
    for p in ctx.sentence_periods(s):
        if p.role in ("period", "list") and p.period.period_type != "AS_OF":
            carried.paragraph_periods.extend(p.parts or (p.period,))
        if p.role == "list":
            carried.period_list = p.parts
            carried.period_list_paragraph = s.paragraph
        elif (
            p.role == "period"
            and carried.period_list
            and s.paragraph == carried.period_list_paragraph
            and p.period.start > carried.period_list[-1].start
            and p.period.period_type != "AS_OF"
        ):
            # '2022年至2024年…；2025年前三季度…' in one paragraph: 同期 covers all of them
            carried.period_list = carried.period_list + (p.period,)
        if p.role in ("as_of",) or (
            p.role == "date" and AS_OF_WORD.search(ctx.folded[p.start - 3 : p.start])
        ):
            carried.last_as_of, carried.last_as_of_sentence = p.period, s_idx
            carried.last_as_of_paragraph = s.paragraph
    if not carried.period_list:
        carried.period_list = from_to_years(ctx, s)
        carried.period_list_paragraph = s.paragraph
    if s.heading:
        carried.last_flow_sentence = -10


def from_to_years(ctx: DocumentContext, s: Sentence) -> tuple:
    """'收入由2016年的X增至2018年的Y' states the years the article covers (FY2016–FY2018), the
    span '三年累计' / '报告期内' refer to when no list of periods was given."""
    years = [
        p
        for p in ctx.sentence_periods(s)
        if p.role == "period" and p.period.period_type == "FY" and not p.is_multi
    ]
    if len(years) < 2 or not FROM_BEFORE.search(ctx.folded, max(0, years[0].start - 3), years[0].start):
        return ()
    first, last = years[0].period.end.year, years[-1].period.end.year
    return tuple(fy(y) for y in range(first, last + 1)) if first < last <= first + 15 else ()


def listing_date(ctx: DocumentContext) -> date | None:
    """The day the shares started trading, when a sentence states it ('昨日在港交所主板挂牌')."""
    for s in ctx.sentences:
        text = ctx.folded[s.start : s.end]
        if LISTING_EVENT.search(text) and not FUTURE_WORDS.search(text):
            days = [
                p
                for p in ctx.sentence_periods(s)
                if p.role in ("date", "day", "as_of") and p.period.period_type == "AS_OF"
            ]
            if days:
                return days[0].period.end
    return None
