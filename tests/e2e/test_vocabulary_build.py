"""A code added to seeds/reference/ref_vocabularies.csv, and nowhere else, is accepted by dbt at the next
build: its `in_vocabulary` tests read the seed (macros/generic_tests/in_vocabulary.sql), the suites read
it when they load (`value_set: {vocabulary: true}`, pipeline/validate.py), and ingest reads the same
file (tests/unit/test_quarantine.py).

Copies the extracted tables of the session's build into the build folder of a warehouse of its own,
turns one event into a code no vocabulary knows, and runs `build --skip-ingest` twice in the session's
project copy: first the staging test fails on that row and its document is quarantined (the rest is
published), then, with the code added to the vocabulary file, dbt and the suites accept it and
nothing is quarantined. Every file it touches is put
back.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.vocabulary import layer_problems

pytestmark = pytest.mark.e2e

VOCABULARY = "seeds/reference/ref_vocabularies.csv"
SESSION_EXTRACTED = "warehouse/.build/ipo/extracted"  # the session build's extracted tables
OWN_WAREHOUSE = "warehouse_vocabulary/ipo.duckdb"
OWN_EXTRACTED = "warehouse_vocabulary/.build/ipo/extracted"  # where --skip-ingest reads them
STAGING_TEST = r"in_vocabulary_stg_ingest__events_event_type"


def with_new_event_type(events: pl.DataFrame) -> pl.DataFrame:
    """The events with the first one turned into a 'spinoff' (a code no vocabulary knows yet)."""
    assert events.height, "the reference build extracted no event"
    first = pl.int_range(pl.len()) == 0
    return events.with_columns(
        pl.when(first).then(pl.lit("spinoff")).otherwise(pl.col("event_type")).alias("event_type")
    )


def rejected(path: Path) -> list[tuple[str, str, str]]:
    """(document_id, reason, check_name) of the warehouse's rejections (none when nothing was published)."""
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute("select file_name, reason, check_name from rejected_documents").fetchall()
    finally:
        con.close()
    return sorted((Path(name).stem, reason, check or "") for name, reason, check in found)


def test_a_code_added_to_the_vocabulary_file_is_accepted_by_dbt(built_project):
    project, _ = built_project
    # the session corpus holds two documents: quarantining one is 50%, so no error budget here
    env = {"WAREHOUSE_PATH": OWN_WAREHOUSE, "QUARANTINE_BUDGET": "1"}
    vocabulary = project.root / VOCABULARY
    original_vocabulary = vocabulary.read_text("utf-8")
    extracted = project.root / OWN_EXTRACTED
    shutil.copytree(project.root / SESSION_EXTRACTED, extracted, dirs_exist_ok=True)
    events_file = extracted / "ingest_events.parquet"
    events = with_new_event_type(pl.read_parquet(events_file))
    events.write_parquet(events_file)
    spun_off = events["document_id"][0]
    try:
        unknown = project.run("build", "--skip-ingest", extra_env=env)
        unknown_rejections = rejected(project.root / OWN_WAREHOUSE)

        vocabulary.write_text(
            original_vocabulary + "event_type,spinoff,a business listed on its own\n", "utf-8"
        )
        known = project.run("build", "--skip-ingest", extra_env=env)
        known_rejections = rejected(project.root / OWN_WAREHOUSE)
        suites = layer_problems(project.root)
    finally:
        vocabulary.write_text(original_vocabulary, encoding="utf-8")
        shutil.rmtree(project.root / "warehouse_vocabulary", ignore_errors=True)

    # the staging test fails on the unknown code: its document is quarantined, the rest published
    assert unknown.returncode == 0, unknown
    assert re.search(rf"traced: dbt test \S*{STAGING_TEST}\S*: 1 document\(s\) {spun_off}", unknown.output), (
        unknown
    )
    [(document_id, reason, check_name)] = [r for r in unknown_rejections if r[1] == "failed_check"]
    assert (document_id, reason) == (spun_off, "failed_check") and STAGING_TEST in check_name
    # one row added to the file: dbt's tests of the column pass, with no model or yml changed
    assert re.search(r"dbt build: .*PASS=\d+", known.output), known
    assert not re.search(r"dbt build: .*(FAIL|ERROR)=", known.output), known
    assert "in_vocabulary_stg_ingest__events" not in known.output, known
    assert "in_vocabulary_offering_events" not in known.output, known
    assert [r for r in known_rejections if r[1] == "failed_check"] == []
    assert known.returncode == 0, known
    # the suites name the vocabulary instead of copying it: no layer is left behind
    assert suites == []
