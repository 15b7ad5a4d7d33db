"""Number grammar: numerals, scales, units, currencies and qualifiers in folded text.

`find_quantities(folded)` returns every number that can carry a figure (money, percent,
percentage points, multiples, counts, bare scaled numbers) with its offsets, value in whole
units and qualifier. Dates, times, ages and durations (2024年, 9点58分, 49岁, 三年) and model
names (GLM-4.5) are skipped here: they are never figures. The data (currency words, scales,
classifiers, qualifier words) lives in `ingest/rules/units.yml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

UNITS_YML = Path(__file__).resolve().parent / "rules" / "units.yml"

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(CN_DIGITS) + "十百千"


@dataclass(frozen=True)
class Quantity:
    """One number as written, normalised. Offsets are into the folded (= original) text."""

    start: int
    end: int
    value: float  # whole units; percent number for pct; midpoint for ranges
    unit: str  # money / pct / pp / x / count / '' (bare number)
    currency: str = ""  # CNY / HKD / USD / ''
    qualifier: str = "exact"  # exact / approx / lower_bound / upper_bound
    scale_text: str = ""  # 亿, 万亿 ... as written
    text: str = ""  # the folded slice [start:end]
    low: float | None = None  # ranges only
    high: float | None = None
    classifier: str = ""  # 家, 名, 项 ... for counts
    bare_yuan: bool = False  # currency came from a bare 元 (may be HKD in HK share-price contexts)
    chinese: bool = False  # written with Chinese numerals


@lru_cache(maxsize=1)
def unit_rules() -> dict:
    with open(UNITS_YML, encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    for key in ("currency_suffixes", "currency_prefixes", "scales", "classifiers", "duration_suffixes"):
        if not rules.get(key):
            raise ValueError(f"{UNITS_YML}: missing or empty section '{key}'")
    # PyYAML reads 1.0e12 (no exponent sign) as a string: cast explicitly.
    rules["scales"] = {k: float(v) for k, v in rules["scales"].items()}
    return rules


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def parse_chinese_numeral(text: str) -> float:
    """一百二十 → 120, 两千 → 2000, 三万亿 → 3e12, 二〇二四 → 2024."""
    if not text or any(
        ch not in CN_DIGITS and ch not in CN_SMALL_UNITS and ch not in CN_BIG_UNITS for ch in text
    ):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if text[0] in CN_BIG_UNITS:
        raise ValueError(f"not a Chinese numeral: {text!r}")  # a scale word alone (亿) is not a number
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:
        return float("".join(str(CN_DIGITS[ch]) for ch in text))
    total, section, number = 0.0, 0.0, 0.0
    for ch in text:
        if ch in CN_DIGITS:
            number = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            section += (number or 1) * CN_SMALL_UNITS[ch]
            number = 0
        elif ch == "万":
            total += (section + number or (1 if not total else 0)) * 10_000
            section = number = 0
        else:  # 亿 multiplies everything before it (万亿 = 1e12)
            total = (total + section + number or 1) * 100_000_000
            section = number = 0
    return total + section + number


_ARABIC = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_BARE_YEAR = re.compile(r"(19|20)\d\d")
_SCALE_SUFFIX = re.compile(r"(万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千)$")


def parse_number(text: str) -> float:
    """Value of one numeral string: '1,541.93', '-1.44', '一百二十', '4.2万亿', '七成' (70), '百分之五十'.

    Raises ValueError naming the text when it is not a number.
    """
    raw = text.strip()
    s = raw.replace(",", "").replace("−", "-").rstrip("余多")
    if not s:
        raise ValueError(f"not a number: {text!r}")
    if s.startswith("百分之"):
        return parse_number(s[3:])
    if s.endswith("成") and len(s) > 1:
        return parse_number(s[:-1]) * 10
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("-+")
    scale = 1.0
    m = _SCALE_SUFFIX.search(s)
    if m and m.start() > 0 and (s[m.start() - 1].isdigit() or s[m.start() - 1] == "."):
        scale = unit_rules()["scales"][m.group(1)]
        s = s[: m.start()]
    if _ARABIC.fullmatch(s):
        return sign * float(s) * scale
    whole, point, decimals = s.partition("点")
    if point and decimals and all(ch in CN_DIGITS for ch in decimals):
        # '三点五' = 3.5, '二点九五' = 2.95: digits after 点 are read one by one
        try:
            fraction = float("0." + "".join(str(CN_DIGITS[ch]) for ch in decimals))
            return sign * (parse_chinese_numeral(whole) + fraction) * scale
        except ValueError:
            raise ValueError(f"not a number: {text!r}") from None
    try:
        return sign * parse_chinese_numeral(s) * scale
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None


@lru_cache(maxsize=1)
def _grammar() -> dict:
    rules = unit_rules()
    scales = _alternation([k for k in rules["scales"] if not k.isascii()])
    currency_units = [*rules["currency_suffixes"], *rules.get("minor_currency", {})]
    # 个 only as a classifier when not the start of a duration word (个月, 个季度 ...).
    classifiers = [c for c in rules["classifiers"] if c != "个"]
    unit_alt = "|".join(
        [
            "个百分点|百分点",
            _alternation(currency_units),
            "%|‰|倍",
            "成(?![为立功本交员长绩果就熟都效])",
            _alternation(classifiers),
            "个(?![月季工交多])",
        ]
    )
    arabic = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    # '三点五亿元', '二点九五亿元': Chinese numerals with a decimal point
    chinese = f"[{_CN_CHARS}]+(?:点[{''.join(CN_DIGITS)}]+)?"
    number = f"(?:{arabic}|{chinese})"
    prefixes = _alternation(rules["currency_prefixes"])
    pattern = (
        rf"(?=[0-9{_CN_CHARS}百人港美RCHUrchu$¥￥\-−])"
        # dates are the most common numerals and never figures: skip them inside the regex engine
        r"(?!\d{1,4}[年月日号])"
        rf"(?P<sign0>[-−](?={prefixes}))?(?P<cur_pre>{prefixes})?[ \t]?(?P<pct_pre>百分之)?"
        # '为 - 3.3亿元': a minus sign set off by a space (kept only after a copula, see below)
        rf"(?P<sign>[-−])?(?P<sign_gap>[ \t])?"
        # Hong Kong papers set numbers off by spaces: '1.71 億股', '126 港元', '超購 0.5 倍'
        rf"(?P<n1>{number})(?P<q1>余|多)?(?P<s1>[ \t]?(?:{scales})|[ \t]?(?:billion|million)\b)?"
        rf"(?P<u1>[ \t]?(?:{unit_alt}))?"
        rf"(?:[ \t]?(?P<conn>至|到|~|-|—|–)[ \t]?(?:{prefixes})?[ \t]?"
        rf"(?P<n2>{number})(?P<q2>余|多)?(?P<s2>[ \t]?(?:{scales}))?)?"
        rf"(?P<q3>余|多)?(?P<unit>[ \t]?(?:{unit_alt}))?"
    )
    qualifier_words = {
        q: words
        for q, words in rules["qualifier_prefixes"].items()
        if q in ("approx", "lower_bound", "upper_bound")
    }
    prefix_alt = "|".join(f"(?P<{q}>{_alternation(words)})" for q, words in qualifier_words.items())
    suffix_alt = "|".join(
        f"(?P<{q}>{_alternation(words)})" for q, words in rules["qualifier_suffixes"].items()
    )
    return {
        "quantity": re.compile(pattern, re.IGNORECASE),
        "prefix_qualifier": re.compile(rf"(?:{prefix_alt})(?:为|达|达到|至|到|了|是|有|在)?\s?$"),
        "suffix_qualifier": re.compile(rf"^\s?(?:{suffix_alt})"),
        "duration": re.compile(rf"^\s?(?:{_alternation(rules['duration_suffixes'])}|分(?!之|别|部|行|红))"),
        "currency_suffixes": rules["currency_suffixes"],
        "currency_prefixes": {k.upper(): v for k, v in rules["currency_prefixes"].items()},
        "minor_currency": rules.get("minor_currency", {}),
        "scales": rules["scales"],
        "classifiers": set(rules["classifiers"]),
    }


_LETTER = re.compile(r"[A-Za-z]")
# a spaced minus after a copula or a list joiner is a sign (为 - 3.3亿元、- 1.2亿元)
_COPULA_BEFORE = re.compile(r"(?:为|是|达|约|至|到|:|：|、|及|和|与)\s*$")


_UNIT_CACHE: dict[str, tuple[str, str, float, bool, str]] = {}


def _unit_of(unit_word: str, g: dict) -> tuple[str, str, float, bool, str]:
    """(unit, currency, factor, bare_yuan, classifier) for a unit word (memoised: a few dozen words)."""
    found = _UNIT_CACHE.get(unit_word)
    if found is None:
        found = _UNIT_CACHE[unit_word] = _unit_of_word(unit_word, g)
    return found


def _unit_of_word(unit_word: str, g: dict) -> tuple[str, str, float, bool, str]:
    unit_word = unit_word.strip()
    if not unit_word:
        return "", "", 1.0, False, ""
    if unit_word in ("个百分点", "百分点"):
        return "pp", "", 1.0, False, ""
    if unit_word in ("%",):
        return "pct", "", 1.0, False, ""
    if unit_word == "‰":
        return "pct", "", 0.1, False, ""
    if unit_word == "倍":
        return "x", "", 1.0, False, ""
    if unit_word == "成":
        return "pct", "", 10.0, False, ""
    if unit_word in g["minor_currency"]:
        cur, factor = g["minor_currency"][unit_word]
        return "money", cur, float(factor), False, ""
    if unit_word in g["currency_suffixes"]:
        return "money", g["currency_suffixes"][unit_word], 1.0, unit_word in ("元", "块"), ""
    return "count", "", 1.0, False, unit_word


def _scale_of(scale_text: str, g: dict) -> float:
    key = scale_text.strip().lower()
    return float(g["scales"][key]) if key else 1.0


def _qualifier(folded: str, start: int, end: int, g: dict) -> tuple[str, int]:
    """Qualifier from the words around [start, end); also returns the end incl. a suffix word."""
    before = folded[max(0, start - 6) : start]
    after = folded[end : end + 4]
    pre = g["prefix_qualifier"].search(before)
    suf = g["suffix_qualifier"].match(after)
    pre_q = next((k for k, v in pre.groupdict().items() if v), None) if pre else None
    suf_q = next((k for k, v in suf.groupdict().items() if v), None) if suf else None
    if (
        suf_q == "lower_bound"
        and suf.group(0).strip() in ("多", "余")
        and not folded[end - 1 : end].isdigit()
    ):
        # 多/余 after a unit word (万元多) is rare; after a classifier it starts the next word (家多...).
        suf_q, suf = None, None
    if pre_q == "approx" and suf_q in ("lower_bound", "upper_bound"):
        pre_q = None  # '约163.83倍以上': the bound says more than the 约 before it
    qualifier = pre_q or suf_q or "exact"
    return qualifier, end + (len(suf.group(0)) if suf and suf_q else 0)


def _is_excluded_context(folded: str, m: re.Match, gd: dict, chinese: bool, start: int) -> bool:
    """Model names, versions, footnotes, ordinals and list numbering are not quantities.
    `gd` is m.groupdict(), passed in because it is already built; `start` is where the number starts."""
    prev = folded[start - 1] if start else ""
    if prev == "," and start >= 2 and folded[start - 2].isdigit():
        return True  # '1,2,3,4亿元': the last element of a list written with commas, not a number
    listed = prev == "/" and start >= 2 and folded[start - 2] in "%元亿万股倍"  # '93.0%/89.9%/88.5%'
    glued = prev.isascii() and (prev.isalnum() or prev in "._^#/\\-")  # 'A100', 'GLM-4', 'v2'
    # a Chinese numeral after a Latin name is not glued to it: 'Ally Bridge四家基石投资者'
    if prev and not listed and (glued and not chinese or prev in "第"):
        return True
    if not gd["cur_pre"] and start >= 2 and prev == " " and _LETTER.match(folded[start - 2]):
        return True
    if chinese and prev and prev in _CN_CHARS:
        return True
    if (
        (gd["sign"] or gd["sign0"])
        and start
        and (folded[start - 1].isalnum() and folded[start - 1] not in "为是达至到得约和及与或")
        and (folded[start - 1].isascii() or not (gd["unit"] or gd["u1"] or gd["s1"]))
    ):
        # '灵枢-2', 'GLM-4': a hyphen after a name, not a minus sign ('净利润-1.29亿元' is one)
        return True
    nxt = folded[m.end()] if m.end() < len(folded) else ""
    if not (gd["unit"] or gd["u1"] or gd["s1"] or gd["s2"]):
        # versions (2.0.1), letters glued on (5G, A100), list numbering ('1.' / '1、' at line start)
        if (
            nxt
            and nxt.isascii()
            and (nxt.isalpha() or nxt == "." and folded[m.end() + 1 : m.end() + 2].isdigit())
        ):
            return True
        line_start = start == 0 or folded[start - 1] == "\n"
        if line_start and nxt in (".", "、", ")"):
            return True
    return False


def _numeral_value(numeral: str) -> float:
    """parse_number for the numeral group of the grammar, with a fast path for Arabic digits."""
    if numeral[0].isdigit():
        plain = numeral.replace(",", "")
        if _ARABIC.fullmatch(plain):
            return float(plain)
    return parse_number(numeral)


def _significant(value: float) -> float:
    return float(f"{value:.12g}")


def find_quantities(folded: str) -> list[Quantity]:
    """All figure-capable numbers in `folded` text, in order of position."""
    g = _grammar()
    out: list[Quantity] = []
    pattern = g["quantity"]
    pos = 0
    while (m := pattern.search(folded, pos)) is not None:
        pos = max(m.end(), m.start() + 1)
        gd = m.groupdict()  # one call instead of one per group: this loop runs for every numeral
        n2 = gd["n2"]
        if n2 and gd["u1"] and _unit_of(gd["u1"], g)[0] != _unit_of(gd["unit"] or "", g)[0]:
            # '增长20%至10亿元' is a change and a level, not a range: stop after the first unit
            n2, pos = None, m.end("u1")
        n1 = gd["n1"]
        chinese = not n1[0].isdigit()
        bare = not (gd["u1"] or gd["unit"] or gd["s1"] or gd["s2"] or gd["cur_pre"] or gd["pct_pre"])
        if bare and (chinese or g["duration"].match(folded[m.end() : m.end() + 3])):
            # the common case, checked first because it is cheap: a bare numeral that is a date,
            # a duration or a Chinese word (2024年, 6月, 一致) is never a figure
            continue
        start = m.start()
        if gd["sign_gap"] and not gd["cur_pre"]:
            if gd["sign"] and _COPULA_BEFORE.search(folded, max(0, start - 4), start):
                pass  # '净利润为 - 3.3亿元': a minus sign
            else:
                # '- 2.3亿元用于…' at a bullet: a dash, not a sign
                gd = dict(gd, sign=None)
                start = m.start("n1")
        if _is_excluded_context(folded, m, gd, chinese, start):
            continue
        end = m.end()
        if n2:
            unit_word = (gd["unit"] or gd["u1"] or "").strip()
            scale_text = (gd["s2"] or gd["s1"] or "").strip()
        elif gd["u1"]:
            # '12.34%股份': the first unit word ends the number; what follows is the next word
            unit_word, scale_text, end = gd["u1"].strip(), (gd["s1"] or "").strip(), m.end("u1")
        else:
            unit_word, scale_text = (gd["unit"] or "").strip(), (gd["s1"] or "").strip()
        if not unit_word and not scale_text and g["duration"].match(folded[end : end + 3]):
            continue  # 2024年, 9点, 49岁, 三个月: dates and durations
        if not unit_word and g["duration"].match(folded[end : end + 3]) and scale_text:
            continue  # 5万年 etc.
        if chinese and not (unit_word or scale_text or gd["pct_pre"]):
            continue  # Chinese numerals alone are words (一致, 六小虎), not figures
        if chinese and n1 == "一" and not scale_text and unit_word not in ("倍", "成", "%"):
            continue  # 一家 / 一个 / 一项 are articles
        if not chinese and not unit_word and not scale_text and not gd["cur_pre"] and not gd["pct_pre"]:
            raw = n1.replace(",", "")
            if _BARE_YEAR.fullmatch(raw):
                continue  # a bare year
        unit, currency, factor, bare_yuan, classifier = _unit_of(unit_word, g)
        if gd["cur_pre"]:
            currency = g["currency_prefixes"].get(gd["cur_pre"].upper(), currency)
            bare_yuan = False
            unit = "money" if unit in ("", "count") and not classifier else unit
        if gd["pct_pre"]:
            unit = "pct"
        scale1 = _scale_of(gd["s1"] or "", g)
        try:
            v1 = _numeral_value(n1) * scale1 * factor
            v2 = None
            if n2:
                scale2 = _scale_of(gd["s2"] or "", g)
                if scale1 == 1.0 and not gd["s1"]:
                    scale1 = scale2
                    v1 = _numeral_value(n1) * scale1 * factor
                v2 = _numeral_value(n2) * scale2 * factor
        except ValueError:
            continue
        if gd["sign"] or gd["sign0"]:
            v1 = -v1  # '-1.44亿' and '-人民币3.96亿元'
            v2 = -v2 if v2 is not None and gd["sign0"] else v2
        if gd["conn"] == "-" and v2 is not None and not unit and not scale_text:
            continue  # 1-9 without a unit: a date range or a code
        while folded[start].isspace():
            start += 1
        qualifier, end = _qualifier(folded, start, end, g)
        if gd["q1"] or (n2 and gd["q2"]) or (gd["q3"] and end >= m.end("q3")):
            qualifier = "lower_bound" if qualifier == "exact" else qualifier
        # whole units: drop float noise from the scale multiplication (4.02 * 1e8 = 401999999.99999994)
        # (at twelve significant digits: 258.9 * 1e8 = 25889999999.999996 is 25890000000)
        v1 = _significant(v1)
        v2 = _significant(v2) if v2 is not None else None
        if v2 is not None:
            low, high = min(v1, v2), max(v1, v2)
            value = (low + high) / 2
        else:
            low = high = None
            value = v1
        out.append(
            Quantity(
                start=start,
                end=end,
                value=value,
                unit=unit,
                currency=currency,
                qualifier=qualifier,
                scale_text=scale_text.strip(),
                text=folded[start:end],
                low=low,
                high=high,
                classifier=classifier,
                bare_yuan=bare_yuan,
                chinese=chinese,
            )
        )
    return _merge_compound(out)


def _merge_compound(quantities: list[Quantity]) -> list[Quantity]:
    """'3亿5000万元' / '三亿五千万元' are one amount written in two scaled parts."""
    merged: list[Quantity] = []
    for q in quantities:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.end == q.start
            and prev.scale_text == "亿"
            and prev.unit == ""
            and prev.low is None
            and q.low is None
            and q.scale_text in ("万", "千万", "百万")
            and 0 <= q.value < 1e8
        ):
            merged[-1] = Quantity(
                start=prev.start,
                end=q.end,
                value=round(prev.value + q.value, 6),
                unit=q.unit,
                currency=q.currency,
                qualifier=prev.qualifier if prev.qualifier != "exact" else q.qualifier,
                scale_text="亿",
                text=prev.text + q.text,
                classifier=q.classifier,
                bare_yuan=q.bare_yuan,
                chinese=prev.chinese,
            )
        else:
            merged.append(q)
    return merged
