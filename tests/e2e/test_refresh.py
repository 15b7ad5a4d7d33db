"""End to end: incremental refresh. Rebuilds re-extract only what changed, and the change report says what.

One project copy goes through a sequence of real builds (module fixture, ~1 min per build):

1. first build: every document extracted;
2. no change: nothing re-extracted, nothing reported;
3. a test article added (with its manifest row): exactly its figures reported added;
4. one sentence appended to a source document: exactly that document re-extracted;
5. the added article removed again: its figures reported removed, nothing re-extracted;
then a rules change (a comment line in `ingest/rules/`), checked with ingest alone: all re-extracted.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from .project_copy import BuildRun, Project, copy_project

pytestmark = pytest.mark.e2e

ARTICLES = Path(__file__).resolve().parents[1] / "articles"
ADDED = "01_shentong_offering.md"  # a fictional offering article with figures, shareholders, events
TOUCHED_SENTENCE = "\n本文仅供参考，不构成投资建议。\n"  # no number, no company: adds no figure
INGEST_LINE = re.compile(r"^ingest: extracted (\d+) of (\d+) documents \((\d+) from cache\)$", re.MULTILINE)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def ingest_counts(output: str) -> tuple[int, int, int]:
    """(extracted, documents, from cache) of the ingest summary line; fails when it is missing."""
    found = INGEST_LINE.findall(output)
    assert len(found) == 1, f"expected one ingest summary line in:\n{output[-3000:]}"
    return tuple(int(n) for n in found[0])


@dataclass
class Build:
    name: str
    run: BuildRun
    build_id: str
    extracted: tuple[int, int, int]
    seconds: float


@dataclass
class Refresh:
    project: Project
    builds: dict[str, Build] = field(default_factory=dict)
    added_document_id: str = ""
    added_figures: list[tuple] = field(default_factory=list)  # (figure_id, metric, value) after it was added
    changes_output: str = ""  # `python -m pipeline.changes` right after the article was added
    touched_document_id: str = ""
    touched_sha256: tuple[str, str] = ("", "")  # dim_documents.sha256 of it before and after the touch
    rules_ingest_output: str = ""
    n_sources: int = 0  # documents in the project's sources/ (the added article comes on top)

    def build(self, name: str, **extra_env: str) -> Build:
        env = {"INGEST_CACHE_DIR": str(self.cache_dir), "CI": "true", **extra_env}
        run = self.project.run("build", extra_env=env)
        if run.returncode != 0:
            pytest.fail(f"build '{name}' failed:\n{run!r}", pytrace=False)
        published = re.search(r"^build (\S+) published in ([\d.]+)s", run.output, re.MULTILINE)
        assert published, run
        build = Build(name, run, published[1], ingest_counts(run.output), float(published[2]))
        self.builds[name] = build
        return build

    def changes(self, build: str) -> list[tuple]:
        """(change_type, document_id, figure_id, metric, new_value, old_value) rows of one build."""
        return query(
            self.project.warehouse,
            "select change_type, document_id, figure_id, metric, new_value, old_value from build_changes "
            "where build_id = ? order by change_type, figure_id",
            [self.builds[build].build_id],
        )

    def run_module(self, *args: str) -> subprocess.CompletedProcess:
        """`python -m ARGS` in the copy, in the environment of its builds."""
        env = self.project.env({"INGEST_CACHE_DIR": str(self.cache_dir), "CI": "true"})
        return subprocess.run(
            [sys.executable, "-m", *args],
            cwd=self.project.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    @property
    def cache_dir(self) -> Path:
        return self.project.root / "build" / "cache"


def manifest_row(manifest: Path, file_name: str) -> str:
    with open(manifest, encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    [row] = [line for line in lines if line.startswith(file_name + ",")]
    return row


def remove_manifest_row(manifest: Path, file_name: str) -> None:
    with open(manifest, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [row for row in rows if row[0] != file_name]
    assert len(kept) == len(rows) - 1, f"{file_name} is not in {manifest}"
    with open(manifest, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)


@pytest.fixture(scope="module")
def refresh(tmp_path_factory: pytest.TempPathFactory) -> Refresh:
    project = Project(copy_project(tmp_path_factory.mktemp("refresh") / "project"))
    state = Refresh(project)
    sources = project.root / "sources"
    manifest = sources / "manifest.csv"
    with open(manifest, encoding="utf-8", newline="") as handle:
        originals = sorted(row["file"] for row in csv.DictReader(handle))
    state.n_sources = len(originals)

    state.build("first")
    state.build("unchanged")

    (sources / ADDED).write_bytes((ARTICLES / ADDED).read_bytes())
    with open(manifest, "a", encoding="utf-8", newline="") as handle:
        handle.write(manifest_row(ARTICLES / "manifest.csv", ADDED) + "\n")
    state.build("added")
    [(state.added_document_id,)] = query(
        project.warehouse, "select document_id from dim_documents where file_name = ?", [ADDED]
    )
    state.added_figures = query(
        project.warehouse,
        "select figure_id, metric, value from fct_figures where document_id = ? order by figure_id",
        [state.added_document_id],
    )
    shown = state.run_module("pipeline.changes", str(project.warehouse))
    assert shown.returncode == 0, shown.stderr
    state.changes_output = shown.stdout

    touched = sources / originals[0]
    with open(touched, "a", encoding="utf-8") as handle:
        handle.write(TOUCHED_SENTENCE)
    [(state.touched_document_id, sha_before)] = query(
        project.warehouse, "select document_id, sha256 from dim_documents where file_name = ?", [touched.name]
    )
    state.build("touched")
    [(sha_after,)] = query(
        project.warehouse, "select sha256 from dim_documents where file_name = ?", [touched.name]
    )
    state.touched_sha256 = (sha_before, sha_after)

    (sources / ADDED).unlink()
    remove_manifest_row(manifest, ADDED)
    # One article of three removed on purpose: more than the shrink guard lets through unasked.
    state.build("removed", ALLOW_SHRINK="1")

    # A rules change: checked with ingest alone (dbt would add a minute and nothing to this question).
    rules = sorted((project.root / "ingest" / "rules").glob("*.yml"))[0]
    with open(rules, "a", encoding="utf-8") as handle:
        handle.write("\n# e2e: a comment changes the rules version, so every document is extracted again\n")
    ingested = state.run_module(
        "ingest", "--sources", "sources", "--out", str(tmp_path_factory.mktemp("seeds"))
    )
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    state.rules_ingest_output = ingested.stdout
    print(
        "\nrefresh build times: "
        + ", ".join(f"{b.name}={b.seconds:.1f}s (extracted {b.extracted[0]})" for b in state.builds.values())
    )
    return state


def test_every_build_reports_how_many_documents_it_extracted(refresh):
    counts = {name: build.extracted for name, build in refresh.builds.items()}
    n = refresh.n_sources
    # (extracted, documents, from cache) per build
    assert counts == {
        "first": (n, n, 0),
        "unchanged": (0, n, n),
        "added": (1, n + 1, n),
        "touched": (1, n + 1, n),
        "removed": (0, n, n),
    }
    logged = query(
        refresh.project.warehouse,
        "select build_id, documents_extracted, documents_total, previous_build_id from build_log "
        "order by finished_at",
    )
    ids = [b.build_id for b in refresh.builds.values()]
    assert logged == [
        (ids[0], n, n, None),
        (ids[1], 0, n, ids[0]),
        (ids[2], 1, n + 1, ids[1]),
        (ids[3], 1, n + 1, ids[2]),
        (ids[4], 0, n, ids[3]),
    ]


def test_a_rebuild_without_changes_reextracts_nothing_and_reports_nothing(refresh):
    build = refresh.builds["unchanged"]
    n = refresh.n_sources
    assert f"ingest: extracted 0 of {n} documents ({n} from cache)" in build.run.output
    assert "changes: +0 figures, -0, ~0 changed; documents +0 -0" in build.run.output
    assert refresh.changes("unchanged") == []


def test_adding_an_article_reports_exactly_its_figures_as_added(refresh):
    added = refresh.changes("added")
    figures = refresh.added_figures
    assert len(figures) >= 10  # the article states revenue, offer prices, proceeds, cornerstones ...
    added_figures = sorted((f, metric, new) for kind, _, f, metric, new, _ in added if kind == "figure_added")
    assert added_figures == figures
    assert {(kind, document) for kind, document, *_ in added} == {
        ("figure_added", refresh.added_document_id),
        ("document_added", refresh.added_document_id),
    }
    assert sum(kind == "figure_added" for kind, *_ in added) == len(figures)
    assert sum(kind == "document_added" for kind, *_ in added) == 1
    summary = f"changes: +{len(figures)} figures, -0, ~0 changed; documents +1 -0"
    assert summary in refresh.builds["added"].run.output
    # `make changes` shows the same summary and lists the new document and its figures.
    shown = refresh.changes_output
    assert summary in shown, shown
    assert f"last build {refresh.builds['added'].build_id} (published)" in shown
    assert re.search(rf"^  document_added\s+{refresh.added_document_id}$", shown, re.MULTILINE), shown
    assert len(re.findall(rf"^  figure_added\s+{refresh.added_document_id} ", shown, re.MULTILINE)) == min(
        len(figures), 49
    )


def test_touching_one_document_reextracts_only_that_one(refresh):
    build = refresh.builds["touched"]
    n = refresh.n_sources
    assert f"ingest: extracted 1 of {n + 1} documents ({n} from cache)" in build.run.output
    # The sentence appended holds no figure: every figure keeps its id, value and quote.
    assert refresh.changes("touched") == []
    before, after = refresh.touched_sha256
    assert len(before) == len(after) == 64 and before != after  # it did change, and the warehouse knows it


def test_removing_an_article_removes_its_figures_and_reports_them(refresh):
    removed = refresh.changes("removed")
    document = refresh.added_document_id
    assert query(
        refresh.project.warehouse, "select count(*) from fct_figures where document_id = ?", [document]
    ) == [(0,)]
    assert query(
        refresh.project.warehouse, "select count(*) from dim_documents where document_id = ?", [document]
    ) == [(0,)]
    assert (
        sorted(
            (figure_id, metric, old)
            for kind, _, figure_id, metric, _, old in removed
            if kind == "figure_removed"
        )
        == refresh.added_figures
    )
    assert {(kind, doc) for kind, doc, *_ in removed} == {
        ("figure_removed", document),
        ("document_removed", document),
    }
    count = len(refresh.added_figures)
    assert (
        f"changes: +0 figures, -{count}, ~0 changed; documents +0 -1" in refresh.builds["removed"].run.output
    )


def test_a_rules_change_reextracts_every_document(refresh):
    n = refresh.n_sources
    assert ingest_counts(refresh.rules_ingest_output) == (n, n, 0)
