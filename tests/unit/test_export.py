"""`pipeline.export`: every published table to Parquet and CSV, text cells safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.seeds import export_safe, is_formula_like
from pipeline import export
from pipeline.__main__ import main

RISKY_TEXT = [
    "=cmd()",
    "+1",
    "-2",
    "@x",
    "\tTAB",
    "\rCR",
    "-2+3+cmd|' /C calc'!A0",
    "plain",
    "-3.5亿元",
    None,
]
# What a spreadsheet gets: formulas behind an apostrophe; plain numbers ('+1', '-2') stay numbers.
SAFE_TEXT = [
    "'=cmd()",
    "+1",
    "-2",
    "'@x",
    "'\tTAB",
    "'\rCR",
    "'-2+3+cmd|' /C calc'!A0",
    "plain",
    "'-3.5亿元",
    None,
]


@pytest.fixture
def warehouse(tmp_path: Path, duckdb_files) -> Path:
    """A published-looking warehouse: one mart with risky text and negative numbers, plus a seed table."""
    path = duckdb_files.make(
        tmp_path / "ipo.duckdb", "create table fct_figures (label varchar, value double, n bigint)"
    )
    con = duckdb.connect(str(path))
    try:
        con.executemany(
            "insert into fct_figures values (?, ?, ?)",
            [(text, -1.5 * i, -i) for i, text in enumerate(RISKY_TEXT)],
        )
        con.execute("create table ref_metrics as select '=seed' as code")  # a seed: not published
        con.execute("create table build_log as select '@build' as build_id, date '2026-01-08' as day")
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def test_text_cells_are_neutralised_and_numbers_untouched_in_csv_and_parquet(warehouse, tmp_path):
    out = tmp_path / "out"

    tables = export.export_warehouse(warehouse, out)

    assert [(t.table, t.rows) for t in tables] == [("build_log", 1), ("fct_figures", len(RISKY_TEXT))]
    parquet = pl.read_parquet(out / "fct_figures.parquet")
    assert parquet.schema == pl.Schema({"label": pl.String, "value": pl.Float64, "n": pl.Int64})
    assert parquet["label"].to_list() == SAFE_TEXT
    assert parquet["value"].to_list() == [-1.5 * i for i in range(len(RISKY_TEXT))]
    assert parquet["n"].to_list() == [-i for i in range(len(RISKY_TEXT))]
    assert (out / "fct_figures.csv").read_bytes().startswith(b"\xef\xbb\xbflabel,value,n")  # BOM first
    with open(out / "fct_figures.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["label"] for r in rows] == [s if s is not None else "" for s in SAFE_TEXT]
    assert [r["value"] for r in rows][1:3] == ["-1.5", "-3.0"]
    assert [r["n"] for r in rows][:3] == ["0", "-1", "-2"]
    assert not any(is_formula_like(r["label"]) for r in rows)
    assert pl.read_parquet(out / "build_log.parquet").row(0) == ("'@build", dt.date(2026, 1, 8))
    assert sorted(p.name for p in out.iterdir()) == [
        "build_log.csv",
        "build_log.parquet",
        "fct_figures.csv",
        "fct_figures.parquet",
        "warehouse.xlsx",
    ]


def test_the_workbook_has_a_sheet_per_table_with_neutralised_text_and_real_numbers(warehouse, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    export.export_warehouse(warehouse, out)

    book = load_workbook(out / "warehouse.xlsx")
    assert book.sheetnames == ["build_log", "fct_figures"]
    sheet = book["fct_figures"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("label", "value", "n")
    assert [r[0] for r in rows[1:]] == SAFE_TEXT
    assert [r[1] for r in rows[1:4]] == [0.0, -1.5, -3.0]
    # No cell is a formula: '=cmd()' is the text it was, behind its apostrophe.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert book["build_log"]["B2"].value == dt.datetime(2026, 1, 8)


def test_sql_rule_is_the_same_as_export_safe(tmp_path):
    """One rule, two renderings: the SQL of the exporter and the Polars `export_safe` agree cell by cell."""
    cells = RISKY_TEXT + ["+", "-", "=", "@", "1e5", "-.5", "+1.", "- 2", "--2", "-2\n", "−2", "＝cmd", ""]
    con = duckdb.connect()
    try:
        con.execute("create table t (label varchar)")
        con.executemany("insert into t values (?)", [(c,) for c in cells])
        via_sql = [r[0] for r in con.execute(export.select_safe(con, "t")).fetchall()]
    finally:
        con.close()
    via_polars = export_safe(pl.DataFrame({"label": cells}, schema={"label": pl.String}))["label"].to_list()
    assert via_sql == via_polars


def test_the_warehouse_is_opened_read_only_and_left_unchanged(warehouse, tmp_path):
    before = warehouse.read_bytes()
    holder = duckdb.connect(str(warehouse), read_only=True)  # an analyst's session does not block it
    try:
        export.export_warehouse(warehouse, tmp_path / "out")
    finally:
        holder.close()
    assert warehouse.read_bytes() == before
    assert not Path(str(warehouse) + ".wal").exists()


def test_cli_exports_and_names_a_missing_warehouse(warehouse, tmp_path, capsys):
    assert main(["export", "--warehouse", str(warehouse), "--out", str(tmp_path / "cli")]) == 0
    assert "exported 2 tables" in capsys.readouterr().out
    assert (tmp_path / "cli" / "fct_figures.parquet").is_file()

    missing = tmp_path / "nope.duckdb"
    assert main(["export", "--warehouse", str(missing), "--out", str(tmp_path / "x")]) == 1
    assert f"EXPORT FAILED: export: no warehouse at {missing}" in capsys.readouterr().err
