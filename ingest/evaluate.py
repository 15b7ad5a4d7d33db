"""Score the extractor against hand-checked expected figures ("gold" files).

A gold file (`tests/gold/<document_id>.yml`, or `<stem>.expected.yml` beside a test article) lists
every figure an analyst would record from one document, plus its shareholders and dated events, and
an `ignore:` list of numbers that are correctly *not* figures. Format: `tests/articles/README.md`.

Matching rules (they mirror `docs/conventions.md`):

- A figure's key is (company, metric, dimension, period_label). Dimensions match when equal, or when
  both have the same `<kind>:` and one folded value contains the other (`purpose:研发` matches
  `purpose:用于研发投入`; `product:` and `segment:` count as one kind, a product line being a segment).
  A gold row without `period_label` matches any period (used where the text
  pins none, e.g. offering figures or a headline). `|` separates accepted alternatives in a gold field.
- An extracted figure is *matched* when its key matches a gold row and value (relative tolerance 1e-6),
  qualifier and currency agree; *wrong* when its key matches a gold row but no gold row with that key
  has its value/qualifier/currency; *spurious* when its key matches no gold row (reported separately,
  with reason `ignored_text` when its number is on the `ignore:` list).
- Changes in percentage points (unit `pp`) are a different quantity from a percent: they only match
  gold rows with unit `pp`.

Everything here is pure (frames in, frames out) except `main`, the CLI:
`python -m ingest.evaluate <articles_dir> [--gold DIR] [--details]`.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from ingest.text import fold

REPO_ROOT = Path(__file__).resolve().parent.parent
METRICS_SEED = REPO_ROOT / "seeds/reference/ref_metrics.csv"
REL_TOLERANCE = 1e-6
QUALIFIERS = frozenset({"exact", "approx", "lower_bound", "upper_bound"})
ALTERNATIVES = "|"

EXPECTED_FIGURES_SCHEMA: dict[str, pl.DataType] = {
    "document_id": pl.String,
    "company": pl.String,
    "metric": pl.String,
    "dimension": pl.String,
    "period_label": pl.String,  # '' = any period
    "value": pl.Float64,
    "unit": pl.String,
    "currency": pl.String,
    "qualifier": pl.String,
    "text": pl.String,
}
EXPECTED_SHAREHOLDERS_SCHEMA: dict[str, pl.DataType] = {
    "document_id": pl.String,
    "company": pl.String,
    "holder_name": pl.String,
    "holder_type": pl.String,  # '' = not checked
    "parent_entity": pl.String,
    "stake_pct": pl.Float64,  # null = not checked
    "subscription_amount": pl.Float64,
    "currency": pl.String,
}
EXPECTED_EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "document_id": pl.String,
    "company": pl.String,
    "event_type": pl.String,
    "exchange": pl.String,
    "event_date": pl.String,  # ISO date, '' = not checked
    "date_precision": pl.String,
}
_SECTION_SCHEMAS = {
    "figures": EXPECTED_FIGURES_SCHEMA,
    "shareholders": EXPECTED_SHAREHOLDERS_SCHEMA,
    "events": EXPECTED_EVENTS_SCHEMA,
}
_REQUIRED = {
    "figures": ("company", "metric", "value", "unit", "qualifier"),
    "shareholders": ("company", "holder_name"),
    "events": ("company", "event_type"),
}
_TOP_LEVEL_KEYS = {
    "document_id",
    "published_at",
    "figures",
    "shareholders",
    "events",
    "ignore",
    "conflicts",
    # real-coverage labels (tests/real/): where the excerpt came from, and numbers with no metric code
    "source",
    "unmapped",
}


class GoldFileError(ValueError):
    """A gold / expected file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Gold:
    """Everything one gold file expects from one document."""

    document_id: str
    published_at: date | None
    figures: pl.DataFrame
    shareholders: pl.DataFrame
    events: pl.DataFrame
    ignore: tuple[str, ...]


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def known_metrics() -> frozenset[str]:
    with open(METRICS_SEED, encoding="utf-8", newline="") as fh:
        return frozenset(row["metric"] for row in csv.DictReader(fh))


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _as_number(value: object, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GoldFileError(f"{where}: {value!r} is not a number")
    return float(value)


def _section_frame(path: Path, document_id: str, section: str, rows: object) -> pl.DataFrame:
    schema = _SECTION_SCHEMAS[section]
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise GoldFileError(f"{path}: '{section}' must be a list, got {type(rows).__name__}")
    out = []
    for i, row in enumerate(rows, start=1):
        where = f"{path}: {section}[{i}]"
        if not isinstance(row, dict):
            raise GoldFileError(f"{where}: each entry must be a mapping, got {row!r}")
        unknown = set(row) - set(schema)
        if unknown:
            raise GoldFileError(f"{where}: unknown keys {sorted(unknown)}")
        missing = [k for k in _REQUIRED[section] if row.get(k) in (None, "")]
        if missing:
            raise GoldFileError(f"{where}: missing {missing}")
        clean: dict[str, object] = {"document_id": document_id}
        for col, dtype in schema.items():
            if col == "document_id":
                continue
            raw = row.get(col)
            clean[col] = _as_number(raw, f"{where}.{col}") if dtype == pl.Float64 else _as_text(raw)
        if section == "figures":
            if clean["metric"] not in known_metrics():
                raise GoldFileError(f"{where}: metric {clean['metric']!r} is not in {METRICS_SEED.name}")
            if clean["qualifier"] not in QUALIFIERS:
                raise GoldFileError(f"{where}: qualifier {clean['qualifier']!r} not in {sorted(QUALIFIERS)}")
            if clean["value"] is None:
                raise GoldFileError(f"{where}: value is empty")
        out.append(clean)
    return pl.DataFrame(out, schema=schema, orient="row") if out else pl.DataFrame(schema=schema)


def load_gold(path: Path | str) -> Gold:
    """Read and validate one gold file. Raises GoldFileError naming the file and the problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GoldFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise GoldFileError(f"{path}: YAML does not parse ({exc})") from exc
    if not isinstance(data, dict):
        raise GoldFileError(f"{path}: top level must be a mapping")
    unknown = set(data) - _TOP_LEVEL_KEYS
    if unknown:
        raise GoldFileError(f"{path}: unknown top-level keys {sorted(unknown)}")
    document_id = _as_text(data.get("document_id")) or path.name.split(".")[0]
    published = data.get("published_at")
    if published is not None and not isinstance(published, date):
        raise GoldFileError(f"{path}: published_at {published!r} is not a YYYY-MM-DD date")
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list):
        raise GoldFileError(f"{path}: 'ignore' must be a list of strings")
    return Gold(
        document_id=document_id,
        published_at=published,
        figures=_section_frame(path, document_id, "figures", data.get("figures")),
        shareholders=_section_frame(path, document_id, "shareholders", data.get("shareholders")),
        events=_section_frame(path, document_id, "events", data.get("events")),
        ignore=tuple(_as_text(x) for x in ignore),
    )


def load_expected(path: Path | str) -> pl.DataFrame:
    """The expected figures of one gold file (see `EXPECTED_FIGURES_SCHEMA`)."""
    return load_gold(path).figures


# --------------------------------------------------------------------------- comparison helpers

_KIND = re.compile(r"^([a-z_]+):(.*)$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _norm(text: object) -> str:
    """Folded, case-folded, without blanks: the form names and dimensions are compared in."""
    return re.sub(r"\s+", "", fold(_as_text(text))).casefold()


def _alternatives(text: object) -> list[str]:
    return [a for a in (_as_text(text).split(ALTERNATIVES)) if a.strip()]


@lru_cache(maxsize=4096)
def company_key(name: str) -> str:
    """Comparable form of a company id or name: ASCII slug; Chinese names become pinyin.

    So a gold file may name a company the extractor has discovered (深瞳智能) and still match the
    discovered company's pinyin slug (`shentong_zhineng`, `shentongzhineng` ...).
    """
    text = _norm(name)
    if _CJK.search(text):
        from pypinyin import lazy_pinyin  # only needed for Chinese names

        text = "".join(lazy_pinyin(text))
    return re.sub(r"[^a-z0-9]", "", text.casefold())


# kinds that name the same breakdown of revenue: a product line is a segment of the business
_KIND_FAMILY = {"product": "segment"}


def dimension_matches(expected: object, extracted: object) -> bool:
    """Conventions' rule: equal, or same `<kind>:` and one folded value contains the other."""
    got = _norm(extracted)
    for alt in _alternatives(expected) or [""]:
        want = _norm(alt)
        if want == got:
            return True
        if not want or not got:
            continue
        want_kind, got_kind = _KIND.match(want), _KIND.match(got)
        if want_kind and got_kind:
            a, b = want_kind.group(2), got_kind.group(2)
            if want_kind.group(1) == "market":
                # '中国的顺风车' / '中国顺风车平台': a market named with or without its place and noun
                a, b = _MARKET_NOISE.sub("", a), _MARKET_NOISE.sub("", b)
            kinds = {_KIND_FAMILY.get(k, k) for k in (want_kind.group(1), got_kind.group(1))}
            if len(kinds) == 1 and a and b and (a in b or b in a):
                return True
        elif not want_kind and not got_kind and (want in got or got in want):
            return True
    return False


def period_matches(expected: object, extracted: object) -> bool:
    alts = _alternatives(expected)
    return not alts or _as_text(extracted) in [a.strip() for a in alts]


def values_equal(expected: float | None, extracted: float | None) -> bool:
    if expected is None or extracted is None:
        return False
    if math.isnan(extracted):
        return False
    if expected == 0 or extracted == 0:
        return abs(expected - extracted) <= 1e-12
    return abs(expected - extracted) <= REL_TOLERANCE * max(abs(expected), abs(extracted))


def _in_alternatives(expected: object, extracted: object) -> bool:
    alts = _alternatives(expected)
    return not alts or _as_text(extracted) in [a.strip() for a in alts]


def _names_overlap(expected: object, extracted: object) -> bool:
    got = _norm(extracted)
    for alt in _alternatives(expected):
        want = _norm(alt)
        if want and got and (want == got or (min(len(want), len(got)) >= 2 and (want in got or got in want))):
            return True
    return False


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Score:
    """Outcome of comparing one kind of extracted rows with their gold rows."""

    matched: pl.DataFrame  # gold rows found
    missing: pl.DataFrame  # gold rows not found; `nearest` shows what was extracted for the same key
    wrong: pl.DataFrame  # extracted rows whose key is expected but whose value is not; `expected` shows it
    spurious: pl.DataFrame  # extracted rows whose key is not expected; `reason`
    # extracted rows that match a gold row in full (key, value, qualifier, currency): every extracted
    # row is one of correct, wrong or spurious
    correct: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def expected_count(self) -> int:
        return self.matched.height + self.missing.height

    @property
    def matched_count(self) -> int:
        return self.matched.height

    @property
    def missing_count(self) -> int:
        return self.missing.height

    @property
    def wrong_count(self) -> int:
        return self.wrong.height

    @property
    def spurious_count(self) -> int:
        return self.spurious.height

    @property
    def recall(self) -> float:
        return self.matched_count / self.expected_count if self.expected_count else 1.0

    @property
    def extracted_count(self) -> int:
        return self.correct.height + self.wrong.height + self.spurious.height

    @property
    def precision(self) -> float:
        """Share of the extracted rows that are right (spurious and wrong rows count against it)."""
        return self.correct.height / self.extracted_count if self.extracted_count else 1.0


def _rows(df: pl.DataFrame) -> list[dict]:
    return df.to_dicts()


def _frame(rows: list[dict], template: pl.DataFrame, extra: dict[str, pl.DataType]) -> pl.DataFrame:
    schema = dict(template.schema) | extra
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")


def _extracted_company(row: dict) -> str:
    return _as_text(row.get("company_id") if "company_id" in row else row.get("company"))


def _companies_match(expected: str, extracted: str) -> bool:
    """Same company key, or the same name with a corporate word more ('微盟' / '微盟集团')."""
    got = company_key(extracted)
    for alt in _alternatives(expected):
        want = company_key(alt)
        if want == got:
            return True
        short, long_ = sorted((want, got), key=len)
        if len(short) >= 4 and long_.startswith(short) and _CORPORATE_END.fullmatch(long_[len(short) :]):
            return True
    return False


# pinyin of the words a company's name may carry or drop: 集团, 控股, 股份, 有限公司
_CORPORATE_END = re.compile(r"(?:jituan|konggu|gufen|youxiangongsi|gongsi)+")
# places and nouns around a market's name that labels may or may not write
_MARKET_NOISE = re.compile(
    r"^(?:中国|全球|国内|全国|境内|亚洲|国际)|的|(?:平台|企业|公司|供应商|提供商|服务商|厂商|运营商|制造商|市场|领域|行业|赛道)$"
)


def _describe(row: dict) -> str:
    if "value" not in row:  # events: no value, show the identifying fields
        return _brief(row)
    parts = [f"{row.get('value')}", _as_text(row.get("currency")), _as_text(row.get("qualifier"))]
    label = _as_text(row.get("period_label"))
    dim = _as_text(row.get("dimension"))
    return " ".join(p for p in parts if p) + (f" @{label}" if label else "") + (f" [{dim}]" if dim else "")


def _score(
    extracted: pl.DataFrame,
    expected: pl.DataFrame,
    key_matches: Callable[[dict, dict], bool],
    full_matches: Callable[[dict, dict], bool],
    spurious_reason: Callable[[dict], str],
) -> Score:
    ext_rows, exp_rows = _rows(extracted), _rows(expected)
    found = [False] * len(exp_rows)
    nearest: list[list[str]] = [[] for _ in exp_rows]
    wrong, spurious, correct = [], [], []
    for e in ext_rows:
        keyed = [i for i, g in enumerate(exp_rows) if key_matches(g, e)]
        full = [i for i in keyed if full_matches(exp_rows[i], e)]
        for i in full:
            found[i] = True
        if full:
            correct.append(e)
            continue
        if keyed:
            for i in keyed:
                nearest[i].append(_describe(e))
            wrong.append(e | {"expected": "; ".join(_describe(exp_rows[i]) for i in keyed)})
        else:
            spurious.append(e | {"reason": spurious_reason(e)})
    matched = [g for g, ok in zip(exp_rows, found, strict=True) if ok]
    missing = [
        g | {"nearest": "; ".join(n)} for g, ok, n in zip(exp_rows, found, nearest, strict=True) if not ok
    ]
    return Score(
        matched=_frame(matched, expected, {}),
        missing=_frame(missing, expected, {"nearest": pl.String}),
        wrong=_frame(wrong, extracted, {"expected": pl.String}),
        spurious=_frame(spurious, extracted, {"reason": pl.String}),
        correct=_frame(correct, extracted, {}),
    )


def score(extracted: pl.DataFrame, expected: pl.DataFrame, ignore: Iterable[str] = ()) -> Score:
    """Compare extracted figures (`ingest_figures` columns) with expected figures (`load_expected`)."""
    ignored = {_norm(t) for t in ignore}

    def key_matches(g: dict, e: dict) -> bool:
        return (
            g["metric"] == _as_text(e.get("metric"))
            and _companies_match(g["company"], _extracted_company(e))
            and (_as_text(g.get("unit")) == "pp") == (_as_text(e.get("unit")) == "pp")
            and period_matches(g.get("period_label"), e.get("period_label"))
            and dimension_matches(g.get("dimension"), e.get("dimension"))
        )

    def full_matches(g: dict, e: dict) -> bool:
        return (
            values_equal(g["value"], e.get("value"))
            and g["qualifier"] == _as_text(e.get("qualifier"))
            and _as_text(g.get("currency")) == _as_text(e.get("currency"))
        )

    def reason(e: dict) -> str:
        return "ignored_text" if _norm(e.get("value_text")) in ignored else "unexpected_key"

    return _score(extracted, expected, key_matches, full_matches, reason)


def _shareholder_checks(g: dict) -> list[tuple[str, Callable[[object], bool]]]:
    """(column, test) for every field the gold row states; unstated fields are not checked."""
    checks: list[tuple[str, Callable[[object], bool]]] = []
    if g["holder_type"]:
        checks.append(("holder_type", lambda v: _in_alternatives(g["holder_type"], v)))
    if g["parent_entity"]:
        checks.append(("parent_entity", lambda v: _names_overlap(g["parent_entity"], v)))
    if g["stake_pct"] is not None:
        checks.append(("stake_pct", lambda v: values_equal(g["stake_pct"], v)))
    if g["subscription_amount"] is not None:
        checks.append(("subscription_amount", lambda v: values_equal(g["subscription_amount"], v)))
        if g["currency"]:
            checks.append(("currency", lambda v: g["currency"] == _as_text(v)))
    return checks


def score_shareholders(extracted: pl.DataFrame, expected: pl.DataFrame) -> Score:
    """Holders match by company and name (folded, either contains the other).

    A gold holder is matched when, for every field it states, one of the holder's extracted rows carries
    that value (an article may give the amount and the stake in different sentences). An extracted row
    is wrong when it states a value that contradicts its gold holder, spurious when no gold holder has
    its name.
    """
    ext_rows, exp_rows = _rows(extracted), _rows(expected)

    def same_holder(g: dict, e: dict) -> bool:
        return _companies_match(g["company"], _extracted_company(e)) and _names_overlap(
            g["holder_name"], e.get("holder_name")
        )

    def contradicts(g: dict, e: dict) -> bool:
        return any(
            e.get(col) not in (None, "") and not test(e.get(col)) for col, test in _shareholder_checks(g)
        )

    matched, missing, wrong, spurious = [], [], [], []
    for g in exp_rows:
        rows = [e for e in ext_rows if same_holder(g, e)]
        ok = bool(rows) and all(any(test(e.get(col)) for e in rows) for col, test in _shareholder_checks(g))
        if ok:
            matched.append(g)
        else:
            missing.append(g | {"nearest": "; ".join(_brief(e) for e in rows)})
    for e in ext_rows:
        holders = [g for g in exp_rows if same_holder(g, e)]
        if not holders:
            spurious.append(e | {"reason": "unexpected_holder"})
        elif all(contradicts(g, e) for g in holders):
            wrong.append(e | {"expected": "; ".join(_brief(g) for g in holders)})
    return Score(
        matched=_frame(matched, expected, {}),
        missing=_frame(missing, expected, {"nearest": pl.String}),
        wrong=_frame(wrong, extracted, {"expected": pl.String}),
        spurious=_frame(spurious, extracted, {"reason": pl.String}),
    )


def score_events(extracted: pl.DataFrame, expected: pl.DataFrame) -> Score:
    """Events match by company, type and exchange; date and precision when the gold row states them."""

    def same_event(g: dict, e: dict) -> bool:
        return (
            _companies_match(g["company"], _extracted_company(e))
            and g["event_type"] == _as_text(e.get("event_type"))
            # exchange codes are names, not text: 'Nasdaq' in a label is the warehouse's NASDAQ
            and _in_alternatives(_as_text(g["exchange"]).upper(), _as_text(e.get("exchange")).upper())
        )

    def agrees(g: dict, e: dict) -> bool:
        return (not g["event_date"] or g["event_date"] == _as_text(e.get("event_date"))) and (
            not g["date_precision"] or g["date_precision"] == _as_text(e.get("date_precision"))
        )

    return _score(extracted, expected, same_event, agrees, lambda e: "unexpected_event")


def combine(scores: Sequence[Score]) -> Score:
    """One Score over several documents (frames stacked)."""
    parts = list(scores)
    if not parts:
        empty = pl.DataFrame()
        return Score(empty, empty, empty, empty)
    return Score(
        *(
            pl.concat([getattr(s, name) for s in parts], how="diagonal_relaxed")
            for name in ("matched", "missing", "wrong", "spurious")
        ),
        correct=pl.concat([s.correct for s in parts], how="diagonal_relaxed"),
    )


# Figures an analyst records first: financials, offering terms and the company KPIs; the ecosystem
# counts (tokens, downloads, papers, patents, devices, model sizes) are scored but not core.
NON_CORE_METRICS = frozenset(
    {
        "daily_tokens",
        "devices",
        "open_source_downloads",
        "papers",
        "citations",
        "patents",
        "invention_patents",
        "model_parameters",
    }
)


def core(score_: Score) -> Score:
    """The same score restricted to core metrics (see `NON_CORE_METRICS`)."""

    def keep(df: pl.DataFrame) -> pl.DataFrame:
        if "metric" not in df.columns:
            return df
        return df.filter(~pl.col("metric").is_in(list(NON_CORE_METRICS)))

    return Score(
        *(keep(getattr(score_, name)) for name in ("matched", "missing", "wrong", "spurious")),
        correct=keep(score_.correct),
    )


# --------------------------------------------------------------------------- running the extractor


@dataclass(frozen=True)
class DocumentResult:
    document_id: str
    figures: Score
    shareholders: Score
    events: Score
    # why each missing figure was missed (`miss_cause`), in the order of `figures.missing`
    causes: tuple[str, ...] = ()


def miss_cause(gold: dict, figures: pl.DataFrame, unclassified: pl.DataFrame) -> str:
    """Why a gold figure was not matched, from what the extractor did with its number:
    `extracted:<field>` when it became a figure that differs in that field (company, metric, period,
    dimension, value, qualifier, currency), `unclassified:<reason>` when it was left unclassified, and
    `never_read` when no candidate holds it (the number grammar missed it)."""
    text = _norm(gold.get("text"))
    if not text:
        return "never_read"

    def holds(value_text: object) -> bool:
        got = _norm(value_text)
        return bool(got) and (got in text or text in got)

    same_number = [e for e in _rows(figures) if holds(e.get("value_text"))]
    if same_number:
        e = min(same_number, key=lambda e: _mismatch_order(gold, e))
        return f"extracted:{_first_mismatch(gold, e)}"
    reasons = [u["reason"] for u in _rows(unclassified) if holds(u.get("value_text"))]
    return f"unclassified:{reasons[0]}" if reasons else "never_read"


_CHECKS: tuple[tuple[str, Callable[[dict, dict], bool]], ...] = (
    ("company", lambda g, e: _companies_match(g["company"], _extracted_company(e))),
    ("metric", lambda g, e: g["metric"] == _as_text(e.get("metric"))),
    ("period", lambda g, e: period_matches(g.get("period_label"), e.get("period_label"))),
    ("dimension", lambda g, e: dimension_matches(g.get("dimension"), e.get("dimension"))),
    ("value", lambda g, e: values_equal(g["value"], e.get("value"))),
    ("qualifier", lambda g, e: g["qualifier"] == _as_text(e.get("qualifier"))),
    ("currency", lambda g, e: _as_text(g.get("currency")) == _as_text(e.get("currency"))),
)


def _first_mismatch(g: dict, e: dict) -> str:
    return next((name for name, ok in _CHECKS if not ok(g, e)), "duplicate")


def _mismatch_order(g: dict, e: dict) -> int:
    """How close an extracted row is to a gold row: the number of checks it passes, negated."""
    return -sum(ok(g, e) for _, ok in _CHECKS)


def gold_path_for(file_name: str, document_id: str, articles_dir: Path, gold_dir: Path | None) -> Path | None:
    """`<gold_dir>/<document_id>.yml` with a gold folder, else `<stem>.expected.yml` beside the document."""
    if gold_dir is not None:
        path = gold_dir / f"{document_id}.yml"
    else:
        path = (articles_dir / file_name).with_name(f"{document_id}.expected.yml")
    return path if path.is_file() else None


def _with_resolved_companies(df: pl.DataFrame, resolve: Callable[[str], str | None]) -> pl.DataFrame:
    """Gold companies written as names become the extractor's ids where the matcher knows them."""
    if df.is_empty():
        return df

    def one(name: str) -> str:
        return ALTERNATIVES.join(resolve(alt) or alt for alt in _alternatives(name)) or name

    return df.with_columns(pl.col("company").map_elements(one, return_dtype=pl.String))


def _resolver(resolve: Callable[[str], str | None], *frames: object) -> Callable[[str], str | None]:
    """Name -> company_id via the matcher, then via the discovered companies in `frames`."""
    discovered: dict[str, str] = {}
    for frame in frames:
        if isinstance(frame, pl.DataFrame) and not frame.is_empty():
            for row in frame.to_dicts():
                for col in ("name_zh", "name_zh_hant"):
                    if row.get(col):
                        discovered.setdefault(_norm(row[col]), row["company_id"])
    return lambda name: resolve(name) or discovered.get(_norm(name))


def evaluate_folder(articles_dir: Path | str, gold_dir: Path | str | None = None) -> list[DocumentResult]:
    """Run the extractor over the top-level documents of a folder (with its manifest) and score every
    document that has a gold file. Documents in sub-folders are not evaluated (they are other test sets)."""
    from ingest.companies import CompanyMatcher
    from ingest.documents import read_corpus
    from ingest.extract import discover_corpus, extract_document

    articles_dir = Path(articles_dir)
    gold_dir = Path(gold_dir) if gold_dir is not None else None
    corpus = read_corpus(articles_dir)
    registry = discover_corpus(corpus.documents, CompanyMatcher.from_seed())
    results = []
    for doc in corpus.documents:
        if "/" in doc.file_name:
            continue
        path = gold_path_for(doc.file_name, doc.document_id, articles_dir, gold_dir)
        if path is None:
            continue
        gold = load_gold(path)
        extraction = extract_document(doc, registry)
        resolve = _resolver(
            registry.matcher.resolve, getattr(extraction, "discovered_companies", None), registry.discovered
        )
        figures = score(extraction.figures, _with_resolved_companies(gold.figures, resolve), gold.ignore)
        results.append(
            DocumentResult(
                document_id=doc.document_id,
                figures=figures,
                shareholders=score_shareholders(
                    extraction.shareholders, _with_resolved_companies(gold.shareholders, resolve)
                ),
                events=score_events(extraction.events, _with_resolved_companies(gold.events, resolve)),
                causes=tuple(
                    miss_cause(g, extraction.figures, extraction.unclassified) for g in _rows(figures.missing)
                ),
            )
        )
    rejected = [f"{r.file_name} ({r.reason})" for r in corpus.rejected]
    if rejected:
        print(f"note: rejected by the reader: {rejected}", file=sys.stderr)
    return results


def format_table(results: Sequence[DocumentResult]) -> str:
    """Per-document counts and totals: figures, then shareholders and events (matched/expected)."""
    header = (
        f"{'document':<28} {'expected':>8} {'matched':>7} {'missing':>7} {'wrong':>5} {'spurious':>8} "
        f"{'recall':>6} {'precis':>6}  {'holders':>7}  {'events':>6}"
    )
    lines = [header, "-" * len(header)]

    def line(name: str, f: Score, s: Score, e: Score) -> str:
        return (
            f"{name:<28} {f.expected_count:>8} {f.matched_count:>7} {f.missing_count:>7} {f.wrong_count:>5} "
            f"{f.spurious_count:>8} {f.recall:>6.2f} {f.precision:>6.2f}  "
            f"{s.matched_count:>3}/{s.expected_count:<3}  "
            f"{e.matched_count:>2}/{e.expected_count:<2}"
        )

    for r in results:
        lines.append(line(r.document_id, r.figures, r.shareholders, r.events))
    lines.append("-" * len(header))
    holders, events = combine([r.shareholders for r in results]), combine([r.events for r in results])
    figures = combine([r.figures for r in results])
    lines.append(line("TOTAL", figures, holders, events))
    lines.append(line("TOTAL core figures", core(figures), holders, events))
    return "\n".join(lines)


def format_causes(results: Sequence[DocumentResult], examples: int = 3) -> str:
    """Missed figures grouped by cause (see `miss_cause`), most frequent first, with examples."""
    grouped: dict[str, list[str]] = {}
    for r in results:
        for g, cause in zip(_rows(r.figures.missing), r.causes, strict=False):
            grouped.setdefault(cause, []).append(f"{r.document_id}: {g['metric']} {g.get('text') or ''}")
    lines = [f"misses by cause ({sum(len(v) for v in grouped.values())}):"]
    for cause, items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"  {len(items):>4}  {cause:<36} e.g. {'; '.join(items[:examples])}")
    return "\n".join(lines)


def format_details(results: Sequence[DocumentResult]) -> str:
    """Every missing, wrong and spurious row, by document: what to route to the extractor."""
    out = []
    for r in results:
        for what, sc in (("figure", r.figures), ("holder", r.shareholders), ("event", r.events)):
            for row in sc.missing.to_dicts():
                keys = {
                    k: v
                    for k, v in row.items()
                    if k not in ("document_id", "nearest") and v not in (None, "")
                }
                got = f"  (got: {row['nearest']})" if row.get("nearest") else ""
                out.append(f"{r.document_id}  MISSING {what}: {keys}{got}")
            for row in sc.wrong.to_dicts():
                out.append(f"{r.document_id}  WRONG {what}: {_brief(row)}  expected: {row['expected']}")
            for row in sc.spurious.to_dicts():
                out.append(f"{r.document_id}  SPURIOUS {what} ({row['reason']}): {_brief(row)}")
    return "\n".join(out)


def _brief(row: dict) -> str:
    keep = (
        "company_id",
        "metric",
        "dimension",
        "period_label",
        "value",
        "currency",
        "qualifier",
        "value_text",
        "holder_name",
        "holder_type",
        "parent_entity",
        "stake_pct",
        "subscription_amount",
        "event_type",
        "exchange",
        "event_date",
        "date_precision",
        "quote",
    )
    return str({k: row[k] for k in keep if row.get(k) not in (None, "")})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("articles_dir", type=Path, help="folder with documents and manifest.csv")
    parser.add_argument("--gold", type=Path, default=None, help="folder of <document_id>.yml gold files")
    parser.add_argument("--details", action="store_true", help="list every missing, wrong, spurious row")
    args = parser.parse_args(argv)
    results = evaluate_folder(args.articles_dir, args.gold)
    if not results:
        print(f"no document in {args.articles_dir} has a gold file", file=sys.stderr)
        return 2
    print(format_table(results))
    print()
    print(format_causes(results))
    if args.details:
        print()
        print(format_details(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
