"""Incremental ingest (`ingest/cache.py`): what is re-extracted, and that the seeds never go stale.

Every scenario compares the seeds of the cached run with those of a run without cache: an
incremental build must write exactly what a full build writes.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.__main__ import main
from ingest.cache import RegistryChange, rules_version
from ingest.companies import DEFAULT_COMPANIES_SEED
from ingest.documents import MANIFEST_COLUMNS
from ingest.schema import SEED_SCHEMAS
from ingest.seeds import read_seed
from ingest.text import Document

# Three fictional articles. B names 星河机器人, the company A discovers, so A's presence changes B.
ARTICLE_A = (
    "星河机器人登陆港交所 首日收涨16.2%\n\n人形机器人制造商星河机器人今日在港交所主板挂牌上市，"
    "每股定价13.6港元。星河机器人2024年收入为5.62亿元，同比增长86.7%。\n"
)
ARTICLE_B = (
    "蓝舟科技通过港交所聆讯\n\n语音识别企业蓝舟科技日前通过港交所上市聆讯，蓝舟科技2024年收入为3.1亿元。"
    "作为对比，同行星河机器人2024年收入为5.62亿元，亏损2.1亿元。\n"
)
ARTICLE_C = "青木智能递表港交所\n\n医疗影像企业青木智能向港交所递交上市申请，青木智能2024年收入为1.2亿元。\n"
ALL = {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B, "c.txt": ARTICLE_C}
COUNT_LINE = re.compile(r"ingest: extracted (\d+) of (\d+) documents \((\d+) from cache\)")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("STRICT", "MAX_DOCUMENT_BYTES", "SOURCES_DIR", "INGEST_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)


def write_sources(folder: Path, docs: dict[str, str]) -> Path:
    """A source folder holding exactly `docs` (manifest rows in the given order)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(MANIFEST_COLUMNS)
        for name, text in docs.items():
            (folder / name).write_text(text, encoding="utf-8")
            writer.writerow([name, text.split("\n")[0], "", "2025-07-01", "", "zh-Hans", ""])
    return folder


def ingest(capsys, src: Path, out: Path, *extra: str) -> tuple[tuple[int, int], str]:
    """Run the CLI; returns ((extracted, total), stderr)."""
    assert main(["--sources", str(src), "--out", str(out), *extra]) == 0
    captured = capsys.readouterr()
    [match] = [m for line in captured.out.splitlines() if (m := COUNT_LINE.fullmatch(line))]
    extracted, total, cached = map(int, match.groups())
    assert extracted + cached == total
    return (extracted, total), captured.err


def seeds(out: Path) -> dict[str, str]:
    return {name: (out / f"{name}.csv").read_text(encoding="utf-8") for name in SEED_SCHEMAS}


def assert_same_as_full_build(capsys, src: Path, out: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    assert ingest(capsys, src, full, "--no-cache")[0][0] == len(list(src.glob("*.txt")))
    assert seeds(out) == seeds(full)


def figures(out: Path) -> pl.DataFrame:
    return read_seed(out / "ingest_figures.csv", "ingest_figures")


@pytest.fixture
def warm(tmp_path, capsys):
    """Sources A, B, C extracted once into a fresh cache."""
    src, out, cache = write_sources(tmp_path / "src", ALL), tmp_path / "out", tmp_path / "cache"
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (3, 3)
    return src, out, cache


def test_second_run_with_nothing_changed_extracts_nothing(warm, capsys, tmp_path):
    src, out, cache = warm
    first = seeds(out)
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (0, 3)
    assert seeds(out) == first
    assert figures(out).filter(pl.col("document_id") == "c")["value"].to_list() == [120_000_000.0]
    assert [p.name for p in cache.iterdir()] == [rules_version()]  # one folder per rules version
    assert_same_as_full_build(capsys, src, out, tmp_path)


def test_a_changed_document_is_re_extracted_alone(warm, capsys, tmp_path):
    src, out, cache = warm
    (src / "c.txt").write_text(ARTICLE_C.replace("1.2亿元", "1.5亿元"), encoding="utf-8")
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (1, 3)
    assert figures(out).filter(pl.col("document_id") == "c")["value"].to_list() == [150_000_000.0]
    assert_same_as_full_build(capsys, src, out, tmp_path)


def test_a_changed_manifest_row_re_extracts_that_document(warm, capsys, tmp_path):
    src, out, cache = warm
    manifest = (src / "manifest.csv").read_text(encoding="utf-8")
    (src / "manifest.csv").write_text(
        manifest.replace("c.txt,青木智能递表港交所,,2025-07-01", "c.txt,青木智能递表港交所,,2026-03-01")
    )
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (1, 3)
    docs = read_seed(out / "ingest_documents.csv", "ingest_documents")
    assert docs.filter(pl.col("document_id") == "c")["published_at"].cast(pl.String).to_list() == [
        "2026-03-01"
    ]


def test_a_removed_document_leaves_the_seeds(warm, capsys, tmp_path):
    src, out, cache = warm
    assert figures(out).filter(pl.col("document_id") == "c").height == 1
    write_sources(src, {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (0, 2)
    assert sorted(set(figures(out)["document_id"])) == ["a", "b"]
    companies = read_seed(out / "ingest_discovered_companies.csv", "ingest_discovered_companies")
    assert "qing_mu_zhi_neng" not in companies["company_id"].to_list()
    assert read_seed(out / "ingest_documents.csv", "ingest_documents")["document_id"].to_list() == ["a", "b"]
    assert_same_as_full_build(capsys, src, out, tmp_path)


def test_a_company_discovered_by_a_new_document_re_extracts_the_documents_naming_it(tmp_path, capsys):
    src, out, cache = tmp_path / "src", tmp_path / "out", tmp_path / "cache"
    write_sources(src, {"b.txt": ARTICLE_B, "c.txt": ARTICLE_C})
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (2, 2)
    assert "xing_he_ji_qi_ren" not in figures(out)["company_id"].to_list()  # B alone: 星河 is unknown
    # A comes first and discovers 星河机器人: B, which names it, must be read again; C must not.
    write_sources(src, ALL)
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (2, 3)
    b_rows = figures(out).filter(pl.col("document_id") == "b")
    assert b_rows.filter(pl.col("company_id") == "xing_he_ji_qi_ren")["metric"].to_list() == ["net_profit"]
    assert_same_as_full_build(capsys, src, out, tmp_path)
    # And back: without A, B's figure about 星河机器人 disappears again.
    write_sources(src, {"b.txt": ARTICLE_B, "c.txt": ARTICLE_C})
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (1, 2)
    assert "xing_he_ji_qi_ren" not in figures(out)["company_id"].to_list()
    assert_same_as_full_build(capsys, src, out, tmp_path)


def test_changed_rules_re_extract_everything(warm, capsys, tmp_path):
    src, out, cache = warm
    companies = tmp_path / "companies.csv"
    seed = DEFAULT_COMPANIES_SEED.read_text(encoding="utf-8")
    header = seed.splitlines()[0].split(",")
    extra = {"company_id": "hai_lan_zhi_neng", "name_zh": "海蓝智能", "name_zh_hant": "海藍智能"}
    companies.write_text(seed.rstrip("\n") + "\n" + ",".join(extra.get(c, "") for c in header) + "\n")
    assert rules_version(companies) != rules_version()
    assert ingest(capsys, src, out, "--cache-dir", str(cache), "--companies", str(companies))[0] == (3, 3)
    assert [p.name for p in cache.iterdir()] == [rules_version(companies)]  # the old version is dropped
    assert ingest(capsys, src, out, "--cache-dir", str(cache), "--companies", str(companies))[0] == (0, 3)


@pytest.mark.parametrize(
    "damage",
    ["garbage figures file", "truncated manifest", "figures file of another run", "missing entries file"],
)
def test_a_damaged_cache_is_ignored_with_a_warning(warm, capsys, tmp_path, damage):
    src, out, cache = warm
    folder = cache / rules_version()
    table = folder / "ingest_figures.parquet"
    if damage == "garbage figures file":
        table.write_bytes(b"PAR1 not really parquet")
    elif damage == "truncated manifest":
        (folder / "manifest.json").write_text('{"format": 1, "rules_ver')
    elif damage == "figures file of another run":  # stale rows must never come back
        pl.read_parquet(table).head(2).write_parquet(table)
    else:
        (folder / "entries.parquet").unlink()
    (extracted, total), err = ingest(capsys, src, out, "--cache-dir", str(cache))
    assert (extracted, total) == (3, 3)
    assert f"ingest: warning: cache {folder} is unusable" in err
    assert_same_as_full_build(capsys, src, out, tmp_path)
    assert ingest(capsys, src, out, "--cache-dir", str(cache))[0] == (0, 3)  # rewritten whole


def test_no_cache_flag_and_env_cache_dir(tmp_path, capsys, monkeypatch):
    src, out = write_sources(tmp_path / "src", {"c.txt": ARTICLE_C}), tmp_path / "out"
    monkeypatch.setenv("INGEST_CACHE_DIR", str(tmp_path / "env-cache"))
    assert ingest(capsys, src, out, "--no-cache")[0] == (1, 1)
    assert not (tmp_path / "env-cache").exists()
    assert ingest(capsys, src, out)[0] == (1, 1)
    assert ingest(capsys, src, out)[0] == (0, 1)
    assert (tmp_path / "env-cache" / rules_version() / "manifest.json").is_file()


def test_a_new_alias_of_a_subject_company_counts_even_when_the_text_does_not_use_it():
    # the company resolver compares a document's names with every alias of its subject companies.
    doc = Document(
        "x", "x.txt", "蓝舟科技发布年报，收入为3.1亿元。", date(2025, 7, 1), "zh-Hans", title="年报"
    )
    before = {"蓝舟科技": "lan_zhou_ke_ji"}
    change = RegistryChange.between(before, before | {"蓝舟ai": "lan_zhou_ke_ji"})
    assert change.dirty == {"蓝舟ai": (None, "lan_zhou_ke_ji")}
    assert change.affects(doc, ["lan_zhou_ke_ji"]) is True
    assert change.affects(doc, ["qing_mu_zhi_neng"]) is False
    assert RegistryChange.between(before, dict(before)).affects(doc, ["lan_zhou_ke_ji"]) is False
    named = RegistryChange.between(before, before | {"星河": "xing_he"})  # named in the text: relevant
    doc_naming_it = Document("y", "y.txt", "同行星河收入为5.6亿元。", date(2025, 7, 1), "zh-Hans")
    assert named.affects(doc_naming_it, []) is True
    assert named.affects(doc, []) is False
    moved = RegistryChange.between(before, {"蓝舟科技": "lan_zhou"})  # an alias given to another company
    assert moved.affects(doc, []) is True
