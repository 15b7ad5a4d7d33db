"""Publishing: atomic replace, previous kept, failed candidates set aside, rollback, readers never block."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import build, publish


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(build dir, published target) on the same filesystem, as the build uses them."""
    build_dir = tmp_path / "warehouse" / ".build"
    build_dir.mkdir(parents=True)
    return build_dir, tmp_path / "warehouse" / "ipo.duckdb"


def test_first_publish_moves_candidate_into_place(layout, duckdb_files):
    build_dir, target = layout
    candidate = duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1")

    result = publish.publish(candidate, target)

    assert duckdb_files.read(target) == "b1"
    assert not candidate.exists()
    assert result.previous is None
    assert not publish.prev_path(target).exists()


def test_second_publish_keeps_the_previous_file(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)

    result = publish.publish(duckdb_files.marker(build_dir / "ipo.b2.duckdb", "b2"), target)

    assert duckdb_files.read(target) == "b2"
    assert result.previous == target.parent / "ipo.prev.duckdb"
    assert duckdb_files.read(result.previous) == "b1"
    assert sorted(p.name for p in build_dir.iterdir()) == []


def test_publish_refuses_a_candidate_that_was_not_closed(layout, duckdb_files):
    build_dir, target = layout
    candidate = duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1")
    publish.wal_path(candidate).write_bytes(b"unfinished")

    with pytest.raises(publish.PublishError, match=r"ipo\.b1\.duckdb\.wal exists"):
        publish.publish(candidate, target)
    assert not target.exists()


def test_publish_of_a_missing_candidate_names_it(layout):
    build_dir, target = layout
    with pytest.raises(publish.PublishError, match=r"ipo\.nope\.duckdb does not exist"):
        publish.publish(build_dir / "ipo.nope.duckdb", target)


def test_a_stale_wal_of_the_old_file_is_moved_aside_not_replayed(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    publish.wal_path(target).write_bytes(b"left by a killed writer")

    result = publish.publish(duckdb_files.marker(build_dir / "ipo.b2.duckdb", "b2"), target)

    assert not publish.wal_path(target).exists()
    assert len(result.notes) == 1 and "moved stale ipo.duckdb.wal aside" in result.notes[0]
    assert duckdb_files.read(target) == "b2"


def test_failed_candidate_is_set_aside_and_published_file_untouched(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    before = target.read_bytes()
    candidate = duckdb_files.marker(build_dir / "ipo.b2.duckdb", "b2")

    failed = publish.set_aside_failed(candidate)

    assert failed == build_dir / "ipo.b2.failed.duckdb"
    assert duckdb_files.read(failed) == "b2"
    assert not candidate.exists()
    assert target.read_bytes() == before


def test_rollback_restores_previous_and_keeps_the_replaced_one(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    publish.publish(duckdb_files.marker(build_dir / "ipo.b2.duckdb", "b2"), target)

    removed = publish.rollback(target)

    assert duckdb_files.read(target) == "b1"
    assert removed == target.parent / "ipo.rolledback.duckdb"
    assert duckdb_files.read(removed) == "b2"
    # Only one previous file exists: a second rollback must fail, not loop between two files.
    with pytest.raises(publish.PublishError, match="no previous warehouse"):
        publish.rollback(target)


def test_rollback_without_previous_fails_clearly(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    with pytest.raises(publish.PublishError, match=r"ipo\.prev\.duckdb"):
        publish.rollback(target)
    assert duckdb_files.read(target) == "b1"


def test_clean_stale_removes_temporaries_and_keeps_failed(layout, duckdb_files):
    build_dir, _ = layout
    stale = duckdb_files.marker(build_dir / "ipo.killed.duckdb", "killed")
    stale_wal = build_dir / "ipo.killed.duckdb.wal"
    stale_wal.write_bytes(b"x")
    failed = duckdb_files.marker(build_dir / "ipo.b0.failed.duckdb", "b0")
    current = duckdb_files.marker(build_dir / "ipo.current.duckdb", "current")
    (build_dir / "dbt.b0.log").write_text("explains the failed candidate b0")
    (build_dir / "dbt.killed.log").write_text("log of a killed build")

    removed, kept = publish.clean_stale(build_dir, keep={current})

    assert sorted(p.name for p in removed) == ["dbt.killed.log", "ipo.killed.duckdb", "ipo.killed.duckdb.wal"]
    assert kept == [failed]
    assert not stale.exists() and not stale_wal.exists()
    assert sorted(p.name for p in build_dir.iterdir()) == [
        "dbt.b0.log",
        "ipo.b0.failed.duckdb",
        "ipo.current.duckdb",
    ]


HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select label from marker").fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the connection until the test has published
    print(con.execute("select label from marker").fetchone()[0], flush=True)
    """
)


def test_a_read_only_session_on_the_published_file_does_not_block_publish(layout, duckdb_files):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "b1"

        publish.publish(duckdb_files.marker(build_dir / "ipo.b2.duckdb", "b2"), target)

        # New sessions see the new file; the analyst's open session keeps its consistent old inode.
        assert duckdb_files.read(target) == "b2"
        out, _ = holder.communicate("go\n", timeout=30)
        assert out.strip() == "b1"
        assert holder.returncode == 0
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_build_that_fails_early_reports_why_and_leaves_the_published_file(layout, duckdb_files, capsys):
    build_dir, target = layout
    publish.publish(duckdb_files.marker(build_dir / "ipo.b1.duckdb", "b1"), target)
    before = target.read_bytes()
    config = build.BuildConfig(
        project_dir=target.parent.parent,
        sources_dir=target.parent.parent / "no_such_sources",
        warehouse_path=target,
        strict=False,
    )

    assert build.run_build(config) == 1

    err = capsys.readouterr().err
    assert f"BUILD FAILED: ingest: sources directory {config.sources_dir} does not exist" in err
    assert target.read_bytes() == before
    assert sorted(p.name for p in build_dir.iterdir()) == [".lock"]
