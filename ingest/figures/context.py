"""Stage 1, numbers: everything the later stages read about one document, built once.

`build_context` splits the document into sentences, finds its periods (`ingest.periods`), its
company mentions (the registry's matcher), its candidate numbers (`candidates.find_candidates`) and
the facts that hold for the whole document (is it about the listing day, on which day did trading
start, who are its subject companies). The stages only read it; the memo tables at the end only
save repeated searches, and `consumed` is the one piece of per-sentence state (keyword spans an
earlier number of the sentence already used).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from ingest.companies import CompanyMatcher, CompanyMention
from ingest.figures.grammar import (
    CURRENCY_DECLARATION,
    LEAD_FOR_RESULTS,
    LISTING_DAY,
    OFFERING_UNDER_WAY,
    RESULTS_WORD,
    SPACES,
)
from ingest.figures.records import Item, SpanIndex
from ingest.lexicon import Lexicon, MetricRule
from ingest.periods import Period, PeriodMention, find_periods
from ingest.sentences import Sentence, no_figure_spans, split_sentences
from ingest.text import Document

CURRENCY_CODES = {"人民币": "CNY", "港元": "HKD", "港币": "HKD", "美元": "USD"}


@dataclass
class DocumentContext:
    doc: Document
    matcher: CompanyMatcher
    lexicon: Lexicon
    sentences: list[Sentence]
    periods: list[PeriodMention]
    items: list[Item]
    mentions: list[CompanyMention]
    subject_ids: list[str]
    listing_day: bool = False  # the article reports the listing day: opening and first-day prices exist
    listing_date: date | None = None  # the day trading started, when a sentence states it
    venue: str = ""  # the exchange the document is about (HKEX, STAR, NASDAQ…), '' when it names none
    offering_under_way: bool = False  # about shares on offer or trading (招股, 定价, 挂牌), not a filing
    # (position, currency) of each declaration of a currency for what follows ('人民币，下同')
    currency_declarations: list[tuple[int, str]] = field(default_factory=list)
    # memo tables (per document) and per-sentence scratch
    investor_cache: dict = field(default_factory=dict)  # sentence start -> investor mentions
    proceeds_sentences: dict[int, bool] = field(default_factory=dict)  # sentence start -> about proceeds
    market_words: dict[tuple[int, int], bool] = field(default_factory=dict)  # (sentence, patterns) -> any
    consumed: list[tuple[int, int]] = field(default_factory=list)
    table_cells: dict = field(default_factory=dict)  # item index -> Decision of a flattened table
    reporting_period: Period | None = None  # the period a results report is about ('2021年第三季度财报')

    def __post_init__(self) -> None:
        self.folded = self.doc.folded
        self.text = self.doc.text
        self.rules: list[MetricRule] = list(self.lexicon.metrics.values())
        self.sentence_starts = [s.start for s in self.sentences]
        self.period_starts = [p.start for p in self.periods]
        self.item_starts = [it.q.start for it in self.items]
        self.mention_starts = [m.start for m in self.mentions]
        self.name_spans = SpanIndex(
            [(m.start, m.end) for m in self.mentions] + [(p.start, p.end) for p in self.periods]
        )
        self.doc_lists = [p for p in self.periods if p.role == "list"]

    # -- look-ups -------------------------------------------------------------------------------

    def sentence_periods(self, s: Sentence) -> list[PeriodMention]:
        lo = bisect.bisect_left(self.period_starts, s.start)
        hi = bisect.bisect_left(self.period_starts, s.end)
        return self.periods[lo:hi]

    def periods_from(self, pos: int) -> list[PeriodMention]:
        """Period mentions starting at or after `pos`, up to the end of its sentence."""
        lo = bisect.bisect_left(self.period_starts, pos)
        s = self.sentence_of(pos)
        hi = bisect.bisect_left(self.period_starts, s.end) if s is not None else len(self.periods)
        return self.periods[lo:hi]

    def sentence_mentions(self, s: Sentence) -> list[CompanyMention]:
        lo = bisect.bisect_left(self.mention_starts, s.start)
        hi = bisect.bisect_left(self.mention_starts, s.end)
        return self.mentions[lo:hi]

    def sentence_of(self, pos: int) -> Sentence | None:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        return self.sentences[i] if i >= 0 and pos < self.sentences[i].end else None

    def without_names(self, start: int, end: int) -> str:
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
        return SPACES.sub(" ", "".join(parts))

    def declared_currency(self, pos: int) -> str:
        """The currency declared last before `pos` ('' when none)."""
        i = bisect.bisect_right([p for p, _ in self.currency_declarations], pos) - 1
        return self.currency_declarations[i][1] if i >= 0 else ""

    @cached_property
    def subject_aliases(self) -> list[str]:
        """The matcher's aliases of the subject companies (computed once per document)."""
        subjects = set(self.subject_ids)
        return [alias for alias, cid in self.matcher.aliases.items() if cid in subjects]

    def is_subject_name(self, value: str) -> bool:
        """'澄明' for 澄明医疗科技, '深瞳科技' for 深瞳智能: a form of a subject company's name."""
        if len(value) < 2:
            return False
        value = value.lower()
        return any(
            alias.startswith(value) or value.startswith(alias) or (len(alias) >= 2 and alias[:2] == value[:2])
            for alias in self.subject_aliases
        )


def build_context(
    doc: Document, matcher: CompanyMatcher, subject_ids: list[str], lexicon: Lexicon
) -> DocumentContext:
    """The document read once: sentences, periods, candidates, company mentions, subjects, listing day."""
    from ingest.companies import lead_exchange
    from ingest.events import document_exchange, listing_exchange
    from ingest.figures.candidates import find_candidates
    from ingest.figures.company import fallback_subject
    from ingest.figures.period import listing_date

    body, folded = doc.body_start, doc.folded
    periods = [p for p in find_periods(folded, doc.published_at) if p.start >= body]
    ctx = DocumentContext(
        doc=doc,
        matcher=matcher,
        lexicon=lexicon,
        sentences=split_sentences(folded, body),
        periods=periods,
        items=find_candidates(folded, body, periods, no_figure_spans(folded)),
        mentions=[m for m in matcher.find_mentions(folded) if m.start >= body],
        subject_ids=list(subject_ids),
    )
    ctx.subject_ids = ctx.subject_ids or fallback_subject(ctx)
    ctx.listing_day = bool(LISTING_DAY.search(folded, body))
    ctx.listing_date = listing_date(ctx)
    ctx.venue = lead_exchange(doc) or listing_exchange(doc) or document_exchange(folded)
    ctx.offering_under_way = bool(OFFERING_UNDER_WAY.search(folded, body))
    ctx.currency_declarations = [
        (m.start(), CURRENCY_CODES[m.group("c1") or m.group("c2") or m.group("c3")])
        for m in CURRENCY_DECLARATION.finditer(folded)
    ]
    ctx.reporting_period = reporting_period(ctx)
    from ingest.figures.table import column_tables

    ctx.table_cells = column_tables(ctx)
    return ctx


def reporting_period(ctx: DocumentContext) -> Period | None:
    """The period of the results the lead announces ('发布了截至9月30日的2021年第三季度财报'), the
    period of a flow figure that names none however far from the lead it is."""
    lead_end = ctx.doc.body_start + LEAD_FOR_RESULTS
    for m in RESULTS_WORD.finditer(ctx.folded, ctx.doc.body_start, lead_end):
        clause_start = max(ctx.folded.rfind(ch, ctx.doc.body_start, m.start()) for ch in "。;；\n") + 1
        named = [
            p
            for p in ctx.periods
            if clause_start <= p.start and p.end <= m.start() and p.role == "period" and not p.is_multi
        ]
        if named and named[-1].period.period_type != "AS_OF":
            return named[-1].period
    return None
