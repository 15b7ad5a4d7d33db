"""Stage 3, metric: which metric a candidate states, from the words around it.

In order: use of proceeds ("…用于X"), words right after the number ("11家基石投资者"), words that make
it not a company figure (shareholdings, market-wide totals), ranks and price ranges, comparison bases
("较2023年的3.02亿美元"), follow-on figures ("同比增长Y%" after a revenue), the nearest keyword before it
since the previous number, price moves, then the nearest keyword in the whole sentence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from ingest.figures.context import DocumentContext
from ingest.figures.dimension import nearest_moment
from ingest.figures.grammar import (
    CLAUSE_END,
    COMPARED_BEFORE,
    COMPARISON_TAIL,
    FALLING_GROWTH_WORDS,
    FALLING_PRICE_WORDS,
    FROM_WITH_PERIOD,
    GROWTH_METRICS,
    GROWTH_OF_PREVIOUS,
    LEADING_PAREN,
    LIST_LINE_CHARS,
    LOSS_BETWEEN,
    MONEY_SCALES,
    NEGATIVE_DIRECTION,
    OTHER_MEASURES,
    OTHER_PERIOD_GAP,
    PRICE_MOVE,
    PROCEEDS_ALTERNATIVE,
    PROCEEDS_LIST_SENTENCES,
    PROCEEDS_RANGE_METRICS,
    PURPOSE_BEFORE_SHARE,
    PURPOSE_CHARS,
    PURPOSE_CUT,
    PURPOSE_LIST_OPENING,
    PURPOSE_SEPARATOR,
    RANGE_PRICE_AFTER,
    RANGE_PRICE_CONTEXT,
    REVENUE_WORDS,
    SHARE_OF_PREVIOUS,
    SHARE_ONLY_ENTRY,
    SIGN_ONLY_KEYWORD,
    SUBSCRIBED,
    SUBSCRIBED_SHARES_PAREN,
    THRESHOLD_AFTER,
    USE_OF_PROCEEDS_AFTER,
    USE_OF_PROCEEDS_CONTEXT,
)
from ingest.figures.records import (
    Decision,
    Item,
    change_source,
    change_target,
    clause_begin,
    clean_purpose,
    right_text,
    shift_year,
    year_before,
)
from ingest.lexicon import MetricRule
from ingest.numbers import Quantity
from ingest.periods import (
    PeriodMention,
    is_relative_year,
    years_back,
)
from ingest.sentences import Sentence

# rules whose unit fits a kind of number: (unit, classifier, has currency, has scale, money scale) -> rules
RULES_BY_KIND: dict[tuple, list[MetricRule]] = {}
# How far from a number (characters, each side) its keyword look-ups read. Keywords of real articles
# stand within ~260 characters of their number (tests/articles, sources and the real set); without a
# bound, a document written as one endless sentence re-read the whole sentence for every number and
# every keyword match, and took time growing with the cube of its length.
KEYWORD_REACH = 1000


def reach(s: Sentence, q: Quantity) -> tuple[int, int]:
    """(start, end) of the part of sentence `s` that the look-ups for number `q` read."""
    return max(s.start, q.start - KEYWORD_REACH), min(s.end, q.end + KEYWORD_REACH)


def compatible_rules(ctx: DocumentContext, item: Item) -> list[MetricRule]:
    if item.compatible is None:
        q = item.q
        key = (q.unit, q.classifier, bool(q.currency), bool(q.scale_text), q.scale_text in MONEY_SCALES)
        by_unit = RULES_BY_KIND.get(key)
        if by_unit is None:
            by_unit = RULES_BY_KIND[key] = [r for r in ctx.rules if unit_fits(r, item)]
        value = abs(q.value)
        item.compatible = [
            r
            for r in by_unit
            if (r.min_value is None or value >= r.min_value) and (r.max_value is None or value <= r.max_value)
        ]
    return item.compatible


def compatible(rule: MetricRule, item: Item) -> bool:
    return unit_fits(rule, item) and value_fits(rule, item)


def value_fits(rule: MetricRule, item: Item) -> bool:
    value = abs(item.q.value)
    if rule.min_value is not None and value < rule.min_value:
        return False
    return rule.max_value is None or value <= rule.max_value


def unit_fits(rule: MetricRule, item: Item) -> bool:

    q = item.q
    if rule.unit == "money":
        # a bare scaled number is money for totals ('亏损 11 亿', '募资超500亿', '市值突破1000亿'),
        # never for a price
        ok = q.unit == "money" or (
            q.unit == ""
            and not rule.per_share
            and rule.table in ("financials", "offerings")
            and q.scale_text in MONEY_SCALES
        )
    elif rule.unit == "count":
        ok = (q.unit == "count" or (q.unit == "" and bool(q.scale_text))) and not q.currency
        # the counting word must fit the thing counted: 24家OEM are not 24 devices
        ok = ok and q.classifier in rule.classifiers
    else:
        ok = q.unit == rule.unit
    return ok


def best_keyword(
    ctx: DocumentContext,
    rules: list[MetricRule],
    item: Item,
    window: str,
    window_start: int,
    sentence_text: str,
    extended: bool,
) -> tuple[MetricRule, re.Match] | None:
    best = None
    best_key = None
    for rule in compatible_rules(ctx, item):
        if rule.before_any is None or not rule.before_any.search(window):
            continue
        if rule.requires and not any(r.search(sentence_text) for r in rule.requires):
            continue
        if any(b.search(window) for b in rule.block_if_window):
            continue
        for pat in rule.before:
            for m in pat.finditer(window):
                if m.end() == m.start():
                    continue
                gap = window[m.end() :]
                if any(f.search(gap) for f in rule.forbid):
                    continue
                if rule.not_after and any(na.search(window[: m.start()]) for na in rule.not_after):
                    continue
                if extended and (
                    gap_has_same_unit(ctx, item, window_start + m.end())
                    or any(
                        a < window_start + m.end() and window_start + m.start() < b for a, b in ctx.consumed
                    )
                    # '研发人员占比最高,管理人员53人占比19.20%': a share whose keyword another number
                    # follows is that number's, not this one's
                    or (rule.unit == "pct" and gap_has_number(ctx, item, window_start + m.end()))
                ):
                    continue
                key = (m.end(), m.end() - m.start())
                if best_key is None or key > best_key:
                    best, best_key = (rule, m), key
    return best


def gap_has_number(ctx: DocumentContext, item: Item, gap_start: int) -> bool:
    """Whether another candidate number lies between `gap_start` and `item` (a change in points
    on the way does not count: '毛利率按年升8.7个百分点至73.6%')."""
    i = bisect.bisect_left(ctx.item_starts, gap_start)
    while i < len(ctx.items) and ctx.items[i].q.start < item.q.start:
        if ctx.items[i].q.unit != "pp":
            return True
        i += 1
    return False


def gap_has_same_unit(ctx: DocumentContext, item: Item, gap_start: int) -> bool:
    """A keyword already used by an earlier number of the same kind does not reach this one."""
    for other in ctx.items[bisect.bisect_left(ctx.item_starts, gap_start) :]:
        o = other.q
        if o.start >= item.q.start:
            break
        if (
            o.start >= gap_start
            and o.unit == item.q.unit
            and other.paren_of is None
            and "至" not in (between := ctx.folded[o.end : item.q.start])
            and "到" not in between
        ):
            return True
    return False


def choose_metric(
    ctx: DocumentContext,
    s: Sentence,
    idx: int,
    item: Item,
    window: str,
    prev_end: int,
    right: str,
    decided: dict[int, Decision],
) -> Decision:
    q = item.q
    folded = ctx.folded
    start, end = reach(s, q)
    sentence_text = folded[start:end]
    metrics = ctx.lexicon.metrics
    # use of proceeds: '募集资金净额的70%(约29亿港元)将用于X'
    if item.paren_of is not None:
        head = decided.get(item.paren_of)
        if head is not None and head.rule is not None and head.rule.code == "use_of_proceeds_pct":
            return Decision(
                metrics["use_of_proceeds_amount"], "use_of_proceeds_paren", dimension=head.dimension
            )
    if q.unit in ("pct", "money") and proceeds_sentence(ctx, s):
        after = right_text(ctx.folded, item.end, PURPOSE_CHARS, s.end)
        purpose = USE_OF_PROCEEDS_AFTER.match(PROCEEDS_ALTERNATIVE.sub("", LEADING_PAREN.sub("", after)))
        if purpose:
            value = clean_purpose(PURPOSE_CUT.split(purpose.group("purpose"))[0])
            if not value:
                return Decision(None, "", reason="use_of_proceeds_without_purpose")
            code = "use_of_proceeds_pct" if q.unit == "pct" else "use_of_proceeds_amount"
            return Decision(metrics[code], "use_of_proceeds", dimension=f"purpose:{value}")
        named = purpose_before(ctx, s, item)
        if named:
            code = "use_of_proceeds_pct" if q.unit == "pct" else "use_of_proceeds_amount"
            return Decision(metrics[code], "use_of_proceeds_named_before", dimension=f"purpose:{named}")
    if item.paren_of is not None:
        return Decision(None, "", reason="parenthetical_amount")
    if q.unit == "money" and THRESHOLD_AFTER.match(right):
        return Decision(None, "", reason="threshold")
    # words right after the number: '11家基石投资者', '600亿参数', '的发行价'
    after_hit = after_keyword(ctx, item, right, sentence_text)
    if after_hit is not None and q.low is None:
        return after_hit
    # the words right after the number, up to the end of its clause ('35.00港元,全球发售…股份' is no holding)
    probe = window + q.text + CLAUSE_END.split(right[:12], maxsplit=1)[0]
    for reason, patterns in ctx.lexicon.not_figures.items():
        if reason == "market_wide":
            # market words count only when no company is named between them and the number
            if market_wide_before(ctx, s, q, prev_end, patterns):
                return Decision(None, "", reason=reason)
        elif any(p.search(probe) for p in patterns):
            return Decision(None, "", reason=reason)
    if market_wide_before(ctx, s, q, s.start, ctx.lexicon.market_wide_sentence):
        return Decision(None, "", reason="market_wide")
    in_sentence, in_window = ctx.lexicon.conditional
    # a clawback scale ('若…15倍至少于50倍,…增至30%,50倍至少于100倍即增至40%'): once the sentence
    # has stated a condition, every multiple and share after it is part of the scale
    stated = folded[start : q.start] if q.unit in ("x", "pct") else window
    if (
        in_sentence
        and any(p.search(sentence_text) for p in in_sentence)
        and any(p.search(stated) for p in in_window)
    ):
        return Decision(None, "", reason="conditional")
    if q.unit == "rank":
        return Decision(metrics["market_rank"], "rank")
    # offer price range: '招股价区间为每股9.5港元至11.5港元'
    if q.low is not None:
        offer_range = RANGE_PRICE_CONTEXT.search(folded[start : q.start]) or (
            folded[max(s.start, q.start - 3) : q.start].endswith(("每股", "每股 "))
            and RANGE_PRICE_AFTER.match(folded[q.end : q.end + 12])
        )
        if q.unit == "money" and offer_range and q.high < 100_000:
            return Decision(metrics["offer_price_low"], "offer_price_range")
        if q.unit == "money":
            # '集資370.6億元至479.6億元': proceeds between two bounds (one row for each)
            hit = best_keyword(
                ctx, ctx.rules, item, folded[start : q.start], start, sentence_text, extended=True
            )
            if hit is not None and hit[0].code in PROCEEDS_RANGE_METRICS:
                return replace(
                    from_keyword(hit, start, item, folded[start : q.start]), rule_name="proceeds_range"
                )
        return Decision(None, "", reason="range")
    comparison = comparison_base(ctx, s, item, window, prev_end, decided)
    if comparison is not None:
        return comparison
    follow = (
        follow_on(ctx, s, item, window, decided)
        or changed_to(ctx, item, decided)
        or same_metric_other_period(ctx, item, prev_end, decided)
    )
    if follow is not None:
        return follow
    hit = best_keyword(ctx, ctx.rules, item, window, prev_end, sentence_text, extended=False)
    if hit is not None:
        return _checked(ctx, s, from_keyword(hit, prev_end, item, window), decided)
    move = price_move(ctx, s, item, window)
    if move is not None:
        return move
    sentence_window = folded[start : q.start]
    hit = best_keyword(ctx, ctx.rules, item, sentence_window, start, sentence_text, extended=True)
    if hit is not None:
        rule, m = hit
        if rule.per_share and not item.per_share:
            return Decision(None, "", reason="price_without_per_share_context")
        d = from_keyword(hit, start, item, sentence_window)
        d.rule_name = "keyword_sentence"
        return _checked(ctx, s, d, decided)
    return Decision(None, "", reason="no_metric")


def _checked(ctx: DocumentContext, s: Sentence, d: Decision, decided: dict[int, Decision]) -> Decision:
    """A keyword's decision read against the rest of its sentence:

    - a growth or CAGR whose sentence last names another measure than revenue before the keyword
      ('总支付交易量由…增加至…，复合年增长率为153.8%') is not a revenue growth;
    - a bare loss or profit word after an adjusted figure of the same sentence continues it
      ('经调整净利润从2022年的亏损11亿，下降至2024年亏损4511万').
    """
    rule = d.rule
    if rule.code in GROWTH_METRICS and d.keyword_start >= 0:
        before = ctx.folded[s.start : d.keyword_start]
        other = [m.end() for m in OTHER_MEASURES.finditer(before)]
        revenue = [m.end() for m in REVENUE_WORDS.finditer(before)]
        if other and (not revenue or other[-1] > revenue[-1]):
            return Decision(None, "", reason="growth_of_other_measure")
    if rule.code == "net_profit" and SIGN_ONLY_KEYWORD.fullmatch(d.keyword):
        adjusted = [
            x for x in decided.values() if x.rule is not None and x.rule.code == "adjusted_net_profit"
        ]
        if adjusted:
            return replace(d, rule=adjusted[-1].rule, rule_name="continues_adjusted")
    return d


def purpose_before(ctx: DocumentContext, s: Sentence, item: Item) -> str:
    """A purpose written before its share, once the sentence has said what the proceeds go to:
    '将用于研发(约35%)、扩张产能(约25%)', '用途为研发35%、扩张产能25%', '研发,约占35%'; '' when none."""
    folded = ctx.folded
    opened = PURPOSE_LIST_OPENING.search(folded, s.start, item.q.start)
    if opened is None:
        return ""
    list_start = opened.end()
    ends = [list_start, *(m.end() for m in PURPOSE_SEPARATOR.finditer(folded, list_start, item.q.start))]
    start = ends[-1]
    if SHARE_ONLY_ENTRY.match(folded[start : item.q.start]) and len(ends) > 1:
        start = ends[-2]  # the purpose is the entry before its share
        m = PURPOSE_BEFORE_SHARE.match(folded, start, ends[-1] - 1)
        return clean_purpose(m.group("purpose")) if m and m.end() == ends[-1] - 1 else ""
    m = PURPOSE_BEFORE_SHARE.fullmatch(folded, start, item.q.start)
    if m is None:
        return ""
    return clean_purpose(m.group("purpose"))


def proceeds_sentence(ctx: DocumentContext, s: Sentence) -> bool:
    """Whether the sentence talks about raised money (募资, 所得款项 …), or continues a list that does:
    purposes are often listed one per clause after ；, one per bullet or one per short line. Once per
    sentence."""
    if s.start not in ctx.proceeds_sentences:
        found = bool(USE_OF_PROCEEDS_CONTEXT.search(ctx.folded, s.start, s.end))
        i = bisect.bisect_left(ctx.sentence_starts, s.start)
        for back in range(1, PROCEEDS_LIST_SENTENCES + 1):
            if found or i - back < 0:
                break
            earlier = ctx.sentences[i - back]
            later = ctx.sentences[i - back + 1]
            same_list = earlier.paragraph == later.paragraph or (
                later.end - later.start <= LIST_LINE_CHARS and later.paragraph - earlier.paragraph == 1
            )
            if not same_list:
                break
            found = bool(USE_OF_PROCEEDS_CONTEXT.search(ctx.folded, earlier.start, earlier.end))
        ctx.proceeds_sentences[s.start] = found
    return ctx.proceeds_sentences[s.start]


def market_wide_before(ctx: DocumentContext, s: Sentence, q: Quantity, start: int, patterns) -> bool:
    """A market-wide marker in folded[start:q] with no company named after it
    ('港股今年上半年共有30只新股上市，集资总额约180亿港元')."""
    key = (s.start, id(patterns))
    if key not in ctx.market_words:
        # a marker in part of the sentence is a marker in the whole sentence: most sentences have
        # none, and one search per sentence settles it for all their numbers
        ctx.market_words[key] = any(p.search(ctx.folded, s.start, s.end) for p in patterns)
    if not ctx.market_words[key]:
        return False
    before = ctx.folded[start : q.start]
    for pattern in patterns:
        for m in pattern.finditer(before):
            named = [c for c in ctx.sentence_mentions(s) if start + m.end() <= c.start < q.start]
            if not named:
                return True
    return False


def from_keyword(hit, offset: int, item: Item, window: str) -> Decision:
    rule, m = hit
    keyword = m.group(0)
    negate = any(w in keyword for w in rule.negate)
    tail = window[m.end() :]
    if rule.negate and any(w in tail for w in NEGATIVE_DIRECTION):
        negate = any(w in tail for w in rule.negate) or negate
    elif rule.negate and LOSS_BETWEEN.search(tail):
        negate = True  # '经调整净利润从2022年的亏损11亿': the loss is written between keyword and number
    return Decision(rule, "keyword", keyword=keyword, keyword_start=offset + m.start(), negate=negate)


def after_keyword(ctx: DocumentContext, item: Item, right: str, sentence_text: str) -> Decision | None:
    """The keyword right after the number that ends first wins ('为发明专利' before '专利')."""
    best = None
    for rule in compatible_rules(ctx, item):
        if not rule.after:
            continue
        if rule.requires and not any(r.search(sentence_text) for r in rule.requires):
            continue
        for pat in rule.after:
            m = pat.search(right)
            if m and (best is None or (m.end(), -len(m.group(0))) < (best[1].end(), -len(best[1].group(0)))):
                best = (rule, m)
    if best is None:
        return None
    rule, m = best
    return Decision(rule, "keyword_after", keyword=m.group(0), keyword_start=item.end + m.start())


def comparison_base(
    ctx: DocumentContext, s: Sentence, item: Item, window: str, prev_end: int, decided: dict[int, Decision]
) -> Decision | None:
    """'较2023年的3.02亿美元' / '上年同期亏损1.92亿元' / '较2023年的40.2%': the base value of a
    comparison."""
    if item.q.unit not in ("money", "count", "pct"):
        return None
    comps = [
        p for p in ctx.periods_from(prev_end) if p.end <= item.q.start and p.role == "comparison" and p.parts
    ]
    if not comps:
        return None
    comp = comps[-1]
    tail = ctx.folded[comp.end : item.q.start]
    if not COMPARISON_TAIL.fullmatch(tail):
        return None
    # the figure the base is compared with: the latest one before it ('Q3亏损X，比去年同期Y，而首三季
    # 亏损Z，比去年同期W': W is the base of Z)
    main = next(
        (
            d
            for d in reversed(list(decided.values()))
            if d.rule is not None and not d.is_comparison and d.rule.unit == item.q.unit
        ),
        None,
    )
    start, end = reach(s, item.q)
    sentence_text = ctx.folded[start:end]
    hit = best_keyword(ctx, ctx.rules, item, tail, comp.end, sentence_text, extended=False)
    if hit is not None:
        d = from_keyword(hit, comp.end, item, tail)
    elif main is not None:
        d = replace(main, keyword="", negate=main.negate)
    else:
        # '…六个月的收益较2024年同期的人民币301.7百万元增长37.1%': the base is the only figure,
        # of the metric named before 较, for the period that metric was named with
        head_start = max(s.start, comp.start - KEYWORD_REACH)
        head = ctx.folded[head_start : comp.start]
        hit = best_keyword(ctx, ctx.rules, item, head, head_start, sentence_text, extended=False)
        stated = [p for p in ctx.periods_from(s.start) if p.end <= comp.start and p.role == "period"]
        if hit is None or not stated or not COMPARED_BEFORE.search(head):
            return None
        d = from_keyword(hit, head_start, item, head)
        main = replace(d, period=stated[-1].period)
    same_period = "同期" in ctx.folded[comp.start : comp.end + 2]
    ref = main.period if main is not None else None
    back = years_back_from_figure(ctx, s, comp)
    if back is not None:
        # '2024年…，上年同期为Y': the year before the figure's period, not before publication
        d.period = year_before(ref, comp.period, back, same_period) if ref is not None else None
        if d.period is None and main is None:
            d.period = comp.period if not same_period else None
    elif same_period:
        d.period = shift_year(ref, comp.period.start.year) if ref is not None else None
    else:
        d.period = comp.period
    if d.period is None:
        return None
    d.rule_name = "comparison_base"
    d.is_comparison = True
    return d


def years_back_from_figure(ctx: DocumentContext, s: Sentence | None, p: PeriodMention) -> int | None:
    """去年/上年 counted from the stated period of the figure before it, unless that period was
    itself counted from the publication date ('去年亏损X，前年为Y')."""
    back = years_back(p.text)
    if back is None or s is None:
        return None
    earlier = [x for x in ctx.sentence_periods(s) if x.end <= p.start]
    return None if any(is_relative_year(x.text) for x in earlier) else back


def same_metric_other_period(
    ctx: DocumentContext, item: Item, prev_end: int, decided: dict[int, Decision]
) -> Decision | None:
    """'2024年收入37.7亿元，2023年为34.1亿元': the previous figure's metric for another period."""
    previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
    if not previous:
        return None
    last = previous[-1]
    if last.rule.kind not in ("flow", "stock") or not compatible(last.rule, item):
        return None
    inside = [p for p in ctx.periods_from(prev_end) if p.end <= item.q.start]
    if len(inside) != 1 or inside[0].is_multi or inside[0].role not in ("period", "as_of"):
        return None
    p = inside[0]
    text = ctx.folded[prev_end : p.start] + "|" + ctx.folded[p.end : item.q.start]
    gap = OTHER_PERIOD_GAP.fullmatch(text)
    if not gap:
        return None
    negate = last.negate
    if gap.group("dir"):
        if last.rule.code not in GROWTH_METRICS and last.rule.kind != "flow":
            return None
        if last.rule.code in GROWTH_METRICS:
            # '营收同比下滑9.8%，2024年虽回升12.5%': the direction written for this period
            negate = gap.group("dir") in FALLING_GROWTH_WORDS
    period = p.period
    rule_name = "same_metric_other_period"
    back = years_back_from_figure(ctx, ctx.sentence_of(p.start), p)
    if back is not None:
        # '2024年净亏损X，上年为Y': the year before the previous figure's period
        period = year_before(last.period, p.period, back, False) if last.period else None
        if period is None:
            return None
        rule_name = "previous_year"
    return Decision(
        last.rule,
        rule_name,
        negate=negate,
        dimension=last.dimension,
        period=period,
    )


def changed_to(ctx: DocumentContext, item: Item, decided: dict[int, Decision]) -> Decision | None:
    """'毛利率由28.1%升至30.2%': the level a figure changed to has that figure's metric."""
    i = bisect.bisect_left(ctx.item_starts, item.q.start)
    source = change_source(ctx.folded, ctx.items, i)
    before = decided.get(source) if source is not None else None
    if before is None or before.rule is None or before.is_comparison:
        return None
    prev = ctx.items[source]
    if not FROM_WITH_PERIOD.search(ctx.folded, max(0, prev.q.start - 12), prev.q.start):
        return None
    return Decision(
        before.rule,
        "changed_to",
        negate=before.negate,
        dimension=before.dimension,
        company_id=before.company_id,
    )


def follow_on(
    ctx: DocumentContext, s: Sentence, item: Item, window: str, decided: dict[int, Decision]
) -> Decision | None:
    """Percentages that refer to the previous figure: '收入X，同比增长Y%' / '研发人员X人，占比Y%'."""
    previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
    if not previous or item.q.unit not in ("pct", "money"):
        return None
    last = previous[-1]
    metrics = ctx.lexicon.metrics
    if item.q.unit == "money":
        # '11家基石投资者合计认购29.8亿港元'
        subscribed = SUBSCRIBED.match(window) or SUBSCRIBED.match(
            ctx.without_names(item.q.start - len(window), item.q.start).replace(" ", "")
        )
        # '15名基石投资者，合共认购534.18万股(约合5.05亿港元)'
        clause = ctx.folded[clause_begin(ctx.folded, item.q.start, s.start) : item.q.start]
        # '17名基石投资者,包括A、B(01810)旗下C等,共认购5.62亿美元': the clause that subscribes
        subscribed = subscribed or SUBSCRIBED_SHARES_PAREN.match(clause) or SUBSCRIBED.match(clause)
        if last.rule.code == "cornerstone_count" and subscribed:
            return Decision(metrics["cornerstone_amount"], "amount_of_previous")
        return None
    growth = GROWTH_OF_PREVIOUS.match(window)
    if growth and last.rule.code == "revenue":
        revenue = next(d for d in reversed(previous) if d.rule.code == "revenue")
        negative = growth.group("dir") in FALLING_GROWTH_WORDS
        period = revenue.period
        i = bisect.bisect_left(ctx.item_starts, item.q.start)
        if i > 0 and period is not None and change_target(ctx.folded, ctx.items, i - 1) == i + 1:
            # '收益由X增加0.6%至Y': the growth of the year that reached Y
            period = shift_year(period, period.end.year + 1) or period
        return Decision(
            metrics["revenue_growth_yoy_pct"],
            "growth_of_previous",
            negate=negative,
            period=period,
            company_id=revenue.company_id,
        )
    if SHARE_OF_PREVIOUS.match(window):
        if last.rule.code == "revenue" and last.dimension:
            return Decision(metrics["revenue_share_pct"], "share_of_previous", dimension=last.dimension)
        if last.rule.code == "rd_headcount":
            return Decision(metrics["rd_headcount_share_pct"], "share_of_previous")
    return None


def price_move(ctx: DocumentContext, s: Sentence, item: Item, window: str) -> Decision | None:
    if item.q.unit != "pct":
        return None
    # searched in place: '较上市价58元低34.48%' reads the price before the window
    m = PRICE_MOVE.search(ctx.folded, item.q.start - len(window), item.q.start)
    if not m:
        return None
    before = ctx.folded[s.start : item.q.start]
    moment = nearest_moment(before)
    if moment not in ("at_open", "at_close", "first_day"):
        return None
    code = "opening_change_pct" if moment == "at_open" else "first_day_change_pct"
    negative = m.group("dir") in FALLING_PRICE_WORDS
    return Decision(ctx.lexicon.metrics[code], "price_move", negate=negative)
