"""Shareholders of a company: who holds it, in what role, with which stake or subscription.

One row per company × holder × role. Rules (vocabulary in `ingest/rules/holders.yml`):

- Role: the first role cue in the sentence (基石投资者 → cornerstone, 一致行动/控股股东 →
  controlling_group, 早期投资方 → early_investor, 战略投资者/产业资本 → strategic, 财务投资者 →
  financial); a generic list (其股东包括…) gives `strategic` to "A旗下B" vehicles of a corporate
  parent and `other` to the rest.
- "A旗下B及C" → holders B and C, each with `parent_entity` A.
- Lists before a cue ("A、B等11家基石投资者", "引入A等作为基石投资者", "A、B参与基石投资") and after
  one ("股东包括A、B"). Where the sentence, or the paragraph's previous sentence, names a role, also
  a plain "包括A、B等专业投资机构" and "C、D等二级市场基金". A list after its cue runs on over
  clauses holding only names ("包括A、B(X),C(Y)、D,…") and ends at its closing 等.
- In a sentence naming the role, "A及B认购5660.37万股" names subscribers whose amount is in shares.
- Sentences are the figures' (`ingest.sentences`): a summary's bullets and citation markers end one.
- Stakes: "A、B和C分别持有8.25%、2.92%和0.61%" → aligned one by one; a count mismatch gives no rows.
- Acting in concert ("控股股东A、B…及H根据…一致行动人士协议共同拥有约40.5%"): one row per member
  (holder_type controlling_group, stake_pct null, parent_entity = the group's name) plus ONE group
  row whose holder_name is `一致行动集团(A、B、…、H)` carrying the joint stake. Summing stake_pct over
  a company's rows therefore never double counts, and members join to their group on
  parent_entity = holder_name.
- Subscriptions: "A认购1亿港元" / "A、B分别认购1亿港元、2亿港元" / "基石投资者包括A(1亿港元)、B(…)"
  → subscription_amount + currency;
  a total ("合计认购29.8亿港元") is not given to any single investor.
- Early investors: "作为X的早期投资方，Y…", "X早期投资方Y方面表示", "Y领投其A轮融资".
- Founders: "(联合)创始人[、兼 titles]NAME", and "创始团队…核心成员A和B" — kept only when the
  document gives that person a stake or another holder role (a founder quoted by title is not a
  shareholder). A founder title right before a stake holder's name ("创始人孟川通过其全资持有的Y
  持有26.8%") makes that row `founder`; the holder is the person (the list ends at 通过/透过).
- Cornerstones without amounts: "其余由A、B及C认购" → A, B, C cornerstone; "A、B及C各认购1,000万
  美元" → each one gets the amount.
- Names stop at verbs/time words (`holder_cut_words`: "X上市后将持有" → X), lose descriptions
  ("员工持股平台X" → X), and generic nouns (员工, 全资, 子公司 …, `not_holders`) are never holders.
- A row without a role for a holder the document gives a role elsewhere takes that role, and values
  of one holder × role are combined into one row.
- as_of: the date after 截至 in the sentence (end of the stated month/year), else publication date.
- quote: the clause(s) holding the holder names and the stake/amount.
Holders that are the company itself, or that look like phrases rather than names, are dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import polars as pl

from ingest.companies import (
    CompanyMatcher,
    alternation,
    attribute_company,
    clause_bounds,
    company_named_before,
    rule,
)
from ingest.dates import find_dates, period_end
from ingest.schema import conform, empty_frame
from ingest.sentences import split_sentences
from ingest.text import Document

_CJK = r"\u4e00-\u9fff"
_PCT = r"(?:约|約)?\d+(?:\.\d+)?%"
_PCT_LIST_RE = re.compile(rf"{_PCT}(?:\s*(?:、|,|，|和|及|与|以及)\s*{_PCT})*")
_PCT_RE = re.compile(r"(?P<approx>约|約)?(?P<num>\d+(?:\.\d+)?)%")
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 3,000 or 3000.5
_AMOUNT = rf"(?:约|約)?{_NUM}(?:千万|百万|亿|万)?(?:港元|港币|美元|元人民币|人民币|元)"
_AMOUNT_LIST_RE = re.compile(rf"{_AMOUNT}(?:\s*(?:、|,|，|和|及|与)\s*{_AMOUNT})*")
_AMOUNT_RE = re.compile(
    rf"(?P<approx>约|約)?(?P<num>{_NUM})(?P<scale>千万|百万|亿|万)?(?P<cur>港元|港币|美元|元人民币|人民币|元)"
)
_SCALES = {None: 1, "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8}
_CURRENCIES = {
    "港元": "HKD",
    "港币": "HKD",
    "美元": "USD",
    "元人民币": "CNY",
    "人民币": "CNY",
    "元": "CNY",
}
_TOP_SPLIT = re.compile(r"[、;；/,，]")  # commas: a list that runs on over clauses of names
_SUB_SPLIT = re.compile(r"以及|及|和|与|&")
_PAREN = re.compile(r"\([^()]*\)|（[^（）]*）")
_GROUP_PREFIX = "一致行动集团"
# "A为其控股股东" / "A系该公司第二大股东" / "A为快手第二大机构股东": a holder's name ends before its role
_ROLE_CLAUSE = re.compile(
    r"(?:为|是|系)(?:其|该公司|公司的?|[\u4e00-\u9fffA-Za-z]{1,8}?)?(?:的)?"
    r"(?:控股股东|(?:第[一二三四五六七八九十\d]+|最|单一最)大(?:机构)?股东|大股东)"
)
MIN_CUT_INDEX = 2  # a cut word may start a holder's name: only cut after its first two characters
DESCRIPTION_MIN = 4  # characters of a description before 的 and a name ('专注于…投资的X'; not '美的集团')
_EARLY_CUE = re.compile(r"早期投资|领投")


@dataclass(frozen=True)
class Holder:
    name: str  # folded
    written: str  # as written in the original
    start: int  # offsets of the name
    end: int
    parent: str = ""
    note: str = ""  # the bracket right after the name, e.g. "(认购1亿港元)" or "(领航资深独立投资者)"


@dataclass(frozen=True)
class HolderRow:
    holder: Holder
    holder_type: str
    span: tuple[int, int]  # quote span
    list_span: tuple[int, int]  # where the names (and parents) are: never the company the row belongs to
    stake_pct: float | None = None
    amount: float | None = None
    currency: str = ""
    qualifier: str = "exact"


@dataclass(frozen=True)
class _Rules:
    roles: list[tuple[str, re.Pattern[str]]]
    after_re: re.Pattern[str]
    before_re: re.Pattern[str]
    role_after_re: re.Pattern[str]
    role_before_re: re.Pattern[str]
    name_ending_re: re.Pattern[str]
    stake_re: re.Pattern[str]
    subscribe_re: re.Pattern[str]
    subscribe_shares_re: re.Pattern[str]
    lead_in_re: re.Pattern[str]
    list_end_re: re.Pattern[str]
    joint_re: re.Pattern[str]
    total_re: re.Pattern[str]
    bad_name_re: re.Pattern[str]
    not_holders: frozenset[str]
    founder_re: re.Pattern[str]
    team_re: re.Pattern[str]
    person_re: re.Pattern[str]
    early_res: tuple[re.Pattern[str], ...]
    asof_re: re.Pattern[str]
    prefilter_re: re.Pattern[str]
    cut_re: re.Pattern[str]
    descriptor_re: re.Pattern[str]
    each_re: re.Pattern[str]
    subscriber_list_re: re.Pattern[str]
    title_end_re: re.Pattern[str]
    title_start_re: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    def r(key: str):
        return rule("holders", key)

    roles = [(role, re.compile(alternation(words))) for role, words in r("role_cues").items()]
    titles = alternation(r("founder_titles"))
    others = alternation(r("other_titles"))
    stops = alternation(r("name_stops"))
    person = rf"(?!(?:{stops}))[{_CJK}]{{2,3}}?(?=(?:{stops})|[，,。、;；:：()（）\s]|$)"
    name = rf"[{_CJK}A-Za-z][{_CJK}A-Za-z0-9·&.\- ]{{1,30}}?"
    early_stop = r"(?=自|于|在|便|从|已|曾|就|也|领投|投资|参与|是|早在|\d|方面|表示|称|认为|回忆|，|,)"
    rounds = alternation(r("early_round_words"))
    long_titles = [t for t in r("founder_titles") + r("other_titles") if len(t) > 1]
    return _Rules(
        roles=roles,
        after_re=re.compile("|".join(f"(?:{p})" for p in r("list_after_cues"))),
        before_re=re.compile("|".join(f"(?:{p})" for p in r("list_before_cues"))),
        role_after_re=re.compile("|".join(f"(?:{p})" for p in r("role_list_after_cues"))),
        role_before_re=re.compile("|".join(f"(?:{p})" for p in r("role_list_before_cues"))),
        name_ending_re=re.compile(f"(?:{alternation(r('not_name_endings'))})$"),
        stake_re=re.compile(f"(?:{r('stake_verbs')})(?P<pcts>{_PCT_LIST_RE.pattern})"),
        subscribe_re=re.compile(f"(?:{r('subscribe_verbs')})(?P<amounts>{_AMOUNT_LIST_RE.pattern})"),
        subscribe_shares_re=re.compile(f"(?:{r('subscribe_verbs')})\\s?(?:{r('subscribe_shares')})"),
        # Titles before the first name of a list are lead-ins too ("创始人兼CEO张三、李四…").
        lead_in_re=re.compile(alternation(r("lead_in_words") + long_titles)),
        list_end_re=re.compile(alternation(r("list_end_words"))),
        joint_re=re.compile(alternation(r("joint_words"))),
        total_re=re.compile(f"(?:{alternation(r('total_words'))})$"),
        bad_name_re=re.compile(alternation(r("not_in_names")) + r"|%|\d{4}年"),
        not_holders=frozenset(r("not_holders")),
        founder_re=re.compile(rf"(?:{titles})(?:(?:、|兼|及|和)?(?:{others}))*(?P<name>{person})"),
        team_re=re.compile(r("founder_team_cue")),
        person_re=re.compile(person),
        early_res=(
            re.compile(
                rf"作为(?P<co>[^，,。]{{0,20}}?)的?早期投资(?:方|者|人)[，,]\s*(?P<name>{name}){early_stop}"
            ),
            re.compile(rf"早期投资(?:方|者|人)(?P<name>{name})(?=方面|表示|称|认为|在|于)"),
            re.compile(
                rf"(?P<name>{name})(?:自\d{{4}}年起)?(?:便|就)?领投(?:了)?(?:其|公司)?的?(?:{rounds})"
            ),
        ),
        asof_re=re.compile(r"截至\s*$"),
        cut_re=re.compile(alternation(r("holder_cut_words"))),
        descriptor_re=re.compile(alternation(r("holder_descriptors"))),
        each_re=re.compile(f"(?:{alternation(r('each_words'))})$"),
        subscriber_list_re=re.compile(r("subscriber_list")),
        # A founder title right before a holder's name ("创始人孟川…持有") makes the holder a founder.
        title_end_re=re.compile(rf"(?:{titles})(?:(?:、|兼|及|和)?(?:{others}))*$"),
        title_start_re=re.compile(rf"\s*(?:{alternation(long_titles)})(?:兼|、)?"),
        prefilter_re=re.compile(
            alternation([w for words in r("role_cues").values() for w in words] + r("founder_titles"))
            + r"|持有|持股|拥有|控制|认购|股东|投资|旗下|领投|创始团队"
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Name lists


def _clean_name(folded: str, start: int, end: int, first: bool) -> tuple[int, int] | None:
    """Trim lead-ins (the list's first item only), particles, 等 and brackets; None if not a name."""
    rules = _rules()
    role_clause = _ROLE_CLAUSE.search(folded, start + MIN_CUT_INDEX, end)
    if role_clause:  # "晨兴资本为快手第二大机构股东持有…" → 晨兴资本 (before its lead-ins are looked for)
        end = role_clause.start()
    if first:
        bracket = max(folded.rfind("】", start, end), folded.rfind("]", start, end))
        start = bracket + 1 if bracket >= 0 else start  # "【IPO追踪】A、B参与基石投资"
        for m in rules.lead_in_re.finditer(folded, start, end):
            if len(m.group(0)) > 1 or m.start() == start:  # 其/由/而 only before the name
                start = max(start, m.end())
    else:  # "董事长王海、总裁刘洋": a title before a later name of the list
        while (m := rules.title_start_re.match(folded, start, end)) and end - m.end() >= 2:
            start = m.end()
    for m in rules.descriptor_re.finditer(folded, start, end):
        if end - m.end() >= 2:  # "员工持股平台X" → X
            start = max(start, m.end())
    described = folded.rfind("的", start, end)
    if described - start >= DESCRIPTION_MIN and end - described > 2:
        start = described + 1  # "专注于生物医疗领域投资的奥博资本" → 奥博资本 (not 美的集团)
    cut = rules.cut_re.search(folded, start + MIN_CUT_INDEX, end)
    if cut:  # "X上市后将" → X
        end = cut.start()

    text = folded[start:end]
    while text and text[0] in " 其、，,":
        start, text = start + 1, text[1:]
    stripped = re.sub(r"(?:在内的|在内|等等|等|及|和|与|以及|\s)+$", "", text)
    end = start + len(stripped)
    name = stripped
    if (
        not 2 <= len(name) <= 60
        or name in rules.not_holders
        or rules.bad_name_re.search(name)
        or rules.name_ending_re.search(name)
        or not re.match(rf"[{_CJK}A-Za-z]|\d+\s?[A-Za-z]", name)  # '3W Fund'
    ):
        return None
    return start, end


def split_holders(folded: str, original: str, start: int, end: int) -> list[Holder]:
    """Names in the list folded[start:end]: "A、B旗下C及D等" → A, C (parent B), D (parent B)."""
    holders: list[Holder] = []
    # Blank out brackets (descriptions such as "(领航资深独立投资者)") keeping offsets.
    source = folded
    text = _PAREN.sub(lambda m: " " * len(m.group(0)), folded[start:end])
    folded = folded[:start] + text + folded[end:]
    pos = 0
    for top in _TOP_SPLIT.split(text):
        item_start = start + pos
        pos += len(top) + 1
        parent = ""  # "A旗下B及C": A is the parent of B and of C, until another 旗下 names a new one
        for sub_start, sub_end in _split_keep_offsets(top, item_start):
            first = not holders and not parent
            vehicle = folded.find("旗下", sub_start, sub_end)
            if vehicle >= 0:
                cut = _clean_name(folded, sub_start, vehicle, first=first)
                parent = re.sub(r"(?:通过|透过|其)+$", "", folded[cut[0] : cut[1]]) if cut else ""
                sub_start, first = vehicle + 2, False
            span = _clean_name(folded, sub_start, sub_end, first=first)
            if span:
                s, e = span
                note = _PAREN.match(source, e, end)
                note_text = note.group(0)[1:-1] if note else ""
                # a bracket inside the name stays ("Lansdowne Partners (UK) LLP"); one after it is its note
                holders.append(Holder(source[s:e], original[s:e].strip(), s, e, parent, note_text))
    return holders


def _split_keep_offsets(text: str, offset: int) -> list[tuple[int, int]]:
    """Split on 及/和/与 only where both sides are at least two characters (keeps 中和资本 whole)."""
    spans, begin = [], 0
    for m in _SUB_SPLIT.finditer(text):
        left, right = text[begin : m.start()].strip(), text[m.end() :].strip()
        if len(left) >= 2 and len(right) >= 2:
            spans.append((offset + begin, offset + m.start()))
            begin = m.end()
    spans.append((offset + begin, offset + len(text)))
    return spans


def _list_end(folded: str, start: int, pos: int) -> int:
    m = _rules().list_end_re.search(folded, start, pos)
    return m.start() if m else pos


# ---------------------------------------------------------------------------------------------------
# Rules per sentence


def _sentence_role(folded: str, lo: int, hi: int) -> str | None:
    for role, pattern in _rules().roles:
        if pattern.search(folded, lo, hi):
            return role
    return None


def _list_type(role: str | None, holder: Holder) -> str:
    if role:
        return role
    return rule("holders", "parent_list_type") if holder.parent else rule("holders", "generic_list_type")


def _percent(text: str) -> list[tuple[float, str]]:
    return [(float(m["num"]), "approx" if m["approx"] else "exact") for m in _PCT_RE.finditer(text)]


def _amounts(text: str) -> list[tuple[float, str, str]]:
    out = []
    for m in _AMOUNT_RE.finditer(text):
        value = float(m["num"].replace(",", "")) * _SCALES[m["scale"]]
        out.append((value, _CURRENCIES[m["cur"]], "approx" if m["approx"] else "exact"))
    return out


def _stake_rows(folded, original, lo, hi, role) -> list[HolderRow]:
    rules, rows = _rules(), []
    for m in rules.stake_re.finditer(folded, lo, hi):
        start, _ = clause_bounds(folded, m.start(), lo, hi)
        holders = split_holders(folded, original, start, _list_end(folded, start, m.start()))
        pcts = _percent(m["pcts"])
        names = (start, m.start())
        if not holders and start > lo + 1:
            # "科大讯飞为其控股股东,持股比例为52.47%": the holder is named in the clause before
            before_start, _ = clause_bounds(folded, start - 2, lo, hi)
            named = _ROLE_CLAUSE.search(folded, before_start, start - 1)
            if named and named.end() == start - 1:
                holders = split_holders(folded, original, before_start, named.start())
                names, start = (before_start, named.start()), before_start
                role = role or "other"
        span = (start, clause_bounds(folded, m.end() - 1, lo, hi)[1])
        joint = rules.joint_re.search(folded, start, m.start())
        if len(holders) > 1 and len(pcts) == 1 and joint:
            group = Holder(
                f"{_GROUP_PREFIX}({'、'.join(h.name for h in holders)})",
                "",
                holders[0].start,
                holders[-1].end,
            )
            kind = role or "controlling_group"
            rows.append(HolderRow(group, kind, span, names, pcts[0][0], qualifier=pcts[0][1]))
            rows += [HolderRow(replace(h, parent=group.name), kind, span, names) for h in holders]
        elif holders and len(holders) == len(pcts):
            for holder, (pct, qualifier) in zip(holders, pcts, strict=True):
                kind = role or _titled_type(folded, start, holder)
                rows.append(HolderRow(holder, kind, span, names, pct, qualifier=qualifier))
    return rows


def _titled_type(folded: str, list_start: int, holder: Holder) -> str:
    """'founder' when a founder title comes right before the holder's name ("创始人孟川通过…持有"),
    else 'other'."""
    before = folded[max(list_start, holder.start - 24) : holder.start]
    return "founder" if _rules().title_end_re.search(before) else "other"


def _subscription_rows(folded, original, lo, hi, role) -> list[HolderRow]:
    rules, rows = _rules(), []
    for m in rules.subscribe_re.finditer(folded, lo, hi):
        start, _ = clause_bounds(folded, m.start(), lo, hi)
        if rules.total_re.search(folded, start, m.start()):
            continue  # a total, not anyone's own amount
        item_start = max(start, folded.rfind("、", start, m.start()) + 1)
        amounts = _amounts(m["amounts"])
        each = rules.each_re.search(folded, start, m.start())
        list_start = start if len(amounts) > 1 or each else item_start
        list_end = each.start() if each else m.start()
        holders = split_holders(folded, original, list_start, _list_end(folded, list_start, list_end))
        if not holders and len(amounts) > 1 and start > lo + 1:
            # "分别为A及B,分别认购3,000万美元及1,000万美元": the names are in the clause before
            list_start, _ = clause_bounds(folded, start - 2, lo, hi)
            holders = split_holders(folded, original, list_start, start - 1)
        if each and len(amounts) == 1:  # "A、B及C各认购1,000万美元": the amount is each one's
            amounts = amounts * len(holders)
        if holders and len(holders) == len(amounts):
            span, names = (list_start, m.end()), (list_start, m.start())
            for holder, (value, currency, qualifier) in zip(holders, amounts, strict=True):
                kind = role or "cornerstone"
                rows.append(
                    HolderRow(
                        holder,
                        kind,
                        span,
                        names,
                        amount=value,
                        currency=currency,
                        qualifier=qualifier,
                    )
                )
    return rows


def _share_subscription_rows(folded, original, lo, hi, role) -> list[HolderRow]:
    """In a sentence that names the role: "A及B认购5660.37万股、C认购4528.34万股" → A, B and C, each
    in that role (the amount is in shares, which the table does not hold)."""
    if role not in ("cornerstone", "strategic"):
        return []  # "大户最多认购125.7万股" names nobody
    rows = []
    for m in _rules().subscribe_shares_re.finditer(folded, lo, hi):
        start, _ = clause_bounds(folded, m.start(), lo, hi)
        if _rules().total_re.search(folded, start, m.start()):
            continue
        # the whole clause: "A认购X万股、B、C及D认购Y万股" — names glued to an earlier 认购 are no names
        for holder in split_holders(folded, original, start, _list_end(folded, start, m.start())):
            rows.append(HolderRow(holder, role, (holder.start, m.end()), (start, m.start())))
    return rows


def _subscriber_list_rows(folded, original, lo, hi, role) -> list[HolderRow]:
    """ "其余由A、B及C认购" (no amounts): each named investor subscribed, as a cornerstone unless the
    sentence states another role."""
    rows = []
    for m in _rules().subscriber_list_re.finditer(folded, lo, hi):
        s, e = m.span("names")
        for holder in split_holders(folded, original, s, e):
            rows.append(HolderRow(holder, role or "cornerstone", (m.start(), m.end()), (s, e)))
    return rows


def _cue_list_rows(folded, original, lo, hi, role, context_role=None) -> list[HolderRow]:
    """Lists around cue words. `context_role` is the role the previous sentence of the paragraph
    named ("引入15名基石投资者。阵容包括A、B…"): plain "包括…" and "…等基金" lists take it."""
    rules, rows = _rules(), []
    befores = [(m, role) for m in rules.before_re.finditer(folded, lo, hi)]
    afters = [(m, role) for m in rules.after_re.finditer(folded, lo, hi)]
    if gated := role or context_role:  # plain lists name holders only where a role is stated
        taken = [m.span() for m, _ in befores + afters]
        for found, pattern in ((befores, rules.role_before_re), (afters, rules.role_after_re)):
            found += [(m, gated) for m in pattern.finditer(folded, lo, hi) if not _inside(m.span(), taken)]
    listed: list[tuple[int, int]] = []
    for m, kind_of_list in afters:
        end = _after_list_end(folded, m.end(), lo, hi)
        listed.append((m.end(), end))
        for holder in split_holders(folded, original, m.end(), end):
            row = HolderRow(holder, _list_type(kind_of_list, holder), (m.start(), end), (m.end(), end))
            rows.append(_with_note_amount(row))
    for m, kind_of_list in befores:
        start, _ = clause_bounds(folded, m.start(), lo, hi)
        if _inside((m.start(), m.start()), listed):
            continue  # the "等…" that closes a list read after its cue
        cue_role = next((r for r, p in rules.roles if p.search(m.group(0))), None)
        for holder in split_holders(folded, original, start, m.start()):
            kind = cue_role or _list_type(kind_of_list, holder)
            rows.append(_with_note_amount(HolderRow(holder, kind, (start, m.end()), (start, m.start()))))
    return rows


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


# "A、B等专业投资机构", "包括A、B在内的多家机构": the list ends at its closing 等 / 在内
_LIST_CLOSE = re.compile(r"(?:等|在内)(?=[^、]*$)")
_COMMA = re.compile(r"[,，]")


def _after_list_end(folded: str, start: int, lo: int, hi: int) -> int:
    """End of a list read after its cue: the clause, and the next clauses while they hold only
    names ("包括A、B(CPPIB),C(ADIA)、D,X预计…" → A…D), cut at a closing 等."""
    rules = _rules()
    _, end = clause_bounds(folded, start, lo, hi)
    while end < hi and _COMMA.match(folded, end):
        _, nxt = clause_bounds(folded, end + 1, lo, hi)
        clause = _PAREN.sub("", folded[end + 1 : nxt])
        names_only = (
            "、" in clause
            and not re.search(r"\d", clause)
            and not rules.cut_re.search(clause)
            and not rules.bad_name_re.search(clause)
        )
        if not names_only:
            break
        end = nxt
    close = _LIST_CLOSE.search(folded, start, end)
    return close.start() if close else end


def _with_note_amount(row: HolderRow) -> HolderRow:
    """A cornerstone written "高瓴资本(1亿港元)" subscribed the one amount in its bracket."""
    amounts = _amounts(row.holder.note) if row.holder_type == "cornerstone" else []
    if len(amounts) != 1:
        return row
    value, currency, qualifier = amounts[0]
    return replace(row, amount=value, currency=currency, qualifier=qualifier)


def _early_rows(folded, original, lo, hi) -> list[HolderRow]:
    rows = []
    if not _EARLY_CUE.search(folded, lo, hi):
        return rows
    for pattern in _rules().early_res:
        for m in pattern.finditer(folded, lo, hi):
            span = _clean_name(folded, m.start("name"), m.end("name"), first=True)
            if span:
                s, e = span
                holder = Holder(folded[s:e], original[s:e].strip(), s, e)
                quote = (
                    clause_bounds(folded, m.start(), lo, hi)[0],
                    clause_bounds(folded, e, lo, hi)[1],
                )
                rows.append(HolderRow(holder, "early_investor", quote, (s, e)))
    return rows


def _founder_rows(folded, original, lo, hi) -> list[HolderRow]:
    rules, rows = _rules(), []
    for m in rules.founder_re.finditer(folded, lo, hi):
        s, e = m.span("name")
        rows.append(
            HolderRow(
                Holder(folded[s:e], original[s:e], s, e),
                "founder",
                (m.start(), e),
                (s, e),
            )
        )
    for cue in rules.team_re.finditer(folded, lo, hi):
        pos = cue.end()
        while (name := rules.person_re.match(folded, pos, hi)) is not None:
            s, e = name.span()
            if folded[s:e] in rules.not_holders:
                break
            holder = Holder(folded[s:e], original[s:e], s, e)
            rows.append(HolderRow(holder, "founder", (cue.start(), e), (s, e)))
            sep = re.compile(r"、|和|及|与").match(folded, e)
            if not sep:
                break
            pos = sep.end()
    return rows


def _as_of(folded: str, lo: int, hi: int, dates, published_at: date) -> date:
    for d in dates:
        if lo <= d.start < hi and _rules().asof_re.search(folded, lo, d.start):
            return period_end(d)
    return published_at


def _holder_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _sentence_rows(
    folded: str, original: str, lo: int, hi: int, context_role: str | None = None
) -> list[HolderRow]:
    role = _sentence_role(folded, lo, hi)
    return (
        _stake_rows(folded, original, lo, hi, role)
        + _subscription_rows(folded, original, lo, hi, role)
        + _share_subscription_rows(folded, original, lo, hi, role or context_role)
        + _subscriber_list_rows(folded, original, lo, hi, role)
        + _cue_list_rows(folded, original, lo, hi, role, context_role)
        + _early_rows(folded, original, lo, hi)
        + _founder_rows(folded, original, lo, hi)
    )


def extract_shareholders(doc: Document, matcher: CompanyMatcher, subject_ids: list[str]) -> pl.DataFrame:
    """Shareholders named in `doc`, as `ingest_shareholders` rows."""
    folded, original = doc.folded, doc.text
    mentions = matcher.find_mentions(folded)
    dates = find_dates(folded, doc.published_at)
    found: list[tuple[str, HolderRow, date]] = []
    prefilter = _rules().prefilter_re
    paragraph, previous_role = -1, None  # the role the paragraph's previous sentence named
    # the figures' sentences: a summary's bullets and citation markers end a statement too
    for sentence in split_sentences(folded, doc.body_start):
        lo, hi = sentence.start, sentence.end
        if sentence.paragraph != paragraph:
            paragraph, previous_role = sentence.paragraph, None
        context_role, previous_role = previous_role, _sentence_role(folded, lo, hi)
        if not prefilter.search(folded, lo, hi):
            continue  # no holder vocabulary at all: skip the per-rule scans
        rows = _sentence_rows(folded, original, lo, hi, context_role)
        if not rows:
            continue
        as_of = _as_of(folded, lo, hi, dates, doc.published_at)
        holder_spans = [r.list_span for r in rows]
        for row in rows:
            # "X的股东包括…": X owns the list; an X the matcher does not know means: not the subject's.
            clause_start = clause_bounds(folded, row.span[0], lo, hi)[0]
            named, unknown = company_named_before(
                folded, clause_start, row.span[0], doc.published_at, matcher
            )
            if unknown:
                continue
            company_id = named or attribute_company(
                mentions, lo, hi, row.span[0], subject_ids, skip=holder_spans
            )
            if company_id is None or matcher.resolve(row.holder.name) == company_id:
                continue  # unattributable, or the company itself
            found.append((company_id, row, as_of))
    out = _merge_rows(doc, found)
    if not out:
        return empty_frame("ingest_shareholders")
    return conform(pl.DataFrame(out), "ingest_shareholders")


MERGE_QUOTE_CHARS = 300  # a stake and an amount stated this close share one quote spanning both


def _merge_rows(doc: Document, found: list[tuple[str, HolderRow, date]]) -> list[dict]:
    """One record per company × holder × role.

    - A row without a role ('other') for a holder the document gives a role elsewhere takes that
      role ("润科基金认购…" as cornerstone, later "润科基金上市后将持有约2.1%"; a founder's stake).
    - A founder named only by title, with no stake and no other holder row, is not a shareholder
      ("创始人兼CEO张三表示…").
    - Values from several rows of one holder are combined; the quote spans both when they are close.
    """
    roles: dict[tuple[str, str], list[str]] = {}
    for company_id, row, _ in found:
        kinds = roles.setdefault((company_id, row.holder.name), [])
        if row.holder_type not in kinds:
            kinds.append(row.holder_type)
    valued = {r.holder.name: True for _, r, _ in found if r.stake_pct is not None or r.amount is not None}
    out: dict[tuple[str, str, str], dict] = {}
    for company_id, row, as_of in found:
        kinds = roles[(company_id, row.holder.name)]
        specific = [k for k in kinds if k != "other"]
        kind = row.holder_type
        if kind == "other" and specific:
            kind = specific[0]
        has_value = row.stake_pct is not None or row.amount is not None
        if kind == "founder" and not has_value and kinds == ["founder"] and not valued.get(row.holder.name):
            continue
        key = (company_id, row.holder.name, kind)
        new = _record(doc, company_id, replace(row, holder_type=kind), as_of)
        record = out.get(key)
        if record is None:
            out[key] = new
            continue
        for field in ("stake_pct", "subscription_amount"):
            if record[field] is None and new[field] is not None:
                record[field] = new[field]
                if field == "subscription_amount":
                    record["currency"] = new["currency"]
                record["qualifier"] = (
                    new["qualifier"] if record["qualifier"] == "exact" else record["qualifier"]
                )
                start = min(record["char_start"], new["char_start"])
                end = max(record["char_end"], new["char_end"])
                if end - start <= MERGE_QUOTE_CHARS:
                    record.update(char_start=start, char_end=end, quote=doc.text[start:end])
                else:
                    record.update(char_start=new["char_start"], char_end=new["char_end"], quote=new["quote"])
        if not record["parent_entity"] and new["parent_entity"]:
            record["parent_entity"] = new["parent_entity"]
    return list(out.values())


def _record(doc: Document, company_id: str, row: HolderRow, as_of: date) -> dict:
    name = row.holder.name
    start, end = row.span
    return {
        "holder_id": _holder_id(doc.document_id, company_id, name, row.holder_type),
        "document_id": doc.document_id,
        "company_id": company_id,
        "holder_name": name,
        "holder_name_en": name if name.isascii() else "",
        "holder_type": row.holder_type,
        "parent_entity": row.holder.parent,
        "stake_pct": row.stake_pct,
        "subscription_amount": row.amount,
        "currency": row.currency,
        "qualifier": row.qualifier,
        "as_of": as_of,
        "char_start": start,
        "char_end": end,
        "quote": doc.text[start:end],
    }
