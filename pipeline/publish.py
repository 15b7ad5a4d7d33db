"""Publishing the warehouse file: atomic replace, the last N published copies kept, failed builds set aside.

Why a rename and not a copy: `os.replace` within one filesystem is atomic, so a reader sees either the
old warehouse or the new one, never half of each. A reader that already holds the old file open (an
analyst's read-only DuckDB session) keeps reading the old inode until it reconnects; publication never
waits for it.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Failed candidates are kept for inspection; stale temporary files are not.
FAILED_SUFFIX = ".failed.duckdb"
#: Temporary names beside the published file: `.<name>.tmp-<pid>` (see `_link_atomically`).
TMP_MARKER = ".tmp-"
#: Published warehouses kept besides the current one (env KEEP_PUBLISHED).
DEFAULT_KEEP_PUBLISHED = 3
#: Failed candidates kept for inspection; older ones are removed (with their dbt logs).
KEEP_FAILED = 2
#: The staging folder `pipeline.changes.record_changes` writes beside the candidate.
CHANGES_TMP_PREFIX = "build_changes."


class PublishError(RuntimeError):
    """Publication or rollback could not be done; the message says which file and why."""


def prev_path(target: Path) -> Path:
    """`warehouse/ipo.duckdb` -> `warehouse/ipo.prev.duckdb` (the file published before the current one)."""
    return history_path(target, 1)


def history_path(target: Path, n: int) -> Path:
    """The file published `n` publishes before the current one: `ipo.prev.duckdb`, `ipo.prev.2.duckdb` ..."""
    middle = "prev" if n == 1 else f"prev.{n}"
    return target.with_name(f"{target.stem}.{middle}{target.suffix}")


def history(target: Path) -> list[tuple[int, Path]]:
    """The kept published files beside `target`, newest first, as (n, path)."""
    found = []
    for path in target.parent.glob(f"{target.stem}.prev*{target.suffix}"):
        middle = path.name[len(target.stem) + 1 : -len(target.suffix)]
        if middle == "prev":
            found.append((1, path))
        elif middle.startswith("prev.") and middle[5:].isdigit() and int(middle[5:]) >= 2:
            found.append((int(middle[5:]), path))
    return sorted(found)


def rolled_back_path(target: Path) -> Path:
    """Where `rollback` keeps the file it took out of service, for inspection."""
    return target.with_name(f"{target.stem}.rolledback{target.suffix}")


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: the directory entry itself must reach the disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _link_atomically(source: Path, dest: Path) -> None:
    """Make `dest` a second name of `source`'s inode: a hard link under a temporary name, then a rename.

    Why a link and not a copy: it is instant whatever the size of the warehouse, so there is no window
    in which a killed build leaves a half-written copy, and `dest` is never partial (the rename is
    atomic). The published file is only ever replaced by a rename, never written in place, so the
    shared inode keeps the old content once the new warehouse is renamed over `source`.
    """
    if dest.exists() and os.path.samefile(source, dest):
        # Already one file: a publish killed between its two renames leaves prev and target linked.
        # (rename() of a link onto another link of the same file does nothing and would leave tmp.)
        return
    tmp = dest.with_name(f".{dest.name}{TMP_MARKER}{os.getpid()}")
    tmp.unlink(missing_ok=True)  # left by a killed process that had the same pid
    try:
        os.link(source, tmp)
    except OSError:
        # A filesystem without hard links: copy, and make the copy durable before it gets its name.
        shutil.copy2(source, tmp)
        _fsync_file(tmp)
    os.replace(tmp, dest)


@dataclass
class PublishResult:
    published: Path
    previous: Path | None
    notes: list[str] = field(default_factory=list)


def _shift_history(target: Path, keep: int) -> None:
    """Make room for a new `prev`: prev -> prev.2 -> ... -> prev.<keep>; older ones are removed.

    Each step is one rename, oldest first, so a kill between two leaves every kept file whole (at worst
    one name free). When prev already is the published file (a publish killed after its link), it is
    not shifted: it would be kept twice.
    """
    first = prev_path(target)
    if first.exists() and target.exists() and os.path.samefile(first, target):
        return
    for n, path in reversed(history(target)):
        if n >= keep:
            path.unlink()
        else:
            os.replace(path, history_path(target, n + 1))


def publish(candidate: Path, target: Path, keep: int = DEFAULT_KEEP_PUBLISHED) -> PublishResult:
    """Make `candidate` the published warehouse at `target`, keeping the last `keep` published files
    (`<stem>.prev.duckdb` the newest, then `<stem>.prev.2.duckdb` ...).

    The candidate must be a closed DuckDB file (no WAL beside it) on the same filesystem as `target`.
    """
    candidate, target = Path(candidate), Path(target)
    if not candidate.is_file():
        raise PublishError(f"publish: candidate {candidate} does not exist")
    if wal_path(candidate).exists():
        raise PublishError(
            f"publish: {wal_path(candidate)} exists, so {candidate} was not closed cleanly; not publishing it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(candidate).st_dev != os.stat(target.parent).st_dev:
        raise PublishError(
            f"publish: {candidate} and {target.parent} are on different filesystems: "
            "a rename would not be atomic"
        )
    result = PublishResult(published=target, previous=None)
    stale_wal = wal_path(target)
    if stale_wal.exists():
        # A WAL left by a killed writer of the *old* file must never be replayed against the new one.
        aside = stale_wal.with_name(f"{stale_wal.name}.stale-{int(time.time())}")
        os.replace(stale_wal, aside)
        result.notes.append(f"moved stale {stale_wal.name} aside to {aside.name}")
    if target.exists() and keep > 0:
        _shift_history(target, keep)
        previous = prev_path(target)
        _link_atomically(target, previous)
        result.previous = previous
    _fsync_file(candidate)
    os.replace(candidate, target)
    fsync_dir(target.parent)
    if candidate.parent != target.parent:
        fsync_dir(candidate.parent)
    return result


def set_aside_failed(candidate: Path) -> Path:
    """Rename a candidate that failed its audit to `*.failed.duckdb`: kept for inspection, never published."""
    candidate = Path(candidate)
    failed = candidate.with_name(candidate.name.removesuffix(candidate.suffix) + FAILED_SUFFIX)
    os.replace(candidate, failed)
    wal = wal_path(candidate)
    if wal.exists():
        os.replace(wal, wal_path(failed))
    fsync_dir(candidate.parent)
    return failed


def rollback(target: Path, check: Callable[[Path], list[str]] | None = None) -> Path:
    """Put the newest kept published file back at `target` atomically; return where the replaced one went.

    `check(path)` lists what is wrong with the file about to be restored; any problem refuses the
    rollback and `target` is left as it is. The file taken out of service is kept as
    `<stem>.rolledback.duckdb`; the older kept files move up one place (prev.2 becomes prev ...), so
    each rollback goes one publish further back until none is left.
    """
    target = Path(target)
    kept = history(target)
    if not kept:
        raise PublishError(f"rollback: no previous warehouse at {prev_path(target)}; nothing to roll back to")
    _, previous = kept[0]
    problems = check(previous) if check else []
    if problems:
        raise PublishError(
            f"rollback refused: {previous} is not a good warehouse ({'; '.join(problems)}); "
            f"{target} is unchanged"
        )
    removed = rolled_back_path(target)
    if target.exists():
        _link_atomically(target, removed)
    os.replace(previous, target)
    for position, (_, path) in enumerate(kept[1:], start=1):
        os.replace(path, history_path(target, position))
    fsync_dir(target.parent)
    return removed


def clean_stale(build_dir: Path, keep: set[Path] | None = None) -> tuple[list[Path], list[Path]]:
    """Remove temporary files left in `build_dir` by killed builds; keep failed candidates.

    Returns (removed, kept_failed) so the caller can report both.
    """
    build_dir = Path(build_dir)
    keep = {Path(p) for p in (keep or set())}
    removed: list[Path] = []
    kept_failed: list[Path] = []
    if not build_dir.is_dir():
        return removed, kept_failed
    failed_ids = {_build_id(p.name) for p in build_dir.glob("*" + FAILED_SUFFIX)}
    for path in sorted(build_dir.iterdir()):
        if path.is_dir() and path.name.startswith(CHANGES_TMP_PREFIX):
            shutil.rmtree(path)  # the staging folder of a killed change report
            removed.append(path)
            continue
        if path.is_dir():
            # Half-written files of a killed ingest (its seeds are swapped in only once all are written).
            for leftover in sorted(path.glob(".*.tmp")):
                leftover.unlink()
                removed.append(leftover)
        if not path.is_file() or path in keep:
            continue
        if path.name.endswith(FAILED_SUFFIX) or path.name.endswith(FAILED_SUFFIX + ".wal"):
            kept_failed.append(path)
        elif path.suffix in {".duckdb", ".wal", ".tmp"} or ".tmp-" in path.name:
            path.unlink()
            removed.append(path)
        elif path.suffix == ".log" and _build_id(path.name) not in failed_ids:
            # A dbt log is worth keeping only beside the failed candidate it explains.
            path.unlink()
            removed.append(path)
    return removed, kept_failed


def prune_failed(build_dir: Path, keep: int = KEEP_FAILED) -> list[Path]:
    """Remove failed candidates older than the newest `keep` (with their WAL and dbt log)."""
    build_dir = Path(build_dir)
    failed = sorted(
        build_dir.glob("*" + FAILED_SUFFIX), key=lambda p: (p.stat().st_mtime, p.name), reverse=True
    )
    removed = []
    for path in failed[keep:]:
        for leftover in (path, wal_path(path), build_dir / f"dbt.{_build_id(path.name)}.log"):
            if leftover.exists():
                leftover.unlink()
                removed.append(leftover)
    return removed


def clean_stale_beside(target: Path) -> list[Path]:
    """Remove `.<name>.tmp-<pid>` files a killed publish or rollback left beside the published file."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    removed = []
    for path in sorted(target.parent.glob(f".{target.stem}*{TMP_MARKER}*")):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _build_id(name: str) -> str:
    """`ipo.<id>.failed.duckdb` / `dbt.<id>.log` -> `<id>`."""
    parts = name.split(".")
    return parts[1] if len(parts) > 2 else ""
