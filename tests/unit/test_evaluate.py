"""The scorer (ingest/evaluate.py) on tiny hand-made frames, and the gold files' own consistency."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.evaluate import (
    EXPECTED_EVENTS_SCHEMA,
    EXPECTED_FIGURES_SCHEMA,
    EXPECTED_SHAREHOLDERS_SCHEMA,
    DocumentResult,
    GoldFileError,
    company_key,
    core,
    dimension_matches,
    format_table,
    load_expected,
    load_gold,
    miss_cause,
    score,
    score_events,
    score_shareholders,
)
from ingest.schema import empty_frame
from ingest.text import fold

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests/articles"


def gold_figure(**kw) -> dict:
    row = {
        "document_id": "d1",
        "company": "acme",
        "metric": "revenue",
        "dimension": "",
        "period_label": "FY2024",
        "value": 939000000.0,
        "unit": "CNY",
        "currency": "CNY",
        "qualifier": "exact",
        "text": "9.39亿元",
    }
    return row | kw


def extracted_figure(**kw) -> dict:
    row = {
        "document_id": "d1",
        "company_id": "acme",
        "table_name": "financials",
        "metric": "revenue",
        "dimension": "",
        "period_label": "FY2024",
        "value": 939000000.0,
        "unit": "CNY",
        "currency": "CNY",
        "qualifier": "exact",
        "value_text": "9.39亿元",
    }
    return row | kw


def expected_frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EXPECTED_FIGURES_SCHEMA)


def extracted_frame(*rows: dict) -> pl.DataFrame:
    base = empty_frame("ingest_figures")
    if not rows:
        return base
    return pl.concat([base, pl.DataFrame(list(rows))], how="diagonal_relaxed")


# --------------------------------------------------------------------------- figures


def test_identical_figure_is_matched():
    s = score(extracted_frame(extracted_figure()), expected_frame(gold_figure()))
    assert (s.matched_count, s.missing_count, s.wrong_count, s.spurious_count) == (1, 0, 0, 0)
    assert s.recall == 1.0


def test_value_within_relative_tolerance_matches_and_beyond_it_is_wrong():
    close = score(extracted_frame(extracted_figure(value=939000000.5)), expected_frame(gold_figure()))
    assert close.matched_count == 1
    off = score(extracted_frame(extracted_figure(value=939001000.0)), expected_frame(gold_figure()))
    assert (off.matched_count, off.missing_count, off.wrong_count) == (0, 1, 1)
    assert off.recall == 0.0
    assert off.wrong["expected"].to_list() == ["939000000.0 CNY exact @FY2024"]
    assert off.missing["nearest"].to_list() == ["939001000.0 CNY exact @FY2024"]


def test_wrong_qualifier_and_wrong_currency_are_wrong():
    q = score(extracted_frame(extracted_figure(qualifier="approx")), expected_frame(gold_figure()))
    assert (q.matched_count, q.wrong_count) == (0, 1)
    c = score(extracted_frame(extracted_figure(currency="HKD")), expected_frame(gold_figure()))
    assert (c.matched_count, c.wrong_count) == (0, 1)


def test_nothing_extracted_is_all_missing():
    s = score(
        extracted_frame(), expected_frame(gold_figure(), gold_figure(period_label="FY2023", value=7.27e8))
    )
    assert (s.expected_count, s.missing_count, s.recall) == (2, 2, 0.0)
    assert sorted(s.missing["period_label"].to_list()) == ["FY2023", "FY2024"]


def test_wrong_period_is_spurious_not_wrong():
    s = score(extracted_frame(extracted_figure(period_label="FY2023")), expected_frame(gold_figure()))
    assert (s.matched_count, s.wrong_count, s.spurious_count) == (0, 0, 1)
    assert s.spurious["reason"].to_list() == ["unexpected_key"]


def test_spurious_number_on_the_ignore_list_is_labelled():
    extra = extracted_figure(metric="headcount", period_label="2025-06-30", value=49.0, value_text="49歲")
    s = score(extracted_frame(extracted_figure(), extra), expected_frame(gold_figure()), ignore=["49岁"])
    assert (s.matched_count, s.wrong_count, s.spurious_count) == (1, 0, 1)
    assert s.spurious["reason"].to_list() == ["ignored_text"]


def test_loss_with_wrong_sign_is_wrong():
    gold = gold_figure(metric="net_profit", value=-144000000.0)
    s = score(extracted_frame(extracted_figure(metric="net_profit", value=144000000.0)), expected_frame(gold))
    assert s.wrong_count == 1


def test_dimension_containment_same_kind_only():
    gold = gold_figure(
        metric="use_of_proceeds_pct", dimension="purpose:研发", value=30.0, unit="pct", currency=""
    )
    got = extracted_figure(
        metric="use_of_proceeds_pct", dimension="purpose:用于研發投入", value=30.0, unit="pct", currency=""
    )
    assert score(extracted_frame(got), expected_frame(gold)).matched_count == 1
    other_kind = got | {"dimension": "segment:研发"}
    s = score(extracted_frame(other_kind), expected_frame(gold))
    assert (s.matched_count, s.spurious_count) == (0, 1)


def test_dimension_rules():
    assert dimension_matches("segment:智慧醫療", "segment:智慧医疗")
    assert dimension_matches("market:中国AI解决方案", "market:中国AI解决方案市场")
    assert not dimension_matches("at_open", "at_close")
    assert dimension_matches("at_close|first_day", "first_day")
    assert not dimension_matches("", "segment:x")
    assert not dimension_matches("segment:x", "")
    assert dimension_matches("", "")


def test_gold_without_period_matches_any_period_and_alternatives_are_accepted():
    gold = gold_figure(metric="offer_price", period_label="", value=116.2, unit="HKD", currency="HKD")
    got = extracted_figure(metric="offer_price", period_label="2026-01-08", value=116.2, currency="HKD")
    assert score(extracted_frame(got), expected_frame(gold)).matched_count == 1
    alt = gold_figure(period_label="FY2024|2025-07-18")
    assert (
        score(extracted_frame(extracted_figure(period_label="2025-07-18")), expected_frame(alt)).recall == 1
    )


def test_company_named_in_chinese_matches_a_pinyin_slug():
    assert company_key("深瞳智能") == company_key("shentong_zhineng") == "shentongzhineng"
    assert company_key("澄明醫療科技") == company_key("chengming-yiliao-keji")
    s = score(
        extracted_frame(extracted_figure(company_id="shentong_zhineng")),
        expected_frame(gold_figure(company="深瞳智能")),
    )
    assert s.matched_count == 1


def test_figure_of_another_company_is_spurious():
    s = score(extracted_frame(extracted_figure(company_id="other")), expected_frame(gold_figure()))
    assert (s.matched_count, s.spurious_count) == (0, 1)


def test_percentage_point_change_never_matches_a_percent():
    gold = gold_figure(metric="gross_margin_pct", value=4.6, unit="pct", currency="", period_label="H1-2025")
    got = extracted_figure(
        metric="gross_margin_pct", value=4.6, unit="pp", currency="", period_label="H1-2025"
    )
    s = score(extracted_frame(got), expected_frame(gold))
    assert (s.matched_count, s.wrong_count, s.spurious_count) == (0, 0, 1)


def test_two_gold_values_under_one_key_each_need_their_own_figure():
    a = gold_figure(
        metric="market_cap", dimension="first_day", value=2.2e10, qualifier="lower_bound", currency="HKD"
    )
    b = gold_figure(metric="market_cap", dimension="first_day", value=2.2137e10, currency="HKD")
    got = extracted_figure(metric="market_cap", dimension="first_day", value=2.2137e10, currency="HKD")
    s = score(extracted_frame(got), expected_frame(a, b))
    assert (s.matched_count, s.missing_count, s.wrong_count) == (1, 1, 0)


# --------------------------------------------------------------------------- shareholders, events


def holders_gold(*rows: dict) -> pl.DataFrame:
    base = {
        "document_id": "d1",
        "company": "acme",
        "holder_type": "",
        "parent_entity": "",
        "stake_pct": None,
        "subscription_amount": None,
        "currency": "",
    }
    return pl.DataFrame([base | r for r in rows], schema=EXPECTED_SHAREHOLDERS_SCHEMA)


def holders_extracted(*rows: dict) -> pl.DataFrame:
    base = {"document_id": "d1", "company_id": "acme", "holder_type": "cornerstone"}
    return pl.concat(
        [empty_frame("ingest_shareholders"), pl.DataFrame([base | r for r in rows])], how="diagonal_relaxed"
    )


def test_holder_facts_from_two_mentions_combine():
    gold = holders_gold(
        {
            "holder_name": "润科基金",
            "holder_type": "cornerstone",
            "parent_entity": "华润医疗",
            "stake_pct": 2.1,
            "subscription_amount": 2e7,
            "currency": "USD",
        }
    )
    got = holders_extracted(
        {
            "holder_name": "潤科基金",
            "parent_entity": "華潤醫療",
            "subscription_amount": 2e7,
            "currency": "USD",
        },
        {"holder_name": "润科基金", "stake_pct": 2.1},
    )
    s = score_shareholders(got, gold)
    assert (s.matched_count, s.wrong_count, s.spurious_count) == (1, 0, 0)


def test_holder_with_contradicting_stake_is_wrong_and_unknown_holder_spurious():
    gold = holders_gold({"holder_name": "周雅文", "stake_pct": 8.6})
    got = holders_extracted({"holder_name": "周雅文", "stake_pct": 31.25}, {"holder_name": "某某基金"})
    s = score_shareholders(got, gold)
    assert (s.matched_count, s.missing_count, s.wrong_count, s.spurious_count) == (0, 1, 1, 1)


def test_holder_name_alternatives():
    gold = holders_gold({"holder_name": "孟川|朔风控股", "stake_pct": 26.8})
    s = score_shareholders(holders_extracted({"holder_name": "朔风控股", "stake_pct": 26.8}), gold)
    assert s.matched_count == 1


def test_events_date_checked_only_when_gold_states_it():
    gold = pl.DataFrame(
        [
            {"document_id": "d1", "company": "acme", "event_type": "listing", "exchange": "HKEX",
             "event_date": "2025-06-30", "date_precision": "day"},
            {"document_id": "d1", "company": "acme", "event_type": "withdrawal", "exchange": "STAR",
             "event_date": "", "date_precision": ""},
        ],
        schema=EXPECTED_EVENTS_SCHEMA,
    )  # fmt: skip
    got = pl.concat(
        [
            empty_frame("ingest_events"),
            pl.DataFrame(
                [
                    {"company_id": "acme", "event_type": "listing", "exchange": "HKEX",
                     "event_date": date(2025, 7, 1), "date_precision": "day"},
                    {"company_id": "acme", "event_type": "withdrawal", "exchange": "STAR",
                     "event_date": date(2020, 7, 1), "date_precision": "month"},
                ]
            ),
        ],
        how="diagonal_relaxed",
    )  # fmt: skip
    s = score_events(got, gold)
    assert (s.matched_count, s.missing_count, s.wrong_count) == (1, 1, 1)
    assert s.missing["event_type"].to_list() == ["listing"]


# --------------------------------------------------------------------------- loading gold files


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "x.expected.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_load_expected_reads_values_and_labels(tmp_path):
    path = write(
        tmp_path,
        "document_id: x\npublished_at: 2025-06-30\nfigures:\n"
        "  - {company: acme, metric: headcount, period_label: 2025-06-30, value: 657, unit: count,"
        " qualifier: exact, text: '657名'}\n",
    )
    df = load_expected(path)
    assert df.row(0, named=True) == {
        "document_id": "x",
        "company": "acme",
        "metric": "headcount",
        "dimension": "",
        "period_label": "2025-06-30",
        "value": 657.0,
        "unit": "count",
        "currency": "",
        "qualifier": "exact",
        "text": "657名",
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{company: a, metric: revenu, value: 1, unit: CNY, qualifier: exact}", "metric 'revenu'"),
        ("{company: a, metric: revenue, value: 1, unit: CNY, qualifier: about}", "qualifier 'about'"),
        ("{company: a, metric: revenue, value: '1亿', unit: CNY, qualifier: exact}", "is not a number"),
        ("{company: a, metric: revenue, unit: CNY, qualifier: exact}", "missing ['value']"),
        ("{company: a, metric: revenue, value: 1, unit: CNY, qualifier: exact, colour: red}", "unknown keys"),
    ],
)
def test_bad_gold_rows_raise_naming_file_and_problem(tmp_path, row, message):
    path = write(tmp_path, f"figures:\n  - {row}\n")
    with pytest.raises(GoldFileError, match="x.expected.yml") as err:
        load_gold(path)
    assert message in str(err.value)


def test_format_table_has_totals():
    s = score(
        extracted_frame(extracted_figure()), expected_frame(gold_figure(), gold_figure(period_label="FY2023"))
    )
    empty = score_events(empty_frame("ingest_events"), _no_events())
    table = format_table(
        [DocumentResult("d1", s, score_shareholders(holders_extracted(), holders_gold()), empty)]
    )
    total, total_core = (line.split() for line in table.splitlines()[-2:])
    # expected, matched, missing, wrong, spurious, recall, precision
    assert total[:8] == ["TOTAL", "2", "1", "1", "0", "0", "0.50", "1.00"]
    assert total_core[:9] == ["TOTAL", "core", "figures", "2", "1", "1", "0", "0", "0.50"]


def test_precision_counts_wrong_and_spurious_rows_and_core_leaves_ecosystem_counts_out():
    extracted = extracted_frame(
        extracted_figure(),  # right
        extracted_figure(value=1.0),  # wrong value for the expected key
        extracted_figure(metric="papers", value=500.0, unit="count", currency=""),  # no gold row: spurious
    )
    s = score(extracted, expected_frame(gold_figure()))
    assert (s.correct.height, s.wrong_count, s.spurious_count, s.extracted_count) == (1, 1, 1, 3)
    assert s.precision == pytest.approx(1 / 3)
    assert core(s).extracted_count == 2  # the papers count is not a core figure
    assert core(s).precision == pytest.approx(1 / 2)


def test_miss_cause_says_what_the_extractor_did_with_the_number():
    gold = gold_figure() | {"text": "9.39亿元"}
    as_other_period = extracted_frame(extracted_figure(period_label="FY2023", value_text="9.39亿元"))
    assert (
        miss_cause(gold, as_other_period, empty_frame("ingest_unclassified_mentions")) == "extracted:period"
    )
    left = pl.DataFrame(
        {"value_text": ["9.39亿元"], "reason": ["no_metric"]},
    )
    assert miss_cause(gold, extracted_frame(), left) == "unclassified:no_metric"
    assert miss_cause(gold, extracted_frame(), left.clear()) == "never_read"


def _no_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EXPECTED_EVENTS_SCHEMA)


# --------------------------------------------------------------------------- the gold files themselves


def _gold_and_documents() -> list[tuple[Path, Path]]:
    # Every document of the real corpus (as listed in its manifest) has a gold file.
    with open(ROOT / "sources/manifest.csv", encoding="utf-8", newline="") as fh:
        files = sorted(row["file"] for row in csv.DictReader(fh))
    pairs = [(ROOT / "tests/gold" / f"{Path(f).stem}.yml", ROOT / "sources" / f) for f in files]
    for gold in sorted(ARTICLES.rglob("*.expected.yml")):
        stem = gold.name.removesuffix(".expected.yml")
        docs = [p for p in gold.parent.glob(f"{stem}.*") if p.suffix in (".md", ".txt")]
        assert len(docs) == 1, f"{gold}: expected exactly one article named {stem}.md/.txt, found {docs}"
        pairs.append((gold, docs[0]))
    return pairs


@pytest.mark.parametrize(("gold", "document"), _gold_and_documents(), ids=lambda p: p.name)
def test_every_gold_text_and_ignored_number_occurs_in_its_document(gold, document):
    g = load_gold(gold)
    text = fold(document.read_text(encoding="utf-8"))
    absent = [t for t in [*g.figures["text"].to_list(), *g.ignore] if fold(t) not in text]
    assert absent == [], f"{gold.name}: not in {document.name}: {absent}"
    assert g.document_id == document.stem


@pytest.mark.parametrize("folder", [ARTICLES, ARTICLES / "conflict"], ids=["articles", "conflict"])
def test_every_manifest_row_has_an_expected_file_and_a_sane_length(folder):
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{folder}/manifest.csv has no rows"
    for row in rows:
        doc = folder / row["file"]
        gold = load_gold(doc.with_name(f"{doc.stem}.expected.yml"))
        assert str(gold.published_at) == row["published_at"], doc.name
        assert 400 <= len(doc.read_text(encoding="utf-8")) <= 1500, doc.name


def test_test_articles_cover_both_scripts():
    with open(ARTICLES / "manifest.csv", encoding="utf-8", newline="") as fh:
        languages = [row["language"] for row in csv.DictReader(fh)]
    assert len(languages) >= 10
    assert languages.count("zh-Hant") >= 4 and languages.count("zh-Hans") >= 4


def test_evaluate_folder_scores_top_level_documents_with_gold(tmp_path, monkeypatch):
    import ingest.extract
    from ingest.evaluate import evaluate_folder

    (tmp_path / "manifest.csv").write_text(
        "file,title,publisher,published_at,url,language,companies\n"
        "a.md,t,p,2025-06-30,,zh-Hans,示例科技\nb.md,t,p,2025-06-30,,zh-Hans,示例科技\n",
        encoding="utf-8",
    )
    (tmp_path / "a.md").write_text("示例科技2024年收入为9.39亿元。", encoding="utf-8")
    (tmp_path / "b.md").write_text("没有金标文件的文章。", encoding="utf-8")
    (tmp_path / "a.expected.yml").write_text(
        "figures:\n  - {company: 示例科技, metric: revenue, period_label: FY2024, value: 939000000,"
        " unit: CNY, currency: CNY, qualifier: exact, text: '9.39亿元'}\n",
        encoding="utf-8",
    )

    class FakeExtraction:
        # the registry files the manifest's 示例科技 under its pinyin slug; the gold names it in Chinese
        figures = extracted_frame(extracted_figure(company_id="shi_li_ke_ji"))
        shareholders = empty_frame("ingest_shareholders")
        events = empty_frame("ingest_events")
        discovered_companies = empty_frame("ingest_discovered_companies")

    monkeypatch.setattr(ingest.extract, "extract_document", lambda doc, matcher: FakeExtraction())
    results = evaluate_folder(tmp_path)
    assert [r.document_id for r in results] == ["a"]
    assert (results[0].figures.matched_count, results[0].figures.wrong_count) == (1, 0)
