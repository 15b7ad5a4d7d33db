"""Compare the published marts of two warehouse files, row for row (`python -m pipeline.compare A B`).

A refactoring that must not change what analysts read (issue 13) is checked by building the same
inputs before and after it and comparing the two files. Every published table except the build's own
records (build_log, build_changes, audit_results: they name the build and its time) must have the same
columns, of the same types, in the same order, and the same multiset of rows (`except all` both ways).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.export import quote_ident, sql_literal

#: Tables that describe the build itself, so differ between any two builds.
BUILD_RECORDS = frozenset({"build_log", "build_changes", "audit_results"})
SHOWN_ROWS = 3


@dataclass(frozen=True)
class TableDifference:
    table: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table}: {self.problem}"


def _tables(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'main' order by table_name, ordinal_position",
        [alias],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return {name: columns for name, columns in tables.items() if name not in BUILD_RECORDS}


def _rows_only_in(con: duckdb.DuckDBPyConnection, table: str, first: str, second: str) -> tuple[int, list]:
    older, newer = (quote_ident(db) + ".main." + quote_ident(table) for db in (first, second))
    rows = con.sql(f"select * from {older} except all select * from {newer}")
    count = rows.aggregate("count(*)").fetchone()[0]
    return count, rows.limit(SHOWN_ROWS).fetchall() if count else []


def compare(before: Path, after: Path) -> list[TableDifference]:
    """Every difference between the published tables of `before` and `after` (empty: identical)."""
    for path in (before, after):
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no warehouse file to compare")
    con = duckdb.connect()
    try:
        con.execute(f"attach {sql_literal(str(before))} as before_db (read_only)")
        con.execute(f"attach {sql_literal(str(after))} as after_db (read_only)")
        old, new = _tables(con, "before_db"), _tables(con, "after_db")
        differences = [TableDifference(t, "only in the first file") for t in sorted(old.keys() - new.keys())]
        differences += [
            TableDifference(t, "only in the second file") for t in sorted(new.keys() - old.keys())
        ]
        for table in sorted(old.keys() & new.keys()):
            if old[table] != new[table]:
                differences.append(TableDifference(table, f"columns differ: {old[table]} vs {new[table]}"))
                continue
            directions = (("before_db", "after_db", "first"), ("after_db", "before_db", "second"))
            for first, second, label in directions:
                count, sample = _rows_only_in(con, table, first, second)
                if count:
                    shown = "; ".join(str(row) for row in sample)
                    problem = f"{count} rows only in the {label} file: {shown}"
                    differences.append(TableDifference(table, problem))
        return differences
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    differences = compare(args.before, args.after)
    for difference in differences:
        print(difference)
    if not differences:
        print(f"identical: every published table of {args.before} and {args.after}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
