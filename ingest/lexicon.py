"""The metric lexicon (`ingest/rules/metrics.yml`) loaded and validated against the metric vocabulary."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parent / "rules"
METRICS_YML = RULES_DIR / "metrics.yml"
REF_METRICS_CSV = Path(__file__).resolve().parent.parent / "seeds" / "reference" / "ref_metrics.csv"

UNITS = {"money", "pct", "x", "count", "rank"}
KINDS = {"flow", "stock", "offering", "cagr"}


@dataclass(frozen=True)
class MetricRule:
    code: str
    table: str
    unit: str
    kind: str
    out_unit: str = ""
    before: tuple[re.Pattern, ...] = ()
    after: tuple[re.Pattern, ...] = ()
    forbid: tuple[re.Pattern, ...] = ()
    not_after: tuple[re.Pattern, ...] = ()  # the keyword must not be preceded by these
    block_if_window: tuple[re.Pattern, ...] = ()  # the metric does not apply when the window has these
    requires: tuple[re.Pattern, ...] = ()
    negate: tuple[str, ...] = ()
    per_share: bool = False
    dimension: str = ""
    classifiers: tuple[str, ...] = ()  # counts: accepted counting words ('' = a bare scaled number)
    min_value: float | None = None
    max_value: float | None = None
    # one regex over all `before` patterns: a cheap test that any of them can match a window
    before_any: re.Pattern | None = None


@dataclass(frozen=True)
class Lexicon:
    metrics: dict[str, MetricRule]
    not_figures: dict[str, tuple[re.Pattern, ...]]
    market_wide_sentence: tuple[re.Pattern, ...] = ()
    # (sentence words, window words) that make a number a condition ('回拨' thresholds)
    conditional: tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]] = ((), ())


def _compile(patterns, where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{METRICS_YML}: bad pattern {p!r} in {where}: {exc}") from exc
    return tuple(out)


def _joined(patterns: tuple[re.Pattern, ...]) -> tuple[re.Pattern, ...]:
    if not patterns:
        return ()
    return (re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE),)


def _vocabulary(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["metric"]: row["table_name"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def load_lexicon(path: Path = METRICS_YML, vocabulary_path: Path = REF_METRICS_CSV) -> Lexicon:
    """Parse and validate the lexicon; every code and table must match `ref_metrics.csv`."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    vocabulary = _vocabulary(vocabulary_path)
    metrics: dict[str, MetricRule] = {}
    for code, spec in (raw.get("metrics") or {}).items():
        where = f"metric {code}"
        if code not in vocabulary:
            raise ValueError(f"{path}: {where} is not in {vocabulary_path.name}")
        if spec.get("table") != vocabulary[code]:
            raise ValueError(
                f"{path}: {where} has table {spec.get('table')!r}, vocabulary says {vocabulary[code]!r}"
            )
        if spec.get("unit") not in UNITS or spec.get("kind") not in KINDS:
            raise ValueError(f"{path}: {where} needs unit in {sorted(UNITS)} and kind in {sorted(KINDS)}")
        if spec["unit"] == "count" and not spec.get("classifiers"):
            raise ValueError(
                f"{path}: {where} is a count and needs 'classifiers' (the counting words it accepts)"
            )
        metrics[code] = MetricRule(
            code=code,
            table=spec["table"],
            unit=spec["unit"],
            kind=spec["kind"],
            out_unit=spec.get("out_unit", ""),
            before=_compile(spec.get("before"), where),
            after=_compile(spec.get("after"), where),
            # 'any of these' lists: validated one by one, then joined into one regex (one search each)
            forbid=_joined(_compile(spec.get("forbid"), where)),
            not_after=_joined(_compile([f"(?:{p})$" for p in spec.get("not_after") or ()], where)),
            block_if_window=_joined(_compile(spec.get("block_if_window"), where)),
            requires=_joined(_compile(spec.get("requires"), where)),
            negate=tuple(spec.get("negate") or ()),
            per_share=bool(spec.get("per_share", False)),
            dimension=spec.get("dimension", ""),
            classifiers=tuple(str(c) for c in spec.get("classifiers") or ()),
            min_value=spec.get("min_value"),
            max_value=spec.get("max_value"),
            before_any=re.compile("|".join(f"(?:{p})" for p in spec["before"]), re.IGNORECASE)
            if spec.get("before")
            else None,
        )
    missing = sorted(set(vocabulary) - set(metrics))
    if missing:
        raise ValueError(f"{path}: metrics missing from the lexicon: {missing}")
    # each list is validated pattern by pattern, then joined into one regex (one search per number)
    not_figures = {
        reason: _joined(_compile(patterns, f"not_figures.{reason}"))
        for reason, patterns in (raw.get("not_figures") or {}).items()
    }
    market_wide_sentence = _joined(_compile(raw.get("market_wide_sentence"), "market_wide_sentence"))
    conditional_raw = raw.get("conditional") or {}
    conditional = (
        _joined(_compile(conditional_raw.get("sentence"), "conditional.sentence")),
        _joined(_compile(conditional_raw.get("window"), "conditional.window")),
    )
    return Lexicon(
        metrics=metrics,
        not_figures=not_figures,
        market_wide_sentence=market_wide_sentence,
        conditional=conditional,
    )
