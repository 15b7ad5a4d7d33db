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
    """The index of the number a line consists of, else None."""
    i = bisect.bisect_left(ctx.item_starts, start)
    if i < len(ctx.items):
        q = ctx.items[i].q
        if q.start == start and q.end == end:
            return i
    return None


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
    """Read rows from line `i` on; returns the index of the first line after the table."""
    n = len(periods)
    while i < len(lines):
        label = lines[i]
        if _line_item(ctx, *label) is not None or _line_period(ctx, *label) is not None:
            return i
        values = [_line_item(ctx, *line) for line in lines[i + 1 : i + 1 + n]]
        if len(values) < n or any(v is None for v in values):
            # a section heading ('主要财务比率') when a row follows it, else the end of the table
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is not None and _line_item(ctx, *nxt) is None and _line_period(ctx, *nxt) is None:
                i += 1
                continue
            return i
        i += 1 + n
        if changed and i < len(lines):
            change = _line_item(ctx, *lines[i])
            if change is not None and ctx.items[change].q.unit == "pct":
                i += 1
        _row(ctx, label, [v for v in values if v is not None], periods, unit, out)
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
        out[idx] = replace(d, rule_name="column_table", period=period)
