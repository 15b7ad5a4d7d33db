"""`python -m pipeline build`: ingest -> dbt (into a new file) -> validate (read-only) -> publish.

The published warehouse is only ever replaced by a candidate that passed every dbt test and every
expectation suite. Each step prints what it did and how long it took.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import progress
from pipeline import changes, fingerprint, publish, validate

DBT_FAILED_STATUSES = {"error", "fail", "runtime error"}


class BuildFailed(RuntimeError):
    """A step failed; the message is the one-line reason printed at the end of the build."""


@dataclass
class BuildConfig:
    project_dir: Path
    sources_dir: Path
    warehouse_path: Path
    strict: bool
    skip_ingest: bool = False
    force: bool = False  # rebuild even when the inputs equal the published build's

    @classmethod
    def from_env(cls, project_dir: Path | None = None) -> BuildConfig:
        root = Path(project_dir or Path.cwd()).resolve()

        def under_root(value: str) -> Path:
            path = Path(value)
            return path if path.is_absolute() else root / path

        return cls(
            project_dir=root,
            sources_dir=under_root(os.environ.get("SOURCES_DIR") or "sources"),
            warehouse_path=under_root(os.environ.get("WAREHOUSE_PATH") or "warehouse/ipo.duckdb"),
            strict=os.environ.get("STRICT", "").lower() in ("1", "true", "yes"),
            force=os.environ.get("FORCE", "").lower() in ("1", "true", "yes"),
        )

    @property
    def build_dir(self) -> Path:
        return self.warehouse_path.parent / ".build"

    @property
    def target_path(self) -> Path:
        return self.project_dir / "target"


@dataclass
class StepTimer:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"[{name}] ...", flush=True)
        started = time.monotonic()
        try:
            yield
        finally:
            elapsed = time.monotonic() - started
            self.timings[name] = elapsed
            print(f"[{name}] done in {elapsed:.1f}s", flush=True)


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"


def _tool(name: str) -> str:
    """A console script of the running interpreter's environment (the project's .venv)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def _child_env(config: BuildConfig, candidate: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        DBT_PROFILES_DIR=str(config.project_dir),
        PYTHONPATH=str(config.project_dir),
    )
    if candidate is not None:
        env["DBT_DUCKDB_PATH"] = str(candidate)
    return env


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """One build at a time per warehouse: a second one would delete the first one's candidate."""
    build_dir.mkdir(parents=True, exist_ok=True)
    lock_file = build_dir / ".lock"
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            raise BuildFailed(
                f"another build holds {lock_file} (pid {handle.read().strip() or '?'})"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- steps ---------------------------------------------------------------------------------------------


def step_clean(config: BuildConfig) -> None:
    removed, kept = publish.clean_stale(config.build_dir)
    removed += publish.clean_stale_beside(config.warehouse_path)
    for path in removed:
        print(f"  removed stale {path.name} (left by a killed build)")
    for path in kept:
        print(f"  kept failed candidate {path} for inspection")
    if not removed and not kept:
        print(f"  {config.build_dir} is clean")


def step_ingest(config: BuildConfig) -> int | None:
    out = config.project_dir / "seeds" / "extracted"
    if config.skip_ingest:
        if not any(out.glob("*.csv")):
            raise BuildFailed(f"ingest skipped (--skip-ingest) but {out} holds no seed CSVs")
        print(f"  skipped (--skip-ingest): using the seeds already in {out}")
        return 0
    if not config.sources_dir.is_dir():
        raise BuildFailed(f"ingest: sources directory {config.sources_dir} does not exist")
    command = [sys.executable, "-m", "ingest", "--sources", str(config.sources_dir), "--out", str(out)]
    command += ["--parquet-out", str(parquet_dir(config))]  # the fast load path (see choose_load_path)
    print("  $ " + " ".join(command[1:]), flush=True)
    proc = subprocess.run(
        command,
        check=False,
        cwd=config.project_dir,
        env=_child_env(config),
        text=True,
        stdout=subprocess.PIPE,
    )
    print(proc.stdout, end="", flush=True)
    if proc.returncode != 0:
        raise BuildFailed(f"ingest exited with {proc.returncode}")
    for csv in sorted(out.glob("*.csv")):
        with open(csv, encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"  {csv.relative_to(config.project_dir)}: {rows} rows")
    return changes.documents_extracted_from(proc.stdout)


def _dbt(config: BuildConfig, candidate: Path, args: list[str], log: Path) -> tuple[int, list[dict]]:
    command = [
        _tool("dbt"),
        *args,
        "--project-dir",
        str(config.project_dir),
        "--profiles-dir",
        str(config.project_dir),
        "--target-path",
        str(config.target_path),
    ]
    print("  $ dbt " + " ".join(args), flush=True)
    run_results = config.target_path / "run_results.json"
    run_results.unlink(missing_ok=True)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"\n$ {' '.join(command)}\n")
        handle.flush()
        # The output goes to the log; in a terminal its node lines also drive a one-line counter.
        returncode = progress.run_dbt(
            command, handle, f"dbt {args[0]}", cwd=config.project_dir, env=_child_env(config, candidate)
        )
    results = json.loads(run_results.read_text())["results"] if run_results.exists() else []
    return returncode, results


def _summarise_dbt(results: list[dict]) -> Counter:
    return Counter(str(r.get("status", "?")).upper() for r in results)


def _print_dbt_failures(results: list[dict], log: Path, returncode: int) -> None:
    failed = [r for r in results if str(r.get("status")) in DBT_FAILED_STATUSES]
    for r in failed:
        message = " ".join(str(r.get("message") or "").split())
        print(f"  FAILED {r.get('unique_id')}: {message[:400]}")
    if not failed:
        # Nothing ran (compilation or profile error): the reason is at the end of the log.
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        print(f"  dbt exited with {returncode}; last lines of {log}:")
        print("\n".join("    " + line for line in tail))


def dbt_work_file(config: BuildConfig) -> Path:
    """The file dbt builds into: one fixed name per warehouse, private to the build holding the lock.

    Why not the candidate's own name: the path is part of dbt's profile, and a profile that changes
    makes dbt re-parse the whole project (several seconds) instead of using its partial-parse state.
    """
    return config.build_dir / f"{config.warehouse_path.stem}.dbt.duckdb"


# --- load path: how the extracted tables reach DuckDB ---------------------------------------------------

# Above this many extracted figures the staging models read ingest's Parquet copies instead of the
# seeds: `dbt seed` takes ~20 s for 320,000 figures, Parquet well under a second (BENCHMARKS.md).
PARQUET_LOAD_MIN_FIGURES = 20_000


def parquet_dir(config: BuildConfig) -> Path:
    return config.project_dir / "build" / "extracted"


def choose_load_path(config: BuildConfig) -> tuple[str, list[str]]:
    """(`seed` | `parquet`, the dbt arguments that select it). Env INGEST_LOAD=seed|parquet|auto.

    auto (the default): Parquet when the corpus gave more than PARQUET_LOAD_MIN_FIGURES figures and
    every Parquet copy is at least as new as its seed (not so after `--skip-ingest` on older files).
    """
    wanted = (os.environ.get("INGEST_LOAD") or "auto").strip().lower()
    if wanted not in ("auto", "seed", "parquet"):
        raise BuildFailed(f"INGEST_LOAD={wanted!r}: expected seed, parquet or auto")
    seeds = sorted((config.project_dir / "seeds" / "extracted").glob("*.csv"))
    copies = [parquet_dir(config) / f"{csv.stem}.parquet" for csv in seeds]
    fresh = bool(seeds) and all(
        c.exists() and c.stat().st_mtime >= s.stat().st_mtime for s, c in zip(seeds, copies, strict=True)
    )
    if wanted == "auto":
        figures = config.project_dir / "seeds" / "extracted" / "ingest_figures.csv"
        with open(figures, "rb") as handle:
            many = sum(1 for _ in handle) - 1 > PARQUET_LOAD_MIN_FIGURES
        wanted = "parquet" if many and fresh else "seed"
    elif wanted == "parquet" and not fresh:
        raise BuildFailed(f"INGEST_LOAD=parquet but {parquet_dir(config)} lacks up-to-date Parquet copies")
    if wanted == "seed":
        return "seed", []
    dbt_vars = json.dumps({"ingest_load": "parquet", "ingest_parquet_dir": str(parquet_dir(config))})
    return "parquet", ["--vars", dbt_vars]


def step_dbt(config: BuildConfig, candidate: Path, log: Path) -> str:
    """dbt seed, then dbt build (models, data tests, unit tests) into a new file, renamed `candidate`."""
    totals: Counter = Counter()
    work = dbt_work_file(config)
    for leftover in (work, publish.wal_path(work)):
        leftover.unlink(missing_ok=True)
    load, dbt_vars = choose_load_path(config)
    print(f"  extracted tables load from: {load}")
    # Parquet: only the reference seeds are loaded; the staging models read the extracted tables.
    seed_args = ["seed"] if load == "seed" else ["seed", "--exclude", "path:seeds/extracted"]
    try:
        for args in (seed_args + dbt_vars, ["build", "--exclude-resource-type", "seed", *dbt_vars]):
            returncode, results = _dbt(config, work, args, log)
            counts = _summarise_dbt(results)
            totals.update(counts)
            print(f"  dbt {args[0]}: " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
            if returncode != 0:
                _print_dbt_failures(results, log, returncode)
                raise BuildFailed(f"dbt {args[0]} failed (full log: {log})")
            if config.strict and counts.get("WARN"):
                warned = [r.get("unique_id") for r in results if str(r.get("status")) == "warn"]
                raise BuildFailed(f"STRICT: dbt {args[0]} has warnings: {warned}")
    finally:
        # dbt has exited: the file takes this build's name, passed or failed (a failed one is kept).
        for source, dest in ((work, candidate), (publish.wal_path(work), publish.wal_path(candidate))):
            if source.exists():
                os.replace(source, dest)
    if publish.wal_path(candidate).exists():
        raise BuildFailed(
            f"dbt left {publish.wal_path(candidate)} behind: the candidate was not closed cleanly"
        )
    return " ".join(f"{k}={v}" for k, v in sorted(totals.items()))


def step_validate(config: BuildConfig, candidate: Path) -> tuple[int, int]:
    suites = validate.load_suites(config.project_dir / "expectations")
    results = validate.validate_warehouse(candidate, suites)
    for line in validate.report_lines(results):
        print("  " + line)
    uncovered = validate.unaudited_tables(candidate, suites)
    if uncovered:
        print(f"  note: no expectation suite for {', '.join(uncovered)}")
    passed = sum(r.passed for r in results)
    total = sum(r.total for r in results)
    if not validate.all_passed(results):
        failing = [r.suite.name for r in results if not r.ok]
        raise BuildFailed(f"validate: {len(failing)} suite(s) failed: {', '.join(failing)}")
    return passed, total


def run_build(config: BuildConfig) -> int:
    build_id = new_build_id()
    timer = StepTimer()
    started_at = time.time()
    candidate = config.build_dir / f"{config.warehouse_path.stem}.{build_id}.duckdb"
    log = config.build_dir / f"dbt.{build_id}.log"
    print(f"build {build_id}: sources={config.sources_dir} warehouse={config.warehouse_path}")
    print(f"  strict={config.strict} skip_ingest={config.skip_ingest}")
    try:
        with build_lock(config.build_dir):
            with timer.step("clean"):
                step_clean(config)
            with timer.step("ingest"):
                documents_extracted = step_ingest(config)
            inputs = fingerprint.input_fingerprint(config.project_dir)
            current = None if config.force else fingerprint.published_fingerprint(config.warehouse_path)
            if current and current[1] == inputs:
                # Same seeds, models, suites and pipeline as the published build: dbt and the audit
                # would make the same file again. Nothing is written; the published file stays.
                print(
                    f"nothing changed since build {current[0]}: {config.warehouse_path} is current "
                    f"(FORCE=1 rebuilds anyway); done in {time.time() - started_at:.1f}s"
                )
                return 0
            try:
                with timer.step("dbt"):
                    dbt_summary = step_dbt(config, candidate, log)
                with timer.step("validate"):
                    passed, total = step_validate(config, candidate)
                with timer.step("publish"):
                    summary = changes.record_changes(
                        candidate,
                        config.warehouse_path,
                        build_id=build_id,
                        started_at=datetime.fromtimestamp(started_at, UTC),
                        finished_at=datetime.now(UTC),
                        status="published",
                        documents_extracted=documents_extracted,
                        details={
                            "git_commit": changes.git_commit(config.project_dir),
                            "input_fingerprint": inputs,
                            "sources_dir": str(config.sources_dir),
                            "dbt_summary": dbt_summary,
                            "expectations_passed": passed,
                            "expectations_total": total,
                            "step_seconds": json.dumps({k: round(v, 2) for k, v in timer.timings.items()}),
                        },
                    )
                    print("  " + changes.format_summary(summary))
                    result = publish.publish(candidate, config.warehouse_path)
                    for note in result.notes:
                        print("  " + note)
                    kept = f", previous kept as {result.previous.name}" if result.previous else ""
                    print(f"  published {result.published}{kept}")
            except Exception as exc:
                # Whatever went wrong after dbt started, the candidate is set aside and never published.
                if candidate.exists():
                    failed = publish.set_aside_failed(candidate)
                    print(f"candidate kept for inspection: {failed}", file=sys.stderr)
                if isinstance(exc, BuildFailed):
                    raise
                raise BuildFailed(f"{type(exc).__name__}: {exc}") from exc
            log.unlink(missing_ok=True)
    except BuildFailed as exc:
        print(f"BUILD FAILED: {exc}", file=sys.stderr)
        print(f"published warehouse untouched: {config.warehouse_path}", file=sys.stderr)
        return 1
    summary = " ".join(f"{k}={v:.1f}s" for k, v in timer.timings.items())
    print(f"build {build_id} published in {time.time() - started_at:.1f}s ({summary})")
    return 0
