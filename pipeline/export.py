"""`python -m pipeline export --warehouse FILE --out DIR`: Parquet, CSV and one workbook of the tables.

CSV files are UTF-8 with a byte order mark (so Excel reads the Chinese as UTF-8), and
`warehouse.xlsx` holds one sheet per table (cut at Excel's 1,048,576 rows).

Published tables are the marts and the operational tables beside them (`rejected_documents`,
`build_log` ...), i.e. every base table except dbt's seeds and internal layers. The warehouse is
opened read-only, so an export never blocks or alters a publish.

Text cells are neutralised against spreadsheet formula injection with the rule of
`ingest.seeds.export_safe` (one rule, two renderings): a text cell starting with = + - @ tab or CR
gets a leading apostrophe unless it is a plain number such as '-12.5' (a spreadsheet reads those as
numbers, and an apostrophe would corrupt them). Numeric, date and boolean columns are written as they
are. The rule is applied in SQL and written by DuckDB's COPY, so column types survive exactly in
Parquet (the project has no pyarrow to hand frames to Polars).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from openpyxl import Workbook

from ingest.seeds import FORMULA_PREFIXES, PLAIN_NUMBER
from pipeline.validate import UNPUBLISHED_PREFIXES

FORMATS = {"parquet": "(format parquet)", "csv": "(format csv, header true)"}
BOM = b"\xef\xbb\xbf"
WORKBOOK = "warehouse.xlsx"
MAX_SHEET_NAME = 31  # Excel's limit
MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header included
TEXT_TYPES = ("VARCHAR",)


class ExportError(RuntimeError):
    """The warehouse could not be exported; the message names the file."""


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    files: tuple[Path, ...]


def quote_ident(name: str) -> str:
    """A SQL identifier, double-quoted (names come from information_schema, never from users)."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    """A SQL string literal (used for COPY's file name, which DuckDB cannot take as a parameter)."""
    return "'" + text.replace("'", "''") + "'"


def neutralised(column: str) -> str:
    """SQL expression: `column` with an apostrophe before any cell a spreadsheet would run as a formula."""
    col = quote_ident(column)
    prefixes = ", ".join(sql_literal(p) for p in FORMULA_PREFIXES)
    plain_number = sql_literal(PLAIN_NUMBER)
    return (
        f"case when left({col}, 1) in ({prefixes}) and not regexp_matches({col}, {plain_number}) "
        f"then '''' || {col} else {col} end as {col}"
    )


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [name for (name,) in rows if not name.startswith(UNPUBLISHED_PREFIXES)]


def select_safe(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """`select ...` of every column of `table` in order, text columns neutralised."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    exprs = [neutralised(name) if dtype in TEXT_TYPES else quote_ident(name) for name, dtype in columns]
    return f"select {', '.join(exprs)} from main.{quote_ident(table)}"


def export_warehouse(warehouse: Path, out_dir: Path) -> list[ExportedTable]:
    """Write `<out_dir>/<table>.parquet` and `.csv` for every published table of `warehouse`, and
    `<out_dir>/warehouse.xlsx` with a sheet per table.

    Each file is written under a temporary name and renamed, so a reader never opens half a file.
    """
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise ExportError(f"export: no warehouse at {warehouse} (run make build first)")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ExportError(f"export: cannot open {warehouse} read-only: {exc}") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    exported: list[ExportedTable] = []
    try:
        con.execute("set TimeZone = 'UTC'")  # timestamps in the CSV read the same on every machine
        for table in published_tables(con):
            query = select_safe(con, table)
            files = []
            for extension, options in FORMATS.items():
                final = out_dir / f"{table}.{extension}"
                tmp = out_dir / f".{table}.{extension}.tmp-{os.getpid()}"
                con.execute(f"copy ({query}) to {sql_literal(str(tmp))} {options}")
                if extension == "csv":
                    with_bom(tmp)
                os.replace(tmp, final)
                files.append(final)
            [(rows,)] = con.execute(f"select count(*) from main.{quote_ident(table)}").fetchall()
            exported.append(ExportedTable(table, rows, tuple(files)))
        write_workbook(con, [e.table for e in exported], out_dir / WORKBOOK)
    except duckdb.Error as exc:
        raise ExportError(f"export of {warehouse} to {out_dir} failed: {exc}") from exc
    finally:
        con.close()
    return exported


def with_bom(path: Path) -> None:
    """Put the UTF-8 byte order mark before `path`'s text, so a spreadsheet reads its Chinese as UTF-8."""
    staged = path.with_name(path.name + ".bom")
    with path.open("rb") as source, staged.open("wb") as target:
        target.write(BOM)
        shutil.copyfileobj(source, target, 1 << 20)
    os.replace(staged, path)


def _sheet_value(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # xlsx has no time zones: UTC, as in the CSV
    return value


def write_workbook(con: duckdb.DuckDBPyConnection, tables: list[str], path: Path) -> Path:
    """One .xlsx workbook with a sheet per table (text neutralised as in the CSV), renamed into place."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table[:MAX_SHEET_NAME])
        query = select_safe(con, table)
        cursor = con.execute(f"{query} limit ?", [MAX_SHEET_ROWS - 1])
        sheet.append([d[0] for d in cursor.description])
        while batch := cursor.fetchmany(5000):
            for row in batch:
                sheet.append([_sheet_value(v) for v in row])
    staged = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    book.save(staged)
    os.replace(staged, path)
    return path
