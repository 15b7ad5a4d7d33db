"""Dated events of an offering: filing, refiling, withdrawal, approval, hearing passed, listing,
prospectus (offer launched), pricing.

Rules (vocabulary in `ingest/rules/events.yml` and `exchanges.yml`):
- A trigger word in a sentence of the body makes an event; its date is the nearest date mention
  before it in the same sentence. A date is used by the first trigger after it; a later trigger in
  another clause reuses it only through a relative offset between them ("2020年递交申请，但仅三个月
  后便主动撤回" → withdrawal: 2020 + 3 months, known only to the year → year precision, 2020). A
  trigger with no usable date is dropped (an undated event is not an event row), except when the
  sentence says 刚刚/今日 (publication date), and except a final price ("发售价厘定为每股6.24港元"):
  it is dated by the document that reports it, with precision `reported` (priced on or before the
  publication date).
- Exchange: named in the trigger (登陆港交所), else the nearest exchange word before it in the sentence,
  else the nearest after it, else implied by the trigger word (递表, 路条, 聆讯 are Hong Kong terms),
  else the exchange the document names most often, else ''.
- A planned event is not an event (拟/计划/预计…), except a listing planned for a stated day
  ("预计于12月16日(星期二)在港交所主板挂牌", "将于明日(1月15日)挂牌"): that is the scheduled listing
  date, recorded as a `listing` event (the quote keeps the 预计 wording). "最快本月底挂牌" has no day.
- "A与B同日登陆港交所": one event per company joined before the trigger.
- Company: the name right before the trigger in its clause ("X于…登陆港交所") when it is a known
  company; when that name is a company the matcher does not know, the event is dropped (it is not the
  subject's). Otherwise the nearest company mentioned before the trigger in the sentence, else the
  subject company when the sentence names no other one (docs/conventions.md).
- Only the body is searched (not YAML front matter, whose summary repeats the body).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from ingest.companies import (
    CompanyMatcher,
    attribute_company,
    clause_bounds,
    company_named_before,
    coordinated_companies,
    lead_exchange,
    rule,
    sentence_spans,
)
from ingest.dates import DateMention, find_dates
from ingest.numbers import parse_chinese_numeral
from ingest.schema import conform, empty_frame
from ingest.text import Document, fold


@lru_cache(maxsize=1)
def _trigger_re() -> re.Pattern[str]:
    groups = []
    for event_type, patterns in rule("events", "event_triggers").items():
        groups.append(f"(?P<{event_type}>" + "|".join(f"(?:{p})" for p in patterns) + ")")
    return re.compile("|".join(groups))


@lru_cache(maxsize=1)
def _today_re() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, rule("events", "today_words"))))


@lru_cache(maxsize=1)
def exchange_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """Regex over all exchange words (longest first) and word → exchange code."""
    code_of = {}
    for code, words in rule("exchanges", "exchanges").items():
        for word in words:
            code_of[word.lower()] = code
    ordered = sorted(code_of, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE), code_of


@lru_cache(maxsize=1)
def _offset_re() -> re.Pattern[str]:
    return re.compile(rule("events", "relative_offsets")["pattern"])


def _cn_number(text: str) -> int | None:
    """'3' or '三' / '十二' / '二十' in an offset such as 三个月后."""
    if text.isdigit():
        return int(text)
    try:
        return int(parse_chinese_numeral(text))
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, min(day.day, 28))


def shift_date(base: DateMention, offset: re.Match[str]) -> tuple[date, str]:
    """Date of an event stated relative to `base`; precision falls back to the year when the offset
    cannot be computed at the base's precision."""
    if offset.group("next_year"):
        return date(base.value.year + 1, 1, 1), "year"
    if offset.group("same_year"):
        return date(base.value.year, 1, 1), "year"
    n, unit = _cn_number(offset.group("n")), offset.group("unit")
    if n is not None and unit == "月" and base.precision in ("day", "month"):
        return _add_months(base.value, n), base.precision
    if n is not None and unit in ("天", "日", "周") and base.precision == "day":
        return base.value + timedelta(days=n * (7 if unit == "周" else 1)), "day"
    return date(base.value.year, 1, 1), "year"


def _exchange_for(folded: str, lo: int, hi: int, trigger: re.Match[str], fallback: str) -> str:
    code = _named_exchange(folded, lo, hi, trigger) or fallback
    if code == "SSE" and document_exchange(folded) == "STAR":
        # '获上交所上市委审议通过' in an article about a STAR listing: the STAR board's committee
        return "STAR"
    return code


def _named_exchange(folded: str, lo: int, hi: int, trigger: re.Match[str]) -> str:
    word_re, code_of = exchange_words()
    # the last exchange word of the trigger is the most specific ('在上海证券交易所科创板上市' → STAR)
    in_trigger = list(word_re.finditer(trigger.group(0)))
    if in_trigger:
        return code_of[in_trigger[-1].group(0).lower()]
    words = list(word_re.finditer(folded, lo, hi))
    before = [w for w in words if w.end() <= trigger.start()]
    after = [w for w in words if w.start() >= trigger.end()]
    if before:
        return code_of[before[-1].group(0).lower()]
    if after:
        return code_of[after[0].group(0).lower()]
    for word, code in rule("events", "trigger_exchange").items():
        if word in trigger.group(0):
            return code
    return ""


def listing_exchange(doc: Document) -> str:
    """The exchange of the listing an article reports: named in its title, else right after the first
    listing trigger of its lead ('…今日以双重主要上市方式登陆港交所'); '' when neither names one."""
    word_re, code_of = exchange_words()
    codes = [code_of[m.group(0).lower()] for m in word_re.finditer(fold(doc.title))]
    codes = [c for c in codes if c]
    if len(set(codes)) == 1:
        return codes[0]
    lead = doc.folded[doc.body_start : doc.body_start + 600]
    for trigger in _trigger_re().finditer(lead):
        if _event_type(trigger) not in ("listing", "filing", "prospectus", "hearing_passed"):
            continue
        named = word_re.search(trigger.group(0)) or word_re.match(lead, trigger.end())
        if named and code_of[named.group(0).lower()]:
            return code_of[named.group(0).lower()]
    return ""


@lru_cache(maxsize=16)
def document_exchange(folded: str) -> str:
    """The exchange the document names most often ('' when it names none): the exchange of an event
    whose sentence names none ("X今起招股" in an article about a Hong Kong offering)."""
    word_re, code_of = exchange_words()
    counts: dict[str, int] = {}
    for m in word_re.finditer(folded):
        code = code_of[m.group(0).lower()]
        if code:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else ""


@lru_cache(maxsize=1)
def _blocked_re() -> tuple[re.Pattern[str], re.Pattern[str]]:
    plans = "|".join(map(re.escape, rule("events", "plan_words")))
    negations = "|".join(map(re.escape, rule("events", "negation_words")))
    return re.compile(plans), re.compile(f"(?:{negations}).{{0,3}}$")


def _not_happened(
    folded: str, clause_start: int, trigger_start: int, event_type: str, dates: list[DateMention]
) -> bool:
    """A planned ('拟于…上市') or negated ('未能通过聆讯') event in the clause before the trigger.
    A listing planned for a stated day ('预计于12月16日在港交所挂牌') is its scheduled date: kept."""
    plans, negations = _blocked_re()
    if negations.search(folded, clause_start, trigger_start):
        return True
    plan = plans.search(folded, clause_start, trigger_start)
    if plan is None:
        return False
    scheduled = event_type == "listing" and any(
        d.precision == "day" and plan.end() <= d.start and d.end <= trigger_start for d in dates
    )
    return not scheduled


_RANGE_BETWEEN = re.compile(r"\s?(?:至|到|-|~|—|–)\s?")

# words that make the clause about every company the sentence named before it
_BOTH = re.compile(r"两家公司|两家企业|两只新股|两股|两公司|双双|二者|两者|均|同时")


def _event_type(m: re.Match[str]) -> str:
    return next(name for name, value in m.groupdict().items() if value is not None)


def _event_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


# A price that is not final yet ("将厘定为不高于…", "范围介乎…"): no pricing has happened.
_PRICE_NOT_FINAL = re.compile(r"将|不高于|不超过|最高|不低于|范围|介乎|预期|预计|拟")


def _final_price_stated(folded: str, trigger, event_type: str, clause_start: int, clause_end: int) -> bool:
    """A pricing trigger followed by the price in its clause, which says nothing of it not being final."""
    return (
        event_type == "pricing"
        and re.search(r"\d", folded[trigger.start() : clause_end]) is not None
        and not _PRICE_NOT_FINAL.search(folded, clause_start, clause_end)
    )


def _date_for(
    folded: str,
    trigger: re.Match[str],
    dates: list[DateMention],
    used: set[int],
    clause_start: int,
    today: date | None,
) -> tuple[date, str, int] | None:
    """(date, precision, quote start) for a trigger, or None. `used` holds dates already taken."""
    before = [d for d in dates if d.end <= trigger.start()]
    if before:
        base = before[-1]
        if len(before) > 1 and _RANGE_BETWEEN.fullmatch(folded, before[-2].end, base.start):
            base = before[-2]  # '6月30日至7月7日招股': the event starts on the first day
        offset = _offset_re().search(folded, base.end, trigger.start())
        if offset:
            value, precision = shift_date(base, offset)
            return value, precision, base.start
        if base.start not in used or base.start >= clause_start:
            used.add(base.start)
            return base.value, base.precision, base.start
        return None
    after = [d for d in dates if d.start >= trigger.end()]
    if after and after[0].start < _clause_end(folded, trigger.end()):
        return after[0].value, after[0].precision, clause_start
    if today:
        return today, "day", clause_start
    return None


def _clause_end(folded: str, pos: int) -> int:
    return clause_bounds(folded, pos, pos, len(folded))[1]


def extract_events(doc: Document, matcher: CompanyMatcher, subject_ids: list[str]) -> pl.DataFrame:
    """Offering events of `doc` as `ingest_events` rows (one per company × type × exchange × date)."""
    folded = doc.folded
    all_dates = find_dates(folded, doc.published_at)
    mentions = matcher.find_mentions(folded)
    today_re = _today_re()
    trigger_starts = [t.start() for t in _trigger_re().finditer(folded, doc.body_start)]
    rows: dict[tuple, dict] = {}
    # an event whose sentence names no exchange: the one of the stock code in its title or lead
    # ('新股简介 棠芯微电子(2593)', '天岳先进(2631)' of an A+H company), else the one it names most
    fallback = lead_exchange(doc) or document_exchange(folded)
    for lo, hi in sentence_spans(folded, doc.body_start):
        if not any(lo <= t < hi for t in trigger_starts):
            continue
        dates = [d for d in all_dates if lo <= d.start < hi]
        today = doc.published_at if today_re.search(folded, lo, hi) else None
        used: set[int] = set()
        for trigger in _trigger_re().finditer(folded, lo, hi):
            event_type = _event_type(trigger)
            clause_start, clause_end = clause_bounds(folded, trigger.start(), lo, hi)
            if _not_happened(folded, clause_start, trigger.start(), event_type, dates):
                continue
            found = _date_for(folded, trigger, dates, used, clause_start, today)
            named, unknown = company_named_before(
                folded, clause_start, trigger.start(), doc.published_at, matcher
            )
            if unknown:
                continue  # the clause names a company we do not know: never give its event to the subject
            company_id = named or attribute_company(mentions, lo, hi, trigger.start(), subject_ids)
            if found is None and _final_price_stated(folded, trigger, event_type, clause_start, clause_end):
                # "发售价厘定为每股6.24港元" with no day: priced by the time the document reports it
                found = (doc.published_at, "reported", clause_start)
            if found is None or company_id is None:
                continue
            # "A与B同日登陆港交所": one event for each company of the list before the trigger.
            company_ids = coordinated_companies(folded, mentions, clause_start, trigger.start(), company_id)
            if _BOTH.search(folded, clause_start, trigger.start()):
                # '…启穹机器人与…砾芯科技昨晚公布配售结果,两家公司均于今日挂牌': every company named
                named_before = [m.company_id for m in mentions if lo <= m.start and m.end <= clause_start]
                company_ids = list(dict.fromkeys(named_before)) or company_ids
            value, precision, quote_start = found
            exchange = _exchange_for(folded, lo, hi, trigger, fallback)
            quote_start = min(quote_start, clause_start)
            for cid in company_ids:
                key = (cid, event_type, exchange, value, precision)
                rows.setdefault(
                    key,
                    {
                        "event_id": _event_id(doc.document_id, *key),
                        "document_id": doc.document_id,
                        "company_id": cid,
                        "exchange": exchange,
                        "event_type": event_type,
                        "event_date": value,
                        "date_precision": precision,
                        "char_start": quote_start,
                        "char_end": clause_end,
                        "quote": doc.text[quote_start:clause_end],
                    },
                )
    if not rows:
        return empty_frame("ingest_events")
    return conform(pl.DataFrame(list(rows.values())), "ingest_events")
