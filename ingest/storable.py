"""Values the warehouse cannot store: found at ingest, so that only their document is rejected.

A value is unstorable when

- it is not a finite number (inf, nan): no comparison or sum over it means anything;
- its magnitude reaches 2**63 (any float column, `written_number` included, which
  `macros/figures_agree.sql` casts to BIGINT): one overflow fails the whole `dbt build`;
- it lies outside a range an expectation suite allows for the mart that publishes the row as it is
  (`expectations/<mart>.yml`, `expect_column_values_to_be_between` of severity error, its `where`
  filter included): one such row would stop the whole publication at the audit.

The suites are read, not copied: their bounds stay written once, beside their reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
BIGINT_LIMIT = 2.0**63  # the first magnitude a BIGINT cannot hold
#: Seed table -> the mart that publishes its rows one for one, with the same column names and values.
AUDITED_AS = {
    "ingest_documents": "dim_documents",
    "ingest_figures": "fct_figures",
    "ingest_shareholders": "shareholders",
    "ingest_events": "offering_events",
    "ingest_unclassified_mentions": "unclassified_mentions",
    "ingest_implied_fx_rates": "fx_rates",
}

PROBLEM_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "problem": pl.String}


@dataclass(frozen=True)
class SuiteRange:
    """One `expect_column_values_to_be_between` of a suite."""

    suite: str  # file name
    column: str
    min_value: object = None
    max_value: object = None
    where: Mapping[str, object] = field(default_factory=dict)
    why: str = ""

    def describe(self) -> str:
        low = "" if self.min_value is None else f"{self.min_value}"
        high = "" if self.max_value is None else f"{self.max_value}"
        return f"outside {low}..{high} allowed by {self.suite} ({self.why})"


@lru_cache(maxsize=4)
def suite_ranges(expectations_dir: Path = EXPECTATIONS_DIR) -> Mapping[str, tuple[SuiteRange, ...]]:
    """Mart -> the ranges its suite enforces (severity error; `warn` does not block publication)."""
    out: dict[str, list[SuiteRange]] = {}
    for path in sorted(Path(expectations_dir).glob("*.yml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for spec in suite.get("expectations") or []:
            kwargs = spec.get("kwargs") or {}
            if spec.get("type") != "expect_column_values_to_be_between" or "column" not in kwargs:
                continue
            if spec.get("severity", "error") != "error":
                continue
            out.setdefault(suite.get("table", path.stem), []).append(
                SuiteRange(
                    path.name,
                    kwargs["column"],
                    kwargs.get("min_value"),
                    kwargs.get("max_value"),
                    spec.get("where") or {},
                    str(spec.get("why", "")),
                )
            )
    return {table: tuple(ranges) for table, ranges in out.items()}


def _matches(where: Mapping[str, object]) -> pl.Expr:
    """The rows a suite's `where` keeps (as pipeline.validate builds it: scalar = equal, list = one of,
    {not: ...} = the opposite; a null is equal to nothing, so a negation keeps it)."""
    condition = pl.lit(True)
    for name, wanted in where.items():
        negate = isinstance(wanted, dict)
        value = wanted["not"] if negate else wanted
        values = value if isinstance(value, list) else [value]
        hit = pl.col(name).is_in(values).fill_null(False)
        condition = condition & (~hit if negate else hit)
    return condition


def value_problems(
    name: str, frame: pl.DataFrame, ranges: Mapping[str, Sequence[SuiteRange]] | None = None
) -> pl.DataFrame:
    """Cells of seed `name` the warehouse cannot store: row, column, value (as text), problem."""
    ranges = suite_ranges() if ranges is None else ranges
    indexed = frame.with_row_index("row")
    parts = []

    def add(bad: pl.DataFrame, column: str, problem: str | pl.Expr) -> None:
        if bad.height:
            parts.append(
                bad.select(
                    pl.col("row").cast(pl.Int64),
                    pl.lit(column).alias("column"),
                    pl.col(column).cast(pl.String).alias("value"),
                    (pl.lit(problem) if isinstance(problem, str) else problem).alias("problem"),
                )
            )

    for column, dtype in frame.schema.items():
        if dtype.is_float():
            value = pl.col(column)
            add(indexed.filter(~value.is_finite()), column, "is not a finite number")
            add(
                indexed.filter(value.is_finite() & (value.abs() >= BIGINT_LIMIT)),
                column,
                "does not fit a 64-bit integer (dbt casts it to BIGINT)",
            )
    for spec in ranges.get(AUDITED_AS.get(name, ""), ()):
        if spec.column not in frame.columns or not set(spec.where) <= set(frame.columns):
            continue  # a column the mart derives: the suite checks it there
        value = pl.col(spec.column)
        outside = pl.lit(False)
        if spec.min_value is not None:
            outside = outside | (value < pl.lit(spec.min_value))
        if spec.max_value is not None:
            outside = outside | (value > pl.lit(spec.max_value))
        finite = value.is_finite() if frame.schema[spec.column].is_float() else pl.lit(True)
        add(
            indexed.filter(value.is_not_null() & finite & _matches(spec.where) & outside.fill_null(False)),
            spec.column,
            spec.describe(),
        )
    if not parts:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    return pl.concat(parts).sort("row", maintain_order=True)
