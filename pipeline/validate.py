"""Audit a candidate warehouse with the Great Expectations suites in `expectations/*.yml`.

GX cannot reach DuckDB through SQLAlchemy in this environment, so each mart is read (read-only, after
dbt has exited) into pandas and validated with an ephemeral GX context and a pandas datasource.

Suite file format (one file per mart, see expectations/README.md)::

    table: fct_figures            # the mart the suite audits
    show_columns: [figure_id, document_id, quote]   # printed for each failing row
    expectations:
      - type: expect_column_values_to_be_between   # any GX Core expectation type
        kwargs: {column: value, min_value: 0, max_value: 100}
        where: {metric: [gross_margin_pct, revenue_share_pct], unit: {not: x}}  # optional row filter
        why: one-line justification of the check and its bounds
        severity: error            # error (default) blocks publication; warn only with STRICT=1

`where` keeps the rows where every listed column matches: a scalar means equal, a list means one of,
`{not: scalar-or-list}` the opposite. It becomes a GX Condition (string row_conditions are deprecated).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Failing rows printed per expectation.
MAX_EXAMPLES = 5
#: kwargs of GX expectations that name columns of the batch.
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list",)
SEVERITIES = ("error", "warn")
_SOURCE_IDS = itertools.count()


class SuiteError(ValueError):
    """A suite file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    why: str
    severity: str = "error"
    where: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> list[str]:
        named = [self.kwargs[k] for k in COLUMN_KWARGS if k in self.kwargs]
        for key in COLUMN_LIST_KWARGS:
            named.extend(self.kwargs.get(key, []))
        named.extend(self.where)
        return [str(c) for c in named]

    def describe(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.kwargs.items())
        where = f" where {_short(self.where, 120)}" if self.where else ""
        return f"{self.type}({args}){where}"

    def gx_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.kwargs)
        if self.where:
            kwargs["row_condition"] = _condition(self.where)
        return kwargs


def _condition(where: dict[str, Any]):
    """`{metric: [a, b], unit: {not: x}}` -> Column("metric").is_in([a, b]) & (Column("unit") != "x")."""
    from great_expectations.expectations.row_conditions import Column

    parts = []
    for name, wanted in where.items():
        column = Column(name)
        negate = isinstance(wanted, dict)
        value = wanted["not"] if negate else wanted
        if isinstance(value, list):
            parts.append(column.is_not_in(value) if negate else column.is_in(value))
        else:
            parts.append(column != value if negate else column == value)
    condition = parts[0]
    for part in parts[1:]:
        condition = condition & part
    return condition


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str
    path: Path
    show_columns: tuple[str, ...]
    expectations: tuple[ExpectationSpec, ...]


@dataclass
class ExpectationOutcome:
    spec: ExpectationSpec
    success: bool
    message: str = ""
    examples: list[dict[str, Any]] = field(default_factory=list)
    unexpected_count: int | None = None
    # Every failing row GX reported (show_columns, the row ids that trace it to a document, and the
    # checked columns): what `pipeline.quarantine` traces. Empty for table-level expectations.
    failing_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return not self.success and (self.spec.severity == "error" or _strict())


@dataclass
class SuiteOutcome:
    suite: SuiteSpec
    outcomes: list[ExpectationOutcome]
    row_count: int | None = None
    error: str = ""  # the suite could not run at all (missing table)

    @property
    def passed(self) -> int:
        return sum(o.success for o in self.outcomes)

    @property
    def total(self) -> int:
        return len(self.suite.expectations)

    @property
    def ok(self) -> bool:
        return not self.error and not any(o.blocking for o in self.outcomes)


def _strict() -> bool:
    return os.environ.get("STRICT", "").lower() in ("1", "true", "yes")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_gx_value(value: Any) -> Any:
    """YAML dates become datetimes: DuckDB DATE columns arrive in pandas as datetime64, and pandas
    refuses to compare a Timestamp with a bare `datetime.date`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, list):
        return [_as_gx_value(v) for v in value]
    return value


def _parse_expectation(raw: Any, where: str) -> ExpectationSpec:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: an expectation must be a mapping with type/kwargs/why, got {raw!r}")
    unknown = set(raw) - {"type", "kwargs", "why", "severity", "where"}
    if unknown:
        raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind.startswith("expect_"):
        raise SuiteError(
            f"{where}: 'type' must be a GX expectation name such as expect_column_values_to_be_unique"
        )
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        raise SuiteError(f"{where}: {kind} has no 'why' (a one-line justification is required)")
    kwargs = raw.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise SuiteError(f"{where}: {kind} kwargs must be a mapping")
    severity = raw.get("severity", "error")
    if severity not in SEVERITIES:
        raise SuiteError(f"{where}: {kind} severity must be one of {SEVERITIES}, got {severity!r}")
    return ExpectationSpec(
        type=kind,
        kwargs={k: _as_gx_value(v) for k, v in kwargs.items()},
        why=why.strip(),
        severity=severity,
        where=_parse_where(raw.get("where"), f"{where}: {kind}"),
    )


def _parse_where(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not raw:
        raise SuiteError(f"{where}: 'where' must map column names to a value, a list or {{not: ...}}")
    for column, wanted in raw.items():
        if isinstance(wanted, dict) and set(wanted) != {"not"}:
            raise SuiteError(f"{where}: where.{column} accepts only {{not: value-or-list}}, got {wanted!r}")
    return {str(k): _as_gx_value(v) for k, v in raw.items()}


def load_suite(path: Path) -> SuiteSpec:
    """Read and check one suite file; raise SuiteError naming the file on any structural problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("table"), str):
        raise SuiteError(f"{path}: a suite needs a top-level 'table: <mart name>'")
    items = raw.get("expectations")
    if not isinstance(items, list) or not items:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    specs = tuple(_parse_expectation(item, f"{path} expectation #{i + 1}") for i, item in enumerate(items))
    specs = tuple(_with_vocabulary(spec, raw["table"], path) for spec in specs)
    _check_gx_types(specs, path)
    return SuiteSpec(
        name=path.stem,
        table=raw["table"],
        path=path,
        show_columns=tuple(raw.get("show_columns") or ()),
        expectations=specs,
    )


def _with_vocabulary(spec: ExpectationSpec, table: str, path: Path) -> ExpectationSpec:
    """`value_set: {vocabulary: true}` (with `empty: true` when '' is allowed) is the column's set in
    seeds/reference/ref_vocabularies.csv (metric codes: ref_metrics.csv), read when the suite is
    loaded: a code added to the file is accepted by the suites as by dbt and ingest."""
    value_set = spec.kwargs.get("value_set")
    if spec.type != "expect_column_values_to_be_in_set" or not isinstance(value_set, dict):
        return spec
    from ingest.vocabulary import expected_values, vocabularies

    if set(value_set) - {"vocabulary", "empty"} or value_set.get("vocabulary") is not True:
        raise SuiteError(f"{path}: value_set must be a list or {{vocabulary: true, empty: true}}")
    column = str(spec.kwargs.get("column"))
    # the vocabulary files of the project the suite belongs to (expectations/ beside seeds/)
    reference = path.resolve().parent.parent / "seeds" / "reference"
    files = (reference / "ref_vocabularies.csv", reference / "ref_metrics.csv")
    vocab = vocabularies(*files) if all(f.is_file() for f in files) else vocabularies()
    metrics = files[1] if files[1].is_file() else None
    values = expected_values(table, column, vocab, metrics)
    if values is None:
        raise SuiteError(f"{path}: {table}.{column} has no vocabulary in ref_vocabularies.csv")
    listed = sorted(values) + ([""] if value_set.get("empty") else [])
    return ExpectationSpec(
        spec.type, {**spec.kwargs, "value_set": listed}, spec.why, spec.severity, spec.where
    )


def _check_gx_types(specs: tuple[ExpectationSpec, ...], path: Path) -> None:
    from great_expectations.expectations.registry import get_expectation_impl

    for spec in specs:
        try:
            get_expectation_impl(spec.type)
        except Exception as exc:  # GX raises its own ExpectationNotFoundError
            raise SuiteError(f"{path}: unknown expectation type {spec.type}: {exc}") from exc


def load_suites(directory: Path) -> list[SuiteSpec]:
    files = sorted(Path(directory).glob("*.yml"))
    if not files:
        raise SuiteError(f"{directory}: no expectation suites (*.yml) found")
    return [load_suite(f) for f in files]


# --- running -------------------------------------------------------------------------------------------


def warm_up() -> threading.Thread:
    """Import Great Expectations in a background thread (about 2 s of CPU) while the caller waits on
    another process (dbt): the audit that follows then starts at once. Importing twice is harmless."""

    def load() -> None:
        import great_expectations  # noqa: F401
        from great_expectations.expectations import registry  # noqa: F401

    thread = threading.Thread(target=load, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _column_list(columns: set[str], limit: int = 25) -> str:
    names = sorted(columns)
    shown = ", ".join(names[:limit])
    return shown + (f", ... {len(names) - limit} more" if len(names) > limit else "")


def _exception_messages(info: Any) -> list[str]:
    """GX nests exception info either flat or per metric; collect every message."""
    if not isinstance(info, dict):
        return []
    if "exception_message" in info:
        return [str(info["exception_message"])] if info.get("raised_exception") else []
    messages: list[str] = []
    for value in info.values():
        messages.extend(_exception_messages(value))
    return messages


def _failing_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(item) for item in result.get("unexpected_index_list") or [] if isinstance(item, dict)]


def _examples(result: dict[str, Any], frame, show: list[str], hidden: set[str]) -> list[dict[str, Any]]:
    index_list = result.get("unexpected_index_list") or []
    examples: list[dict[str, Any]] = []
    for item in index_list[:MAX_EXAMPLES]:
        if isinstance(item, dict):
            examples.append({k: v for k, v in item.items() if k not in hidden})
        elif item in frame.index:  # a plain row index when no key column could be named
            examples.append({c: frame.at[item, c] for c in show} | {"row": item})
    if not examples and result.get("partial_unexpected_list"):
        examples = [{"value": v} for v in result["partial_unexpected_list"][:MAX_EXAMPLES]]
    return examples


def run_suite(suite: SuiteSpec, frame, context=None) -> SuiteOutcome:
    """Validate one pandas frame against one suite. Expectations naming a column the frame lacks fail
    with a message instead of reaching GX (which would raise deep inside metric resolution)."""
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = context or _gx_context()
    columns = set(frame.columns)
    outcomes: dict[int, ExpectationOutcome] = {}
    runnable: list[tuple[int, ExpectationSpec]] = []
    for i, spec in enumerate(suite.expectations):
        missing = [c for c in spec.columns() if c not in columns]
        if missing:
            outcomes[i] = ExpectationOutcome(
                spec,
                success=False,
                message=f"column(s) {missing} not in {suite.table} (it has {_column_list(columns)})",
            )
        else:
            runnable.append((i, spec))

    if runnable:
        gx_suite = ExpectationSuite(name=suite.name)
        for i, spec in runnable:
            meta = {"why": spec.why, "position": i}
            config = ExpectationConfiguration(type=spec.type, kwargs=spec.gx_kwargs(), meta=meta)
            gx_suite.add_expectation(config.to_domain_obj())
        # One datasource per run: a context may validate the same suite twice (tests, re-runs).
        source_name = f"marts_{suite.name}_{next(_SOURCE_IDS)}"
        asset = context.data_sources.add_pandas(source_name).add_dataframe_asset(suite.table)
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": frame}
        )
        from pipeline.quarantine import ROW_COLUMNS

        show = [c for c in suite.show_columns if c in columns]
        # The row ids that trace a failing row to its document are reported too (not printed).
        traced = [c for c in ROW_COLUMNS if c in columns and c not in show]
        result_format: dict[str, Any] = {"result_format": "COMPLETE"}
        if show or traced:
            result_format["unexpected_index_column_names"] = show + traced
        validation = batch.validate(gx_suite, result_format=result_format)
        # GX does not keep suite order in its results; pair them back by the position stored in meta.
        by_position = {(r.expectation_config.meta or {}).get("position"): r for r in validation.results}
        for i, spec in runnable:
            r = by_position.get(i)
            if r is None:
                outcomes[i] = ExpectationOutcome(spec, success=False, message="GX returned no result for it")
                continue
            messages = _exception_messages(r.exception_info)
            result = dict(r.result or {})
            message = "; ".join(m.splitlines()[0] for m in messages)
            if not messages and not r.success and "observed_value" in result:
                message = f"observed {_short(result['observed_value'], 200)}"
            outcomes[i] = ExpectationOutcome(
                spec,
                success=bool(r.success) and not messages,
                message=message,
                examples=[] if r.success else _examples(result, frame, show, set(traced)),
                unexpected_count=result.get("unexpected_count"),
                failing_rows=[] if r.success else _failing_rows(result),
            )
    return SuiteOutcome(suite, [outcomes[i] for i in range(len(suite.expectations))], row_count=len(frame))


def _find_table(con, table: str) -> str | None:
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ? "
        "order by table_schema = 'main' desc, table_schema",
        [table],
    ).fetchall()
    return f'"{rows[0][0]}"."{table}"' if rows else None


def validate_warehouse(db_path: Path, suites: list[SuiteSpec]) -> list[SuiteOutcome]:
    """Open `db_path` read-only, load each audited mart into pandas and run its suite."""
    import duckdb

    context = _gx_context()
    results: list[SuiteOutcome] = []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for suite in suites:
            qualified = _find_table(con, suite.table)
            if qualified is None:
                results.append(
                    SuiteOutcome(
                        suite,
                        [],
                        error=f"table {suite.table} does not exist in {db_path} (suite {suite.path})",
                    )
                )
                continue
            frame = con.sql(f"select * from {qualified}").df()
            results.append(run_suite(suite, frame, context))
    finally:
        con.close()
    return results


#: Seeds and dbt's internal layers are audited by dbt tests; only published tables need a suite.
UNPUBLISHED_PREFIXES = ("ingest_", "ref_", "stg_", "int_")


def unaudited_tables(db_path: Path, suites: list[SuiteSpec]) -> list[str]:
    """Published tables of `db_path` that no suite audits (a new mart someone forgot to cover)."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    finally:
        con.close()
    audited = {s.table for s in suites}
    return [t for (t,) in rows if t not in audited and not t.startswith(UNPUBLISHED_PREFIXES)]


def _format_example(example: dict[str, Any]) -> str:
    return "  ".join(f"{k}={_short(_plain(v), 80)}" for k, v in example.items())


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def report_lines(results: list[SuiteOutcome]) -> list[str]:
    """`validate: <suite> <n>/<m> passed`, then each failing expectation with up to 5 offending rows."""
    lines: list[str] = []
    for outcome in results:
        suite = outcome.suite
        if outcome.error:
            lines.append(f"validate: {suite.name} 0/{outcome.total} passed -- FAILED: {outcome.error}")
            continue
        status = "" if outcome.ok else " -- FAILED"
        counts = f"{outcome.passed}/{outcome.total} passed ({outcome.row_count} rows)"
        lines.append(f"validate: {suite.name} {counts}{status}")
        for o in outcome.outcomes:
            if o.success:
                continue
            level = "ERROR" if o.blocking else "WARN"
            count = f" ({o.unexpected_count} rows)" if o.unexpected_count else ""
            lines.append(f"  {level} {suite.table}: {o.spec.describe()}{count}")
            lines.append(f"      why: {o.spec.why}")
            if o.message:
                lines.append(f"      {o.message}")
            lines.extend(f"      e.g. {_format_example(e)}" for e in o.examples)
    return lines


def all_passed(results: list[SuiteOutcome]) -> bool:
    return all(r.ok for r in results)
