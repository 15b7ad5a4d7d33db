"""Publishing: atomic replace, previous kept, failed candidates set aside, rollback, readers never block."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import build, publish


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(build dir, published target) on the same filesystem, as the build uses them."""
    build_dir = tmp_path / "warehouse" / ".build" / "ipo"
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
    _, target = layout
    duckdb_files.make(target, MINIMAL_WAREHOUSE)
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
    assert config.build_dir == target.parent / ".build" / "ipo"
    assert sorted(p.name for p in config.build_dir.iterdir()) == [".lock"]


#: The two marts a build checks in the published file before anything else.
MINIMAL_WAREHOUSE = (
    "create table dim_documents as select 'd1' as document_id; "
    "create table fct_figures as select 'f1' as figure_id, 'd1' as document_id"
)


# --- the last N published warehouses -------------------------------------------------------------------


def publish_builds(build_dir: Path, target: Path, duckdb_files, labels, keep=3) -> None:
    for label in labels:
        publish.publish(duckdb_files.marker(build_dir / f"ipo.{label}.duckdb", label), target, keep=keep)


def kept_labels(target: Path, duckdb_files) -> list[tuple[str, str]]:
    return [(path.name, duckdb_files.read(path)) for _, path in publish.history(target)]


def test_the_last_three_published_warehouses_are_kept_newest_first(layout, duckdb_files):
    build_dir, target = layout

    publish_builds(build_dir, target, duckdb_files, ["b1", "b2", "b3", "b4", "b5"])

    assert duckdb_files.read(target) == "b5"
    assert kept_labels(target, duckdb_files) == [
        ("ipo.prev.duckdb", "b4"),
        ("ipo.prev.2.duckdb", "b3"),
        ("ipo.prev.3.duckdb", "b2"),
    ]
    assert sorted(p.name for p in target.parent.iterdir()) == [
        ".build",
        "ipo.duckdb",
        "ipo.prev.2.duckdb",
        "ipo.prev.3.duckdb",
        "ipo.prev.duckdb",
    ]


def test_keep_published_is_configurable_and_drops_the_older_files(layout, duckdb_files):
    build_dir, target = layout
    publish_builds(build_dir, target, duckdb_files, ["b1", "b2", "b3", "b4"], keep=3)

    publish_builds(build_dir, target, duckdb_files, ["b5"], keep=1)

    assert kept_labels(target, duckdb_files) == [("ipo.prev.duckdb", "b4")]


def test_each_rollback_goes_one_publish_further_back_until_none_is_left(layout, duckdb_files):
    build_dir, target = layout
    publish_builds(build_dir, target, duckdb_files, ["b1", "b2", "b3", "b4"])

    seen = []
    for _ in range(3):
        publish.rollback(target)
        seen.append((duckdb_files.read(target), [label for _, label in kept_labels(target, duckdb_files)]))

    assert seen == [("b3", ["b2", "b1"]), ("b2", ["b1"]), ("b1", [])]
    with pytest.raises(publish.PublishError, match="no previous warehouse"):
        publish.rollback(target)
    assert duckdb_files.read(target) == "b1"


def test_rollback_refuses_a_file_its_check_finds_bad_and_changes_nothing(layout, duckdb_files):
    build_dir, target = layout
    publish_builds(build_dir, target, duckdb_files, ["b1", "b2", "b3"])
    checked = []

    def check(path):
        checked.append(path.name)
        return ["it does not open"]

    with pytest.raises(
        publish.PublishError, match=r"rollback refused: .*ipo\.prev\.duckdb .*it does not open"
    ):
        publish.rollback(target, check=check)

    assert checked == ["ipo.prev.duckdb"]
    assert duckdb_files.read(target) == "b3"
    assert [label for _, label in kept_labels(target, duckdb_files)] == ["b2", "b1"]
    assert not publish.rolled_back_path(target).exists()


def test_a_publish_killed_after_its_link_does_not_keep_the_published_file_twice(layout, duckdb_files):
    build_dir, target = layout
    publish_builds(build_dir, target, duckdb_files, ["b1", "b2"])
    # The state a kill between `link published -> prev` and `rename candidate -> published` leaves.
    publish.prev_path(target).unlink()
    os.link(target, publish.prev_path(target))

    publish_builds(build_dir, target, duckdb_files, ["b3"])

    assert duckdb_files.read(target) == "b3"
    assert [label for _, label in kept_labels(target, duckdb_files)] == ["b2"]


def test_only_the_last_two_failed_candidates_are_kept(layout, duckdb_files):
    build_dir, _ = layout
    for n in range(1, 5):
        failed = duckdb_files.marker(build_dir / f"ipo.b{n}.failed.duckdb", f"b{n}")
        (build_dir / f"dbt.b{n}.log").write_text(f"why b{n} failed")
        os.utime(failed, (1_000_000 + n, 1_000_000 + n))

    removed = publish.prune_failed(build_dir)

    assert sorted(p.name for p in removed) == [
        "dbt.b1.log",
        "dbt.b2.log",
        "ipo.b1.failed.duckdb",
        "ipo.b2.failed.duckdb",
    ]
    assert sorted(p.name for p in build_dir.iterdir()) == [
        "dbt.b3.log",
        "dbt.b4.log",
        "ipo.b3.failed.duckdb",
        "ipo.b4.failed.duckdb",
    ]
