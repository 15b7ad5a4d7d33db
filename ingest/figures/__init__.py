"""Figure extraction: the numbers of a document attached to metric, period, company and dimension.

`extract_figures(doc, matcher, subject_ids)` is a pure function of the document, the rules and the
company registry (the matcher is only read). It runs explicit stages over one `DocumentContext`:

1. **numbers** (`context.build_context`): sentences, periods, company mentions and the facts that hold
   for the whole document;
2. **candidates** (`candidates`, `series`): numbers that can carry a figure, their conversions in
   brackets, and runs of values aligned with the periods, metrics or companies they refer to —
   counts that differ are left unclassified, never guessed;
3. **metric** (`metric`): which metric a candidate states, from the words around it;
4. **period** (`period`), 5. **company** (`company`), 6. **dimension** (`dimension`);
7. **emit** (`emit`): the figure row with its quote, or an unclassified mention with its reason.

The vocabulary is data: metric keywords in `ingest/rules/metrics.yml`, the fixed grammar words in
`ingest/rules/grammar.yml`, numbers and periods in `ingest/rules/units.yml` (see `ingest.numbers`).
Honest over greedy: a value attached to the wrong metric or period is worse than a missing one, so
anything not confidently classified becomes an unclassified mention.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import polars as pl

from ingest.companies import CompanyMatcher
from ingest.figures.candidates import item_currency
from ingest.figures.company import resolve_company
from ingest.figures.context import DocumentContext, build_context
from ingest.figures.dimension import resolve_dimension
from ingest.figures.emit import emit, frame, settle_repeats
from ingest.figures.grammar import (
    EXCHANGES,
    HK_DOLLAR_METRICS,
    HK_PRICE_CONTEXT,
    LISTING_DAY_METRICS,
    LISTING_METRICS,
    MARKET_WORDS,
    OFFERING_AMOUNT_METRICS,
    ONE_OFF_METRICS,
    PLAN_SOURCE,
    VENUE_CURRENCIES,
    VENUE_CURRENCY_METRICS,
    VENUE_MARKETS,
)
from ingest.figures.metric import KEYWORD_REACH, choose_metric, compatible
from ingest.figures.period import carry_context, resolve_period
from ingest.figures.records import CarriedContext, Decision, Item, Out, Series, right_text
from ingest.figures.series import find_series, own_sign, series_member
from ingest.lexicon import load_lexicon
from ingest.periods import PeriodMention
from ingest.sentences import Sentence
from ingest.text import Document

FORECAST_MARGIN = timedelta(days=7)  # a reporting period may end days after an early report is written


@dataclass(frozen=True)
class FigureExtraction:
    figures: pl.DataFrame  # conform(..., "ingest_figures")
    unclassified: pl.DataFrame  # conform(..., "ingest_unclassified_mentions")
    implied_fx: pl.DataFrame  # conform(..., "ingest_implied_fx_rates")


def extract_figures(doc: Document, matcher: CompanyMatcher, subject_ids: list[str]) -> FigureExtraction:
    """Figures, unclassified numbers and implied FX rates of one document."""
    ctx = build_context(doc, matcher, subject_ids, load_lexicon())
    out, carried = Out(), CarriedContext()
    by_sentence: dict[int, list[int]] = {}
    si = 0
    for idx, item in enumerate(ctx.items):
        while si < len(ctx.sentences) and ctx.sentences[si].end <= item.q.start:
            si += 1
        if si < len(ctx.sentences) and ctx.sentences[si].start <= item.q.start:
            by_sentence.setdefault(si, []).append(idx)
    for s_idx, sentence in enumerate(ctx.sentences):
        idxs = by_sentence.get(s_idx, [])
        if idxs:
            classify_sentence(ctx, out, s_idx, sentence, idxs, carried)
        carry_context(ctx, s_idx, sentence, carried)
    settle_repeats(out, ONE_OFF_METRICS)
    return FigureExtraction(
        figures=frame(out.figures, "ingest_figures"),
        unclassified=frame(out.unclassified, "ingest_unclassified_mentions"),
        implied_fx=frame(out.fx, "ingest_implied_fx_rates"),
    )


def classify_sentence(
    ctx: DocumentContext, out: Out, s_idx: int, s: Sentence, idxs: list[int], carried: CarriedContext
) -> None:
    periods = ctx.sentence_periods(s)
    ctx.consumed = []  # keyword spans already used by an earlier number of this sentence
    series = find_series(ctx, s, idxs, periods, carried)
    decided: dict[int, Decision] = {}
    for pos, idx in enumerate(idxs):
        item = ctx.items[idx]
        prev_end = s.start
        if pos:
            previous = decided[idxs[pos - 1]]
            prev_end = ctx.items[idxs[pos - 1]].end
            if previous.rule_name == "keyword_after":
                # '2.12亿名个人用户，覆盖200多个国家': the noun after a number belongs to that number
                consumed_end = previous.keyword_start + len(previous.keyword)
                prev_end = max(prev_end, consumed_end)
                ctx.consumed.append((previous.keyword_start, consumed_end))
        decision = classify(ctx, s_idx, s, idx, item, prev_end, periods, series, decided, carried)
        decided[idx] = decision
        emit(ctx, out, s, item, decision)
        if (
            decision.rule is not None
            and decision.period is not None
            and decision.rule.kind == "flow"
            and decision.period.period_type != "CUM"
            and not decision.is_comparison
            and decision.rule_name != "previous_year"  # '上年为Y' is a base, not the period in context
        ):
            carried.last_flow, carried.last_flow_sentence = decision.period, s_idx
        if decision.rule is not None and decision.rule.code in ("gross_proceeds", "net_proceeds"):
            carried.proceeds_currency = item.currency


def classify(
    ctx: DocumentContext,
    s_idx: int,
    s: Sentence,
    idx: int,
    item: Item,
    prev_end: int,
    periods: list[PeriodMention],
    series: list[Series],
    decided: dict[int, Decision],
    carried: CarriedContext,
) -> Decision:
    q = item.q
    folded = ctx.folded
    prev_end = max(prev_end, q.start - KEYWORD_REACH)  # the words before it, within reach of it
    item.currency, item.currency_source = item_currency(ctx, item, s)
    if q.unit == "pp":
        return Decision(None, "", reason="change_in_points")
    if s.table:
        return Decision(None, "", reason="table_cell")
    if idx in ctx.table_cells:
        # a value of a results table flattened one cell per line (ingest.figures.table)
        decision = replace(ctx.table_cells[idx])
        finish(ctx, s_idx, s, item, decision, "", periods, None, decided, carried)
        return decision
    ser = series[item.series[0]] if item.series else None
    if ser is not None and ser.metrics is not None and not ser.mismatch:
        rule, keyword, keyword_start = ser.metrics[item.series[1]]
        if not compatible(rule, item):
            return Decision(None, "", reason="series_unit_mismatch")
        negate = any(w in keyword for w in rule.negate)
        decision = Decision(
            rule, "series_of_metrics", keyword=keyword, keyword_start=keyword_start, negate=negate
        )
        finish(ctx, s_idx, s, item, decision, folded[prev_end : q.start], periods, None, decided, carried)
        return decision
    if ser is not None and item.series[1] > 0:
        return series_member(ctx, ser, item, idx, decided)
    window = folded[prev_end : q.start]
    right = right_text(folded, item.end, 30, s.end)
    decision = choose_metric(ctx, s, idx, item, window, prev_end, right, decided)
    if decision.rule is None:
        # a series that cannot be aligned says why, whatever its head's words
        return Decision(None, "", reason=ser.reason) if ser is not None and ser.mismatch else decision
    if (
        decision.rule.code == "use_of_proceeds_amount"
        and q.bare_yuan
        and item.currency_source != "written"
        and carried.proceeds_currency
    ):
        # '所得款項淨額約為7.05億港元…3.88億元(55%)用作…': the parts are in the currency of the whole
        item.currency, item.currency_source = carried.proceeds_currency, "proceeds"
    elif (
        decision.rule.code in VENUE_CURRENCY_METRICS
        and ctx.venue in VENUE_CURRENCIES
        and (
            (q.bare_yuan or not q.currency)
            and (
                item.currency_source == "default"
                or (item.currency_source == "declared" and ctx.venue == "HKEX")
            )
            # '发售价$15.38 - $16.80' on a Hong Kong offering sheet: a bare $ is the HK dollar
            or (ctx.venue == "HKEX" and q.currency == "USD" and q.text.startswith("$"))
        )
    ):
        # a bare 元 (or no currency: '集资15.8亿') follows the listing venue: HKEX offering terms are
        # HKD (even after a '人民幣，下同' that declares the currency of the financials), A-share terms CNY
        item.currency = VENUE_CURRENCIES[ctx.venue]
    elif (
        decision.rule.code in HK_DOLLAR_METRICS
        and q.bare_yuan
        and item.currency_source == "default"
        and ctx.doc.language == "zh-Hant"
        and HK_PRICE_CONTEXT.search(ctx.folded, ctx.doc.body_start)
    ):
        # Hong Kong papers write a bare 元 for HK dollars; without a venue it stays unsettled
        return Decision(None, "", reason="ambiguous_currency")
    if (
        decision.rule.code == "planned_proceeds"
        and ctx.offering_under_way
        and (not ctx.subject_ids or planner(ctx, s, item, decision) in (None, *ctx.subject_ids))
        and not PLAN_SOURCE.search(ctx.folded, s.start, q.start)
        and not another_exchange(ctx, s, item)
    ):
        # '拟募资约15.11亿港元' while the shares are on offer: the proceeds of this offering (another
        # company's plan named in passing, or the plan its prospectus stated, stays a plan)
        decision = replace(decision, rule=ctx.lexicon.metrics["gross_proceeds"])
    venue_currency = VENUE_CURRENCIES.get(ctx.venue, "")
    if (
        decision.rule.code in OFFERING_AMOUNT_METRICS
        and venue_currency
        and item.currency
        and ("CNY" in (item.currency, venue_currency))
        and item.currency != venue_currency
        and item.converted_currency != venue_currency
    ):
        # yuan raised in an article about a Hong Kong or US listing (or the other way round): the
        # amount of another listing ('CDR募资人民币300亿元'), not this offering's
        return Decision(None, "", reason="other_listing_currency")
    if decision.rule.code in LISTING_METRICS and other_market(ctx, s, q.start):
        # '網易美股ADR大漲4.55%' in an article about the Hong Kong listing
        return Decision(None, "", reason="other_listing")
    if decision.rule.code in LISTING_DAY_METRICS:
        if not ctx.listing_day:
            return Decision(None, "", reason="not_listing_day")
        if "暗盘" in ctx.folded[s.start : q.start]:
            return Decision(None, "", reason="grey_market")
    if ser is not None:
        if ser.mismatch:
            return Decision(None, "", reason=ser.reason)
        decision.rule_name = f"series:{decision.rule_name}"
        if decision.rule.negate and own_sign(ctx, ser, 0):
            decision.negate = True  # '分别为亏损3.42亿元、…': the loss is written beside the first value
    finish(ctx, s_idx, s, item, decision, window, periods, ser, decided, carried)
    return decision


def another_exchange(ctx: DocumentContext, s: Sentence, item: Item) -> bool:
    """Whether the sentence ties the number to an exchange other than the document's venue
    ('五年前科创板冲刺时的9.12亿元人民币预期募资额' in an article about the Hong Kong listing)."""
    if not ctx.venue:
        return False
    best, pos = "", -1
    for pattern, code in EXCHANGES:
        for m in pattern.finditer(ctx.folded, s.start, min(s.end, item.end + 20)):
            if m.start() > pos:
                best, pos = code, m.start()
    return bool(best) and best != ctx.venue


def planner(ctx: DocumentContext, s: Sentence, item: Item, decision: Decision) -> str | None:
    """The company whose planned proceeds these are (None when the text does not say)."""
    return decision.company_id or resolve_company(ctx, s, item)[0]


def other_market(ctx: DocumentContext, s: Sentence, pos: int) -> bool:
    """Whether the sentence names a market, and not the one the document's venue is on."""
    own = VENUE_MARKETS.get(ctx.venue)
    if not own:
        return False
    named = {market for market, words in MARKET_WORDS.items() if words.search(ctx.folded, s.start, s.end)}
    if not named or own in named and len(named) == 1:
        return False
    if own not in named:
        return True
    # both markets named ('与A股暴涨不同,中芯国际港股重挫,自开盘上涨2%后'): the one named last before
    # the number's clause decides
    last = max(
        (
            (m.end(), market)
            for market, words in MARKET_WORDS.items()
            for m in words.finditer(ctx.folded, s.start, pos)
        ),
        default=(0, own),
    )[1]
    return last != own


def finish(
    ctx: DocumentContext,
    s_idx: int,
    s: Sentence,
    item: Item,
    d: Decision,
    window: str,
    periods: list[PeriodMention],
    ser: Series | None,
    decided: dict[int, Decision],
    carried: CarriedContext,
) -> None:
    rule = d.rule
    if not d.dimension:
        d.dimension, problem = resolve_dimension(ctx, s, item, d, decided)
        if problem:
            d.rule, d.reason = None, problem
            return
    if d.company_id is None:
        if ser is not None and ser.companies is not None:
            d.company_id = ser.companies[0]
        else:
            d.company_id, problem = resolve_company(ctx, s, item)
            if d.company_id is None:
                d.rule, d.reason = None, problem
                return
    if d.period is None:
        if ser is not None and ser.periods is not None:
            d.period = ser.periods[0]
        else:
            d.period, problem = resolve_period(ctx, s_idx, s, item, rule, window, periods, carried, decided)
            if d.period is None:
                d.rule, d.reason = None, problem
                return
    if rule.kind in ("flow", "cagr") and d.period.end > ctx.doc.published_at + FORECAST_MARGIN:
        # a period that has not ended when the article appeared: a forecast or guidance, not a figure
        d.rule, d.reason = None, "forecast"
