"""`python -m pipeline build`: ingest -> dbt (into a new file) -> validate (read-only) -> publish.

The published warehouse is only ever replaced by a candidate that passed every dbt test and every
expectation suite. A check that fails on rows of some documents quarantines those documents (within
an error budget) and the rest is built once more without them; a document published before keeps its
last good rows (stale) when it fails to read, extract or pass a check; and a candidate markedly
smaller than the published warehouse is not published without ALLOW_SHRINK=1. Everything a build
writes lives in its own folder beside its warehouse (`<dir>/.build/<stem>/`), under its lock.
Each step prints what it did and how long it took.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import progress
from pipeline import changes, extracted, fingerprint, health, publish, quarantine, report, surface, validate

DBT_FAILED_STATUSES = {"error", "fail", "runtime error"}
_TRUE = ("1", "true", "yes")
DEFAULT_QUARANTINE_BUDGET = 0.10
DEFAULT_SHRINK_LIMIT = 0.05


class BuildFailed(RuntimeError):
    """A step failed; the message is the one-line reason printed at the end of the build."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def _share(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise BuildFailed(f"{name}={raw!r}: expected a share between 0 and 1 (e.g. 0.05 for 5%)")
    return value


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BuildFailed(f"{name}={raw!r}: expected a whole number of at least 1")
    return int(raw)


@dataclass
class BuildConfig:
    project_dir: Path
    sources_dir: Path
    warehouse_path: Path
    strict: bool
    skip_ingest: bool = False
    force: bool = False  # rebuild even when the inputs equal the published build's
    quarantine_budget: float = DEFAULT_QUARANTINE_BUDGET  # share of documents a build may quarantine
    shrink_limit: float = DEFAULT_SHRINK_LIMIT  # share of documents or figures a publish may lose
    allow_shrink: bool = False
    keep_published: int = publish.DEFAULT_KEEP_PUBLISHED
    cache_dir: Path | None = None  # the ingest cache; None: the build's own folder

    @classmethod
    def from_env(cls, project_dir: Path | None = None) -> BuildConfig:
        root = Path(project_dir or Path.cwd()).resolve()

        def under_root(value: str) -> Path:
            path = Path(value)
            return path if path.is_absolute() else root / path

        cache = os.environ.get("INGEST_CACHE_DIR")
        return cls(
            project_dir=root,
            sources_dir=under_root(os.environ.get("SOURCES_DIR") or "sources"),
            warehouse_path=under_root(os.environ.get("WAREHOUSE_PATH") or "warehouse/ipo.duckdb"),
            strict=_flag("STRICT"),
            force=_flag("FORCE"),
            quarantine_budget=_share("QUARANTINE_BUDGET", DEFAULT_QUARANTINE_BUDGET),
            shrink_limit=_share("SHRINK_LIMIT", DEFAULT_SHRINK_LIMIT),
            allow_shrink=_flag("ALLOW_SHRINK"),
            keep_published=_count("KEEP_PUBLISHED", publish.DEFAULT_KEEP_PUBLISHED),
            cache_dir=under_root(cache) if cache else None,
        )

    @property
    def build_dir(self) -> Path:
        """This warehouse's own folder: two warehouses, even in one folder, never share one."""
        return self.warehouse_path.parent / ".build" / self.warehouse_path.stem

    @property
    def extracted_dir(self) -> Path:
        """What ingest writes: every extracted table as CSV and Parquet."""
        return self.build_dir / "extracted"

    @property
    def loaded_dir(self) -> Path:
        """The extracted tables as loaded into dbt's file (stale rows in, quarantined ones out)."""
        return self.build_dir / "loaded"

    @property
    def target_path(self) -> Path:
        return self.build_dir / "target"

    @property
    def report_path(self) -> Path:
        """The report of the published warehouse, beside it."""
        return self.warehouse_path.with_name("report.html")

    @property
    def log_path(self) -> Path:
        return self.build_dir / "logs"

    @property
    def ingest_cache_dir(self) -> Path:
        return self.cache_dir or self.build_dir / "cache"

    def shown(self, path: Path) -> str:
        """`path` relative to the project when it is inside it, else as it is (what is printed)."""
        return shown_path(path, self.project_dir)

    def published(self, path: Path) -> str:
        """`path` as the published warehouse may hold it: relative to the project, or `…/<name>` for a
        folder outside it (a published table never says where the build ran)."""
        shown = self.shown(path)
        return "…/" + Path(path).name if Path(shown).is_absolute() else shown


def shown_path(path: Path, project_dir: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(project_dir.resolve())) or "."
    except ValueError:
        return str(path)


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


def tool_path(name: str) -> str:
    """A console script of the running interpreter's environment (the project's .venv)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def child_env(config: BuildConfig, candidate: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        DBT_PROFILES_DIR=str(config.project_dir),
        PYTHONPATH=str(config.project_dir),
    )
    env.setdefault("DBT_THREADS", str(max(1, len(os.sched_getaffinity(0)))))  # dbt threads = cores
    if candidate is not None:
        env["DBT_DUCKDB_PATH"] = str(candidate)
    return env


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """One build (or rollback) at a time per warehouse: a second one would delete the first's files."""
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


def describe_os_error(exc: OSError) -> str:
    """One line naming the path and what is wrong with it (full disk, read-only folder ...)."""
    path = exc.filename or exc.filename2
    where = f" {path}" if path else ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device while writing{where}: free some space and build again"
    if exc.errno == errno.EROFS:
        return f"cannot write{where}: the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write{where}: permission denied"
    return f"cannot use{where}: {exc.strerror or exc}"


def failure_line(exc: BaseException) -> str:
    """One line for an unexpected error (DuckDB, Polars ...), saying so when the disk is full."""
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    text = " ".join(str(exc).split())[:500]
    if "No space left on device" in text:
        return f"no space left on the device: {text}"
    return f"{type(exc).__name__}: {text}"


# --- steps ---------------------------------------------------------------------------------------------


def step_clean(config: BuildConfig) -> None:
    removed, kept = publish.clean_stale(config.build_dir)
    removed += publish.clean_stale_beside(config.warehouse_path)
    pruned = publish.prune_failed(config.build_dir)
    for path in removed:
        print(f"  removed stale {path.name} (left by a killed build)")
    for path in pruned:
        print(f"  pruned {path.name} (only the last {publish.KEEP_FAILED} failed candidates are kept)")
    for path in kept:
        if path.exists():
            print(f"  kept failed candidate {config.shown(path)} for inspection")
    if not removed and not kept and not pruned:
        print(f"  {config.shown(config.build_dir)} is clean")


def step_check_published(config: BuildConfig) -> health.Size | None:
    """The published warehouse's size; a file that does not open fails the build before any work."""
    target = config.warehouse_path
    if not target.exists():
        print(f"  no published warehouse at {config.shown(target)} yet")
        return None
    try:
        size = health.inspect_warehouse(target)
    except health.Unreadable as exc:
        kept = [config.shown(p) for _, p in publish.history(target)]
        hint = (
            f"`make rollback` puts back the last good one ({kept[0]})"
            if kept
            else "no earlier warehouse is kept: move it aside to build from scratch"
        )
        raise BuildFailed(f"the published warehouse is corrupt: {exc}; {hint}") from exc
    print(f"  published {config.shown(target)}: {size.documents} documents, {size.figures} figures")
    return size


def step_ingest(config: BuildConfig) -> int | None:
    out = config.extracted_dir
    if config.skip_ingest:
        if not any(out.glob("*.parquet")):
            raise BuildFailed(
                f"ingest skipped (--skip-ingest) but {config.shown(out)} holds no extracted tables"
            )
        print(f"  skipped (--skip-ingest): using the tables already in {config.shown(out)}")
        return 0
    if not config.sources_dir.is_dir():
        raise BuildFailed(f"ingest: sources directory {config.sources_dir} does not exist")
    # Paths as shown (relative to the project, where ingest runs, when inside it): ingest prints them.
    sources, shown_out = config.shown(config.sources_dir), config.shown(out)
    command = [sys.executable, "-m", "ingest", "--sources", sources, "--out", shown_out]
    command += ["--parquet-out", shown_out, "--cache-dir", config.shown(config.ingest_cache_dir)]
    print("  $ " + " ".join(command[1:]), flush=True)
    proc = subprocess.run(
        command,
        check=False,
        cwd=config.project_dir,
        env=child_env(config),
        text=True,
        stdout=subprocess.PIPE,
    )
    print(proc.stdout, end="", flush=True)
    if proc.returncode != 0:
        # Its own reason (a full disk names the file it could not write) is on stderr, just above.
        raise BuildFailed(f"ingest exited with {proc.returncode}")
    for csv in sorted(out.glob("*.csv")):
        with open(csv, encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"  {config.shown(csv)}: {rows} rows")
    return changes.documents_extracted_from(proc.stdout)


# --- the extracted tables: stale documents put back, host paths masked --------------------------------

_ABSOLUTE_PATH = re.compile(r"(?:(?<=^)|(?<=[\s'\"(]))/[^\s'\",;:()]+(?<!\.)")


def mask_host_paths(text: str, written: str, roots: list[tuple[Path, str]]) -> str:
    """`text` with every absolute path other than `written` (the manifest's own words) made relative
    to one of `roots` ((folder, shown as)), or cut to `…/<name>` outside them."""

    def relative(match: re.Match) -> str:
        path = match.group(0)
        if path == written:
            return path
        for root, shown in roots:
            try:
                rest = Path(path).relative_to(root)
            except ValueError:
                continue
            return str(Path(shown) / rest) if str(rest) != "." else shown
        return "…/" + Path(path).name

    return _ABSOLUTE_PATH.sub(relative, text)


def masked_rejections(config: BuildConfig, tables: extracted.Tables) -> extracted.Tables:
    """Rejection details without host paths: the published warehouse must not say where it was built."""
    import polars as pl

    sources = config.published(config.sources_dir)
    roots = sorted(
        {(config.sources_dir.resolve(), sources), (config.sources_dir, sources), (config.project_dir, ".")},
        key=lambda r: -len(str(r[0])),
    )
    rejected = tables["ingest_rejected_documents"]
    details = [
        mask_host_paths(detail or "", name or "", roots)
        for name, detail in rejected.select("file_name", "detail").rows()
    ]
    masked = rejected.with_columns(pl.Series("detail", details, pl.String))
    return {**tables, "ingest_rejected_documents": masked}


def step_prepare(
    config: BuildConfig, published: extracted.Published | None
) -> tuple[extracted.Tables, list[extracted.StaleDocument]]:
    """The tables to load: ingest's, with the published rows of documents that failed to read back."""
    tables = masked_rejections(config, extracted.read_extracted(config.extracted_dir))
    stale: list[extracted.StaleDocument] = []
    if published is not None and published.has_rows:
        found = extracted.stale_candidates(tables, published)
        tables = extracted.keep_stale(tables, published, [d for d, _, _ in found])
        stale = extracted.describe_stale(tables, [d for d, _, _ in found], {d: r for d, _, r in found})
        tables = extracted.note_stale(tables, stale, published.build_id)
    for doc in stale:
        print(
            f"  STALE {doc.file_name}: {doc.reason} in this build; its {doc.figures} published figures "
            f"(build {published.build_id}) are kept, flagged is_stale"
        )
    counts = extracted.count_rows(tables)
    print(f"  {counts['ingest_documents']} documents, {counts['ingest_figures']} figures to load")
    if published is not None and published.has_rows:
        # Fail fast, before dbt: the same guard runs on the candidate's marts before it is published.
        _shrink_guard(config, _contents(published.tables), _contents(tables), "the extracted tables")
    return tables, stale


def _contents(tables: extracted.Tables) -> dict[str, int]:
    return health.contents(
        tables["ingest_documents"]["document_id"].to_list(), tables["ingest_figures"]["document_id"].to_list()
    )


def _shrink_guard(config: BuildConfig, before: dict[str, int], after: dict[str, int], what: str) -> None:
    problems = health.shrink_problems(before, after, config.shrink_limit)
    if not problems:
        return
    drop = "; ".join(problems)
    if config.allow_shrink:
        print(f"  WARNING: {what} against the published warehouse: {drop}; published anyway (ALLOW_SHRINK=1)")
        return
    raise BuildFailed(
        f"shrink guard: {what} against the published warehouse: {drop}, more than "
        f"SHRINK_LIMIT={config.shrink_limit:g} ({config.shrink_limit:.0%}); "
        "ALLOW_SHRINK=1 publishes it if the drop is intended"
    )


# --- dbt -----------------------------------------------------------------------------------------------


def run_dbt(config: BuildConfig, candidate: Path, args: list[str], log: Path) -> tuple[int, list[dict]]:
    command = [
        tool_path("dbt"),
        *args,
        "--project-dir",
        str(config.project_dir),
        "--profiles-dir",
        str(config.project_dir),
        "--target-path",
        str(config.target_path),
        "--log-path",
        str(config.log_path),
    ]
    print("  $ dbt " + " ".join(args), flush=True)
    run_results = config.target_path / "run_results.json"
    run_results.unlink(missing_ok=True)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"\n$ {' '.join(command)}\n")
        handle.flush()
        # The output goes to the log; in a terminal its node lines also drive a one-line counter.
        returncode = progress.run_dbt(
            command, handle, f"dbt {args[0]}", cwd=config.project_dir, env=child_env(config, candidate)
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


def _disk_full(log: Path) -> bool:
    try:
        return "No space left on device" in log.read_text(encoding="utf-8", errors="replace")[-20000:]
    except OSError:
        return False


def dbt_work_file(config: BuildConfig) -> Path:
    """The file dbt builds into: one fixed name per warehouse, private to the build holding the lock.

    Why not the candidate's own name: the path is part of dbt's profile, and a profile that changes
    makes dbt re-parse the whole project (several seconds) instead of using its partial-parse state.
    """
    return config.build_dir / f"{config.warehouse_path.stem}.dbt.duckdb"


#: One dbt command per build: the reference seeds, then every model and test (the staging models read the
#: extracted tables the pipeline loaded, through source()).
DBT_BUILD = ["build"]


@dataclass
class DbtRun:
    summary: str  # e.g. "PASS=244 SUCCESS=52"
    results: list[dict]  # the run_results of `dbt build` (and of the runs that completed it)
    passed: bool
    complete: bool = True  # every model was built (so the expectation suites can run)
    failures: list[quarantine.CheckFailure] = field(default_factory=list)  # the failing nodes, traced


def _node_names(results: list[dict], kind: str) -> list[str]:
    """Names of `kind` (model, test) nodes in `results`: `model.<project>.<name>` -> `<name>`."""
    return sorted({r["unique_id"].split(".")[2] for r in results if r["unique_id"].startswith(kind + ".")})


def _complete(config: BuildConfig, work: Path, results: list[dict], log: Path) -> tuple[list[dict], Counter]:
    """Build what `dbt build` skipped after a failure, then run its tests: every failing check is then
    seen in one pass (a failing staging test would otherwise hide the marts' failures)."""
    skipped = [r for r in results if str(r.get("status")) == "skipped"]
    merged = {r["unique_id"]: r for r in results}
    counts: Counter = Counter()
    models, tests = _node_names(skipped, "model"), _node_names(skipped, "test")
    if not models and not tests:
        return results, counts
    print(
        f"  dbt build skipped {len(skipped)} nodes after the failure: running them to see every failing check"
    )
    commands = [["run", "--select", *models]] if models else []
    commands.append(["test", "--select", *models, *tests])
    for args in commands:
        _, found = run_dbt(config, work, args, log)
        merged.update({r["unique_id"]: r for r in found})
        counts.update(_summarise_dbt(found))
        print(f"  dbt {args[0]}: " + " ".join(f"{k}={v}" for k, v in sorted(_summarise_dbt(found).items())))
    return list(merged.values()), counts


def step_dbt(
    config: BuildConfig, tables: extracted.Tables, candidate: Path, log: Path, *, complete: bool = False
) -> DbtRun:
    """Load the extracted tables, then one `dbt build` (reference seeds, models, tests) into a new file,
    renamed `candidate`.

    A failing `dbt build` is traced to documents on the file dbt left (`DbtRun.failures`); with
    `complete`, and when some failure traces to a document, the nodes it skipped are run too and
    traced again (see `_complete`): a quarantine then knows every failing check at once.
    """
    totals: Counter = Counter()
    work = dbt_work_file(config)
    for leftover in (work, publish.wal_path(work)):
        leftover.unlink(missing_ok=True)
    run = DbtRun("", [], passed=True)
    try:
        extracted.load_into(work, tables, config.loaded_dir)
        print(f"  loaded the extracted tables into {config.shown(work)}")
        # One dbt process (its start-up is a third of a small build): the reference seeds, then the
        # models and their tests, in dependency order. The extracted tables are already loaded.
        # The audit's imports (~2 s of CPU) overlap dbt's run, a separate process this one only waits on.
        validate.warm_up()
        returncode, results = run_dbt(config, work, DBT_BUILD, log)
        counts = _summarise_dbt(results)
        totals.update(counts)
        print("  dbt build: " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        if returncode != 0:
            _print_dbt_failures(results, log, returncode)
            if _disk_full(log):
                raise BuildFailed(f"dbt build: no space left on the device writing {config.shown(work)}")
            failed_seeds = [
                r["unique_id"].split(".")[-1]
                for r in results
                if r["unique_id"].startswith("seed.") and str(r.get("status")) in DBT_FAILED_STATUSES
            ]
            if failed_seeds or not results:
                what = f"reference seed {', '.join(failed_seeds)}" if failed_seeds else "dbt build"
                raise BuildFailed(f"{what} failed (full log: {config.shown(log)})")
            failures = _trace_dbt(config, work, results)
            if complete and any(f.traced for f in failures):
                results, more = _complete(config, work, results, log)
                totals.update(more)
                failures = _trace_dbt(config, work, results)
            unbuilt = [
                r for r in results if r["unique_id"].startswith("model.") and r.get("status") != "success"
            ]
            run = DbtRun("", results, passed=False, complete=not unbuilt, failures=failures)
        else:
            if config.strict and counts.get("WARN"):
                warned = [r.get("unique_id") for r in results if str(r.get("status")) == "warn"]
                raise BuildFailed(f"STRICT: dbt build has warnings: {warned}")
            run.results = results
    finally:
        # dbt has exited: the file takes this build's name, passed or failed (a failed one is kept).
        for source, dest in ((work, candidate), (publish.wal_path(work), publish.wal_path(candidate))):
            if source.exists():
                os.replace(source, dest)
    if publish.wal_path(candidate).exists():
        raise BuildFailed(
            f"dbt left {publish.wal_path(candidate)} behind: the candidate was not closed cleanly"
        )
    run.summary = " ".join(f"{k}={v}" for k, v in sorted(totals.items()))
    return run


def step_validate(config: BuildConfig, candidate: Path) -> tuple[int, int, list[validate.SuiteOutcome]]:
    suites = validate.load_suites(config.project_dir / "expectations")
    results = validate.validate_warehouse(candidate, suites)
    for line in validate.report_lines(results):
        print("  " + line)
    uncovered = validate.unaudited_tables(candidate, suites)
    if uncovered:
        print(f"  note: no expectation suite for {', '.join(uncovered)}")
    passed = sum(r.passed for r in results)
    total = sum(r.total for r in results)
    return passed, total, results


def _trace_dbt(config: BuildConfig, db: Path, results: list[dict]) -> list[quarantine.CheckFailure]:
    """The failing dbt nodes of `results`, traced on the file dbt built (read-only; dbt has exited)."""
    _, manifest = quarantine.read_dbt_artifacts(config.target_path)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return quarantine.dbt_failures(results, manifest, quarantine.Tracer(con))
    finally:
        con.close()


def _trace_expectations(
    candidate: Path, outcomes: list[validate.SuiteOutcome]
) -> list[quarantine.CheckFailure]:
    con = duckdb.connect(str(candidate), read_only=True)
    try:
        return quarantine.expectation_failures(outcomes, quarantine.Tracer(con))
    finally:
        con.close()


@dataclass
class Candidate:
    """A pass that produced a candidate passing every dbt test and expectation."""

    dbt_summary: str
    passed: int
    total: int
    outcomes: list[validate.SuiteOutcome] = field(default_factory=list)
    validated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def run_pass(
    config: BuildConfig,
    timer: StepTimer,
    tables: extracted.Tables,
    candidate: Path,
    log: Path,
    *,
    first: bool,
) -> tuple[Candidate | None, list[quarantine.CheckFailure]]:
    """dbt, then the expectation suites: (the candidate, []) when every check passes, else (None, the
    failing checks traced to documents). The first pass runs every check even after a failure."""
    suffix = "" if first else " (pass 2)"
    with timer.step("dbt" + suffix):
        run = step_dbt(config, tables, candidate, log, complete=first)
    failures = run.failures
    # The suites run after a failing dbt build only when it could be quarantined and every model built.
    if not run.passed and not (first and run.complete and any(f.traced for f in failures)):
        return None, failures
    with timer.step("validate" + suffix):
        passed, total, outcomes = step_validate(config, candidate)
        if validate.all_passed(outcomes) and run.passed:
            return Candidate(run.summary, passed, total, outcomes), []
        failing = [r.suite.name for r in outcomes if not r.ok]
        if failing:
            print(f"  {len(failing)} suite(s) failed: {', '.join(failing)}")
        return None, failures + _trace_expectations(candidate, outcomes)


def step_quarantine(
    config: BuildConfig,
    tables: extracted.Tables,
    failures: list[quarantine.CheckFailure],
    published: extracted.Published | None,
    at_ingest: Sequence[str] = (),
) -> tuple[extracted.Tables, quarantine.Decision, list[extracted.StaleDocument]]:
    """Take the documents of traced failures out (within the budget, which the documents ingest
    quarantined count in), or fail the build."""
    for failure in failures:
        print(f"  {'traced' if failure.traced else 'untraced'}: {failure.line()}")
    n_documents = tables["ingest_documents"].height
    try:
        decision = quarantine.decide(
            failures, n_documents, budget=config.quarantine_budget, strict=config.strict, at_ingest=at_ingest
        )
    except quarantine.Refused as exc:
        raise BuildFailed(str(exc)) from exc
    documents = tables["ingest_documents"].filter(
        tables["ingest_documents"]["document_id"].is_in(sorted(decision.documents))
    )
    names = dict(documents.select("document_id", "file_name").rows())
    tables = extracted.quarantine(tables, decision.documents)
    stale: list[extracted.StaleDocument] = []
    if published is not None and published.has_rows:
        before = set(published.tables["ingest_documents"]["document_id"].to_list())
        again = sorted(set(decision.documents) & before)
        tables = extracted.keep_stale(tables, published, again)
        stale = extracted.describe_stale(tables, again, dict.fromkeys(again, extracted.FAILED_CHECK))
    kept = {s.document_id: s for s in stale}
    for document_id, hits in sorted(decision.documents.items(), key=lambda item: names[item[0]]):
        checks = ", ".join(dict.fromkeys(h.check for h in hits))
        note = ""
        if document_id in kept:
            note = f"; its {kept[document_id].figures} published figures are kept (stale)"
        print(f"  QUARANTINED {names[document_id]} ({document_id}): {checks}{note}")
    quarantined, total = len(decision.documents) + len(at_ingest), n_documents + len(at_ingest)
    share = quarantined / max(total, 1)
    print(
        f"  {quarantined} of {total} documents quarantined ({share:.1%}, "
        f"QUARANTINE_BUDGET={config.quarantine_budget:g}); building the rest once more"
    )
    return tables, decision, stale


def _published_tables(config: BuildConfig) -> extracted.Published | None:
    if not config.warehouse_path.exists():
        return None
    current = fingerprint.published_fingerprint(config.warehouse_path)
    build_id = current[0] if current else "?"
    kept = surface.published_rows_dir(config.build_dir, build_id)
    try:
        if kept.is_dir():
            return extracted.Published(build_id=build_id, tables=extracted.read_extracted(kept))
        # A warehouse published before the analyst's surface still holds its loaded rows itself.
        return extracted.read_published(config.warehouse_path, build_id)
    except duckdb.Error as exc:
        raise BuildFailed(
            "cannot read the extracted tables of the published warehouse "
            f"{config.shown(config.warehouse_path)}: {' '.join(str(exc).split())[:300]}"
        ) from exc


def _publish(
    config: BuildConfig,
    candidate: Path,
    build_id: str,
    started_at: float,
    documents_extracted: int | None,
    inputs: str,
    made: Candidate,
    timer: StepTimer,
    notes: dict[str, object],
) -> None:
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
            "sources_dir": config.published(config.sources_dir),
            "dbt_summary": made.dbt_summary,
            "expectations_passed": made.passed,
            "expectations_total": made.total,
            "step_seconds": json.dumps({k: round(v, 2) for k, v in timer.timings.items()}),
            **notes,
        },
    )
    print("  " + changes.format_summary(summary))
    surface.keep_published_rows(config.loaded_dir, config.build_dir, build_id)
    audit = surface.audit_rows(made.outcomes, build_id, made.validated_at)
    previous_audit = surface.read_audit(config.warehouse_path)
    surface.finish_candidate(candidate, pl.concat([previous_audit, audit]))
    print(f"  audit_results: {audit.height} expectation results of this build kept")
    result = publish.publish(candidate, config.warehouse_path, keep=config.keep_published)
    for note in result.notes:
        print("  " + note)
    kept = f", previous kept as {result.previous.name}" if result.previous else ""
    print(f"  published {config.shown(result.published)}{kept}")
    history = publish.history(config.warehouse_path)
    if history:
        print(f"  kept {len(history)} earlier warehouse(s) (KEEP_PUBLISHED={config.keep_published})")
    published_ids = {build_id}
    for _, path in history:
        found = fingerprint.published_fingerprint(path)
        if found:
            published_ids.add(found[0])
    surface.prune_published_rows(config.build_dir, published_ids)


def step_report(config: BuildConfig) -> None:
    """Refresh the report beside the published warehouse. The publish has happened: a report that cannot
    be written is a warning, and `make report` says why again."""
    try:
        path, n = report.write_report(config.warehouse_path, config.report_path)
    except report.ReportError as exc:
        print(f"WARNING: the report was not refreshed: {exc}", file=sys.stderr)
        return
    print(f"report: {n} charts written to {config.shown(path)}")


def ingest_quarantines(tables: extracted.Tables) -> dict[str, str]:
    """File name -> detail of the documents ingest quarantined (quarantine.EXTRACTION_REASONS)."""
    rejected = tables["ingest_rejected_documents"].select("file_name", "reason", "detail").rows()
    chosen = set(quarantine.extraction_quarantines([(name, reason) for name, reason, _ in rejected]))
    return {name: f"{reason}: {detail}" for name, reason, detail in rejected if name in chosen}


def step_ingest_budget(config: BuildConfig, at_ingest: dict[str, str], n_loaded: int) -> None:
    """STRICT and the error budget over what ingest quarantined, before dbt runs."""
    for name, why in sorted(at_ingest.items()):
        print(f"  QUARANTINED {name} at ingest: {why}")
    try:
        quarantine.check_budget(
            [Path(name).stem for name in sorted(at_ingest)],
            n_loaded + len(at_ingest),
            budget=config.quarantine_budget,
            strict=config.strict,
        )
    except quarantine.Refused as exc:
        raise BuildFailed(str(exc)) from exc


def _warnings(
    stale: list[extracted.StaleDocument],
    decision: quarantine.Decision | None,
    names: dict[str, str],
    at_ingest: dict[str, str],
) -> list[str]:
    lines = []
    if at_ingest:
        lines.append(f"WARNING: {len(at_ingest)} document(s) quarantined at ingest (rejected_documents):")
        lines += [f"  {name}: {why}" for name, why in sorted(at_ingest.items())]
    if decision is not None:
        lines.append(
            f"WARNING: {len(decision.documents)} document(s) quarantined "
            "(rejected_documents, reason failed_check):"
        )
        for document_id, hits in sorted(decision.documents.items(), key=lambda item: names.get(item[0], "")):
            for hit in hits:
                lines.append(f"  {names.get(document_id, document_id)}: {hit.check} [{hit.values}]")
    if stale:
        lines.append(f"WARNING: {len(stale)} published document(s) kept stale (dim_documents.is_stale):")
        lines += [f"  {s.file_name}: {s.reason}; {s.figures} figures kept" for s in stale]
    return lines


def run_build(config: BuildConfig) -> int:
    build_id = new_build_id()
    timer = StepTimer()
    started_at = time.time()
    candidate = config.build_dir / f"{config.warehouse_path.stem}.{build_id}.duckdb"
    log = config.build_dir / f"dbt.{build_id}.log"
    shown_sources, shown_warehouse = config.shown(config.sources_dir), config.shown(config.warehouse_path)
    print(f"build {build_id}: sources={shown_sources} warehouse={shown_warehouse}")
    print(f"  strict={config.strict} skip_ingest={config.skip_ingest}")
    warnings: list[str] = []
    try:
        with build_lock(config.build_dir):
            with timer.step("clean"):
                step_clean(config)
                published_size = step_check_published(config)
            with timer.step("ingest"):
                documents_extracted = step_ingest(config)
            inputs = fingerprint.input_fingerprint(config.project_dir, config.extracted_dir)
            current = None if config.force else fingerprint.published_fingerprint(config.warehouse_path)
            if current and current[1] == inputs:
                # Same extracted tables, models, suites and pipeline as the published build: dbt and the
                # audit would make the same file again. Nothing is written; the published file stays.
                print(
                    f"nothing changed since build {current[0]}: {shown_warehouse} is current "
                    f"(FORCE=1 rebuilds anyway); done in {time.time() - started_at:.1f}s"
                )
                step_report(config)
                return 0
            try:
                published = _published_tables(config)
                with timer.step("prepare"):
                    tables, stale = step_prepare(config, published)
                names = dict(tables["ingest_documents"].select("document_id", "file_name").rows())
                at_ingest = ingest_quarantines(tables)
                step_ingest_budget(config, at_ingest, tables["ingest_documents"].height)
                made, failures = run_pass(config, timer, tables, candidate, log, first=True)
                decision = None
                if made is None:
                    with timer.step("quarantine"):
                        tables, decision, stale_again = step_quarantine(
                            config, tables, failures, published, [Path(n).stem for n in sorted(at_ingest)]
                        )
                        stale += stale_again
                        candidate.unlink(missing_ok=True)  # failed; the rebuild replaces it
                    made, failures = run_pass(config, timer, tables, candidate, log, first=False)
                    if made is None:
                        raise BuildFailed(
                            f"without the {len(decision.documents)} quarantined document(s) the candidate "
                            f"still fails {len(failures)} check(s), so they are not about documents: "
                            + " | ".join(f.line() for f in failures)
                        )
                if published_size is not None:
                    before = health.warehouse_contents(config.warehouse_path)
                    _shrink_guard(config, before, health.warehouse_contents(candidate), "the candidate")
                with timer.step("publish"):
                    notes = {
                        "documents_quarantined": (len(decision.documents) if decision else 0)
                        + len(at_ingest),
                        "documents_stale": len(stale),
                    }
                    facts = (build_id, started_at, documents_extracted, inputs)
                    _publish(config, candidate, *facts, made, timer, notes)
                warnings = _warnings(stale, decision, names, at_ingest)
            except Exception as exc:
                # Whatever went wrong after ingest, the candidate is set aside and never published.
                if candidate.exists():
                    failed = publish.set_aside_failed(candidate)
                    print(f"candidate kept for inspection: {config.shown(failed)}", file=sys.stderr)
                    publish.prune_failed(config.build_dir)
                if isinstance(exc, BuildFailed | OSError):
                    raise
                raise BuildFailed(failure_line(exc)) from exc
            log.unlink(missing_ok=True)
    except BuildFailed as exc:
        print(f"BUILD FAILED: {exc}", file=sys.stderr)
        print(f"published warehouse untouched: {config.shown(config.warehouse_path)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"BUILD FAILED: {describe_os_error(exc)}", file=sys.stderr)
        print(f"published warehouse untouched: {config.shown(config.warehouse_path)}", file=sys.stderr)
        return 1
    summary = " ".join(f"{k}={v:.1f}s" for k, v in timer.timings.items())
    print(f"build {build_id} published in {time.time() - started_at:.1f}s ({summary})")
    step_report(config)
    for line in warnings:
        print(line)
    return 0
