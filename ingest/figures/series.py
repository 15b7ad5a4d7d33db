"""Stage 2, candidates: runs of values that share one keyword ("分别为a、b、c",
"4.02亿元、3.95亿元及5.00亿元").

A series is aligned with the period list, the metric list or the company list it refers to; counts
that differ leave the whole series unclassified (`mismatch`), never guessed.
"""

from __future__ import annotations

from dataclasses import replace

from ingest.companies import CompanyMention
from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    ITEM_LIST,
    LIST_JOINER,
    NAME_JOINER,
    SERIES_GAP,
    SERIES_ITEM_COPULA,
    SERIES_ITEM_FALL,
    SERIES_ITEM_GAIN,
    SERIES_ITEM_LOSS,
    SERIES_ITEM_RISE,
    SERIES_LEAD_GAP,
    SERIES_MARKER,
)
from ingest.figures.records import (
    CarriedContext,
    Decision,
    Item,
    Series,
    clause_begin,
)
from ingest.lexicon import MetricRule
from ingest.periods import (
    PeriodMention,
)
from ingest.sentences import Sentence


def find_series(
    ctx: DocumentContext, s: Sentence, idxs: list[int], periods: list[PeriodMention], carried: CarriedContext
) -> list[Series]:
    out: list[Series] = []
    folded = ctx.folded
    for marker in SERIES_MARKER.finditer(folded, s.start, s.end):
        members: list[int] = []
        for idx in idxs:
            item = ctx.items[idx]
            if item.q.start < marker.end() or item.paren_of is not None:
                continue
            if not members:
                if not SERIES_LEAD_GAP.match(folded[marker.end() : item.q.start]):
                    break
                members.append(idx)
                continue
            last = ctx.items[members[-1]]
            if item.q.unit != "rank" and SERIES_GAP.match(folded[last.end : item.q.start]):
                members.append(idx)
            else:
                break
        if not members:
            continue
        if len(find_metric_list(ctx, s, marker.start())) < 2:
            # one metric: the series is the run of values of the first value's unit
            unit = ctx.items[members[0]].q.unit
            cut = next((i for i, idx in enumerate(members) if ctx.items[idx].q.unit != unit), len(members))
            members = members[:cut]
        ser = Series(members=members, marker_start=marker.start(), approx="约" in marker.group(0))
        align_series(ctx, ser, s, periods, carried)
        register_series(ctx, ser, out)
    for run in value_runs(ctx, idxs):
        # '2022年至2024年，收入为4.02亿元、3.95亿元及5.00亿元': a list without 分别, aligned only with
        # a period list stated earlier in the same sentence
        first = ctx.items[run[0]].q.start
        stated = any(p.is_multi and p.end <= first and p.role == "list" for p in periods)
        # ... or the period list of the paragraph, when the run has as many values ('截至2015、2016和
        # 2017年12月31日止年度,收入分別為…;年度利潤3654.5萬元、1.18億元和2.42億元')
        carried_fits = carried.period_list_paragraph == s.paragraph and len(carried.period_list) == len(run)
        if not (stated or carried_fits):
            continue
        ser = Series(members=run, marker_start=first)
        align_series(ctx, ser, s, periods, carried)
        register_series(ctx, ser, out)
    return out


def register_series(ctx: DocumentContext, ser: Series, out: list[Series]) -> None:
    for position, idx in enumerate(ser.members):
        ctx.items[idx].series = (len(out), position)
        ctx.items[idx].series_approx = ser.approx
    out.append(ser)


def value_runs(ctx: DocumentContext, idxs: list[int]) -> list[list[int]]:
    """Runs of two or more numbers of one unit joined only by 、/和/及, not yet in a series."""
    runs: list[list[int]] = []
    run: list[int] = []
    for idx in idxs:
        item = ctx.items[idx]
        if item.series is not None or item.paren_of is not None or item.q.unit in ("", "rank"):
            run = []
            continue
        last = ctx.items[run[-1]] if run else None
        if (
            last is not None
            and item.q.unit == last.q.unit
            and SERIES_GAP.match(ctx.folded[last.end : item.q.start])
        ):
            run.append(idx)
        else:
            run = [idx]
            runs.append(run)
    return [r for r in runs if len(r) >= 2]


def align_series(
    ctx: DocumentContext, ser: Series, s: Sentence, periods: list[PeriodMention], carried: CarriedContext
) -> None:
    n = len(ser.members)
    before = [m for m in ctx.sentence_mentions(s) if m.end <= ser.marker_start]
    metric_list = find_metric_list(ctx, s, ser.marker_start)
    if len(metric_list) >= 2:
        if len(metric_list) == n:
            ser.metrics = tuple(metric_list)
        else:
            ser.mismatch = True
        return
    company_list = find_company_list(ctx, before)
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
        parts = carried.period_list
        if n > 1 and len(parts) != n:
            # '同期…分别为' with a later list of another length in between (a CAGR basis):
            # the last list of the document before the series with exactly n periods
            same_size = [p for p in ctx.doc_lists if p.end <= ser.marker_start and len(p.parts) == n]
            parts = same_size[-1].parts if same_size else parts
    if n == 1 and not parts:
        return
    # 'A业务、B业务和C业务的毛利率分别为…': the values belong to the items listed, not to periods
    list_end = multi[-1].end if multi else s.start
    clause = clause_begin(ctx.folded, ser.marker_start, s.start)
    items_text = ctx.without_names(max(list_end, clause), ser.marker_start)
    if n > 1 and ITEM_LIST.search(items_text):
        ser.mismatch, ser.reason = True, "series_of_items"
    elif len(parts) != n:
        ser.mismatch = True
    else:
        ser.periods = tuple(parts)


def find_metric_list(
    ctx: DocumentContext, s: Sentence, marker_start: int
) -> list[tuple[MetricRule, str, int]]:
    """Metric keywords joined by 和/及/、 right before 分别 ('营收和净利润分别为…')."""
    start = clause_begin(ctx.folded, marker_start, s.start)
    text = ctx.folded[start:marker_start]
    if not any(joiner in text for joiner in "、和及与"):
        return []  # a list of metrics needs a joining word (commas end the clause)
    hits = []
    for rule in ctx.rules:
        if rule.before_any is None or not rule.before_any.search(text):
            continue
        for pat in rule.before:
            hits += [(m.start(), -len(m.group(0)), m.end(), rule, m.group(0)) for m in pat.finditer(text)]
    hits = [(a + start, b, c + start, r, k) for a, b, c, r, k in hits]
    text = ctx.folded[: start + len(text)]
    hits.sort(key=lambda h: (h[0], h[1]))
    chosen: list[tuple[int, int, MetricRule, str]] = []
    for h_start, _, h_end, rule, keyword in hits:
        if chosen and h_start < chosen[-1][1]:
            continue  # inside a longer keyword already taken
        chosen.append((h_start, h_end, rule, keyword))
    if len(chosen) < 2:
        return []
    for (_, a_end, _, _), (b_start, _, _, _) in zip(chosen, chosen[1:], strict=False):
        if not LIST_JOINER.fullmatch(text[a_end:b_start]):
            return []
    if LIST_JOINER.fullmatch(text[chosen[-1][1] :]) is None and text[chosen[-1][1] :].strip():
        return []
    return [(rule, keyword, k_start) for k_start, _, rule, keyword in chosen]


def find_company_list(ctx: DocumentContext, mentions: list[CompanyMention]) -> list[str]:
    """The last run of company mentions joined only by separators (A、B和C)."""
    run: list[CompanyMention] = []
    for m in mentions:
        if run and NAME_JOINER.fullmatch(ctx.folded[run[-1].end : m.start]):
            run.append(m)
        else:
            run = [m]
    ids = [m.company_id for m in run]
    return ids if len(set(ids)) == len(ids) else []


def own_sign(ctx: DocumentContext, ser: Series, position: int) -> bool | None:
    """True for a loss or a fall marked right before the series' value at `position`, False for a
    gain or a rise, None when the value carries no word of its own."""
    start = ctx.items[ser.members[position - 1]].end if position else ser.marker_start
    before = ctx.folded[start : ctx.items[ser.members[position]].q.start]
    if SERIES_ITEM_LOSS.search(before) or SERIES_ITEM_FALL.search(before):
        return True
    return False if SERIES_ITEM_GAIN.search(before) or SERIES_ITEM_RISE.search(before) else None


def series_member(
    ctx: DocumentContext, ser: Series, item: Item, idx: int, decided: dict[int, Decision]
) -> Decision:
    head = decided.get(ser.members[0])
    if head is None or head.rule is None:
        return Decision(None, "", reason=head.reason if head else "series_head_unclassified")
    if ser.mismatch:
        return Decision(None, "", reason=ser.reason)
    position = item.series[1]
    d = replace(head, rule_name=head.rule_name)
    if head.rule.negate:
        # a sign beside a value overrides the one the series opened with; once one value carries its
        # own sign, the values without one are gains ('亏损3.42亿元、亏损1.82亿元、8,466万元')
        signs = [own_sign(ctx, ser, i) for i in range(len(ser.members))]
        # '分别为亏损X、Y、Z': after 为 the loss word is X's alone ('分别亏损X、Y' is a loss for both)
        own_first = signs[0] and SERIES_ITEM_COPULA.search(
            ctx.folded, ser.marker_start, ctx.items[ser.members[0]].q.start
        )
        if any(signs[1:]) or own_first:
            d.negate = bool(signs[position])
        elif signs[position] is False:
            d.negate = False
    if ser.periods is not None:
        d.period = ser.periods[position]
    if ser.companies is not None:
        d.company_id = ser.companies[position]
    return d
