"""Period, company and dimension of a classified number (mixed into the figure extractor).

`ContextResolver` works on the state the extractor builds for one document: `doc`, `folded`,
`periods`, `mentions`, `matcher`, `subject_ids`, `doc_lists`, `name_spans` and the per-sentence
lookups `_sentence_mentions`. Each resolver returns a value, or None with the reason the number
is left unclassified.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from ingest.figure_support import (
    CLOSE_WORDS,
    COMPANY_LIKE,
    COMPANY_PEER_CUE,
    CUSTOMER_KIND_BEFORE,
    EXCHANGES,
    FIRST_DAY_WORDS,
    FLOW_FALLBACK_SENTENCES,
    FOUNDING_BEFORE,
    FROM_BEFORE,
    INTRADAY,
    INVESTOR_AFTER,
    INVESTOR_LIST_AFTER,
    MODEL_LATIN,
    MODEL_QUOTED,
    NO_COMPANY_REASONS,
    OPEN_WORDS,
    PARTNER_WORDS,
    PERIOD_END_WORDS,
    RANK,
    RANK_MARKET,
    REGION_WORDS,
    ROUND,
    SEGMENT_CUE,
    SEGMENT_NOUN,
    SEGMENT_REVENUE_AFTER,
    SEGMENT_SUFFIX,
    SHARE_OVER_SPAN,
    TO_BETWEEN,
    TRACK_RECORD,
    Context,
    Decision,
    Item,
    clause_begin,
    clean_dimension,
    region_or_segment,
    right_text,
    years_in,
)
from ingest.lexicon import MetricRule
from ingest.periods import CUM_MARKER, Period, PeriodMention, as_of, cumulative, fy
from ingest.sentences import Sentence

_SPACES = re.compile(r" +")
_LEADING_COPULA = re.compile(r"^(?:为|是|的)")
_REVENUE_FROM = re.compile(r"的?(?:总|整体)?(?:收入|营收|收益)来自(?P<d>[^,，。;；:：]{1,20})")
_PARENS = re.compile(r"\([^)]*\)")
_NUMBERING_AND_YEARS = re.compile(r"^[一二三四五六七八九十]+、|[一二三四五六七八九十两\d]+个?年半?")
_REVENUE_WORD_END = re.compile(r"(?<=..)的?(?:收入|营收|收益)$")
_SEGMENT_WORD_END = re.compile(r"(?:业务|板块|分部)$")
# '云端部署贡献了公司不足89.2%的收入': words between a segment name and the number
SEGMENT_TAIL_WORDS = re.compile(
    r"(?:贡献了?|大约|约|超过|超|近|达到?|为|占|了|不足|不到|少于|突破|逾|接近|不少于|公司|该公司|集团|\s)+$"
)


class ContextResolver:
    """Period, company and dimension resolution for `ingest.figures._DocumentExtractor`."""

    investor_cache: dict  # sentence start -> investor mentions (set up by the extractor)

    def _nearest_moment(self, before: str) -> str:
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
                    else:
                        best = name
        return best

    def _period(
        self,
        s_idx: int,
        s: Sentence,
        item: Item,
        rule: MetricRule,
        window: str,
        periods: list[PeriodMention],
        ctx: Context,
    ) -> tuple[Period | None, str]:
        q = item.q
        usable = [p for p in periods if p.end <= q.start and p.role not in ("comparison", "same_period")]
        if rule.kind == "offering":
            # offering figures: the date stated in the sentence, else the listing date, else publication
            dated = [p for p in usable if p.period.period_type in ("AS_OF", "M") and not p.is_multi]
            if dated:
                return dated[-1].period, ""
            return as_of(self.listing_date or self.doc.published_at), ""
        usable = [p for p in usable if p.role != "day"]  # 今日/昨日 date events, not reporting periods
        if rule.kind == "stock":
            # a founding date (成立于2019年6月) is never the date of a count
            usable = [
                p for p in usable if not FOUNDING_BEFORE.search(self.folded[max(0, p.start - 4) : p.start])
            ]
            as_of_mentions = [p for p in usable if p.role == "as_of"]
            # a rank is 'by 2024 revenue' for the whole sentence; other counts need a date next to them
            reach = s.start if rule.code == "market_rank" else q.start - len(window)
            local = [p for p in usable if not p.is_multi and p.start >= reach]
            if as_of_mentions:
                return as_of_mentions[-1].period, ""
            if local:
                return local[-1].period, ""
            if any(p.is_multi for p in usable):
                return None, "ambiguous_period"
            if (
                ctx.last_as_of is not None
                and s_idx - ctx.last_as_of_sentence <= 2
                and ctx.last_as_of_paragraph == s.paragraph
            ):
                return ctx.last_as_of, ""
            if PERIOD_END_WORDS.search(window):
                # '年末现金…' after '2024年…': the end of the reporting period in context
                reported = [p.period for p in usable if p.period.period_type != "AS_OF" and not p.is_multi]
                candidates = reported or (ctx.paragraph_periods if ctx.paragraph == s.paragraph else [])
                if not candidates:
                    return None, "no_period"
                return as_of(max(p.end for p in candidates)), ""
            return as_of(self.doc.published_at), ""
        before = self.folded[s.start : q.start]
        in_window = [p for p in usable if p.start >= q.start - len(window)]
        if rule.kind == "cagr":
            lists = [p for p in usable if p.is_multi]
            years = sorted({p.period.start.year for p in usable if p.period.period_type == "FY"})
            if lists:
                parts = lists[-1].parts
            elif len(years) >= 2:
                # '收入由2022年的X增至2024年的Y，复合年增长率为Z%': the span of the years named
                parts = tuple(fy(y) for y in range(years[0], years[-1] + 1))
            else:
                parts = ctx.period_list
            return (cumulative(parts), "") if len(parts) > 1 else (None, "cagr_without_periods")
        cum_window = CUM_MARKER.search(window)
        cum_sentence = [m for m in CUM_MARKER.finditer(before)]
        if cum_window or (
            cum_sentence and not [p for p in usable if p.start >= s.start + cum_sentence[-1].end()]
        ):
            marker = cum_window.group(0) if cum_window else cum_sentence[-1].group(0)
            counted = [m.group(0) for m in cum_sentence if years_in(m.group(0))]
            if years_in(marker) is None and counted:
                marker = counted[-1]  # '三年零九个月内…收入X，累计亏损Y': the span named earlier
            lists = [p for p in usable if p.is_multi]
            parts = lists[-1].parts if lists else ctx.period_list
            if not parts or (not lists and not self._fits_marker(marker, parts)):
                # '过去三年半' after a list of three years: the document's list of 3 years and a half
                parts = self._doc_list_for(marker, q.start) or parts
            if not lists and TRACK_RECORD.search(marker):
                # '报告期内': the whole track record, the longest list stated so far (not a CAGR basis)
                # (a list stated later in the article when none came before)
                earlier = [p.parts for p in self.doc_lists if p.end <= q.start]
                anywhere = [p.parts for p in self.doc_lists]
                parts = max(earlier or anywhere, key=lambda x: (x[-1].end, len(x)), default=parts)
            if len(parts) > 1:
                return cumulative(parts), ""
            return None, "cumulative_without_periods"
        if in_window:
            p = in_window[-1]
            if p.is_multi:
                return self._first_or_last(item, rule, p.parts)
            if p.period.period_type == "AS_OF":
                return None, "point_in_time_for_flow"  # a date is not the period of a revenue or a loss
            return p.period, ""
        if usable:
            p = usable[-1]
            if p.is_multi:
                return self._first_or_last(item, rule, p.parts)
            if p.period.period_type == "AS_OF" and rule.kind == "flow":
                return None, "point_in_time_for_flow"
            return p.period, ""
        if any(p.role == "same_period" and p.start < q.start for p in periods):
            parts = ctx.period_list
            if len(parts) == 1:
                return parts[0], ""
            if len(parts) > 1 and rule.unit == "pct":
                return cumulative(parts), ""
            return None, "ambiguous_period"
        # carry the period of the last reported figure over a few sentences (never into a heading)
        if (
            ctx.last_flow is not None
            and not s.heading
            and s_idx - ctx.last_flow_sentence <= FLOW_FALLBACK_SENTENCES
        ):
            return ctx.last_flow, ""
        return None, "no_period"

    def _first_or_last(
        self, item: Item, rule: MetricRule, parts: tuple[Period, ...]
    ) -> tuple[Period | None, str]:
        """'2016年至2018年，收入从X提升至Y': X is the first period of the list, Y the last.
        '2019年至2021年，公司50.2%的收入来自云端部署': a share of the whole span (CUM)."""
        q = item.q
        if len({p.period_type for p in parts}) == 1:
            if FROM_BEFORE.search(self.folded, max(0, q.start - 6), q.start):
                return parts[0], ""
            i = bisect.bisect_left(self.item_starts, q.start) - 1
            if i >= 0:
                prev = self.items[i].q
                if FROM_BEFORE.search(
                    self.folded, max(0, prev.start - 6), prev.start
                ) and TO_BETWEEN.fullmatch(self.folded, self.items[i].end, q.start):
                    return parts[-1], ""
        if rule.code in SHARE_OVER_SPAN:
            return cumulative(parts), ""
        return None, "ambiguous_period"

    @staticmethod
    def _fits_marker(marker: str, parts: tuple[Period, ...]) -> bool:
        """Whether 'N年(半)' in the marker describes `parts` (True when it names no count)."""
        years = years_in(marker)
        if years is None:
            return True
        n, has_half = years
        fys = [x for x in parts if x.period_type == "FY"]
        halves = [x for x in parts if x.period_type in ("H1", "9M", "Q1", "Q3")]
        return len(fys) == n and bool(halves) == has_half

    def _doc_list_for(self, marker: str, before: int | None = None) -> tuple[Period, ...]:
        """'三年累计' / '三年半' without a fitting list in context: the document's last list before
        the number with that many fiscal years (and a part-year when it says 半), else its first."""
        if years_in(marker) is None:
            return ()
        fitting = [p for p in self.doc_lists if self._fits_marker(marker, p.parts)]
        earlier = [p for p in fitting if before is not None and p.end <= before]
        chosen = earlier[-1] if earlier else (fitting[0] if fitting else None)
        return chosen.parts if chosen is not None else ()

    def _investors(self, s: Sentence, in_sentence: list) -> set:
        """Mentions of investors in the sentence (腾讯领投, 美团旗下, 'A、B等9名基石投资者'): they are
        never the company of a figure. Computed once per sentence."""
        found = self.investor_cache.get(s.start)
        if found is None:
            found = self.investor_cache[s.start] = {
                m
                for m in in_sentence
                if INVESTOR_AFTER.match(self.folded, m.end)
                or INVESTOR_LIST_AFTER.match(self.folded, m.end, s.end)
            }
        return found

    def _company(self, s: Sentence, item: Item) -> tuple[str | None, str]:
        q = item.q
        in_sentence = self._sentence_mentions(s)
        investors = self._investors(s, in_sentence)
        left = [m for m in in_sentence if m.end <= q.start and m not in investors]
        # an unknown company name closer to the number than any known one ('同行芯途微电子收入…')
        tail_start = left[-1].end if left else s.start
        tail = self._without_names(tail_start, q.start)
        for m in COMPANY_LIKE.finditer(tail):
            tail_on = tail + self.folded[q.start : s.end]  # the words after the name may pass the number
            if INVESTOR_AFTER.match(tail_on, m.end()) or INVESTOR_LIST_AFTER.match(tail_on, m.end()):
                continue  # '京东旗下京东科技、GIC等9名基石投资者': an investor, not the figure's company
            by_segment = SEGMENT_CUE.search(self.folded, s.start, q.start) is not None
            from_segment = m.group("name").startswith("来自") or tail.endswith("来自", 0, m.start())
            if (by_segment or from_segment) and SEGMENT_REVENUE_AFTER.match(tail, m.end()):
                continue  # '按业务划分，金融科技收入占…': a segment named like a firm
            if not self._is_subject_name(m.group("name")):
                return None, "unknown_company"
        if left:
            return left[-1].company_id, ""
        if COMPANY_PEER_CUE.search(self.folded[s.start : q.start]):
            return None, "peer_company_unknown"
        others = [m for m in in_sentence if m.company_id not in self.subject_ids and m not in investors]
        if others:
            return None, "ambiguous_company"
        if len(self.subject_ids) == 1:
            return self.subject_ids[0], ""
        if not self.subject_ids:
            return None, "no_company"
        return None, "ambiguous_company"

    def _dimension(
        self, s: Sentence, item: Item, d: Decision, decided: dict[int, Decision]
    ) -> tuple[str, str]:
        rule = d.rule
        kind = rule.dimension
        folded = self.folded
        q = item.q
        before = folded[s.start : q.start]
        right = right_text(folded, item.end, 40, s.end)
        if kind == "moment":
            return self._nearest_moment(before), ""
        if kind == "round":
            rounds = list(ROUND.finditer(before))
            return (f"round:{rounds[-1].group('r')}" if rounds else ""), ""
        if kind == "exchange":
            best, pos = "", -1
            for pattern, code in EXCHANGES:
                for m in pattern.finditer(folded, s.start, min(s.end, item.end + 20)):
                    if m.start() > pos:
                        best, pos = code, m.start()
            return (f"exchange:{best}" if best else ""), ""
        if kind == "market":
            m = RANK.fullmatch(q.text)
            if m and m.group("mk"):
                return f"market:{m.group('region') or ''}{m.group('mk')}", ""
            clause_start = clause_begin(folded, q.start, s.start)
            previous_clause = clause_begin(folded, max(s.start, clause_start - 1), s.start)
            mm = RANK_MARKET.search(folded[clause_start : q.start]) or RANK_MARKET.search(
                folded[previous_clause : q.start]
            )
            market = clean_dimension(mm.group("m") or mm.group("m2")) if mm else ""
            return (f"market:{market}", "") if market else ("", "rank_without_market")
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
            return self._customer_kind(s, item, d), ""
        if kind == "retention_segment":
            end = d.keyword_start if d.keyword_start > 0 else q.start
            segs = list(SEGMENT_NOUN.finditer(self._without_names(s.start, end).replace(" ", "，")))
            if segs:
                value = clean_dimension(segs[-1].group("s"))
                return (f"segment:{value}" if value else ""), ""
            return "", ""
        if kind == "revenue_segment":
            return self._revenue_segment(s, item, d, decided, right)
        return "", ""

    def _customer_kind(self, s: Sentence, item: Item, d: Decision) -> str:
        if d.rule_name == "keyword_after":
            value = _LEADING_COPULA.sub("", d.keyword)
            value = clean_dimension(value)
        else:
            start = d.keyword_start if d.keyword_start >= 0 else item.q.start
            clause_start = clause_begin(self.folded, start, s.start)
            m = CUSTOMER_KIND_BEFORE.search(self._without_names(clause_start, start + len(d.keyword)))
            value = clean_dimension(m.group("k").split(" ")[-1]) + m.group("noun") if m else ""
        value = PARTNER_WORDS.sub("", value.split("的")[-1])
        return "" if value in ("", "客户", "用户") else f"kind:{value}"

    def _without_names(self, start: int, end: int) -> str:
        """folded[start:end] with company names and period expressions blanked out."""
        spans = self.name_spans.within(start, end)
        if not spans:
            return self.folded[start:end]
        parts, pos = [], start
        for a, b in spans:
            a, b = max(a, start), min(b, end)
            if a > pos:
                parts.append(self.folded[pos:a])
            parts.append(" ")
            pos = max(pos, b)
        parts.append(self.folded[pos:end])
        return _SPACES.sub(" ", "".join(parts))

    def _likely_company(self, s: Sentence, item: Item, reason: str) -> str:
        """Best guess for an unclassified number's company ('' for market-wide or contested ones)."""
        if reason in NO_COMPANY_REASONS:
            return ""
        company, _ = self._company(s, item)
        return company or ""

    def _is_subject_name(self, value: str) -> bool:
        """'澄明' for 澄明医疗科技, '深瞳科技' for 深瞳智能: a form of a subject company's name."""
        if len(value) < 2:
            return False
        value = value.lower()
        return any(
            alias.startswith(value) or value.startswith(alias) or (len(alias) >= 2 and alias[:2] == value[:2])
            for alias in self._subject_aliases
        )

    @cached_property
    def _subject_aliases(self) -> list[str]:
        """The matcher's aliases of the subject companies (computed once per document)."""
        subjects = set(self.subject_ids)
        return [alias for alias, cid in self.matcher.aliases.items() if cid in subjects]

    def _revenue_segment(
        self, s: Sentence, item: Item, d: Decision, decided: dict[int, Decision], right: str
    ) -> tuple[str, str]:
        folded = self.folded
        rule = d.rule
        source = _REVENUE_FROM.match(right)
        if source:
            return region_or_segment(clean_dimension(source.group("d"))), ""
        q = item.q
        anchor = d.keyword_start if 0 <= d.keyword_start < q.start else q.start
        clause_start = clause_begin(folded, anchor, s.start)
        raw = self._without_names(clause_start, anchor)
        raw = CUM_MARKER.sub(" ", _PARENS.sub("", raw))
        raw = _NUMBERING_AND_YEARS.sub(" ", raw)
        # '云端部署贡献了公司不足89.2%的收入' / '金融科技收入占…': words around the segment name
        raw = SEGMENT_TAIL_WORDS.sub("", raw)
        raw = _REVENUE_WORD_END.sub("", raw)
        value = clean_dimension(raw.split(" ")[-1] if raw.strip() else "")
        looks_like_segment = SEGMENT_SUFFIX.search(value) or REGION_WORDS.search(value)
        value = _SEGMENT_WORD_END.sub("", value) if len(value) > 3 else value
        if len(value) < 2 or any(ch.isdigit() for ch in value):
            if rule.code == "revenue_share_pct":
                return "", "share_without_segment"
            return "", ""
        cue = SEGMENT_CUE.search(folded[max(0, s.start - 60) : anchor])
        if self._is_subject_name(value):
            return "", ""
        if rule.code == "revenue" and not (cue or looks_like_segment):
            return "", "unknown_subject"
        return region_or_segment(value), ""
