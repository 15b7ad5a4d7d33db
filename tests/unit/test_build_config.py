"""`python -m pipeline build` settings and edges: environment, per-warehouse folders, host paths, errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pipeline import build

MINIMAL_WAREHOUSE = (
    "create table dim_documents as select 'd1' as document_id; "
    "create table fct_figures as select 'f1' as figure_id, 'd1' as document_id"
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("QUARANTINE_BUDGET", "SHRINK_LIMIT", "ALLOW_SHRINK", "KEEP_PUBLISHED", "INGEST_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_ten_percent_quarantine_five_percent_shrink_three_kept(clean_env, tmp_path):
    config = build.BuildConfig.from_env(tmp_path)
    assert (config.quarantine_budget, config.shrink_limit, config.allow_shrink, config.keep_published) == (
        0.10,
        0.05,
        False,
        3,
    )


def test_the_limits_come_from_the_environment(clean_env, tmp_path):
    clean_env.setenv("QUARANTINE_BUDGET", "0.25")
    clean_env.setenv("SHRINK_LIMIT", "0")
    clean_env.setenv("ALLOW_SHRINK", "1")
    clean_env.setenv("KEEP_PUBLISHED", "5")
    config = build.BuildConfig.from_env(tmp_path)
    assert (config.quarantine_budget, config.shrink_limit, config.allow_shrink, config.keep_published) == (
        0.25,
        0.0,
        True,
        5,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("QUARANTINE_BUDGET", "ten", "QUARANTINE_BUDGET='ten': expected a share between 0 and 1"),
        ("SHRINK_LIMIT", "5", "SHRINK_LIMIT='5': expected a share between 0 and 1"),
        ("KEEP_PUBLISHED", "0", "KEEP_PUBLISHED='0': expected a whole number of at least 1"),
    ],
)
def test_a_bad_limit_is_refused_naming_it(clean_env, tmp_path, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(build.BuildFailed, match=message):
        build.BuildConfig.from_env(tmp_path)


def test_two_warehouses_in_one_folder_have_their_own_build_folders(clean_env, tmp_path):
    clean_env.setenv("WAREHOUSE_PATH", "shared/a.duckdb")
    a = build.BuildConfig.from_env(tmp_path)
    clean_env.setenv("WAREHOUSE_PATH", "shared/b.duckdb")
    b = build.BuildConfig.from_env(tmp_path)

    for config, stem in ((a, "a"), (b, "b")):
        assert config.build_dir == tmp_path / "shared" / ".build" / stem
        # Everything a build writes is under its folder, nothing in the project.
        for path in (
            config.extracted_dir,
            config.loaded_dir,
            config.target_path,
            config.log_path,
            config.ingest_cache_dir,
        ):
            assert path.is_relative_to(config.build_dir), path
        assert build.dbt_work_file(config).parent == config.build_dir


def test_published_paths_are_relative_to_the_project_or_cut_to_their_name(tmp_path):
    config = build.BuildConfig(tmp_path, tmp_path / "sources", tmp_path / "warehouse" / "ipo.duckdb", False)
    assert config.published(tmp_path / "sources") == "sources"
    assert config.published(Path("/elsewhere/corpus_2026")) == "…/corpus_2026"


def test_host_paths_in_a_rejection_become_relative_or_are_cut(tmp_path):
    roots = [(tmp_path / "sources", "sources"), (tmp_path, ".")]
    detail = f"link.txt: resolves to {tmp_path}/outside.txt, outside the source folder"
    assert (
        build.mask_host_paths(detail, "link.txt", roots)
        == "link.txt: resolves to outside.txt, outside the source folder"
    )
    outside = "link.txt: resolves to /home/someone/secret.txt, outside the source folder"
    assert build.mask_host_paths(outside, "link.txt", roots).endswith(
        "resolves to …/secret.txt, outside the source folder"
    )
    # What the manifest itself says is kept: it is the problem being reported, not where the build ran.
    written = "/etc/passwd: absolute paths are not allowed in manifest.csv"
    assert build.mask_host_paths(written, "/etc/passwd", roots) == written


def test_a_full_disk_is_one_line_naming_the_path(tmp_path):
    error = None
    try:
        with open("/dev/full", "w") as handle:
            handle.write("x" * 65536)
            handle.flush()
    except OSError as exc:
        error = exc
    if error is None:  # pragma: no cover - /dev/full always refuses writes on Linux
        pytest.skip("/dev/full accepted the write")
    error.filename = str(tmp_path / "warehouse" / ".build" / "ipo" / "ipo.dbt.duckdb")
    assert build.describe_os_error(error) == (
        f"no space left on the device while writing {error.filename}: free some space and build again"
    )


def test_a_read_only_folder_is_one_line_naming_the_path():
    exc = OSError(errno.EROFS, os.strerror(errno.EROFS), "/data/warehouse/.build/ipo")
    assert (
        build.describe_os_error(exc)
        == "cannot write /data/warehouse/.build/ipo: the file system is read-only"
    )


def test_a_corrupt_published_file_fails_the_build_at_once_with_the_rollback_hint(
    tmp_path, duckdb_files, capsys
):
    target = tmp_path / "warehouse" / "ipo.duckdb"
    duckdb_files.make(tmp_path / "warehouse" / "ipo.prev.duckdb", MINIMAL_WAREHOUSE)
    target.write_bytes(b"\x00garbage" * 4096)
    config = build.BuildConfig(tmp_path, tmp_path / "no_such_sources", target, strict=False)

    assert build.run_build(config) == 1

    out, err = capsys.readouterr()
    assert "[ingest]" not in out  # detected before any work
    [failed] = [line for line in err.splitlines() if line.startswith("BUILD FAILED")]
    assert failed.startswith("BUILD FAILED: the published warehouse is corrupt: ")
    assert f"{target} does not open as a DuckDB database" in failed
    assert failed.endswith("`make rollback` puts back the last good one (warehouse/ipo.prev.duckdb)")


def test_a_corrupt_published_file_without_an_earlier_one_says_to_move_it_aside(tmp_path, capsys):
    target = tmp_path / "warehouse" / "ipo.duckdb"
    target.parent.mkdir()
    target.write_bytes(b"\x00garbage" * 4096)

    assert build.run_build(build.BuildConfig(tmp_path, tmp_path / "sources", target, strict=False)) == 1

    assert "no earlier warehouse is kept: move it aside to build from scratch" in capsys.readouterr().err


def test_a_read_only_warehouse_folder_fails_in_one_line_without_a_traceback(tmp_path, monkeypatch, capsys):
    target = tmp_path / "warehouse" / "ipo.duckdb"
    config = build.BuildConfig(tmp_path, tmp_path / "sources", target, strict=False)
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.is_relative_to(target.parent):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)

    assert build.run_build(config) == 1

    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"BUILD FAILED: cannot write {config.build_dir}: the file system is read-only",
        "published warehouse untouched: warehouse/ipo.duckdb",
    ]


def corpus_of(*documents: str):
    import polars as pl

    from ingest.schema import SEED_SCHEMAS, conform, empty_frame

    tables = {name: empty_frame(name) for name in SEED_SCHEMAS}
    rows = [{"document_id": d, "file_name": f"{d}.md"} for d in documents]
    tables["ingest_documents"] = conform(
        pl.DataFrame(rows, schema=SEED_SCHEMAS["ingest_documents"]), "ingest_documents"
    )
    return tables


def margin_failure(document: str):
    from pipeline import quarantine

    return quarantine.CheckFailure("expectation fct_figures: margin", {document: ["value=900"]})


def test_a_traced_failure_quarantines_its_document_unless_strict(tmp_path, capsys):
    config = build.BuildConfig(tmp_path, tmp_path / "sources", tmp_path / "w" / "ipo.duckdb", strict=False)
    tables = corpus_of(*(f"d{i}" for i in range(20)))

    kept, decision, stale = build.step_quarantine(config, tables, [margin_failure("d7")], None)

    assert list(decision.documents) == ["d7"] and stale == []
    assert "d7" not in kept["ingest_documents"]["document_id"].to_list()
    assert kept["ingest_rejected_documents"].rows() == [
        (
            "d7.md",
            "failed_check",
            "expectation fct_figures: margin: value=900",
            "expectation fct_figures: margin",
        )
    ]
    assert "QUARANTINED d7.md (d7): expectation fct_figures: margin" in capsys.readouterr().out

    strict = build.BuildConfig(tmp_path, tmp_path / "sources", tmp_path / "w" / "ipo.duckdb", strict=True)
    with pytest.raises(build.BuildFailed, match=r"STRICT: 1 document\(s\) would be quarantined: d7"):
        build.step_quarantine(strict, tables, [margin_failure("d7")], None)
