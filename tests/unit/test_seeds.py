"""Seed CSV writing (types survive the round trip, empty tables keep their header) and export safety."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.schema import SEED_SCHEMAS, conform
from ingest.seeds import export_safe, is_formula_like, read_seed, write_seeds


def figures_frame() -> pl.DataFrame:
    return conform(
        pl.DataFrame(
            {
                "figure_id": ["f1", "f2"],
                "document_id": ["doc", "doc"],
                "metric": ["net_profit", "revenue"],
                "period_start": [date(2024, 1, 1), None],
                "period_end": [date(2024, 12, 31), None],
                "value": [-245_000_000.0, 0.000125],
                "currency": ["CNY", None],
                "char_start": [10, 2_000_000],
                "char_end": [18, 2_000_009],
                # commas, quotes, a line break, a leading '=' and '-' : all must survive untouched
                "quote": ['亏损2.45亿元，"同比"收窄\n次行', "=SUM(A1)"],
                "value_text": ["-2.45亿元", "0.0125%"],
            }
        ),
        "ingest_figures",
    )


def test_round_trip_keeps_values_and_types(tmp_path):
    frame = figures_frame()
    write_seeds({"ingest_figures": frame}, tmp_path)
    back = read_seed(tmp_path / "ingest_figures.csv", "ingest_figures")
    assert back.schema == frame.schema
    assert back.equals(frame)
    assert back["value"].to_list() == [-245_000_000.0, 0.000125]
    assert back["quote"].to_list()[1] == "=SUM(A1)"  # seeds are not formula-escaped (dbt loads data)


def test_csv_text_is_iso_dates_and_empty_nulls(tmp_path):
    write_seeds({"ingest_figures": figures_frame()}, tmp_path)
    with open(tmp_path / "ingest_figures.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["period_start"] == "2024-01-01"
    assert rows[0]["period_end"] == "2024-12-31"
    assert rows[1]["period_start"] == ""
    assert rows[1]["currency"] == ""
    assert rows[0]["char_start"] == "10"
    assert float(rows[0]["value"]) == -245_000_000.0


def test_every_seed_is_written_and_empty_ones_have_their_header(tmp_path):
    written = write_seeds({"ingest_figures": figures_frame()}, tmp_path / "out")
    assert [p.name for p in written] == [f"{name}.csv" for name in SEED_SCHEMAS]
    for name, schema in SEED_SCHEMAS.items():
        lines = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(schema)
        if name != "ingest_figures":
            assert lines[1:] == []
            assert read_seed(tmp_path / "out" / f"{name}.csv", name).schema == pl.Schema(schema)


def test_write_replaces_files_and_leaves_no_temp_files(tmp_path):
    write_seeds({"ingest_figures": figures_frame()}, tmp_path)
    write_seeds({}, tmp_path)  # second run: everything empty again
    assert read_seed(tmp_path / "ingest_figures.csv", "ingest_figures").height == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in SEED_SCHEMAS)
    assert (tmp_path / "ingest_events.csv").stat().st_mode & 0o777 == 0o644


def test_failed_write_keeps_previous_seeds(tmp_path):
    write_seeds({"ingest_figures": figures_frame()}, tmp_path)
    bad = pl.DataFrame({"figure_id": ["x"], "not_a_column": [1]})
    with pytest.raises(ValueError, match="seed ingest_figures: unexpected columns"):
        write_seeds({"ingest_events": pl.DataFrame({"event_id": ["e"]}), "ingest_figures": bad}, tmp_path)
    assert read_seed(tmp_path / "ingest_figures.csv", "ingest_figures").height == 2
    assert read_seed(tmp_path / "ingest_events.csv", "ingest_events").height == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unknown_table_name_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="not seed tables: ingest_figurs"):
        write_seeds({"ingest_figurs": figures_frame()}, tmp_path)


def test_export_safe_neutralises_formulas_but_not_numbers():
    frame = pl.DataFrame(
        {
            "quote": ['=HYPERLINK("x")', "+1+1", "-2.45亿元", "@SUM(A1)", "\tcmd", "云知声", None],
            "value_text": ["-12.5", "+3", "-1e5", "1,000", "-", "", "=1"],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
            "char_start": [-1, 2, 3, 4, 5, 6, 7],
        }
    )
    safe = export_safe(frame)
    assert safe["quote"].to_list() == [
        '\'=HYPERLINK("x")',
        "'+1+1",
        "'-2.45亿元",
        "'@SUM(A1)",
        "'\tcmd",
        "云知声",
        None,
    ]
    assert safe["value_text"].to_list() == ["-12.5", "+3", "-1e5", "1,000", "'-", "", "'=1"]
    assert safe["value"].to_list() == frame["value"].to_list()
    assert safe["char_start"].to_list() == frame["char_start"].to_list()
    assert safe.schema == frame.schema


@pytest.mark.parametrize(
    ("cell", "risky"),
    [("=1", True), ("-2.45亿", True), ("-2.45", False), ("@a", True), ("a=b", False), ("", False)],
)
def test_is_formula_like(cell, risky):
    assert is_formula_like(cell) is risky


def test_written_seed_is_readable_by_duckdb(tmp_path):
    import duckdb

    write_seeds({"ingest_figures": figures_frame()}, tmp_path)
    rows = duckdb.sql(
        f"select figure_id, value, period_start from read_csv('{Path(tmp_path) / 'ingest_figures.csv'}', "
        "header=true, auto_detect=true) order by figure_id"
    ).fetchall()
    assert rows == [("f1", -245_000_000.0, date(2024, 1, 1)), ("f2", 0.000125, None)]
