"""`python -m pipeline report`: one self-contained HTML report with charts, from the published warehouse.

The report reads the published file through a read-only connection (never the build's candidate) and
writes one HTML file with plotly.js inlined: it opens offline, makes no network request, and every
plotted point carries its evidence (quote, document and publication date) in its hover label.

    python -m pipeline report --warehouse warehouse/ipo.duckdb --out warehouse/report.html

Sections: the IPO league table; first-day moves; subscription multiples; revenue, net profit and R&D by
period (in CNY); R&D intensity and net margin; the cornerstone share of each offering; the
reconciliation verdicts; what the last build changed; and the latest audit run.
"""

from __future__ import annotations

import argparse
import html
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from pipeline.changes import has_table, read_frame

HUNDRED_MILLION = 1e8  # 亿: the unit Chinese coverage states company money in
QUOTE_WIDTH = 38
UNREVIEWED = "（未审核 unreviewed）"
FINANCIAL_METRICS = {
    "revenue": "Revenue 收入",
    "net_profit": "Net profit/loss 净利润",
    "rd_expense": "R&D 研发",
}
OFFERING_METRICS = ("first_day_change_pct", "opening_change_pct", "public_subscription_multiple")
OFFERING_METRICS += ("international_subscription_multiple", "cornerstone_amount", "gross_proceeds")

_IN_FINANCIALS = "('" + "', '".join(FINANCIAL_METRICS) + "')"
_IN_OFFERINGS = "('" + "', '".join(OFFERING_METRICS) + "')"
QUERIES: dict[str, str] = {
    "companies": """
        select company_id, name_zh, name_zh_hant, name_en, exchange, ticker, is_reviewed
        from main.dim_companies""",
    "documents": """
        select document_id, file_name, title, publisher, published_at, url
        from main.dim_documents""",
    "offerings": """
        select
            offering_id, company_id, exchange, status, listing_date,
            offer_price, offer_price_currency, gross_proceeds, gross_proceeds_currency,
            public_subscription_multiple, international_subscription_multiple,
            opening_change_pct, first_day_change_pct,
            coalesce(market_cap_first_day, market_cap_at_close, market_cap_at_open) as market_cap,
            case
                when market_cap_first_day is not null then market_cap_first_day_currency
                when market_cap_at_close is not null then market_cap_at_close_currency
                else market_cap_at_open_currency
            end as market_cap_currency,
            cornerstone_amount, cornerstone_amount_currency
        from main.offerings""",
    "figures": f"""
        select company_id, metric, value, quote, document_id
        from main.fct_figures
        where metric in {_IN_OFFERINGS}
        order by document_id, char_start""",
    "financials": f"""
        select company_id, metric, period_label, period_end, value_cny, quote, document_id
        from main.financials
        where dimension is null and metric in {_IN_FINANCIALS} and value_cny is not null
        order by period_end, period_label""",
    "ratios": """
        select company_id, period_label, period_end, rd_intensity_pct_derived, net_margin_pct_derived
        from main.financials_wide
        where rd_intensity_pct_derived is not null or net_margin_pct_derived is not null
        order by period_end, period_label""",
    "reconciliation": """
        select
            check_id, company_id, check_type, metric, period_label, stated_value, computed_value,
            passed, detail, document_id, quote
        from main.reconciliation
        order by check_type, check_id""",
    "build_log": """
        select
            build_id, finished_at, documents_total, figures_total, figures_added, figures_removed,
            figures_changed, documents_added, documents_removed
        from main.build_log
        order by finished_at""",
    "build_changes": """
        select
            build_id, change_type, document_id, company_id, metric, period_label, old_value, new_value,
            old_quote, new_quote
        from main.build_changes""",
    "audit_results": """
        select
            build_id, validated_at, suite, table_name, expectation, column_name, severity, success,
            unexpected_count, examples, why
        from main.audit_results""",
}


class ReportError(RuntimeError):
    """The report could not be written; the message names the file and the problem."""


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    caption: str
    figure: go.Figure


# --- reading -------------------------------------------------------------------------------------------


def read_warehouse(path: Path) -> dict[str, pl.DataFrame]:
    """Every frame the report needs, read through a read-only connection (missing tables: empty)."""
    if not Path(path).is_file():
        raise ReportError(f"no published warehouse at {path}: run make build first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise ReportError(f"cannot open {path} read-only: {' '.join(str(exc).split())}") from exc
    try:
        con.execute("set TimeZone = 'UTC'")
        frames = {}
        for name, sql in QUERIES.items():
            table = sql.split("from main.")[1].split()[0]
            frames[name] = read_frame(con, sql) if has_table(con, table) else pl.DataFrame()
        return frames
    except duckdb.Error as exc:
        raise ReportError(f"cannot read {path}: {' '.join(str(exc).split())}") from exc
    finally:
        con.close()


# --- evidence ------------------------------------------------------------------------------------------


def company_labels(companies: pl.DataFrame) -> dict[str, str]:
    """company_id -> its name in both scripts where they differ, marked when the company is unreviewed."""
    labels = {}
    for row in companies.iter_rows(named=True) if companies.height else []:
        names = [n for n in dict.fromkeys([row["name_zh"], row["name_zh_hant"]]) if n]
        label = " / ".join(names) or row["name_en"] or row["company_id"]
        labels[row["company_id"]] = label + ("" if row["is_reviewed"] else UNREVIEWED)
    return labels


def wrap(text: str | None, width: int = QUOTE_WIDTH) -> str:
    """Hover text: escaped, broken every `width` characters (Chinese has no spaces to break at)."""
    if not text:
        return ""
    lines = textwrap.wrap(str(text), width=width, break_long_words=True) or [str(text)]
    return "<br>".join(html.escape(line) for line in lines)


class Evidence:
    """Where a value came from: quote, document and date, for hover labels."""

    def __init__(self, documents: pl.DataFrame, figures: pl.DataFrame) -> None:
        self.documents = (
            {r["document_id"]: r for r in documents.iter_rows(named=True)} if documents.height else {}
        )
        self.figures: dict[tuple[str, str, float], dict[str, Any]] = {}
        for row in figures.iter_rows(named=True) if figures.height else []:
            key = (row["company_id"], row["metric"], round(float(row["value"]), 6))
            self.figures.setdefault(key, row)

    def of_document(self, document_id: str | None, quote: str | None) -> str:
        doc = self.documents.get(document_id or "", {})
        title = doc.get("title") or doc.get("file_name") or document_id or "unknown document"
        published = doc.get("published_at")
        return (
            f"“{wrap(quote)}”<br><i>{html.escape(str(title))}</i><br>"
            f"{html.escape(str(document_id or ''))} · published {published or 'date unknown'}"
        )

    def of_figure(self, company_id: str, metric: str, value: float | None) -> str:
        if value is None:
            return ""
        row = self.figures.get((company_id, metric, round(float(value), 6)))
        if row is None:
            return "(no single quote: a value derived from several figures)"
        return self.of_document(row["document_id"], row["quote"])


# --- charts --------------------------------------------------------------------------------------------


def _layout(
    figure: go.Figure,
    title: str,
    height: int = 420,
    empty: str = "no data in the published warehouse yet",
    **axes: Any,
) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01},
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "y": -0.2},
        **axes,
    )
    if not figure.data:
        figure.add_annotation(text=empty, showarrow=False, x=0.5, y=0.5)
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    return figure


def _listing_label(row: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    return f"{labels.get(row['company_id'], row['company_id'])} ({row['exchange'] or '?'})"


def _offering_bars(
    offerings: pl.DataFrame,
    series: Sequence[tuple[str, str]],
    labels: Mapping[str, str],
    evidence: Evidence,
    hovertemplate: str,
) -> go.Figure:
    """One bar series per (metric, name) over the listings that state it, each bar with its quote."""
    figure = go.Figure()
    rows = list(offerings.iter_rows(named=True)) if offerings.height else []
    for metric, name in series:
        points = [r for r in rows if r[metric] is not None]
        if points:
            figure.add_bar(
                name=name,
                x=[_listing_label(r, labels) for r in points],
                y=[r[metric] for r in points],
                customdata=[[evidence.of_figure(r["company_id"], metric, r[metric])] for r in points],
                hovertemplate=hovertemplate,
            )
    return figure


def first_day_chart(offerings: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence) -> go.Figure:
    series = (
        ("opening_change_pct", "at the open 开盘"),
        ("first_day_change_pct", "first-day close 首日收盘"),
    )
    hover = "%{x}<br><b>%{y:.1f}%</b> vs offer price<br>%{customdata[0]}<extra></extra>"
    figure = _offering_bars(offerings, series, labels, evidence, hover)
    return _layout(figure, "First-day moves against the offer price (%)", barmode="group")


def subscription_chart(offerings: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence) -> go.Figure:
    series = (
        ("public_subscription_multiple", "public offer 公开发售"),
        ("international_subscription_multiple", "international placing 国际配售"),
    )
    hover = "%{x}<br><b>%{y:,.2f}×</b> subscribed<br>%{customdata[0]}<extra></extra>"
    figure = _offering_bars(offerings, series, labels, evidence, hover)
    return _layout(
        figure, "Subscription multiples (times covered, log scale)", barmode="group", yaxis_type="log"
    )


class _CompanyLines:
    """Line traces in subplots, one colour and one legend entry per company (its first trace)."""

    def __init__(self, figure: go.Figure, labels: Mapping[str, str]) -> None:
        self.figure, self.labels = figure, labels
        self.colours: dict[str, str] = {}

    def add(self, company: str, col: int, x: list, y: list, customdata: list, hovertemplate: str) -> None:
        first = company not in self.colours
        colour = self.colours.setdefault(company, _colour(len(self.colours)))
        self.figure.add_scatter(
            row=1,
            col=col,
            mode="lines+markers",
            name=self.labels.get(company, company),
            legendgroup=company,
            showlegend=first,
            marker={"color": colour},
            line={"color": colour},
            x=x,
            y=y,
            customdata=customdata,
            hovertemplate=hovertemplate,
        )


def financials_chart(financials: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence) -> go.Figure:
    figure = make_subplots(rows=1, cols=3, subplot_titles=list(FINANCIAL_METRICS.values()))
    rows = list(financials.iter_rows(named=True)) if financials.height else []
    lines = _CompanyLines(figure, labels)
    for company in dict.fromkeys(r["company_id"] for r in rows):
        name = html.escape(labels.get(company, company))
        for col, metric in enumerate(FINANCIAL_METRICS, start=1):
            points = [r for r in rows if r["company_id"] == company and r["metric"] == metric]
            if points:
                lines.add(
                    company,
                    col,
                    x=[r["period_label"] for r in points],
                    y=[r["value_cny"] / HUNDRED_MILLION for r in points],
                    customdata=[[evidence.of_document(r["document_id"], r["quote"])] for r in points],
                    hovertemplate="%{x}: <b>%{y:,.2f} 亿元</b> (CNY)<br>%{customdata[0]}"
                    + f"<extra>{name}</extra>",
                )
    figure.update_yaxes(title_text="亿元 (100m CNY)", col=1)
    return _layout(figure, "Revenue, net profit/loss and R&D by period (CNY, 亿元)")


def ratios_chart(
    ratios: pl.DataFrame, financials: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence
) -> go.Figure:
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=["R&D intensity 研发投入占比 (%)", "Net margin 净利率 (%)"]
    )
    rows = list(ratios.iter_rows(named=True)) if ratios.height else []
    quotes = {
        (r["company_id"], r["metric"], r["period_label"]): evidence.of_document(r["document_id"], r["quote"])
        for r in (financials.iter_rows(named=True) if financials.height else [])
    }
    lines = _CompanyLines(figure, labels)
    ratio_columns = (("rd_intensity_pct_derived", "rd_expense"), ("net_margin_pct_derived", "net_profit"))
    for company in dict.fromkeys(r["company_id"] for r in rows):
        for col, (column, numerator) in enumerate(ratio_columns, start=1):
            points = [r for r in rows if r["company_id"] == company and r[column] is not None]
            if points:
                lines.add(
                    company,
                    col,
                    x=[r["period_label"] for r in points],
                    y=[r[column] for r in points],
                    customdata=[
                        [
                            quotes.get((company, numerator, r["period_label"]), ""),
                            quotes.get((company, "revenue", r["period_label"]), ""),
                        ]
                        for r in points
                    ],
                    hovertemplate="%{x}: <b>%{y:.1f}%</b><br>numerator: %{customdata[0]}<br>"
                    "revenue: %{customdata[1]}<extra></extra>",
                )
    return _layout(figure, "R&D intensity and net margin (derived from the figures above)")


def cornerstone_chart(offerings: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence) -> go.Figure:
    figure = go.Figure()
    rows = [
        r
        for r in (offerings.iter_rows(named=True) if offerings.height else [])
        if r["cornerstone_amount"] is not None
        and r["gross_proceeds"]
        and r["cornerstone_amount_currency"] == r["gross_proceeds_currency"]
    ]
    if rows:
        figure.add_bar(
            name="cornerstone share",
            x=[_listing_label(r, labels) for r in rows],
            y=[100 * r["cornerstone_amount"] / r["gross_proceeds"] for r in rows],
            customdata=[
                [
                    evidence.of_figure(r["company_id"], "cornerstone_amount", r["cornerstone_amount"]),
                    evidence.of_figure(r["company_id"], "gross_proceeds", r["gross_proceeds"]),
                ]
                for r in rows
            ],
            hovertemplate="%{x}<br><b>%{y:.1f}%</b> of the offering<br>cornerstones: %{customdata[0]}"
            "<br>offering: %{customdata[1]}<extra></extra>",
        )
    return _layout(figure, "Cornerstone investors' share of each offering (% of gross proceeds)")


def reconciliation_chart(checks: pl.DataFrame, labels: Mapping[str, str], evidence: Evidence) -> go.Figure:
    figure = go.Figure()
    rows = list(checks.iter_rows(named=True)) if checks.height else []
    for passed, name, colour in ((True, "passed 一致", "#2a9d8f"), (False, "failed 不一致", "#e63946")):
        points = [r for r in rows if bool(r["passed"]) is passed]
        if points:
            figure.add_scatter(
                mode="markers",
                name=name,
                marker={"color": colour, "size": 12, "symbol": "circle" if passed else "x"},
                x=[r["check_type"] for r in points],
                y=[labels.get(r["company_id"], r["company_id"]) for r in points],
                customdata=[
                    [wrap(f"{r['metric']} {r['period_label'] or ''}: {r['detail'] or ''}", 60)]
                    + [evidence.of_document(r["document_id"], r["quote"])]
                    for r in points
                ],
                hovertemplate="%{x}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
    return _layout(figure, "Reconciliation verdicts: stated figures checked against the others")


def last_build_id(build_log: pl.DataFrame) -> str | None:
    return build_log["build_id"][-1] if build_log.height else None


def changes_chart(changes: pl.DataFrame, build_id: str | None, evidence: Evidence) -> go.Figure:
    figure = go.Figure()
    rows = [r for r in changes.iter_rows(named=True) if r["build_id"] == build_id] if changes.height else []
    for kind in ("figure_added", "figure_changed", "figure_removed", "document_added", "document_removed"):
        points = [r for r in rows if r["change_type"] == kind]
        if not points:
            continue
        figure.add_scatter(
            mode="markers",
            name=f"{kind.replace('_', ' ')} ({len(points)})",
            marker={"size": 10},
            x=[kind.replace("_", " ") for _ in points],
            y=[r["metric"] or r["document_id"] for r in points],
            customdata=[
                [
                    f"{r['company_id'] or ''} {r['period_label'] or ''} "
                    f"{_number(r['old_value'])} → {_number(r['new_value'])}",
                    evidence.of_document(r["document_id"], r["new_quote"] or r["old_quote"]),
                ]
                for r in points
            ],
            hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        )
    empty = "the last build changed nothing" if build_id else "no build recorded yet"
    return _layout(
        figure, f"What the last build changed ({build_id or 'no build yet'})", height=520, empty=empty
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.4g}"


PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def charts(frames: Mapping[str, pl.DataFrame]) -> list[Chart]:
    """The report's charts, always the same ones (an empty warehouse draws them empty)."""
    labels = company_labels(frames["companies"])
    evidence = Evidence(frames["documents"], frames["figures"])
    build_id = last_build_id(frames["build_log"])
    offerings, financials = frames["offerings"], frames["financials"]
    return [
        Chart(
            "first-day",
            "First-day moves",
            "Change against the offer price at the open and at the first close.",
            first_day_chart(offerings, labels, evidence),
        ),
        Chart(
            "subscription",
            "Subscription multiples",
            "Times the public offer and the placing were covered.",
            subscription_chart(offerings, labels, evidence),
        ),
        Chart(
            "financials",
            "Financials by period",
            "Company-level figures (no segment), converted to CNY.",
            financials_chart(financials, labels, evidence),
        ),
        Chart(
            "ratios",
            "R&D intensity and net margin",
            "R&D ÷ revenue and net profit ÷ revenue, same period.",
            ratios_chart(frames["ratios"], financials, labels, evidence),
        ),
        Chart(
            "cornerstone",
            "Cornerstone share",
            "Cornerstone subscriptions ÷ gross proceeds, same currency.",
            cornerstone_chart(offerings, labels, evidence),
        ),
        Chart(
            "reconciliation",
            "Reconciliation",
            "Each check of a stated total, share or growth rate.",
            reconciliation_chart(frames["reconciliation"], labels, evidence),
        ),
        Chart(
            "changes",
            "Last build",
            "Figures and documents the last publish added, changed or removed.",
            changes_chart(frames["build_changes"], build_id, evidence),
        ),
    ]


# --- tables and page -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return '<td class="null">—</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:,.2f}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def html_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], table_id: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}" class="null">no rows yet</td></tr>'
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _money(value: float | None, currency: str | None) -> str | None:
    return None if value is None else f"{value / HUNDRED_MILLION:,.2f} 亿 {currency or ''}".strip()


def league_table(offerings: pl.DataFrame, labels: Mapping[str, str]) -> str:
    rows = []
    ordered = (
        offerings.sort("listing_date", descending=True, nulls_last=True) if offerings.height else offerings
    )
    for r in ordered.iter_rows(named=True) if offerings.height else []:
        price = (
            None if r["offer_price"] is None else f"{r['offer_price']:,.2f} {r['offer_price_currency'] or ''}"
        )
        rows.append(
            [
                labels.get(r["company_id"], r["company_id"]),
                r["exchange"],
                r["status"],
                r["listing_date"],
                price,
                _money(r["gross_proceeds"], r["gross_proceeds_currency"]),
                r["public_subscription_multiple"],
                r["international_subscription_multiple"],
                r["first_day_change_pct"],
                _money(r["market_cap"], r["market_cap_currency"]),
            ]
        )
    headers = ["Company 公司", "Venue", "Status", "Listing date", "Offer price", "Gross proceeds"]
    headers += ["Public ×", "International ×", "First day %", "Market cap"]
    return html_table(headers, rows, "league-table")


def audit_section(audit: pl.DataFrame, build_id: str | None) -> str:
    latest = audit.filter(pl.col("build_id") == build_id) if audit.height and build_id else pl.DataFrame()
    if not latest.height:
        return "<p>No audit run recorded yet.</p>"
    by_suite = (
        latest.group_by("suite")
        .agg(pl.len().alias("expectations"), pl.col("success").sum().alias("passed"))
        .sort("suite")
    )
    summary = html_table(["Suite", "Expectations", "Passed"], by_suite.rows(), "audit-summary")
    failing = latest.filter(~pl.col("success"))
    rows = failing.select("suite", "expectation", "column_name", "severity", "unexpected_count", "why").rows()
    failures = html_table(
        ["Suite", "Expectation", "Column", "Severity", "Rows", "Why"], rows, "audit-failures"
    )
    total, passed = latest.height, int(latest["success"].sum())
    return (
        f"<p>Build <code>{html.escape(build_id or '')}</code>: {passed} of {total} expectations passed "
        f"(all of them are kept in <code>audit_results</code>).</p>{summary}"
        f"<h3>Failed or warned</h3>{failures}"
    )


STYLE = """
body { font-family: system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 1rem 2rem; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.null { color: #999; }
section { margin-bottom: 2rem; } .caption { color: #555; margin: 0; } nav a { margin-right: 1rem; }
"""


def render(frames: Mapping[str, pl.DataFrame], drawn: Sequence[Chart]) -> str:
    labels = company_labels(frames["companies"])
    build_log = frames["build_log"]
    build_id = last_build_id(build_log)
    last = build_log.row(-1, named=True) if build_log.height else {}
    facts = (
        f"build <code>{html.escape(build_id)}</code>, published {last['finished_at']:%Y-%m-%d %H:%M} UTC · "
        f"{last['documents_total']} documents · {last['figures_total']} figures"
        if build_id
        else "no build recorded"
    )
    sections = []
    for chart in drawn:
        div = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{chart.chart_id}",
            config={"displaylogo": False, "responsive": True},
        )
        sections.append(
            f'<section id="{chart.chart_id}"><h2>{html.escape(chart.title)}</h2>'
            f'<p class="caption">{html.escape(chart.caption)} Hover a point for its quote and document.</p>'
            f"{div}</section>"
        )
    nav = " ".join(f'<a href="#{c.chart_id}">{html.escape(c.title)}</a>' for c in drawn)
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI IPO Warehouse report</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>AI IPO Warehouse</h1>
<p>{facts} · <a href="#audit">latest audit run</a></p>
<p>Companies marked {html.escape(UNREVIEWED)} were found by the extractor and are not in the reviewed company
list yet. Money is in 亿 (100 million) of the stated currency unless the chart says CNY.</p>
<nav><a href="#league">League table</a> {nav} <a href="#audit">Audit</a></nav>
<section id="league"><h2>IPO league table</h2>{league_table(frames["offerings"], labels)}</section>
{"".join(sections)}
<section id="audit"><h2>Latest audit run</h2>{audit_section(frames["audit_results"], build_id)}</section>
</body>
</html>
"""


def write_report(warehouse: Path, out: Path) -> tuple[Path, int]:
    """Write the report of the published `warehouse` to `out` (atomically); (path, number of charts)."""
    frames = read_warehouse(warehouse)
    drawn = charts(frames)
    page = render(frames, drawn)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.tmp")
    try:
        partial.write_text(page, encoding="utf-8")
        partial.replace(out)
    except OSError as exc:
        raise ReportError(f"cannot write the report {out}: {exc}") from exc
    return out, len(drawn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("warehouse/ipo.duckdb"))
    parser.add_argument("--out", type=Path, default=None, help="default: report.html beside the warehouse")
    args = parser.parse_args(argv)
    out = args.out or args.warehouse.with_name("report.html")
    try:
        path, n = write_report(args.warehouse, out)
    except ReportError as exc:
        print(f"REPORT FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"report: {n} charts written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
