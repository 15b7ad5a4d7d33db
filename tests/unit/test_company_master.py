"""The company master (`seeds/reference/ref_companies.csv`): real companies, each checked against a page,
in the formats analysts and the matcher rely on; a shared alias resolved by one rule."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ingest.companies import CompanyMatcher, master_aliases
from ingest.text import fold

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "seeds" / "reference" / "ref_companies.csv"
COLUMNS = ["company_id", "name_zh", "name_zh_hant", "name_en", "aliases", "exchange", "ticker"]
COLUMNS += ["listed_on", "sector", "source_url"]
# The companies of ../shared/RESERVED.md that were in the seed before the master: they stay (unchecked,
# so discovery must still find their coverage); no other reserved company may be added.
RESERVED_IN_SEED = {
    "unisound", "zhipu", "sensetime", "horizon_robotics", "mobvoi", "fourth_paradigm", "black_sesame",
    "ubtech", "robosense", "minimax",
}  # fmt: skip
RESERVED_NAMES = [
    line.strip()
    for line in (ROOT / "tests" / "reserved_companies.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
TICKER_FORMATS = {
    "HKEX": r"\d{4}\.HK",
    "STAR": r"68[89]\d{3}\.SH",
    "SSE": r"60\d{4}\.SH",
    "SZSE": r"(00|30)\d{4}\.SZ",
    "BSE": r"(8\d|4\d|92)\d{4}\.BJ",
    "NASDAQ": r"[A-Z]{1,5}",
    "NYSE": r"[A-Z]{1,5}",
}
SECTORS = {"ai", "semiconductors", "robotics", "autonomous_driving", "ev", "ai_healthcare", "biotech"}
SECTORS |= {"internet", "cloud_software", "hardware"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with open(MASTER, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_the_master_has_sixty_checked_companies_and_no_duplicates(rows):
    checked = [r for r in rows if r["source_url"]]
    assert len(checked) >= 60
    for column in ("company_id", "name_zh", "name_en"):
        values = [r[column] for r in rows]
        assert len(values) == len(set(values)), column
    assert all(re.fullmatch(r"[a-z0-9_]+", r["company_id"]) for r in rows)
    assert all(r["name_zh"] and r["name_zh_hant"] and r["name_en"] for r in rows)
    # Each checked row's names come in both scripts: the traditional name is what fold() reads back.
    assert all(fold(r["name_zh_hant"]) == fold(r["name_zh"]) for r in checked)


def test_every_checked_row_carries_a_well_formed_source_address(rows):
    for row in rows:
        if row["company_id"] in RESERVED_IN_SEED:
            assert row["source_url"] == "", row["company_id"]  # never searched for: kept for evaluation
            continue
        parts = urlsplit(row["source_url"])
        assert parts.scheme in ("http", "https") and parts.netloc and " " not in row["source_url"], row


def test_tickers_dates_and_sectors_follow_their_formats(rows):
    for row in rows:
        if row["ticker"]:
            assert re.fullmatch(TICKER_FORMATS[row["exchange"]], row["ticker"]), row
        if row["listed_on"]:
            assert date(1990, 1, 1) < date.fromisoformat(row["listed_on"]) <= date(2026, 12, 31), row
        assert row["sector"] in SECTORS, row
    listed = [r for r in rows if r["source_url"] and r["ticker"]]
    assert sum(bool(r["listed_on"]) for r in listed) >= 60
    assert {r["exchange"] for r in rows} >= {"HKEX", "STAR", "SSE", "SZSE", "NASDAQ", "NYSE"}


def test_no_reserved_company_was_added(rows):
    added = [r for r in rows if r["company_id"] not in RESERVED_IN_SEED]
    for row in added:
        names = [row["name_zh"], row["name_zh_hant"], row["name_en"], *row["aliases"].split("|")]
        hits = [n for n in RESERVED_NAMES for name in names if name and fold(n) in fold(name)]
        assert hits == [], row["company_id"]
    assert {r["company_id"] for r in rows} >= RESERVED_IN_SEED


def test_a_shared_alias_goes_to_the_company_whose_own_name_it_is_else_to_nobody():
    def row(company_id: str, name_zh: str, name_zh_hant: str, name_en: str, aliases: str) -> dict[str, str]:
        return dict(zip(COLUMNS[:5], (company_id, name_zh, name_zh_hant, name_en, aliases), strict=True))

    rows = [
        row("netease", "网易", "網易", "NetEase", ""),
        row("youdao", "网易有道", "網易有道", "Youdao", "网易|有道"),
        row("mgi", "华大智造", "華大智造", "MGI", "华大"),
        row("bgi", "华大基因", "華大基因", "BGI", "華大"),
    ]

    aliases, collisions = master_aliases(rows)

    assert [(c.alias, c.claimants, c.owner) for c in collisions] == [
        ("网易", ("netease", "youdao"), "netease"),
        ("华大", ("mgi", "bgi"), None),  # 華大 folds to 华大: the same alias in the other script
    ]
    assert aliases["网易"] == "netease" and aliases["有道"] == "youdao" and "华大" not in aliases


def test_the_master_resolves_the_collisions_it_knows_in_either_script():
    matcher = CompanyMatcher.from_seed(MASTER)
    assert matcher.resolve("网易") == "netease" and matcher.resolve("網易有道") == "youdao"
    assert matcher.resolve("京東") == "jd" and matcher.resolve("京东健康") == "jd_health"
    assert (
        matcher.resolve("寒武紀-U") == "cambricon"
        and matcher.resolve("中科寒武纪科技股份有限公司") == "cambricon"
    )
    assert matcher.resolve("小鵬汽車-W") == "xpeng" and matcher.resolve("嗶哩嗶哩") == "bilibili"
    assert matcher.resolve("华大") is None and matcher.resolve("中科") is None
    # Words of ordinary prose are no alias (理想 'ideal', 曙光 'dawn', 有道 as in 有道理).
    assert all(matcher.resolve(word) is None for word in ("理想", "曙光", "有道", "九号"))
    with open(MASTER, encoding="utf-8", newline="") as handle:
        _, collisions = master_aliases(list(csv.DictReader(handle)))
    assert all(c.owner is not None for c in collisions), collisions  # the file lists no orphan alias
