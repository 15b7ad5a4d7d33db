"""The extracted tables of one build: read from ingest's output, mended, loaded into dbt's file.

`python -m ingest` writes every extracted table (`ingest/schema.py`) as Parquet into the build's own
folder. Before dbt runs, the pipeline

- puts back the published rows of a document that was published and now fails to read or extract
  (`keep_stale`): its figures are not lost, `ingest_documents.is_stale` says they are old, and its
  rejection stays in `ingest_rejected_documents` with a note;
- takes out a document quarantined because its rows failed a check (`quarantine`), with a
  `failed_check` rejection naming the check and the failing values (and, when it was published
  before, its published rows put back as stale);
- creates one table per extracted table in the file dbt builds into (`load_into`): the warehouse then
  carries the rows it was built from, which is where the next build finds a document's last good rows.

Everything here is a pure function of frames except the readers and `load_into`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingest.schema import SEED_SCHEMAS, conform, empty_frame
from ingest.seeds import parquet_copy
from pipeline.changes import has_table, read_frame
from pipeline.export import quote_ident

Tables = dict[str, pl.DataFrame]

#: The tables holding one document's rows, and the column naming the document.
DOCUMENT_COLUMN = {
    "ingest_documents": "document_id",
    "ingest_figures": "document_id",
    "ingest_shareholders": "document_id",
    "ingest_events": "document_id",
    "ingest_unclassified_mentions": "document_id",
    "ingest_implied_fx_rates": "document_id",
}
#: Tables whose rows name a company a stale document may need from the published warehouse.
COMPANY_TABLES = ("ingest_figures", "ingest_shareholders", "ingest_events", "ingest_unclassified_mentions")
#: Rejections that never make a published document stale: its text is published under another row.
NOT_STALE_REASONS = frozenset({"duplicate", "duplicate_id", "duplicate_manifest_row"})
FAILED_CHECK = "failed_check"
#: A rejection's detail is for people: the failing values of a check are cut after this many characters.
MAX_DETAIL = 600


class ExtractedError(RuntimeError):
    """The extracted tables cannot be read or loaded; the message names the file."""


@dataclass(frozen=True)
class Published:
    """What the published warehouse holds of the rows it was built from (None when it has none)."""

    build_id: str
    tables: Tables  # every SEED_SCHEMAS table, conformed; empty when the warehouse predates them

    @property
    def has_rows(self) -> bool:
        return self.tables["ingest_documents"].height > 0


@dataclass(frozen=True)
class StaleDocument:
    document_id: str
    file_name: str
    reason: str  # why it failed in this build (a rejection reason, or failed_check)
    figures: int  # figures kept from the published warehouse


@dataclass(frozen=True)
class CheckHit:
    """One check a document's rows failed, and the failing values (short, for people)."""

    check: str
    values: str


# --- reading -------------------------------------------------------------------------------------------


def read_extracted(folder: Path) -> Tables:
    """Every extracted table from ingest's Parquet copies in `folder`, with its contract types."""
    tables: Tables = {}
    for name in SEED_SCHEMAS:
        path = Path(folder) / f"{name}.parquet"
        if not path.is_file():
            raise ExtractedError(f"{path} is missing: run the build without --skip-ingest")
        try:
            frame = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ExtractedError(f"cannot read {path}: {exc}") from exc
        tables[name] = conform(frame.select(c for c in frame.columns if c in SEED_SCHEMAS[name]), name)
    return tables


def read_published(path: Path, build_id: str) -> Published:
    """The extracted tables the published warehouse at `path` was built from (read-only)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {}
        for name, schema in SEED_SCHEMAS.items():
            if has_table(con, name):
                frame = read_frame(con, f"select * from main.{quote_ident(name)}")
                frame = frame.select(c for c in frame.columns if c in schema)
                tables[name] = conform(frame, name) if frame.width else empty_frame(name)
            else:
                tables[name] = empty_frame(name)
    finally:
        con.close()
    return Published(build_id=build_id, tables=tables)


# --- stale documents -----------------------------------------------------------------------------------


def stale_candidates(tables: Tables, published: Published) -> list[tuple[str, str, str]]:
    """(document_id, file_name, reason) of published documents whose file is rejected in this build."""
    rejected = tables["ingest_rejected_documents"].filter(~pl.col("reason").is_in(list(NOT_STALE_REASONS)))
    reasons = dict(zip(rejected["file_name"].to_list(), rejected["reason"].to_list(), strict=True))
    current = set(tables["ingest_documents"]["document_id"].to_list())
    found = []
    published_documents = published.tables["ingest_documents"].select("document_id", "file_name")
    for document_id, file_name in published_documents.rows():
        if file_name in reasons and document_id not in current:
            found.append((document_id, file_name, reasons[file_name]))
    return found


def rows_of(tables: Tables, document_ids: Iterable[str]) -> Tables:
    """The rows of `document_ids` in every per-document table (the others empty)."""
    ids = pl.Series(sorted(set(document_ids)), dtype=pl.String).implode()
    return {
        name: frame.filter(pl.col(DOCUMENT_COLUMN[name]).is_in(ids))
        if name in DOCUMENT_COLUMN
        else frame.clear()
        for name, frame in tables.items()
    }


def without(tables: Tables, document_ids: Iterable[str]) -> Tables:
    ids = pl.Series(sorted(set(document_ids)), dtype=pl.String).implode()
    return {
        name: frame.filter(~pl.col(DOCUMENT_COLUMN[name]).is_in(ids)) if name in DOCUMENT_COLUMN else frame
        for name, frame in tables.items()
    }


def keep_stale(tables: Tables, published: Published, document_ids: Iterable[str]) -> Tables:
    """`tables` plus the published rows of `document_ids`, flagged `is_stale`, and the discovered
    companies those rows name that this build no longer discovers."""
    ids = sorted(set(document_ids))
    if not ids:
        return tables
    old = rows_of(published.tables, ids)
    old["ingest_documents"] = old["ingest_documents"].with_columns(pl.lit(True).alias("is_stale"))
    named = set()
    for name in COMPANY_TABLES:
        named |= set(old[name]["company_id"].drop_nulls().to_list())
    for subjects in old["ingest_documents"]["subject_companies"].drop_nulls().to_list():
        named |= set(filter(None, subjects.split("|")))
    discovered = tables["ingest_discovered_companies"]
    missing = named - set(discovered["company_id"].to_list())
    old["ingest_discovered_companies"] = published.tables["ingest_discovered_companies"].filter(
        pl.col("company_id").is_in(sorted(missing))
    )
    merged = without(tables, ids)
    return {name: pl.concat([merged[name], old[name]], how="vertical") for name in merged}


def note_stale(tables: Tables, stale: Iterable[StaleDocument], build_id: str) -> Tables:
    """Say in each stale document's rejection that its published rows were kept."""
    notes = {
        s.file_name: f"; its {s.figures} published figures (build {build_id}) are kept, flagged is_stale"
        for s in stale
        if s.reason != FAILED_CHECK
    }
    if not notes:
        return tables
    rejected = tables["ingest_rejected_documents"]
    note = pl.col("file_name").replace_strict(notes, default="", return_dtype=pl.String)
    first = pl.col("file_name").is_first_distinct()  # a file rejected twice gets the note once
    rejected = rejected.with_columns(
        pl.when(first).then(pl.col("detail").fill_null("") + note).otherwise(pl.col("detail")).alias("detail")
    )
    return {**tables, "ingest_rejected_documents": rejected}


def describe_stale(
    tables: Tables, document_ids: Iterable[str], reasons: Mapping[str, str]
) -> list[StaleDocument]:
    ids = set(document_ids)
    documents = tables["ingest_documents"].filter(pl.col("document_id").is_in(sorted(ids)))
    counts = dict(
        tables["ingest_figures"]
        .filter(pl.col("document_id").is_in(sorted(ids)))
        .group_by("document_id")
        .len()
        .iter_rows()
    )
    return [
        StaleDocument(document_id, file_name, reasons[document_id], int(counts.get(document_id, 0)))
        for document_id, file_name in documents.select("document_id", "file_name").sort("file_name").rows()
    ]


# --- quarantine ----------------------------------------------------------------------------------------


def quarantine(tables: Tables, hits: Mapping[str, list[CheckHit]]) -> Tables:
    """`tables` without the documents of `hits`, each with a `failed_check` rejection naming the checks."""
    if not hits:
        return tables
    documents = tables["ingest_documents"].filter(pl.col("document_id").is_in(sorted(hits)))
    rows = []
    for document_id, file_name in documents.select("document_id", "file_name").sort("file_name").rows():
        checks = hits[document_id]
        detail = "; ".join(f"{hit.check}: {hit.values}" for hit in checks)
        rows.append(
            {
                "file_name": file_name,
                "reason": FAILED_CHECK,
                "detail": detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 3] + "...",
                "check_name": ", ".join(dict.fromkeys(hit.check for hit in checks)),
            }
        )
    name = "ingest_rejected_documents"
    rejections = conform(pl.DataFrame(rows, schema=SEED_SCHEMAS[name]), name)
    kept = without(tables, hits)
    kept["ingest_rejected_documents"] = pl.concat([kept["ingest_rejected_documents"], rejections])
    return kept


# --- loading -------------------------------------------------------------------------------------------


def load_into(db: Path, tables: Mapping[str, pl.DataFrame], folder: Path) -> None:
    """Create `main.<table>` in the DuckDB file `db` for every extracted table (through Parquet in
    `folder`, kept for inspection: the project has no pyarrow to hand frames to DuckDB directly)."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        for name in SEED_SCHEMAS:
            staged = folder / f"{name}.parquet"
            # Empty strings are nulls, as dbt reads an empty CSV cell of the seeds.
            parquet_copy(conform(tables[name], name)).write_parquet(staged)
            sql = f"create or replace table main.{quote_ident(name)} as select * from read_parquet(?)"
            con.execute(sql, [str(staged)])
        con.execute("checkpoint")
    except duckdb.Error as exc:
        raise ExtractedError(f"cannot load the extracted tables into {db}: {exc}") from exc
    finally:
        con.close()


def count_rows(tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    return {name: frame.height for name, frame in tables.items()}
