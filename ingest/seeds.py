"""Write the extracted tables as dbt seeds, and make frames safe for analyst-facing exports.

Seeds (`seeds/extracted/<name>.csv`): UTF-8, header row, ISO dates, nulls as empty cells (an empty
string reads back as null too: dbt makes no difference between them), every
table present even when empty (dbt and the staging models need the columns). Each file is written
to a temporary file in the same folder and moved into place with `os.replace`, after all of them
were written, so a crash never leaves a half-written seed.

Seeds are NOT formula-escaped: dbt loads them as data, and an apostrophe added to a quote like
"-3.5亿元" would change the text stored in the warehouse and break `quote == text[start:end]`.
Formula neutralisation belongs to files people open in a spreadsheet: use `export_safe` when
exporting CSV/Parquet for analysts.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from ingest.schema import SEED_SCHEMAS, conform, empty_frame

# Spreadsheet apps treat a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def write_seeds(
    tables: Mapping[str, pl.DataFrame], out_dir: Path, parquet_dir: Path | None = None
) -> list[Path]:
    """Write every seed of `SEED_SCHEMAS` to `out_dir/<name>.csv`; tables not given are written empty.

    Raises ValueError for a table name that is not a seed (a typo must not vanish silently).
    With `parquet_dir`, each seed also gets a Parquet copy there (`<name>.parquet`, see `parquet_copy`),
    swapped in together with the CSVs: the staging models read those instead of the seeds for large
    corpora (dbt var `ingest_load: parquet`), because `dbt seed` is slow for 300,000 figures.
    Returns the written CSV paths in schema order.
    """
    unknown = sorted(set(tables) - set(SEED_SCHEMAS))
    if unknown:
        raise ValueError(f"not seed tables: {', '.join(unknown)} (known: {', '.join(SEED_SCHEMAS)})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if parquet_dir is not None:
        Path(parquet_dir).mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name in SEED_SCHEMAS:
            frame = conform(tables[name], name) if name in tables else empty_frame(name)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".csv.tmp", dir=out)
            os.close(fd)
            staged.append((Path(tmp), out / f"{name}.csv"))
            frame.write_csv(tmp, include_header=True, null_value="", date_format="%Y-%m-%d")
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; seeds are ordinary project files
            if parquet_dir is not None:
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=parquet_dir)
                os.close(fd)
                staged.append((Path(tmp), Path(parquet_dir) / f"{name}.parquet"))
                parquet_copy(frame).write_parquet(tmp)
                os.chmod(tmp, 0o644)
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [final for _, final in staged if final.suffix == ".csv"]


def parquet_copy(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as its seed reads back in dbt: an empty string is a null (an empty CSV cell)."""
    return frame.with_columns(
        pl.when(pl.col(col) == "").then(None).otherwise(pl.col(col)).alias(col)
        for col, dtype in frame.schema.items()
        if dtype == pl.String
    )


def read_seed(path: Path, name: str) -> pl.DataFrame:
    """Read a seed CSV back with its contract types (empty cells → null)."""
    return pl.read_csv(path, schema=SEED_SCHEMAS[name], null_values=[""], try_parse_dates=False)


def export_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Neutralise spreadsheet formula injection in string columns (prefix an apostrophe).

    Numeric columns are untouched, and so are strings that are plain numbers ('-12.5'): a spreadsheet
    reads those as numbers, not formulas, and a leading apostrophe would corrupt negative values.
    """
    exprs = []
    for col, dtype in df.schema.items():
        if dtype == pl.String:
            value = pl.col(col)
            risky = value.str.starts_with(FORMULA_PREFIXES[0])
            for prefix in FORMULA_PREFIXES[1:]:
                risky = risky | value.str.starts_with(prefix)
            risky = risky & ~value.str.contains(PLAIN_NUMBER)
            exprs.append(pl.when(risky).then(pl.lit("'") + value).otherwise(value).alias(col))
        else:
            exprs.append(pl.col(col))
    return df.select(exprs)


def is_formula_like(cell: str) -> bool:
    """True when a spreadsheet would evaluate `cell` as a formula (used by tests and exporters)."""
    return cell.startswith(FORMULA_PREFIXES) and re.match(PLAIN_NUMBER, cell) is None
