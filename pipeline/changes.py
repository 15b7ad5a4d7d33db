"""`build_log` and `build_changes`: what each publish was, and what it added, removed and changed.

`record_changes` is called on the candidate warehouse after it passed its audit and just before it
is published, so the history travels with the warehouse file (and comes back with a rollback):

- `build_log` gets one row per build, appended to the previous warehouse's rows;
- `build_changes` gets one row per figure added, removed or changed and per document added or
  removed, appended to the previous warehouse's rows (filter on `build_id` for one build).

A figure is identified across builds by `fct_figures.figure_id`, a hash of document_id, char_start,
metric, dimension and period_label (`ingest/figures/emit.py`): stable while the document's text is.
It has "changed" when its value, qualifier, unit, currency or company differs (the row carries the
new company, old and new value and both quotes). Editing a document's text before a figure moves
the figure: it is then reported as removed and added, never silently matched to another one.

The previous warehouse is opened read-only and only read; everything is computed with Polars
(pure functions below) and written into the new file through Parquet files and parameterised SQL.

    python -m pipeline.changes [WAREHOUSE]   # what the last publish changed (`make changes`)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from ingest.schema import SEED_SCHEMAS

# The columns of fct_figures a change is judged on, typed as ingest wrote them.
FIGURE_COLUMNS: dict[str, pl.DataType] = {
    column: SEED_SCHEMAS["ingest_figures"][column]
    for column in (
        "figure_id",
        "document_id",
        "company_id",
        "metric",
        "dimension",
        "period_label",
        "value",
        "unit",
        "currency",
        "qualifier",
        "quote",
    )
}
#: Columns whose difference makes a figure "changed" between two builds.
COMPARED_COLUMNS = ("value", "qualifier", "unit", "currency", "company_id")
DOCUMENT_COLUMNS: dict[str, pl.DataType] = {"document_id": pl.String}

TIMESTAMP = pl.Datetime("us", "UTC")
BUILD_LOG_COLUMNS: dict[str, pl.DataType] = {
    "build_id": pl.String,
    "started_at": TIMESTAMP,
    "finished_at": TIMESTAMP,
    "status": pl.String,
    "documents_total": pl.Int64,
    "documents_extracted": pl.Int64,  # re-extracted by ingest in this build (the rest from its cache)
    "figures_total": pl.Int64,
    "figures_added": pl.Int64,
    "figures_removed": pl.Int64,
    "figures_changed": pl.Int64,
    "documents_added": pl.Int64,
    "documents_removed": pl.Int64,
    "previous_build_id": pl.String,
}
BUILD_CHANGES_COLUMNS: dict[str, pl.DataType] = {
    "build_id": pl.String,
    "change_type": pl.String,  # figure_added figure_removed figure_changed document_added document_removed
    "document_id": pl.String,
    "figure_id": pl.String,
    "company_id": pl.String,
    "metric": pl.String,
    "period_label": pl.String,
    "dimension": pl.String,
    "old_value": pl.Float64,
    "new_value": pl.Float64,
    "old_quote": pl.String,
    "new_quote": pl.String,
}
CHANGE_TYPES = ("figure_added", "figure_removed", "figure_changed", "document_added", "document_removed")
# build_log columns of warehouses published before this module: their values keep their meaning.
LEGACY_LOG_COLUMNS = {"n_documents": "documents_total", "n_figures": "figures_total"}
SHOWN_CHANGES = 50
_INGEST_COUNT_LINE = re.compile(
    r"^ingest: extracted (\d+) of \d+ documents \(\d+ from cache\)$", re.MULTILINE
)


class ChangeReportError(RuntimeError):
    """A warehouse could not be read or written; the message names the file."""


@dataclass(frozen=True)
class ChangeSummary:
    build_id: str
    previous_build_id: str | None
    documents_total: int
    documents_extracted: int | None
    figures_total: int
    figures_added: int
    figures_removed: int
    figures_changed: int
    documents_added: int
    documents_removed: int


# --- pure functions --------------------------------------------------------------------------------


def _typed(df: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return df.select(
        [pl.col(c).cast(t) if c in df.columns else pl.lit(None, t).alias(c) for c, t in schema.items()]
    )


def figure_changes(old: pl.DataFrame, new: pl.DataFrame, build_id: str) -> pl.DataFrame:
    """build_changes rows for figures added, removed and changed between two `fct_figures` frames."""
    # A published warehouse has NULL where a candidate has '' (pipeline/surface.py): the same value.
    blank_as_null = pl.col(pl.String).replace("", None)
    old = _typed(old, FIGURE_COLUMNS).with_columns(blank_as_null, pl.lit(True).alias("in_old"))
    new = _typed(new, FIGURE_COLUMNS).with_columns(blank_as_null, pl.lit(True).alias("in_new"))
    joined = old.join(new, on="figure_id", how="full", suffix="_new", coalesce=True)
    in_old, in_new = pl.col("in_old").fill_null(False), pl.col("in_new").fill_null(False)
    differs = pl.lit(False)
    for column in COMPARED_COLUMNS:
        differs = differs | pl.col(column).ne_missing(pl.col(f"{column}_new"))
    change_type = (
        pl.when(~in_old)
        .then(pl.lit("figure_added"))
        .when(~in_new)
        .then(pl.lit("figure_removed"))
        .when(differs)
        .then(pl.lit("figure_changed"))
    )
    newer = {c: pl.coalesce(f"{c}_new", c).alias(c) for c in ("document_id", "company_id", "metric")}
    rows = joined.with_columns(change_type.alias("change_type")).filter(pl.col("change_type").is_not_null())
    return _typed(
        rows.select(
            pl.lit(build_id).alias("build_id"),
            "change_type",
            *newer.values(),
            "figure_id",
            pl.coalesce("period_label_new", "period_label").alias("period_label"),
            pl.coalesce("dimension_new", "dimension").alias("dimension"),
            pl.col("value").alias("old_value"),
            pl.col("value_new").alias("new_value"),
            pl.col("quote").alias("old_quote"),
            pl.col("quote_new").alias("new_quote"),
        ).sort("change_type", "document_id", "figure_id"),
        BUILD_CHANGES_COLUMNS,
    )


def document_changes(old: pl.DataFrame, new: pl.DataFrame, build_id: str) -> pl.DataFrame:
    """build_changes rows for documents added and removed (by document_id)."""
    old_ids, new_ids = set(old["document_id"].to_list()), set(new["document_id"].to_list())
    rows = [("document_added", d) for d in sorted(new_ids - old_ids)]
    rows += [("document_removed", d) for d in sorted(old_ids - new_ids)]
    frame = pl.DataFrame(rows, schema={"change_type": pl.String, "document_id": pl.String}, orient="row")
    return _typed(frame.with_columns(pl.lit(build_id).alias("build_id")), BUILD_CHANGES_COLUMNS)


def count_changes(changes: pl.DataFrame) -> dict[str, int]:
    counts = dict(changes.group_by("change_type").len().iter_rows())
    return {kind: int(counts.get(kind, 0)) for kind in CHANGE_TYPES}


def last_build_id(log: pl.DataFrame) -> str | None:
    if log.is_empty():
        return None
    return log.sort("finished_at", "started_at", nulls_last=False)["build_id"][-1]


def normalise_log(log: pl.DataFrame) -> pl.DataFrame:
    """A previous warehouse's build_log with today's column names and UTC timestamps (extras kept)."""
    renames = {
        old: new for old, new in LEGACY_LOG_COLUMNS.items() if old in log.columns and new not in log.columns
    }
    log = log.with_columns(pl.col(old).alias(new) for old, new in renames.items())
    for column in ("started_at", "finished_at"):
        if column in log.columns:
            value = pl.col(column)
            if log.schema[column] == pl.Datetime and getattr(log.schema[column], "time_zone", None) is None:
                value = value.dt.replace_time_zone("UTC")
            log = log.with_columns(value.cast(TIMESTAMP))
    return log


def append_log(previous: pl.DataFrame, row: pl.DataFrame) -> pl.DataFrame:
    """The previous rows then the new one; contract columns first, extra columns kept after them.

    Legacy columns (`n_figures` ...) that exist are filled from their contract column on new rows.
    """
    combined = pl.concat([normalise_log(previous), row], how="diagonal_relaxed") if previous.width else row
    extras = combined.select(c for c in combined.columns if c not in BUILD_LOG_COLUMNS)
    result = pl.concat([_typed(combined, BUILD_LOG_COLUMNS), extras], how="horizontal")
    legacy = [
        pl.coalesce(old, new).alias(old) for old, new in LEGACY_LOG_COLUMNS.items() if old in result.columns
    ]
    result = result.with_columns(legacy)
    # A column that is null on every row has no type; store it as text.
    return result.with_columns(pl.col(c).cast(pl.String) for c, t in result.schema.items() if t == pl.Null)


def append_changes(previous: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """The previous warehouse's build_changes (legacy `change` column mapped) then this build's."""
    if not previous.width:
        return changes
    if "change_type" not in previous.columns and "change" in previous.columns:
        previous = previous.with_columns(
            pl.concat_str(pl.lit("figure_"), pl.col("change")).alias("change_type")
        )
    return pl.concat([_typed(previous, BUILD_CHANGES_COLUMNS), changes], how="vertical")


def documents_extracted_from(ingest_output: str) -> int | None:
    """K of the `ingest: extracted K of N documents (M from cache)` line `python -m ingest` prints last."""
    found = _INGEST_COUNT_LINE.findall(ingest_output)
    return int(found[-1]) if found else None


def format_summary(summary: ChangeSummary) -> str:
    """One console line, e.g. `changes: +12 figures, -0, ~1 changed; documents +1 -0`."""
    return (
        f"changes: +{summary.figures_added} figures, -{summary.figures_removed}, "
        f"~{summary.figures_changed} changed; "
        f"documents +{summary.documents_added} -{summary.documents_removed}"
    )


# --- reading and writing warehouse files -----------------------------------------------------------


def _polars_type(duckdb_type: str) -> pl.DataType | None:
    if duckdb_type in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return pl.Int64
    if duckdb_type in ("DOUBLE", "FLOAT", "REAL") or duckdb_type.startswith("DECIMAL"):
        return pl.Float64
    return {
        "VARCHAR": pl.String,
        "BOOLEAN": pl.Boolean,
        "DATE": pl.Date,
        "TIMESTAMP WITH TIME ZONE": TIMESTAMP,
        "TIMESTAMP": pl.Datetime("us"),
    }.get(duckdb_type)


def _column(name: str, values: np.ndarray, duckdb_type: str) -> pl.Series:
    dtype = _polars_type(duckdb_type)
    # Masked (nullable) and object arrays go through Python lists: masked cells become None.
    data = values.tolist() if isinstance(values, np.ma.MaskedArray) or values.dtype == object else values
    if dtype is None:  # lists, structs ...: kept readable as text
        return pl.Series(name, [None if v is None else str(v) for v in data], dtype=pl.String)
    series = pl.Series(name, data) if len(data) else pl.Series(name, [], dtype=dtype)
    if dtype == TIMESTAMP:  # fetchnumpy hands TIMESTAMPTZ over as naive UTC (the session is in UTC)
        series = series.cast(pl.Datetime("us"))
        return series.dt.replace_time_zone("UTC")
    return series.cast(dtype)


def read_frame(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    schema: Mapping[str, pl.DataType] | None = None,
    params: list | None = None,
) -> pl.DataFrame:
    """Query result as a Polars frame, through numpy (the project has no pyarrow)."""
    cursor = con.execute(sql, params or [])
    types = {d[0]: str(d[1]) for d in cursor.description}
    arrays = cursor.fetchnumpy()
    frame = pl.DataFrame([_column(name, values, types[name]) for name, values in arrays.items()])
    return _typed(frame, schema) if schema is not None else frame


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


# Table names are constants: these are the only SQL texts built here, and no value is ever put in one.
_SELECT_FIGURES = f"select {', '.join(FIGURE_COLUMNS)} from main.fct_figures"
_SELECT_DOCUMENTS = "select document_id from main.dim_documents"


def _read_history(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    if not has_table(con, table):
        return pl.DataFrame()
    return read_frame(con, f"select * from main.{table}")


@dataclass
class _Warehouse:
    figures: pl.DataFrame
    documents: pl.DataFrame
    build_log: pl.DataFrame = field(default_factory=pl.DataFrame)
    build_changes: pl.DataFrame = field(default_factory=pl.DataFrame)


def _read_published(path: Path | None) -> _Warehouse:
    empty = _Warehouse(pl.DataFrame(schema=FIGURE_COLUMNS), pl.DataFrame(schema=DOCUMENT_COLUMNS))
    if path is None or not Path(path).exists():
        return empty
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise ChangeReportError(f"cannot open the published warehouse {path} read-only: {exc}") from exc
    try:
        con.execute("set TimeZone = 'UTC'")
        return _Warehouse(
            figures=read_frame(con, _SELECT_FIGURES, FIGURE_COLUMNS)
            if has_table(con, "fct_figures")
            else empty.figures,
            documents=read_frame(con, _SELECT_DOCUMENTS, DOCUMENT_COLUMNS)
            if has_table(con, "dim_documents")
            else empty.documents,
            build_log=_read_history(con, "build_log"),
            build_changes=_read_history(con, "build_changes"),
        )
    except duckdb.Error as exc:
        raise ChangeReportError(f"cannot read the published warehouse {path}: {exc}") from exc
    finally:
        con.close()


def write_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, folder: Path) -> None:
    """`main.<table>` made from `frame`, through a Parquet file in `folder` (the project has no pyarrow)."""
    staged = folder / f"{table}.parquet"
    frame.write_parquet(staged)
    con.execute(f"create or replace table main.{table} as select * from read_parquet(?)", [str(staged)])


def record_changes(
    new_db: Path,
    published_db: Path | None,
    *,
    build_id: str,
    started_at: datetime,
    finished_at: datetime,
    status: str,
    documents_extracted: int | None,
    details: Mapping[str, object] | None = None,
) -> ChangeSummary:
    """Compare `new_db` with `published_db` (None or missing: a first build) and write `build_log` and
    `build_changes` into `new_db`. `details` become extra build_log columns (e.g. git_commit)."""
    previous = _read_published(published_db)
    try:
        con = duckdb.connect(str(new_db))
    except duckdb.Error as exc:
        raise ChangeReportError(f"cannot open the new warehouse {new_db}: {exc}") from exc
    try:
        con.execute("set TimeZone = 'UTC'")
        figures = read_frame(con, _SELECT_FIGURES, FIGURE_COLUMNS)
        documents = read_frame(con, _SELECT_DOCUMENTS, DOCUMENT_COLUMNS)
        changes = pl.concat(
            [
                figure_changes(previous.figures, figures, build_id),
                document_changes(previous.documents, documents, build_id),
            ]
        )
        counts = count_changes(changes)
        summary = ChangeSummary(
            build_id=build_id,
            previous_build_id=last_build_id(normalise_log(previous.build_log))
            if previous.build_log.width
            else None,
            documents_total=documents.height,
            documents_extracted=documents_extracted,
            figures_total=figures.height,
            figures_added=counts["figure_added"],
            figures_removed=counts["figure_removed"],
            figures_changed=counts["figure_changed"],
            documents_added=counts["document_added"],
            documents_removed=counts["document_removed"],
        )
        row = {
            **asdict(summary),
            "started_at": _utc(started_at),
            "finished_at": _utc(finished_at),
            "status": status,
        }
        log_row = _typed(pl.DataFrame([row]), BUILD_LOG_COLUMNS)
        if details:
            log_row = log_row.with_columns(pl.lit(value).alias(name) for name, value in details.items())
        with tempfile.TemporaryDirectory(prefix="build_changes.", dir=Path(new_db).parent) as folder:
            write_table(con, "build_log", append_log(previous.build_log, log_row), Path(folder))
            write_table(con, "build_changes", append_changes(previous.build_changes, changes), Path(folder))
        con.execute("checkpoint")
    except duckdb.Error as exc:
        raise ChangeReportError(f"cannot record the changes in {new_db}: {exc}") from exc
    finally:
        con.close()
    return summary


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def print_last_changes(warehouse: Path, limit: int = SHOWN_CHANGES) -> str:
    """The last build's build_log summary and up to `limit` of its build_changes rows (read-only)."""
    if not Path(warehouse).exists():
        return f"no warehouse at {warehouse}: run make build first"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        if not has_table(con, "build_log"):
            return f"{warehouse} has no build_log: it was built before changes were recorded"
        log = normalise_log(_read_history(con, "build_log"))
        build_id = last_build_id(log)
        if build_id is None:
            return f"{warehouse}: build_log is empty"
        last = _typed(log.filter(pl.col("build_id") == build_id), BUILD_LOG_COLUMNS).row(0, named=True)
        changes = pl.DataFrame(schema=BUILD_CHANGES_COLUMNS)
        if has_table(con, "build_changes"):
            found = read_frame(con, "select * from main.build_changes where build_id = ?", None, [build_id])
            changes = append_changes(found, changes).sort("change_type", "document_id", "figure_id")
    finally:
        con.close()
    extracted, finished = last["documents_extracted"], last["finished_at"]
    lines = [
        f"last build {build_id} ({last['status'] or '?'}), "
        f"finished {f'{finished:%Y-%m-%d %H:%M:%S} UTC' if finished else '?'}, "
        f"previous {last['previous_build_id'] or 'none'}",
        f"  {last['documents_total']} documents"
        + (f" ({extracted} re-extracted)" if extracted is not None else "")
        + f", {last['figures_total']} figures",
    ]
    if last["figures_added"] is not None:
        summary = ChangeSummary(**{k: last[k] for k in ChangeSummary.__dataclass_fields__})
        lines.append("  " + format_summary(summary))
    for change in changes.head(limit).iter_rows(named=True):
        lines.append("  " + _change_line(change))
    if changes.height > limit:
        lines.append(
            f"  ... and {changes.height - limit} more (query build_changes where build_id = '{build_id}')"
        )
    return "\n".join(lines)


def _change_line(change: Mapping[str, object]) -> str:
    kind, document = str(change["change_type"]), change["document_id"] or "-"
    if kind.startswith("document_"):
        return f"{kind:<16} {document}"
    what = " ".join(str(change[c]) for c in ("company_id", "metric", "period_label") if change[c])
    if change["dimension"]:
        what += f" [{change['dimension']}]"

    def shown(side: str) -> str:
        quote = change[f"{side}_quote"]
        return _number(change[f"{side}_value"]) + (f" «{quote}»" if quote else "")

    values = {
        "figure_added": shown("new"),
        "figure_removed": shown("old"),
        "figure_changed": f"{shown('old')} -> {shown('new')}",
    }.get(kind, f"{shown('old')} -> {shown('new')}")
    return f"{kind:<16} {document} {what}: {values}"


def _number(value: object) -> str:
    return "null" if value is None else f"{value:,.10g}"


def git_commit(directory: Path) -> str | None:
    """The commit the build ran from, when the project is a git checkout."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            check=False,
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    warehouse = Path(args[0] if args else os.environ.get("WAREHOUSE_PATH") or "warehouse/ipo.duckdb")
    try:
        text = print_last_changes(warehouse)
    except (duckdb.Error, ChangeReportError) as exc:
        print(f"changes: cannot read {warehouse}: {exc}", file=sys.stderr)
        return 1
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # `make changes | head`: the reader has what it wanted. Point stdout at /dev/null so the
        # interpreter's final flush does not fail again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
