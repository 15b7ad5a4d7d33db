"""End to end: `python -m pipeline build` in a copy of the project publishes only audited warehouses.

One successful build is shared (session fixture); the tests below then re-publish with a reader holding
the file, break a figure through the overrides seed, and roll back - each on that same copy, in order.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import textwrap

import duckdb
import pytest

from .project_copy import sha256

pytestmark = pytest.mark.e2e

MARTS_WITH_ROWS = ("dim_documents", "dim_companies", "fct_figures", "financials", "offerings", "shareholders")
OVERRIDES = "seeds/reference/ref_figure_overrides.csv"


def query(path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def manifest_rows(project) -> int:
    with open(project.root / "sources" / "manifest.csv", encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_full_build_publishes_audited_marts_with_rows(built_project):
    project, run = built_project

    counts = {m: query(project.warehouse, f"select count(*) from {m}")[0][0] for m in MARTS_WITH_ROWS}
    assert all(n > 0 for n in counts.values()), counts
    assert counts["dim_documents"] == manifest_rows(project)
    for step in ("clean", "ingest", "dbt", "validate", "publish"):
        assert re.search(rf"^\[{step}\] done in \d+\.\ds$", run.output, re.MULTILINE), run
    suites = re.findall(r"validate: (\w+) (\d+)/(\d+) passed", run.output)
    assert {"fct_figures", "dim_documents", "dim_companies", "financials"} <= {s for s, _, _ in suites}
    assert all(passed == total for _, passed, total in suites), run
    assert re.search(r"dbt build: .*PASS=\d+", run.output) and "ERROR=" not in run.output, run
    # Nothing left behind: the candidate became the published file.
    assert [p.name for p in project.build_dir.glob("*.duckdb")] == []
    [(n_log, n_figures)] = query(project.warehouse, "select count(*), max(figures_total) from build_log")
    assert (n_log, n_figures) == (1, counts["fct_figures"])


def test_a_rebuild_with_nothing_changed_keeps_the_published_file(built_project):
    project, _ = built_project
    before = sha256(project.warehouse)

    run = project.run("build", extra_env={"FORCE": ""})

    assert run.returncode == 0, run
    assert re.search(r"nothing changed since build \S+: .*ipo\.duckdb is current", run.output), run
    assert "[dbt]" not in run.output and "[validate]" not in run.output
    assert sha256(project.warehouse) == before


HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from build_log").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("select count(*) from build_log").fetchone()[0], flush=True)
    """
)


@pytest.fixture(scope="module")
def republished(built_project):
    """A second build while an analyst's read-only session holds the published file."""
    project, _ = built_project
    first_sha = sha256(project.warehouse)
    stale = project.build_dir / "ipo.20000101T000000Z-1.duckdb"
    stale.write_bytes(b"left by a killed build")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(project.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seen_before = holder.stdout.readline().strip()
        run = project.run("build")
        seen_after, _ = holder.communicate("done\n", timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
    return project, run, first_sha, (seen_before, seen_after.strip(), holder.returncode)


def test_publish_is_not_blocked_by_a_read_only_session(republished):
    project, run, first_sha, (seen_before, seen_after, holder_rc) = republished

    assert run.returncode == 0, run
    # The analyst kept a consistent view of the old file; new sessions see the new one.
    assert (seen_before, seen_after, holder_rc) == ("1", "1", 0)
    assert query(project.warehouse, "select count(*) from build_log")[0][0] == 2
    assert sha256(project.previous) == first_sha
    assert "removed stale ipo.20000101T000000Z-1.duckdb" in run.output
    # Same sources, same figures: the second publish changed nothing.
    assert "changes: +0 figures, -0, ~0 changed; documents +0 -0" in run.output


def test_an_absurd_figure_fails_the_audit_and_leaves_the_published_file_untouched(republished):
    project, _, _, _ = republished
    [(figure_id,)] = query(
        project.warehouse,
        "select figure_id from fct_figures where metric = 'revenue' and currency is not null "
        "order by figure_id limit 1",
    )
    published_sha, previous_sha = sha256(project.warehouse), sha256(project.previous)
    overrides = project.root / OVERRIDES
    original = overrides.read_text(encoding="utf-8")
    overrides.write_text(
        original.rstrip("\n") + f"\n{figure_id},value,1e20,e2e: a unit read twice,e2e-test,2026-01-01\n",
        encoding="utf-8",
    )
    try:
        run = project.run("build")
    finally:
        overrides.write_text(original, encoding="utf-8")

    assert run.returncode == 1, run
    # The expectation suites catch it (a dbt range test, if one is added, would stop it one step earlier).
    gx_caught = re.search(
        r"ERROR fct_figures: expect_column_values_to_be_between\(column='value'", run.output
    )
    dbt_caught = re.search(r"FAILED test\.\S+fct_figures\S*value", run.output)
    assert gx_caught or dbt_caught, run
    if gx_caught:
        assert "validate: fct_figures" in run.output, run
        assert f"figure_id='{figure_id}'" in run.output and "value=1e+20" in run.output, run
    # The failing rows trace to a document, but an override changed them: no quarantine, the build fails.
    assert "BUILD FAILED: " in run.output and "trace to no document, nothing to quarantine" in run.output, run
    assert f"rows changed by ref_figure_overrides fail it (figure_id {figure_id})" in run.output, run
    assert "QUARANTINED" not in run.output
    assert (sha256(project.warehouse), sha256(project.previous)) == (published_sha, previous_sha)
    [failed] = project.build_dir.glob("*.failed.duckdb")
    assert query(failed, f"select value from fct_figures where figure_id = '{figure_id}'") == [(1e20,)]


def test_a_failing_dbt_test_blocks_publish_and_names_the_failing_node(republished):
    project, _, _, _ = republished
    [(figure_id,)] = query(
        project.warehouse, "select min(figure_id) from fct_figures where currency is not null"
    )
    published_sha = sha256(project.warehouse)
    overrides = project.root / OVERRIDES
    original = overrides.read_text(encoding="utf-8")
    overrides.write_text(
        original.rstrip("\n")
        + f"\n{figure_id},currency,EUR,e2e: not a contract currency,e2e-test,2026-01-01\n",
        encoding="utf-8",
    )
    try:
        run = project.run("build", "--skip-ingest")
    finally:
        overrides.write_text(original, encoding="utf-8")

    assert run.returncode == 1, run
    assert re.search(r"dbt build: .*FAIL=\d+", run.output), run
    assert re.search(
        r"FAILED test\.ai_ipo_warehouse\.in_vocabulary_fct_figures\S*currency\S*: Got \d+ result", run.output
    )
    # An override made it: the rows trace to no document's fault, so nothing is quarantined.
    assert re.search(
        r"BUILD FAILED: \d+ failing check\(s\) trace to no document, nothing to quarantine: ", run.output
    )
    assert f"rows changed by ref_figure_overrides fail it (figure_id {figure_id})" in run.output, run
    assert "[validate]" not in run.output  # the audit never runs on a candidate dbt rejected
    assert sha256(project.warehouse) == published_sha


def test_rollback_restores_the_previous_warehouse(republished):
    project, _, first_sha, _ = republished
    current_sha = sha256(project.warehouse)

    run = project.run("rollback")

    assert run.returncode == 0, run
    assert sha256(project.warehouse) == first_sha
    assert sha256(project.root / "warehouse" / "ipo.rolledback.duckdb") == current_sha
    assert query(project.warehouse, "select count(*) from build_log")[0][0] == 1
    again = project.run("rollback")
    assert again.returncode == 1 and "no previous warehouse" in again.output
