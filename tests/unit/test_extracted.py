"""The extracted tables of a build (pipeline/extracted.py): stale documents, quarantine, loading."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from ingest.schema import SEED_SCHEMAS, conform, empty_frame
from pipeline import extracted


def frame(name: str, *rows: dict) -> pl.DataFrame:
    return conform(pl.DataFrame(list(rows), schema=SEED_SCHEMAS[name]), name) if rows else empty_frame(name)


def tables(**given: list[dict]) -> extracted.Tables:
    return {name: frame(name, *given.get(name.removeprefix("ingest_"), [])) for name in SEED_SCHEMAS}


def document(document_id: str, file_name: str, company: str = "xinghe") -> dict:
    return {
        "document_id": document_id,
        "file_name": file_name,
        "published_at": dt.date(2025, 6, 30),
        "language": "zh-Hans",
        "subject_companies": company,
    }


def figure(figure_id: str, document_id: str, company: str = "xinghe", value: float = 1.0) -> dict:
    return {"figure_id": figure_id, "document_id": document_id, "company_id": company, "value": value}


@pytest.fixture
def published() -> extracted.Published:
    """A published build of a.md (one figure) and b.md (two figures, one of a company it discovered)."""
    return extracted.Published(
        build_id="B1",
        tables=tables(
            documents=[document("a", "a.md"), document("b", "b.md", "xinghe|chenxi")],
            figures=[figure("fa", "a"), figure("fb1", "b"), figure("fb2", "b", "chenxi", 900.0)],
            events=[{"event_id": "eb", "document_id": "b", "company_id": "chenxi"}],
            discovered_companies=[{"company_id": "chenxi", "name_zh": "辰曦", "first_document_id": "b"}],
        ),
    )


def this_build(reason: str = "undecodable") -> extracted.Tables:
    """a.md read again (its figure changed), b.md rejected with `reason`."""
    return tables(
        documents=[document("a", "a.md")],
        figures=[figure("fa", "a", value=2.0)],
        rejected_documents=[{"file_name": "b.md", "reason": reason, "detail": "b.md: not UTF-8"}],
    )


def test_a_published_document_rejected_now_is_stale(published):
    assert extracted.stale_candidates(this_build(), published) == [("b", "b.md", "undecodable")]


@pytest.mark.parametrize("reason", ["duplicate", "duplicate_id", "duplicate_manifest_row"])
def test_a_duplicate_is_not_stale_its_text_is_published_under_another_row(published, reason):
    assert extracted.stale_candidates(this_build(reason), published) == []


def test_a_document_removed_from_the_corpus_is_not_stale(published):
    removed = tables(documents=[document("a", "a.md")], figures=[figure("fa", "a")])
    assert extracted.stale_candidates(removed, published) == []


def test_keep_stale_puts_back_every_published_row_of_the_document_flagged(published):
    kept = extracted.keep_stale(this_build(), published, ["b"])

    assert kept["ingest_documents"].select("document_id", "is_stale").rows() == [("a", None), ("b", True)]
    assert kept["ingest_figures"].select("figure_id", "value").rows() == [
        ("fa", 2.0),
        ("fb1", 1.0),
        ("fb2", 900.0),
    ]
    assert kept["ingest_events"]["event_id"].to_list() == ["eb"]
    # The company only b.md discovered comes back with it (its rows name it).
    assert kept["ingest_discovered_companies"]["company_id"].to_list() == ["chenxi"]
    stale = extracted.describe_stale(kept, ["b"], {"b": "undecodable"})
    assert stale == [extracted.StaleDocument("b", "b.md", "undecodable", 2)]


def test_the_rejection_of_a_stale_document_says_its_rows_are_kept(published):
    kept = extracted.keep_stale(this_build(), published, ["b"])
    stale = extracted.describe_stale(kept, ["b"], {"b": "undecodable"})

    noted = extracted.note_stale(kept, stale, "B1")

    assert noted["ingest_rejected_documents"].select("file_name", "reason", "detail").rows() == [
        (
            "b.md",
            "undecodable",
            "b.md: not UTF-8; its 2 published figures (build B1) are kept, flagged is_stale",
        )
    ]


def test_quarantine_takes_the_document_out_with_a_failed_check_rejection(published):
    hits = {"b": [extracted.CheckHit("expectation fct_figures: margin", "value=900")]}

    left = extracted.quarantine(published.tables, hits)

    assert left["ingest_documents"]["document_id"].to_list() == ["a"]
    assert left["ingest_figures"]["figure_id"].to_list() == ["fa"]
    assert left["ingest_events"].height == 0
    assert left["ingest_rejected_documents"].rows() == [
        (
            "b.md",
            "failed_check",
            "expectation fct_figures: margin: value=900",
            "expectation fct_figures: margin",
        )
    ]


def test_loaded_tables_have_the_contract_types_and_read_back_equal(tmp_path, published):
    db = tmp_path / "ipo.dbt.duckdb"
    kept = extracted.keep_stale(this_build(), published, ["b"])

    extracted.load_into(db, kept, tmp_path / "loaded")

    con = duckdb.connect(str(db), read_only=True)
    columns = "select column_name, data_type from information_schema.columns where table_name = ?"
    types = dict(con.execute(columns, ["ingest_documents"]).fetchall())
    con.close()
    assert types["is_stale"] == "BOOLEAN" and types["published_at"] == "DATE"
    again = extracted.read_published(db, "B2")
    assert again.tables["ingest_figures"].equals(kept["ingest_figures"])
    assert again.tables["ingest_documents"]["is_stale"].to_list() == [None, True]
    assert sorted(p.name for p in (tmp_path / "loaded").iterdir()) == sorted(
        f"{n}.parquet" for n in SEED_SCHEMAS
    )


def test_a_warehouse_without_extracted_tables_has_none_to_give_back(tmp_path):
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()
    assert not extracted.read_published(db, "B0").has_rows


def test_missing_extracted_tables_name_the_file(tmp_path):
    with pytest.raises(extracted.ExtractedError, match=r"ingest_documents\.parquet is missing"):
        extracted.read_extracted(tmp_path)
