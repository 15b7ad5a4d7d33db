"""Documents whose rows the warehouse would refuse are rejected on their own, at ingest: an unknown
code (ingest/vocabulary.py), a value no column or suite can hold (ingest/storable.py), one over the
time limit (ingest/timeout.py) — and every other document builds as if it were not there."""

from __future__ import annotations

import csv
import math
import multiprocessing
import shutil
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest import vocabulary
from ingest.__main__ import extract_all, main
from ingest.companies import CompanyMatcher
from ingest.documents import read_corpus
from ingest.numbers import find_quantities
from ingest.schema import SEED_SCHEMAS
from ingest.seeds import read_seed
from ingest.storable import value_problems
from ingest.timeout import DocumentTooSlow, TooSlow, run_limited, time_limit
from tests.unit.test_documents import long_line

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCES = PROJECT_ROOT / "sources"
UNISOUND, ZHIPU = "000_35e92165ac81694a", "003_b917a50fe0cf0989"
SOURCES_FIGURES = {UNISOUND: 18, ZHIPU: 59}  # what the two sources give on their own


def sources_plus(tmp_path: Path, extra: dict[str, str]) -> Path:
    """The real sources and their manifest, with the documents of `extra` listed after them."""
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES, folder)
    with open(folder / "manifest.csv", "a", encoding="utf-8", newline="") as handle:
        for name, text in extra.items():
            (folder / name).write_text(text, encoding="utf-8")
            csv.writer(handle, lineterminator="\n").writerow(
                [name, "测试", "测试", "2025-06-30", "", "zh-Hans", "星河智能"]
            )
    return folder


def ingest(folder: Path, out: Path, *args: str) -> tuple[int, dict[str, pl.DataFrame]]:
    code = main(["--sources", str(folder), "--out", str(out), "--no-cache", "--workers", "1", *args])
    return code, {name: read_seed(out / f"{name}.csv", name) for name in SEED_SCHEMAS} if code == 0 else {}


def figures_per_document(seeds: dict[str, pl.DataFrame]) -> dict[str, int]:
    return dict(seeds["ingest_figures"].group_by("document_id").len().iter_rows())


# --------------------------------------------------------------------------- values that cannot be stored


def test_values_no_column_or_suite_can_hold_are_found_with_their_reason():
    frame = pl.DataFrame(
        {
            "metric": [
                "revenue",
                "revenue",
                "revenue",
                "revenue_growth_yoy_pct",
                "revenue",
                "gross_margin_pct",
            ],
            "currency": ["CNY", "CNY", "CNY", "", "CNY", ""],
            "unit": ["CNY", "CNY", "CNY", "pct", "CNY", "pct"],
            "value": [math.inf, math.nan, 2.0**63, 3500.0, 1.2e8, -100.0],
            "value_text": ["x", "x", "x", "3500%", "10000000000000000000元", "-100%"],
            # as ingest reads it from value_text (the models cast it to BIGINT)
            "written_number": [None, None, None, 3500.0, 1e19, 100.0],
            "period_start": [date(2024, 1, 1)] * 5 + [date(1850, 1, 1)],
        }
    )
    problems = value_problems("ingest_figures", frame)
    assert problems.select("row", "column", "problem").rows() == [
        (0, "value", "is not a finite number"),
        (1, "value", "is not a finite number"),
        (2, "value", "does not fit a 64-bit integer (dbt casts it to BIGINT)"),
        (2, "value", problems["problem"][3]),  # and above the money range of fct_figures.yml
        (3, "value", problems["problem"][4]),
        (4, "written_number", "does not fit a 64-bit integer (dbt casts it to BIGINT)"),
        (5, "period_start", problems["problem"][6]),
    ]
    assert problems["problem"][3].startswith(
        "outside -10000000000000..10000000000000 allowed by fct_figures.yml"
    )
    assert problems["problem"][4].startswith(
        "outside -100..1000 allowed by fct_figures.yml (growth and price moves"
    )
    assert problems["problem"][6].startswith("outside 1990-01-01..2100-12-31 allowed by fct_figures.yml")
    # -100% is a margin the suite allows: row 5 has only its date problem


def test_only_ranges_of_columns_the_seed_has_are_applied():
    # value_cny is computed by dbt: its range is the suite's business, not ingest's
    frame = pl.DataFrame({"metric": ["revenue"], "currency": ["USD"], "value": [5e12]})
    assert value_problems("ingest_figures", frame).height == 0
    assert value_problems("ingest_implied_fx_rates", pl.DataFrame({"rate": [0.001]}))["problem"][
        0
    ].startswith("outside 0.01..100 allowed by fx_rates.yml")


def test_a_list_of_digits_is_not_one_number():
    # '1,2,3,4亿元' names product tiers; read as 1,234亿 it would be a revenue of 123 billion
    quantities = find_quantities("光信智能的产品包括1,2,3,4亿元级别的方案。")
    assert [(q.text, q.value) for q in quantities] == [("1", 1.0)]
    assert all(q.value < 1e8 for q in quantities)


def test_an_unstorable_value_rejects_only_its_document(tmp_path):
    bad = (PROJECT_ROOT / "tests/bad_inputs/unstorable_value.txt").read_text(encoding="utf-8")
    code, seeds = ingest(sources_plus(tmp_path, {"unstorable.txt": bad}), tmp_path / "out")
    assert code == 0
    assert seeds["ingest_rejected_documents"].rows() == [
        (
            "unstorable.txt",
            "unstorable_value",
            "unstorable.txt: ingest_figures.value 1e+28 does not fit a 64-bit integer "
            "(dbt casts it to BIGINT), read from "
            "'星河智能发布公告称，公司2024年营业收入为99999999999999999999亿元。'",
            None,  # check_name: only the pipeline's failed_check rows have one
        )
    ]
    assert seeds["ingest_documents"]["document_id"].to_list() == [UNISOUND, ZHIPU]
    assert figures_per_document(seeds) == SOURCES_FIGURES
    assert "unstorable" not in seeds["ingest_unclassified_mentions"]["document_id"].to_list()


def test_an_unknown_vocabulary_value_rejects_only_its_document(tmp_path, monkeypatch, capsys):
    # a vocabulary without hearing_passed: the Unisound article states one ('6月通过聆讯')
    original = vocabulary.VOCABULARIES_CSV.read_text(encoding="utf-8")
    narrowed = tmp_path / "ref_vocabularies.csv"
    narrowed.write_text(
        original.replace("event_type,hearing_passed,listing hearing passed\n", ""), encoding="utf-8"
    )
    monkeypatch.setattr(vocabulary, "VOCABULARIES_CSV", narrowed)

    code, seeds = ingest(sources_plus(tmp_path, {}), tmp_path / "out")

    assert code == 0
    assert seeds["ingest_rejected_documents"].rows() == [
        (
            f"{UNISOUND}.txt",
            "unknown_vocabulary",
            f"{UNISOUND}.txt: ingest_events.event_type is 'hearing_passed', not a value of the vocabulary "
            "event_type (seeds/reference/ref_vocabularies.csv)",
            None,
        )
    ]
    assert seeds["ingest_documents"]["document_id"].to_list() == [ZHIPU]
    assert figures_per_document(seeds) == {ZHIPU: SOURCES_FIGURES[ZHIPU]}
    assert set(seeds["ingest_events"]["document_id"]) == {ZHIPU}
    assert f"ingest: REJECTED {UNISOUND}.txt: unknown_vocabulary (" in capsys.readouterr().out


def test_strict_mode_exits_2_on_a_rejection_after_extraction(tmp_path):
    bad = (PROJECT_ROOT / "tests/bad_inputs/unstorable_value.txt").read_text(encoding="utf-8")
    out = tmp_path / "out"
    code, _ = ingest(sources_plus(tmp_path, {"unstorable.txt": bad}), out, "--strict")
    assert code == 2
    assert not out.exists() or not any(out.iterdir())


# --------------------------------------------------------------------------- the time limit


def _busy(doc, seconds: float) -> str:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return "done"


class _Doc:
    document_id, file_name = "slow", "slow.txt"


def test_a_pass_over_its_time_limit_returns_too_slow_and_clears_the_timer():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    started = time.perf_counter()
    slow = run_limited(_busy, _Doc(), 5.0, seconds=0.2, stage="extract")
    assert isinstance(slow, TooSlow) and time.perf_counter() - started < 2.0
    assert (slow.file_name, slow.stage, slow.seconds) == ("slow.txt", "extract", 0.2)
    assert slow.rejection().reason == "too_slow"
    assert slow.rejection().detail.startswith(
        "slow.txt: extract stopped after 0.2 s, over the limit of 0.2 s"
    )
    assert run_limited(_busy, _Doc(), 0.01, seconds=0.5, stage="extract") == "done"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    time.sleep(0.6)  # a timer left running would fire here


def test_the_limit_is_not_swallowed_by_a_broad_except():
    def swallowing(doc):
        try:
            _busy(doc, 5.0)
        except Exception:  # noqa: BLE001 - what an extractor might do
            return "swallowed"
        return "done"

    assert isinstance(run_limited(swallowing, _Doc(), seconds=0.2, stage="extract"), TooSlow)
    too_slow = pytest.raises(DocumentTooSlow, match=r"slow\.txt: discover took longer than the 0\.1 s limit")
    with too_slow, time_limit(0.1, "slow.txt", "discover"):
        _busy(None, 5.0)


def test_a_limit_whose_first_raise_is_swallowed_still_stops_the_pass():
    # Python swallows an exception raised while a finalizer runs ("Exception ignored in __del__"):
    # the timer fires again, so the pass still ends near its limit instead of running on for hours
    swallowed = []

    def swallowing_once(doc):
        deadline = time.perf_counter() + 5.0
        while time.perf_counter() < deadline:
            try:
                while time.perf_counter() < deadline:
                    pass
            except DocumentTooSlow:
                if swallowed:
                    raise
                swallowed.append(time.perf_counter())
        return "ran on"

    started = time.perf_counter()
    slow = run_limited(swallowing_once, _Doc(), seconds=0.2, stage="extract")
    assert isinstance(slow, TooSlow) and len(swallowed) == 1
    assert time.perf_counter() - started < 1.0


def test_a_2_mb_single_line_document_is_too_slow_and_the_rest_builds(tmp_path):
    text = long_line(1_990_000)  # one line, no sentence end, under the 2,000,000-byte size limit
    assert "\n" not in text and 1_900_000 < len(text.encode()) <= 2_000_000
    folder = sources_plus(tmp_path, {"long_line.txt": text})
    started = time.perf_counter()
    code, seeds = ingest(folder, tmp_path / "out", "--time-limit", "2")
    assert code == 0
    assert time.perf_counter() - started < 30  # a hang guard: ~5 s measured (2 s limit + the sources twice)
    [rejection] = seeds["ingest_rejected_documents"].rows(named=True)
    assert (rejection["file_name"], rejection["reason"]) == ("long_line.txt", "too_slow")
    assert "over the limit of 2 s per document" in rejection["detail"]
    assert seeds["ingest_documents"]["document_id"].to_list() == [UNISOUND, ZHIPU]
    assert figures_per_document(seeds) == SOURCES_FIGURES


def test_worker_processes_reject_a_slow_document_and_none_is_left_behind(tmp_path):
    files = {
        f"short_{i:02d}.txt": f"星河智能第{i}号公告：公司2024年营业收入为{i + 1}.5亿元。" for i in range(40)
    }
    files["long_line.txt"] = long_line(90_000)  # ~4 s to extract: over the 1 s limit
    folder = tmp_path / "src"
    folder.mkdir()
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "title", "publisher", "published_at", "url", "language", "companies"])
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
            writer.writerow([name, "测试", "测试", "2025-06-30", "", "zh-Hans", "星河智能"])
    corpus = read_corpus(folder)
    incremental = extract_all(corpus, CompanyMatcher.from_seed(), None, workers=2, time_limit=1.0)
    assert [(r.file_name, r.reason) for r in corpus.rejected] == [("long_line.txt", "too_slow")]
    assert len(corpus.documents) == 40
    figures = incremental.extraction.figures
    assert figures.height == 40 and figures["value"].sort().to_list()[:2] == [1.5e8, 2.5e8]
    assert multiprocessing.active_children() == []  # every worker was shut down, none killed or leaked


def test_a_limit_expiring_inside_polars_waits_until_the_call_returns():
    # an exception raised inside a Polars callback can leave its native locks held: the limit is
    # raised in our own code, right after the Polars call returns
    from ingest.timeout import DocumentTooSlow, time_limit

    def slow(x: int) -> int:
        time.sleep(0.3)  # the limit (0.1 s) expires in here, inside map_elements
        return x

    reached = []
    with pytest.raises(DocumentTooSlow), time_limit(0.1, "slow.txt", "extract"):
        out = pl.Series([1, 2]).map_elements(slow, return_dtype=pl.Int64)
        reached.append(out.to_list())  # Polars finished its call before the limit was raised
        time.sleep(1)
    assert reached == [[1, 2]]


def test_a_limit_never_raises_inside_a_garbage_collector_callback_or_an_import():
    # hypothesis installs a gc callback and pytest an unraisable-exception hook: an exception raised in
    # them is swallowed (the 2 MB document once ran on for an hour in CI that way) or breaks pytest, so
    # the limit waits for the next tick, when the pass's own code runs again
    import sys
    import types

    from ingest.timeout import _inside_deferred_code

    def probe():
        return __import__("sys")._getframe()  # no closure: the function is rebuilt with other globals

    def as_module(name):
        return types.FunctionType(probe.__code__, {"__name__": name, "__builtins__": __builtins__})()

    here = sys._getframe()
    for module in (
        "hypothesis.internal.conjecture.junkdrawer",
        "_pytest.unraisableexception",
        "importlib._bootstrap",
    ):
        assert _inside_deferred_code(as_module(module), here)
    assert not _inside_deferred_code(as_module("ingest.figures.metric"), here)
    # only the frames above the limited block count: pytest runs every test, and the limit still works
    assert not _inside_deferred_code(here, here)
