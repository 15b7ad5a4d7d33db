"""Make recipes never expand what a user puts in a variable: `$(…)` and backticks stay text.

The variables reach the recipes through the environment as literal text (`$(value X)`), and the
recipes read the shell's variable ("$$X"), whose value the shell never parses again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Targets that only look at WAREHOUSE_PATH and stop when it does not exist (fast, nothing written).
TARGETS = ("changes", "shell", "validate", "rollback")


def make(target: str, variables: dict[str, str], *, via_environment: bool) -> subprocess.CompletedProcess:
    command = ["make", "-s", "-o", ".venv/.installed", target]
    env = None
    if via_environment:
        import os

        env = {**os.environ, **variables}
    else:
        command += [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("via_environment", [False, True], ids=["command line", "environment"])
@pytest.mark.parametrize("target", TARGETS)
def test_dollar_parentheses_and_backticks_in_warehouse_path_are_not_run(tmp_path, target, via_environment):
    marker_a, marker_b = tmp_path / "ran_dollar", tmp_path / "ran_backtick"
    weird = f"{tmp_path}/wh $(touch {marker_a}) `touch {marker_b}`/ipo.duckdb"

    proc = make(target, {"WAREHOUSE_PATH": weird}, via_environment=via_environment)

    assert proc.returncode != 0  # there is no such warehouse ...
    # ... and the message names it, character for character (rollback names the previous file in it).
    assert weird.removesuffix("ipo.duckdb") in proc.stdout + proc.stderr
    assert not marker_a.exists() and not marker_b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing created, not even a build folder


def test_sources_dir_reaches_the_recipe_as_text(tmp_path):
    marker = tmp_path / "ran"
    weird = f"{tmp_path}/`touch {marker}`$(touch {marker})"
    proc = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "fetch", f"SOURCES_DIR={weird}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    # The recipe refers to the variable; make put none of its text into the command line.
    assert '--urls "$SOURCES_DIR/urls.txt" --sources "$SOURCES_DIR"' in proc.stdout
    assert not marker.exists()


def test_make_help_lists_every_target_with_one_line():
    import re

    proc = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = proc.stdout.splitlines()
    listed = [line.split()[1] for line in lines]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE)
    assert sorted(listed) == sorted(set(targets))  # every target, once
    assert all(re.fullmatch(r"  make [a-z-]+ +\S.*", line) for line in lines), lines  # each with its line
    assert "  make report             the HTML report with charts" in proc.stdout
