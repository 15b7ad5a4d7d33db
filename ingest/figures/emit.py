"""Stage 7, emit: a decided candidate as a figure row (or an unclassified mention, with its reason),
with the quote that holds it and the FX rate its own conversion implies.
"""

from __future__ import annotations

import polars as pl

from ingest.figures.company import likely_company
from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    APPROX_JUST_BEFORE,
    AT_MOST_BEFORE,
    PRICE_BOUND_METRICS,
    PROCEEDS_RANGE_METRICS,
    ROUNDING_TOLERANCE,
    ROUNDING_WORD,
    WRITTEN_CURRENCY,
)
from ingest.figures.records import (
    Decision,
    Item,
    Out,
    split_dimension,
    stable_id,
    written_precision,
)
from ingest.lexicon import MetricRule
from ingest.schema import SEED_SCHEMAS, empty_frame
from ingest.sentences import Sentence


def quote_span(s: Sentence, item: Item, d: Decision | None) -> tuple[int, int]:
    start = max(s.start, item.q.start - 100)
    if d is not None and 0 <= d.keyword_start < item.q.start:
        start = max(s.start, min(start, d.keyword_start))
    end = min(s.end, max(item.end, item.q.end) + 30)
    end = max(end, item.end)
    return start, end


def emit(ctx: DocumentContext, out: Out, s: Sentence, item: Item, d: Decision) -> None:
    q = item.q
    doc_id = ctx.doc.document_id
    value_text = ctx.text[q.start : q.end]
    fx_rate_id = None
    if item.converted_value is not None and q.value:
        fx_rate_id = stable_id(doc_id, q.start, q.end, "implied_fx")
    if fx_rate_id is not None and all(r["fx_rate_id"] != fx_rate_id for r in out.fx):  # one per conversion
        rate_date = d.period.end if d.rule is not None and d.period is not None else ctx.doc.published_at
        if d.rule is None or d.period is None or d.period.period_type != "AS_OF":
            rate_date = ctx.doc.published_at
        out.fx.append(
            {
                "fx_rate_id": fx_rate_id,
                "rate_date": rate_date,
                "base_currency": item.currency,
                "quote_currency": item.converted_currency,
                "rate": round(item.converted_value / q.value, 6),
                "source": f"implied:{doc_id}",
                "document_id": doc_id,
                "quote": ctx.text[q.start : item.end],
            }
        )
    start, end = quote_span(s, item, d)
    if d.rule is None:
        out.unclassified.append(
            {
                "mention_id": stable_id(doc_id, q.start, q.end, "unclassified"),
                "document_id": doc_id,
                "company_id": d.company_id or likely_company(ctx, s, item, d.reason),
                "value": q.value,
                "unit": out_unit(q.unit, item.currency),
                "currency": item.currency,
                "value_text": value_text,
                "char_start": start,
                "char_end": end,
                "quote": ctx.text[start:end],
                "reason": d.reason or "no_metric",
            }
        )
        return
    rule = d.rule
    # (rule, value, qualifier or None for the number's own, id suffix)
    rows: list[tuple[MetricRule, float, str | None, str]] = []
    if q.low is not None and rule.code == "offer_price_low":
        high_rule = ctx.lexicon.metrics["offer_price_high"]
        rows = [(rule, q.low, None, ""), (high_rule, q.high, None, "")]
    elif q.low is not None and d.rule_name == "proceeds_range":
        rows = [(rule, q.low, "lower_bound", "low"), (rule, q.high, "upper_bound", "high")]
    else:
        rows = [(rule, q.value, None, "")]
    for r, value, bound, suffix in rows:
        if d.negate:
            value = -abs(value)
        converted = item.converted_value
        if converted is not None and d.negate:
            converted = -abs(converted)
        qualifier = bound or q.qualifier
        if qualifier == "exact" and item.series_approx:
            qualifier = "approx"
        if (
            r.code in PROCEEDS_RANGE_METRICS
            and qualifier in ("exact", "approx")
            and d.keyword_start >= 0
            and AT_MOST_BEFORE.search(ctx.folded, max(0, d.keyword_start - 4), d.keyword_start)
        ):
            qualifier = "upper_bound"  # '最多集资约18.7亿港元', '最多可募集…': the top of the range
        if r.code in PRICE_BOUND_METRICS and not APPROX_JUST_BEFORE.search(
            ctx.folded, max(0, q.start - 3), q.start
        ):
            # a bound of the price range is exact ('接近60元至72元的上限', '最高不超過126港元')
            qualifier = "exact"
        period = d.period
        written_number, decimals_written = written_precision(value_text)
        dimension_kind, dimension_value = split_dimension(d.dimension)
        out.figures.append(
            {
                "figure_id": stable_id(
                    doc_id, q.start, r.code, d.dimension, period.label, *([suffix] if suffix else [])
                ),
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
                or out_unit(q.unit if r.unit != "money" else "money", item.currency or "CNY"),
                "currency": (item.currency or "CNY") if r.unit == "money" else "",
                "qualifier": qualifier,
                "value_text": value_text,
                "char_start": start,
                "char_end": end,
                "quote": ctx.text[start:end],
                "converted_value": converted,
                "converted_currency": item.converted_currency or None,
                "rule": d.rule_name,
                "written_number": written_number,
                "decimals_written": decimals_written,
                "dimension_kind": dimension_kind,
                "dimension_value": dimension_value,
                # the rate this figure's own conversion states (a range's bounds were not converted)
                "implied_fx_rate_id": fx_rate_id if fx_rate_id and abs(value) == abs(q.value) else None,
            }
        )


def out_unit(unit: str, currency: str) -> str:
    if unit == "money":
        return currency or "CNY"
    return unit or "count"


_EMPTY: dict[str, pl.DataFrame] = {}


def frame(rows: list[dict], name: str) -> pl.DataFrame:
    """Rows built with exactly the seed's columns, typed by the schema (cheaper than conform)."""
    if not rows:
        # building an empty frame costs as much as a full one: build it once (clones are cheap)
        if name not in _EMPTY:
            _EMPTY[name] = empty_frame(name)
        return _EMPTY[name].clone()
    return pl.DataFrame(rows, schema=SEED_SCHEMAS[name])


def settle_repeats(out: Out, one_off_metrics: frozenset[str]) -> None:
    """One document, one value for a one-off fact (the offer price, the opening move, the market cap
    at a moment): a repeat that rounds the exact value ('低开近三成' beside '低开28.98%') and a value
    whose currency is not written beside one whose currency is ('总市值为81.8亿元' beside '市值约为70亿
    港币') leave the figures for unclassified mentions. Financial figures (many periods) are untouched."""
    groups: dict[tuple, list[dict]] = {}
    for row in out.figures:
        if row["metric"] in one_off_metrics:
            key = (row["company_id"], row["metric"], row["dimension"], row["period_label"])
            groups.setdefault(key, []).append(row)
    dropped: dict[int, str] = {}
    for rows in groups.values():
        values = {round(r["value"], 6) for r in rows}
        if len(values) < 2:
            continue
        written = [r for r in rows if WRITTEN_CURRENCY.search(r["value_text"])]
        if written and len(written) < len(rows):
            for r in rows:
                if r not in written and not any(_close(r["value"], w["value"], 0.05) for w in written):
                    dropped[id(r)] = "conflicting_value"
        exact = [r for r in rows if r["qualifier"] == "exact" and id(r) not in dropped]
        for r in rows:
            # '近三成' in a headline over '28.98%' in the body: a word that rounds, not a second value
            if ROUNDING_WORD.search(r["value_text"]) and any(_close(r["value"], e["value"]) for e in exact):
                dropped[id(r)] = "rounded_repeat"
    if not dropped:
        return
    kept = []
    for row in out.figures:
        reason = dropped.get(id(row))
        if reason is None:
            kept.append(row)
            continue
        out.unclassified.append(
            {
                "mention_id": row["figure_id"],
                "document_id": row["document_id"],
                "company_id": row["company_id"],
                "value": row["value"],
                "unit": row["unit"],
                "currency": row["currency"],
                "value_text": row["value_text"],
                "char_start": row["char_start"],
                "char_end": row["char_end"],
                "quote": row["quote"],
                "reason": reason,
            }
        )
    out.figures = kept


def _close(a: float, b: float, tolerance: float = ROUNDING_TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
