"""The extracted tables' contract (ingest/schema.py) is defined once, and every layer follows it."""

from __future__ import annotations

import dataclasses
import re

import duckdb
import polars as pl
import pytest
import yaml

from ingest import schema
from ingest.schema import PROJECT_ROOT, SEED_SCHEMAS, SOURCES_YML, TABLES, Column, conform
from ingest.vocabulary import INGEST_COLUMNS
from pipeline import extracted

STAGING = PROJECT_ROOT / "models" / "staging"


def contract_with(table: str, *columns: Column, retyped: dict[str, Column] | None = None) -> dict:
    """A copy of the contract with `columns` added to `table` and columns replaced by `retyped`."""
    changed = dict(TABLES)
    old = TABLES[table]
    kept = tuple((retyped or {}).get(c.name, c) for c in old.columns)
    changed[table] = dataclasses.replace(old, columns=kept + columns)
    return changed


def test_the_committed_dbt_source_is_the_one_the_contract_generates():
    assert SOURCES_YML.read_text(encoding="utf-8") == schema.sources_yml()
    assert schema.main([]) == 0


def test_the_dbt_source_lists_every_column_with_its_duckdb_type():
    source = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))["sources"][0]
    figures = next(t for t in source["tables"] if t["name"] == "ingest_figures")
    types = {c["name"]: c["data_type"] for c in figures["columns"]}
    assert list(types) == list(SEED_SCHEMAS["ingest_figures"])
    assert (types["figure_id"], types["value"], types["char_start"], types["period_end"]) == (
        "varchar",
        "double",
        "bigint",
        "date",
    )
    assert [t["name"] for t in source["tables"]] == list(TABLES)


def test_the_vocabulary_ingest_checks_is_read_from_the_contract():
    assert INGEST_COLUMNS["ingest_figures"]["currency"] == ("currency", True)
    assert INGEST_COLUMNS["ingest_events"]["event_type"] == ("event_type", False)
    assert INGEST_COLUMNS["ingest_rejected_documents"] == {"reason": ("rejection_reason", False)}
    coded = {(t, c.name) for t, table in TABLES.items() for c in table.columns if c.vocabulary}
    assert coded == {(t, c) for t, columns in INGEST_COLUMNS.items() for c in columns}


def test_a_column_added_to_the_contract_reaches_every_layer(tmp_path, monkeypatch):
    added = Column("listing_board", pl.Int64, "A test column.", vocabulary="exchange", empty_allowed=True)
    retyped = {"char_count": dataclasses.replace(TABLES["ingest_documents"].columns[10], dtype=pl.Float64)}
    assert retyped["char_count"].name == "char_count"
    changed = contract_with("ingest_figures", added)
    changed = {
        **changed,
        "ingest_documents": contract_with("ingest_documents", retyped=retyped)["ingest_documents"],
    }

    # ingest's frames and its vocabulary check
    schemas = schema.seed_schemas(changed)
    assert list(schemas["ingest_figures"])[-1] == "listing_board"
    assert schemas["ingest_figures"]["listing_board"] == pl.Int64
    assert schema.vocabulary_columns(changed)["ingest_figures"]["listing_board"] == ("exchange", True)
    # dbt's description of the source
    source = yaml.safe_load(schema.sources_yml(changed))["sources"][0]
    tables = {t["name"]: {c["name"]: c["data_type"] for c in t["columns"]} for t in source["tables"]}
    assert tables["ingest_figures"]["listing_board"] == "bigint"
    assert tables["ingest_documents"]["char_count"] == "double"
    # the tables the pipeline loads for dbt (what the staging models read unchanged)
    for name in ("ingest_figures", "ingest_documents"):
        monkeypatch.setitem(SEED_SCHEMAS, name, schemas[name])
    frames = {name: schema.empty_frame(name) for name in SEED_SCHEMAS}
    frames["ingest_figures"] = conform(
        pl.DataFrame({"figure_id": ["f1"], "listing_board": [7]}), "ingest_figures"
    )
    db = tmp_path / "dbt.duckdb"
    extracted.load_into(db, frames, tmp_path / "loaded")
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = dict(
            con.execute(
                "select table_name || '.' || column_name, data_type from information_schema.columns "
                "where table_name in ('ingest_figures', 'ingest_documents')"
            ).fetchall()
        )
        assert con.execute("select listing_board from ingest_figures").fetchall() == [(7,)]
    assert loaded["ingest_figures.listing_board"] == "BIGINT"
    assert loaded["ingest_documents.char_count"] == "DOUBLE"
    assert loaded["ingest_figures.value"] == "DOUBLE"


def test_a_frame_with_a_column_the_contract_lacks_is_refused_naming_the_table():
    with pytest.raises(ValueError, match=r"seed ingest_events: unexpected columns \['venue'\]"):
        conform(pl.DataFrame({"event_id": ["e"], "venue": ["x"]}), "ingest_events")


@pytest.mark.parametrize("table", sorted(TABLES))
def test_staging_reads_the_source_and_only_renames_it(table):
    """No cast and no load-path branch: the types are the contract's, as the pipeline loaded them."""
    sql = (STAGING / f"stg_ingest__{table.removeprefix('ingest_')}.sql").read_text(encoding="utf-8")
    assert f"{{{{ source('ingest', '{table}') }}}}" in sql
    assert "cast(" not in sql and "{%" not in sql and "ref(" not in sql
    selected = re.findall(r"^\s+(?:coalesce\()?(\w+)", sql.split("renamed as (")[1], flags=re.M)
    assert set(SEED_SCHEMAS[table]) <= set(selected), set(SEED_SCHEMAS[table]) - set(selected)
