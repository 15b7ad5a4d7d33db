"""Company recognition: aliases from the reference seed matched in folded text.

Interface used by the other extractors (keep it stable):

- `CompanyMatcher.from_seed(path)` builds a matcher from `seeds/reference/ref_companies.csv`.
- `matcher.find_mentions(folded) -> list[CompanyMention]`, longest alias first, no overlaps.
- `matcher.resolve(name) -> company_id | None` for a name as written (either script).
- `matcher.subject_ids(doc) -> list[str]`: the document's subject companies.
- `matcher.add(company_id, *names)` registers a company found in a document (only while the
  registry is built: extraction never changes a matcher).

Discovery (`find_companies`, merged over a corpus by `ingest.registry`): a company the seed does
not know becomes a subject when the manifest / front matter names it, or when the title or lead of
the article says "<name>登陆港交所 / 通过聆讯 / 递表 / 挂牌上市 / 招股 …" (triggers and trimming words live in
`ingest/rules/events.yml`). Only the title and the first `LEAD_CHARS` characters of the body are
searched: later mentions are usually other companies used as comparisons, and a wrong subject is
worse than a missing one. One entity gives one subject:
- a candidate is cut at headline verbs and time words (`subject_cut_words`: "X今起招股" → X,
  "X转战港股再递表" → X);
- a headline form the body never repeats becomes its longest prefix the body uses ("X医疗AI" → X医疗);
- names that contain one another are one company, and so are a full name and the short name in
  brackets after it ("X科技（X）", "X有限公司（以下简称"X"）", "X（Lingshu AI）"): all are registered
  with `matcher.add` under one id;
- "X与Y同日登陆港交所" gives two subjects when both are named again in the body.
The id is the pinyin slug of the manifest name, else of the longest Chinese name the body uses (the
legal "…有限公司" name only when there is no other), so it is stable across documents.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

from ingest.dates import find_dates
from ingest.text import Document, fold

DEFAULT_COMPANIES_SEED = Path(__file__).resolve().parent.parent / "seeds/reference/ref_companies.csv"
RULES_DIR = Path(__file__).resolve().parent / "rules"
LEAD_CHARS = 600  # at most this much of the body (after the title) may name an unseen subject company
LEAD_PARAGRAPHS = 2  # ... and only its first paragraphs of at least PARAGRAPH_MIN_CHARS (not bylines)
PARAGRAPH_MIN_CHARS = 30
MIN_MENTIONS = 2  # an unseen subject found in the lead must be named again in the document
HEADLINE_CHARS = 60  # a first line this short, in a document without a title, is its headline


@cache
def load_rules(name: str) -> dict:
    """Parsed `ingest/rules/<name>.yml`; a missing or malformed file raises naming it."""
    path = RULES_DIR / f"{name}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"rules file {path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TypeError(f"rules file {path}: expected a mapping at top level, got {type(data).__name__}")
    return data


def rule(name: str, key: str):
    """One entry of a rules file, with an error naming file and key when it is missing."""
    data = load_rules(name)
    if key not in data:
        raise KeyError(f"rules file {RULES_DIR / (name + '.yml')}: missing key {key!r}")
    return data[key]


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first (so 港元 is tried before 元)."""
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class CompanyMention:
    start: int
    end: int
    company_id: str
    alias: str  # the folded alias that matched


@dataclass(frozen=True)
class AliasCollision:
    alias: str  # folded, lower case
    claimants: tuple[str, ...]  # company ids that list it
    owner: str | None  # who keeps it: the company whose own name it is, else nobody


def master_aliases(rows: list[dict[str, str]]) -> tuple[dict[str, str], list[AliasCollision]]:
    """Folded alias -> company_id over the company master, and the aliases two companies share.

    The rule for a shared alias (网易 on 网易, 网易有道 and 网易云音乐): it belongs to the company whose own
    name (simplified, traditional or English) it is; when it is no company's own name (华大 for 华大智造
    and 华大基因), it belongs to nobody, since a shared short name cannot tell the companies apart.
    """
    claims: dict[str, list[str]] = {}
    own: dict[str, str] = {}
    for row in rows:
        cid = row["company_id"]
        names = [row.get("name_zh") or "", row.get("name_zh_hant") or "", row.get("name_en") or ""]
        for name in names:
            if name.strip():
                own.setdefault(fold(name.strip()).lower(), cid)
        for alias in names + (row.get("aliases") or "").split("|"):
            key = fold(alias.strip()).lower()
            if key and cid not in claims.setdefault(key, []):
                claims[key].append(cid)
    aliases: dict[str, str] = {}
    collisions: list[AliasCollision] = []
    for key, claimants in claims.items():
        if len(claimants) == 1:
            aliases[key] = claimants[0]
            continue
        owner = own.get(key)
        collisions.append(AliasCollision(key, tuple(claimants), owner))
        if owner is not None:
            aliases[key] = owner
    return aliases, collisions


def _index_alias(index: dict[str, list[int]], alias: str) -> None:
    if not alias:
        return
    lengths = index.setdefault(alias[0], [])
    if len(alias) not in lengths:
        lengths.append(len(alias))
        lengths.sort(reverse=True)


def _lower_same_length(text: str) -> str:
    """`text.lower()`, except characters whose lower case is longer (e.g. 'İ') stay as they are, so
    offsets into the result are offsets into `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass
class CompanyMatcher:
    aliases: dict[str, str]  # folded alias -> company_id
    names_zh: dict[str, str]  # company_id -> simplified name
    # First character -> alias lengths present, longest first (built lazily, extended by `add`).
    _compiled: dict[str, list[int]] | None = field(default=None, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)  # len(aliases) when indexed
    _mention_cache: dict[str, list[CompanyMention]] = field(default_factory=dict, repr=False, compare=False)
    discovered_ids: set[str] = field(default_factory=set, repr=False, compare=False)  # added by discovery

    @classmethod
    def from_seed(cls, path: Path = DEFAULT_COMPANIES_SEED) -> CompanyMatcher:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        aliases, _ = master_aliases(rows)
        return cls(aliases=aliases, names_zh={row["company_id"]: row["name_zh"] for row in rows})

    def add(self, company_id: str, *names: str) -> None:
        """Register an extra company (e.g. discovered in a document)."""
        in_sync = self._compiled is not None and self._indexed == len(self.aliases)
        for name in names:
            if name:
                alias = fold(name).lower()
                self.aliases[alias] = company_id
                if in_sync:
                    _index_alias(self._compiled, alias)
        self._indexed = len(self.aliases) if in_sync else -1
        self.names_zh.setdefault(company_id, names[0] if names else company_id)
        self._mention_cache.clear()

    def _index(self) -> dict[str, list[int]]:
        # A dict index rather than one regex alternation over every alias: discovery adds companies
        # document after document, and recompiling a 10,000-alias pattern each time was quadratic.
        # Rebuilt when `aliases` was changed behind `add` (e.g. by a matcher sharing the dict).
        if self._compiled is None or self._indexed != len(self.aliases):
            index: dict[str, list[int]] = {}
            for alias in self.aliases:
                _index_alias(index, alias)
            self._compiled = index
        self._indexed = len(self.aliases)
        return self._compiled

    def find_mentions(self, folded: str) -> list[CompanyMention]:
        # Several extractors scan the same document: remember the last few answers.
        cached = self._mention_cache.get(folded)
        if cached is None:
            cached = self._find_mentions(folded)
            if len(self._mention_cache) >= 4:
                self._mention_cache.clear()
            self._mention_cache[folded] = cached
        return list(cached)

    def _find_mentions(self, folded: str) -> list[CompanyMention]:
        if not self.aliases:
            return []
        index, aliases = self._index(), self.aliases
        lowered = _lower_same_length(folded)
        out = []
        # Leftmost-longest, non-overlapping: the same matches as a regex alternation longest first.
        i, n = 0, len(lowered)
        while i < n:
            lengths = index.get(lowered[i])
            alias = None
            if lengths is not None:
                alias = next((lowered[i : i + k] for k in lengths if lowered[i : i + k] in aliases), None)
            if alias is None:
                i += 1
                continue
            start, end = i, i + len(alias)
            i = end
            # Latin aliases must not match inside longer words (e.g. 'Zhipu' in 'ZhipuX').
            if alias.isascii():
                before = folded[start - 1] if start else " "
                after = folded[end] if end < n else " "
                if before.isalnum() and before.isascii() or after.isalnum() and after.isascii():
                    continue
            out.append(CompanyMention(start, end, aliases[alias], alias))
        return out

    def aliases_in(self, folded: str) -> set[str]:
        """Every alias occurring anywhere in `folded` (overlapping ones too): what a reader of this
        text can get from the matcher, by `find_mentions` or by `resolve` of a name it contains."""
        if not self.aliases or not folded:
            return set()
        index, aliases = self._index(), self.aliases
        lowered = _lower_same_length(folded)
        found: set[str] = set()
        for i, ch in enumerate(lowered):
            for k in index.get(ch, ()):
                piece = lowered[i : i + k]
                if piece in aliases:
                    found.add(piece)
        return found

    def resolve(self, name: str) -> str | None:
        return self.aliases.get(fold(name).strip().lower())

    def subject_ids(self, doc: Document) -> list[str]:
        ids = []
        for name in doc.subject_companies:
            cid = self.resolve(name) or (name if name in self.names_zh else None)
            if cid and cid not in ids:
                ids.append(cid)
        return ids


# ---------------------------------------------------------------------------------------------------
# Discovery of subject companies the seed does not know


@dataclass(frozen=True)
class DiscoveredCompany:
    company_id: str
    name_zh: str  # simplified
    name_as_written: str
    evidence: str
    known: bool  # True when the name resolved to a company the matcher already knew
    aliases: tuple[str, ...] = ()  # other names of the same company in this document (folded)
    subject: bool = True  # False for a comparable company named beside the subject
    ticker: str = ""  # '9923.HK', '688041.SH', 'XPEV' when the document states the stock code
    exchange: str = ""  # HKEX / STAR / SSE / SZSE / NASDAQ / NYSE, from the stock code


@dataclass(frozen=True)
class _DiscoveryRules:
    trigger_re: re.Pattern[str]
    tail_re: re.Pattern[str]
    head_re: re.Pattern[str]
    cut_re: re.Pattern[str]
    joiner_re: re.Pattern[str]
    bracket_re: re.Pattern[str]
    stop_names: frozenset[str]
    comparable_cue_re: re.Pattern[str]
    comparable_name_re: re.Pattern[str]
    generic_end_re: re.Pattern[str]
    stock_code_re: re.Pattern[str]
    ticker_statement_re: re.Pattern[str]
    parent_after_re: re.Pattern[str]
    filing_name_re: re.Pattern[str]
    title_next_re: re.Pattern[str]
    title_separator_re: re.Pattern[str]
    title_tag_re: re.Pattern[str]
    region_re: re.Pattern[str]
    region_bracket_re: re.Pattern[str]
    legal_suffix_re: re.Pattern[str]
    core_suffix_re: re.Pattern[str]
    company_suffix_re: re.Pattern[str]
    firm_name_re: re.Pattern[str]


@lru_cache(maxsize=1)
def _discovery_rules() -> _DiscoveryRules:
    triggers = rule("events", "subject_triggers")
    leads = alternation(rule("events", "alias_bracket_leads"))
    return _DiscoveryRules(
        trigger_re=re.compile("|".join(f"(?:{t})" for t in triggers)),
        tail_re=re.compile("(?:" + alternation(rule("events", "subject_tail_words")) + r"|\s+|\([^()]*\))$"),
        head_re=re.compile("(?:" + alternation(rule("events", "subject_descriptors")) + ")"),
        cut_re=re.compile(alternation(rule("events", "subject_cut_words"))),
        joiner_re=re.compile(alternation(rule("events", "subject_joiners"))),
        # "(以下简称"X")", "(X)", "(Lingshu AI)" right after a name; ',简称X' too.
        bracket_re=re.compile(
            rf'\(\s*(?:{leads})?[:：]?\s*"?(?P<short>[^()"，,。；;:：]{{2,24}}?)"?\s*\)'
            # '(以下简称"X"或"本公司")': the first quoted name
            rf'|\(\s*(?:{leads})?[:：]?\s*"(?P<quoted>[^()"，,。；;:：]{{2,24}})"[^()]{{0,24}}\)'
            rf"|[，,]\s*(?:{leads})[:：]?\s*\"?"
            rf"(?P<short2>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9 ]{{1,15}}?)\"?(?=[，,。；;)\n])"
        ),
        stop_names=frozenset(rule("events", "subject_stop_names")),
        comparable_cue_re=re.compile(alternation(rule("events", "comparable_cues"))),
        # the shortest run of name characters at a clause start followed by a year or a metric word
        comparable_name_re=re.compile(
            r"(?:而|则|另外|此外)?(?P<name>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]{1,11}?)"
            r"(?=\d{4}年|去年|今年|同期|的?(?:"
            + alternation(rule("events", "comparable_metric_words"))
            + "))"
        ),
        generic_end_re=re.compile(
            "(?:" + alternation(rule("events", "subject_descriptors")) + r"|行业|市场|平均|整体|同行|同业)$"
        ),
        stock_code_re=re.compile(rule("events", "stock_code")),
        ticker_statement_re=re.compile(rule("events", "ticker_statement")),
        parent_after_re=re.compile(rule("events", "parent_after")),
        filing_name_re=re.compile(rule("events", "filing_name")),
        title_next_re=re.compile(
            "(?:" + alternation(rule("events", "title_subject_next")) + ")", re.IGNORECASE
        ),
        title_separator_re=re.compile(rule("events", "title_separators")),
        title_tag_re=re.compile(rule("events", "title_tags")),
        region_re=re.compile("^(?:" + alternation(rule("events", "region_prefixes")) + ")"),
        region_bracket_re=re.compile(
            r"\((?:" + alternation(rule("events", "region_prefixes")) + r")\)(?=\w)"
        ),
        legal_suffix_re=re.compile(rule("events", "legal_suffix")),
        core_suffix_re=re.compile("(?:" + alternation(rule("events", "legal_core_suffixes")) + ")$"),
        company_suffix_re=re.compile("(?:" + alternation(rule("events", "company_suffixes")) + ")$"),
        # a name ending like a company's, after a clause break ('，灿芯股份也是…')
        firm_name_re=re.compile(
            _FIRM_NAME_START + "(?:" + alternation(rule("events", "company_suffixes")) + ")", re.MULTILINE
        ),
    )


_CLAUSE_BREAK = re.compile(r"[，,。！？!?；;：:\n《》【】、|丨│｜]")
_NAME_OK = re.compile(r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9·.&\- ]*")
_BAD_NAME_CHARS = re.compile(r"[的了是在于将已也都被把与及和并]")
# spans of time and listing boards are never names ('三年亏损…', '科创板IPO曾拟募资…')
_NOT_A_NAME = re.compile(
    r"(?:[一二两三四五六七八九十几数近多首前后上下本今去明半全]+|\d+)(?:年|个月|月|季度?|周|天|日)"
    r"|(?:上|下)?半年(?:度)?|全年(?:度)?"
    r"|(?:科创|创业|主|中小)板|[北上深联]交所|纳斯达克|纽交所|[AHB]股|美股|港股"
    # a headline's adverb and verb ('首度折戟港交所', '首家申请科创板')
    r"|(?:首度|首家|首次|首只|再度|再次|火速|成功)[\u4e00-\u9fff]*"
)
_LEGAL_SUFFIX = re.compile(r"(?:有限公司|有限责任公司|集团)$")  # a registered full name may be long
_LATIN_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9.&\- ]{1,30}")
# in a lead, bullets (' - ') and citation markers ('[3]') end a clause too; in a headline, spaces do
_LEAD_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|\s[-–—•]\s|\[\d{1,3}\]")
_HEADLINE_BREAK = re.compile(_CLAUSE_BREAK.pattern + r"|\s+")
# a run of name characters right after a clause break, a descriptor word or a quote
_FIRM_NAME_START = r"(?:(?<=[，,。；;：:\n\"、 ])|^)[\u4e00-\u9fff]{1,6}?"
_INNER_DIGITS = re.compile(r"(?<=\D)\d")
_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年")
_LEADING_JOINER = re.compile(r"\s*(?:以及|及|与|和|、|&)\s*")
MIN_CUT_INDEX = 2  # a cut word may start a name ("再鼎…"): only cut after the first two characters


def company_slug(name_zh: str) -> str:
    """Stable id: pinyin of the simplified name, lowercase, underscores ('壁仞科技' → 'bi_ren_ke_ji')."""
    parts = lazy_pinyin(fold(name_zh))
    slug = "_".join(re.sub(r"[^0-9a-z]+", "_", p.lower()).strip("_") for p in parts)
    slug = re.sub(r"_+", "_", slug).strip("_")
    if not slug:
        raise ValueError(f"cannot build a company id from name {name_zh!r}")
    return slug


def _cut_at_trigger_words(name: str) -> str:
    """'X今起' → 'X', 'X转战港股再' → 'X': a headline verb or time word ends the name."""
    m = _discovery_rules().cut_re.search(name, MIN_CUT_INDEX)
    return name[: m.start()] if m else name


def _strip_tail(clause: str, published_at) -> str:
    """Remove adverbs, places, dates and headline words between a company name and its trigger."""
    tail_re = _discovery_rules().tail_re
    while True:
        before = clause
        clause = tail_re.sub("", clause)
        dates = find_dates(clause, published_at)
        if dates and dates[-1].end == len(clause):
            clause = clause[: dates[-1].start]
        if clause == before:
            return clause


def _name_before(clause: str) -> tuple[str, int]:
    """The name at the end of `clause` and its end offset: after the last descriptor word or quote
    ('AI独角兽X' → 'X', '老兵"X"' → 'X')."""
    head_re = _discovery_rules().head_re
    end = len(clause) - 1 if clause.endswith('"') else len(clause)
    body = clause[:end]
    cut = body.rfind('"') + 1
    for m in head_re.finditer(body, cut):
        if m.end() < len(body):
            cut = m.end()
    return body[cut:].strip(" -·"), end


def _is_plausible_name(name: str) -> bool:
    if name in _discovery_rules().stop_names or not _NAME_OK.fullmatch(name) or _NOT_A_NAME.fullmatch(name):
        return False
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in name)
    longest = 24 if _LEGAL_SUFFIX.search(name) else 10
    # a name may start with 和 (和黄医药) but not hold a joining or grammar word inside
    if cjk and (_BAD_NAME_CHARS.search(name, 1 if name[0] == "和" else 0) or not 2 <= cjk <= longest):
        return False
    if cjk and (" " in name or _DATELINE.search(name) or _INNER_DIGITS.search(name)):
        return False  # Chinese names hold no spaces and no '7月10日讯'; digits only lead ('360数科')
    return len(name) >= 2


@lru_cache(maxsize=1)
def _descriptor_end() -> re.Pattern[str]:
    return re.compile("(?:" + alternation(rule("events", "subject_descriptors")) + ")$")


def _split_joined(name: str) -> list[tuple[int, str]]:
    """(offset, part) of "X与Y" when both parts are at least two characters, else [(0, name)]."""
    rules = _discovery_rules()
    parts, begin = [], 0
    for m in rules.joiner_re.finditer(name):
        if _descriptor_end().search(name, begin, m.start()):
            continue  # '生物科技公司和黄医药': 和 starts the name after a descriptor, joins nothing
        if m.start() - begin >= 2 and len(name) - m.end() >= 2:
            parts.append((begin, name[begin : m.start()]))
            begin = m.end()
    parts.append((begin, name[begin:]))
    return parts


def _candidates_in(
    folded: str, original: str, published_at, headline: bool = False
) -> list[tuple[str, str, str, bool, str]]:
    """(folded name, name as written, evidence clause, joined, declared short name) for each
    "<name> … <trigger>" in `folded`; `joined` marks one of several names before one trigger
    ("X与Y同日挂牌"). In a `headline`, spaces separate phrases too."""
    rules = _discovery_rules()
    breaks = _HEADLINE_BREAK if headline else _LEAD_BREAK
    out = []
    for m in rules.trigger_re.finditer(folded):
        start = 0
        for brk in breaks.finditer(folded, 0, m.start()):
            start = brk.end()
        if start == m.start():
            continue
        clause = folded[start : m.start()]
        while True:  # cut and strip until stable: "X科技(X)今日正式" → "X科技"
            before = clause
            clause = _strip_tail(_cut_at_trigger_words(clause), published_at)
            name, name_end = _name_before(clause)
            cut = _cut_at_trigger_words(name)
            if cut != name:
                clause = clause[: name_end - len(name) + len(cut)]
            if clause == before:
                break
        parts = _split_joined(clause)
        for offset, part in parts:  # "X与自动驾驶方案商Y": each part loses its own descriptor
            name, name_end = _name_before(part)
            name_start = start + offset + name_end - len(name)
            written = original[name_start : name_start + len(name)]
            short = ""
            if "(" in name:
                # '珞石(山东)机器人集团股份有限公司(下称"珞石")': the place in brackets is not part of the
                # name, and the short name declared after it is the one the article repeats
                b = rules.bracket_re.match(folded, name_start + len(name))
                short = (b.group("short") or b.group("quoted") or "").strip() if b else ""
                name = rules.region_bracket_re.sub("", name)
                written = rules.region_bracket_re.sub("", fold(written))
                written = written if len(written) == len(name) else name
            if not _is_plausible_name(name):
                continue
            out.append((name, written, original[start : m.end()], len(parts) > 1, short))
    return out


def _prefer_recurring(name: str, body: str) -> str:
    """A headline name the body never repeats ('X医疗AI') becomes its longest prefix the body does
    use ('X医疗'), so the headline's extra words do not make a second company."""
    if name in body or not body:
        return name
    for end in range(len(name) - 1, 1, -1):
        prefix = name[:end]
        if prefix in body and _is_plausible_name(prefix):
            return prefix
    return name


def _body_without_title(doc: Document) -> str:
    """Folded body with lines that repeat the title blanked (a markdown '# title' line)."""
    body = doc.folded[doc.body_start :]
    title = fold(_headline(doc)).strip()
    if not title:
        return body
    return "\n".join("" if line.strip().lstrip("#").strip() == title else line for line in body.split("\n"))


def company_named_before(
    folded: str, clause_start: int, pos: int, published_at, matcher: CompanyMatcher
) -> tuple[str | None, bool]:
    """The company named just before `pos` in its clause ("X于6月30日成功登陆港交所"):
    (company_id, False) when known, (None, True) when a plausible name the matcher does not know and
    the document names again, (None, False) otherwise (a pronoun, a date, a phrase, nothing)."""
    clause = _strip_tail(folded[clause_start:pos], published_at)
    ending = [m for m in matcher._find_mentions(clause) if m.end == len(clause)]
    if ending:  # "其中智谱" → 智谱
        return ending[-1].company_id, False
    name, _ = _name_before(clause)
    cut = _cut_at_trigger_words(name)
    if cut != name:  # "X今日正式" → X
        clause = _strip_tail(clause[: len(clause) - len(name) + len(cut)], published_at)
        ending = [m for m in matcher._find_mentions(clause) if m.end == len(clause)]
        if ending:
            return ending[-1].company_id, False
        name, _ = _name_before(clause)
    if not _is_plausible_name(name):
        return None, False
    known = matcher.resolve(name)
    if known:
        return known, False
    # An unknown name counts as a company only when the document repeats it (a phrase such as
    # "但仅三个月后" does not recur; another company's name usually does).
    return None, folded.count(name) >= MIN_MENTIONS


@dataclass
class _Entity:
    """Names found for one company in one document; the first is the preferred (canonical) one."""

    names: list[str]  # folded
    written: str
    evidence: str
    known_id: str | None = None
    from_manifest: bool = False
    subject: bool = True
    ticker: str = ""
    exchange: str = ""

    def owns(self, name: str) -> bool:
        return any(name in n or n in name for n in self.names)


def _short_aliases(doc: Document, names: list[str]) -> list[str]:
    """Other names declared around one of `names`: the short name after a full one ("X科技（X）",
    "X（以下简称"X"）", "X（Lingshu AI）") and the full name before a short one ("X科技（X）" when only X
    is known)."""
    rules, folded, out = _discovery_rules(), doc.folded, []
    for name in names:
        for m in re.finditer(re.escape(name), folded):
            b = rules.bracket_re.match(folded, m.end())
            if b:
                short = (b.group("short") or b.group("quoted") or b.group("short2") or "").strip()
                declared = "简称" in b.group(0) or "下称" in b.group(0)
                # A Chinese short form shares the full name's first character (or is declared by 简称);
                # a Latin name's bracket gives its Chinese name ("Nebulink(星云通信)").
                latin_name = _LATIN_ALIAS.fullmatch(name) is not None
                chinese = _is_plausible_name(short) and (
                    declared or short[0] == name[0] or _same_company(short, name) or latin_name
                )
                latin = _LATIN_ALIAS.fullmatch(short) is not None and len(short) >= 3
                if short != name and short not in rules.stop_names and (chinese or latin):
                    out.append(short)
            full = _full_name_before(folded, m.start(), m.end(), name)
            if full:
                out.append(full)
    return list(dict.fromkeys(n for n in out if n not in names))


def _full_name_before(folded: str, start: int, end: int, short: str) -> str | None:
    """'X科技' when `short` X at [start, end) is the bracket of "X科技（X）" / "X科技（简称"X"）"."""
    opening = folded.rfind("(", max(0, start - 12), start)
    if opening < 0 or not re.fullmatch(
        r"\(\s*(?:" + alternation(rule("events", "alias_bracket_leads")) + r')?[:：]?\s*"?',
        folded[opening:start],
    ):
        return None
    if not re.match(r'"?\s*\)', folded[end : end + 3]):
        return None
    clause_start = 0
    for brk in _CLAUSE_BREAK.finditer(folded, max(0, opening - 40), opening):
        clause_start = brk.end()
    name, _ = _name_before(folded[max(clause_start, opening - 40) : opening])
    declared = "称" in folded[opening:start]
    related = name[0] == short[0] or short[:2] in name or declared and _LEGAL_SUFFIX.search(name)
    if len(name) > len(short) and related and _is_plausible_name(name):
        return name
    return None


@dataclass
class _Candidate:
    """A company name the title or the lead of a document gives, with how it was found."""

    name: str  # folded
    written: str
    evidence: str
    source: str  # title / lead
    position: int  # offset in the title or the document, for "first named"
    joined: bool = False  # one of several names before one trigger ("X与Y同日挂牌")
    coded: bool = False  # named with its stock code ("移卡(9923)"): a company for certain
    parent: bool = False  # "长和(00001)旗下…": the parent of the company the article is about
    ticker: str = ""
    exchange: str = ""
    short: str = ""  # the short name declared with the code ("(以下简称"X",688041.SH)")
    latin: str = ""  # the Latin name given with the code ("元光科技(2605,METALIGHT)")

    @property
    def names(self) -> list[str]:
        return [n for n in (self.name, self.short, self.latin) if n]


def _ticker(code: str, market: str, us: str) -> tuple[str, str]:
    """(ticker, exchange) of a stock code as written beside a name."""
    if us:
        return us.upper(), ""
    market = (market or "").upper()
    if market == "HK" or (not market and len(code) in (4, 5)):
        return f"{int(code):04d}.HK", "HKEX"
    if len(code) == 6:
        if code.startswith(("688", "689")):
            return f"{code}.SH", "STAR"
        if code.startswith("60"):
            return f"{code}.SH", "SSE"
        if code.startswith(("00", "30")):
            return f"{code}.SZ", "SZSE"
    return code, ""


def _coded_candidates(folded: str, original: str, offset: int, source: str) -> list[_Candidate]:
    """Names written with their stock code: "移卡(9923)", "微创机器人-B(02252.HK)", "X(以下简称"Y",09680)"."""
    rules, out = _discovery_rules(), []
    for m in rules.stock_code_re.finditer(folded):
        start = max(0, m.start() - 40)
        for brk in _CLAUSE_BREAK.finditer(folded, start, m.start()):
            start = brk.end()
        close = folded.rfind(")", start, m.start())
        start = max(start, close + 1)
        space = max(folded.rfind(" ", start, m.start() - 1), folded.rfind("\u3000", start, m.start() - 1))
        start = max(start, space + 1)  # '中国经济网北京7月10日讯 如祺出行…': a dateline before a space
        joiner = _LEADING_JOINER.match(folded, start, m.start())
        start = joiner.end() if joiner else start  # '(6979)及梅斯健康(2415)'
        clause = folded[start : m.start()]
        # '$明略科技-W', '润迈德-B': a market tag and a share-class letter are not part of the name
        trimmed = re.sub(r"-(?:[A-Z]{1,2})$", "", clause.rstrip()).lstrip("$ ")
        name, name_end = _name_before(trimmed)
        if not _is_plausible_name(name):
            continue
        name_start = start + (len(clause) - len(clause.lstrip("$ "))) + name_end - len(name)
        ticker, exchange = _ticker(m.group("code") or "", m.group("mkt") or "", m.group("us") or "")
        out.append(
            _Candidate(
                name=name,
                written=original[name_start : name_start + len(name)],
                evidence=original[start : m.end()],
                source=source,
                position=offset + start,
                coded=True,
                parent=rules.parent_after_re.match(folded, m.end()) is not None,
                ticker=ticker,
                exchange=exchange,
                short=(m.group("short") or "").strip(),
                latin=(m.group("latin") or "").strip().lower(),
            )
        )
    return out


def _headline_phrases(folded: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each phrase of a folded headline, between separators, its tag dropped."""
    rules = _discovery_rules()
    pos = 0
    for segment in rules.title_separator_re.split(folded):
        at = folded.find(segment, pos)
        pos = at + len(segment)
        tag = rules.title_tag_re.match(segment)
        if tag:
            segment, at = segment[tag.end() :], at + tag.end()
        if segment:
            yield at, segment


def _title_lead_names(title: str, body: str) -> list[_Candidate]:
    """The name a headline segment starts with: its longest start that the body repeats and that a
    headline word follows ("快手IPO│…", "京東健康首掛…", "13號仔… 和黃醫藥今起招股" → 和黄医药)."""
    rules = _discovery_rules()
    folded = fold(title)
    out: list[_Candidate] = []
    for at, segment in _headline_phrases(folded):
        rest_after = folded[at:]
        for end in range(min(len(segment), 12), 1, -1):
            name = segment[:end]
            rest = rest_after[end:]
            if not _is_plausible_name(name) or _cut_at_trigger_words(name) != name:
                continue
            follows = rest and (rules.title_next_re.match(rest) or rest[0] in " (:：|丨│｜,，!！")
            # the body repeats it, the headline does ("X:X首次公开发行…"), or it ends like a company's name
            named = name in body or folded.count(name) >= 2 or rules.company_suffix_re.search(name)
            if not follows or not named:
                continue
            out.append(_Candidate(name, title[at : at + end], title, "title", at, coded=name not in body))
            break
        if out:
            break
    return out


# an offering sheet's line '06622 兆科眼科': the stock code, then the name
_CODE_FIRST_LINE = re.compile(
    r"^[ \t]*(?P<code>\d{4,6})[ \t]+(?P<name>[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z]{1,11})[ \t]*$", re.M
)


def _code_first_names(doc: Document) -> list[_Candidate]:
    """Names on a line of their own after their stock code, in the lead of an offering sheet."""
    out = []
    for m in _CODE_FIRST_LINE.finditer(doc.folded, doc.body_start, doc.body_start + LEAD_CHARS):
        name = m.group("name")
        if _is_plausible_name(name):
            s, e = m.span("name")
            ticker, exchange = _ticker(m.group("code"), "", "")
            out.append(
                _Candidate(name, doc.text[s:e], doc.text[m.start() : m.end()].strip(), "lead", s, coded=True,
                           ticker=ticker, exchange=exchange)
            )  # fmt: skip
    return out


def _filing_names(doc: Document) -> list[_Candidate]:
    """ "公司简称:X" in a filing, and "X:X首次公开发行…" headlines of filings."""
    rules, out = _discovery_rules(), []
    for m in rules.filing_name_re.finditer(doc.folded, doc.body_start, doc.body_start + LEAD_CHARS):
        name = m.group("name")
        if _is_plausible_name(name):
            s, e = m.span("name")
            out.append(_Candidate(name, doc.text[s:e], doc.text[m.start() : m.end()], "lead", s, coded=True))
    return out


# a registered name ('北京海致科技集团股份有限公司'), region brackets included
_REGISTERED_NAME = re.compile(r"[\u4e00-\u9fff()]{2,30}?(?:股份有限公司|有限责任公司|有限公司)")


def _declared_names(doc: Document) -> list[_Candidate]:
    """Registered names of the lead that declare, in the bracket after them, the short name the article
    then uses ('北森控股有限公司("北森")', '澜石科技股份有限公司(以下简称"澜石")'): a company for certain."""
    rules, out = _discovery_rules(), []
    lo, hi = _lead_span(doc)
    for m in _REGISTERED_NAME.finditer(doc.folded, lo, hi):
        bracket = rules.bracket_re.match(doc.folded, m.end())
        short = (bracket.group("short") or bracket.group("quoted") or "").strip() if bracket else ""
        name, _ = _name_before(rules.region_bracket_re.sub("", m.group(0)))
        if not (short and _is_plausible_name(name) and _is_plausible_name(short)):
            continue
        written = doc.text[m.end() - len(name) : m.end()]
        written = written if fold(written) == name else name
        evidence = doc.text[m.start() : bracket.end()]
        out.append(_Candidate(name, written, evidence, "lead", m.start(), coded=True, short=short))
    return out


def _core_names(name: str) -> list[str]:
    """Shorter forms of a registered name an article may use: '北京海致科技集团股份有限公司' →
    ['海致科技集团', '海致科技', '海致']; '' for a name that is not a registered one."""
    rules = _discovery_rules()
    if not rules.legal_suffix_re.search(name):
        return []
    core = rules.legal_suffix_re.sub("", name)
    core = rules.region_re.sub("", core) or core
    out = [core]
    while True:
        shorter = rules.core_suffix_re.sub("", out[-1])
        if shorter == out[-1] or len(shorter) < 2:
            return out
        out.append(shorter)


def _same_company(a: str, b: str) -> bool:
    """Names one article uses for one company: one starts the other ('奕斯伟' / '奕斯伟计算'), or a
    registered name and the name it is known by ('广州极飞科技股份有限公司' / '极飞科技')."""
    a, b = a.lower(), b.lower()
    forms_a = [a, *_core_names(a)]
    forms_b = [b, *_core_names(b)]
    return any(
        x == y or (min(len(x), len(y)) >= 2 and (x.startswith(y) or y.startswith(x)))
        for x in forms_a
        for y in forms_b
    )


def _discover(doc: Document, matcher: CompanyMatcher) -> list[DiscoveredCompany]:
    """The companies of `doc`, subjects first (see the module docstring for the order of evidence)."""
    entities: list[_Entity] = []

    def entity_for(name: str) -> _Entity | None:
        return next((e for e in entities if any(_same_company(name, n) for n in e.names)), None)

    for name in doc.subject_companies:
        written = name.strip()
        folded_name = fold(written)
        if not folded_name:
            continue
        known = matcher.resolve(written) or (written if written in matcher.names_zh else None)
        entity = entity_for(folded_name)
        if entity is None:
            entities.append(_Entity([folded_name], written, f"manifest: {written}", known, True))
        elif folded_name not in entity.names:  # "X科技|X" in the manifest: two names of one company
            entity.names.append(folded_name)
    from_manifest = bool(entities)
    body = _body_without_title(doc)
    lo, hi = _lead_span(doc)
    headline = _headline(doc)
    title_folded = fold(headline)
    title: list[_Candidate] = _coded_candidates(title_folded, headline, 0, "title")
    if not title:
        title = _title_lead_names(headline, body)
    for name, written, evidence, joined, _ in _candidates_in(title_folded, headline, doc.published_at, True):
        title.append(_Candidate(_prefer_recurring(name, body), written, evidence, "title", 0, joined))
    lead = (
        _filing_names(doc)
        + _declared_names(doc)
        + _code_first_names(doc)
        + _coded_candidates(doc.folded[lo:hi], doc.text[lo:hi], lo, "lead")
    )
    for name, written, evidence, joined, short in _candidates_in(
        doc.folded[lo:hi], doc.text[lo:hi], doc.published_at
    ):
        at = doc.folded.find(name, lo)
        at = doc.folded.find(short, lo) if at < 0 and short else at
        lead.append(_Candidate(name, written, evidence, "lead", at, joined, short=short))
    lead.sort(key=lambda c: c.position)

    def usable(c: _Candidate) -> bool:
        known = matcher.resolve(c.name)
        names = [c.name, *([c.short] if c.short else []), *_short_aliases(doc, [c.name])]
        # named again: in the body after a headline, or twice in the headline and the document
        needed = 1 if c.source == "title" else MIN_MENTIONS
        where = body if c.source == "title" else title_folded + "\n" + body
        recurs = any(where.count(n) >= needed for n in names)
        return known is not None or c.coded or recurs

    def add(c: _Candidate, subject: bool) -> None:
        known = matcher.resolve(c.name)
        entity = next((e for e in entities if known and e.known_id == known), None) or entity_for(c.name)
        if entity is None:
            entity = _Entity([c.name], c.written, c.evidence, known, subject=subject)
            entities.append(entity)
        elif c.name not in entity.names:
            entity.names.append(c.name)
        entity.names += [n for n in c.names if n not in entity.names]
        entity.ticker = entity.ticker or c.ticker
        entity.exchange = entity.exchange or c.exchange

    title = [c for c in title if usable(c) and not c.parent]
    lead = [c for c in lead if usable(c)]
    if not title and not lead and not from_manifest:
        # a page whose lead is navigation ('主頁 即時新聞 …'): the company named with its stock code
        # most often anywhere in the document; else a name the headline opens a phrase with and the
        # body repeats; else the company-like name the document repeats most
        lead = (
            _most_named_coded(doc)
            or _registered_name_line(doc)
            or _repeated_headline_name(headline, body, strong_only=True)
            or _most_named_firm(doc)
            or _headline_name_of_a_self_report(headline, body)
            or _repeated_headline_name(headline, body)
        )
    # Subjects: the manifest's; else the headline's (several when it joins them: "X与Y同日挂牌");
    # else the first company the lead names (with the ones joined to it). Every other company named
    # with a code or a trigger is registered beside them, never as a subject.
    if not from_manifest:
        chosen = title[:1] + [c for c in title[1:] if c.joined] if title else []
        if not chosen:
            first = next(
                (
                    c
                    for c in lead
                    if not c.parent and not _describes_another(c, lead) and not _in_listing(doc, c)
                ),
                None,
            )
            if first is not None:
                chosen = [first] + [
                    c for c in lead if c is not first and not c.parent and _joined_with(doc, first, c)
                ]
        for c in chosen:
            add(c, subject=True)
        # 'X(02408)及Y(02658)同日挂牌' in the lead of a headline that names one of them
        for a_, b_ in [(a_, b_) for a_ in lead for b_ in lead if a_ is not b_ and _joined_with(doc, a_, b_)]:
            subjects = [n for e in entities if e.subject for n in _specific(e.names)]
            if any(_same_company(a_.name, n) for n in subjects) and not b_.parent:
                add(b_, subject=True)
            elif any(_same_company(b_.name, n) for n in subjects) and not a_.parent:
                add(a_, subject=True)
    for c in title + lead:
        compatible = any(
            _same_company(x, n) for x in c.names for e in entities if e.subject for n in _specific(e.names)
        )
        if compatible and not c.parent:
            add(c, subject=True)
        elif c.coded or c.source != "title" or len(c.name) > 2 or matcher.resolve(c.name):
            add(c, subject=False)
        # else: a two-character phrase start of a headline that is not its subject, with no stock code
        # ('公开' of '公開發售佔一成'): registered, it would be matched inside common words of every
        # other document of the corpus
    for name, written, evidence in _comparables(doc, matcher, entities):
        entities.append(_Entity([name], written, evidence, subject=False))
    return _as_companies(doc, matcher, entities, body)


_CODED_LINE = re.compile(r"^\s*[^\s()]{2,16}\s?\(\s?\d{4,6}(?:\.hk)?\s?\)\s*$", re.IGNORECASE)


def _in_listing(doc: Document, c: _Candidate) -> bool:
    """A coded name in a run of lines that each hold only a coded name: a page's list of other
    issues (a new-listings calendar, a sidebar), not the company the page is about."""
    if not c.coded or c.position < 0:
        return False
    lines = doc.folded.split("\n")
    at = doc.folded.count("\n", 0, c.position)
    if not _CODED_LINE.match(lines[at]):
        return False
    near = [lines[i] for i in (at - 1, at + 1) if 0 <= i < len(lines)]
    return any(_CODED_LINE.match(line) for line in near)


def _describes_another(c: _Candidate, lead: list[_Candidate]) -> bool:
    """A coded name inside the clause of another company's trigger, before that company's name
    ('比亚迪(01211)及特斯拉供应商三花智控(02050)于6月13日招股'): part of a description."""
    if not c.coded:
        return False
    for t in lead:
        if t.coded or t.name == c.name or not t.evidence:
            continue
        inside, own = t.evidence.find(c.written), t.evidence.find(t.written)
        if 0 <= inside < own and _RELATION_BEFORE_NAME.search(fold(t.evidence[inside:own])):
            return True
    return False


# the words that make companies named before another its partners, not its peers
# ('比亚迪(01211)及特斯拉供应商三花智控', unlike '遇见小面(02408)及内地外延片制造商天域半导体')
_RELATION_BEFORE_NAME = re.compile(
    r"(?:供应商|客户|合作伙伴|合作方|代工厂|经销商|投资方|股东|子公司|旗下)\s?$"
)


def _specific(names: list[str]) -> list[str]:
    """The names of a company no other of its names starts ('奕斯伟' drops out beside '奕斯伟计算'):
    a later name must fit these, so two companies that share a short start stay two."""
    cores = {n: [n, *_core_names(n)] for n in names}
    return [
        n
        for n in names
        if not any(m != n and any(x.startswith(n) and x != n for x in cores[m]) for m in names)
    ] or names


# the body speaking of its company without naming it
# A summary of figures that never names its company: at least this many amounts, shares or multiples.
_BODY_FIGURE = re.compile(r"\d(?:[\d,]*\.?\d)?\s?(?:%|倍|亿|万|百万|港元|美元|元)")
MIN_NAMELESS_FIGURES = 3
_SELF_REFERENCE = re.compile(r"(?:^|[。，,；;\n\s])(?:本公司|公司|本集团|集团|该公司)(?:的)?[^，。,]{0,6}\d")


def _repeated_headline_name(headline: str, body: str, strong_only: bool = False) -> list[_Candidate]:
    """The longest start (2–8 characters) of a headline phrase that the body names at least twice;
    of several phrases, the first whose name a headline word follows or that ends like a company's.
    `strong_only`: only such a name (a verb opening the headline, '取消补流项目…', is not one)."""
    rules = _discovery_rules()
    folded = fold(headline)
    found: list[tuple[bool, _Candidate]] = []
    for seg_at, segment in _headline_phrases(folded):
        for end in range(min(len(segment), 8), 1, -1):
            name = segment[:end]
            if (
                _is_plausible_name(name)
                and _cut_at_trigger_words(name) == name
                and body.count(name) >= MIN_MENTIONS
            ):
                rest = folded[seg_at + end :]
                strong = bool(rules.title_next_re.match(rest) or rules.company_suffix_re.search(name))
                written = headline[seg_at : seg_at + end]
                found.append((strong, _Candidate(name, written, headline, "title", seg_at)))
                break
    weak = None if strong_only or not found else found[0][1]
    best = next((c for strong, c in found if strong), weak)
    return [best] if best else []


# a line that is one registered name, as announcements head their first page
# ('四环医药控股集团有限公司' over '(于百慕达注册成立之有限公司)')


def _registered_name_line(doc: Document) -> list[_Candidate]:
    """The registered name standing alone on an early line of a filing, when nothing else names the
    subject ('本公司' throughout the text)."""
    rules = _discovery_rules()
    pos = doc.body_start
    for raw in doc.folded[doc.body_start : doc.body_start + LEAD_CHARS * 2].split("\n"):
        line = raw.strip()
        start = pos + raw.find(line) if line else pos
        pos += len(raw) + 1
        if not line or not _REGISTERED_NAME.fullmatch(line) or "注册成立" in line:
            continue
        name = rules.region_bracket_re.sub("", line)
        if _is_plausible_name(name):
            return [_Candidate(name, doc.text[start : start + len(line)], line, "lead", start, coded=True)]
    return []


def _headline_name_of_a_self_report(headline: str, body: str) -> list[_Candidate]:
    """A filing or results note that calls itself 公司/本集团 throughout ('晶元智算:去年收入增两成'
    over '公司2024年收入…'), or a summary whose body names no company at all ('X公布配发结果' over
    bullets of figures): the name that opens the headline before a separator or a headline word."""
    rules = _discovery_rules()
    names_a_company = rules.firm_name_re.search(body) or rules.stock_code_re.search(body)
    nameless_figures = not names_a_company and len(_BODY_FIGURE.findall(body)) >= MIN_NAMELESS_FIGURES
    if not _SELF_REFERENCE.search(body) and not nameless_figures:
        return []
    folded = fold(headline)
    # later phrases too ('取消补流项目、毛利率…,健信超导科创板IPO上会迎考'), where a headline word follows
    starts = [at for at, _ in _headline_phrases(folded)]
    for at in starts:
        for end in range(min(len(folded) - at, 12), 1, -1):
            name, rest = folded[at : at + end], folded[at + end :]
            if not _is_plausible_name(name) or _cut_at_trigger_words(name) != name:
                continue
            if _headline_word_straddles(folded, at + 2, at + end) or _headline_word_inside(name):
                continue  # 'X全球|发售…', 'X全球发售|所得款项': the name runs into a headline word
            opening = at == starts[0]
            if rest and ((opening and rest[0] in ":：|丨│｜") or rules.title_next_re.match(rest)):
                return [_Candidate(name, headline[at : at + end], headline, "title", at)]
    return []


@lru_cache(maxsize=1)
def _long_headline_words() -> tuple[str, ...]:
    return tuple(w for w in rule("events", "title_subject_next") if len(w) >= 2 and not w.isdigit())


def _headline_word_inside(name: str) -> bool:
    """Whether a headline word of two characters or more follows the name's first two ('X全球发售')."""
    return any(w in name[2:] for w in _long_headline_words())


def _headline_word_straddles(folded: str, lo: int, end: int) -> bool:
    """Whether a headline word starts in folded[lo:end] and runs on past `end`."""
    title_next = _discovery_rules().title_next_re
    for k in range(max(lo, end - 3), end):
        m = title_next.match(folded, k)
        if m and m.end() > end:
            return True
    return False


def _most_named_firm(doc: Document) -> list[_Candidate]:
    """The name ending like a company's (科技, 智能, 医疗…) that the document repeats most, at least
    three times, when no other evidence names a subject."""
    rules = _discovery_rules()
    counts: dict[str, int] = {}
    for m in rules.firm_name_re.finditer(doc.folded, doc.body_start):
        name = m.group(0)
        if _is_plausible_name(name):
            counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0])))
    if not ranked or ranked[0][1] < 3 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return []
    name = ranked[0][0]
    at = doc.folded.find(name, doc.body_start)
    return [_Candidate(name, doc.text[at : at + len(name)], doc.text[at : at + 60], "lead", at)]


def lead_exchange(doc: Document) -> str:
    """The exchange of the first stock code in the title or lead ('天岳先進(2631)' → HKEX), '' when
    none: the listing an article is about, even when it names others ('科创板上市的…')."""
    lo, hi = _lead_span(doc)
    for folded, original, offset in (
        (fold(doc.title), doc.title, 0),
        (doc.folded[lo:hi], doc.text[lo:hi], lo),
    ):
        for c in _coded_candidates(folded, original, offset, "lead"):
            if not c.parent and c.exchange:
                return c.exchange
    return ""


def _most_named_coded(doc: Document) -> list[_Candidate]:
    """The coded company the document names most (at least twice), for documents without a usable
    title or lead; none when two tie (a list of listings is about no one of them)."""
    coded = [c for c in _coded_candidates(doc.folded, doc.text, 0, "lead") if not c.parent]
    # a line that is only a name and its code ('蒼南儀錶(01743)') heads the section about that company
    # (a run of such lines is a list of listings, about none of them)
    lines = [_line_at(doc.folded, c.position) for c in coded]
    headings = [
        c
        for i, c in enumerate(coded)
        if _WHOLE_LINE.fullmatch(lines[i])
        and not any(
            j != i and abs(coded[j].position - c.position) < 2 * len(lines[i]) + 8 for j in range(len(coded))
        )
    ]
    if len(headings) == 1:
        return headings
    counts = {c.name: doc.folded.count(c.name) for c in coded}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < MIN_MENTIONS or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return []
    return [next(c for c in coded if c.name == ranked[0][0])]


_WHOLE_LINE = re.compile(r"\s*[\u4e00-\u9fffA-Za-z][^\n]{0,24}\(\s?\d{4,6}(?:\.HK)?\s?\)\s*")


def _line_at(folded: str, pos: int) -> str:
    start = folded.rfind("\n", 0, pos) + 1
    end = folded.find("\n", pos)
    return folded[start : end if end >= 0 else len(folded)]


def _headline(doc: Document) -> str:
    """The document's title, else its first line when that reads as one (short, no full stop): real
    pages usually open with their headline even when the manifest gives none."""
    if doc.title.strip():
        return doc.title
    first = doc.text[doc.body_start :].lstrip("\ufeff \n").split("\n", 1)[0].strip()
    if first and len(first) <= HEADLINE_CHARS and not first.endswith(("。", "！", "？", ".")):
        return first
    return ""


def _joined_with(doc: Document, first: _Candidate, other: _Candidate) -> bool:
    """ "X(6979)及Y(2415)今日上市": Y is joined to X by 及/与/和/、 right after X's code."""
    gap = doc.folded[first.position : other.position]
    name_at = doc.folded.find(other.name, other.position)
    if name_at > other.position and _RELATION_BEFORE_NAME.search(doc.folded[other.position : name_at]):
        return False  # 'A(03750)及特斯拉供应商B(02051)': A is B's customer, not a second subject
    return (
        len(gap) <= len(first.evidence) + 4 and re.search(r"\)\s?(?:及|与|和|、|以及)\s?$", gap) is not None
    )


def _as_companies(
    doc: Document, matcher: CompanyMatcher, entities: list[_Entity], body: str
) -> list[DiscoveredCompany]:
    found: dict[str, DiscoveredCompany] = {}
    for entity in entities:
        entity.names += [a for a in _short_aliases(doc, entity.names) if a not in entity.names]
        known = entity.known_id or next(
            (matcher.resolve(n) for n in entity.names if matcher.resolve(n)), None
        )
        # shorter forms the body uses: of a registered name ('海致科技'), and a first part ('美团')
        # (and the longer ones even when this body does not: another article will write '珞石机器人'
        # for '珞石(山东)机器人集团股份有限公司')
        cores = [
            c
            for n in list(entity.names)
            for c in _core_names(n)
            if (c in body or len(c) >= 4) and c not in entity.names
        ]
        canonical = entity.names[0] if entity.from_manifest else _canonical(entity.names, body, cores)
        entity.names += cores
        entity.names += [
            p
            for p in _used_prefixes(entity.names, body, entities)
            if p not in entity.names and matcher.resolve(p) is None
        ]
        unseen = known is None or known in matcher.discovered_ids
        cid = known or company_slug(canonical)
        written = entity.written if fold(entity.written) == canonical else _as_written(doc, canonical)
        aliases = tuple(n for n in entity.names if n != canonical)
        if cid not in found:
            found[cid] = DiscoveredCompany(
                cid,
                canonical,
                written,
                entity.evidence,
                not unseen,
                aliases,
                entity.subject,
                entity.ticker or _stated_ticker(doc, entity.names),
                entity.exchange,
            )
    return list(found.values())


def _used_prefixes(names: list[str], body: str, entities: list[_Entity]) -> list[str]:
    """'美团' for '美团点评' when the body also writes it on its own, unless another company of the
    document starts with it too ('京东' is no alias of '京东健康' beside '京东集团')."""
    others = [n for e in entities if not any(n in names for n in e.names) for n in e.names]
    out = []
    for name in names:
        if not re.fullmatch(r"[\u4e00-\u9fff]{4,10}", name):
            continue
        for end in range(len(name) - 1, 1, -1):
            prefix = name[:end]
            alone = sum(
                1 for m in re.finditer(re.escape(prefix), body) if not body.startswith(name, m.start())
            )
            if alone >= 1 and not any(o.startswith(prefix) for o in others) and _is_plausible_name(prefix):
                out.append(prefix)
                break
    return out


def _stated_ticker(doc: Document, names: list[str]) -> str:
    """ "股票代码为"BNR"" in the lead of an article about one company."""
    m = _discovery_rules().ticker_statement_re.search(doc.folded, doc.body_start, doc.body_start + LEAD_CHARS)
    if not m:
        return ""
    ticker = m.group("ticker")
    return _ticker(ticker, "", "")[0] if ticker.isdigit() else ticker


def _comparables(
    doc: Document, matcher: CompanyMatcher, entities: list[_Entity]
) -> list[tuple[str, str, str]]:
    """(name, as written, evidence) of companies named as comparisons: in a sentence with a cue
    (同行中, 可比公司 …), each clause that starts with an unknown name followed by a year or a metric
    word ("同行中，X2024年收入11.74亿元，Y收入23.84亿元" → X, Y). Generic nouns (头部企业, 行业平均)
    and names of the document's subjects are not companies."""
    rules, folded, out = _discovery_rules(), doc.folded, []
    for cue in rules.comparable_cue_re.finditer(folded, doc.body_start):
        end = _SENTENCE_END.search(folded, cue.end())
        stop = end.start() if end else len(folded)
        clause_starts = [cue.end()] + [m.end() for m in _CLAUSE_END.finditer(folded, cue.end(), stop)]
        for start in clause_starts:
            while start < stop and folded[start] in " ，,":
                start += 1
            m = rules.comparable_name_re.match(folded, start, stop)
            if not m:
                continue
            name = m.group("name")
            if (
                not _is_plausible_name(name)
                or rules.generic_end_re.search(name)
                or matcher.resolve(name)
                or any(e.owns(name) for e in entities)
                or any(n == name for n, _, _ in out)
            ):
                continue
            s, e = m.span("name")
            out.append((name, doc.text[s:e], doc.text[cue.start() : stop]))
    return out


def _canonical(names: list[str], body: str, cores: list[str] = ()) -> str:
    """The name an unseen company is filed under: its longest Chinese name the body uses (the full
    name rather than the bracketed short one or a Latin alias), else the longest shorter form of
    its registered name the body uses, else the first name found."""
    chinese = [n for n in names if re.search(r"[\u4e00-\u9fff]", n) and n in body]
    common = [n for n in chinese if not _LEGAL_SUFFIX.search(n)]  # "X科技" rather than "北京X科技有限公司"
    if common:
        return max(common, key=len)
    if cores:
        return max(cores, key=len)
    return max(chinese, key=len) if chinese else names[0]


def _as_written(doc: Document, name: str) -> str:
    """`name` (folded) as the document writes it (traditional script kept)."""
    i = doc.folded.find(name)
    return doc.text[i : i + len(name)] if i >= 0 else name


def _lead_span(doc: Document) -> tuple[int, int]:
    """The body's first LEAD_PARAGRAPHS real paragraphs (bylines and image lines skipped)."""
    start = end = doc.body_start
    taken = 0
    for line in re.finditer(r"[^\n]+", doc.folded[doc.body_start : doc.body_start + LEAD_CHARS]):
        if len(line.group(0).strip()) >= PARAGRAPH_MIN_CHARS:
            if taken == 0:
                start = doc.body_start + line.start()
            end = doc.body_start + line.end()
            taken += 1
            if taken == LEAD_PARAGRAPHS:
                break
    if taken == 0:  # a short text without real paragraphs: its lead is all there is
        return doc.body_start, min(len(doc.text), doc.body_start + LEAD_CHARS)
    return start, end


def find_companies(doc: Document, seed: CompanyMatcher) -> list[DiscoveredCompany]:
    """The companies `doc` names as its subjects or comparables, read against `seed` alone.

    A pure function of the document and the seed: `ingest.registry.build_registry` merges the
    findings of a corpus, in corpus order, into the registry that extraction reads.
    """
    return _discover(doc, seed)


# ---------------------------------------------------------------------------------------------------
# Text spans shared by the entity extractors (events, shareholders)

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[，。！？!?；;：:\n]|(?<!\d),|,(?!\d)")  # not the comma of 3,000


def sentence_spans(folded: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence of `folded[start:]`, end exclusive of the stop mark."""
    spans, begin = [], start
    for m in _SENTENCE_END.finditer(folded, start):
        if m.start() > begin:
            spans.append((begin, m.start()))
        begin = m.end()
    if begin < len(folded):
        spans.append((begin, len(folded)))
    return spans


def clause_bounds(folded: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """Bounds of the clause (between commas/stops) around `pos`, within [lo, hi)."""
    start = lo
    for m in _CLAUSE_END.finditer(folded, lo, pos):
        start = m.end()
    m = _CLAUSE_END.search(folded, pos, hi)
    return start, (m.start() if m else hi)


def attribute_company(
    mentions: list[CompanyMention],
    lo: int,
    hi: int,
    pos: int,
    subject_ids: list[str],
    skip=(),
) -> str | None:
    """Company a statement at `pos` in sentence [lo, hi) belongs to (docs/conventions.md):
    the nearest company mentioned before `pos`, else the first one after it, else the subject when
    the sentence names no other company. `skip` holds spans (e.g. holder names) that are not
    candidates."""
    inside = [m for m in mentions if lo <= m.start < hi and not any(s <= m.start < e for s, e in skip)]
    before = [m for m in inside if m.end <= pos]
    if before:
        return before[-1].company_id
    if inside:
        return inside[0].company_id
    return subject_ids[0] if subject_ids else None


_COORDINATION = re.compile(r"\s*(?:与|和|及|以及|、|&)\s*[^\d，,。；;：:!?！？()\n]{0,10}$")


def coordinated_companies(
    folded: str, mentions: list[CompanyMention], clause_start: int, pos: int, company_id: str
) -> list[str]:
    """`company_id` and the companies joined to it in the clause before `pos`: "A与B同日登陆港交所"
    → [A, B] when `company_id` is B. Only mentions linked by 与/和/及/、 with at most a short
    descriptor between ("A与自动驾驶方案商B") count; anything else keeps [company_id]."""
    inside = [m for m in mentions if clause_start <= m.start and m.end <= pos]
    if not inside or inside[-1].company_id != company_id:
        return [company_id]
    chain = [inside[-1]]
    for m in reversed(inside[:-1]):
        if not _COORDINATION.match(folded[m.end : chain[0].start]):
            break
        chain.insert(0, m)
    return list(dict.fromkeys(m.company_id for m in chain))
