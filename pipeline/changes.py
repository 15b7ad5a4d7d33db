"""`build_log` and `build_changes`: what each publish was and what it added, removed and changed.

Written into the candidate after it passed its audit and just before it is published, so the history
travels with the warehouse file: the previous file's `build_log` rows are carried over and one row is
appended; `build_changes` compares the candidate's `fct_figures` with the published one's by `figure_id`.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Columns whose difference makes a figure "changed" between two publishes.
COMPARED_COLUMNS = ("value", "unit", "currency", "qualifier", "period_label", "is_override", "quote")


@dataclass
class BuildRecord:
    build_id: str
    started_at: float
    sources_dir: str
    dbt_summary: str
    expectations_passed: int
    expectations_total: int
    step_seconds: dict[str, float] = field(default_factory=dict)


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


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_catalog = ? and table_name = ?",
        [catalog, table],
    ).fetchone()
    return bool(row and row[0])


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = ? and table_name = ?",
        [catalog, table],
    ).fetchall()
    return {r[0] for r in rows}


def _log_row(con: duckdb.DuckDBPyConnection, record: BuildRecord, project_dir: Path) -> None:
    con.execute(
        """
        create temp table new_build_log as
        select
            ?::varchar as build_id,
            to_timestamp(?) as started_at,
            to_timestamp(?) as finished_at,
            ?::varchar as git_commit,
            ?::varchar as sources_dir,
            (select count(*) from main.dim_documents) as n_documents,
            (select count(*) from main.fct_figures) as n_figures,
            ?::varchar as dbt_summary,
            ?::integer as expectations_passed,
            ?::integer as expectations_total,
            ?::varchar as step_seconds
        """,
        [
            record.build_id,
            record.started_at,
            time.time(),
            git_commit(project_dir),
            record.sources_dir,
            record.dbt_summary,
            record.expectations_passed,
            record.expectations_total,
            json.dumps({k: round(v, 2) for k, v in record.step_seconds.items()}),
        ],
    )


def _changes_sql(compared: list[str]) -> str:
    differs = " or ".join(f"n.{c} is distinct from o.{c}" for c in compared) or "false"
    return f"""
        create table main.build_changes as
        select
            ? as build_id,
            case when o.figure_id is null then 'added' when n.figure_id is null then 'removed'
                else 'changed' end as change,
            coalesce(n.figure_id, o.figure_id) as figure_id,
            coalesce(n.company_id, o.company_id) as company_id,
            coalesce(n.metric, o.metric) as metric,
            coalesce(n.period_label, o.period_label) as period_label,
            o.value as old_value,
            n.value as new_value,
            coalesce(n.unit, o.unit) as unit,
            coalesce(n.currency, o.currency) as currency
        from main.fct_figures as n
        full outer join prev.main.fct_figures as o on n.figure_id = o.figure_id
        where o.figure_id is null or n.figure_id is null or ({differs})
        order by change, figure_id
    """


def record_build(candidate: Path, published: Path, record: BuildRecord, project_dir: Path) -> list[str]:
    """Write build_log and build_changes into `candidate`; return lines describing what changed."""
    lines: list[str] = []
    con = duckdb.connect(str(candidate))
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        if _has_table(con, catalog, "build_log") or _has_table(con, catalog, "build_changes"):
            return ["build_log/build_changes already built by dbt: left as they are"]
        has_prev = False
        if Path(published).exists():
            try:
                con.execute(f"attach '{published}' as prev (read_only)")
                has_prev = True
            except duckdb.Error as exc:  # e.g. a writer holds it: publish anyway, history starts afresh
                lines.append(
                    f"could not read the published warehouse for history ({exc}); build_log restarts"
                )
        _log_row(con, record, project_dir)
        if has_prev and _has_table(con, "prev", "build_log"):
            con.execute(
                "create table main.build_log as "
                "select * from prev.main.build_log union all by name select * from new_build_log order by started_at"
            )
        else:
            con.execute("create table main.build_log as select * from new_build_log")
        if has_prev and _has_table(con, "prev", "fct_figures"):
            compared = sorted(
                set(COMPARED_COLUMNS)
                & _columns(con, catalog, "fct_figures")
                & _columns(con, "prev", "fct_figures")
            )
            con.execute(_changes_sql(compared), [record.build_id])
        else:
            con.execute(
                "create table main.build_changes as select ? as build_id, 'added' as change, figure_id, "
                "company_id, metric, period_label, null::double as old_value, value as new_value, unit, currency "
                "from main.fct_figures order by figure_id",
                [record.build_id],
            )
        counts = dict(
            con.execute("select change, count(*) from main.build_changes group by change").fetchall()
        )
        lines.append(
            "changes since the published warehouse: "
            + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("added", "removed", "changed"))
        )
        if has_prev:
            con.execute("detach prev")
        con.execute("checkpoint")
    finally:
        con.close()
    return lines
