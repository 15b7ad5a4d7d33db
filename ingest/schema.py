"""The tables ingest writes as dbt seeds: names, columns and Polars types.

This module is the contract between the extractor and the dbt staging models
(`models/staging/stg_ingest__*.sql`). Every writer builds its frame with
`empty_frame(name)` / `conform(df, name)` so column order and types never drift.
"""

from __future__ import annotations

import polars as pl

#: Seed folder (relative to the project root) the extracted tables are written to.
EXTRACTED_SEED_DIR = "seeds/extracted"

SEED_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # One row per accepted document.
    "ingest_documents": {
        "document_id": pl.String,  # file stem, e.g. 000_35e92165ac81694a
        "file_name": pl.String,  # path relative to SOURCES_DIR
        "title": pl.String,
        "publisher": pl.String,
        "published_at": pl.Date,
        "url": pl.String,
        "language": pl.String,  # zh-Hans / zh-Hant
        "subject_companies": pl.String,  # company_ids, '|' separated
        "sha256": pl.String,  # of the raw bytes
        "encoding": pl.String,  # as detected
        "char_count": pl.Int64,
        # Set by `python -m pipeline build`, never by ingest (null = false): the document failed to read,
        # extract or pass a check in this build, and its rows are the ones of the published warehouse.
        "is_stale": pl.Boolean,
    },
    # One row per figure the extractor classified.
    "ingest_figures": {
        "figure_id": pl.String,  # stable: hash of document_id, char_start, metric, dimension, period
        "document_id": pl.String,
        "company_id": pl.String,
        "table_name": pl.String,  # financials / kpis / offerings
        "metric": pl.String,  # code from seeds/reference/ref_metrics.csv
        "dimension": pl.String,  # '' when none (segment, deployment mode, purpose, round, market ...)
        "period_type": pl.String,  # FY H1 H2 9M Q1..Q4 CUM AS_OF EVENT
        "period_start": pl.Date,
        "period_end": pl.Date,
        "period_label": pl.String,  # FY2024, H1-2025, CUM-FY2022-H1-2025, 2025-06-30
        "value": pl.Float64,  # whole units; percent numbers; x for multiples
        "unit": pl.String,  # currency / pct / pp / x / count / tokens / params
        "currency": pl.String,  # CNY / HKD / USD, '' when not money
        "qualifier": pl.String,  # exact / approx / lower_bound / upper_bound
        "value_text": pl.String,  # the number as written, e.g. 1.25亿元
        "char_start": pl.Int64,  # offsets into the original (decoded) text
        "char_end": pl.Int64,
        "quote": pl.String,  # original_text[char_start:char_end]; contains value_text
        "converted_value": pl.Float64,  # from a '约合人民币…' parenthetical, else null
        "converted_currency": pl.String,
        "rule": pl.String,  # name of the grammar rule that produced the row (debugging)
    },
    # One row per holder × role mentioned for a company.
    "ingest_shareholders": {
        "holder_id": pl.String,
        "document_id": pl.String,
        "company_id": pl.String,
        "holder_name": pl.String,  # as written, folded to simplified
        "holder_name_en": pl.String,
        # controlling_group founder cornerstone strategic financial early_investor other
        "holder_type": pl.String,
        "parent_entity": pl.String,  # 'A' of 'A旗下B'
        "stake_pct": pl.Float64,
        "subscription_amount": pl.Float64,
        "currency": pl.String,
        "qualifier": pl.String,
        "as_of": pl.Date,
        "char_start": pl.Int64,
        "char_end": pl.Int64,
        "quote": pl.String,
    },
    # Dated events of an offering.
    "ingest_events": {
        "event_id": pl.String,
        "document_id": pl.String,
        "company_id": pl.String,
        "exchange": pl.String,  # HKEX / STAR / SSE / SZSE / NASDAQ / NYSE / '' unknown
        "event_type": pl.String,  # filing withdrawal approval hearing_passed listing prospectus
        "event_date": pl.Date,  # first day of the stated period when only month/year is given
        "date_precision": pl.String,  # day / month / year
        "char_start": pl.Int64,
        "char_end": pl.Int64,
        "quote": pl.String,
    },
    # Numbers the extractor found but could not classify confidently.
    "ingest_unclassified_mentions": {
        "mention_id": pl.String,
        "document_id": pl.String,
        "company_id": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "currency": pl.String,
        "value_text": pl.String,
        "char_start": pl.Int64,
        "char_end": pl.Int64,
        "quote": pl.String,
        "reason": pl.String,
    },
    # Companies the extractor met that the reference seed does not know.
    "ingest_discovered_companies": {
        "company_id": pl.String,  # stable slug (pinyin of the simplified name)
        "name_zh": pl.String,
        "name_zh_hant": pl.String,
        "exchange": pl.String,  # HKEX / STAR / SSE / SZSE from the stock code written beside it, else ''
        "ticker": pl.String,  # '9923.HK', '688041.SH', 'XPEV' as the documents state it, else ''
        "first_document_id": pl.String,
        "evidence": pl.String,  # the sentence that made it a subject, e.g. 'X登陆港交所'
    },
    # FX rates implied by a document's own conversions ('约合人民币…').
    "ingest_implied_fx_rates": {
        "rate_date": pl.Date,
        "base_currency": pl.String,
        "quote_currency": pl.String,
        "rate": pl.Float64,
        "source": pl.String,  # 'implied:<document_id>'
        "document_id": pl.String,
        "quote": pl.String,
    },
    # Documents that could not be used.
    "ingest_rejected_documents": {
        "file_name": pl.String,
        # Short code of the vocabulary rejection_reason (seeds/reference/ref_vocabularies.csv): empty,
        # binary, undecodable, mojibake, too_large, duplicate, duplicate_id, missing_file, not_a_file,
        # unsupported_type, path_escape, bad_date, bad_language, bad_front_matter, no_manifest_row,
        # malformed_manifest_row, duplicate_manifest_row, bad_file_name, bad_company_name (when read);
        # too_slow, unknown_vocabulary, unstorable_value (after extraction); failed_check (quarantined
        # by `python -m pipeline build`: its rows failed a dbt test or an expectation).
        "reason": pl.String,
        "detail": pl.String,
        # Only for reason failed_check (written by `python -m pipeline build`): the dbt test or
        # expectation the document's rows failed.
        "check_name": pl.String,
    },
}


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
