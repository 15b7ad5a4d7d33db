"""Figure extraction: numbers in a document attached to metric, period, company and dimension.

The grammar is data-driven: numbers come from `ingest.numbers`, periods from `ingest.periods`,
metric keywords from `ingest/rules/metrics.yml`. The steps for each number, in order:

1. series: values after 分别为 are aligned with the period (or company) list they refer to;
   counts that differ → unclassified, never guessed;
2. rules that need the words after the number (use of proceeds '…用于X', '…的收入来自X',
   '11家基石投资者', '657名研发人员') and words that make a number not a company figure
   (shareholdings, acquisitions, market-wide totals);
3. the metric keyword nearest before the number between the previous number and this one,
   then follow-on rules (同比增长 after a revenue figure, 占比 after a headcount, a price move
   after a price), then the keyword nearest before in the whole sentence;
4. period, company and dimension from the sentence and the context carried across sentences.

Anything that is not confidently classified becomes an unclassified mention with a reason.
Honest over greedy: a value attached to the wrong metric or period is worse than a missing one.

Modules: this one selects the metric; `ingest.figure_resolve` finds period, company and dimension;
`ingest.figure_support` holds the working records, the fixed grammar words and pure helpers;
`ingest.lexicon` loads and validates the metric lexicon.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from ingest.companies import CompanyMatcher, CompanyMention
from ingest.figure_resolve import ContextResolver
from ingest.figure_support import (
    CONVERSION_CLOSE,
    CONVERSION_OPEN,
    FROM_BEFORE,
    FUTURE_WORDS,
    GROWTH_OF_PREVIOUS,
    HK_DOLLAR_METRICS,
    HK_PRICE_CONTEXT,
    ITEM_LIST,
    LIST_JOINER,
    LISTING_DAY,
    LISTING_DAY_METRICS,
    LISTING_EVENT,
    MONEY_SCALES,
    NEGATIVE_DIRECTION,
    OTHER_PERIOD_GAP,
    PER_SHARE_AFTER,
    PER_SHARE_BEFORE,
    PRICE_MOVE,
    PURPOSE_CUT,
    RANGE_PRICE_CONTEXT,
    RANK,
    RULES_BY_KIND,
    SERIES_GAP,
    SERIES_LEAD_GAP,
    SERIES_MARKER,
    SHARE_OF_PREVIOUS,
    SUBSCRIBED,
    THRESHOLD_AFTER,
    USE_OF_PROCEEDS_AFTER,
    USE_OF_PROCEEDS_CONTEXT,
    Context,
    Decision,
    Item,
    Out,
    Series,
    SpanIndex,
    clause_begin,
    clean_dimension,
    right_text,
    shift_year,
    stable_id,
    year_before,
)
from ingest.lexicon import Lexicon, MetricRule, load_lexicon
from ingest.numbers import Quantity, find_quantities, parse_number
from ingest.periods import (
    PeriodMention,
    find_periods,
    fy,
    is_relative_year,
    years_back,
)
from ingest.schema import SEED_SCHEMAS, empty_frame
from ingest.sentences import Sentence, no_figure_spans, split_sentences
from ingest.text import Document


@dataclass(frozen=True)
class FigureExtraction:
    figures: pl.DataFrame  # conform(..., "ingest_figures")
    unclassified: pl.DataFrame  # conform(..., "ingest_unclassified_mentions")
    implied_fx: pl.DataFrame  # conform(..., "ingest_implied_fx_rates")


_AS_OF_WORD = re.compile(r"截至|截止|于")
_NAME_JOINER = re.compile(r"\s*(?:、|,|，|和|及|以及|与)\s*")
_LEADING_PAREN = re.compile(r"^\s?\([^)]*\)")
# between a comparison period and its value: '较去年同期的', '上年同期为', '2023年录得'
_COMPARISON_TAIL = re.compile(r"\s?(?:同期)?(?:的|为|录得)?[^,，。;；\d]{0,8}?(?:为|录得|的)?\s?")

# ---------------------------------------------------------------------------------------------------
# The extractor


class _DocumentExtractor(ContextResolver):
    def __init__(self, doc: Document, matcher: CompanyMatcher, subject_ids: list[str], lexicon: Lexicon):
        self.doc = doc
        self.matcher = matcher
        self.folded = doc.folded
        self.text = doc.text
        self.lex = lexicon
        self.rules = list(lexicon.metrics.values())
        body = doc.body_start
        self.sentences = split_sentences(self.folded, body)
        self.sentence_starts = [s.start for s in self.sentences]
        masks = no_figure_spans(self.folded)
        self.periods = [p for p in find_periods(self.folded, doc.published_at) if p.start >= body]
        blocked = SpanIndex(masks + [(p.start, p.end) for p in self.periods])
        quantities = [
            q
            for q in find_quantities(self.folded)
            if q.start >= body and not blocked.overlaps(q.start, q.end)
        ]
        quantities += self._ranks(body)
        quantities.sort(key=lambda q: q.start)
        self.items = self._items(quantities)
        self.item_starts = [it.q.start for it in self.items]
        self.mentions = [m for m in matcher.find_mentions(self.folded) if m.start >= body]
        self.mention_starts = [m.start for m in self.mentions]
        self.name_spans = SpanIndex(
            [(m.start, m.end) for m in self.mentions] + [(p.start, p.end) for p in self.periods]
        )
        self.period_starts = [p.start for p in self.periods]
        self.subject_ids = list(subject_ids) or self._fallback_subject()
        self.doc_lists = [p for p in self.periods if p.role == "list"]
        self.out = Out()
        self.investor_cache = {}
        self.proceeds_sentences: dict[int, bool] = {}
        self.market_words: dict[tuple[int, int], bool] = {}  # (sentence start, patterns) -> any marker
        # opening / first-day prices only exist in an article about the listing day
        self.listing_day = bool(LISTING_DAY.search(self.folded, body))
        self.listing_date = self._listing_date()

    # -- setup ----------------------------------------------------------------------------------

    def _ranks(self, body: int) -> list[Quantity]:
        out = []
        for m in RANK.finditer(self.folded, body):
            n = m.group("n") or m.group("n2")
            try:
                value = parse_number(n)
            except ValueError:
                continue
            if not 1 <= value <= 100:
                continue
            out.append(Quantity(m.start(), m.end(), value, "rank", text=m.group(0)))
        return out

    def _items(self, quantities: list[Quantity]) -> list[Item]:
        items: list[Item] = []
        skip: set[int] = set()
        for i, q in enumerate(quantities):
            if i in skip:
                continue
            item = Item(q=q, currency=q.currency, end=q.end)
            nxt = quantities[i + 1] if i + 1 < len(quantities) else None
            if nxt is not None and CONVERSION_OPEN.match(self.folded[q.end : nxt.start]):
                close = CONVERSION_CLOSE.match(self.folded[nxt.end : nxt.end + 3])
                if close and q.unit == "money" and nxt.unit == "money" and nxt.currency != q.currency:
                    item.converted_value = nxt.value
                    item.converted_currency = nxt.currency
                    item.end = nxt.end + close.end()
                    skip.add(i + 1)
                elif close and nxt.unit == "money" and q.unit == "pct":
                    pass  # '70%(约29亿港元)': the amount is its own figure, tied to the percent
            item.per_share = bool(
                PER_SHARE_BEFORE.search(self.folded[max(0, q.start - 6) : q.start])
                or PER_SHARE_AFTER.match(self.folded[item.end : item.end + 3])
            )
            items.append(item)
        for i in range(1, len(items)):
            prev, cur = items[i - 1], items[i]
            if (
                prev.q.unit == "pct"
                and cur.q.unit == "money"
                and CONVERSION_OPEN.match(self.folded[prev.q.end : cur.q.start])
                and CONVERSION_CLOSE.match(self.folded[cur.q.end : cur.q.end + 3])
            ):
                cur.paren_of = i - 1
        return items

    def _listing_date(self) -> date | None:
        """The day the shares started trading, when a sentence states it ('昨日在港交所主板挂牌')."""
        for s in self.sentences:
            text = self.folded[s.start : s.end]
            if LISTING_EVENT.search(text) and not FUTURE_WORDS.search(text):
                days = [
                    p
                    for p in self._sentence_periods(s)
                    if p.role in ("date", "day", "as_of") and p.period.period_type == "AS_OF"
                ]
                if days:
                    return days[0].period.end
        return None

    def _fallback_subject(self) -> list[str]:
        """Without a stated subject: the most-mentioned company, only when it clearly dominates."""
        counts = Counter(m.company_id for m in self.mentions)
        if not counts:
            return []
        ranked = counts.most_common(2)
        top, n = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        return [top] if n >= 3 and n >= 2 * second else []

    # -- main loop ------------------------------------------------------------------------------

    def run(self) -> FigureExtraction:
        ctx = Context()
        by_sentence: dict[int, list[int]] = {}
        si = 0
        for idx, item in enumerate(self.items):
            while si < len(self.sentences) and self.sentences[si].end <= item.q.start:
                si += 1
            if si < len(self.sentences) and self.sentences[si].start <= item.q.start:
                by_sentence.setdefault(si, []).append(idx)
        for s_idx, sentence in enumerate(self.sentences):
            idxs = by_sentence.get(s_idx, [])
            if idxs:
                self._sentence(s_idx, sentence, idxs, ctx)
            self._update_context(s_idx, sentence, ctx)
        return FigureExtraction(
            figures=_frame(self.out.figures, "ingest_figures"),
            unclassified=_frame(self.out.unclassified, "ingest_unclassified_mentions"),
            implied_fx=_frame(self.out.fx, "ingest_implied_fx_rates"),
        )

    def _sentence_periods(self, s: Sentence) -> list[PeriodMention]:
        lo = bisect.bisect_left(self.period_starts, s.start)
        hi = bisect.bisect_left(self.period_starts, s.end)
        return self.periods[lo:hi]

    def _periods_from(self, pos: int) -> list[PeriodMention]:
        """Period mentions starting at or after `pos`, up to the end of its sentence."""
        lo = bisect.bisect_left(self.period_starts, pos)
        s = self._sentence_of(pos)
        hi = bisect.bisect_left(self.period_starts, s.end) if s is not None else len(self.periods)
        return self.periods[lo:hi]

    def _sentence_mentions(self, s: Sentence) -> list[CompanyMention]:
        lo = bisect.bisect_left(self.mention_starts, s.start)
        hi = bisect.bisect_left(self.mention_starts, s.end)
        return self.mentions[lo:hi]

    def _update_context(self, s_idx: int, s: Sentence, ctx: Context) -> None:
        if ctx.paragraph != s.paragraph:
            ctx.paragraph, ctx.paragraph_periods = s.paragraph, []
        for p in self._sentence_periods(s):
            if p.role in ("period", "list") and p.period.period_type != "AS_OF":
                ctx.paragraph_periods.extend(p.parts or (p.period,))
            if p.role == "list":
                ctx.period_list = p.parts
                ctx.period_list_paragraph = s.paragraph
            elif (
                p.role == "period"
                and ctx.period_list
                and s.paragraph == ctx.period_list_paragraph
                and p.period.start > ctx.period_list[-1].start
                and p.period.period_type != "AS_OF"
            ):
                # '2022年至2024年…；2025年前三季度…' in one paragraph: 同期 covers all of them
                ctx.period_list = ctx.period_list + (p.period,)
            if p.role in ("as_of",) or (
                p.role == "date" and _AS_OF_WORD.search(self.folded[p.start - 3 : p.start])
            ):
                ctx.last_as_of, ctx.last_as_of_sentence = p.period, s_idx
                ctx.last_as_of_paragraph = s.paragraph
        if not ctx.period_list:
            ctx.period_list = self._from_to_years(s)
            ctx.period_list_paragraph = s.paragraph
        if s.heading:
            ctx.last_flow_sentence = -10

    def _from_to_years(self, s: Sentence) -> tuple:
        """'收入由2016年的X增至2018年的Y' states the years the article covers (FY2016–FY2018), the
        span '三年累计' / '报告期内' refer to when no list of periods was given."""
        years = [
            p
            for p in self._sentence_periods(s)
            if p.role == "period" and p.period.period_type == "FY" and not p.is_multi
        ]
        if len(years) < 2 or not FROM_BEFORE.search(self.folded, max(0, years[0].start - 3), years[0].start):
            return ()
        first, last = years[0].period.end.year, years[-1].period.end.year
        return tuple(fy(y) for y in range(first, last + 1)) if first < last <= first + 15 else ()

    # -- per sentence ---------------------------------------------------------------------------

    def _sentence(self, s_idx: int, s: Sentence, idxs: list[int], ctx: Context) -> None:
        periods = self._sentence_periods(s)
        self._consumed: list[tuple[int, int]] = []  # keyword spans already used by an earlier number
        series = self._find_series(s, idxs, periods, ctx)
        decided: dict[int, Decision] = {}
        for pos, idx in enumerate(idxs):
            item = self.items[idx]
            prev_end = s.start
            if pos:
                previous = decided[idxs[pos - 1]]
                prev_end = self.items[idxs[pos - 1]].end
                if previous.rule_name == "keyword_after":
                    # '2.12亿名个人用户，覆盖200多个国家': the noun after a number belongs to that number
                    consumed_end = previous.keyword_start + len(previous.keyword)
                    prev_end = max(prev_end, consumed_end)
                    self._consumed.append((previous.keyword_start, consumed_end))
            decision = self._decide(s_idx, s, idx, item, prev_end, periods, series, decided, ctx)
            decided[idx] = decision
            self._emit(s, item, decision)
            if (
                decision.rule is not None
                and decision.period is not None
                and decision.rule.kind == "flow"
                and decision.period.period_type != "CUM"
                and not decision.is_comparison
                and decision.rule_name != "previous_year"  # '上年为Y' is a base, not the period in context
            ):
                ctx.last_flow, ctx.last_flow_sentence = decision.period, s_idx

    def _find_series(
        self, s: Sentence, idxs: list[int], periods: list[PeriodMention], ctx: Context
    ) -> list[Series]:
        out: list[Series] = []
        folded = self.folded
        for marker in SERIES_MARKER.finditer(folded, s.start, s.end):
            members: list[int] = []
            for idx in idxs:
                item = self.items[idx]
                if item.q.start < marker.end() or item.paren_of is not None:
                    continue
                if not members:
                    if not SERIES_LEAD_GAP.match(folded[marker.end() : item.q.start]):
                        break
                    members.append(idx)
                    continue
                last = self.items[members[-1]]
                if item.q.unit != "rank" and SERIES_GAP.match(folded[last.end : item.q.start]):
                    members.append(idx)
                else:
                    break
            if not members:
                continue
            if len(self._metric_list(s, marker.start())) < 2:
                # one metric: the series is the run of values of the first value's unit
                unit = self.items[members[0]].q.unit
                cut = next(
                    (i for i, idx in enumerate(members) if self.items[idx].q.unit != unit), len(members)
                )
                members = members[:cut]
            ser = Series(members=members, marker_start=marker.start(), approx="约" in marker.group(0))
            self._align_series(ser, s, periods, ctx)
            self._register_series(ser, out)
        for run in self._value_runs(idxs):
            # '2022年至2024年，收入为4.02亿元、3.95亿元及5.00亿元': a list without 分别, aligned only with
            # a period list stated earlier in the same sentence
            first = self.items[run[0]].q.start
            if not any(p.is_multi and p.end <= first and p.role == "list" for p in periods):
                continue
            ser = Series(members=run, marker_start=first)
            self._align_series(ser, s, periods, ctx)
            self._register_series(ser, out)
        return out

    def _register_series(self, ser: Series, out: list[Series]) -> None:
        for position, idx in enumerate(ser.members):
            self.items[idx].series = (len(out), position)
            self.items[idx].series_approx = ser.approx
        out.append(ser)

    def _value_runs(self, idxs: list[int]) -> list[list[int]]:
        """Runs of two or more numbers of one unit joined only by 、/和/及, not yet in a series."""
        runs: list[list[int]] = []
        run: list[int] = []
        for idx in idxs:
            item = self.items[idx]
            if item.series is not None or item.paren_of is not None or item.q.unit in ("", "rank"):
                run = []
                continue
            last = self.items[run[-1]] if run else None
            if (
                last is not None
                and item.q.unit == last.q.unit
                and SERIES_GAP.match(self.folded[last.end : item.q.start])
            ):
                run.append(idx)
            else:
                run = [idx]
                runs.append(run)
        return [r for r in runs if len(r) >= 2]

    def _align_series(self, ser: Series, s: Sentence, periods: list[PeriodMention], ctx: Context) -> None:
        n = len(ser.members)
        before = [m for m in self._sentence_mentions(s) if m.end <= ser.marker_start]
        metric_list = self._metric_list(s, ser.marker_start)
        if len(metric_list) >= 2:
            if len(metric_list) == n:
                ser.metrics = tuple(metric_list)
            else:
                ser.mismatch = True
            return
        company_list = self._company_list(before)
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
            parts = ctx.period_list
            if n > 1 and len(parts) != n:
                # '同期…分别为' with a later list of another length in between (a CAGR basis):
                # the last list of the document before the series with exactly n periods
                same_size = [p for p in self.doc_lists if p.end <= ser.marker_start and len(p.parts) == n]
                parts = same_size[-1].parts if same_size else parts
        if n == 1 and not parts:
            return
        # 'A业务、B业务和C业务的毛利率分别为…': the values belong to the items listed, not to periods
        list_end = multi[-1].end if multi else s.start
        clause = clause_begin(self.folded, ser.marker_start, s.start)
        items_text = self._without_names(max(list_end, clause), ser.marker_start)
        if n > 1 and ITEM_LIST.search(items_text):
            ser.mismatch, ser.reason = True, "series_of_items"
        elif len(parts) != n:
            ser.mismatch = True
        else:
            ser.periods = tuple(parts)

    def _metric_list(self, s: Sentence, marker_start: int) -> list[tuple[MetricRule, str, int]]:
        """Metric keywords joined by 和/及/、 right before 分别 ('营收和净利润分别为…')."""
        start = clause_begin(self.folded, marker_start, s.start)
        text = self.folded[start:marker_start]
        if not any(joiner in text for joiner in "、和及与"):
            return []  # a list of metrics needs a joining word (commas end the clause)
        hits = []
        for rule in self.rules:
            if rule.before_any is None or not rule.before_any.search(text):
                continue
            for pat in rule.before:
                hits += [(m.start(), -len(m.group(0)), m.end(), rule, m.group(0)) for m in pat.finditer(text)]
        hits = [(a + start, b, c + start, r, k) for a, b, c, r, k in hits]
        text = self.folded[: start + len(text)]
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

    def _company_list(self, mentions: list[CompanyMention]) -> list[str]:
        """The last run of company mentions joined only by separators (A、B和C)."""
        run: list[CompanyMention] = []
        for m in mentions:
            if run and _NAME_JOINER.fullmatch(self.folded[run[-1].end : m.start]):
                run.append(m)
            else:
                run = [m]
        ids = [m.company_id for m in run]
        return ids if len(set(ids)) == len(ids) else []

    # -- classification -------------------------------------------------------------------------

    def _decide(
        self,
        s_idx: int,
        s: Sentence,
        idx: int,
        item: Item,
        prev_end: int,
        periods: list[PeriodMention],
        series: list[Series],
        decided: dict[int, Decision],
        ctx: Context,
    ) -> Decision:
        q = item.q
        folded = self.folded
        item.currency = self._currency(item, s)
        if q.unit == "pp":
            return Decision(None, "", reason="change_in_points")
        if s.table:
            return Decision(None, "", reason="table_cell")
        ser = series[item.series[0]] if item.series else None
        if ser is not None and ser.metrics is not None and not ser.mismatch:
            rule, keyword, keyword_start = ser.metrics[item.series[1]]
            if not self._compatible(rule, item):
                return Decision(None, "", reason="series_unit_mismatch")
            negate = any(w in keyword for w in rule.negate)
            decision = Decision(
                rule, "series_of_metrics", keyword=keyword, keyword_start=keyword_start, negate=negate
            )
            self._finish(s_idx, s, item, decision, folded[prev_end : q.start], periods, None, decided, ctx)
            return decision
        if ser is not None and item.series[1] > 0:
            return self._series_member(ser, item, idx, decided)
        window = folded[prev_end : q.start]
        right = right_text(folded, item.end, 30, s.end)
        decision = self._metric(s, idx, item, window, prev_end, right, decided)
        if decision.rule is None:
            return decision
        if (
            decision.rule.code in HK_DOLLAR_METRICS
            and q.bare_yuan
            and item.currency == "CNY"
            and self.doc.language == "zh-Hant"
            and HK_PRICE_CONTEXT.search(self.folded, self.doc.body_start)
        ):
            # Hong Kong papers write a bare 元 for HK dollars; only per-share prices are settled by convention
            return Decision(None, "", reason="ambiguous_currency")
        if decision.rule.code in LISTING_DAY_METRICS:
            if not self.listing_day:
                return Decision(None, "", reason="not_listing_day")
            if "暗盘" in self.folded[s.start : q.start]:
                return Decision(None, "", reason="grey_market")
        if ser is not None:
            if ser.mismatch:
                return Decision(None, "", reason=ser.reason)
            decision.rule_name = f"series:{decision.rule_name}"
        self._finish(s_idx, s, item, decision, window, periods, ser, decided, ctx)
        return decision

    def _series_member(self, ser: Series, item: Item, idx: int, decided: dict[int, Decision]) -> Decision:
        head = decided.get(ser.members[0])
        if head is None or head.rule is None:
            return Decision(None, "", reason=head.reason if head else "series_head_unclassified")
        if ser.mismatch:
            return Decision(None, "", reason=ser.reason)
        position = item.series[1]
        d = replace(head, rule_name=head.rule_name)
        if ser.periods is not None:
            d.period = ser.periods[position]
        if ser.companies is not None:
            d.company_id = ser.companies[position]
        return d

    def _currency(self, item: Item, s: Sentence) -> str:
        q = item.q
        if (
            q.bare_yuan
            and self.doc.language == "zh-Hant"
            and abs(q.value) < 10_000
            and HK_PRICE_CONTEXT.search(self.folded[s.start : s.end])
        ):
            return "HKD"
        return q.currency

    def _compatible_rules(self, item: Item) -> list[MetricRule]:
        if item.compatible is None:
            q = item.q
            key = (q.unit, q.classifier, bool(q.currency), bool(q.scale_text), q.scale_text in MONEY_SCALES)
            by_unit = RULES_BY_KIND.get(key)
            if by_unit is None:
                by_unit = RULES_BY_KIND[key] = [r for r in self.rules if self._unit_fits(r, item)]
            value = abs(q.value)
            item.compatible = [
                r
                for r in by_unit
                if (r.min_value is None or value >= r.min_value)
                and (r.max_value is None or value <= r.max_value)
            ]
        return item.compatible

    def _compatible(self, rule: MetricRule, item: Item) -> bool:
        return self._unit_fits(rule, item) and self._value_fits(rule, item)

    @staticmethod
    def _value_fits(rule: MetricRule, item: Item) -> bool:
        value = abs(item.q.value)
        if rule.min_value is not None and value < rule.min_value:
            return False
        return rule.max_value is None or value <= rule.max_value

    @staticmethod
    def _unit_fits(rule: MetricRule, item: Item) -> bool:

        q = item.q
        if rule.unit == "money":
            ok = q.unit == "money" or (
                q.unit == "" and rule.table == "financials" and q.scale_text in MONEY_SCALES
            )
        elif rule.unit == "count":
            ok = (q.unit == "count" or (q.unit == "" and bool(q.scale_text))) and not q.currency
            # the counting word must fit the thing counted: 24家OEM are not 24 devices
            ok = ok and q.classifier in rule.classifiers
        else:
            ok = q.unit == rule.unit
        return ok

    def _best_keyword(
        self,
        rules: list[MetricRule],
        item: Item,
        window: str,
        window_start: int,
        sentence_text: str,
        extended: bool,
    ) -> tuple[MetricRule, re.Match] | None:
        best = None
        best_key = None
        for rule in self._compatible_rules(item):
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
                        self._gap_has_same_unit(item, window_start + m.end())
                        or any(
                            a < window_start + m.end() and window_start + m.start() < b
                            for a, b in self._consumed
                        )
                    ):
                        continue
                    key = (m.end(), m.end() - m.start())
                    if best_key is None or key > best_key:
                        best, best_key = (rule, m), key
        return best

    def _gap_has_same_unit(self, item: Item, gap_start: int) -> bool:
        """A keyword already used by an earlier number of the same kind does not reach this one."""
        for other in self.items[bisect.bisect_left(self.item_starts, gap_start) :]:
            o = other.q
            if o.start >= item.q.start:
                break
            if (
                o.start >= gap_start
                and o.unit == item.q.unit
                and other.paren_of is None
                and "至" not in (between := self.folded[o.end : item.q.start])
                and "到" not in between
            ):
                return True
        return False

    def _metric(
        self,
        s: Sentence,
        idx: int,
        item: Item,
        window: str,
        prev_end: int,
        right: str,
        decided: dict[int, Decision],
    ) -> Decision:
        q = item.q
        folded = self.folded
        sentence_text = folded[s.start : s.end]
        metrics = self.lex.metrics
        # use of proceeds: '募集资金净额的70%(约29亿港元)将用于X'
        if item.paren_of is not None:
            head = decided.get(item.paren_of)
            if head is not None and head.rule is not None and head.rule.code == "use_of_proceeds_pct":
                return Decision(
                    metrics["use_of_proceeds_amount"], "use_of_proceeds_paren", dimension=head.dimension
                )
        if q.unit in ("pct", "money") and self._proceeds_sentence(s):
            purpose = USE_OF_PROCEEDS_AFTER.match(_LEADING_PAREN.sub("", right))
            if purpose:
                value = clean_dimension(PURPOSE_CUT.split(purpose.group("purpose"))[0])
                if not value:
                    return Decision(None, "", reason="use_of_proceeds_without_purpose")
                code = "use_of_proceeds_pct" if q.unit == "pct" else "use_of_proceeds_amount"
                return Decision(metrics[code], "use_of_proceeds", dimension=f"purpose:{value}")
        if item.paren_of is not None:
            return Decision(None, "", reason="parenthetical_amount")
        if q.unit == "money" and THRESHOLD_AFTER.match(right):
            return Decision(None, "", reason="threshold")
        # words right after the number: '11家基石投资者', '600亿参数', '的发行价'
        after_hit = self._after_keyword(item, right, sentence_text)
        if after_hit is not None and q.low is None:
            return after_hit
        probe = window + q.text + right[:12]
        for reason, patterns in self.lex.not_figures.items():
            if reason == "market_wide":
                # market words count only when no company is named between them and the number
                if self._market_wide_before(s, q, prev_end, patterns):
                    return Decision(None, "", reason=reason)
            elif any(p.search(probe) for p in patterns):
                return Decision(None, "", reason=reason)
        if self._market_wide_before(s, q, s.start, self.lex.market_wide_sentence):
            return Decision(None, "", reason="market_wide")
        if q.unit == "rank":
            return Decision(metrics["market_rank"], "rank")
        # offer price range: '招股价区间为每股9.5港元至11.5港元'
        if q.low is not None:
            if (
                q.unit == "money"
                and RANGE_PRICE_CONTEXT.search(folded[s.start : q.start])
                and q.high < 100_000
            ):
                return Decision(metrics["offer_price_low"], "offer_price_range")
            return Decision(None, "", reason="range")
        comparison = self._comparison_base(s, item, window, prev_end, decided)
        if comparison is not None:
            return comparison
        follow = self._follow_on(s, item, window, decided) or self._same_metric_other_period(
            item, prev_end, decided
        )
        if follow is not None:
            return follow
        hit = self._best_keyword(self.rules, item, window, prev_end, sentence_text, extended=False)
        if hit is not None:
            return self._from_keyword(hit, prev_end, item, window)
        move = self._price_move(s, item, window)
        if move is not None:
            return move
        sentence_window = folded[s.start : q.start]
        hit = self._best_keyword(self.rules, item, sentence_window, s.start, sentence_text, extended=True)
        if hit is not None:
            rule, m = hit
            if rule.per_share and not item.per_share:
                return Decision(None, "", reason="price_without_per_share_context")
            d = self._from_keyword(hit, s.start, item, sentence_window)
            d.rule_name = "keyword_sentence"
            return d
        return Decision(None, "", reason="no_metric")

    def _proceeds_sentence(self, s: Sentence) -> bool:
        """Whether the sentence talks about raised money (募资, 所得款项 …); once per sentence."""
        if s.start not in self.proceeds_sentences:
            self.proceeds_sentences[s.start] = bool(
                USE_OF_PROCEEDS_CONTEXT.search(self.folded, s.start, s.end)
            )
        return self.proceeds_sentences[s.start]

    def _market_wide_before(self, s: Sentence, q: Quantity, start: int, patterns) -> bool:
        """A market-wide marker in folded[start:q] with no company named after it
        ('港股今年上半年共有30只新股上市，集资总额约180亿港元')."""
        key = (s.start, id(patterns))
        if key not in self.market_words:
            # a marker in part of the sentence is a marker in the whole sentence: most sentences have
            # none, and one search per sentence settles it for all their numbers
            self.market_words[key] = any(p.search(self.folded, s.start, s.end) for p in patterns)
        if not self.market_words[key]:
            return False
        before = self.folded[start : q.start]
        for pattern in patterns:
            for m in pattern.finditer(before):
                named = [c for c in self._sentence_mentions(s) if start + m.end() <= c.start < q.start]
                if not named:
                    return True
        return False

    def _from_keyword(self, hit, offset: int, item: Item, window: str) -> Decision:
        rule, m = hit
        keyword = m.group(0)
        negate = any(w in keyword for w in rule.negate)
        tail = window[m.end() :]
        if rule.negate and any(w in tail for w in NEGATIVE_DIRECTION):
            negate = any(w in tail for w in rule.negate) or negate
        return Decision(rule, "keyword", keyword=keyword, keyword_start=offset + m.start(), negate=negate)

    def _after_keyword(self, item: Item, right: str, sentence_text: str) -> Decision | None:
        """The keyword right after the number that ends first wins ('为发明专利' before '专利')."""
        best = None
        for rule in self._compatible_rules(item):
            if not rule.after:
                continue
            if rule.requires and not any(r.search(sentence_text) for r in rule.requires):
                continue
            for pat in rule.after:
                m = pat.search(right)
                if m and (
                    best is None or (m.end(), -len(m.group(0))) < (best[1].end(), -len(best[1].group(0)))
                ):
                    best = (rule, m)
        if best is None:
            return None
        rule, m = best
        return Decision(rule, "keyword_after", keyword=m.group(0), keyword_start=item.end + m.start())

    def _comparison_base(
        self, s: Sentence, item: Item, window: str, prev_end: int, decided: dict[int, Decision]
    ) -> Decision | None:
        """'较2023年的3.02亿美元' / '上年同期亏损1.92亿元': the base value of a comparison."""
        if item.q.unit not in ("money", "count"):
            return None
        comps = [
            p
            for p in self._periods_from(prev_end)
            if p.end <= item.q.start and p.role == "comparison" and p.parts
        ]
        if not comps:
            return None
        comp = comps[-1]
        tail = self.folded[comp.end : item.q.start]
        if not _COMPARISON_TAIL.fullmatch(tail):
            return None
        main = next(
            (
                d
                for d in decided.values()
                if d.rule is not None and not d.is_comparison and d.rule.unit == item.q.unit
            ),
            None,
        )
        hit = self._best_keyword(
            self.rules, item, tail, comp.end, self.folded[s.start : s.end], extended=False
        )
        if hit is not None:
            d = self._from_keyword(hit, comp.end, item, tail)
        elif main is not None:
            d = replace(main, keyword="", negate=main.negate)
        else:
            return None
        same_period = "同期" in self.folded[comp.start : comp.end + 2]
        ref = main.period if main is not None else None
        back = self._years_back_from_figure(s, comp)
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

    def _years_back_from_figure(self, s: Sentence | None, p: PeriodMention) -> int | None:
        """去年/上年 counted from the stated period of the figure before it, unless that period was
        itself counted from the publication date ('去年亏损X，前年为Y')."""
        back = years_back(p.text)
        if back is None or s is None:
            return None
        earlier = [x for x in self._sentence_periods(s) if x.end <= p.start]
        return None if any(is_relative_year(x.text) for x in earlier) else back

    def _sentence_of(self, pos: int) -> Sentence | None:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        return self.sentences[i] if i >= 0 and pos < self.sentences[i].end else None

    def _same_metric_other_period(
        self, item: Item, prev_end: int, decided: dict[int, Decision]
    ) -> Decision | None:
        """'2024年收入37.7亿元，2023年为34.1亿元': the previous figure's metric for another period."""
        previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
        if not previous:
            return None
        last = previous[-1]
        if last.rule.kind not in ("flow", "stock") or not self._compatible(last.rule, item):
            return None
        inside = [p for p in self._periods_from(prev_end) if p.end <= item.q.start]
        if len(inside) != 1 or inside[0].is_multi or inside[0].role not in ("period", "as_of"):
            return None
        p = inside[0]
        text = self.folded[prev_end : p.start] + "|" + self.folded[p.end : item.q.start]
        if not OTHER_PERIOD_GAP.fullmatch(text):
            return None
        period = p.period
        rule_name = "same_metric_other_period"
        back = self._years_back_from_figure(self._sentence_of(p.start), p)
        if back is not None:
            # '2024年净亏损X，上年为Y': the year before the previous figure's period
            period = year_before(last.period, p.period, back, False) if last.period else None
            if period is None:
                return None
            rule_name = "previous_year"
        return Decision(
            last.rule,
            rule_name,
            negate=last.negate,
            dimension=last.dimension,
            period=period,
        )

    def _follow_on(
        self, s: Sentence, item: Item, window: str, decided: dict[int, Decision]
    ) -> Decision | None:
        """Percentages that refer to the previous figure: '收入X，同比增长Y%' / '研发人员X人，占比Y%'."""
        previous = [d for d in decided.values() if d.rule is not None and not d.is_comparison]
        if not previous or item.q.unit not in ("pct", "money"):
            return None
        last = previous[-1]
        metrics = self.lex.metrics
        if item.q.unit == "money":
            # '11家基石投资者合计认购29.8亿港元'
            subscribed = SUBSCRIBED.match(window) or SUBSCRIBED.match(
                self._without_names(item.q.start - len(window), item.q.start).replace(" ", "")
            )
            if last.rule.code == "cornerstone_count" and subscribed:
                return Decision(metrics["cornerstone_amount"], "amount_of_previous")
            return None
        growth = GROWTH_OF_PREVIOUS.match(window)
        if growth and last.rule.code == "revenue":
            revenue = next(d for d in previous if d.rule.code == "revenue")
            negative = growth.group("dir") in ("下降", "减少", "下滑", "下跌")
            return Decision(
                metrics["revenue_growth_yoy_pct"],
                "growth_of_previous",
                negate=negative,
                period=revenue.period,
                company_id=revenue.company_id,
            )
        if SHARE_OF_PREVIOUS.match(window):
            if last.rule.code == "revenue" and last.dimension:
                return Decision(metrics["revenue_share_pct"], "share_of_previous", dimension=last.dimension)
            if last.rule.code == "rd_headcount":
                return Decision(metrics["rd_headcount_share_pct"], "share_of_previous")
        return None

    def _price_move(self, s: Sentence, item: Item, window: str) -> Decision | None:
        if item.q.unit != "pct":
            return None
        m = PRICE_MOVE.search(window)
        if not m:
            return None
        before = self.folded[s.start : item.q.start]
        moment = self._nearest_moment(before)
        if moment not in ("at_open", "at_close", "first_day"):
            return None
        code = "opening_change_pct" if moment == "at_open" else "first_day_change_pct"
        negative = m.group("dir") in ("下跌", "跌", "回落", "下挫", "下滑", "低开", "破发")
        return Decision(self.lex.metrics[code], "price_move", negate=negative)

    # -- period, company, dimension -------------------------------------------------------------

    def _finish(
        self,
        s_idx: int,
        s: Sentence,
        item: Item,
        d: Decision,
        window: str,
        periods: list[PeriodMention],
        ser: Series | None,
        decided: dict[int, Decision],
        ctx: Context,
    ) -> None:
        rule = d.rule
        if not d.dimension:
            d.dimension, problem = self._dimension(s, item, d, decided)
            if problem:
                d.rule, d.reason = None, problem
                return
        if d.company_id is None:
            if ser is not None and ser.companies is not None:
                d.company_id = ser.companies[0]
            else:
                d.company_id, problem = self._company(s, item)
                if d.company_id is None:
                    d.rule, d.reason = None, problem
                    return
        if d.period is None:
            if ser is not None and ser.periods is not None:
                d.period = ser.periods[0]
            else:
                d.period, problem = self._period(s_idx, s, item, rule, window, periods, ctx)
                if d.period is None:
                    d.rule, d.reason = None, problem

    # -- output ---------------------------------------------------------------------------------

    def _quote_span(self, s: Sentence, item: Item, d: Decision | None) -> tuple[int, int]:
        start = max(s.start, item.q.start - 100)
        if d is not None and 0 <= d.keyword_start < item.q.start:
            start = max(s.start, min(start, d.keyword_start))
        end = min(s.end, max(item.end, item.q.end) + 30)
        end = max(end, item.end)
        return start, end

    def _emit(self, s: Sentence, item: Item, d: Decision) -> None:
        q = item.q
        doc_id = self.doc.document_id
        value_text = self.text[q.start : q.end]
        if item.converted_value is not None and q.value:
            rate_date = d.period.end if d.rule is not None and d.period is not None else self.doc.published_at
            if d.rule is None or d.period is None or d.period.period_type != "AS_OF":
                rate_date = self.doc.published_at
            self.out.fx.append(
                {
                    "rate_date": rate_date,
                    "base_currency": item.currency,
                    "quote_currency": item.converted_currency,
                    "rate": round(item.converted_value / q.value, 6),
                    "source": f"implied:{doc_id}",
                    "document_id": doc_id,
                    "quote": self.text[q.start : item.end],
                }
            )
        start, end = self._quote_span(s, item, d)
        if d.rule is None:
            self.out.unclassified.append(
                {
                    "mention_id": stable_id(doc_id, q.start, q.end, "unclassified"),
                    "document_id": doc_id,
                    "company_id": d.company_id or self._likely_company(s, item, d.reason),
                    "value": q.value,
                    "unit": self._out_unit(q.unit, item.currency),
                    "currency": item.currency,
                    "value_text": value_text,
                    "char_start": start,
                    "char_end": end,
                    "quote": self.text[start:end],
                    "reason": d.reason or "no_metric",
                }
            )
            return
        rule = d.rule
        rows = []
        if q.low is not None and rule.code == "offer_price_low":
            high_rule = self.lex.metrics["offer_price_high"]
            rows = [(rule, q.low), (high_rule, q.high)]
        else:
            rows = [(rule, q.value)]
        for r, value in rows:
            if d.negate:
                value = -abs(value)
            converted = item.converted_value
            if converted is not None and d.negate:
                converted = -abs(converted)
            qualifier = q.qualifier
            if qualifier == "exact" and item.series_approx:
                qualifier = "approx"
            period = d.period
            self.out.figures.append(
                {
                    "figure_id": stable_id(doc_id, q.start, r.code, d.dimension, period.label),
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
                    or self._out_unit(q.unit if r.unit != "money" else "money", item.currency or "CNY"),
                    "currency": (item.currency or "CNY") if r.unit == "money" else "",
                    "qualifier": qualifier,
                    "value_text": value_text,
                    "char_start": start,
                    "char_end": end,
                    "quote": self.text[start:end],
                    "converted_value": converted,
                    "converted_currency": item.converted_currency or None,
                    "rule": d.rule_name,
                }
            )

    @staticmethod
    def _out_unit(unit: str, currency: str) -> str:
        if unit == "money":
            return currency or "CNY"
        return unit or "count"


_EMPTY: dict[str, pl.DataFrame] = {}


def _frame(rows: list[dict], name: str) -> pl.DataFrame:
    """Rows built with exactly the seed's columns, typed by the schema (cheaper than conform)."""
    if not rows:
        # building an empty frame costs as much as a full one: build it once (clones are cheap)
        if name not in _EMPTY:
            _EMPTY[name] = empty_frame(name)
        return _EMPTY[name].clone()
    return pl.DataFrame(rows, schema=SEED_SCHEMAS[name])


def extract_figures(doc: Document, matcher: CompanyMatcher, subject_ids: list[str]) -> FigureExtraction:
    """Figures, unclassified numbers and implied FX rates of one document."""
    return _DocumentExtractor(doc, matcher, subject_ids, load_lexicon()).run()
