"""A private copy of the project to run real builds in, and the commands run inside it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Not copied: the environment, build products and anything a previous build left behind.
SKIPPED = {".venv", ".git", "warehouse", "target", "build", "logs", "dbt_packages", ".pytest_cache", "bench"}
SKIPPED_PATTERNS = ("__pycache__", ".ruff_cache", ".hypothesis", "*.duckdb", "*.duckdb.wal")


def copy_project(dest: Path) -> Path:
    """Copy the project (sources, seeds, models, expectations, code) without its environment and outputs."""
    ignore_patterns = shutil.ignore_patterns(*SKIPPED_PATTERNS)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(ignore_patterns(directory, names))
        if Path(directory) == PROJECT_ROOT:
            skipped |= SKIPPED & set(names)
        if Path(directory) == PROJECT_ROOT / "seeds":
            skipped.add("extracted")  # the build must write it itself
        return skipped

    shutil.copytree(PROJECT_ROOT, dest, ignore=ignore)
    return dest


@dataclass(repr=False)
class BuildRun:
    returncode: int
    output: str

    def __repr__(self) -> str:  # shown by pytest when an assertion about the run fails
        return f"exit {self.returncode}\n{self.output[-6000:]}"


@dataclass
class Project:
    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "ipo.duckdb"

    @property
    def previous(self) -> Path:
        return self.root / "warehouse" / "ipo.prev.duckdb"

    @property
    def build_dir(self) -> Path:
        """The build folder of `warehouse` (each warehouse has its own, named after its file)."""
        return self.root / "warehouse" / ".build" / "ipo"

    def env(self, extra_env: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of a build in the copy: its own paths, no telemetry, no inherited STRICT."""
        env = {k: v for k, v in os.environ.items() if k not in ("DBT_DUCKDB_PATH", "STRICT")}
        env.update(
            PYTHONPATH=str(self.root),
            DBT_PROFILES_DIR=str(self.root),
            SOURCES_DIR="sources",
            WAREHOUSE_PATH="warehouse/ipo.duckdb",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DO_NOT_TRACK="1",
            GX_ANALYTICS_ENABLED="false",
            # Tests that rebuild want a real build each time; the no-change skip has its own test.
            FORCE="1",
        )
        env.update(extra_env or {})  # may override the defaults above (SOURCES_DIR, WAREHOUSE_PATH ...)
        return env

    def start(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        """`python -m pipeline ARGS` in its own process group (killable as a whole), output unbuffered."""
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args],
            cwd=self.root,
            env=self.env({"PYTHONUNBUFFERED": "1", **(extra_env or {})}),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def run(self, *args: str, timeout: float = 600, extra_env: dict[str, str] | None = None) -> BuildRun:
        """`python -m pipeline ARGS` in the copy, with the interpreter running pytest (the .venv)."""
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            cwd=self.root,
            env=self.env(extra_env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return BuildRun(proc.returncode, proc.stdout + proc.stderr)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def host_paths(warehouse: Path, *needles: str) -> list[tuple[str, str, str]]:
    """(table, column, cell) of every text cell of `warehouse`, and every view's SQL, holding a needle."""
    import duckdb

    found = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            quoted = '"' + column.replace('"', '""') + '"'
            for needle in needles:
                hits = con.execute(
                    f'select {quoted} from main."{table}" where contains({quoted}, ?)', [needle]
                ).fetchall()
                found += [(table, column, cell) for (cell,) in hits]
        for name, sql in con.execute(
            "select view_name, sql from duckdb_views() where not internal"
        ).fetchall():
            found += [(name, "view sql", sql) for needle in needles if needle in sql]
    finally:
        con.close()
    return found
