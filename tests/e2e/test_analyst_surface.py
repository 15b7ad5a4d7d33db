"""What an analyst finds in the published file: the marts and the operational tables, nothing else;
every table and column explained; NULL where a value is absent; every build's audit kept; yuan at the
ECB rate of the figure's own date."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from ingest.schema import SEED_SCHEMAS
from pipeline import surface
from pipeline.validate import load_suites

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "articles"
NOVEMBER_ARTICLES = ("02_xinghe_debut.txt", "18_taixing_hk_second_listing.txt")


def documented_tables() -> set[str]:
    marts = yaml.safe_load((ROOT / "models" / "marts" / "_marts__models.yml").read_text(encoding="utf-8"))
    return {m["name"] for m in marts["models"]} | set(surface.OPERATIONAL_DOCS)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_published_file_holds_exactly_the_documented_tables_each_with_comments(built_project):
    project, _ = built_project
    relations = query(project.warehouse, "select table_name, table_type from information_schema.tables")

    assert {name for name, _ in relations} == documented_tables()
    assert {kind for _, kind in relations} == {"BASE TABLE"}  # no staging views
    uncommented = query(
        project.warehouse,
        "select table_name from duckdb_tables() where schema_name = 'main' and coalesce(comment, '') = ''",
    )
    assert uncommented == []
    columns = query(
        project.warehouse,
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main' "
        "and table_name in (select table_name from duckdb_tables() where schema_name = 'main')",
    )
    assert len(columns) > 300
    assert [(t, c) for t, c, comment in columns if not comment] == []
    described = dict(((t, c), comment) for t, c, comment in columns)
    assert described[("fct_figures", "value_cny")].startswith("Value converted to CNY")


def test_dot_tables_in_the_shell_shows_what_an_analyst_should_query(built_project):
    project, _ = built_project
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "duckdb"),
            "-readonly",
            "-ascii",
            str(project.warehouse),
            "-c",
            ".tables",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    shown = re.sub(r"\x1b\[[0-9;]*m", " ", proc.stdout)
    for table in documented_tables():
        assert re.search(rf"\b{table}\b", shown), table
    assert re.findall(r"\b(?:stg|int|ref|ingest)_[a-z_]+", shown) == []


def test_absent_text_is_null_never_an_empty_string(built_project):
    project, _ = built_project
    text_columns = query(
        project.warehouse,
        "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'",
    )
    blanks = []
    for table, column in text_columns:
        [(n,)] = query(project.warehouse, f'select count(*) from main."{table}" where "{column}" = \'\'')
        if n:
            blanks.append((table, column, n))
    assert blanks == []
    # The absent values are there, as NULL: figures with no dimension, money-less percentages.
    [(no_dimension, not_money)] = query(
        project.warehouse,
        "select count(*) filter (where dimension is null), count(*) filter (where currency is null) "
        "from fct_figures",
    )
    assert no_dimension > 20 and not_money > 10


def test_every_expectation_result_of_the_build_is_in_audit_results(built_project):
    project, _ = built_project
    total = sum(len(s.expectations) for s in load_suites(ROOT / "expectations"))
    [(build_id, logged_total)] = query(
        project.warehouse,
        "select build_id, expectations_total from build_log order by finished_at desc limit 1",
    )
    audit = query(
        project.warehouse,
        "select suite, expectation, success, unexpected_count from audit_results where build_id = ?",
        [build_id],
    )
    assert len(audit) == total == logged_total
    assert all(success for _, _, success, _ in audit)
    assert ("fct_figures", "expect_column_values_to_not_be_null", True, 0) in audit
    # The rows the build loaded are kept beside the warehouse (for the next build's stale documents).
    assert (project.build_dir / "published" / build_id / "ingest_documents.parquet").is_file()


@pytest.fixture(scope="module")
def november_project(tmp_path_factory):
    """A copy of the project built twice from two test articles of November 2025 (Hong Kong dollars)
    and the two articles naming master companies by an alias (tests/articles/master)."""
    from .project_copy import Project, copy_project

    project = Project(copy_project(tmp_path_factory.mktemp("november") / "project"))
    folder = project.root / "november"
    folder.mkdir()
    manifest = pl.read_csv(ARTICLES / "manifest.csv", infer_schema=False)
    master = pl.read_csv(ARTICLES / "master" / "manifest.csv", infer_schema=False)
    pl.concat([manifest.filter(pl.col("file").is_in(NOVEMBER_ARTICLES)), master]).write_csv(
        folder / "manifest.csv"
    )
    for name in NOVEMBER_ARTICLES:
        shutil.copy(ARTICLES / name, folder / name)
    for name in master["file"]:
        shutil.copy(ARTICLES / "master" / name, folder / name)
    runs = [project.run("build", extra_env={"SOURCES_DIR": "november"}) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run
    return project


def test_a_november_2025_hkd_figure_is_converted_at_the_ecb_rate_of_its_day(november_project):
    figures = query(
        november_project.warehouse,
        "select f.figure_id, coalesce(f.period_end, d.published_at), f.fx_rate_date, f.fx_rate_used, "
        "f.fx_rate_source, f.value, f.value_cny from fct_figures f join dim_documents d using (document_id) "
        "where f.currency = 'HKD' and f.converted_value is null",
    )
    assert figures, "the November articles state Hong Kong dollar figures"
    seed = pl.read_csv(ROOT / "seeds" / "reference" / "ref_fx_rates.csv", try_parse_dates=True)
    hkd = seed.filter(pl.col("base_currency") == "HKD")
    november = [f for f in figures if date(2025, 11, 1) <= f[1] <= date(2025, 11, 30)]
    assert november
    for _, figure_date, rate_date, rate, source, value, value_cny in november:
        last_ecb_day = hkd.filter(pl.col("rate_date") <= figure_date)["rate_date"].max()
        [(expected,)] = hkd.filter(pl.col("rate_date") == last_ecb_day).select("rate").rows()
        assert rate_date == last_ecb_day and date(2025, 11, 1) <= rate_date <= figure_date
        assert rate == pytest.approx(expected) and 0.9 < rate < 0.93
        assert source.startswith("ECB euro reference rates")
        assert value_cny == pytest.approx(value * expected)


def test_audit_results_keep_every_build(november_project):
    builds = query(
        november_project.warehouse,
        "select build_id, count(*) from audit_results group by 1 order by min(validated_at)",
    )
    logged = query(november_project.warehouse, "select build_id from build_log order by finished_at")
    assert [b for b, _ in builds] == [b for (b,) in logged] and len(builds) == 2
    assert builds[0][1] == builds[1][1] > 100


def test_companies_named_by_a_master_alias_are_the_master_rows_in_either_script(november_project):
    events = query(
        november_project.warehouse,
        "select e.company_id, c.is_reviewed, c.ticker, c.listed_on, e.event_date from offering_events e "
        "join dim_companies c using (company_id) "
        "where e.document_id in ('m1_cambricon_alias', 'm2_kuaishou_alias') order by 1",
    )
    assert events == [
        ("cambricon", True, "688256.SH", date(2020, 7, 20), date(2020, 7, 20)),  # 寒武紀-U (traditional)
        ("kuaishou", True, "1024.HK", date(2021, 2, 5), date(2021, 2, 5)),  # 快手-W (simplified)
    ]
    slugs = query(
        november_project.warehouse,
        "select company_id from dim_companies "
        "where not is_reviewed and (name_zh like '%寒武%' or name_zh like '%快手%')",
    )
    assert slugs == []
    # Discovered companies stay apart and unreviewed (the two fictional November companies).
    [(unreviewed,)] = query(
        november_project.warehouse, "select count(*) from dim_companies where not is_reviewed"
    )
    assert unreviewed >= 2


def test_the_lineage_runs_from_the_ingest_source_through_staging_to_the_marts(built_project):
    """One load path: every extracted table is a source node that its staging model reads, and the marts
    descend from it (no extracted table is a dbt seed any more)."""
    project, _ = built_project
    manifest = json.loads((project.root / "warehouse/.build/ipo/target/manifest.json").read_text())
    parents, children = manifest["parent_map"], manifest["child_map"]
    for table in SEED_SCHEMAS:
        staging = f"model.ai_ipo_warehouse.stg_{table.replace('ingest_', 'ingest__', 1)}"
        assert parents[staging] == [f"source.ai_ipo_warehouse.ingest.{table}"]
    seeds = sorted(
        k.removeprefix("seed.ai_ipo_warehouse.") for k in manifest["nodes"] if k.startswith("seed.")
    )
    assert seeds == [
        "ref_companies",
        "ref_figure_overrides",
        "ref_fx_rates",
        "ref_metrics",
        "ref_vocabularies",
    ]
    reached, todo = set(), ["source.ai_ipo_warehouse.ingest.ingest_figures"]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in reached:
                reached.add(child)
                todo.append(child)
    marts = {"fct_figures", "financials", "kpis", "offerings", "reconciliation", "financials_wide"}
    assert {f"model.ai_ipo_warehouse.{m}" for m in marts} <= reached


def test_one_dbt_process_loads_the_reference_seeds_and_builds_and_tests_the_models(built_project):
    _, run = built_project
    dbt_commands = [line for line in run.output.splitlines() if line.startswith("  $ dbt ")]
    assert dbt_commands == ["  $ dbt build"]
    [summary] = [line for line in run.output.splitlines() if line.startswith("  dbt build: ")]
    # 5 reference seeds + 49 models succeed; every data and unit test passes.
    assert "SUCCESS=54" in summary and "ERROR" not in summary and "FAIL" not in summary
