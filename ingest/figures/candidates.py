"""Stage 2, candidates: the numbers of a document as figure candidates (`Item`s).

A candidate is a number from `ingest.numbers` (or a market rank) outside URLs, footnotes and
period expressions, with the conversion in brackets after it folded in ("3.2亿港元(约合人民币2.9亿元)"),
whether it is a price per share, and the percent it is a bracketed amount of ("70%(约29亿港元)").
"""

from __future__ import annotations

from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    CONVERSION_CLOSE,
    CONVERSION_OPEN,
    HK_PRICE_CONTEXT,
    PER_SHARE_AFTER,
    PER_SHARE_BEFORE,
    RANK,
)
from ingest.figures.records import (
    Item,
    SpanIndex,
)
from ingest.numbers import Quantity, find_quantities, parse_number
from ingest.periods import (
    PeriodMention,
)
from ingest.sentences import Sentence


def find_candidates(
    folded: str, body: int, periods: list[PeriodMention], masks: list[tuple[int, int]]
) -> list[Item]:
    """Every candidate of the body in text order: numbers outside `masks` (URLs, footnotes) and
    outside period expressions, and market ranks."""
    blocked = SpanIndex(masks + [(p.start, p.end) for p in periods])
    quantities = [
        q for q in find_quantities(folded) if q.start >= body and not blocked.overlaps(q.start, q.end)
    ]
    quantities += find_ranks(folded, body)
    quantities.sort(key=lambda q: q.start)
    return find_items(folded, quantities)


def find_ranks(folded: str, body: int) -> list[Quantity]:
    """Market ranks ('排名第二', '中国第三大…服务商') as candidates of unit `rank`."""
    out = []
    for m in RANK.finditer(folded, body):
        n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n5") or m.group("n6")
        try:
            value = 1.0 if m.group("mk4") or m.group("first") else parse_number(n)
        except ValueError:
            continue
        if not 1 <= value <= 100:
            continue
        # '排名前三': a rank of at most three
        qualifier = "upper_bound" if m.group("n5") else "exact"
        out.append(Quantity(m.start(), m.end(), value, "rank", qualifier=qualifier, text=m.group(0)))
    return out


def find_items(folded: str, quantities: list[Quantity]) -> list[Item]:
    """Quantities as candidates: conversions in brackets folded in, prices per share marked."""
    items: list[Item] = []
    skip: set[int] = set()
    for i, q in enumerate(quantities):
        if i in skip:
            continue
        item = Item(q=q, currency=q.currency, end=q.end)
        nxt = quantities[i + 1] if i + 1 < len(quantities) else None
        if nxt is not None and CONVERSION_OPEN.match(folded[q.end : nxt.start]):
            close = CONVERSION_CLOSE.match(folded[nxt.end : nxt.end + 3])
            if close and q.unit == "money" and nxt.unit == "money" and nxt.currency != q.currency:
                item.converted_value = nxt.value
                item.converted_currency = nxt.currency
                item.end = nxt.end + close.end()
                skip.add(i + 1)
            elif close and nxt.unit == "money" and q.unit == "pct":
                pass  # '70%(约29亿港元)': the amount is its own figure, tied to the percent
        item.per_share = bool(
            PER_SHARE_BEFORE.search(folded[max(0, q.start - 6) : q.start])
            or PER_SHARE_AFTER.match(folded[item.end : item.end + 3])
        )
        items.append(item)
    for i in range(1, len(items)):
        prev, cur = items[i - 1], items[i]
        if (
            prev.q.unit == "pct"
            and cur.q.unit == "money"
            and CONVERSION_OPEN.match(folded[prev.q.end : cur.q.start])
            and CONVERSION_CLOSE.match(folded[cur.q.end : cur.q.end + 3])
        ):
            cur.paren_of = i - 1
    return items


def item_currency(ctx: DocumentContext, item: Item, s: Sentence) -> tuple[str, str]:
    """(currency, source) of a candidate before its metric is known: written beside it; a share
    price with a bare 元 in a Hong Kong paper's price context (HKD); a currency declared earlier for
    the passage; else the bare 元's CNY (`default`)."""
    q = item.q
    if (
        q.bare_yuan
        and ctx.doc.language == "zh-Hant"
        and abs(q.value) < 10_000
        and HK_PRICE_CONTEXT.search(ctx.folded[s.start : s.end])
    ):
        return "HKD", "written"
    if q.bare_yuan or (not q.currency and q.unit in ("", "money") and q.scale_text):
        # a declaration right after the number covers it too: '1.86亿元(美元,下同)'
        declared = ctx.declared_currency(q.end + 1)
        if declared:
            return declared, "declared"
        return q.currency, "default"
    return q.currency, "written"
