"""`make shell` opens the published warehouse read-only in the DuckDB command line (duckdb-cli)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def make_shell(warehouse, sql: str) -> subprocess.CompletedProcess:
    """`make shell` on `warehouse` with `sql` typed at its prompt."""
    return subprocess.run(
        ["make", "-s", "shell", f"WAREHOUSE_PATH={warehouse}"],
        cwd=ROOT,
        input=sql,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_shell_answers_sql_on_the_published_file(built_project):
    project, _ = built_project
    proc = make_shell(project.warehouse, "select count(*) as documents from dim_documents;\n")
    assert proc.returncode == 0, proc.stderr
    assert "documents" in proc.stdout and "2" in proc.stdout


def test_make_shell_is_read_only(built_project):
    project, _ = built_project
    proc = make_shell(project.warehouse, "create table analyst_scratch as select 1;\n")
    assert "read-only" in (proc.stdout + proc.stderr).lower()
