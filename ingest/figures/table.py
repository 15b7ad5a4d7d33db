"""Results tables flattened one cell per line, as HKEX announcements read when copied out of a PDF:

    截至十二月三十一日止年度        (optional caption)
    二零一六年                      one line per column: a period
    二零一五年
    变动                            (optional: a change column)
    人民币千元                      (optional: the unit, once or once per column)
    收益                            a row: its label …
    3,185,699                       … then one value per column
    3,167,211
    0.6%                            … and the change, when there is a change column

Each value gets the metric its label names (the keywords of `metrics.yml`), the period of its column
and the unit of the table. Rows whose label names no metric (每股盈利, 存货周转期) stay unclassified;
a label followed by another label is a section heading.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ingest.figures.context import DocumentContext
from ingest.figures.grammar import TABLE_ADJUSTED_LABEL, TABLE_CHANGE_HEADER, TABLE_UNIT, WRITTEN_YEAR
from ingest.figures.metric import best_keyword, from_keyword
from ingest.figures.records import Decision
from ingest.periods import Period

MIN_COLUMNS = 2
MAX_COLUMNS = 6
SCALES = {"千元": 1e3, "百万元": 1e6, "万元": 1e4, "亿元": 1e8, "元": 1.0}
CURRENCIES = {"人民币": "CNY", "港元": "HKD", "港币": "HKD", "美元": "USD"}


def column_tables(ctx: DocumentContext) -> dict[int, Decision]:
    """Decisions for the values of every flattened table of the document, by item index; the items
    of a table's money values are rescaled in place to the table's unit."""
    lines = _lines(ctx)
    out: dict[int, Decision] = {}
    i = 0
    while i < len(lines):
        columns = _header(ctx, lines, i)
        if columns is None:
            i += 1
            continue
        periods, changed, unit, i = columns
        i = _rows(ctx, lines, i, periods, changed, unit, out)
    return out


def _lines(ctx: DocumentContext) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line of the body, without its surrounding spaces."""
    out, folded, pos = [], ctx.folded, ctx.doc.body_start
    for raw in folded[pos:].split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + raw.index(stripped[0])
            out.append((start, start + len(stripped)))
        pos += len(raw) + 1
    return out


def _line_period(ctx: DocumentContext, start: int, end: int) -> Period | None:
    """The period a line consists of when it states its year ('二零一六年', '2024年上半年'), else None
    (a caption such as '截至十二月三十一日止年度' names no column)."""
    i = bisect.bisect_left(ctx.period_starts, start)
    if i < len(ctx.periods):
        p = ctx.periods[i]
        stated = WRITTEN_YEAR.search(ctx.folded, start, end) is not None
        if p.start == start and p.end == end and not p.is_multi and p.role in ("period", "list") and stated:
            return p.period
    return None


def _line_item(ctx: DocumentContext, start: int, end: int) -> int | None:
    """The index of the number a line consists of ('3,185,699', or '(120,500)' for a negative
    amount as accounts write it), else None."""
    bracketed = ctx.folded[start] == "(" and ctx.folded[end - 1] == ")"
    if bracketed:
        start, end = start + 1, end - 1
    i = bisect.bisect_left(ctx.item_starts, start)
    if i < len(ctx.items):
        q = ctx.items[i].q
        if q.start == start and q.end == end:
            return i
    return None


def _bracketed(ctx: DocumentContext, idx: int) -> bool:
    q = ctx.items[idx].q
    return q.start > 0 and ctx.folded[q.start - 1] == "(" and ctx.folded[q.end : q.end + 1] == ")"


def _header(
    ctx: DocumentContext, lines: list[tuple[int, int]], i: int
) -> tuple[list[Period], bool, tuple[float, str], int] | None:
    """(column periods, has a change column, (scale, currency), index of the first row line)."""
    periods: list[Period] = []
    j = i
    while j < len(lines) and len(periods) < MAX_COLUMNS:
        p = _line_period(ctx, *lines[j])
        if p is None:
            break
        periods.append(p)
        j += 1
    if len(periods) < MIN_COLUMNS or len({p.label for p in periods}) != len(periods):
        return None
    changed = j < len(lines) and TABLE_CHANGE_HEADER.fullmatch(ctx.folded, *lines[j]) is not None
    j += changed
    unit = (1.0, "")
    while j < len(lines):
        m = TABLE_UNIT.fullmatch(ctx.folded, *lines[j])
        if m is None:
            break
        unit = (SCALES[m.group("scale")], CURRENCIES.get(m.group("currency") or "", ""))
        j += 1
    return periods, changed, unit, j


def _rows(
    ctx: DocumentContext,
    lines: list[tuple[int, int]],
    i: int,
    periods: list[Period],
    changed: bool,
    unit: tuple[float, str],
    out: dict[int, Decision],
) -> int:
    """Read rows from line `i` on; returns the index of the first line after the table. A label
    with no value is a section heading ('主要财务比率'); one with fewer values than columns is a row
    with blank cells (an adjustment only one year has), skipped."""
    n = len(periods)
    bare = 0  # labels in a row without values: two end the table (prose after it)
    while i < len(lines):
        label = lines[i]
        if _line_item(ctx, *label) is not None or _line_period(ctx, *label) is not None:
            return i
        values: list[int] = []
        j = i + 1
        while j < len(lines) and len(values) < n + changed:
            idx = _line_item(ctx, *lines[j])
            if idx is None:
                break
            values.append(idx)
            j += 1
        bare = bare + 1 if not values else 0
        if bare >= 2:
            return i
        if len(values) >= n:
            _row(ctx, label, values[:n], periods, unit, out)
        i = j
    return i


def _row(
    ctx: DocumentContext,
    label: tuple[int, int],
    values: list[int],
    periods: list[Period],
    unit: tuple[float, str],
    out: dict[int, Decision],
) -> None:
    scale, currency = unit
    text = ctx.folded[label[0] : label[1]]
    for idx, period in zip(values, periods, strict=True):
        item = ctx.items[idx]
        q = item.q
        if q.unit == "" and not q.scale_text and currency:
            # '3,185,699' under '人民币千元'
            item.q = replace(q, value=q.value * scale, unit="money", currency=currency)
            item.currency, item.currency_source, item.compatible = currency, "declared", None
        hit = best_keyword(ctx, ctx.rules, item, text, label[0], text, extended=False)
        if hit is None:
            continue
        d = from_keyword(hit, label[0], item, text)
        if d.rule.code == "net_profit" and TABLE_ADJUSTED_LABEL.search(text):
            d = replace(d, rule=ctx.lexicon.metrics["adjusted_net_profit"])  # '…应占溢利(经调整)'
        if _bracketed(ctx, idx) and d.rule.negate:
            d = replace(d, negate=True)  # '(120,500)' under '年内亏损': a loss
        out[idx] = replace(d, rule_name="column_table", period=period)
