"""What a small build costs against the tools' own start-up, measured side by side in one run.

    python -m bench.startup [--workdir DIR] [--repeat N]

- `bare_startup_s`: `dbt build` of a one-model DuckDB project plus creating an ephemeral Great
  Expectations context in a fresh interpreter: the least any dbt + GX build can cost here.
- `seed_build_s`: `python -m pipeline build` (FORCE=1) of the project's source documents, end to end.

Each is the best of `--repeat` runs (warm file caches and dbt's partial parse, for both alike); the
target is `seed_build_s ≤ 1.5 × bare_startup_s` (issue 14). `bench.run` records the same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
ONE_MODEL_PROJECT = {
    "dbt_project.yml": (
        "name: bare\nversion: '1.0.0'\nconfig-version: 2\nprofile: bare\nmodel-paths: [models]\n"
    ),
    "profiles.yml": (
        "bare:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        "      path: \"{{ env_var('DBT_DUCKDB_PATH') }}\"\n      threads: 2\n"
    ),
    "models/one.sql": "select 1 as id\n",
}
GX_CONTEXT = "import great_expectations as gx; gx.get_context(mode='ephemeral')"


def _quiet_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_DUCKDB_PATH", "STRICT")}
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false", **extra
    )
    return env


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed in {cwd}:\n{(proc.stdout + proc.stderr)[-2000:]}")
    return seconds


def bare_startup_s(workdir: Path, repeat: int = 2) -> float:
    """Best of `repeat`: a one-model `dbt build` plus a GX context, each in its own process."""
    project = workdir / "bare_dbt"
    shutil.rmtree(project, ignore_errors=True)
    for name, text in ONE_MODEL_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    dbt = str(Path(sys.executable).parent / "dbt")
    env = _quiet_env(DBT_PROFILES_DIR=str(project), DBT_DUCKDB_PATH=str(project / "bare.duckdb"))
    runs = []
    for _ in range(repeat):
        seconds = _timed([dbt, "build", "--project-dir", str(project)], project, env)
        seconds += _timed([sys.executable, "-c", GX_CONTEXT], project, env)
        runs.append(seconds)
    return min(runs)


def seed_build_s(workdir: Path, repeat: int = 2) -> float:
    """Best of `repeat` full builds (FORCE=1) of the source documents in a copy of the project."""
    from bench.run import copy_project

    project = copy_project(workdir / "seed_build")
    env = _quiet_env(
        PYTHONPATH=str(project),
        DBT_PROFILES_DIR=str(project),
        SOURCES_DIR="sources",
        WAREHOUSE_PATH="warehouse/ipo.duckdb",
        FORCE="1",
    )
    return min(_timed([sys.executable, "-m", "pipeline", "build"], project, env) for _ in range(repeat))


def measure(workdir: Path, repeat: int = 2) -> dict[str, float]:
    workdir.mkdir(parents=True, exist_ok=True)
    bare = bare_startup_s(workdir, repeat)
    build = seed_build_s(workdir, repeat)
    return {
        "bare_startup_s": round(bare, 2),
        "seed_build_s": round(build, 2),
        "seed_build_ratio": round(build / bare, 2),
    }


def verdict(figures: dict[str, float]) -> str:
    ratio = figures["seed_build_ratio"]
    state = "met" if ratio <= TARGET_RATIO else "MISSED"
    return (
        f"source build {figures['seed_build_s']:.1f} s vs bare start-up {figures['bare_startup_s']:.1f} s: "
        f"{ratio:.2f}× (target ≤ {TARGET_RATIO}×) — {state}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_startup.") as scratch:
        figures = measure(args.workdir or Path(scratch), max(1, args.repeat))
    print(json.dumps(figures))
    print(verdict(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
