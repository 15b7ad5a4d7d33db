"""The analyst's surface: what a published warehouse holds, and the audit it keeps.

dbt builds staging views, intermediate tables and seeds beside the marts; the build needs them (the
quarantine traces failing rows through them) but an analyst should not have to tell them apart. Just
before a candidate is published, `finish_candidate`:

- drops every staging, intermediate, seed and loaded-ingest relation (`UNPUBLISHED_PREFIXES`), so the
  file holds the marts and the operational tables only (`build_log`, `build_changes`,
  `audit_results`); the rows the build loaded are kept beside the warehouse instead
  (`published_rows_dir`), where the next build finds them for its stale documents;
- turns empty strings into NULL in every text column: an absent value is NULL to SQL and to a
  spreadsheet, never '' (the checks ran before, on the same rows);
- writes this build's expectation results into `audit_results`, after those of every earlier build;
- comments the operational tables and their columns (dbt's `persist_docs` comments the marts).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.changes import has_table, read_frame, write_table
from pipeline.export import quote_ident, sql_literal
from pipeline.publish import CHANGES_TMP_PREFIX
from pipeline.validate import UNPUBLISHED_PREFIXES, SuiteOutcome

AUDIT_COLUMNS: dict[str, pl.DataType] = {
    "build_id": pl.String,
    "validated_at": pl.Datetime("us", "UTC"),
    "suite": pl.String,
    "table_name": pl.String,
    "expectation": pl.String,
    "column_name": pl.String,
    "kwargs": pl.String,
    "severity": pl.String,
    "success": pl.Boolean,
    "row_count": pl.Int64,
    "unexpected_count": pl.Int64,
    "examples": pl.String,
    "why": pl.String,
}
MAX_EXAMPLES = 5

#: Descriptions of the tables the pipeline writes itself (dbt documents the marts).
OPERATIONAL_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "build_log": (
        "One row per published build: when it ran, what it read and what it changed.",
        {
            "build_id": "Build identifier (UTC start time and process id).",
            "started_at": "When the build started (UTC).",
            "finished_at": "When the build finished checking its candidate (UTC).",
            "status": "published.",
            "documents_total": "Documents in the published warehouse.",
            "documents_extracted": "Documents ingest read again in this build (the rest from its cache).",
            "figures_total": "Figures in fct_figures.",
            "figures_added": "Figures new since the previous build.",
            "figures_removed": "Figures gone since the previous build.",
            "figures_changed": "Figures whose value, qualifier, unit, currency or company changed.",
            "documents_added": "Documents new since the previous build.",
            "documents_removed": "Documents gone since the previous build.",
            "previous_build_id": "The build this one was compared with; null for the first.",
            "git_commit": "Commit of the project the build ran from; null outside git.",
            "input_fingerprint": "Hash of the extracted tables, models, suites and pipeline code.",
            "sources_dir": "Source folder the build read.",
            "dbt_summary": "dbt node results by status.",
            "expectations_passed": "Expectations that passed.",
            "expectations_total": "Expectations run.",
            "step_seconds": "Seconds per build step (JSON).",
            "documents_quarantined": "Documents set aside by this build (see rejected_documents).",
            "documents_stale": "Published documents whose last good rows were kept (is_stale).",
        },
    ),
    "build_changes": (
        "What each build added, removed and changed, figure by figure and document by document.",
        {
            "build_id": "Build that made the change (build_log.build_id).",
            "change_type": "figure_added, figure_removed, figure_changed, document_added, document_removed.",
            "document_id": "Document of the figure, or the document added or removed.",
            "figure_id": "Figure (fct_figures.figure_id); null for document changes.",
            "company_id": "Company of the figure.",
            "metric": "Metric code of the figure.",
            "period_label": "Period of the figure.",
            "dimension": "Dimension of the figure; null when none.",
            "old_value": "Value before the build; null when added.",
            "new_value": "Value after the build; null when removed.",
            "old_quote": "Quote before the build.",
            "new_quote": "Quote after the build.",
        },
    ),
    "audit_results": (
        "Every expectation result of every published build (Great Expectations on the marts).",
        {
            "build_id": "Build whose candidate was checked (build_log.build_id).",
            "validated_at": "When the suites ran (UTC).",
            "suite": "Expectation suite (expectations/<suite>.yml).",
            "table_name": "Mart the suite audits.",
            "expectation": "Expectation type, e.g. expect_column_values_to_not_be_null.",
            "column_name": "Column the expectation is about; null for table-level expectations.",
            "kwargs": "The expectation's arguments (JSON).",
            "severity": "error (blocks the publish) or warning.",
            "success": "Whether the expectation held.",
            "row_count": "Rows of the table when it was checked.",
            "unexpected_count": "Rows that broke the expectation; null when not counted.",
            "examples": "Up to five offending rows (JSON); null when none.",
            "why": "What the expectation protects, as its suite says.",
        },
    ),
}


class SurfaceError(RuntimeError):
    """The candidate could not be finished for publishing; the message names the file."""


def audit_rows(outcomes: Iterable[SuiteOutcome], build_id: str, validated_at: datetime) -> pl.DataFrame:
    """One audit_results row per expectation run (a suite that could not run gives one failed row)."""
    rows: list[dict[str, Any]] = []
    for suite in outcomes:
        base = {"build_id": build_id, "validated_at": validated_at, "suite": suite.suite.name}
        base |= {"table_name": suite.suite.table, "row_count": suite.row_count}
        if suite.error:
            rows.append(base | {"expectation": "suite_runs", "success": False, "examples": suite.error})
            continue
        for outcome in suite.outcomes:
            spec = outcome.spec
            examples = outcome.examples[:MAX_EXAMPLES]
            rows.append(
                base
                | {
                    "expectation": spec.type,
                    "column_name": spec.kwargs.get("column"),
                    "kwargs": json.dumps(spec.kwargs, ensure_ascii=False, sort_keys=True, default=str),
                    "severity": spec.severity,
                    "success": outcome.success,
                    "unexpected_count": outcome.unexpected_count,
                    "examples": json.dumps(examples, ensure_ascii=False, default=str) if examples else None,
                    "why": spec.why or None,
                }
            )
    return pl.DataFrame(rows, schema=AUDIT_COLUMNS) if rows else pl.DataFrame(schema=AUDIT_COLUMNS)


def read_audit(path: Path | None) -> pl.DataFrame:
    """The audit_results of the published warehouse at `path` (empty when none or no such table)."""
    if path is None or not Path(path).exists():
        return pl.DataFrame(schema=AUDIT_COLUMNS)
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        if not has_table(con, "audit_results"):
            return pl.DataFrame(schema=AUDIT_COLUMNS)
        return read_frame(con, "select * from main.audit_results", AUDIT_COLUMNS)
    finally:
        con.close()


def unpublished_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'TABLE' or 'VIEW') of every relation of `main` an analyst should not see."""
    rows = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'main' "
        "order by table_type desc, table_name"  # views first: they may read the tables
    ).fetchall()
    return [
        (name, "VIEW" if kind == "VIEW" else "TABLE")
        for name, kind in rows
        if name.startswith(UNPUBLISHED_PREFIXES)
    ]


def _blank_text_to_null(con: duckdb.DuckDBPyConnection) -> None:
    columns = con.execute(
        "select table_name, column_name from information_schema.columns c "
        "join information_schema.tables t using (table_schema, table_name) "
        "where c.table_schema = 'main' and t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR' "
        "order by table_name, ordinal_position"
    ).fetchall()
    by_table: dict[str, list[str]] = {}
    for table, column in columns:
        by_table.setdefault(table, []).append(column)
    for table, names in by_table.items():
        assignments = ", ".join(f"{quote_ident(c)} = nullif({quote_ident(c)}, '')" for c in names)
        blank = " or ".join(f"{quote_ident(c)} = ''" for c in names)
        con.execute(f"update main.{quote_ident(table)} set {assignments} where {blank}")


def _comment_operational(con: duckdb.DuckDBPyConnection) -> None:
    for table, (description, columns) in OPERATIONAL_DOCS.items():
        if not has_table(con, table):
            continue
        con.execute(f"comment on table main.{quote_ident(table)} is {sql_literal(description)}")
        sql = "select column_name from information_schema.columns "
        sql += " where table_schema = 'main' and table_name = ?"
        present = {c for (c,) in con.execute(sql, [table]).fetchall()}
        for column in sorted(present):
            text = columns.get(column) or f"Build detail {column} (see build_log)."
            con.execute(
                f"comment on column main.{quote_ident(table)}.{quote_ident(column)} is {sql_literal(text)}"
            )


def finish_candidate(candidate: Path, audit: pl.DataFrame) -> None:
    """Make `candidate` the analyst's surface (see the module's docstring); `audit` is every
    audit_results row to keep."""
    try:
        con = duckdb.connect(str(candidate))
    except duckdb.Error as exc:
        raise SurfaceError(f"cannot open the candidate {candidate}: {exc}") from exc
    try:
        con.execute("set TimeZone = 'UTC'")
        for name, kind in unpublished_relations(con):
            if kind == "VIEW":
                con.execute(f"drop view main.{quote_ident(name)}")
            else:
                con.execute(f"drop table main.{quote_ident(name)} cascade")
        with tempfile.TemporaryDirectory(prefix=CHANGES_TMP_PREFIX, dir=Path(candidate).parent) as folder:
            write_table(con, "audit_results", audit, Path(folder))
        _blank_text_to_null(con)
        _comment_operational(con)
        con.execute("checkpoint")
    except duckdb.Error as exc:
        raise SurfaceError(f"cannot finish the candidate {candidate} for publishing: {exc}") from exc
    finally:
        con.close()


# --- the rows a published warehouse was built from, kept beside it ---------------------------------


def published_rows_dir(build_dir: Path, build_id: str) -> Path:
    return Path(build_dir) / "published" / build_id


def keep_published_rows(loaded_dir: Path, build_dir: Path, build_id: str) -> Path:
    """Copy the Parquet tables a candidate was loaded from to its build's folder of published rows."""
    target = published_rows_dir(build_dir, build_id)
    partial = target.with_name(target.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(loaded_dir, partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def prune_published_rows(build_dir: Path, keep: set[str]) -> list[Path]:
    """Remove the published rows of builds no published or kept warehouse is from."""
    folder = Path(build_dir) / "published"
    removed = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path)
                removed.append(path)
    return removed
