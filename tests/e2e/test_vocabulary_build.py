"""A code added to seeds/reference/ref_vocabularies.csv, and nowhere else, is accepted by dbt at the next
build: its `in_vocabulary` tests read the seed (macros/generic_tests/in_vocabulary.sql). Ingest reads the
same file (tests/unit/test_quarantine.py), and the suites are held to it by
tests/unit/test_vocabulary.py, which names the suite that has to follow.

Runs `build --skip-ingest` twice in the session's project copy, into a warehouse of its own, and puts
every file it touches back.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from ingest.vocabulary import layer_problems

pytestmark = pytest.mark.e2e

VOCABULARY = "seeds/reference/ref_vocabularies.csv"
EVENTS_SEED = "seeds/extracted/ingest_events.csv"
STAGING_TEST = r"FAILED test\.ai_ipo_warehouse\.in_vocabulary_stg_ingest__events_event_type\S*: Got 1 result"


def with_new_event_type(text: str) -> str:
    """The events seed with its first event turned into a 'spinoff' (a code no vocabulary knows yet)."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows, "the reference build extracted no event"
    rows[0]["event_type"] = "spinoff"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_code_added_to_the_vocabulary_file_is_accepted_by_dbt(built_project):
    project, _ = built_project
    env = {"WAREHOUSE_PATH": "warehouse_vocabulary/ipo.duckdb"}
    vocabulary, events = project.root / VOCABULARY, project.root / EVENTS_SEED
    original_vocabulary, original_events = vocabulary.read_text("utf-8"), events.read_text("utf-8")
    try:
        events.write_text(with_new_event_type(original_events), encoding="utf-8")
        unknown = project.run("build", "--skip-ingest", extra_env=env)

        vocabulary.write_text(
            original_vocabulary + "event_type,spinoff,a business listed on its own\n", "utf-8"
        )
        known = project.run("build", "--skip-ingest", extra_env=env)
        suites = layer_problems(project.root)
    finally:
        vocabulary.write_text(original_vocabulary, encoding="utf-8")
        events.write_text(original_events, encoding="utf-8")

    assert unknown.returncode != 0, unknown
    assert re.search(STAGING_TEST, unknown.output), unknown
    # one row added to the file: dbt's tests of the column pass, with no model or yml changed
    assert re.search(r"dbt build: .*PASS=\d+", known.output), known
    assert not re.search(r"dbt build: .*(FAIL|ERROR)=", known.output), known
    assert "in_vocabulary_stg_ingest__events" not in known.output, known
    assert "in_vocabulary_offering_events" not in known.output, known
    # the suite lists its set in full: the check says which one must follow
    assert suites == ["offering_events.yml offering_events.event_type lacks spinoff"]
