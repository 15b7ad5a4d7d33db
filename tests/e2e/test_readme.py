"""The README shows real output: every ```sql block in it, run on a fresh build, prints the table below it.

To refresh the tables after a deliberate change:
    PYTHONPATH=. .venv/bin/python -m tests.e2e.test_readme README.md warehouse/ipo.duckdb
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
# A ```sql block, then (after blank lines) the markdown table that shows its output.
QUERY_AND_TABLE = re.compile(r"```sql\n(?P<sql>.*?)```\n\n(?P<table>(?:\|[^\n]*\|\n)+)", re.DOTALL)


def cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The query's result as a markdown table (the format the README uses)."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "|".join("---" for _ in names) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in cursor.fetchall()]
    return "\n".join(lines) + "\n"


def readme_examples(text: str) -> list[tuple[str, str]]:
    return [(m["sql"], m["table"]) for m in QUERY_AND_TABLE.finditer(text)]


def test_readme_has_at_least_eight_examples():
    assert len(readme_examples(README.read_text(encoding="utf-8"))) >= 8


@pytest.mark.e2e
def test_every_readme_query_prints_the_table_shown(built_project):
    project, _ = built_project
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        for sql, table in readme_examples(README.read_text(encoding="utf-8")):
            assert render(con, sql) == table, sql
    finally:
        con.close()


def update(readme: Path, warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        text = QUERY_AND_TABLE.sub(
            lambda m: f"```sql\n{m['sql']}```\n\n{render(con, m['sql'])}", readme.read_text(encoding="utf-8")
        )
    finally:
        con.close()
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    update(Path(sys.argv[1]), Path(sys.argv[2]))
