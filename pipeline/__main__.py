"""Command line: `python -m pipeline build | rollback | validate [FILE] | export --warehouse F --out DIR |
load --extracted DIR --database FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import build, export, extracted, health, publish, validate


def _rollback(config: build.BuildConfig) -> int:
    """Restore the newest kept warehouse, after checking it opens, holds the marts and passes the suites."""
    kept = publish.history(config.warehouse_path)
    if not kept:  # said before taking the lock, which would create the build folder
        where = publish.prev_path(config.warehouse_path)
        print(f"ROLLBACK FAILED: no previous warehouse at {where}; nothing to roll back to", file=sys.stderr)
        return 1
    print(f"checking {config.shown(kept[0][1])} before restoring it ...", flush=True)

    def check(path: Path) -> list[str]:
        return health.check_restorable(path, config.project_dir / "expectations")

    try:
        with build.build_lock(config.build_dir):  # never while a build of this warehouse runs
            removed = publish.rollback(config.warehouse_path, check=check)
    except (publish.PublishError, build.BuildFailed) as exc:
        print(f"ROLLBACK FAILED: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"ROLLBACK FAILED: {build.describe_os_error(exc)}", file=sys.stderr)
        return 1
    left = len(publish.history(config.warehouse_path))
    print(
        f"rolled back: {config.shown(config.warehouse_path)} is the previous warehouse again; the replaced "
        f"one is {config.shown(removed)} ({left} earlier warehouse(s) left to roll back to)"
    )
    return 0


def _validate(config: build.BuildConfig, path: Path | None) -> int:
    target = path or config.warehouse_path
    if not target.is_file():
        print(f"VALIDATE FAILED: {target} does not exist", file=sys.stderr)
        return 1
    try:
        suites = validate.load_suites(config.project_dir / "expectations")
    except validate.SuiteError as exc:
        print(f"VALIDATE FAILED: {exc}", file=sys.stderr)
        return 1
    results = validate.validate_warehouse(target, suites)
    print("\n".join(validate.report_lines(results)))
    return 0 if validate.all_passed(results) else 1


def _export(warehouse: Path, out: Path) -> int:
    try:
        tables = export.export_warehouse(warehouse, out)
    except export.ExportError as exc:
        print(f"EXPORT FAILED: {exc}", file=sys.stderr)
        return 1
    for table in tables:
        print(f"  {table.table}: {table.rows} rows -> " + ", ".join(f.name for f in table.files))
    print(f"exported {len(tables)} tables from {warehouse} to {out} (Parquet, CSV and {export.WORKBOOK})")
    return 0


def _load(folder: Path, database: Path) -> int:
    """The extracted tables of `folder` (ingest's Parquet copies) as tables of `database`, where dbt's
    `ingest` source reads them: the one load path, also for `make docs` and a hand-run dbt."""
    try:
        tables = extracted.read_extracted(folder)
        extracted.load_into(database, tables, folder / "loaded")
    except extracted.ExtractedError as exc:
        print(f"LOAD FAILED: {exc}", file=sys.stderr)
        return 1
    counts = extracted.count_rows(tables)
    print(f"loaded {len(counts)} extracted tables ({counts['ingest_figures']} figures) into {database}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser(
        "build",
        help="ingest, dbt build, validate and publish (env SOURCES_DIR, WAREHOUSE_PATH, STRICT, "
        "QUARANTINE_BUDGET, SHRINK_LIMIT, ALLOW_SHRINK, KEEP_PUBLISHED)",
    )
    make.add_argument(
        "--skip-ingest",
        action="store_true",
        help="reuse the extracted tables of the last build as they are (model development)",
    )
    make.add_argument("--force", action="store_true", help="rebuild even if nothing changed (FORCE=1)")
    commands.add_parser(
        "rollback", help="restore the previously published warehouse, once it opens and passes the suites"
    )
    check = commands.add_parser("validate", help="run the expectation suites against a warehouse file")
    check.add_argument("file", nargs="?", type=Path, help="default: $WAREHOUSE_PATH")
    dump = commands.add_parser(
        "export", help="Parquet and CSV of every published table, text cells safe for spreadsheets"
    )
    dump.add_argument("--warehouse", type=Path, help="default: $WAREHOUSE_PATH")
    dump.add_argument("--out", type=Path, required=True, help="folder for <table>.parquet and <table>.csv")
    load = commands.add_parser("load", help="load ingest's extracted tables into a DuckDB file for dbt")
    load.add_argument("--extracted", type=Path, required=True, help="folder ingest wrote (--parquet-out)")
    load.add_argument("--database", type=Path, required=True, help="DuckDB file dbt builds into")
    args = parser.parse_args(argv)
    if args.command == "load":
        return _load(args.extracted, args.database)
    try:
        config = build.BuildConfig.from_env()
    except build.BuildFailed as exc:  # a bad environment value (QUARANTINE_BUDGET=abc ...)
        print(f"{args.command.upper()} FAILED: {exc}", file=sys.stderr)
        return 1
    if args.command == "export":
        return _export(args.warehouse or config.warehouse_path, args.out)
    if args.command == "build":
        config.skip_ingest = args.skip_ingest
        config.force = config.force or args.force
        return build.run_build(config)
    if args.command == "rollback":
        return _rollback(config)
    return _validate(config, args.file)


if __name__ == "__main__":
    sys.exit(main())
