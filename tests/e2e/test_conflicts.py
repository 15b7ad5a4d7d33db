"""Several sources for one figure: a later article repeats and contradicts the two source articles.

tests/articles/conflict/ holds that article; its expected file says, for each restated figure, whether
it agrees, differs only by rounding, or contradicts. Built together with sources/, the marts keep one
row per figure with n_sources = 2, pick the value by the documented rule (exact beats approx beats
bounds, then the newer document) and flag has_conflict only for the contradictions.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from .project_copy import PROJECT_ROOT, Project, copy_project

pytestmark = pytest.mark.e2e

CONFLICT_DIR = PROJECT_ROOT / "tests" / "articles" / "conflict"


@pytest.fixture(scope="module")
def conflict_warehouse(tmp_path_factory) -> Path:
    project = Project(copy_project(tmp_path_factory.mktemp("conflict") / "project"))
    sources = project.root / "sources"
    with open(CONFLICT_DIR / "manifest.csv", encoding="utf-8", newline="") as handle:
        extra = list(csv.DictReader(handle))
    for row in extra:
        shutil.copy(CONFLICT_DIR / row["file"], sources / row["file"])
    with open(sources / "manifest.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(extra[0]))
        writer.writerows(extra)
    run = project.run("build")
    assert run.returncode == 0, run
    return project.warehouse


def conflicts() -> list[dict]:
    [expected] = CONFLICT_DIR.glob("*.expected.yml")
    return yaml.safe_load(expected.read_text(encoding="utf-8"))["conflicts"]


def rows(path: Path, sql: str, params: list) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


FINANCIAL = [c for c in conflicts() if "period_label" in c and c["metric"] in ("revenue", "net_profit")]


@pytest.mark.parametrize("case", FINANCIAL, ids=lambda c: f"{c['company']}-{c['metric']}-{c['period_label']}")
def test_restated_financials_are_merged_and_only_contradictions_flagged(conflict_warehouse, case):
    [(n_sources, has_conflict, value, conflicting)] = rows(
        conflict_warehouse,
        "select n_sources, has_conflict, value, conflicting_values from financials "
        "where company_id = ? and metric = ? and period_label = ? and dimension is null",
        [case["company"], case["metric"], case["period_label"]],
    )
    assert n_sources == 2
    assert has_conflict is (case["relation"] == "contradiction")
    if case["relation"] == "contradiction":
        # Both exact: the newer article (2026-01-20) wins, the older value is listed, not lost.
        assert value == case["value"]
        # e.g. '7.27亿元 CNY (exact, 000_35e92165ac81694a)'
        assert case["source"] in conflicting and "(exact" in conflicting


def test_exact_beats_approx_even_when_the_approx_is_newer(conflict_warehouse):
    # Source: -23.58亿 exact (2026-01-08); review: 约23.6亿 (2026-01-20) - same figure, rounded.
    [(value, qualifier, has_conflict, document_id)] = rows(
        conflict_warehouse,
        "select value, qualifier, has_conflict, document_id from financials "
        "where company_id = 'zhipu' and metric = 'net_profit' and period_label = 'H1-2025'",
        [],
    )
    assert (value, qualifier, has_conflict) == (-2_358_000_000, "exact", False)
    assert document_id == "003_b917a50fe0cf0989"


def test_offering_contradictions_are_flagged_on_the_attempt(conflict_warehouse):
    [(multiple, cornerstone_amount, has_conflict, conflicting, n_sources)] = rows(
        conflict_warehouse,
        "select public_subscription_multiple, cornerstone_amount, has_conflict, conflicting_values, "
        "n_sources from offerings where offering_id = 'zhipu-hkex-1'",
        [],
    )
    assert has_conflict is True and n_sources == 2
    assert (multiple, cornerstone_amount) == (1164.2, 3_150_000_000)
    assert "public_subscription_multiple" in conflicting and "cornerstone_amount" in conflicting
