"""The closed sets of codes the warehouse stores, kept once: `seeds/reference/ref_vocabularies.csv`.

One row per (vocabulary, value). The three layers that check codes all read it:

- ingest (`unknown_codes`): every code a document's rows carry must be in its vocabulary; a document
  with an unknown one is rejected `unknown_vocabulary` (naming the column and the value), the others
  build (`ingest.quarantine`);
- dbt: the generic test `in_vocabulary` (`macros/generic_tests/in_vocabulary.sql`) reads the seed
  `ref_vocabularies` when it runs, so a value added to the file is accepted at the next build;
- the expectation suites (`expectations/*.yml`) list their `value_set`s in full (GX reads no seed):
  `layer_problems` compares every one of them, and every dbt test, with the file, and
  tests/unit/test_vocabulary.py fails until they agree.

Metric codes have their own vocabulary, `seeds/reference/ref_metrics.csv` (read by `ingest.lexicon`
and dbt's `relationships` test); here it is the vocabulary `metric`. The empty string is never a
vocabulary value: whether a column may be '' (a figure that is not money has no currency) is a
property of the column, stated beside each check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from ingest.schema import TABLES, vocabulary_columns

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VOCABULARIES_CSV = PROJECT_ROOT / "seeds" / "reference" / "ref_vocabularies.csv"
METRICS_CSV = PROJECT_ROOT / "seeds" / "reference" / "ref_metrics.csv"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
# A code: letters, digits, '_' and '-' (zh-Hans, 9M, AS_OF); no blank, no separator, no control.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

#: Table -> column -> (vocabulary, may be ''), from the contract (ingest/schema.py). '' is allowed where
#: dbt and the suites allow it, so that no row ingest lets through fails them. Nulls are not checked here
#: (not_null tests are).
INGEST_COLUMNS: dict[str, dict[str, tuple[str, bool]]] = vocabulary_columns(TABLES)


class VocabularyError(ValueError):
    """The vocabulary file cannot be used; the message names the file, the line and the problem."""


@lru_cache(maxsize=8)
def _parse(path: str, text: str, metrics_name: str, metrics_text: str) -> Mapping[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or not {"vocabulary", "value"} <= set(reader.fieldnames):
        raise VocabularyError(f"{path}: the header must name the columns vocabulary and value")
    for row in reader:
        where = f"{path} line {reader.line_num}"
        name, value = (row.get("vocabulary") or "").strip(), (row.get("value") or "").strip()
        if not _NAME.fullmatch(name):
            raise VocabularyError(f"{where}: vocabulary {name!r} is not a lowercase name")
        if not _CODE.fullmatch(value):
            raise VocabularyError(f"{where}: value {value!r} of {name} is not a code")
        if value in found.setdefault(name, set()):
            raise VocabularyError(f"{where}: {name} lists {value!r} twice")
        found[name].add(value)
    if "metric" in found:
        raise VocabularyError(f"{path}: metric codes are kept in {metrics_name}, not here")
    metrics = csv.DictReader(io.StringIO(metrics_text, newline=""))
    found["metric"] = {row["metric"].strip() for row in metrics}
    return {name: frozenset(values) for name, values in found.items()}


def vocabularies(path: Path | None = None, metrics_csv: Path | None = None) -> Mapping[str, frozenset[str]]:
    """Vocabulary name -> its values (including `metric`, from ref_metrics.csv). Read on every call
    (two small files), parsed once per content."""
    path, metrics_csv = Path(path or VOCABULARIES_CSV), Path(metrics_csv or METRICS_CSV)
    try:
        text, metrics_text = path.read_text(encoding="utf-8"), metrics_csv.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{path} or {metrics_csv}: cannot be read ({exc})") from exc
    return _parse(str(path), text, metrics_csv.name, metrics_text)


def unknown_codes(
    name: str, frame: pl.DataFrame, vocab: Mapping[str, frozenset[str]] | None = None
) -> pl.DataFrame:
    """The cells of seed `name` holding a code outside their vocabulary: row (index in `frame`),
    column, value, vocabulary; one row per cell, in table order."""
    vocab = vocab if vocab is not None else vocabularies()
    schema = {"row": pl.Int64, "column": pl.String, "value": pl.String, "vocabulary": pl.String}
    parts = []
    indexed = frame.with_row_index("row")
    for column, (vocabulary, empty_ok) in INGEST_COLUMNS.get(name, {}).items():
        if column not in frame.columns:
            continue
        allowed = sorted(vocab[vocabulary] | ({""} if empty_ok else set()))
        bad = indexed.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed))
        if bad.height:
            parts.append(
                bad.select(
                    pl.col("row").cast(pl.Int64),
                    pl.lit(column).alias("column"),
                    pl.col(column).cast(pl.String).alias("value"),
                    pl.lit(vocabulary).alias("vocabulary"),
                )
            )
    out = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return out.sort("row", maintain_order=True)


# --------------------------------------------------------------------------- the other layers

#: Suite columns named differently from their vocabulary (table, column) -> vocabulary.
SUITE_VOCABULARY = {
    ("rejected_documents", "reason"): "rejection_reason",
    ("unclassified_mentions", "reason"): "unclassified_reason",
    ("offerings", "status"): "offering_status",
    ("fx_rates", "source_kind"): "fx_source_kind",
    ("reconciliation", "check_type"): "reconciliation_check",
    ("fx_rates", "base_currency"): "currency",
    ("fx_rates", "quote_currency"): "currency",
}
#: Where a layer deliberately lists less or more than the vocabulary, and why:
#: (table, column) -> (values left out, values added).
NARROWED = {
    # financial figures always have a reporting period; EVENT is the offering's own
    ("financials", "period_type"): ({"EVENT"}, set()),
    # an offering attempt whose venue no document names
    ("offerings", "exchange"): (set(), {"unknown"}),
}
#: Marts that list only their own metrics (ref_metrics.table_name).
METRIC_TABLES = ("financials", "kpis", "offerings")


def column_vocabulary(table: str, column: str, names: Iterable[str]) -> str | None:
    """The vocabulary (of `names`) a closed set of `table.column` must equal, None when it has none."""
    if (table, column) in SUITE_VOCABULARY:
        return SUITE_VOCABULARY[(table, column)]
    if column == "currency" or column.endswith("_currency"):
        return "currency"
    if column == "qualifier" or column.endswith("_qualifier"):
        return "qualifier"
    return column if column in set(names) else None


def expected_values(
    table: str, column: str, vocab: Mapping[str, frozenset[str]], metrics_csv: Path | None = None
) -> frozenset[str] | None:
    """The values a closed set of `table.column` must list ('' aside), None when it has no vocabulary."""
    name = column_vocabulary(table, column, vocab)
    if name is None or name not in vocab:
        return None
    values = set(vocab[name])
    if name == "metric" and table in METRIC_TABLES:
        with open(metrics_csv or METRICS_CSV, encoding="utf-8", newline="") as handle:
            values &= {r["metric"] for r in csv.DictReader(handle) if r["table_name"] == table}
    left_out, added = NARROWED.get((table, column), (set(), set()))
    return frozenset((values - left_out) | added)


def _compare(where: str, listed: Iterable[object], expected: frozenset[str], *, narrowing: bool) -> list[str]:
    values = {str(v) for v in listed} - {""}
    missing, extra = sorted(expected - values), sorted(values - expected)
    problems = []
    if missing and not narrowing:
        problems.append(f"{where} lacks {', '.join(missing)}")
    if extra:
        problems.append(f"{where} lists {', '.join(extra)}, not in the vocabulary")
    return problems


def suite_problems(
    expectations_dir: Path, vocab: Mapping[str, frozenset[str]] | None = None, metrics_csv: Path | None = None
) -> list[str]:
    """Every `expect_column_values_to_be_in_set` of the suites against the vocabulary.

    A value_set must list exactly its column's vocabulary ('' may be added); one with a `where` filter
    may list part of it (it narrows the rows). Booleans are not a vocabulary."""
    vocab = vocab if vocab is not None else vocabularies()
    problems = []
    for path in sorted(Path(expectations_dir).glob("*.yml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        table = suite.get("table", path.stem)
        for spec in suite.get("expectations") or []:
            kwargs = spec.get("kwargs") or {}
            if spec.get("type") != "expect_column_values_to_be_in_set" or "value_set" not in kwargs:
                continue
            column, listed = kwargs.get("column"), kwargs["value_set"]
            where = f"{path.name} {table}.{column}"
            expected = expected_values(table, column, vocab, metrics_csv)
            if isinstance(listed, dict):  # {vocabulary: true}: read from the file when the suite loads
                if expected is None:
                    problems.append(f"{where}: names a vocabulary {VOCABULARIES_CSV.name} does not have")
                continue
            if all(isinstance(v, bool) for v in listed):
                continue
            if expected is None:
                problems.append(f"{where}: a closed set with no vocabulary in {VOCABULARIES_CSV.name}")
                continue
            problems += _compare(where, listed, expected, narrowing=bool(spec.get("where")))
    return problems


def _tests_of(node: dict) -> list:
    return list(node.get("data_tests") or node.get("tests") or [])


def dbt_problems(models_dir: Path, vocab: Mapping[str, frozenset[str]] | None = None) -> list[str]:
    """dbt's closed sets: each `in_vocabulary` test must name a vocabulary of the file, and no
    `accepted_values` test may list its own copy of one."""
    vocab = vocab if vocab is not None else vocabularies()
    problems = []
    for path in sorted(Path(models_dir).rglob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in spec.get("models") or []:
            for column in model.get("columns") or []:
                where = f"{path.name} {model['name']}.{column['name']}"
                for test in _tests_of(column):
                    if not isinstance(test, dict):
                        continue
                    if "in_vocabulary" in test:
                        args = test["in_vocabulary"].get("arguments") or test["in_vocabulary"]
                        if args.get("vocabulary") not in vocab:
                            problems.append(
                                f"{where}: in_vocabulary names unknown {args.get('vocabulary')!r}"
                            )
                    elif "accepted_values" in test:
                        args = test["accepted_values"].get("arguments") or test["accepted_values"]
                        if not all(isinstance(v, bool) for v in args.get("values") or []):
                            problems.append(f"{where}: accepted_values keeps its own list; use in_vocabulary")
    return problems


def layer_problems(project_root: Path = PROJECT_ROOT) -> list[str]:
    """Where dbt or the suites of `project_root` disagree with its vocabulary file (empty: they agree)."""
    reference = project_root / "seeds" / "reference"
    vocab = vocabularies(reference / "ref_vocabularies.csv", reference / "ref_metrics.csv")
    return dbt_problems(project_root / "models", vocab) + suite_problems(
        project_root / "expectations", vocab, reference / "ref_metrics.csv"
    )
