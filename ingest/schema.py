"""The contract of the extracted tables: every table ingest writes, its columns, their types, and the
closed vocabulary each coded column takes its values from. Defined here once; every layer follows it:

- ingest builds every frame with `empty_frame(name)` / `conform(df, name)` (`SEED_SCHEMAS`), so column
  order and Polars types never drift, and `ingest.vocabulary.INGEST_COLUMNS` (the codes ingest checks
  before a row is written) is read from the columns' `vocabulary`;
- the pipeline loads the Parquet copies into DuckDB tables of these types (Polars → DuckDB:
  `DUCKDB_TYPES`); the staging models only rename them, so their types are these too;
- dbt's description of those tables, `models/staging/_ingest__sources.yml`, is generated from here
  (`python -m ingest.schema --write`; a unit test fails while the committed file differs);
- dbt's `in_vocabulary` tests and the suites' `value_set: {vocabulary: true}` read the same vocabulary
  file (seeds/reference/ref_vocabularies.csv) that `vocabulary` names.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where `python -m ingest` writes the extracted tables by default (CSV for review, Parquet for the load).
EXTRACTED_DIR = "build/extracted"
#: dbt's description of the extracted tables, generated from this contract.
SOURCES_YML = PROJECT_ROOT / "models" / "staging" / "_ingest__sources.yml"

#: The DuckDB type each Polars type loads as (what `create table … as select * from read_parquet(…)` makes).
DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "varchar",
    pl.Date: "date",
    pl.Int64: "bigint",
    pl.Float64: "double",
    pl.Boolean: "boolean",
}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: type[pl.DataType]
    description: str
    vocabulary: str | None = None  # the closed set (ref_vocabularies.csv; metric: ref_metrics.csv)
    empty_allowed: bool = False  # '' allowed besides the vocabulary's codes (no currency: not money)

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]


@dataclass(frozen=True)
class Table:
    description: str
    columns: tuple[Column, ...]


TABLES: dict[str, Table] = {
    "ingest_documents": Table(
        "One row per accepted source document.",
        (
            Column("document_id", pl.String, "File stem of the source, e.g. 000_35e92165ac81694a."),
            Column("file_name", pl.String, "Path of the source relative to the sources folder."),
            Column("title", pl.String, "Title from the manifest or front matter ('' when unknown)."),
            Column("publisher", pl.String, "Publisher from the manifest ('' when unknown)."),
            Column("published_at", pl.Date, "Publication date; resolves year-less dates and AS_OF periods."),
            Column("url", pl.String, "Source URL ('' when unknown)."),
            Column("language", pl.String, "zh-Hans or zh-Hant.", vocabulary="language"),
            Column("subject_companies", pl.String, "company_ids the document is about, '|' separated."),
            Column("sha256", pl.String, "SHA-256 of the raw bytes."),
            Column("encoding", pl.String, "Detected text encoding."),
            Column("char_count", pl.Int64, "Length of the decoded text in characters."),
            Column("is_stale", pl.Boolean, '{{ doc("is_stale") }}'),
        ),
    ),
    "ingest_figures": Table(
        "One row per figure the extractor classified, with provenance.",
        (
            Column(
                "figure_id",
                pl.String,
                "Stable hash of document_id, char_start, metric, dimension and period.",
            ),
            Column("document_id", pl.String, "Document the figure was read from."),
            Column("company_id", pl.String, "Company the figure belongs to."),
            Column("table_name", pl.String, "financials, kpis or offerings.", vocabulary="table_name"),
            Column("metric", pl.String, "Metric code from ref_metrics.", vocabulary="metric"),
            Column(
                "dimension",
                pl.String,
                (
                    "'<kind>:<value>' (segment, deployment, purpose, round, market, model, kind, exchange) "
                    "or a moment (at_open...); '' when none."
                ),
            ),
            Column(
                "period_type", pl.String, "FY, H1, H2, 9M, Q1-Q4, M, CUM or AS_OF.", vocabulary="period_type"
            ),
            Column("period_start", pl.Date, "First day of the period."),
            Column("period_end", pl.Date, "Last day of the period (the date itself for AS_OF)."),
            Column(
                "period_label",
                pl.String,
                "Readable period, e.g. FY2024, H1-2025, CUM-FY2022-H1-2025, 2025-06-30.",
            ),
            Column(
                "value",
                pl.Float64,
                "Value in whole units (money), percent numbers, plain multiples or counts; losses negative.",
            ),
            Column(
                "unit", pl.String, "currency, pct, pp, x, count, tokens, params or rank.", vocabulary="unit"
            ),
            Column(
                "currency",
                pl.String,
                "ISO code CNY/HKD/USD for money, '' otherwise.",
                vocabulary="currency",
                empty_allowed=True,
            ),
            Column(
                "qualifier", pl.String, "exact, approx, lower_bound or upper_bound.", vocabulary="qualifier"
            ),
            Column(
                "value_text",
                pl.String,
                "The number as written (e.g. 1.25億元); its decimals give the rounding tolerance.",
            ),
            Column("char_start", pl.Int64, "Start offset of the quote in the original text."),
            Column("char_end", pl.Int64, "End offset (exclusive) of the quote."),
            Column("quote", pl.String, "Original text slice char_start:char_end; contains value_text."),
            Column("converted_value", pl.Float64, "Value of a '约合人民币…' parenthetical, else null."),
            Column(
                "converted_currency",
                pl.String,
                "Currency of converted_value.",
                vocabulary="currency",
                empty_allowed=True,
            ),
            Column("rule", pl.String, "Extractor rule that produced the row (debugging)."),
            Column(
                "written_number",
                pl.Float64,
                "The first number written in value_text (digits folded, separators dropped); null when no "
                "arabic number is written. value / written_number is the power of ten of the scale word.",
            ),
            Column(
                "decimals_written",
                pl.Int64,
                "Decimals written in value_text: the rounding tolerance's digit.",
            ),
            Column(
                "dimension_kind",
                pl.String,
                "What the dimension is: segment, deployment, purpose, round, market, model, kind, region, "
                "exchange, or moment (at_open, first_day ...); '' when none.",
                vocabulary="dimension_kind",
                empty_allowed=True,
            ),
            Column(
                "dimension_value",
                pl.String,
                "The dimension without its kind ('智慧医疗' of 'segment:智慧医疗'; a moment as is).",
            ),
            Column(
                "implied_fx_rate_id",
                pl.String,
                "fx_rate_id of the rate this figure's own conversion states ('约合人民币…'), else null.",
            ),
        ),
    ),
    "ingest_shareholders": Table(
        "One row per holder and role mentioned for a company.",
        (
            Column("holder_id", pl.String, "Stable id of the mention."),
            Column("document_id", pl.String, "Document the holder was read from."),
            Column("company_id", pl.String, "Company held."),
            Column("holder_name", pl.String, "Holder name as written, folded to simplified."),
            Column("holder_name_en", pl.String, "English name where written or known."),
            Column(
                "holder_type",
                pl.String,
                "controlling_group, founder, cornerstone, strategic, financial, early_investor or other.",
                vocabulary="holder_type",
            ),
            Column("parent_entity", pl.String, "'A' of 'A旗下B'."),
            Column("stake_pct", pl.Float64, "Stake in percent."),
            Column("subscription_amount", pl.Float64, "Amount subscribed (cornerstones), whole units."),
            Column(
                "currency",
                pl.String,
                "Currency of subscription_amount.",
                vocabulary="currency",
                empty_allowed=True,
            ),
            Column("qualifier", pl.String, "Qualifier of the stake or amount.", vocabulary="qualifier"),
            Column("as_of", pl.Date, "Date the holding refers to."),
            Column("char_start", pl.Int64, "Start offset of the quote."),
            Column("char_end", pl.Int64, "End offset of the quote."),
            Column("quote", pl.String, "Original text slice."),
        ),
    ),
    "ingest_events": Table(
        "Dated events of an offering (filing, withdrawal, approval, hearing passed, listing).",
        (
            Column("event_id", pl.String, "Stable id of the event mention."),
            Column("document_id", pl.String, "Document the event was read from."),
            Column("company_id", pl.String, "Company concerned."),
            Column(
                "exchange",
                pl.String,
                "HKEX, STAR, SSE, SZSE, NASDAQ, NYSE or '' when unknown.",
                vocabulary="exchange",
                empty_allowed=True,
            ),
            Column(
                "event_type",
                pl.String,
                "filing, withdrawal, approval, hearing_passed, listing or prospectus.",
                vocabulary="event_type",
            ),
            Column(
                "event_date", pl.Date, "Date; first day of the stated month/year when only those are given."
            ),
            Column("date_precision", pl.String, "day, month or year.", vocabulary="date_precision"),
            Column("char_start", pl.Int64, "Start offset of the quote."),
            Column("char_end", pl.Int64, "End offset of the quote."),
            Column("quote", pl.String, "Original text slice."),
        ),
    ),
    "ingest_unclassified_mentions": Table(
        "Numbers the extractor found but could not classify confidently.",
        (
            Column("mention_id", pl.String, "Stable id of the mention."),
            Column("document_id", pl.String, "Document the number was found in."),
            Column("company_id", pl.String, "Company nearby, '' or null when market-wide or unknown."),
            Column("value", pl.Float64, "Parsed value."),
            Column("unit", pl.String, "Parsed unit.", vocabulary="unit", empty_allowed=True),
            Column("currency", pl.String, "Parsed currency.", vocabulary="currency", empty_allowed=True),
            Column("value_text", pl.String, "The number as written."),
            Column("char_start", pl.Int64, "Start offset of the quote."),
            Column("char_end", pl.Int64, "End offset of the quote."),
            Column("quote", pl.String, "Original text slice."),
            Column(
                "reason",
                pl.String,
                "Why it was not classified (e.g. market_wide, unknown_metric).",
                vocabulary="unclassified_reason",
            ),
        ),
    ),
    "ingest_discovered_companies": Table(
        "Companies met by the extractor that ref_companies does not know (not reviewed).",
        (
            Column("company_id", pl.String, "Stable slug (pinyin of the simplified name)."),
            Column("name_zh", pl.String, "Simplified name."),
            Column("name_zh_hant", pl.String, "Traditional name."),
            Column(
                "exchange",
                pl.String,
                "Exchange of the stock code written beside the name (HKEX, STAR, SSE, SZSE), '' when none.",
                vocabulary="exchange",
                empty_allowed=True,
            ),
            Column(
                "ticker",
                pl.String,
                "Stock code as a document states it ('9923.HK', '688041.SH', 'XPEV'), '' when none.",
            ),
            Column("first_document_id", pl.String, "First document that mentioned it."),
            Column("evidence", pl.String, "Sentence that made it a subject."),
        ),
    ),
    "ingest_implied_fx_rates": Table(
        "FX rates implied by a document's own conversions ('约合人民币…').",
        (
            Column(
                "fx_rate_id",
                pl.String,
                "Stable id of the conversion (figures name it in implied_fx_rate_id).",
            ),
            Column("rate_date", pl.Date, "Date the conversion refers to."),
            Column("base_currency", pl.String, "Currency converted from.", vocabulary="currency"),
            Column("quote_currency", pl.String, "Currency converted to.", vocabulary="currency"),
            Column("rate", pl.Float64, "Units of quote_currency per unit of base_currency."),
            Column("source", pl.String, "'implied:<document_id>'."),
            Column("document_id", pl.String, "Document that stated the conversion."),
            Column("quote", pl.String, "The words of the conversion."),
        ),
    ),
    "ingest_rejected_documents": Table(
        "Documents that could not be used.",
        (
            Column("file_name", pl.String, "Source file."),
            Column(
                "reason",
                pl.String,
                "Short code (empty, binary, undecodable, mojibake, too_large, duplicate, missing_file, ...).",
                vocabulary="rejection_reason",
            ),
            Column("detail", pl.String, "Human-readable detail."),
            Column("check_name", pl.String, '{{ doc("check_name") }}'),
        ),
    ),
}


def seed_schemas(tables: dict[str, Table]) -> dict[str, dict[str, type[pl.DataType]]]:
    """Table -> column -> Polars type, in column order: the frames ingest writes."""
    return {name: {column.name: column.dtype for column in table.columns} for name, table in tables.items()}


def vocabulary_columns(tables: dict[str, Table]) -> dict[str, dict[str, tuple[str, bool]]]:
    """Table -> coded column -> (vocabulary, '' allowed): what ingest checks before writing a row."""
    return {
        name: columns
        for name, table in tables.items()
        if (columns := {c.name: (c.vocabulary, c.empty_allowed) for c in table.columns if c.vocabulary})
    }


SEED_SCHEMAS = seed_schemas(TABLES)


def sources_yml(contract: dict[str, Table] = TABLES) -> str:
    """dbt's `ingest` source, generated from the contract: one table per extracted table, every column
    with its DuckDB type and description."""
    tables = [
        {
            "name": name,
            "description": table.description,
            "columns": [
                {"name": c.name, "data_type": c.duckdb_type, "description": c.description}
                for c in table.columns
            ],
        }
        for name, table in contract.items()
    ]
    source = {
        "name": "ingest",
        "description": "The tables ingest extracted, loaded by the pipeline into the file dbt builds into.",
        "schema": "main",
        "tables": tables,
    }
    header = (
        "# Generated from ingest/schema.py (the contract of the extracted tables) by\n"
        "# `python -m ingest.schema --write`: edit the contract, not this file.\n"
        "# `python -m pipeline build` loads ingest's Parquet copies into these tables (schema main of the\n"
        "# file dbt builds into); the staging models read them through source() and only rename them.\n"
    )
    body = yaml.safe_dump({"version": 2, "sources": [source]}, allow_unicode=True, sort_keys=False, width=100)
    return header + body


def empty_frame(name: str) -> pl.DataFrame:
    """An empty frame with the exact columns and types of seed `name`."""
    return pl.DataFrame(schema=SEED_SCHEMAS[name])


def conform(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """Select and cast `df` to the seed schema; missing columns become null.

    Raises ValueError naming the seed and the unexpected columns, so a typo in an
    extractor never silently drops data.
    """
    schema = SEED_SCHEMAS[name]
    if df.width == 0:
        # pl.lit over a column-less frame yields one null row; an empty input means no rows.
        return empty_frame(name)
    extra = [c for c in df.columns if c not in schema]
    if extra:
        raise ValueError(f"seed {name}: unexpected columns {extra}")
    exprs = [
        (pl.col(col) if col in df.columns else pl.lit(None)).cast(dtype).alias(col)
        for col, dtype in schema.items()
    ]
    return df.select(exprs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write or check dbt's description of the extracted tables")
    parser.add_argument("--write", action="store_true", help=f"write {SOURCES_YML.name}")
    args = parser.parse_args(argv)
    text = sources_yml()
    if args.write:
        SOURCES_YML.write_text(text, encoding="utf-8")
        print(f"wrote {SOURCES_YML.relative_to(PROJECT_ROOT)}")
        return 0
    if SOURCES_YML.read_text(encoding="utf-8") != text:
        print(f"{SOURCES_YML.relative_to(PROJECT_ROOT)} differs from ingest/schema.py: run with --write")
        return 1
    print(f"{SOURCES_YML.relative_to(PROJECT_ROOT)} follows ingest/schema.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
