"""Open the report in Debian's headless Chromium (driven by Playwright) and say what a reader would see.

Used by the browser test (tests/e2e/test_report_browser.py) and by `make report-screenshot`, which
writes the README's picture. Playwright never downloads a browser here: it drives /usr/bin/chromium
(`make chromium` installs Debian's package when it is missing), with the flags that keep a headless
Chromium off the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


class BrowserError(RuntimeError):
    """Chromium could not be started or the page could not be read; the message says which."""


@dataclass
class PageReport:
    charts: int
    console_errors: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)
    hover_text: str = ""
    screenshot: Path | None = None
    distinct_colours: int = 0


def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if not path:
        raise BrowserError(f"no Chromium at {CHROMIUM}: run `make chromium` (apt-get install chromium)")
    return path


def open_report(report: Path, screenshot: Path | None = None, hover_chart: str = "first-day") -> PageReport:
    """Load `report` from disk, count the charts drawn, hover the first point of `hover_chart` and read
    its label, and optionally save a full-page screenshot."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    url = Path(report).resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with tempfile.TemporaryDirectory(prefix="report-browser.") as profile, sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=list(FLAGS),
                viewport={"width": 1280, "height": 900},
            )  # fmt: skip
        except PlaywrightError as exc:
            raise BrowserError(f"cannot start {CHROMIUM}: {str(exc).splitlines()[0]}") from exc
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
            page.goto(url, wait_until="load")
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
            charts = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
            hover = _hover_first_point(page, f"#chart-{hover_chart}")
            result = PageReport(
                charts=charts, console_errors=errors, network_requests=requests, hover_text=hover
            )
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.mouse.move(0, 0)
                page.screenshot(path=str(screenshot), full_page=True)
                result.screenshot = screenshot
                result.distinct_colours = _distinct_colours(screenshot)
            return result
        finally:
            context.close()


def _hover_first_point(page, selector: str) -> str:
    """Move the mouse over the first bar or marker of the chart and return the hover label's text."""
    point = page.locator(f"{selector} .point").first
    if point.count() == 0:
        return ""
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    if box is None:
        return ""
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator(f"{selector} .hoverlayer .hovertext").first
    label.wait_for(state="attached", timeout=5000)
    return label.text_content() or ""


def _distinct_colours(png: Path) -> int:
    """How many distinct colours a sample of the screenshot's pixels has (a blank page has one)."""
    import zlib

    data = png.read_bytes()
    # A PNG of RGB(A) rows: decompress the IDAT chunks and sample bytes; distinct 3-byte runs approximate
    # distinct colours well enough to tell a blank page from a drawn one.
    chunks, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    step = max(1, len(raw) // 200_000)
    return len({raw[i : i + 3] for i in range(0, len(raw) - 3, step * 3)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshot the report in headless Chromium.")
    parser.add_argument("--report", type=Path, default=Path("warehouse/report.html"))
    parser.add_argument("--out", type=Path, default=Path("docs/report.png"))
    args = parser.parse_args(argv)
    try:
        seen = open_report(args.report, screenshot=args.out)
    except BrowserError as exc:
        print(f"SCREENSHOT FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"screenshot: {seen.charts} charts, {len(seen.console_errors)} console errors -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
