"""A read-only warehouse folder and a full disk, for real: one line naming the path, no traceback.

Each build runs in its own user and mount namespace (`unshare -rm`), where the warehouse folder is a
read-only bind mount, or a 1 MB tmpfs that the first DuckDB file fills. Skipped where the kernel
does not allow such namespaces. The project itself is used: a build writes only beside its warehouse.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest

from .project_copy import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(not namespaces_work(), reason="unshare -rm is not allowed here")


def build_in_namespace(mount: str, warehouse_dir, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m pipeline build` of sources/ into `warehouse_dir`, which `mount` prepares first."""
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_DUCKDB_PATH", "STRICT", "INGEST_CACHE_DIR")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DBT_PROFILES_DIR=str(PROJECT_ROOT),
        SOURCES_DIR="sources",
        WAREHOUSE_PATH=str(warehouse_dir / "ipo.duckdb"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        CI="true",
    )
    script = f"{mount} && exec {shlex.quote(sys.executable)} -m pipeline build"
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@needs_namespaces
def test_a_read_only_warehouse_folder_fails_in_one_line_naming_it(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    quoted = shlex.quote(str(folder))

    proc = build_in_namespace(f"mount --bind -o ro {quoted} {quoted}", folder)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"BUILD FAILED: cannot write {folder}/.build: the file system is read-only",
        f"published warehouse untouched: {folder}/ipo.duckdb",
    ]
    assert "Traceback" not in proc.stdout + proc.stderr


@needs_namespaces
def test_a_full_disk_fails_in_one_line_naming_the_file(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()

    proc = build_in_namespace(f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(folder))}", folder)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    [failed] = [line for line in proc.stderr.splitlines() if line.startswith("BUILD FAILED")]
    assert failed.startswith("BUILD FAILED: no space left on the device: "), failed
    assert f"{folder}/.build/ipo/ipo.dbt.duckdb" in failed and "No space left on device" in failed
    assert "Traceback" not in proc.stdout + proc.stderr
