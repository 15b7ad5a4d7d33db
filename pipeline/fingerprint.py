"""What a build is made from, as one hash: when it equals the published build's, rebuilding is moot.

The inputs of the warehouse are the extracted tables (written by ingest from the corpus into the
build's own folder, as CSV and as Parquet holding the same rows; the CSV are hashed), the reference
seeds, the dbt project (models, macros, singular tests, dbt_project.yml), the expectation suites and
the pipeline code that audits and publishes. If none of them changed since the published build, dbt
and the audit would produce the same file again: `python -m pipeline build` says so and stops after
ingest (a no-change rebuild of 10,000 articles then costs the ingest's cache check, not a dbt build).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

#: Folders and files (relative to the project root) whose content decides what a build produces.
INPUTS = (
    "seeds",
    "models",
    "macros",
    "data_tests",
    "expectations",
    "pipeline",
    "dbt_project.yml",
    "profiles.yml",
)
SUFFIXES = {".csv", ".parquet", ".sql", ".yml", ".yaml", ".md", ".py", ".json"}
#: CSVs an older checkout's `make docs` left there: disabled in dbt_project.yml, never loaded.
NOT_INPUTS = ("seeds/extracted",)


def input_files(project_dir: Path) -> list[Path]:
    files: list[Path] = []
    skipped = [project_dir / name for name in NOT_INPUTS]
    for name in INPUTS:
        path = project_dir / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in SUFFIXES
                and "__pycache__" not in p.parts
                and not any(p.is_relative_to(s) for s in skipped)
            ]
    return sorted(files)


def input_fingerprint(project_dir: Path, extracted_dir: Path) -> str:
    """sha256 over the relative path and bytes of every input file, in a fixed order (the extracted
    tables named by their file name: where the build folder lives does not change what is built)."""
    digest = hashlib.sha256()
    named = [(str(p.relative_to(project_dir)), p) for p in input_files(project_dir)]
    named += [(f"extracted/{p.name}", p) for p in sorted(Path(extracted_dir).glob("*.csv"))]
    for name, path in named:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def published_fingerprint(warehouse: Path) -> tuple[str, str] | None:
    """(build_id, input_fingerprint) of the published build, or None when there is none to compare."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None  # unreadable: rebuild (the build reports the file's state elsewhere)
    try:
        has_column = con.execute(
            "select count(*) from information_schema.columns "
            "where table_name = 'build_log' and column_name = 'input_fingerprint'"
        ).fetchone()[0]
        if not has_column:
            return None
        row = con.execute(
            "select build_id, input_fingerprint from build_log order by finished_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    return (row[0], row[1]) if row and row[1] else None
