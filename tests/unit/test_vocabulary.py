"""One vocabulary for every closed set: ingest, dbt and the expectation suites read or are checked
against seeds/reference/ref_vocabularies.csv (ingest/vocabulary.py)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from ingest.companies import CompanyMatcher
from ingest.documents import read_corpus
from ingest.extract import TABLES, extract_corpus
from ingest.lexicon import load_lexicon
from ingest.schema import empty_frame
from ingest.vocabulary import (
    INGEST_COLUMNS,
    VocabularyError,
    layer_problems,
    unknown_codes,
    vocabularies,
)
from pipeline.validate import load_suite

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENT_TYPES = {
    "filing",
    "refiling",
    "prospectus",
    "approval",
    "hearing_passed",
    "pricing",
    "withdrawal",
    "listing",
}


def copy_layers(dest: Path) -> Path:
    """The three layers' files of the project (reference seeds, dbt models, suites) in `dest`."""
    for folder in ("seeds/reference", "models", "expectations"):
        shutil.copytree(PROJECT_ROOT / folder, dest / folder)
    return dest


def add_row(csv_path: Path, *values: str) -> None:
    with open(csv_path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(values)


def events(*types: str) -> pl.DataFrame:
    frame = pl.DataFrame({"document_id": [f"d{i}" for i in range(len(types))], "event_type": list(types)})
    return frame.with_columns(date_precision=pl.lit("day"), exchange=pl.lit(""))


def test_one_file_holds_every_closed_set_and_metrics_come_from_ref_metrics():
    vocab = vocabularies()
    assert vocab["event_type"] == EVENT_TYPES  # refiling and pricing included
    assert vocab["currency"] == {"CNY", "HKD", "USD"}
    assert vocab["qualifier"] == {"exact", "approx", "lower_bound", "upper_bound"}
    assert vocab["holder_type"] == {
        "controlling_group",
        "founder",
        "cornerstone",
        "strategic",
        "financial",
        "early_investor",
        "other",
    }
    assert {"too_slow", "unknown_vocabulary", "unstorable_value", "bad_company_name"} <= vocab[
        "rejection_reason"
    ]
    with open(PROJECT_ROOT / "seeds/reference/ref_metrics.csv", encoding="utf-8") as handle:
        assert vocab["metric"] == {r["metric"] for r in csv.DictReader(handle)}
    for table, columns in INGEST_COLUMNS.items():  # every checked column exists and names a vocabulary
        assert set(columns) <= set(empty_frame(table).columns), table
        assert {name for name, _ in columns.values()} <= set(vocab), table


def test_dbt_and_the_suites_agree_with_the_vocabulary():
    assert layer_problems() == []


def test_a_value_added_to_the_file_reaches_all_three_layers(tmp_path):
    project = copy_layers(tmp_path)
    vocabulary_csv = project / "seeds/reference/ref_vocabularies.csv"
    metrics_csv = project / "seeds/reference/ref_metrics.csv"
    new = events("listing", "spinoff")

    # before: ingest refuses the new code, naming the row, the column and the vocabulary
    before = vocabularies(vocabulary_csv, metrics_csv)
    assert unknown_codes("ingest_events", new, before).rows() == [(1, "event_type", "spinoff", "event_type")]

    add_row(vocabulary_csv, "event_type", "spinoff", "a business spun off and listed on its own")
    after = vocabularies(vocabulary_csv, metrics_csv)
    # ingest: accepted
    assert unknown_codes("ingest_events", new, after).height == 0
    # dbt: nothing to change - its tests name the vocabulary and read the seed when they run
    models = (project / "models/staging/_staging__models.yml").read_text(encoding="utf-8")
    assert re.search(
        r"name: event_type\n(?:.*\n){0,4}\s+- in_vocabulary:\n\s+arguments:\n\s+vocabulary: event_type",
        models,
    )
    # the suites: nothing to change either - they name the vocabulary and read the file when loaded
    assert layer_problems(project) == []
    [event_types] = [
        e.kwargs["value_set"]
        for e in load_suite(project / "expectations/offering_events.yml").expectations
        if e.kwargs.get("column") == "event_type" and e.type == "expect_column_values_to_be_in_set"
    ]
    assert "spinoff" in event_types and "listing" in event_types


def test_a_layer_keeping_its_own_copy_is_reported(tmp_path):
    project = copy_layers(tmp_path)
    models = project / "models/marts/_marts__models.yml"
    text = models.read_text(encoding="utf-8")
    text = text.replace(
        "    - in_vocabulary:\n        arguments:\n          vocabulary: date_precision",
        "    - accepted_values:\n        arguments:\n          values: [day, month]",
    )
    models.write_text(text, encoding="utf-8")
    suite = project / "expectations/shareholders.yml"
    text = suite.read_text(encoding="utf-8").replace(
        "{column: holder_type, value_set: {vocabulary: true}}",
        "{column: holder_type, value_set: [controlling_group, founder, cornerstone, strategic, financial, "
        "other, angel]}",
    )
    suite.write_text(text, encoding="utf-8")
    assert layer_problems(project) == [
        "_marts__models.yml offering_events.date_precision: accepted_values keeps its own list; "
        "use in_vocabulary",
        "shareholders.yml shareholders.holder_type lacks early_investor",
        "shareholders.yml shareholders.holder_type lists angel, not in the vocabulary",
    ]


def test_every_code_the_extractors_write_is_in_the_vocabulary():
    vocab = vocabularies()
    # the reasons the rules name (ingest/rules/*.yml not_figures) ...
    assert set(load_lexicon().not_figures) <= vocab["unclassified_reason"]
    # ... and the ones the figure code writes
    code = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "ingest/figures").glob("*.py"))
    written = set(re.findall(r'reason="([a-z_]+)"', code)) | set(
        re.findall(r'return (?:None|""), "([a-z_]+)"', code)
    )
    assert written and written <= vocab["unclassified_reason"], sorted(written - vocab["unclassified_reason"])
    # everything extracted from the test articles and the sources
    seed = CompanyMatcher.from_seed()
    for folder in ("tests/articles", "sources"):
        extraction = extract_corpus(read_corpus(PROJECT_ROOT / folder), seed)
        for attr, (table, _) in TABLES.items():
            bad = unknown_codes(table, getattr(extraction, attr), vocab)
            assert bad.height == 0, (folder, table, bad.head(5).rows())


def test_every_rejection_reason_of_ingest_is_in_the_vocabulary():
    documented = re.findall(
        r"^- ``([a-z_]+)``", (PROJECT_ROOT / "ingest/documents.py").read_text(), re.MULTILINE
    )
    later = {"too_slow", "unknown_vocabulary", "unstorable_value"}  # timeout.py, quarantine.py
    later.add("failed_check")  # pipeline/quarantine.py: a document whose rows failed a check
    assert set(documented) | later == vocabularies()["rejection_reason"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("currency,CNY,again", r"ref_vocabularies\.csv line \d+: currency lists 'CNY' twice"),
        ("currency,C N Y,spaces", r"line \d+: value 'C N Y' of currency is not a code"),
        ("Currency,EUR,", r"line \d+: vocabulary 'Currency' is not a lowercase name"),
        ("metric,revenue,", r"metric codes are kept in ref_metrics\.csv, not here"),
    ],
)
def test_a_broken_vocabulary_file_names_its_line(tmp_path, row, message):
    project = copy_layers(tmp_path)
    path = project / "seeds/reference/ref_vocabularies.csv"
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        vocabularies(path, project / "seeds/reference/ref_metrics.csv")
