"""Stage 5, company: whose figure it is (docs/conventions.md, company attribution).

The company named before the number in its sentence, else the subject when no other company is named;
investors named in the sentence are never the company of a figure, and an unknown company-like name
closer to the number leaves it unclassified.
"""

from __future__ import annotations

import bisect
from collections import Counter

from ingest.figures.context import DocumentContext
from ingest.figures.grammar import (
    COMPANY_LIKE,
    COMPANY_PEER_CUE,
    INVESTOR_AFTER,
    INVESTOR_LIST_AFTER,
    INVESTOR_LIST_BEFORE,
    INVESTOR_LIST_REACH,
    NO_COMPANY_REASONS,
    RANKED_ABOVE,
    SEGMENT_CUE,
    SEGMENT_REVENUE_AFTER,
    SENTENCE_ENDS,
    TOPIC_OPENING_CHARS,
    TOPIC_SENTENCES,
    TOPIC_VERB,
)
from ingest.figures.records import (
    Item,
)
from ingest.sentences import Sentence


def find_investors(ctx: DocumentContext, s: Sentence, in_sentence: list) -> set:
    """Mentions of investors in the sentence (腾讯领投, 美团旗下, 'A、B等9名基石投资者'): they are
    never the company of a figure. Computed once per sentence."""
    found = ctx.investor_cache.get(s.start)
    if found is None:
        found = ctx.investor_cache[s.start] = {
            m
            for m in in_sentence
            if INVESTOR_AFTER.match(ctx.folded, m.end)
            or INVESTOR_LIST_AFTER.match(ctx.folded, m.end, s.end)
            or in_investor_list(ctx, s, m.start)
        }
    return found


def in_investor_list(ctx: DocumentContext, s: Sentence, pos: int) -> bool:
    """Whether `pos` is inside a list of investors after its cue ('基石投资者,包括A、B及C')."""
    return after_investor_cue(ctx.folded[s.start : pos])


def after_investor_cue(before: str) -> bool:
    """Whether the words `before` a name end inside a list of investors after its cue."""
    return INVESTOR_LIST_BEFORE.search(before[-INVESTOR_LIST_REACH:]) is not None


def resolve_company(ctx: DocumentContext, s: Sentence, item: Item) -> tuple[str | None, str]:
    q = item.q
    in_sentence = ctx.sentence_mentions(s)
    investors = find_investors(ctx, s, in_sentence)
    # '仅次于腾讯的中国第二大游戏公司': the company ranked above is not the one the figure is about
    left = [
        m
        for m in in_sentence
        if m.end <= q.start and m not in investors and not RANKED_ABOVE.search(ctx.folded, s.start, m.start)
    ]
    # an unknown company name closer to the number than any known one ('同行芯途微电子收入…')
    tail_start = left[-1].end if left else s.start
    tail = ctx.without_names(tail_start, q.start)
    for m in COMPANY_LIKE.finditer(tail):
        tail_on = tail + ctx.folded[q.start : s.end]  # the words after the name may pass the number
        if (
            INVESTOR_AFTER.match(tail_on, m.end())
            or INVESTOR_LIST_AFTER.match(tail_on, m.end())
            or after_investor_cue(ctx.folded[s.start : tail_start] + tail[: m.start()])
        ):
            continue  # '京东旗下京东科技、GIC等9名基石投资者': an investor, not the figure's company
        by_segment = SEGMENT_CUE.search(ctx.folded, s.start, q.start) is not None
        from_segment = m.group("name").startswith("来自") or tail.endswith("来自", 0, m.start())
        if (by_segment or from_segment) and SEGMENT_REVENUE_AFTER.match(tail, m.end()):
            continue  # '按业务划分，金融科技收入占…': a segment named like a firm
        if not ctx.is_subject_name(m.group("name")):
            return None, "unknown_company"
    if left:
        return left[-1].company_id, ""
    if COMPANY_PEER_CUE.search(ctx.folded[s.start : q.start]):
        return None, "peer_company_unknown"
    others = [m for m in in_sentence if m.company_id not in ctx.subject_ids and m not in investors]
    if others:
        return None, "ambiguous_company"
    if not in_sentence:
        topic = paragraph_topic(ctx, s)
        if topic is not None:
            # '梅斯健康以每股9.1元下限定價…。香港公開發售部分…超額認購8.9倍': the paragraph's topic
            return topic, ""
    if len(ctx.subject_ids) == 1:
        return ctx.subject_ids[0], ""
    if not ctx.subject_ids:
        return None, "no_company"
    return None, "ambiguous_company"


def paragraph_topic(ctx: DocumentContext, s: Sentence) -> str | None:
    """The company a paragraph is about when another than the subject: the one that opens the
    nearest earlier sentence of the paragraph naming any company."""
    i = bisect.bisect_left(ctx.sentence_starts, s.start)
    for back in range(1, TOPIC_SENTENCES + 1):
        if i - back < 0 or ctx.sentences[i - back].paragraph != s.paragraph:
            return None
        earlier = ctx.sentences[i - back]
        mentions = ctx.sentence_mentions(earlier)
        if not mentions:
            continue
        first = mentions[0]
        opens = first.start - earlier.start <= TOPIC_OPENING_CHARS
        # a full sentence (not a bullet) in which the company acts in its offering ('X以每股9.1元定价')
        full = ctx.folded[earlier.end - 1 : earlier.end] in SENTENCE_ENDS
        acts = TOPIC_VERB.match(ctx.folded, first.end, earlier.end) is not None
        # (one of two subjects too: '遇见小面公开发售…。然而,该股今早开报5元')
        other = first.company_id not in ctx.subject_ids or len(ctx.subject_ids) > 1
        if opens and full and acts and other:
            return first.company_id
        return None
    return None


def likely_company(ctx: DocumentContext, s: Sentence, item: Item, reason: str) -> str:
    """Best guess for an unclassified number's company ('' for market-wide or contested ones)."""
    if reason in NO_COMPANY_REASONS:
        return ""
    company, _ = resolve_company(ctx, s, item)
    return company or ""


def fallback_subject(ctx: DocumentContext) -> list[str]:
    """Without a stated subject: the most-mentioned company, only when it clearly dominates."""
    counts = Counter(m.company_id for m in ctx.mentions)
    if not counts:
        return []
    ranked = counts.most_common(2)
    top, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return [top] if n >= 3 and n >= 2 * second else []
