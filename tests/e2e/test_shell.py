"""`make shell` opens the published warehouse read-only in the DuckDB command line (duckdb-cli)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_make_shell_answers_sql_on_the_published_file(built_project):
    project, _ = built_project
    proc = subprocess.run(
        ["make", "-s", "shell", f"WAREHOUSE_PATH={project.warehouse}"],
        cwd=ROOT,
        input="select count(*) as documents from dim_documents;\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "documents" in proc.stdout and "2" in proc.stdout


def test_make_shell_is_read_only(built_project):
    project, _ = built_project
    proc = subprocess.run(
        ["make", "-s", "shell", f"WAREHOUSE_PATH={project.warehouse}"],
        cwd=ROOT,
        input="create table analyst_scratch as select 1;\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "read-only" in (proc.stdout + proc.stderr).lower()
