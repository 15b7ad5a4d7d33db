"""The report as a reader sees it: opened from disk in Debian's headless Chromium (Playwright drives
/usr/bin/chromium; `make test` installs it with apt-get when it is missing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import browser, report

pytestmark = pytest.mark.e2e

CHARTS = 7


def normalised(text: str) -> str:
    return "".join(text.split())


def test_make_build_writes_the_report_beside_the_published_file(built_project):
    project, run = built_project
    page = project.warehouse.with_name("report.html")
    assert f"report: {CHARTS} charts written to warehouse/report.html" in run.output, run
    assert page.stat().st_mtime >= project.warehouse.stat().st_mtime
    html = page.read_text(encoding="utf-8")
    assert "<script src=" not in html and html.count('class="plotly-graph-div"') == CHARTS
    assert len(html) > 3_000_000  # plotly.js is inlined, not fetched


def test_the_report_loads_offline_draws_every_chart_and_a_hover_shows_the_quote(built_project, tmp_path):
    project, _ = built_project
    shot = tmp_path / "report.png"

    seen = browser.open_report(project.warehouse.with_name("report.html"), screenshot=shot)

    assert seen.console_errors == []
    assert seen.network_requests == []
    assert seen.charts == CHARTS
    # The first bar of the first-day chart is an offering's opening move: its label quotes the article.
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        quotes = [
            q
            for (q,) in con.execute(
                "select quote from fct_figures where metric = 'opening_change_pct'"
            ).fetchall()
        ]
    finally:
        con.close()
    assert quotes
    assert any(normalised(q)[:20] in normalised(seen.hover_text) for q in quotes), seen.hover_text
    assert "published 20" in seen.hover_text
    assert shot.stat().st_size > 50_000 and seen.distinct_colours > 30  # not a blank page


def emptied_copy(warehouse: Path, folder: Path, keep_company: str | None) -> Path:
    """A copy of the published file with every row deleted (or every row but one company's first figure)."""
    folder.mkdir()
    copy = folder / "ipo.duckdb"
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall():
            if keep_company and table == "financials":
                con.execute(
                    "delete from financials where figure_id <> (select min(figure_id) from financials "
                    "where company_id = ? and metric = 'revenue')",
                    [keep_company],
                )
            elif not (keep_company and table in ("dim_companies", "dim_documents")):
                con.execute(f'delete from main."{table}"')
        con.execute("checkpoint")
    finally:
        con.close()
    return copy


@pytest.mark.parametrize("keep_company", [None, "zhipu"], ids=["empty warehouse", "one figure"])
def test_an_empty_warehouse_or_a_single_figure_renders_without_errors(built_project, tmp_path, keep_company):
    project, _ = built_project
    copy = emptied_copy(project.warehouse, tmp_path / "copy", keep_company)
    page, n = report.write_report(copy, tmp_path / "copy" / "report.html")

    seen = browser.open_report(page, hover_chart="financials")

    assert n == CHARTS and seen.charts == CHARTS
    assert seen.console_errors == [] and seen.network_requests == []
    if keep_company:
        assert "智谱 / 智譜" in seen.hover_text and "亿元" in seen.hover_text
    else:
        assert seen.hover_text == ""  # nothing to hover
