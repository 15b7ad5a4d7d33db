"""Benchmark every stage of the build on synthetic corpora of several sizes.

    python -m bench.run --sizes 100,1000,10000 [--workdir DIR] [--workers N] [--no-dbt] [--no-rebuilds]
                        [--long-bytes 17000,34000,68000] [--markdown BENCHMARKS.md]
                        [--json bench/results.json]

For each size N: generate the corpus (`bench.generate`, not a stage), copy the project into
`<workdir>/<N>/project` (the published warehouse, seeds and cache of the real project are never
touched), then run and measure the stages of `python -m pipeline build` with the same functions it
uses: `read` (ingest.documents.read_corpus), `extract` (ingest.__main__.extract_all: parallel
workers, cache), `write` (ingest.seeds.write_seeds, CSV seeds + Parquet copies), `load` (dbt seed:
every seed, or only the reference seeds when the pipeline picks the Parquet load path),
`dbt_build`, `expectations` (pipeline.build.step_validate) and `publish` (change report + atomic
publish). Per stage: wall time, CPU time (getrusage, this process and its children), peak RSS of
the process tree (sampled from /proc every 50 ms, and VmHWM of this process), rows, articles/s.

Then: the no-change rebuild and the one-changed-document rebuild (`python -m pipeline build` end to
end with the cache warm), DuckDB's native `read_csv` of the extracted CSVs against the project's
load path for the same rows, recall and precision against the corpus's expected figures
(`bench.score`), and our money parsing against `jionlp.parse_money` on the same strings. Last, the
extraction time of documents written as one line, at each of `--long-bytes` (`bench.long_document`;
'' skips it).

Writes `bench/results.json` and the measured part of BENCHMARKS.md (between the markers
`<!-- bench:results -->` and `<!-- /bench:results -->`; the text around them is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKDIR = Path(os.environ.get("TMPDIR") or "/tmp") / "ai_ipo_bench"
STAGES = ("read", "extract", "write", "load", "dbt_build", "expectations", "publish")
MARK_START, MARK_END = "<!-- bench:results -->", "<!-- /bench:results -->"
# Not copied into the benchmark's project: the environment, outputs, and the corpora themselves.
SKIPPED = {".venv", ".git", "warehouse", "target", "build", "logs", "dbt_packages", ".pytest_cache", "bench"}
SKIPPED_PATTERNS = ("__pycache__", ".ruff_cache", ".hypothesis", "*.duckdb", "*.duckdb.wal")
JIONLP_LIMIT = 20_000  # money strings compared with jionlp (its parser is slow)
TARGETS = {"build_s": 120.0, "peak_rss_mb": 4096.0, "noop_rebuild_s": 10.0, "load_ratio": 3.0}


# --- measuring ---------------------------------------------------------------------------------------


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:  # the process ended while we looked
        pass
    return 0


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants (from /proc), in KiB."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += children.get(pid, [])
    return total


def _reset_own_peak() -> bool:
    """Reset this process's VmHWM (Linux: write 5 to clear_refs); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _own_peak_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class TreeSampler:
    """Samples the RSS of this process tree in a thread; `.peak_kb` is the largest sum seen."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak_kb = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))


@dataclass
class Stage:
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    rows: int = 0
    note: str = ""


@dataclass
class SizeRun:
    size: int
    stages: dict[str, Stage] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        stage = Stage(name)
        print(f"[{self.size}] {name} ...", flush=True)
        exact_own_peak = _reset_own_peak()
        cpu, started = _cpu_seconds(), time.perf_counter()
        with TreeSampler() as sampler:
            yield stage
        stage.wall_s = time.perf_counter() - started
        stage.cpu_s = _cpu_seconds() - cpu
        own = _own_peak_kb() if exact_own_peak else 0
        stage.peak_rss_mb = max(sampler.peak_kb, own) / 1024
        self.stages[name] = stage
        print(
            f"[{self.size}] {name}: {stage.wall_s:.2f}s wall, {stage.cpu_s:.2f}s CPU, "
            f"{stage.peak_rss_mb:.0f} MB, {stage.rows} rows {stage.note}",
            flush=True,
        )

    @property
    def total_s(self) -> float:
        return sum(s.wall_s for s in self.stages.values())

    @property
    def peak_rss_mb(self) -> float:
        return max((s.peak_rss_mb for s in self.stages.values()), default=0.0)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


# --- the project copy ----------------------------------------------------------------------------------


def copy_project(dest: Path) -> Path:
    """The project's code, models, reference seeds and expectations (no outputs) in `dest`."""
    ignore_patterns = shutil.ignore_patterns(*SKIPPED_PATTERNS)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(ignore_patterns(directory, names))
        if Path(directory) == PROJECT_ROOT:
            skipped |= SKIPPED & set(names)
        if Path(directory) == PROJECT_ROOT / "seeds":
            skipped.add("extracted")
        return skipped

    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT, dest, ignore=ignore)
    return dest


def _env(project: Path, sources: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_DUCKDB_PATH", "STRICT", "INGEST_LOAD")}
    env.update(
        PYTHONPATH=str(project),
        DBT_PROFILES_DIR=str(project),
        SOURCES_DIR=str(sources),
        WAREHOUSE_PATH=str(project / "warehouse" / "ipo.duckdb"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        CI="1",  # plain log output
    )
    return env


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- one corpus size -----------------------------------------------------------------------------------


def run_size(size: int, workdir: Path, *, workers: int | None, dbt: bool, rebuilds: bool) -> SizeRun:
    from bench import generate, score
    from ingest.__main__ import extract_all
    from ingest.companies import CompanyMatcher
    from ingest.documents import read_corpus
    from ingest.seeds import write_seeds
    from pipeline import build, changes, publish

    run = SizeRun(size)
    base = workdir / str(size)
    corpus, project = base / "corpus", base / "project"
    shutil.rmtree(base, ignore_errors=True)
    seconds, _ = timed(lambda: generate.generate(size, corpus))
    run.extra["generate_s"] = round(seconds, 2)
    copy_project(project)
    config = build.BuildConfig(
        project_dir=project,
        sources_dir=corpus,
        warehouse_path=project / "warehouse" / "ipo.duckdb",
        strict=False,
    )
    # Where `python -m pipeline build` keeps them, so the rebuilds below find the cache warm.
    seeds_dir, cache_dir = config.extracted_dir, config.ingest_cache_dir
    with _environment(_env(project, corpus)):
        with run.stage("read") as stage:
            documents = read_corpus(corpus)
            stage.rows = len(documents.documents)
        with run.stage("extract") as stage:
            matcher = CompanyMatcher.from_seed()
            incremental = extract_all(documents, matcher, cache_dir, workers=workers)
            extraction = incremental.extraction
            stage.rows = extraction.figures.height
            stage.note = f"figures ({incremental.extracted} documents extracted)"
        with run.stage("write") as stage:
            tables = extraction.tables()
            tables["ingest_documents"] = documents.documents_frame(extraction.subject_ids)
            tables["ingest_rejected_documents"] = documents.rejected_df
            write_seeds(tables, seeds_dir, parquet_dir=config.extracted_dir)
            stage.rows = sum(t.height for t in tables.values())
        result = score.score(score.read_expected(corpus), score.read_extracted(seeds_dir))
        run.extra.update(
            recall=round(result.recall, 4),
            precision=round(result.precision, 4),
            expected_figures=result.expected,
            extracted_figures=result.extracted,
        )
        if dbt:
            _dbt_stages(run, config, build, changes, publish, stage_rows=stage.rows)
    run.extra.update(_load_comparison(config))
    run.extra.update(_parsing_comparison(seeds_dir))
    if dbt and rebuilds:
        run.extra.update(_rebuilds(project, corpus))
    return run


def _dbt_stages(run: SizeRun, config, build, changes, publish, *, stage_rows: int) -> None:
    from pipeline import fingerprint, validate

    config.build_dir.mkdir(parents=True, exist_ok=True)
    build_id = build.new_build_id()
    candidate = config.build_dir / f"{config.warehouse_path.stem}.{build_id}.duckdb"
    work = build.dbt_work_file(config)
    log = config.build_dir / f"dbt.{build_id}.log"
    from pipeline import extracted

    run.extra["load_path"] = "source"
    started_at = datetime.now(UTC)
    with run.stage("load") as stage:
        # As `python -m pipeline build` loads them: ingest's Parquet into tables (the reference seeds
        # are loaded by the one `dbt build` below, as in the build).
        work.unlink(missing_ok=True)
        extracted.load_into(work, extracted.read_extracted(config.extracted_dir), config.loaded_dir)
        stage.rows = stage_rows
        stage.note = "(extracted tables loaded)"
    with run.stage("dbt_build") as stage:
        code, results = build.run_dbt(config, work, build.DBT_BUILD, log)
        if code != 0:
            raise RuntimeError(f"dbt build failed, see {log}")
        os.replace(work, candidate)
        stage.rows = _count(candidate, "fct_figures")
        stage.note = f"fct_figures rows; {len(results)} nodes (reference seeds included)"
    run.extra["slowest_dbt_nodes"] = [
        {"node": r["unique_id"], "seconds": round(float(r.get("execution_time") or 0), 2)}
        for r in sorted(results, key=lambda r: -float(r.get("execution_time") or 0))
        if not r["unique_id"].startswith("unit_test.")  # dbt unit tests run on fixed inputs
    ][:8]
    with run.stage("expectations") as stage:
        try:
            passed, total, outcomes = build.step_validate(config, candidate)
            if not validate.all_passed(outcomes):
                raise build.BuildFailed("validate: " + ", ".join(r.suite.name for r in outcomes if not r.ok))
            stage.rows, stage.note = total, f"expectations ({passed} passed)"
        except build.BuildFailed as exc:  # timed all the same; reported in BENCHMARKS.md
            run.extra["expectations_failed"] = str(exc)
            stage.note = f"FAILED: {exc}"
    with run.stage("publish") as stage:
        changes.record_changes(
            candidate,
            config.warehouse_path,
            build_id=build_id,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            status="published",
            documents_extracted=run.size,
            details={
                "sources_dir": str(config.sources_dir),
                "benchmark": "bench.run",
                # As `python -m pipeline build` records it: the no-change rebuild below compares to it.
                "input_fingerprint": fingerprint.input_fingerprint(config.project_dir, config.extracted_dir),
            },
        )
        publish.publish(candidate, config.warehouse_path)
        stage.rows = _count(config.warehouse_path, "fct_figures")
    log.unlink(missing_ok=True)


def _count(db: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def _load_comparison(config) -> dict[str, object]:
    """DuckDB's own read_csv of the extracted CSVs into tables, against the project's one load path:
    write the Parquet copies with Polars (which ingest does), then create the tables from them."""
    import duckdb

    from ingest.schema import SEED_SCHEMAS
    from ingest.seeds import parquet_copy, read_seed

    extracted = config.extracted_dir
    scratch = config.project_dir / "build" / "load_compare"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)

    def create_tables(reader: str, suffix: str, folder: Path) -> float:
        db = scratch / f"{reader}.duckdb"
        started = time.perf_counter()
        with duckdb.connect(str(db)) as con:
            for name in SEED_SCHEMAS:
                con.execute(f"create table {name} as select * from {reader}('{folder / (name + suffix)}')")
        return time.perf_counter() - started

    native = create_tables("read_csv", ".csv", extracted)
    frames = {
        name: read_seed(extracted / f"{name}.csv", name) for name in SEED_SCHEMAS
    }  # in memory in ingest
    started = time.perf_counter()
    for name, frame in frames.items():
        parquet_copy(frame).write_parquet(scratch / f"{name}.parquet")
    parquet = time.perf_counter() - started + create_tables("read_parquet", ".parquet", scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    return {
        "native_load_s": round(native, 2),
        "parquet_load_s": round(parquet, 2),
        "seed_load_s": round(parquet, 2),  # the pipeline always loads ingest's Parquet copies
        "seed_load_path": "source",
    }


def _parsing_comparison(seeds_dir: Path) -> dict[str, object]:
    """Money strings as written (value_text of money figures): our parser against jionlp's."""
    import polars as pl

    from ingest.numbers import find_quantities
    from ingest.text import fold

    figures = pl.read_csv(seeds_dir / "ingest_figures.csv", infer_schema_length=0)
    texts = (
        figures.filter(pl.col("unit") == pl.col("currency"))
        .filter(~pl.col("value_text").str.contains("至|-|~|到"))  # one amount, not a range
        .get_column("value_text")
        .head(JIONLP_LIMIT)
        .to_list()
    )
    ours, started = [], time.perf_counter()
    for text in texts:
        found = find_quantities(fold(text))
        ours.append(found[0].value if found else None)
    ours_s = time.perf_counter() - started
    out: dict[str, object] = {"parse_strings": len(texts), "parse_ours_s": round(ours_s, 3)}
    try:
        import jionlp
    except ImportError as exc:
        out["parse_jionlp"] = f"not available: {exc}"
        return out
    # jionlp reads simplified script only: it gets the folded text too (folding is in our timing).
    folded, theirs, failed, started = [fold(t) for t in texts], [], 0, time.perf_counter()
    for text in folded:
        try:
            theirs.append(float(jionlp.parse_money(text)["num"]))
        except Exception:  # noqa: BLE001 - jionlp raises on strings it does not accept
            theirs.append(None)
            failed += 1
    jio_s = time.perf_counter() - started
    agree = sum(
        a is not None and b is not None and abs(a - b) <= 1e-6 * max(abs(a), 1)
        for a, b in zip(ours, theirs, strict=True)
    )
    out.update(parse_jionlp_s=round(jio_s, 3), parse_jionlp_failed=failed, parse_agree=agree)
    return out


def _rebuilds(project: Path, corpus: Path) -> dict[str, object]:
    """`python -m pipeline build` end to end: once with nothing changed, once with one document edited."""
    env = _env(project, corpus)
    failures: dict[str, str] = {}

    def build_once(label: str) -> tuple[float, dict[str, float]]:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "build"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if proc.returncode != 0:  # e.g. an expectation suite failing: timed up to there, reported
            failure = next((ln for ln in proc.stderr.splitlines() if "BUILD FAILED" in ln), "failed")
            failures[label] = failure
            print(f"  {label} rebuild: {failure}", flush=True)
        steps = {}
        for line in proc.stdout.splitlines():
            if line.startswith("[") and "] done in " in line:
                steps[line[1 : line.index("]")]] = float(line.rsplit(" ", 1)[1].rstrip("s"))
        print(f"  {label} rebuild: {seconds:.1f}s {steps}", flush=True)
        return seconds, steps

    # The measured stages left the cache and dbt's partial parse state (the build's folder) warm.
    noop, noop_steps = build_once("no-change")
    documents = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
    edited = documents[len(documents) // 2]
    with open(edited, "a", encoding="utf-8") as handle:
        handle.write("\n另据报道，公司2024年研发投入约1.2亿元。\n")
    one, one_steps = build_once("one-change")
    return {
        "noop_rebuild_s": round(noop, 2),
        "noop_rebuild_steps": noop_steps,
        "one_change_rebuild_s": round(one, 2),
        "one_change_rebuild_steps": one_steps,
        "rebuild_failures": failures,
    }


# --- report ------------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as handle:
        mem_kb = int(next(line for line in handle if line.startswith("MemTotal:")).split()[1])
    import duckdb
    import polars

    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


PER_SIZE_MEASURES = ("noop_rebuild_s", "one_change_rebuild_s", "native_load_s", "seed_load_s")


def results_json(
    runs: list[SizeRun], long_rows: list[dict] | None = None, startup_figures: dict[str, float] | None = None
) -> dict[str, object]:
    """bench/results.json: per size `total_s`, `stages` (wall seconds), `peak_rss_mb`, `articles_per_s`,
    `recall` and the four measures below; top level those four for the largest size, and
    `long_document` (one row per shape and size of `bench.long_document`) when measured. Everything
    else measured (CPU, memory and rows per stage, dbt nodes, parsing) is in BENCHMARKS.md."""
    out: dict[str, object] = {}
    for run in runs:
        out[str(run.size)] = {
            "total_s": round(run.total_s, 2),
            "stages": {name: round(stage.wall_s, 2) for name, stage in run.stages.items()},
            "peak_rss_mb": round(run.peak_rss_mb, 1),
            "articles_per_s": round(run.size / run.total_s, 1) if run.total_s else None,
            "recall": run.extra.get("recall"),
            **{key: run.extra.get(key) for key in PER_SIZE_MEASURES},
        }
    largest = max(runs, key=lambda r: r.size)
    for key in PER_SIZE_MEASURES:
        out[key] = largest.extra.get(key)
    if startup_figures:
        out.update(startup_figures)
    if long_rows:
        out["long_document"] = long_rows
    return out


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(
    runs: list[SizeRun], info: dict[str, object], command: str, long_rows: list[dict] | None = None
) -> str:
    lines = [
        MARK_START,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpu_model']}, {info['cores']} cores, "
        f"{info['memory_gib']} GiB RAM; Python {info['python']}, DuckDB {info['duckdb']}, Polars "
        f"{info['polars']}. Load average when the run started: {info['load_average_at_start']} "
        "(other jobs on the machine inflate wall times; CPU times are less affected).",
        "",
        f"Command: `{command}`",
        "",
    ]
    for run in runs:
        x = run.extra
        lines += [
            f"### {run.size:,} articles",
            "",
            f"{x.get('expected_figures', 0):,} expected figures; load path `{x.get('load_path', '–')}`; "
            f"corpus generated in {x.get('generate_s')} s (not a stage).",
            "",
            "| stage | wall s | CPU s | peak RSS MB | rows | articles/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for stage in run.stages.values():
            rate = run.size / stage.wall_s if stage.wall_s else 0
            lines.append(
                f"| {stage.name} | {stage.wall_s:.2f} | {stage.cpu_s:.2f} | {stage.peak_rss_mb:,.0f} | "
                f"{stage.rows:,} | {rate:,.0f} |"
            )
        total_cpu = sum(s.cpu_s for s in run.stages.values())
        rate = run.size / run.total_s if run.total_s else 0
        lines += [
            f"| **total** | **{run.total_s:.2f}** | {total_cpu:.2f} | {run.peak_rss_mb:,.0f} | "
            f"| {rate:,.0f} |",
            "",
            "| measure | value |",
            "| --- | ---: |",
            f"| no-change rebuild (`python -m pipeline build`), s | {_fmt(x.get('noop_rebuild_s'))} |",
            f"| ... its steps, s | {_fmt(x.get('noop_rebuild_steps'))} |",
            f"| one-changed-document rebuild, s | {_fmt(x.get('one_change_rebuild_s'))} |",
            f"| ... its steps, s | {_fmt(x.get('one_change_rebuild_steps'))} |",
            f"| DuckDB native `read_csv` of the extracted CSVs, s | {_fmt(x.get('native_load_s'))} |",
            f"| Parquet path (Polars write + DuckDB tables), s | {_fmt(x.get('parquet_load_s'))} |",
            f"| load path the pipeline picks / ratio to native | {x.get('seed_load_path')} / "
            f"{_fmt(_ratio(x.get('seed_load_s'), x.get('native_load_s')))}× |",
            f"| recall / precision (bench.score) | {_fmt(x.get('recall'), 4)} / "
            f"{_fmt(x.get('precision'), 4)} |",
            f"| money strings parsed: ours (find_quantities) s | {x.get('parse_strings')} in "
            f"{_fmt(x.get('parse_ours_s'), 3)} |",
            f"| ... `jionlp.parse_money` s / failed / same value | {_fmt(x.get('parse_jionlp_s'), 3)} / "
            f"{_fmt(x.get('parse_jionlp_failed'))} / {_fmt(x.get('parse_agree'))} |",
            "",
        ]
        if x.get("expectations_failed") or x.get("rebuild_failures"):
            lines += [
                f"**Not publishable as built**: {x.get('expectations_failed') or ''} "
                f"{'; '.join(f'{k}: {v}' for k, v in (x.get('rebuild_failures') or {}).items())} "
                "(timings still cover every step up to the failure; the benchmark publishes its own "
                "copy regardless so that the publish step is measured).",
                "",
            ]
        if x.get("slowest_dbt_nodes"):
            nodes = ", ".join(
                f"`{n['node'].split('.', 2)[-1]}` {n['seconds']} s" for n in x["slowest_dbt_nodes"]
            )
            lines += [f"Slowest dbt nodes (run_results.json): {nodes}.", ""]
    if long_rows:
        from bench import long_document

        lines += long_document.markdown(long_rows)
    lines += ["Targets (largest size):", ""]
    lines += [f"- {line}" for line in verdicts(runs)]
    lines += ["", MARK_END]
    return "\n".join(lines)


def _ratio(a: object, b: object) -> float | None:
    return a / b if isinstance(a, int | float) and isinstance(b, int | float) and b else None


def verdicts(runs: list[SizeRun]) -> list[str]:
    run = max(runs, key=lambda r: r.size)
    x, out = run.extra, []

    def check(label: str, value: float | None, limit: float, unit: str, below: bool = True) -> None:
        if value is None:
            out.append(f"{label}: not measured")
            return
        ok = value <= limit if below else value >= limit
        miss = "" if ok else f" (missed by {value - limit:,.1f} {unit}, {value / limit:.1f}×)"
        out.append(
            f"{label}: {value:,.1f} {unit} vs ≤ {limit:,.0f} {unit} — {'met' if ok else 'MISSED'}{miss}"
        )

    check(f"{run.size:,}-article build end to end", run.total_s, TARGETS["build_s"], "s")
    check("peak memory", run.peak_rss_mb, TARGETS["peak_rss_mb"], "MB")
    check("no-change rebuild", x.get("noop_rebuild_s"), TARGETS["noop_rebuild_s"], "s")
    check(
        "load / native read_csv",
        _ratio(x.get("seed_load_s"), x.get("native_load_s")),
        TARGETS["load_ratio"],
        "×",
    )
    return out


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        text = head + block + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated corpus sizes")
    parser.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help=f"scratch (default {DEFAULT_WORKDIR})"
    )
    parser.add_argument("--workers", type=int, help="ingest processes (default: as the CLI)")
    parser.add_argument("--no-dbt", action="store_true", help="ingest stages only (quick check)")
    parser.add_argument("--no-rebuilds", action="store_true", help="skip the two end-to-end rebuilds")
    parser.add_argument(
        "--long-bytes",
        default="17000,34000,68000",
        help="sizes of the one-line documents timed by bench.long_document ('' skips them)",
    )
    parser.add_argument("--markdown", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md")
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected comma-separated whole numbers")
    if not args.sizes or min(args.sizes) <= 0:
        parser.error("--sizes: at least one positive size")
    try:
        args.long_bytes = sorted({int(s) for s in args.long_bytes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--long-bytes {args.long_bytes!r}: expected comma-separated whole numbers")
    if args.long_bytes and min(args.long_bytes) <= 0:
        parser.error("--long-bytes: sizes must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine()
    command = "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
    runs = []
    for size in args.sizes:
        runs.append(
            run_size(
                size, args.workdir, workers=args.workers, dbt=not args.no_dbt, rebuilds=not args.no_rebuilds
            )
        )
        # Written after every size, so a long run that is interrupted still leaves its numbers.
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results_json(runs), indent=2) + "\n", encoding="utf-8")
        write_markdown(args.markdown, markdown(runs, info, command))
    long_rows: list[dict] | None = None
    if args.long_bytes:
        from bench import long_document

        print("one-line documents (bench.long_document):", flush=True)
        long_rows = long_document.run(long_document.SHAPES, args.long_bytes)
        args.json.write_text(json.dumps(results_json(runs, long_rows), indent=2) + "\n", encoding="utf-8")
        write_markdown(args.markdown, markdown(runs, info, command, long_rows))
    if not args.no_dbt:
        from bench import startup

        print("start-up: a one-model dbt build + a GX context, against a build of the sources", flush=True)
        figures = startup.measure(args.workdir / "startup")
        args.json.write_text(
            json.dumps(results_json(runs, long_rows, figures), indent=2) + "\n", encoding="utf-8"
        )
        print("  " + startup.verdict(figures))
    print(f"wrote {args.json} and {args.markdown}")
    for line in verdicts(runs):
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
