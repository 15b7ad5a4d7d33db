"""Analysts' read-only sessions stay open through a whole `make build`, and never block its publish.

Two readers hold the published file: a Python process with `duckdb.connect(read_only=True)` and the
DuckDB CLI (`.venv/bin/duckdb -readonly`, what `make shell` runs). Both query before, several times
during and after the build. They keep their consistent view of the file they opened (the publish is a
rename, so their open file is never modified) and a fresh connection sees the new build.

`make build` runs in the session's project copy with the real `.venv` linked into it; `-o` stops
make from reinstalling the environment if requirements.txt looks newer than its install stamp.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pytest

from .project_copy import PROJECT_ROOT

pytestmark = pytest.mark.e2e

LAST_BUILD = "select build_id from build_log order by finished_at desc, build_id desc limit 1"
PYTHON_READER = textwrap.dedent(
    f"""
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        [(build_id,)] = con.execute("{LAST_BUILD}").fetchall()
        [(figures,)] = con.execute("select count(*) from fct_figures").fetchall()
        print(json.dumps([build_id, figures]), flush=True)
    """
)


class Reader:
    """A long-lived read-only session answering one query per request on its stdout."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def ask(self) -> tuple[str, int]:
        request = "go\n" if self.name == "python" else f"{LAST_BUILD}; select count(*) from fct_figures;\n"
        self.proc.stdin.write(request)
        self.proc.stdin.flush()
        if self.name == "python":
            build_id, figures = json.loads(self.proc.stdout.readline())
        else:  # the CLI prints one csv line per statement
            build_id = self.proc.stdout.readline().strip()
            figures = int(self.proc.stdout.readline().strip())
        return build_id, figures

    def close(self) -> int:
        try:
            self.proc.stdin.write("quit\n" if self.name == "python" else ".quit\n")
            self.proc.stdin.close()
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def fresh_view(path) -> tuple[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        [(build_id,)] = con.execute(LAST_BUILD).fetchall()
        [(figures,)] = con.execute("select count(*) from fct_figures").fetchall()
    finally:
        con.close()
    return build_id, figures


def test_read_only_sessions_survive_a_full_make_build(built_project):
    project, _ = built_project
    venv = project.root / ".venv"
    if not venv.exists():
        venv.symlink_to(PROJECT_ROOT / ".venv", target_is_directory=True)
    warehouse = project.warehouse
    before = fresh_view(warehouse)
    readers = [
        Reader("python", [sys.executable, "-c", PYTHON_READER, str(warehouse)]),
        Reader("cli", [str(venv / "bin" / "duckdb"), "-readonly", "-csv", "-noheader", str(warehouse)]),
    ]
    answers: dict[str, list[tuple[str, tuple[str, int]]]] = {r.name: [] for r in readers}
    try:
        for reader in readers:
            answers[reader.name].append(("before", reader.ask()))
        build = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "build"],
            cwd=project.root,
            env=project.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        collector = threading.Thread(target=lambda: output.extend(build.stdout), daemon=True)
        collector.start()
        while build.poll() is None:
            for reader in readers:
                answers[reader.name].append(("during", reader.ask()))
            time.sleep(0.5)
        collector.join(timeout=60)
        log = "".join(output)
        assert build.returncode == 0, log[-6000:]
        for reader in readers:
            answers[reader.name].append(("after", reader.ask()))
    finally:
        codes = {reader.name: reader.close() for reader in readers}

    assert codes == {"python": 0, "cli": 0}
    for name, seen in answers.items():
        during = [answer for when, answer in seen if when == "during"]
        assert len(during) >= 5, (name, seen)
        # Every query succeeded and saw the warehouse as it was when the session opened it.
        assert {answer for _, answer in seen} == {before}, (name, seen)
    assert re.search(r"^\[publish\] done in", log, re.MULTILINE), log[-3000:]
    [new_build] = re.findall(r"^build (\S+) published in", log, re.MULTILINE)
    after = fresh_view(warehouse)
    assert after == (new_build, before[1]) and new_build != before[0]
