"""Security checks over the source tree: safe YAML, no values spliced into SQL, no secrets in config.

Manifest path escapes (`../`, absolute paths, symlinks leading out of the source folder) are covered
by tests/unit/test_documents.py (test_each_quarantine_reason, test_symlink_escaping_the_folder_is_path_escape,
test_bad_inputs_are_rejected_with_expected_reasons) and, through a whole build, by
tests/e2e/test_bad_corpus.py; the last test here only checks that those tests still exist.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".git", "target", "dbt_packages", "logs", "build", "warehouse", "bad_inputs"}
SQL_PACKAGES = ("pipeline", "ingest")
#: Methods that take SQL text as their first argument (DuckDB connections, and changes.py's `read_frame`).
SQL_CALLS = {"execute", "executemany", "sql", "query", "read_frame"}
#: Helpers that make an interpolated piece safe: identifier quoting and literal escaping (pipeline/export.py).
QUOTING_HELPERS = {"quote_ident", "sql_literal"}
#: Names that may appear inside an f-string SQL text: each holds an identifier or SQL built from constants,
#: never a value from a document, a user or a file. A new entry needs a reason.
KNOWN_IDENTIFIERS = {
    ("pipeline/validate.py", "qualified"): "schema.table from information_schema, double-quoted",
    ("pipeline/changes.py", "table"): "the constant names build_log / build_changes / audit_results",
    ("pipeline/export.py", "query"): "select_safe(): quoted column names and constant neutralisation SQL",
    ("pipeline/export.py", "options"): "the constant COPY options of FORMATS",
    ("pipeline/quarantine.py", "relation"): "dbt's relation_name of a model, from the build's own manifest",
    ("pipeline/surface.py", "assignments"): "col = nullif(col, '') over quoted information_schema columns",
    ("pipeline/surface.py", "blank"): "col = '' for quoted column names of information_schema",
    ("pipeline/compare.py", "older"): "catalog.main.table, each part double-quoted",
    ("pipeline/compare.py", "newer"): "catalog.main.table, each part double-quoted",
}


def python_files(*roots: str) -> list[Path]:
    found = []
    for root in roots or (".",):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(PROJECT_ROOT).parts):
                found.append(path)
    return found


def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            owner = (
                func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            )
            yield node, owner, name


def test_yaml_is_only_ever_loaded_safely():
    """yaml.load without a safe loader runs constructors like !!python/object/apply (yaml_python_tag.md)."""
    checked = []
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        for node, owner, name in calls(tree):
            where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
            if owner == "yaml" and name in {"unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}:
                raise AssertionError(f"{where}: yaml.{name} is never safe on input files")
            if owner == "yaml" and name in {"load", "load_all"}:
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                loader = loader if loader is not None else (node.args[1] if len(node.args) > 1 else None)
                text = ast.get_source_segment(source, loader) if loader is not None else ""
                assert text and "SafeLoader" in text and "Unsafe" not in text, (
                    f"{where}: yaml.{name} without SafeLoader"
                )
                checked.append(where)
            if owner == "yaml" and name in {"safe_load", "safe_load_all"}:
                checked.append(where)
        assert not re.search(r"\byaml\.(Unsafe|Full)?Loader\b(?!\w)", source.replace("SafeLoader", "")), path
    # The front-matter reader and the expectation suites are the YAML readers that must be covered.
    assert any(w.startswith("ingest/documents.py:") for w in checked), checked
    assert any(w.startswith("pipeline/validate.py:") for w in checked), checked


def sql_call_sites() -> list[tuple[str, int, ast.expr]]:
    sites = []
    for path in python_files(*SQL_PACKAGES):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, _, name in calls(tree):
            if name in SQL_CALLS and node.args:
                sites.append((path.relative_to(PROJECT_ROOT).as_posix(), node.lineno, node.args[0]))
    return sites


def unsafe_pieces(file: str, sql: ast.expr) -> list[str]:
    """What in a SQL argument is not a constant, a quoted identifier or a known identifier variable."""
    if isinstance(sql, ast.Constant) and isinstance(sql.value, str):
        return []
    if isinstance(sql, ast.Name):
        return []  # a variable holding SQL: its f-string (if any) is checked where it is built
    if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod):
        return ["%-formatting"]
    if isinstance(sql, ast.Call) and isinstance(sql.func, ast.Attribute) and sql.func.attr == "format":
        return [".format()"]
    if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Add):
        return unsafe_pieces(file, sql.left) + unsafe_pieces(file, sql.right)
    if isinstance(sql, ast.JoinedStr):
        bad = []
        for part in sql.values:
            if not isinstance(part, ast.FormattedValue):
                continue
            value = part.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") in QUOTING_HELPERS:
                continue
            if isinstance(value, ast.Name) and (file, value.id) in KNOWN_IDENTIFIERS:
                continue
            bad.append(ast.unparse(value))
        return bad
    return [ast.unparse(sql)]


def test_sql_never_has_values_spliced_into_it():
    sites = sql_call_sites()
    listed = {file for file, _, _ in sites}
    # The modules that talk to DuckDB are all found (the check is not vacuous).
    assert {"pipeline/validate.py", "pipeline/changes.py", "pipeline/export.py"} <= listed, listed
    offending = [
        f"{file}:{line}: {', '.join(pieces)} in {ast.unparse(sql)[:100]}"
        for file, line, sql in sites
        if (pieces := unsafe_pieces(file, sql))
    ]
    assert offending == [], "pass values as parameters (?) or quote identifiers:\n" + "\n".join(offending)


def test_the_static_sql_check_flags_a_spliced_value():
    tree = ast.parse('con.execute(f"select * from t where name = \'{name}\'")\ncon.execute("x %s" % v)')
    pieces = [unsafe_pieces("pipeline/x.py", node.args[0]) for node, _, _ in calls(tree)]
    assert pieces == [["name"], ["%-formatting"]]
    assert unsafe_pieces("pipeline/x.py", ast.parse('f"from {quote_ident(t)}"').body[0].value) == []


SECRET_KEYS = re.compile(r"(pass(word)?|token|secret|api[_-]?key|private[_-]?key|credential)", re.IGNORECASE)


def secret_entries(node, path="") -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            here = f"{path}.{key}"
            if SECRET_KEYS.search(str(key)) and value not in (None, "") and "env_var(" not in str(value):
                found.append(here)
            found += secret_entries(value, here)
        return found
    if isinstance(node, list):
        return [hit for i, item in enumerate(node) for hit in secret_entries(item, f"{path}[{i}]")]
    return []


def test_profiles_and_project_config_hold_no_secrets():
    profiles = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    assert secret_entries(profiles) == []
    outputs = [o for profile in profiles.values() for o in profile["outputs"].values()]
    assert {o["type"] for o in outputs} == {"duckdb"}
    assert all("env_var('DBT_DUCKDB_PATH'" in o["path"] for o in outputs)
    assert (
        secret_entries(yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))) == []
    )
    # Workflows may name secrets only through ${{ secrets.NAME }}, never hold one.
    literal = re.compile(
        r"(?i)(password|token|secret|api[_-]?key)\s*[:=]\s*(?!\$\{\{)['\"]?[A-Za-z0-9/+_\-]{12,}"
    )
    for workflow in sorted((PROJECT_ROOT / ".github").rglob("*.yml")):
        assert not literal.search(workflow.read_text(encoding="utf-8")), workflow


def test_path_escapes_are_covered_by_the_document_tests():
    with open(PROJECT_ROOT / "tests" / "bad_inputs" / "expected.csv", encoding="utf-8") as handle:
        escapes = {r["file_name"] for r in csv.DictReader(handle) if r["reason"] == "path_escape"}
    assert {"../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini", "symlink_escape.txt"} <= escapes
    tests = (PROJECT_ROOT / "tests" / "unit" / "test_documents.py").read_text(encoding="utf-8")
    for name in (
        "test_bad_inputs_are_rejected_with_expected_reasons",
        "test_symlink_escaping_the_folder_is_path_escape",
        "test_each_quarantine_reason",
    ):
        assert f"def {name}(" in tests, name
