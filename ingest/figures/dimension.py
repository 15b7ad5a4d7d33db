"""Stage 6, dimension: the segment, purpose, round, market, model, kind of customer or moment of a
figure (docs/conventions.md, dimensions).
"""

from __future__ import annotations

import re

from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    CLOSE_WORDS,
    CUSTOMER_KIND_BEFORE,
    DOTTED_PRODUCT,
    DOTTED_PRODUCT_START,
    EXCHANGES,
    FIRST_DAY_WORDS,
    GENERIC_MARKETS,
    GENERIC_SEGMENTS,
    GROWTH_AFTER_LEVEL,
    INTRADAY,
    LATIN_CJK_SPACE,
    LATIN_LATIN_SPACE,
    LEADING_COPULA,
    MODEL_LATIN,
    MODEL_QUOTED,
    NUMBERING_AND_YEARS,
    OPEN_WORDS,
    OPENING_TIMES,
    PARENS,
    PARTNER_WORDS,
    PRONOUN_START,
    RANK,
    RANK_MARKET,
    RANK_MARKET_AFTER,
    RANK_MARKET_TRAIL,
    REGION_WORDS,
    REVENUE_FROM,
    REVENUE_WORD_END,
    ROUND,
    SEGMENT_CLAUSE_BEFORE,
    SEGMENT_CUE,
    SEGMENT_NOUN,
    SEGMENT_PRONOUN,
    SEGMENT_SOURCE_BEFORE,
    SEGMENT_SUFFIX,
    SEGMENT_TAIL_WORDS,
    SEGMENT_WORD_END,
    SHARE_AFTER_LEVEL,
)
from ingest.figures.records import (
    Decision,
    Item,
    clause_begin,
    clean_dimension,
    region_or_segment,
    right_text,
)
from ingest.periods import (
    CUM_MARKER,
)
from ingest.sentences import Sentence


def nearest_moment(before: str) -> str:
    best, best_pos = "", -1
    # intraday first: '中午收市' ends where '收市' does and must win the tie
    for pattern, name in (
        (INTRADAY, "intraday"),
        (OPEN_WORDS, "at_open"),
        (CLOSE_WORDS, "at_close"),
        (FIRST_DAY_WORDS, "first_day"),
    ):
        for m in pattern.finditer(before):
            if m.end() > best_pos:
                best_pos = m.end()
                if name == "intraday" and m.group("h"):
                    best = f"intraday@{int(m.group('h')):02d}:{int(m.group('m')):02d}"
                    if best[-5:] in OPENING_TIMES:
                        best = "at_open"  # '9时30分…股价12港元': the opening price
                else:
                    best = name
    return best


def resolve_dimension(
    ctx: DocumentContext, s: Sentence, item: Item, d: Decision, decided: dict[int, Decision]
) -> tuple[str, str]:
    rule = d.rule
    kind = rule.dimension
    folded = ctx.folded
    q = item.q
    before = folded[s.start : q.start]
    right = right_text(folded, item.end, 40, s.end)
    if kind == "moment":
        return nearest_moment(before), ""
    if kind == "round":
        rounds = list(ROUND.finditer(before))
        if not rounds and "投后" not in d.keyword:
            # an IPO valuation or a market value ('估值达220亿元') is no post-money valuation of a round
            return "", "valuation_without_round"
        if not rounds:
            return "", ""  # '新一轮融资，投后估值达到300亿元': post-money, the round unnamed
        return f"round:{rounds[-1].group('r')}", ""
    if kind == "exchange":
        best, pos = "", -1
        for pattern, code in EXCHANGES:
            for m in pattern.finditer(folded, s.start, min(s.end, item.end + 20)):
                if m.start() > pos:
                    best, pos = code, m.start()
        return (f"exchange:{best}" if best else ""), ""
    if kind == "market":
        return rank_market(ctx, s, q)
    if kind == "model":
        near_before = folded[max(s.start, q.start - 30) : q.start]
        quoted = list(MODEL_QUOTED.finditer(near_before))
        after_quoted = MODEL_QUOTED.search(right[:16])
        if after_quoted:
            return f"model:{after_quoted.group('m')}", ""
        if quoted:
            return f"model:{quoted[-1].group('m')}", ""
        latin = list(MODEL_LATIN.finditer(near_before))
        return (f"model:{latin[-1].group('m')}" if latin else ""), ""
    if kind == "customer_kind":
        return customer_kind(ctx, s, item, d), ""
    if kind == "retention_segment":
        end = d.keyword_start if d.keyword_start > 0 else q.start
        segs = list(SEGMENT_NOUN.finditer(ctx.without_names(s.start, end).replace(" ", "，")))
        if segs:
            value = clean_dimension(segs[-1].group("s"))
            return (f"segment:{value}" if value else ""), ""
        return "", ""
    if kind == "revenue_segment":
        return revenue_segment(ctx, s, item, d, decided, right)
    return "", ""


def customer_kind(ctx: DocumentContext, s: Sentence, item: Item, d: Decision) -> str:
    if d.rule_name == "keyword_after":
        value = LEADING_COPULA.sub("", d.keyword)
        value = clean_dimension(value)
    else:
        start = d.keyword_start if d.keyword_start >= 0 else item.q.start
        clause_start = clause_begin(ctx.folded, start, s.start)
        m = CUSTOMER_KIND_BEFORE.search(ctx.without_names(clause_start, start + len(d.keyword)))
        value = clean_dimension(m.group("k").split(" ")[-1]) + m.group("noun") if m else ""
    value = PARTNER_WORDS.sub("", value.split("的")[-1])
    return "" if value in ("", "客户", "用户") else f"kind:{value}"


def segment_of_revenue_before(
    ctx: DocumentContext, s: Sentence, item: Item, decided: dict[int, Decision], code: str
) -> str:
    """The segment of the revenue figure right before a growth rate or a share of revenue in its
    sentence ('实现收入约7.98亿元,按年增长约45.1%,在集团收入占比达到57.5%'), '' when none."""
    if code not in ("revenue_growth_yoy_pct", "revenue_share_pct"):
        return ""
    before = [
        (idx, d)
        for idx, d in decided.items()
        if d.rule is not None and s.start <= ctx.items[idx].q.start < item.q.start
    ]
    if not before:
        return ""
    idx, d = max(before, key=lambda x: ctx.items[x[0]].q.start)
    if d.rule.code not in ("revenue", "revenue_growth_yoy_pct") or not d.dimension.startswith("segment:"):
        return ""
    gap = GROWTH_AFTER_LEVEL if code == "revenue_growth_yoy_pct" else SHARE_AFTER_LEVEL
    return d.dimension if gap.fullmatch(ctx.folded, ctx.items[idx].end, item.q.start) else ""


def rank_market(ctx: DocumentContext, s: Sentence, q) -> tuple[str, str]:
    """The market of a rank: in the rank's own words ('中国第三大…服务商'), else in its clause."""
    m = RANK.fullmatch(q.text)
    if m and (m.group("mk") or m.group("mk4")):
        region = m.group("region") or m.group("region4") or ""
        market = f"{region}{m.group('mk') or m.group('mk4')}"
    elif m and (m.group("mk3") or m.group("mk6")):
        market = clean_dimension(m.group("mk3") or m.group("mk6"))
    else:
        market = market_in_words(ctx, s, q)
    market = RANK_MARKET_TRAIL.sub("", market)
    if market and (ctx.is_subject_name(market.split("的")[0]) or market in GENERIC_MARKETS):
        market = ""  # '云工场的市场排名第2', '港股市场第二': no market named
    return (f"market:{market}", "") if market else ("", "rank_without_market")


def market_in_words(ctx: DocumentContext, s: Sentence, q) -> str:
    """'在中国AI解决方案市场中排名第二': the market named in the clause before a rank, or after it."""
    folded = ctx.folded
    clause_start = clause_begin(folded, q.start, s.start)
    previous_clause = clause_begin(folded, max(s.start, clause_start - 1), s.start)
    mm = RANK_MARKET.search(folded[clause_start : q.start]) or RANK_MARKET.search(
        folded[previous_clause : q.start]
    )
    market = clean_dimension(mm.group("m") or mm.group("m2")) if mm else ""
    after = RANK_MARKET_AFTER.match(folded, q.end, s.end)
    if not market and after:
        market = clean_dimension(after.group("m") + after.group(0)[after.end("m") - after.start() :])
    return market


def revenue_segment(
    ctx: DocumentContext, s: Sentence, item: Item, d: Decision, decided: dict[int, Decision], right: str
) -> tuple[str, str]:
    folded = ctx.folded
    rule = d.rule
    source = REVENUE_FROM.match(right)
    if source:
        return region_or_segment(clean_dimension(source.group("d"))), ""
    q = item.q
    anchor = d.keyword_start if 0 <= d.keyword_start < q.start else q.start
    clause_start = clause_begin(folded, anchor, s.start)
    if PRONOUN_START.match(folded, clause_start, anchor) and clause_start > s.start:
        # '机器人整机业务是主要增长引擎,其收入占比…': 其 is the segment the clause before names
        before = clause_begin(folded, clause_start - 1, s.start)
        named = SEGMENT_NOUN.match(ctx.without_names(before, clause_start - 1))
        if named:
            return region_or_segment(clean_dimension(named.group("s"))), ""
    dotted = DOTTED_PRODUCT.search(folded, clause_start, anchor)
    if dotted is not None:
        return region_or_segment(dotted.group("n")), ""
    raw = ctx.without_names(clause_start, anchor)
    raw = CUM_MARKER.sub(" ", PARENS.sub("", raw))
    raw = NUMBERING_AND_YEARS.sub(" ", raw)
    raw = LATIN_CJK_SPACE.sub("", raw)  # 'AI 相关收入': Taiwan papers space Latin words off
    # '云端部署贡献了公司不足89.2%的收入' / '金融科技收入占…': words around the segment name
    raw = SEGMENT_TAIL_WORDS.sub("", raw)
    raw = REVENUE_WORD_END.sub("", raw)
    raw = LATIN_LATIN_SPACE.sub("\x00", raw)  # 'FT Ultra' stays one name
    value = clean_dimension(raw.split(" ")[-1].replace("\x00", " ") if raw.strip() else "")
    if SEGMENT_PRONOUN.match(value):
        source = (
            SEGMENT_SOURCE_BEFORE.search(ctx.without_names(s.start, clause_start - 1))
            if clause_start > s.start
            else None
        )
        if source is None:
            return "", "unknown_subject"
        value = clean_dimension(source.group("s"))
    looks_like_segment = SEGMENT_SUFFIX.search(value) or REGION_WORDS.search(value)
    value = SEGMENT_WORD_END.sub("", value) if len(value) > 3 else value
    if value in GENERIC_SEGMENTS:
        value = ""  # '产品收入净额': the company's revenue, not a segment's
    if GROWTH_AFTER_LEVEL.fullmatch(value):
        value = ""  # '按年增长约45.1%': the growth words, not a segment
    if len(value) < 2 and clause_start > s.start:
        before = clause_begin(folded, clause_start - 1, s.start)
        opened = SEGMENT_CLAUSE_BEFORE.match(ctx.without_names(before, clause_start - 1))
        if opened:
            return region_or_segment(clean_dimension(opened.group("s"))), ""
        product = DOTTED_PRODUCT_START.match(folded, before, clause_start - 1)
        if product:  # '金蝶云·星空在新基建领域取得突破,实现收入5.01亿元'
            return region_or_segment(product.group("n")), ""
    # digits in a segment name only after a Latin letter ('L2+智驾方案', '5G模组'), never a year
    if len(value) < 2 or re.search(r"(?<![A-Za-z])\d", value):
        inherited = segment_of_revenue_before(ctx, s, item, decided, rule.code)
        if inherited or rule.code == "revenue_growth_yoy_pct":
            return inherited, ""
        if rule.code == "revenue_share_pct":
            return "", "share_without_segment"
        return "", ""
    cue = SEGMENT_CUE.search(folded[max(0, s.start - 60) : anchor])
    if ctx.is_subject_name(value):
        return "", ""
    if not (cue or looks_like_segment):
        if rule.code == "revenue":
            return "", "unknown_subject"
        if rule.code == "revenue_growth_yoy_pct":
            # '线上广告收入下滑至153亿元,同比下降18%': the growth of the segment revenue just before;
            # '营收同比增长12%': the company's
            return segment_of_revenue_before(ctx, s, item, decided, rule.code), ""
    return region_or_segment(value), ""
