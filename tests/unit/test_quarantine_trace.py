"""Tracing failing checks to documents (pipeline/quarantine.py) and the quarantine decision.

A small candidate warehouse stands in for a dbt build: extracted tables (`ingest_*`), the overrides
seed, a staging model and a figure mart. dbt's run_results and manifest entries are the shapes dbt
1.11 writes (compiled_code, attached_node, column_name); expectations run through real GX.
"""

from __future__ import annotations

import textwrap

import duckdb
import pandas as pd
import pytest

from pipeline import quarantine, validate

CANDIDATE = """
create table ingest_documents as
    select * from (values ('d1', 'a.md', null), ('d2', 'b.md', null), ('d3', 'c.md', true))
    as t(document_id, file_name, is_stale);
create table ingest_figures as
    select * from (values ('f1', 'd1'), ('f2', 'd2'), ('f3', 'd3'), ('f9', 'd2'))
    as t(figure_id, document_id);
create table ingest_events as select 'e1' as event_id, 'd1' as document_id;
create table ingest_shareholders as select 'h1' as holder_id, 'd2' as document_id;
create table ingest_unclassified_mentions as select 'm1' as mention_id, 'd1' as document_id;
create table ref_figure_overrides as select 'f9' as figure_id;
create table stg_events as
    select * from (values ('e1', 'd1', 'refiling'), ('e2', 'd2', 'filing'))
    as t(event_id, document_id, event_type);
create table fct as
    select * from (values
        ('f1', 'd1', 10.0, false), ('f2', 'd2', 900.0, false), ('f3', 'd3', 950.0, false),
        ('f9', 'd2', 1e20, true)
    ) as t(figure_id, document_id, value, is_override);
create table dim_companies as select * from (values ('x'), ('x'), ('y')) as t(company_id);
"""
MANIFEST = {
    "nodes": {
        "model.p.stg_events": {"relation_name": '"main"."stg_events"'},
        "model.p.dim_companies": {"relation_name": '"main"."dim_companies"'},
        "test.p.accepted_values_stg_events_event_type.ab": {
            "name": "accepted_values_stg_events_event_type",
            "column_name": "event_type",
            "attached_node": "model.p.stg_events",
            "config": {"where": None},
        },
        "test.p.unique_dim_companies_company_id.cd": {
            "name": "unique_dim_companies_company_id",
            "column_name": "company_id",
            "attached_node": "model.p.dim_companies",
            "config": {},
        },
        "test.p.assert_margin.ef": {"name": "assert_margin", "config": {}},
        "test.p.assert_override.gh": {"name": "assert_override", "config": {}},
        "test.p.assert_stale.ij": {"name": "assert_stale", "config": {}},
        "test.p.assert_holder.kl": {"name": "assert_holder", "config": {}},
    },
    "unit_tests": {"unit_test.p.fct.test_rounding": {"name": "test_rounding"}},
}


def result(unique_id: str, sql: str = "", status: str = "fail", message: str = "Got 1 result") -> dict:
    return {"unique_id": unique_id, "status": status, "message": message, "compiled_code": sql}


@pytest.fixture
def tracer(tmp_path):
    path = tmp_path / "candidate.duckdb"
    con = duckdb.connect(str(path))
    con.execute(CANDIDATE)
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    yield quarantine.Tracer(con)
    con.close()


def failures_of(tracer, *results: dict) -> dict[str, quarantine.CheckFailure]:
    return {f.check: f for f in quarantine.dbt_failures(list(results), MANIFEST, tracer)}


def test_a_test_returning_only_failing_values_is_traced_through_the_rows_holding_them(tracer):
    accepted_values = (
        "select event_type as value_field, count(*) as n_records from main.stg_events "
        "where event_type not in ('filing') group by event_type"
    )

    found = failures_of(tracer, result("test.p.accepted_values_stg_events_event_type.ab", accepted_values))

    failure = found["dbt test accepted_values_stg_events_event_type"]
    assert failure.traced and failure.untraced == ""
    assert failure.documents == {"d1": ["event_type='refiling'"]}


def test_rows_naming_a_figure_holder_or_event_trace_through_the_extracted_tables(tracer):
    found = failures_of(
        tracer,
        result("test.p.assert_margin.ef", "select figure_id, value from main.fct where figure_id = 'f2'"),
        result("test.p.assert_holder.kl", "select 'h1' as holder_id, 'x' as note"),
    )

    assert found["dbt test assert_margin"].documents == {"d2": ["value=900"]}
    assert found["dbt test assert_holder"].documents == {"d2": ["note='x'"]}


def test_rows_an_override_changed_are_the_override_s_fault_not_the_document_s(tracer):
    sql = "select figure_id, document_id, is_override, value from main.fct where value > 1e19"

    failure = failures_of(tracer, result("test.p.assert_override.gh", sql))["dbt test assert_override"]

    assert not failure.traced
    assert "ref_figure_overrides" in failure.untraced and "f9" in failure.untraced


def test_rows_of_a_stale_document_mean_a_model_or_a_check_changed(tracer):
    sql = "select figure_id, document_id from main.fct where figure_id = 'f3'"

    failure = failures_of(tracer, result("test.p.assert_stale.ij", sql))["dbt test assert_stale"]

    assert not failure.traced and "stale documents d3" in failure.untraced


def test_reference_rows_unit_tests_and_errors_trace_to_no_document(tracer):
    unique = (
        "select company_id as unique_field, count(*) as n_records from main.dim_companies "
        "group by company_id having count(*) > 1"
    )
    found = failures_of(
        tracer,
        result("test.p.unique_dim_companies_company_id.cd", unique),
        result("unit_test.p.fct.test_rounding", status="fail", message="actual differs from expected"),
        result("test.p.assert_margin.ef", "select 1", status="error", message="Binder Error: no column x"),
        result("model.p.fct", status="error", message="Conversion Error: bigint out of range"),
    )

    assert {check: f.traced for check, f in found.items()} == {
        "dbt test unique_dim_companies_company_id": False,
        "dbt unit test test_rounding": False,
        "dbt test assert_margin": False,
        "dbt model fct": False,
    }
    assert "rows naming no document" in found["dbt test unique_dim_companies_company_id"].untraced
    assert "model logic" in found["dbt unit test test_rounding"].untraced
    assert "could not run" in found["dbt test assert_margin"].untraced
    assert "bigint out of range" in found["dbt model fct"].untraced


def test_passing_nodes_are_not_failures(tracer):
    ok = [
        result("test.p.assert_margin.ef", "select 1", status=s)
        for s in ("pass", "success", "warn", "skipped")
    ]
    assert quarantine.dbt_failures(ok, MANIFEST, tracer) == []


# --- expectations --------------------------------------------------------------------------------------


def test_a_failing_expectation_is_traced_by_the_rows_gx_reports(tracer, tmp_path):
    suite_file = tmp_path / "fct.yml"
    suite_file.write_text(
        textwrap.dedent(
            """
            table: fct
            show_columns: [figure_id, quote]
            expectations:
              - type: expect_column_values_to_be_between
                kwargs: {column: value, min_value: -100, max_value: 100}
                where: {metric: gross_margin_pct}
                why: a margin is at most 100%
            """
        )
    )
    frame = pd.DataFrame(
        {
            "figure_id": ["f1", "f2"],
            "document_id": ["d1", "d2"],
            "metric": ["gross_margin_pct", "gross_margin_pct"],
            "value": [30.0, 900.0],
            "quote": ["毛利率为30%", "毛利率为900%"],
            "is_override": [False, False],
        }
    )

    outcome = validate.run_suite(validate.load_suite(suite_file), frame)
    [failure] = quarantine.expectation_failures([outcome], tracer)

    assert failure.check.startswith("expectation fct: expect_column_values_to_be_between(column='value'")
    assert failure.documents == {"d2": ["value=900"]}
    # The ids that trace a row are reported to the tracer, not printed among the suite's columns.
    [example] = outcome.outcomes[0].examples
    assert "document_id" not in example and example["figure_id"] == "f2"
    assert {"document_id", "is_override", "figure_id", "value"} <= set(outcome.outcomes[0].failing_rows[0])


def test_a_table_level_expectation_traces_to_no_document(tracer, tmp_path):
    suite_file = tmp_path / "fct.yml"
    suite_file.write_text(
        "table: fct\nexpectations:\n  - type: expect_table_row_count_to_be_between\n"
        "    kwargs: {min_value: 5}\n    why: at least five figures\n"
    )
    outcome = validate.run_suite(validate.load_suite(suite_file), pd.DataFrame({"figure_id": ["f1"]}))

    [failure] = quarantine.expectation_failures([outcome], tracer)

    assert not failure.traced and failure.untraced


# --- the decision --------------------------------------------------------------------------------------


def traced(check: str, *documents: str) -> quarantine.CheckFailure:
    return quarantine.CheckFailure(check, {d: ["value=900"] for d in documents})


def test_traced_failures_quarantine_their_documents_with_the_check_and_the_values():
    decision = quarantine.decide(
        [traced("expectation fct_figures: margin", "d2"), traced("dbt test accepted_values", "d2", "d5")],
        n_documents=20,
        budget=0.10,
        strict=False,
    )

    assert sorted(decision.documents) == ["d2", "d5"]
    assert [(h.check, h.values) for h in decision.documents["d2"]] == [
        ("expectation fct_figures: margin", "value=900"),
        ("dbt test accepted_values", "value=900"),
    ]
    assert decision.untraced == []


def test_untraced_failures_beside_traced_ones_are_left_for_the_rebuild_to_clear():
    untraced = quarantine.CheckFailure("expectation financials_wide: margin", untraced="no document")

    decision = quarantine.decide([traced("fct", "d1"), untraced], n_documents=20, budget=0.10, strict=False)

    assert list(decision.documents) == ["d1"] and decision.untraced == [untraced]


def test_failures_that_trace_to_no_document_fail_the_build():
    untraced = quarantine.CheckFailure("dbt test unique_dim_companies", untraced="reference data")

    with pytest.raises(
        quarantine.Refused, match=r"1 failing check\(s\) trace to no document.*reference data"
    ):
        quarantine.decide([untraced], n_documents=20, budget=0.10, strict=False)


@pytest.mark.parametrize(("n_failing", "allowed"), [(2, True), (3, False)])
def test_the_error_budget_allows_ten_percent_of_the_documents(n_failing, allowed):
    failures = [traced("fct", *(f"d{i}" for i in range(n_failing)))]
    if allowed:
        assert len(quarantine.decide(failures, 20, budget=0.10, strict=False).documents) == n_failing
        return
    with pytest.raises(
        quarantine.Refused, match=r"error budget: 3 of 20 documents \(15\.0%\).*QUARANTINE_BUDGET=0\.1"
    ):
        quarantine.decide(failures, 20, budget=0.10, strict=False)


def test_strict_fails_instead_of_quarantining():
    with pytest.raises(quarantine.Refused, match=r"STRICT: 1 document\(s\) would be quarantined: d1"):
        quarantine.decide([traced("fct", "d1")], 20, budget=0.10, strict=True)


def test_documents_ingest_quarantined_count_in_the_error_budget():
    # 2 failing a check + 1 rejected at ingest = 3 of 20 (the 19 loaded and the rejected one): over 10%.
    failures = [traced("fct", "d1", "d2")]

    with pytest.raises(quarantine.Refused, match=r"error budget: 3 of 20 documents \(15\.0%\).*d1, d2, d9"):
        quarantine.decide(failures, 19, budget=0.10, strict=False, at_ingest=["d9"])
    assert sorted(quarantine.decide(failures, 19, budget=0.20, strict=False, at_ingest=["d9"]).documents) == [
        "d1",
        "d2",
    ]


def test_only_extraction_rejections_are_quarantines():
    rejected = [
        ("a.md", "unstorable_value"),
        ("b.md", "undecodable"),
        ("c.md", "too_slow"),
        ("d.md", "unknown_vocabulary"),
        ("e.md", "duplicate"),
        ("f.md", "bad_company_name"),
    ]

    assert quarantine.extraction_quarantines(rejected) == ["a.md", "c.md", "d.md", "f.md"]


def test_strict_or_the_budget_refuse_what_ingest_quarantined_before_dbt_runs():
    with pytest.raises(quarantine.Refused, match=r"STRICT: 1 document\(s\).*: d9"):
        quarantine.check_budget(["d9"], 20, budget=0.10, strict=True)
    with pytest.raises(quarantine.Refused, match=r"error budget: 3 of 20 documents \(15\.0%\)"):
        quarantine.check_budget(["d7", "d8", "d9"], 20, budget=0.10, strict=False)
    quarantine.check_budget(["d8", "d9"], 20, budget=0.10, strict=False)  # 10% is within the budget
    quarantine.check_budget([], 20, budget=0.0, strict=True)  # nothing quarantined: nothing to refuse
