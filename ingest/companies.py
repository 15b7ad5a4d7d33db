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
        aliases: dict[str, str] = {}
        names: dict[str, str] = {}
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cid = row["company_id"]
                names[cid] = row["name_zh"]
                candidates = [row["name_zh"], row["name_zh_hant"], row["name_en"]]
                candidates += [a for a in (row.get("aliases") or "").split("|")]
                for alias in candidates:
                    alias = alias.strip()
                    if alias:
                        aliases[fold(alias).lower()] = cid
        return cls(aliases=aliases, names_zh=names)

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
    )


_CLAUSE_BREAK = re.compile(r"[，,。！？!?；;：:\n《》【】、|]")
_NAME_OK = re.compile(r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9·.&\- ]*")
_BAD_NAME_CHARS = re.compile(r"[的了是在于将已也都被把与及和并]")
_LEGAL_SUFFIX = re.compile(r"(?:有限公司|有限责任公司|集团)$")  # a registered full name may be long
_LATIN_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9.&\- ]{1,30}")
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
    if name in _discovery_rules().stop_names or not _NAME_OK.fullmatch(name):
        return False
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in name)
    longest = 24 if _LEGAL_SUFFIX.search(name) else 10
    if cjk and (_BAD_NAME_CHARS.search(name) or not 2 <= cjk <= longest):
        return False
    return len(name) >= 2


def _split_joined(name: str) -> list[tuple[int, str]]:
    """(offset, part) of "X与Y" when both parts are at least two characters, else [(0, name)]."""
    parts, begin = [], 0
    for m in _discovery_rules().joiner_re.finditer(name):
        if m.start() - begin >= 2 and len(name) - m.end() >= 2:
            parts.append((begin, name[begin : m.start()]))
            begin = m.end()
    parts.append((begin, name[begin:]))
    return parts


def _candidates_in(folded: str, original: str, published_at) -> list[tuple[str, str, str, bool]]:
    """(folded name, name as written, evidence clause, joined) for each "<name> … <trigger>" in
    `folded`; `joined` marks one of several names before one trigger ("X与Y同日挂牌")."""
    rules = _discovery_rules()
    out = []
    for m in rules.trigger_re.finditer(folded):
        start = 0
        for brk in _CLAUSE_BREAK.finditer(folded, 0, m.start()):
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
            if not _is_plausible_name(name):
                continue
            name_start = start + offset + name_end - len(name)
            written = original[name_start : name_start + len(name)]
            out.append((name, written, original[start : m.end()], len(parts) > 1))
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
    title = fold(doc.title).strip()
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
                # A Chinese short form shares the full name's first character (or is declared by 简称).
                chinese = _is_plausible_name(short) and (declared or short[0] == name[0])
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


def _discover(doc: Document, matcher: CompanyMatcher) -> list[DiscoveredCompany]:
    entities: list[_Entity] = []

    def entity_for(name: str) -> _Entity | None:
        return next((e for e in entities if e.owns(name)), None)

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
    body = _body_without_title(doc)
    lo, hi = _lead_span(doc)
    regions = [
        (fold(doc.title), doc.title, True),
        (doc.folded[lo:hi], doc.text[lo:hi], False),
    ]
    for folded, original, in_title in regions:
        for name, written, evidence, joined in _candidates_in(folded, original, doc.published_at):
            known = matcher.resolve(name)
            if known is None and in_title:
                trimmed = _prefer_recurring(name, body)
                written, name = written[: len(trimmed)], trimmed
                known = matcher.resolve(name)
            shorts = _short_aliases(doc, [name])
            recurs = any(doc.folded.count(n) >= MIN_MENTIONS for n in [name, *shorts])
            if known is None and (joined or not in_title) and not recurs:
                continue  # named once in passing: not the article's subject
            entity = next((e for e in entities if known and e.known_id == known), None) or entity_for(name)
            if entity is None:
                entities.append(_Entity([name], written, evidence, known))
            elif name not in entity.names:
                entity.names.append(name)
    for name, written, evidence in _comparables(doc, matcher, entities):
        entities.append(_Entity([name], written, evidence, subject=False))
    found: dict[str, DiscoveredCompany] = {}
    for entity in entities:
        entity.names += [a for a in _short_aliases(doc, entity.names) if a not in entity.names]
        canonical = entity.names[0] if entity.from_manifest else _canonical(entity.names, body)
        known = entity.known_id or next(
            (matcher.resolve(n) for n in entity.names if matcher.resolve(n)), None
        )
        unseen = known is None or known in matcher.discovered_ids
        cid = known or company_slug(canonical)
        written = entity.written if fold(entity.written) == canonical else _as_written(doc, canonical)
        aliases = tuple(n for n in entity.names if n != canonical)
        if cid not in found:
            found[cid] = DiscoveredCompany(
                cid, canonical, written, entity.evidence, not unseen, aliases, entity.subject
            )
    return list(found.values())


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


def _canonical(names: list[str], body: str) -> str:
    """The name an unseen company is filed under: its longest Chinese name the body uses (the full
    name rather than the bracketed short one or a Latin alias), else the first name found."""
    chinese = [n for n in names if re.search(r"[\u4e00-\u9fff]", n) and n in body]
    common = [n for n in chinese if not _LEGAL_SUFFIX.search(n)]  # "X科技" rather than "北京X科技有限公司"
    return max(common or chinese, key=len) if chinese else names[0]


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
