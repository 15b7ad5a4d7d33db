"""Shared pytest setup: no telemetry, and small helpers for building throwaway DuckDB files."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Nothing in the test run may phone home (dbt, GX).
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT


def make_duckdb(path: Path, sql: str) -> Path:
    """Create a closed DuckDB file at `path` from `sql` (no WAL left beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def read_marker(path: Path) -> str:
    """The single value of table `marker` in a DuckDB file made by `marker_db`."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select label from marker").fetchone()[0]
    finally:
        con.close()


def marker_db(path: Path, label: str) -> Path:
    """A tiny warehouse file whose content says which build it is."""
    return make_duckdb(path, f"create table marker as select '{label}' as label")


@pytest.fixture
def duckdb_files():
    """Make and read small DuckDB files: `.make(path, sql)`, `.marker(path, label)`, `.read(path)`."""

    class DuckdbFiles:
        make = staticmethod(make_duckdb)
        marker = staticmethod(marker_db)
        read = staticmethod(read_marker)

    return DuckdbFiles
