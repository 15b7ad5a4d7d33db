"""Is a warehouse file whole, and is a new one not unexpectedly smaller than the published one?

- `inspect_warehouse`: open read-only and count the core marts; a file that cannot be opened or read
  raises `Unreadable` (a build checks the published file before anything else, with a rollback hint);
- `check_restorable`: what `make rollback` runs on the file it is about to restore (opens, marts
  present and not empty, every expectation suite passes); a list of problems, empty when it is good;
- `shrink_problems`: the shrink guard. Of what the published warehouse holds, how much would be gone:
  its documents missing from the new one, and the figures of its documents (a parser regression loses
  figures of documents that are still there). New documents never hide a loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.export import quote_ident

#: Marts every published warehouse has; a file without them is not a warehouse.
CORE_MARTS = ("dim_documents", "fct_figures")
#: Marts a file must hold (with rows for the first two) before a rollback puts it back.
RESTORABLE_MARTS = (
    "dim_documents",
    "fct_figures",
    "dim_companies",
    "financials",
    "kpis",
    "offerings",
    "shareholders",
    "rejected_documents",
)


class Unreadable(RuntimeError):
    """A warehouse file that does not open or read; the message names it and the error."""


@dataclass(frozen=True)
class Size:
    """Documents and figures of a warehouse (dim_documents, fct_figures)."""

    documents: int
    figures: int


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'main'")
    return {name for (name,) in rows.fetchall()}


def inspect_warehouse(path: Path) -> Size:
    """Open `path` read-only and count its documents and figures; raise Unreadable when it cannot."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise Unreadable(f"{path} does not open as a DuckDB database ({_one_line(exc)})") from exc
    try:
        missing = [t for t in CORE_MARTS if t not in _tables(con)]
        if missing:
            raise Unreadable(f"{path} has no {' or '.join(missing)}: it is not a published warehouse")
        counts = [
            con.execute(f"select count(*) from main.{quote_ident(t)}").fetchone()[0] for t in CORE_MARTS
        ]
    except duckdb.Error as exc:
        raise Unreadable(f"{path} cannot be read ({_one_line(exc)})") from exc
    finally:
        con.close()
    return Size(documents=counts[0], figures=counts[1])


def check_restorable(path: Path, expectations_dir: Path) -> list[str]:
    """Problems that make `path` unfit to be published again (empty list: it may be restored)."""
    from pipeline import validate

    try:
        size = inspect_warehouse(path)
    except Unreadable as exc:
        return [str(exc)]
    con = duckdb.connect(str(path), read_only=True)
    try:
        missing = [t for t in RESTORABLE_MARTS if t not in _tables(con)]
    finally:
        con.close()
    problems = [f"missing marts: {', '.join(missing)}"] if missing else []
    if size.documents == 0 or size.figures == 0:
        problems.append(f"{size.documents} documents and {size.figures} figures: an empty warehouse")
    if problems:
        return problems
    try:
        suites = validate.load_suites(expectations_dir)
        results = validate.validate_warehouse(path, suites)
    except (validate.SuiteError, duckdb.Error) as exc:
        return [f"the expectation suites cannot run on it: {_one_line(exc)}"]
    failing = [r.suite.name for r in results if not r.ok]
    if failing:
        return [f"expectation suite(s) fail on it: {', '.join(failing)} (`make validate` on it shows why)"]
    return []


def contents(documents: Iterable[str], figure_documents: Iterable[str]) -> dict[str, int]:
    """document_id -> its number of figures, from the document ids and each figure's document id."""
    counts = dict.fromkeys(documents, 0)
    for document in figure_documents:
        if document in counts:
            counts[document] += 1
    return counts


def warehouse_contents(path: Path) -> dict[str, int]:
    """`contents` of a warehouse's marts (dim_documents, fct_figures), read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        documents = [d for (d,) in con.execute("select document_id from main.dim_documents").fetchall()]
        figures = con.execute("select document_id, count(*) from main.fct_figures group by document_id")
        counts = dict.fromkeys(documents, 0)
        for document, n in figures.fetchall():
            if document in counts:
                counts[document] = n
    finally:
        con.close()
    return counts


def shrink_problems(before: Mapping[str, int], after: Mapping[str, int], limit: float) -> list[str]:
    """What of `before` (document_id -> figures, the published warehouse) is gone from `after`, for
    documents and for figures, where more than `limit` of it is: e.g. `1 of its 12 documents are gone
    (8.3%: d7)`, `its documents' figures fall from 540 to 470 (-13.0%)`."""
    problems = []
    if not before:
        return problems
    gone = [d for d in before if d not in after]
    if len(gone) / len(before) > limit:
        shown = ", ".join(sorted(gone)[:5]) + (" ..." if len(gone) > 5 else "")
        problems.append(
            f"{len(gone)} of its {len(before)} documents are gone ({len(gone) / len(before):.1%}: {shown})"
        )
    old = sum(before.values())
    new = sum(after.get(d, 0) for d in before)
    if old and (old - new) / old > limit:
        problems.append(f"its documents' figures fall from {old} to {new} ({(new - old) / old:+.1%})")
    return problems
