"""Which documents a failing check is about: failing rows of dbt tests and expectations, traced.

A failing row traces to a document when it carries a `document_id`, or a `figure_id`, `holder_id`,
`event_id` or `mention_id` that the candidate's extracted tables (`ingest_*`) give a document. A check
whose every failing row traces to a document that was read in this build quarantines those documents
(`decide`); any other failing row means reference data, an override or model logic, and the build fails:

- a row with no such id (reference seeds, a row aggregated over documents, a dbt unit test);
- a row changed by `ref_figure_overrides` (its fault is the override's, not the document's);
- a row of a stale document (kept from the published warehouse, so what changed is a model or a check).

dbt tests are traced from the candidate file itself (read-only, after dbt exited): the test's compiled
SQL gives its failing rows. Tests that return only the failing values of a column (`not_null`,
`unique`, `accepted_values`, `relationships`) are traced through the rows of the tested model holding
those values. Expectations are traced from the rows GX reports (`validate.ExpectationOutcome.failing_rows`).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.export import quote_ident
from pipeline.extracted import CheckHit

#: Columns that name a document, directly or through the extracted table that holds the id.
TRACE_COLUMNS = ("document_id", "figure_id", "holder_id", "event_id", "mention_id")
ID_TABLES = {
    "figure_id": "ingest_figures",
    "holder_id": "ingest_shareholders",
    "event_id": "ingest_events",
    "mention_id": "ingest_unclassified_mentions",
}
#: Columns GX should report for each failing row (beside the suite's show_columns).
ROW_COLUMNS = (*TRACE_COLUMNS, "is_override")
#: Columns some dbt tests return instead of the tested column's name.
VALUE_COLUMNS = ("value_field", "unique_field", "from_field")
#: Failing rows read per check: enough to name every document of a real failure, bounded for a bad one.
MAX_ROWS = 10_000
#: Failing values written per document and check.
MAX_VALUES = 5
DBT_FAILED = ("fail", "error", "runtime error")


class Refused(RuntimeError):
    """The failures cannot be quarantined (untraceable, over the budget, or STRICT); says why."""


@dataclass
class CheckFailure:
    """A failing dbt test or expectation: the documents its rows trace to, or why they do not."""

    check: str
    documents: dict[str, list[str]] = field(default_factory=dict)  # document_id -> failing values
    untraced: str = ""  # why some failing rows trace to no document read in this build; '' if all do

    @property
    def traced(self) -> bool:
        return not self.untraced and bool(self.documents)

    def line(self) -> str:
        if self.traced:
            return f"{self.check}: {len(self.documents)} document(s) {', '.join(sorted(self.documents))}"
        return f"{self.check}: {self.untraced}"


def _plain(value: Any) -> Any:
    """numpy / pandas scalars as Python values (GX hands over numpy types)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


class Tracer:
    """Maps failing rows of one candidate warehouse to the documents they come from."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._owners: dict[str, dict[str, str]] = {}
        self.overridden = set(
            self._values("ref_figure_overrides", "select figure_id from main.ref_figure_overrides")
        )
        self.documents = set(
            self._values("ingest_documents", "select document_id from main.ingest_documents")
        )
        stale = "select document_id from main.ingest_documents where coalesce(is_stale, false)"
        self.stale = set(self._values("ingest_documents", stale))

    def _has(self, table: str) -> bool:
        row = self.con.execute(
            "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
            [table],
        ).fetchone()
        return bool(row and row[0])

    def _values(self, table: str, sql: str) -> list[str]:
        """The first column of `sql` (a constant query of `table`), [] when the table is absent."""
        return [str(v) for (v,) in self.con.execute(sql).fetchall()] if self._has(table) else []

    def owner(self, column: str, value: Any) -> str | None:
        if value is None:
            return None
        if column == "document_id":
            return str(value)
        if column not in self._owners:
            table = ID_TABLES[column]
            rows = (
                self.con.execute(
                    f"select {quote_ident(column)}, document_id from main.{quote_ident(table)}"
                ).fetchall()
                if self._has(table)
                else []
            )
            self._owners[column] = {str(k): str(d) for k, d in rows if d is not None}
        return self._owners[column].get(str(value))

    def document_of(self, row: Mapping[str, Any]) -> str | None:
        for column in TRACE_COLUMNS:
            if column in row:
                found = self.owner(column, _plain(row[column]))
                if found is not None:
                    return found
        return None

    def trace(self, check: str, rows: Sequence[Mapping[str, Any]], values_of) -> CheckFailure:
        """A CheckFailure for `rows`; `values_of(row)` says what failed in a row, for people."""
        failure = CheckFailure(check)
        problems: dict[str, list[str]] = {}
        for row in rows:
            row = {k: _plain(v) for k, v in row.items()}
            figure = row.get("figure_id")
            if row.get("is_override") is True or (figure is not None and str(figure) in self.overridden):
                problems.setdefault("override", []).extend([str(figure)] if figure is not None else [])
                continue
            document = self.document_of(row)
            if document is None or document not in self.documents:
                problems.setdefault("none", []).append(values_of(row))
                continue
            if document in self.stale:
                problems.setdefault("stale", []).append(document)
                continue
            values = failure.documents.setdefault(document, [])
            if len(values) < MAX_VALUES:
                values.append(values_of(row))
        reasons = []
        if "override" in problems:
            figures = sorted(set(problems["override"]))
            shown = f" (figure_id {', '.join(figures[:5])})" if figures else " (is_override)"
            reasons.append(f"rows changed by ref_figure_overrides fail it{shown}")
        if "none" in problems:
            shown = "; ".join(problems["none"][:3])
            reasons.append(
                f"{len(problems['none'])} failing row(s) come from no document of this build "
                f"(reference data or model logic), e.g. {shown}"
            )
        if "stale" in problems:
            stale = sorted(set(problems["stale"]))
            reasons.append(
                f"rows kept from the published warehouse (stale documents {', '.join(stale[:5])}) fail it: "
                "a model or a check changed"
            )
        failure.untraced = "; ".join(reasons)
        if not rows:
            failure.untraced = "it reports no failing rows to trace"
        return failure


# --- dbt -----------------------------------------------------------------------------------------------


def _describe_row(row: Mapping[str, Any], columns: Iterable[str]) -> str:
    shown = [f"{c}={_text(row[c])}" for c in columns if c in row]
    text = " ".join(shown) or " ".join(f"{k}={_text(v)}" for k, v in row.items() if k not in ROW_COLUMNS)
    return text[:200]


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchmany(MAX_ROWS)]


def _relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [d[0] for d in con.execute(f"select * from {relation} limit 0").description]


def _rows_holding_values(con, node: Mapping, manifest: Mapping, values: list[Any]) -> list[dict[str, Any]]:
    """Rows of the tested model whose tested column holds one of `values` (null included)."""
    column = node.get("column_name")
    model = manifest.get("nodes", {}).get(node.get("attached_node") or "", {})
    relation = model.get("relation_name")
    if not column or not relation:
        return []
    present = _relation_columns(con, relation)
    picked = [c for c in ROW_COLUMNS if c in present]
    if not picked or column not in present:
        return []
    where = node.get("config", {}).get("where")
    conditions = []
    params: list[Any] = []
    concrete = [v for v in values if v is not None]
    if concrete:
        conditions.append(f"{quote_ident(column)} in ({', '.join('?' for _ in concrete)})")
        params += concrete
    if any(v is None for v in values):
        conditions.append(f"{quote_ident(column)} is null")
    columns = ", ".join(quote_ident(c) for c in (*picked, column))
    sql = f"select {columns} from {relation} where ({' or '.join(conditions)})"
    if where:
        sql += f" and ({where})"
    return _query(con, sql, params)


def dbt_failures(results: Sequence[Mapping], manifest: Mapping, tracer: Tracer) -> list[CheckFailure]:
    """A CheckFailure for every dbt node that failed or errored in `results` (run_results.json)."""
    failures = []
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    for result in results:
        status = str(result.get("status"))
        if status not in DBT_FAILED:
            continue
        unique_id = str(result.get("unique_id"))
        node = nodes.get(unique_id, {})
        parts = unique_id.split(".")
        kind, name = parts[0], node.get("name") or (parts[2] if len(parts) > 2 else unique_id)
        check = f"dbt {'test' if kind == 'test' else kind.replace('_', ' ')} {name}"
        message = " ".join(str(result.get("message") or "").split())[:300]
        if kind != "test":
            failures.append(CheckFailure(check, untraced=f"{status}: {message} (model logic)"))
            continue
        if status != "fail" or not result.get("compiled_code"):
            failures.append(CheckFailure(check, untraced=f"the test could not run ({status}: {message})"))
            continue
        failures.append(_trace_dbt_test(check, result, node, manifest, tracer))
    return failures


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _trace_dbt_test(
    check: str, result: Mapping, node: Mapping, manifest: Mapping, tracer: Tracer
) -> CheckFailure:
    con = tracer.con
    try:
        rows = _query(con, f"select * from ({result['compiled_code']}) as failing")
    except duckdb.Error as exc:
        return CheckFailure(check, untraced=f"its failing rows cannot be read back: {_one_line(exc)}")
    column = node.get("column_name")
    if rows and any(c in rows[0] for c in TRACE_COLUMNS):
        return tracer.trace(check, rows, lambda row: _describe_row(row, [column] if column else []))
    # The test returned only failing values of its column: find the rows that hold them.
    names = list(rows[0]) if rows else []
    value_column = next((c for c in (*VALUE_COLUMNS, column) if c and c in names), None)
    if value_column is None and len(names) == 1:
        value_column = names[0]
    if value_column is None or not column:
        return CheckFailure(check, untraced="its failing rows name no document (no document_id or row id)")
    values = list(dict.fromkeys(_plain(row[value_column]) for row in rows))
    try:
        holders = _rows_holding_values(con, node, manifest, values)
    except duckdb.Error as exc:
        return CheckFailure(check, untraced=f"the tested rows cannot be read: {_one_line(exc)}")
    if not holders:
        shown = ", ".join(_text(v) for v in values[:5])
        reason = f"its failing values ({column}: {shown}) are in rows naming no document"
        return CheckFailure(check, untraced=reason)
    return tracer.trace(check, holders, lambda row: f"{column}={_text(row.get(column))}")


def read_dbt_artifacts(target: Path) -> tuple[list[dict], dict]:
    """(run_results, manifest) of the last dbt command that wrote into `target`."""
    run_results = target / "run_results.json"
    manifest = target / "manifest.json"
    results = json.loads(run_results.read_text())["results"] if run_results.exists() else []
    return results, (json.loads(manifest.read_text()) if manifest.exists() else {})


# --- expectations --------------------------------------------------------------------------------------


def expectation_failures(outcomes: Sequence, tracer: Tracer) -> list[CheckFailure]:
    """A CheckFailure for every blocking expectation (and every suite that could not run)."""
    failures = []
    for suite in outcomes:
        if suite.error:
            failures.append(CheckFailure(f"expectation suite {suite.suite.name}", untraced=suite.error))
            continue
        for outcome in suite.outcomes:
            if outcome.success or not outcome.blocking:
                continue
            check = f"expectation {suite.suite.name}: {outcome.spec.describe()}"
            if not outcome.failing_rows:
                reason = outcome.message or "it is about the table as a whole, not rows"
                failures.append(CheckFailure(check, untraced=reason))
                continue
            columns = outcome.spec.columns()
            failure = tracer.trace(check, outcome.failing_rows, lambda row, c=columns: _describe_row(row, c))
            failures.append(failure)
    return failures


# --- the decision --------------------------------------------------------------------------------------


@dataclass
class Decision:
    """The documents to quarantine, with what they failed, and the failures left to disappear."""

    documents: dict[str, list[CheckHit]]
    untraced: list[CheckFailure]


#: Rejections by ingest of documents that read fine but whose extraction gave something the warehouse
#: cannot publish: what a parser regression produces, so they count in STRICT and the error budget
#: exactly like the documents a failing check quarantines.
EXTRACTION_REASONS = frozenset({"bad_company_name", "too_slow", "unknown_vocabulary", "unstorable_value"})


def extraction_quarantines(rejected: Sequence[tuple[str, str]]) -> list[str]:
    """The file names of (file_name, reason) rejections that are quarantines of extraction."""
    return sorted({name for name, reason in rejected if reason in EXTRACTION_REASONS})


def _listed(names: Sequence[str]) -> str:
    names = sorted(names)
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def check_budget(quarantined: Sequence[str], n_documents: int, *, budget: float, strict: bool) -> None:
    """Raise Refused when STRICT and anything is quarantined, or when more than `budget` of the
    documents (n_documents counts the quarantined ones) are."""
    if not quarantined:
        return
    share = len(quarantined) / max(n_documents, 1)
    if strict:
        raise Refused(f"STRICT: {len(quarantined)} document(s) would be quarantined: " + _listed(quarantined))
    if share > budget:
        raise Refused(
            f"error budget: {len(quarantined)} of {n_documents} documents ({share:.1%}) quarantined, more "
            f"than QUARANTINE_BUDGET={budget:g} ({budget:.0%}); a parser or model regression? "
            f"{_listed(quarantined)}"
        )


def decide(
    failures: Sequence[CheckFailure],
    n_documents: int,
    *,
    budget: float,
    strict: bool,
    at_ingest: Sequence[str] = (),
) -> Decision:
    """Quarantine the documents of every traced failure, or raise Refused saying why not.

    `n_documents` counts the documents loaded; `at_ingest` names those ingest already quarantined
    (EXTRACTION_REASONS), which count in STRICT and the budget as well.
    Untraced failures next to traced ones do not stop the quarantine: they may be consequences of the
    quarantined documents (an offering row built from an absurd figure). The rebuild without those
    documents must pass every check, or the build fails.
    """
    traced = [f for f in failures if f.traced]
    untraced = [f for f in failures if not f.traced]
    if not traced:
        raise Refused(
            f"{len(untraced)} failing check(s) trace to no document, nothing to quarantine: "
            + " | ".join(f.line() for f in untraced)
        )
    hits: dict[str, list[CheckHit]] = {}
    for failure in traced:
        for document, values in failure.documents.items():
            hits.setdefault(document, []).append(CheckHit(failure.check, ", ".join(values)))
    check_budget([*hits, *at_ingest], n_documents + len(at_ingest), budget=budget, strict=strict)
    return Decision(documents=hits, untraced=untraced)
