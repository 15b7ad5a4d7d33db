"""The bad-input corpus through a whole build: every bad file is quarantined with its reason, the good ones
are published, and with STRICT=1 the same corpus stops the build before anything is published.

The corpus is `sources/` (the real articles) + `tests/bad_inputs/` (one manifest for both) + the cases
git cannot hold (symlinks, a FIFO, directories, an oversized file, a long one-line file), made by the
same helper as the unit tests. It is built in the session's project copy into its own warehouse file, so
the other e2e tests keep theirs. The cases of stage `extract` (a value no BIGINT holds, a document over
the time limit) are rejected after extraction, and the others still publish.
"""

from __future__ import annotations

import csv
import re
import shutil

import duckdb
import pytest

from tests.unit.test_documents import expected_rejections, make_runtime_cases

from .project_copy import PROJECT_ROOT, host_paths, sha256

pytestmark = pytest.mark.e2e

BAD_INPUTS = PROJECT_ROOT / "tests" / "bad_inputs"
MAX_BYTES = 100_000  # small, so `too_large.txt` stays small too
TIME_LIMIT = "2"  # seconds: long_line.txt (95 KB in one sentence) takes ~5; the others well under 1
DOCUMENT_SUFFIXES = {".txt", ".md", ".html"}
#: Reasons that reject a manifest row, not the file: good_gbk.txt is listed twice, its first row is used.
ROW_ONLY_REASONS = {"duplicate_manifest_row"}


def rows(path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def why_it_failed(run) -> str:
    """The lines of a build's output that say why it failed (the full output is long)."""
    return "\n".join(line for line in run.output.splitlines() if re.search(r"FAILED|ERROR|why:|e\.g\.", line))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A sources folder with the real articles and every bad case under one manifest."""
    folder = tmp_path_factory.mktemp("bad_corpus") / "sources"
    shutil.copytree(BAD_INPUTS, folder, ignore=shutil.ignore_patterns("*.py", "*.csv", "README.md"))
    with open(PROJECT_ROOT / "sources" / "manifest.csv", encoding="utf-8", newline="") as handle:
        real_rows = list(csv.reader(handle))[1:]
    for real in real_rows:
        shutil.copy(PROJECT_ROOT / "sources" / real[0], folder / real[0])
    # The bad manifest first (its malformed row is reported by line number), the real rows after it.
    shutil.copy(BAD_INPUTS / "manifest.csv", folder / "manifest.csv")
    with open(folder / "manifest.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(real_rows)
    make_runtime_cases(folder, max_bytes=MAX_BYTES)
    good = {
        p.name
        for p in folder.iterdir()
        if p.is_file() and not p.is_symlink() and p.suffix in DOCUMENT_SUFFIXES
    } - {name for name, reason in expected_rejections() if reason not in ROW_ONLY_REASONS}
    return folder, good, {real[0] for real in real_rows}


@pytest.fixture(scope="module")
def bad_build(built_project, corpus):
    project, _ = built_project
    folder, _, _ = corpus
    warehouse = project.root / "warehouse_bad_corpus" / "ipo.duckdb"
    env = {
        "SOURCES_DIR": str(folder),
        "WAREHOUSE_PATH": str(warehouse),
        "MAX_DOCUMENT_BYTES": str(MAX_BYTES),
        "DOCUMENT_TIME_LIMIT": TIME_LIMIT,
        # a corpus made of attacks: most documents are quarantined on purpose, so no error budget
        "QUARANTINE_BUDGET": "1",
    }
    run = project.run("build", extra_env=env)
    return project, warehouse, env, run


def test_corpus_has_enough_bad_cases_and_good_neighbours(corpus):
    _, good, real = corpus
    assert len(expected_rejections()) >= 30
    assert real <= good and len(good - real) >= 4, good


def test_build_succeeds_and_publishes_every_rejection_with_its_reason(bad_build):
    _, warehouse, _, run = bad_build
    assert run.returncode == 0, why_it_failed(run)
    published = set(rows(warehouse, "select file_name, reason from rejected_documents"))
    assert published == expected_rejections()
    [(with_detail,)] = rows(warehouse, "select count(*) from rejected_documents where length(detail) > 0")
    assert with_detail == len(published)


def test_console_lists_each_rejected_file_with_its_reason(bad_build):
    _, _, _, run = bad_build
    missing = [
        (name, reason)
        for name, reason in sorted(expected_rejections())
        if f"ingest: REJECTED {name}: {reason} (" not in run.output
    ]
    assert missing == [], run
    assert f"({len(expected_rejections('read'))} rejected)" in run.output
    assert f"{len(expected_rejections('extract'))} more document(s) rejected after extraction" in run.output


def test_good_documents_are_published_with_their_figures(bad_build, corpus):
    project, warehouse, _, run = bad_build
    _, good, real = corpus
    assert run.returncode == 0, why_it_failed(run)
    assert {name for (name,) in rows(warehouse, "select file_name from dim_documents")} == good
    # The real articles keep exactly the figures of a build without bad neighbours.
    per_document = (
        "select d.file_name, count(f.figure_id) from dim_documents as d "
        "left join fct_figures as f using (document_id) group by 1 order by 1"
    )
    bad_neighbours = dict(rows(warehouse, per_document))
    reference = dict(rows(project.warehouse, per_document))
    assert {name: bad_neighbours[name] for name in real} == reference
    assert all(count > 10 for count in reference.values()), reference
    # The invented good articles carry no figures (their text states none); they must not gain any.
    assert {name: bad_neighbours[name] for name in good - real} == dict.fromkeys(good - real, 0)


def test_published_rejections_hold_no_host_paths(bad_build, corpus):
    project, warehouse, _, run = bad_build
    folder, _, _ = corpus
    assert run.returncode == 0, why_it_failed(run)
    # The escaping symlink resolves outside the corpus: the rejection says so without the host's path.
    assert host_paths(warehouse, str(folder.parent), str(project.root)) == []
    [(detail,)] = rows(
        warehouse, "select detail from rejected_documents where file_name = 'symlink_escape.txt'"
    )
    assert detail == "symlink_escape.txt: resolves to …/outside_secret.txt, outside the source folder"


def test_strict_build_fails_on_the_same_corpus_and_leaves_the_published_file(bad_build):
    project, warehouse, env, run = bad_build
    assert run.returncode == 0, why_it_failed(run)
    before = sha256(warehouse)

    strict = project.run("build", extra_env={**env, "STRICT": "1"})

    assert strict.returncode != 0, strict
    # strict stops before extraction: the files rejected when read are enough
    assert f"ingest: strict mode: {len(expected_rejections('read'))} document(s) rejected" in strict.output
    assert "BUILD FAILED: ingest exited with 2" in strict.output
    assert "published warehouse untouched" in strict.output
    assert sha256(warehouse) == before
    assert list((warehouse.parent / ".build" / "ipo").glob("*.duckdb")) == []
