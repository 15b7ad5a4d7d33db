"""Publishing the warehouse file: atomic replace, previous copy kept, failed builds set aside.

Why a rename and not a copy: `os.replace` within one filesystem is atomic, so a reader sees either the
old warehouse or the new one, never half of each. A reader that already holds the old file open (an
analyst's read-only DuckDB session) keeps reading the old inode until it reconnects; publication never
waits for it.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Failed candidates are kept for inspection; stale temporary files are not.
FAILED_SUFFIX = ".failed.duckdb"
#: Temporary names beside the published file: `.<name>.tmp-<pid>` (see `_link_atomically`).
TMP_MARKER = ".tmp-"


class PublishError(RuntimeError):
    """Publication or rollback could not be done; the message says which file and why."""


def prev_path(target: Path) -> Path:
    """`warehouse/ipo.duckdb` -> `warehouse/ipo.prev.duckdb` (the file published before the current one)."""
    return target.with_name(f"{target.stem}.prev{target.suffix}")


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


def publish(candidate: Path, target: Path) -> PublishResult:
    """Make `candidate` the published warehouse at `target`, keeping the old one as `<stem>.prev.duckdb`.

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
    if target.exists():
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


def rollback(target: Path) -> Path:
    """Put the previously published file back at `target` atomically; return where the replaced one went.

    The file taken out of service is kept as `<stem>.rolledback.duckdb`. A second rollback without a
    publish in between fails: there is only one previous file.
    """
    target = Path(target)
    previous = prev_path(target)
    if not previous.is_file():
        raise PublishError(f"rollback: no previous warehouse at {previous}; nothing to roll back to")
    removed = rolled_back_path(target)
    if target.exists():
        _link_atomically(target, removed)
    os.replace(previous, target)
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
