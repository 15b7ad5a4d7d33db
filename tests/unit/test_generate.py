"""The synthetic corpus generator (bench/generate.py) and the benchmark scorer (bench/score.py)."""

from __future__ import annotations

import csv
import random
import re
from datetime import date
from pathlib import Path

import opencc
import polars as pl
import pytest

from bench.generate import Style, cn_number, count, generate, money, pct, price
from bench.score import dimension_matches, explain_misses, score
from ingest.companies import CompanyMatcher, company_slug
from ingest.text import fold

T2S = opencc.OpenCC("t2s")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABEL = re.compile(
    r"^(?:FY\d{4}|(?:H1|H2|9M|Q[1-4])-\d{4}|M-\d{4}-\d{2}|\d{4}-\d{2}-\d{2}"
    r"|CUM-(?:FY\d{4}|(?:H1|9M)-\d{4})-(?:FY\d{4}|(?:H1|9M)-\d{4}))?$"
)
CUM = re.compile(r"^CUM-(FY|H1-|9M-)(\d{4})-(FY|H1-|9M-)(\d{4})$")
OFFERING_AS_OF_LISTING_DAY = {
    "offer_price",
    "offer_price_low",
    "offer_price_high",
    "opening_price",
    "opening_change_pct",
    "first_day_close_price",
    "first_day_change_pct",
    "market_cap",
    "gross_proceeds",
    "net_proceeds",
    "public_subscription_multiple",
    "international_subscription_multiple",
    "cornerstone_count",
    "cornerstone_amount",
    "use_of_proceeds_pct",
    "use_of_proceeds_amount",
    "shares_offered",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    counts = generate(50, out, seed=11)
    assert counts["articles"] == 50
    return out


@pytest.fixture(scope="module")
def manifest(corpus) -> dict[str, dict[str, str]]:
    return {Path(r["file"]).stem: r for r in _rows(corpus / "manifest.csv")}


@pytest.fixture(scope="module")
def expected(corpus) -> list[dict[str, str]]:
    return _rows(corpus / "expected.csv")


def test_same_seed_writes_identical_files_and_another_seed_does_not(tmp_path):
    generate(20, tmp_path / "a", seed=5)
    generate(20, tmp_path / "b", seed=5)
    generate(20, tmp_path / "c", seed=6)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 20 + 3  # articles + manifest + expected + expected_shareholders
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a/expected.csv").read_bytes() != (tmp_path / "c/expected.csv").read_bytes()


def test_manifest_lists_every_article_in_both_scripts(corpus, manifest):
    articles = {p.stem for p in corpus.iterdir() if p.suffix in (".txt", ".md")}
    assert set(manifest) == articles
    languages = [r["language"] for r in manifest.values()]
    assert {"zh-Hans", "zh-Hant"} == set(languages)
    assert 10 <= languages.count("zh-Hant") <= 40
    for doc_id, row in manifest.items():
        text = next(corpus.glob(f"{doc_id}.*")).read_text(encoding="utf-8")
        assert row["companies"] in text
        traditional = T2S.convert(text) != text
        assert traditional == (row["language"] == "zh-Hant"), doc_id


def test_every_expected_number_as_written_is_in_its_article(corpus, expected):
    texts: dict[str, str] = {}
    for row in expected:
        doc = row["document_id"]
        if doc not in texts:
            texts[doc] = next(corpus.glob(f"{doc}.*")).read_text(encoding="utf-8")
        assert row["text"] and row["text"] in texts[doc], row


def test_expected_rows_follow_the_conventions(expected, manifest):
    metrics = {r["metric"]: r["unit_kind"] for r in _rows(PROJECT_ROOT / "seeds/reference/ref_metrics.csv")}
    assert len(expected) > 50 * 15
    keys = set()
    for row in expected:
        assert row["metric"] in metrics, row
        kind = metrics[row["metric"]]
        if kind == "money":
            assert row["currency"] in {"CNY", "HKD", "USD"} and row["unit"] == row["currency"], row
            assert float(row["value"]).is_integer() or abs(float(row["value"])) < 1000, row  # whole units
        else:
            assert (
                row["currency"] == ""
                and row["unit"] == {"pct": "pct", "count": "count", "multiple": "x", "rank": "rank"}[kind]
            ), row
        assert row["qualifier"] in {"exact", "approx", "lower_bound", "upper_bound"}, row
        assert LABEL.match(row["period_label"]), row
        cum = CUM.match(row["period_label"])
        if cum:
            assert int(cum.group(2)) < int(cum.group(4)), row  # a sum over more than one year
        published = manifest[row["document_id"]]["published_at"]
        if row["metric"] in OFFERING_AS_OF_LISTING_DAY:
            assert row["period_label"] == published, row
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["period_label"]):
            assert date.fromisoformat(row["period_label"]) <= date.fromisoformat(published), row
        key = (row["document_id"], row["metric"], row["dimension"], row["period_label"])
        assert key not in keys, f"duplicate key {key}"
        keys.add(key)


def test_losses_are_negative_net_profit(corpus, expected):
    losses = [
        r for r in expected if r["metric"] in ("net_profit", "adjusted_net_profit") and float(r["value"]) < 0
    ]
    assert len(losses) > 20
    for row in losses:
        text = next(corpus.glob(f"{row['document_id']}.*")).read_text(encoding="utf-8")
        assert row["text"].startswith("-") or "亏损" in fold(text), row


def test_company_id_is_the_slug_the_extractor_gives_the_manifest_name(expected, manifest):
    names = [r["companies"] for r in manifest.values()]
    assert len({company_slug(n) for n in names}) == len(names)  # one new company per article
    matcher = CompanyMatcher.from_seed()
    assert not [n for n in names if matcher.find_mentions(fold(n))]  # never a real company's alias
    for row in expected:
        name = manifest[row["document_id"]]["companies"]
        assert row["company_id"] == company_slug(name), (name, row["company_id"])
        assert row["document_id"].endswith(row["company_id"])


def test_number_rendering_gives_whole_units():
    rng = random.Random(1)
    style = Style(cny_word="元", hk_bare_price=False, decimals_yi=2, wan_for_small=True)
    assert money(rng, style, 3.2e8, "HKD") == ("3.20亿港元", 320000000.0)
    assert money(rng, style, -1.44e8, "CNY") == ("1.44亿元", 144000000.0)
    text, value = money(rng, style, 42_104_000, "USD")
    assert text in ("4210万美元", "4,210万美元") and value == 42_100_000
    assert price(rng, Style("元", True, 2, True), 13.6) == ("13.60元", 13.6)
    assert pct(-22.944, 2) == ("22.94%", 22.94)
    assert count(random.Random(3), 657, "名") == ("657名", 657.0)
    assert cn_number(3) == "三" and cn_number(11) == "十一" and cn_number(24) == "二十四"


# --------------------------------------------------------------------------- scorer

EXP_SCHEMA = {
    "document_id": pl.String,
    "company_id": pl.String,
    "metric": pl.String,
    "dimension": pl.String,
    "period_label": pl.String,
    "value": pl.Float64,
    "qualifier": pl.String,
}


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EXP_SCHEMA, orient="row")


def test_score_counts_recall_and_precision_by_key_and_value():
    expected = _frame(
        [
            ("d1", "acme", "revenue", "", "FY2024", 326000000.0, "exact"),
            ("d1", "acme", "net_profit", "", "FY2024", -92000000.0, "exact"),
            ("d1", "acme", "market_rank", "market:AI", "", 3.0, "exact"),
            ("d1", "acme", "market_cap", "at_close|first_day", "2025-12-16", 1.264e10, "approx"),
        ]
    )
    extracted = _frame(
        [
            ("d1", "acme", "revenue", "", "FY2024", 326000000.0 * (1 + 5e-7), "exact"),  # within 1e-6
            ("d1", "acme", "net_profit", "", "FY2024", 92000000.0, "exact"),  # sign wrong
            ("d1", "acme", "market_rank", "market:中国AI市场", "2025-12-16", 3.0, "exact"),  # any period
            ("d1", "acme", "market_cap", "first_day", "2025-12-16", 1.264e10, "exact"),  # alternative
            ("d1", "other", "revenue", "", "FY2024", 326000000.0, "exact"),  # wrong company
            ("d1", "acme", "revenue", "", "FY2023", 1.0, "exact"),  # spurious
        ]
    )
    result = score(expected, extracted)
    assert (result.expected, result.extracted, result.found, result.correct) == (4, 6, 3, 3)
    assert result.recall == pytest.approx(0.75)
    assert result.precision == pytest.approx(0.5)
    assert result.same_qualifier == 2  # market_cap found with the wrong qualifier
    assert result.missed["metric"].to_list() == ["net_profit"]
    reasons = explain_misses(result.missed, extracted)
    assert reasons["reason"].to_list() == ["wrong_value"]


def test_score_explains_a_figure_found_under_the_wrong_period():
    expected = _frame([("d1", "acme", "revenue", "", "FY2024", 5.0, "exact")])
    extracted = _frame([("d1", "acme", "revenue", "", "CUM-FY2022-FY2024", 5.0, "exact")])
    result = score(expected, extracted)
    assert (result.found, result.correct) == (0, 0)
    assert explain_misses(result.missed, extracted)["reason"].to_list() == ["wrong_period"]


def test_dimension_matching_follows_the_gold_rule():
    assert dimension_matches("purpose:研发", "purpose:研发视觉大模型")
    assert dimension_matches("at_close|first_day", "at_close")
    assert dimension_matches("", "")
    assert not dimension_matches("purpose:研发", "segment:研发")
    assert not dimension_matches("at_open", "at_close")
    assert not dimension_matches("segment:智能硬件", "")
