"""End to end: publish what is good, quarantine what broke, never lose what was published.

One corpus - the two real articles, ten test articles and `tests/failing_checks/` (an article stating a
900% gross margin, which ingest rejects against the suite's range, and one converting a market cap into
more renminbi than the fct_figures suite allows, which only the audit sees) - goes through a sequence of
real builds into `shared/ipo.duckdb` of the session's project copy (module fixture, ~3 minutes on 2
cores). The first three run at once, each with its own SOURCES_DIR or WAREHOUSE_PATH in the same folder:

1. quarantine (QUARANTINE_BUDGET=0.15): the margin article is quarantined at ingest, the conversion one by
   the expectation that rejects it, the other twelve are published, the build exits 0 with a warning
   summary;
   budget (into `shared/budget.duckdb`): the same corpus with the default budget (2 of 14 documents are
   14.3%, both layers count) fails;
   neighbour (into `shared/a.duckdb`): the two real articles alone publish exactly those two;
2. stale: the two absurd articles are withdrawn, and a published one gets three invalid bytes: it keeps its
   published figures, flagged stale;
3. shrink: another article is removed: the shrink guard fails the build before dbt runs;
4. allowed: the same with ALLOW_SHRINK=1 publishes, and the damaged article is still kept stale;
then rollback refuses a broken or incomplete file and restores a good one, and a corrupt published file
stops the next build at once with the rollback hint. Each published warehouse is copied after its
build, so each test reads the state its build left. (STRICT=1 refusing a quarantine needs no build of
its own: tests/unit/test_build_config.py.)
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from .project_copy import PROJECT_ROOT, BuildRun, Project, host_paths, sha256

pytestmark = pytest.mark.e2e

ARTICLES = PROJECT_ROOT / "tests" / "articles"
FAILING = PROJECT_ROOT / "tests" / "failing_checks"
#: Test articles that pass every check (03, 14 and 34 state event types the staging test rejects today).
GOOD_ARTICLES = (
    "01_shentong_offering.md",
    "02_xinghe_debut.txt",
    "04_chengming_prospectus.txt",
    "05_twin_listing.md",
    "06_yunxiu_excerpt.txt",
    "07_hengtuo_interim.md",
    "08_jingsuan_allotment.txt",
    "09_shuofeng_refiling.md",
    "10_lingshu_hearing.txt",
    "11_zhihuiyun_flash.md",
)
ABSURD = "90_yaoheng_margin_typo.md"  # rejected by ingest (unstorable_value)
CONVERSION = "91_lanjing_cap_conversion.md"  # quarantined by the audit (failed_check)
DAMAGED = "02_xinghe_debut.txt"  # published by build 1, then three bytes of it are made invalid
REMOVED = "04_chengming_prospectus.txt"  # removed from the corpus before build 5
GX_VALUE_CNY = (
    "expectation fct_figures: expect_column_values_to_be_between(column='value_cny', "
    "min_value=-100000000000000, max_value=100000000000000)"
)
MARGIN_RANGE = "ingest_figures.value 900.0 outside -100..100 allowed by fct_figures.yml"


def rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def manifest_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@dataclass
class Sequence:
    project: Project
    corpus: Path
    warehouse: Path
    snapshots: Path
    runs: dict[str, BuildRun] = field(default_factory=dict)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # (started, finished) of each run
    sha: dict[str, str] = field(default_factory=dict)  # warehouse sha256 after each run
    figures: dict[str, list[tuple]] = field(default_factory=dict)  # (figure_id, value) of DAMAGED

    def run(self, name: str, *args: str, **env: str) -> BuildRun:
        return self.together({name: (list(args or ("build",)), env)})[name]

    def together(self, builds: dict[str, tuple[list[str], dict[str, str]]]) -> dict[str, BuildRun]:
        """Run `python -m pipeline ARGS` for each entry at once (SOURCES_DIR and WAREHOUSE_PATH are the
        sequence's unless the entry's env says otherwise); each output goes to a file, not a pipe."""
        procs = {}
        for name, (args, env) in builds.items():
            extra = {"SOURCES_DIR": str(self.corpus), "WAREHOUSE_PATH": str(self.warehouse), **env}
            log = open(self.snapshots / f"{name}.log", "w+", encoding="utf-8")  # noqa: SIM115
            command = [sys.executable, "-m", "pipeline", *args]
            proc = subprocess.Popen(
                command,
                cwd=self.project.root,
                env=self.project.env(extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            procs[name] = (proc, log, time.monotonic(), args)
        for name, (proc, log, started, _) in procs.items():
            proc.wait(timeout=900)
            self.spans[name] = (started, time.monotonic())
            log.seek(0)
            self.runs[name] = BuildRun(proc.returncode, log.read())
            log.close()
            print(f"{name}: exit {proc.returncode} in {self.spans[name][1] - started:.0f}s", flush=True)
        self.sha.update({name: sha256(self.warehouse) if self.warehouse.exists() else "" for name in procs})
        for name, (proc, _, _, args) in procs.items():
            if proc.returncode == 0 and args == ["build"] and "WAREHOUSE_PATH" not in builds[name][1]:
                shutil.copy(self.warehouse, self.snapshot(name))
        return {name: self.runs[name] for name in procs}

    def snapshot(self, name: str) -> Path:
        """The published warehouse as build `name` left it (named ipo.*: its views name the catalog ipo)."""
        return self.snapshots / f"ipo.{name}.duckdb"

    def damaged_figures(self, name: str) -> list[tuple]:
        return rows(
            self.snapshot(name),
            "select f.figure_id, f.value, f.is_stale from fct_figures as f join dim_documents as d "
            "using (document_id) where d.file_name = ? order by 1",
            [DAMAGED],
        )


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    header, *real = manifest_rows(PROJECT_ROOT / "sources" / "manifest.csv")
    chosen = [r for r in manifest_rows(ARTICLES / "manifest.csv")[1:] if r[0] in GOOD_ARTICLES]
    failing = manifest_rows(FAILING / "manifest.csv")[1:]
    assert len(chosen) == len(GOOD_ARTICLES) and [r[0] for r in failing] == [ABSURD, CONVERSION]
    for source, manifest in ((PROJECT_ROOT / "sources", real), (ARTICLES, chosen), (FAILING, failing)):
        for row in manifest:
            shutil.copy(source / row[0], folder / row[0])
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *real, *chosen, *failing])
    return folder


def make_neighbour(folder: Path) -> Path:
    """Another corpus for a build beside the sequence's: the two real articles."""
    shutil.copytree(PROJECT_ROOT / "sources", folder, ignore=shutil.ignore_patterns("urls.txt"))
    return folder


def damage(path: Path) -> None:
    """Three bytes that are not UTF-8 (nor GB18030, nor Big5) in the middle of the file."""
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + b"\xff\xfe\xfd" + data[middle:])


def remove(corpus: Path, file_name: str) -> None:
    kept = [r for r in manifest_rows(corpus / "manifest.csv") if r[0] != file_name]
    with open(corpus / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)
    (corpus / file_name).unlink()


@pytest.fixture(scope="module")
def sequence(built_project, tmp_path_factory) -> Sequence:
    project, _ = built_project
    base = tmp_path_factory.mktemp("quarantine")
    corpus = make_corpus(base / "corpus")
    (base / "snapshots").mkdir()
    neighbour = make_neighbour(base / "neighbour")
    state = Sequence(project, corpus, project.root / "shared" / "ipo.duckdb", base / "snapshots")
    state.together(
        {
            "quarantine": (["build"], {"QUARANTINE_BUDGET": "0.15"}),
            "budget": (["build"], {"WAREHOUSE_PATH": "shared/budget.duckdb"}),
            "neighbour": (["build"], {"WAREHOUSE_PATH": "shared/a.duckdb", "SOURCES_DIR": str(neighbour)}),
        }
    )
    state.figures["quarantine"] = state.damaged_figures("quarantine")
    remove(corpus, ABSURD)  # fixed by their authors later; never published, so nothing is lost
    remove(corpus, CONVERSION)
    damage(corpus / DAMAGED)
    state.run("stale")
    state.figures["stale"] = state.damaged_figures("stale")
    remove(corpus, REMOVED)
    state.run("shrink")
    state.run("allowed", ALLOW_SHRINK="1")
    state.figures["allowed"] = state.damaged_figures("allowed")
    return state


def published_files(warehouse: Path) -> set[str]:
    return {name for (name,) in rows(warehouse, "select file_name from dim_documents")}


# --- 1. quarantine -------------------------------------------------------------------------------------


def test_absurd_figures_quarantine_exactly_their_documents_and_the_rest_is_published(sequence):
    run = sequence.runs["quarantine"]
    assert run.returncode == 0, run
    expected = {r[0] for r in manifest_rows(PROJECT_ROOT / "sources" / "manifest.csv")[1:]} | set(
        GOOD_ARTICLES
    )
    warehouse = sequence.snapshot("quarantine")
    assert published_files(warehouse) == expected  # every document but the two absurd ones
    assert rows(
        warehouse,
        "select count(*) from fct_figures where document_id in "
        "('90_yaoheng_margin_typo', '91_lanjing_cap_conversion')",
    ) == [(0,)]
    rejected = rows(
        warehouse, "select file_name, reason, detail, check_name from rejected_documents order by 1"
    )
    assert [(name, reason) for name, reason, _, _ in rejected] == [
        (ABSURD, "unstorable_value"),
        (CONVERSION, "failed_check"),
    ]
    (_, _, margin_detail, _), (_, _, conversion_detail, check_name) = rejected
    assert MARGIN_RANGE in margin_detail  # ingest names the suite's range and the words it read
    assert "同年毛利率为900.0%" in margin_detail
    assert check_name.startswith(GX_VALUE_CNY)  # the audit names the check ...
    assert f"{GX_VALUE_CNY}: value_cny=1.38e+14" in conversion_detail  # ... with the offending value
    assert rows(warehouse, "select documents_quarantined, documents_total from build_log") == [(2, 12)]


def test_the_quarantine_is_reported_and_the_build_exits_zero_with_a_warning_summary(sequence):
    run = sequence.runs["quarantine"]
    assert f"QUARANTINED {ABSURD} at ingest: unstorable_value: " in run.output
    assert f"QUARANTINED {CONVERSION} (91_lanjing_cap_conversion): {GX_VALUE_CNY}" in run.output
    assert (
        "2 of 14 documents quarantined (14.3%, QUARANTINE_BUDGET=0.15); building the rest once more"
        in run.output
    )
    assert re.search(r"^\[dbt \(pass 2\)\] done in", run.output, re.MULTILINE), run
    at_ingest = run.output[run.output.index("WARNING: 1 document(s) quarantined at ingest") :].splitlines()
    assert at_ingest[1].startswith(f"  {ABSURD}: unstorable_value: ")
    summary = run.output[run.output.index("WARNING: 1 document(s) quarantined (") :].splitlines()
    assert summary[1].startswith(f"  {CONVERSION}: {GX_VALUE_CNY} [value_cny=1.38e+14")


def test_the_real_articles_keep_the_figures_of_a_build_without_the_absurd_one(sequence):
    per_document = (
        "select d.file_name, count(f.figure_id) from dim_documents as d "
        "left join fct_figures as f using (document_id) group by 1"
    )
    reference = dict(rows(sequence.project.warehouse, per_document))  # the session build: real articles
    quarantined = dict(rows(sequence.snapshot("quarantine"), per_document))
    assert {name: quarantined[name] for name in reference} == reference
    assert all(n > 10 for n in reference.values()), reference


def test_published_tables_hold_no_host_paths(sequence):
    needles = (str(sequence.project.root), str(sequence.corpus), str(sequence.corpus.parent))
    warehouse = sequence.snapshot("quarantine")
    assert host_paths(warehouse, *needles) == []
    [(sources_dir,)] = rows(warehouse, "select distinct sources_dir from build_log")
    assert sources_dir == "…/corpus"


# --- 2. the error budget ---------------------------------------------------------------------------


def test_more_quarantined_documents_than_the_error_budget_fail_the_build(sequence):
    run = sequence.runs["budget"]
    assert run.returncode == 1, run
    assert (
        "BUILD FAILED: error budget: 2 of 14 documents (14.3%) quarantined, more than "
        "QUARANTINE_BUDGET=0.1 (10%); a parser or model regression? 90_yaoheng_margin_typo, "
        "91_lanjing_cap_conversion"
    ) in run.output
    assert "[dbt (pass 2)]" not in run.output
    assert not (sequence.project.root / "shared" / "budget.duckdb").exists()  # nothing published


# --- 3. stale ------------------------------------------------------------------------------------------


def test_a_damaged_published_document_keeps_its_figures_flagged_stale(sequence):
    run = sequence.runs["stale"]
    assert run.returncode == 0, run
    before, after = sequence.figures["quarantine"], sequence.figures["stale"]
    assert len(before) > 10 and {stale for _, _, stale in before} == {False}
    assert [(f, v) for f, v, _ in after] == [(f, v) for f, v, _ in before]  # the same figures, same values
    assert {stale for _, _, stale in after} == {True}
    stale = sequence.snapshot("stale")
    assert rows(stale, "select is_stale from dim_documents where file_name = ?", [DAMAGED]) == [(True,)]
    assert rows(stale, "select count(*) from dim_documents where is_stale") == [(1,)]


def test_the_damaged_document_s_rejection_is_published_and_reported(sequence):
    run = sequence.runs["stale"]
    rejected = "select reason, detail from rejected_documents where file_name = ?"
    [(reason, detail)] = rows(sequence.snapshot("stale"), rejected, [DAMAGED])
    n = len(sequence.figures["stale"])
    assert reason == "undecodable"
    assert f"; its {n} published figures (build " in detail and detail.endswith(
        ") are kept, flagged is_stale"
    )
    assert f"ingest: REJECTED {DAMAGED}: undecodable (" in run.output
    assert f"STALE {DAMAGED}: undecodable in this build; its {n} published figures (build " in run.output
    assert (
        f"WARNING: 1 published document(s) kept stale (dim_documents.is_stale):\n  {DAMAGED}: undecodable"
        in (run.output)
    )


# --- 4, 5. shrink guard --------------------------------------------------------------------------------


def test_the_shrink_guard_fails_an_unexplained_drop_before_dbt(sequence):
    run = sequence.runs["shrink"]
    assert run.returncode == 1, run
    assert (
        "BUILD FAILED: shrink guard: the extracted tables against the published warehouse: "
        "1 of its 12 documents are gone (8.3%: 04_chengming_prospectus), more than SHRINK_LIMIT=0.05 (5%)"
    ) in run.output
    assert "ALLOW_SHRINK=1 publishes it if the drop is intended" in run.output
    assert "[dbt]" not in run.output
    assert sequence.sha["shrink"] == sequence.sha["stale"]


def test_allow_shrink_publishes_the_drop_and_the_stale_document_survives_another_publish(sequence):
    run = sequence.runs["allowed"]
    assert run.returncode == 0, run
    assert "published anyway (ALLOW_SHRINK=1)" in run.output
    assert REMOVED not in published_files(sequence.snapshot("allowed"))
    # Twice published while damaged: its figures are still those of the first build.
    assert sequence.figures["allowed"] == sequence.figures["stale"]


# --- rollback and a corrupt published file -------------------------------------------------------------


def test_rollback_refuses_a_broken_file_and_restores_a_good_one(sequence, tmp_path):
    warehouse, previous = sequence.warehouse, sequence.warehouse.with_name("ipo.prev.duckdb")
    good = tmp_path / "prev.duckdb"
    shutil.copy(previous, good)
    published = sha256(warehouse)

    previous.write_bytes(b"\x00not a warehouse" * 4096)
    broken = sequence.run("rollback broken", "rollback")
    assert broken.returncode == 1, broken
    assert "ROLLBACK FAILED: rollback refused: " in broken.output
    assert (
        f"{previous} is not a good warehouse ({previous} does not open as a DuckDB database" in broken.output
    )
    assert sha256(warehouse) == published

    shutil.copy(good, previous)
    con = duckdb.connect(str(previous))
    con.execute("drop table offerings")
    con.close()
    incomplete = sequence.run("rollback incomplete", "rollback")
    assert incomplete.returncode == 1 and "missing marts: offerings" in incomplete.output, incomplete
    assert sha256(warehouse) == published

    shutil.copy(good, previous)
    restored = sequence.run("rollback good", "rollback")
    assert restored.returncode == 0, restored
    assert sha256(warehouse) == sha256(good)
    assert "earlier warehouse(s) left to roll back to" in restored.output


def test_a_corrupt_published_file_is_reported_at_the_start_of_a_build_with_the_rollback_hint(sequence):
    sequence.warehouse.write_bytes(b"\x00garbage" * 8192)

    run = sequence.run("corrupt")

    assert run.returncode == 1, run
    assert "[ingest]" not in run.output
    [failed] = [line for line in run.output.splitlines() if line.startswith("BUILD FAILED")]
    assert failed.startswith(
        f"BUILD FAILED: the published warehouse is corrupt: {sequence.warehouse} does not open"
    )
    assert failed.endswith("`make rollback` puts back the last good one (shared/ipo.prev.duckdb)")


# --- two builds at once, each on its own corpus and warehouse ------------------------------------------

#: What builds used to write in the project itself, shared whatever their WAREHOUSE_PATH.
PROJECT_WIDE = ("seeds/extracted", "build", "target", "logs")


def test_two_builds_at_once_on_different_paths_each_publish_their_own_corpus(sequence):
    runs, (q_started, q_finished), (n_started, n_finished) = (
        sequence.runs,
        sequence.spans["quarantine"],
        sequence.spans["neighbour"],
    )
    assert (runs["quarantine"].returncode, runs["neighbour"].returncode) == (0, 0)
    assert n_started < q_finished - 10 and q_started < n_finished - 10  # they really overlapped
    neighbour = sequence.project.root / "shared" / "a.duckdb"
    real = {r[0] for r in manifest_rows(PROJECT_ROOT / "sources" / "manifest.csv")[1:]}
    assert published_files(neighbour) == real
    assert published_files(sequence.snapshot("quarantine")) == real | set(GOOD_ARTICLES)
    assert rows(neighbour, "select sources_dir from build_log") == [("…/neighbour",)]


def test_each_build_wrote_only_under_its_own_folder(sequence):
    root = sequence.project.root
    for name, stem in (("quarantine", "ipo"), ("budget", "budget"), ("neighbour", "a")):
        folder = root / "shared" / ".build" / stem
        # `published` holds the loaded rows of each published build (pipeline/surface.py), once one is.
        assert {p.name for p in folder.iterdir() if p.is_dir()} - {"published"} == {
            "cache",
            "extracted",
            "loaded",
            "logs",
            "target",
        }
        assert f"shared/.build/{stem}/extracted/ingest_figures.csv" in sequence.runs[name].output
    assert [path for path in PROJECT_WIDE if (root / path).exists()] == []
