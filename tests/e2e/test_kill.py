"""SIGKILL the whole build at 20 moments spread over its steps: the published warehouse never suffers.

Each kill starts `python -m pipeline build` in its own process group, waits for a step marker on its
output (`[ingest] ...`, `$ dbt build`, `[validate] ...`, `[publish] ...`), waits a
chosen delay and kills the group (the build and its ingest/dbt children) with SIGKILL: no cleanup
code runs. After every kill the published file must open read-only and be byte-identical to what it
was before - or, for a kill that landed after the final rename, be the complete warehouse of the
killed build (its build_id in build_log). At the end every expectation suite passes on it, and one
normal build succeeds and removes what the kills left behind.

All kills share one project copy (the session's), so dbt's partial parsing keeps each run short.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field

import duckdb
import pytest

from pipeline import publish, validate

from .project_copy import PROJECT_ROOT, Project, sha256

pytestmark = pytest.mark.e2e

#: Output lines that start a stage; the stage a kill landed in is the last one printed before it.
STAGE_MARKERS = {
    "clean": re.compile(r"^\[clean\] \.\.\.$"),
    "ingest": re.compile(r"^\[ingest\] \.\.\.$"),
    "dbt build": re.compile(r"^  \$ dbt build\b"),
    "validate": re.compile(r"^\[validate\] \.\.\.$"),
    "publish": re.compile(r"^\[publish\] \.\.\.$"),
    "published": re.compile(r"^  published "),
}
#: Extra markers inside a stage, for kills at a precise point of it.
TRIGGERS = STAGE_MARKERS | {
    "$ ingest": re.compile(r"^  \$ -m ingest "),
    "changes": re.compile(r"^  changes: "),
}
#: (marker, seconds after it): early in each stage (a kill costs the time to reach it), spread out.
KILL_PLAN = [
    ("clean", 0.0),
    ("$ ingest", 0.1),
    ("$ ingest", 0.5),
    ("$ ingest", 0.9),
    ("dbt build", 0.3),
    ("dbt build", 1.0),
    ("dbt build", 2.0),
    ("dbt build", 3.0),
    ("dbt build", 4.0),
    ("dbt build", 6.0),
    ("dbt build", 8.0),
    ("validate", 0.0),
    ("validate", 0.5),
    ("validate", 1.5),
    ("validate", 3.0),
    ("publish", 0.0),
    ("publish", 0.03),
    ("publish", 0.08),
    ("changes", 0.0),
    # Last, so the final build has a half-written dbt file and its WAL to clean up.
    ("dbt build", 5.0),
]
REQUIRED_STAGES = {"ingest", "dbt build", "validate", "publish"}


@dataclass
class Kill:
    marker: str
    delay: float
    build_id: str = ""
    seconds: float = 0.0
    stage: str = ""
    lines: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.delay:.2f}s after {self.marker!r}: killed at {self.seconds:5.1f}s "
            f"in stage {self.stage!r} (build {self.build_id})"
        )


def kill_build_at(project: Project, marker: str, delay: float, timeout: float = 300) -> Kill:
    """Start a build, SIGKILL its process group `delay` seconds after `marker` is printed."""
    kill = Kill(marker, delay)
    seen = threading.Event()
    started = time.monotonic()
    proc = project.start("build")

    def read() -> None:
        for line in proc.stdout:
            kill.lines.append(line.rstrip("\n"))
            if TRIGGERS[marker].search(kill.lines[-1]):
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while not seen.wait(0.02):
            if proc.poll() is not None or time.monotonic() - started > timeout:
                reader.join(timeout=10)
                pytest.fail(f"marker {marker!r} never printed:\n" + "\n".join(kill.lines[-40:]))
        time.sleep(delay)
        kill.seconds = time.monotonic() - started
        with contextlib.suppress(ProcessLookupError):  # a build that already finished has no group left
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        reader.join(timeout=60)  # the pipe closes once every process of the group is gone
    header = re.match(r"build (\S+):", kill.lines[0]) if kill.lines else None
    kill.build_id = header.group(1) if header else "?"
    if proc.returncode == 0:  # the last publish moments can come after a fast build has exited
        assert re.search(rf"^build {kill.build_id} published in", "\n".join(kill.lines), re.MULTILINE)
        kill.stage = "finished"
        return kill
    assert proc.returncode == -signal.SIGKILL, kill.lines[-20:]
    # Nothing is printed after the kill, so the last stage marker on the output is where it landed.
    kill.stage = "before clean"
    for line in kill.lines:
        for stage, pattern in STAGE_MARKERS.items():
            if pattern.search(line):
                kill.stage = stage
    return kill


def read_only_state(path) -> tuple[str, int]:
    """Open the published file read-only: (last build_id in build_log, figure count)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        [(last_build,)] = con.execute(
            "select build_id from build_log order by finished_at desc, build_id desc limit 1"
        ).fetchall()
        [(figures,)] = con.execute("select count(*) from fct_figures").fetchall()
    finally:
        con.close()
    return last_build, figures


def test_sigkill_at_any_moment_leaves_the_published_warehouse_intact(built_project):
    project, _ = built_project
    warehouse = project.warehouse
    assert warehouse.is_file()
    published_sha = sha256(warehouse)
    published_build, figures = read_only_state(warehouse)
    assert figures > 0
    kills: list[Kill] = []
    started = time.monotonic()

    for number, (marker, delay) in enumerate(KILL_PLAN, 1):
        kill = kill_build_at(project, marker, delay)
        kills.append(kill)
        print(f"kill {number:2d}/{len(KILL_PLAN)}: {kill.describe()}", flush=True)

        assert warehouse.is_file(), f"kill {number} lost the published file: {kill.describe()}"
        assert not publish.wal_path(warehouse).exists(), kill.describe()
        last_build, now_figures = read_only_state(warehouse)
        now_sha = sha256(warehouse)
        if now_sha != published_sha:
            # Only a kill after the final rename may change the file, and then it is the whole
            # audited warehouse of the killed build, never a mix or a partial copy.
            assert kill.stage in ("publish", "published", "finished"), kill.describe()
            assert last_build == kill.build_id != published_build, kill.describe()
            print(f"        the kill came after the rename: {kill.build_id} is published", flush=True)
            published_sha, published_build = now_sha, last_build
        assert (last_build, now_figures) == (published_build, figures), kill.describe()
        if project.previous.exists():
            read_only_state(project.previous)  # the previous copy is a whole warehouse too

    print(f"{len(kills)} kills in {time.monotonic() - started:.0f}s", flush=True)
    landed = {k.stage for k in kills}
    assert landed >= REQUIRED_STAGES, [k.describe() for k in kills]
    # Each build started after a kill in dbt or later first removed what that kill left behind.
    cleaned = [k for k in kills if any(line.endswith("(left by a killed build)") for line in k.lines)]
    assert len(cleaned) >= 10, [k.describe() for k in kills]

    # The survivor passes every expectation suite.
    suites = validate.load_suites(project.root / "expectations")
    results = validate.validate_warehouse(warehouse, suites)
    assert validate.all_passed(results), "\n".join(validate.report_lines(results))

    # The kills left candidates, WALs and logs behind; the next build reports and removes them. (Failed
    # candidates of earlier tests, and the dbt logs that explain them, are kept on purpose.)
    failed_ids = {p.name.split(".")[1] for p in project.build_dir.glob("*" + publish.FAILED_SUFFIX)}
    left_behind = sorted(
        p.name
        for p in project.build_dir.iterdir()
        if p.is_file()
        and p.name != ".lock"
        and ".failed." not in p.name
        and not (p.suffix == ".log" and p.name.split(".")[1] in failed_ids)
    )
    assert any(name.endswith(".duckdb") for name in left_behind), left_behind
    run = project.run("build")
    assert run.returncode == 0, run
    removed = re.findall(r"^  removed stale (\S+) \(left by a killed build\)$", run.output, re.MULTILINE)
    assert set(removed) >= set(left_behind), (left_behind, run)
    remaining = sorted(p.name for p in project.build_dir.iterdir() if p.is_file())
    assert [n for n in remaining if n in left_behind] == [], remaining
    assert not [n for n in remaining if n.endswith((".duckdb", ".wal")) and ".failed." not in n], remaining
    assert list(warehouse.parent.glob(f".*{publish.TMP_MARKER}*")) == []
    assert read_only_state(warehouse)[0] != published_build


# --- the publish step itself, killed before each of its filesystem operations (deterministic) ----------

KILL_BEFORE_NTH_OPERATION = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from pipeline import publish

    candidate, target, nth = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    done = []

    def killed_before(operation):
        def wrapper(*args, **kwargs):
            done.append(operation.__name__)
            if len(done) == nth:
                print(" ".join(done), flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            return operation(*args, **kwargs)
        return wrapper

    os.link, os.replace = killed_before(os.link), killed_before(os.replace)
    publish.publish(candidate, target)
    print(" ".join(done) + " (finished)", flush=True)
    """
)


#: The filesystem operations of a publish with one kept file before it: shift prev -> prev.2, link the
#: published file to a temporary name, rename that to prev, rename the candidate to the published name.
PUBLISH_OPERATIONS = ["replace", "link", "replace", "replace"]
KEPT = [".build", "ipo.duckdb", "ipo.prev.2.duckdb", "ipo.prev.duckdb"]


@pytest.mark.parametrize("nth", [1, 2, 3, 4, 5])
def test_publish_killed_between_any_two_of_its_renames(tmp_path, duckdb_files, nth):
    """A kill before any operation of a publish leaves the old published file whole, every kept file
    whole, and the next publish completes and clears the leftovers."""
    target = duckdb_files.marker(tmp_path / "warehouse" / "ipo.duckdb", "old")
    duckdb_files.marker(publish.prev_path(target), "older")
    candidate = duckdb_files.marker(tmp_path / "warehouse" / ".build" / "ipo" / "ipo.new.duckdb", "new")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}

    proc = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_NTH_OPERATION, str(candidate), str(target), str(nth)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    operations = proc.stdout.split()
    print(f"kill before operation {nth}: {proc.stdout.strip()}")
    kept = lambda: [duckdb_files.read(p) for _, p in publish.history(target)]  # noqa: E731
    if nth <= len(PUBLISH_OPERATIONS):
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        assert operations == PUBLISH_OPERATIONS[:nth]
        assert duckdb_files.read(target) == "old"
        # Every kept file is whole; at worst one name is free for a moment (older moved, old not yet).
        assert kept() == {1: ["older"], 2: ["older"], 3: ["older"], 4: ["old", "older"]}[nth]
    else:
        assert proc.returncode == 0, proc.stderr
        assert (duckdb_files.read(target), kept()) == ("new", ["old", "older"])
        assert sorted(p.name for p in target.parent.iterdir()) == KEPT
        return
    leftovers = [p.name for p in publish.clean_stale_beside(target)]
    if nth == 3:  # killed between the link and its rename: the temporary name is left, and removed
        assert len(leftovers) == 1 and re.fullmatch(r"\.ipo\.prev\.duckdb\.tmp-\d+", leftovers[0]), leftovers
    else:
        assert leftovers == []
    publish.publish(candidate, target)
    assert duckdb_files.read(target) == "new"
    assert kept()[0] == "old" and "older" in kept()
    # Nothing left beside it, not even after a kill that left prev and target as one linked file.
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".") and p.name != ".build"] == []
