"""Progress: a one-line counter redrawn with \\r in a terminal; plain lines (never \\r) in CI or a log."""

from __future__ import annotations

import io
import os
import sys
import textwrap
from pathlib import Path

import pytest

from ingest import fetch
from ingest.progress import ItemProgress, Progress, interactive, parse_dbt_node, run_dbt

TERMINAL: dict[str, str] = {"TERM": "xterm-256color"}
CI = {"TERM": "xterm-256color", "CI": "true"}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_interactive_only_for_a_tty_outside_ci():
    assert interactive(FakeTerminal(), TERMINAL) is True
    assert interactive(FakeTerminal(), CI) is False
    assert interactive(FakeTerminal(), {"CI": "1"}) is False
    assert interactive(FakeTerminal(), {"TERM": "dumb"}) is False
    assert interactive(io.StringIO(), TERMINAL) is False


def test_document_counter_redraws_in_place_in_a_terminal():
    stream = FakeTerminal()
    progress = Progress("extracting", stream, tty_every=2, environ=TERMINAL)
    for done in range(1, 6):
        progress(done, 5)
    out = stream.getvalue()
    assert out == (
        "\ringest: extracting 2/5"
        "\ringest: extracting 4/5"
        "\ringest: extracting 5/5"
        "\r\x1b[K"  # erased at the end: the next line starts clean
    )
    assert "\n" not in out


def test_document_counter_prints_plain_lines_in_ci_and_logs():
    for stream, environ in ((FakeTerminal(), CI), (io.StringIO(), TERMINAL)):
        progress = Progress("extracting", stream, tty_every=2, log_every=2, environ=environ)
        for done in range(1, 6):
            progress(done, 5)
        progress.close()
        assert stream.getvalue() == "ingest: extracting 2/5\ningest: extracting 4/5\n"


def test_a_short_run_prints_nothing_in_a_log():
    stream = io.StringIO()
    progress = Progress("reading", stream, environ=TERMINAL)  # a line per 5000 documents
    for done in range(1, 101):
        progress(done, 100)
    assert stream.getvalue() == ""


def test_item_counter_in_a_terminal_keeps_failures_on_their_own_line():
    stream = FakeTerminal()
    progress = ItemProgress("fetch", 3, stream, environ=TERMINAL)
    progress.item("fetch: skipped https://a.example/1: known")
    progress.item("fetch: FAILED https://a.example/2: HTTP 404 Not Found", keep=True)
    progress.item("fetch: fetched https://a.example/3: 004_ab.md")
    progress.note("fetch: 1 fetched, 1 skipped (duplicate/known), 1 failed")
    assert stream.getvalue() == (
        "\r\x1b[Kfetch: 1/3 skipped https://a.example/1: known"
        "\r\x1b[Kfetch: FAILED https://a.example/2: HTTP 404 Not Found\n"
        "\r\x1b[Kfetch: 2/3 FAILED https://a.example/2: HTTP 404 Not Found"
        "\r\x1b[Kfetch: 3/3 fetched https://a.example/3: 004_ab.md"
        "\r\x1b[K"
        "fetch: 1 fetched, 1 skipped (duplicate/known), 1 failed\n"
    )


def test_item_counter_in_ci_is_one_plain_line_per_item():
    stream = FakeTerminal()
    progress = ItemProgress("fetch", 2, stream, environ=CI)
    progress.item("fetch: skipped https://a.example/1: known")
    progress.item("fetch: FAILED https://a.example/2: timeout", keep=True)
    progress.note("fetch: 0 fetched, 1 skipped (duplicate/known), 1 failed")
    assert stream.getvalue() == (
        "fetch: skipped https://a.example/1: known\n"
        "fetch: FAILED https://a.example/2: timeout\n"
        "fetch: 0 fetched, 1 skipped (duplicate/known), 1 failed\n"
    )


def test_a_terminal_counter_never_wraps(monkeypatch):
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=None: os.terminal_size((30, 5)))
    stream = FakeTerminal()
    ItemProgress("fetch", 1, stream, environ=TERMINAL).item("fetch: fetched https://a.example/" + "x" * 80)
    [drawn] = stream.getvalue().split("\r\x1b[K")[1:]
    assert len(drawn) == 29 and drawn.endswith("…")


# --- fetch -------------------------------------------------------------------------------------------


def _known_sources(root: Path) -> Path:
    """A source folder whose one document has the URL https://news.example.invalid/known.html."""
    root.mkdir()
    (root / "000_known.txt").write_text(
        "示例公司今日发布公告，介绍其人工智能业务的进展。\n", encoding="utf-8"
    )
    (root / "manifest.csv").write_text(
        "file,title,publisher,published_at,url,language,companies\n"
        "000_known.txt,示例公告,示例日报,2025-01-02,https://news.example.invalid/known.html,zh-Hans,示例公司\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize("in_ci", [False, True])
def test_fetch_shows_a_counter_in_a_terminal_and_lines_in_ci(tmp_path, monkeypatch, in_ci):
    # No request is made: a known URL is skipped from the manifest, an ftp URL fails before any I/O.
    sources = _known_sources(tmp_path / "sources")
    urls = tmp_path / "urls.txt"
    known, bad = "https://news.example.invalid/known.html", "ftp://news.example.invalid/x.html"
    urls.write_text(f"{known}\n{bad}\n", encoding="utf-8")
    stream = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setenv("TERM", "xterm")
    if in_ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)

    assert fetch.main(["--urls", str(urls), "--sources", str(sources)]) == 0

    skipped = f"fetch: skipped {known}: already in the corpus as 000_known.txt"
    failed = f"fetch: FAILED {bad}: not an http(s) URL: {bad}"
    summary = "fetch: 0 fetched, 1 skipped (duplicate/known), 1 failed"
    if in_ci:
        assert stream.getvalue() == f"{skipped}\n{failed}\n{summary}\n"
    else:
        out = stream.getvalue()
        assert out.startswith("\r\x1b[Kfetch: 1/2 skipped ")
        assert f"\r\x1b[K{failed}\n" in out  # the failure stays readable on its own line
        assert out.endswith(f"\r\x1b[K{summary}\n")
        assert out.count("\n") == 2


# --- dbt ---------------------------------------------------------------------------------------------

DBT_LINES = [
    "\x1b[0m16:52:20  Running with dbt=1.11.16",
    "\x1b[0m16:52:20  1 of 3 START sql view model main.stg_a ........................ [RUN]",
    "\x1b[0m16:52:21  1 of 3 OK created sql view model main.stg_a ... [\x1b[32mOK\x1b[0m in 0.2s]",
    "\x1b[0m16:52:21  2 of 3 START test not_null_stg_a_id ........................... [RUN]",
    "\x1b[0m16:52:21  2 of 3 PASS not_null_stg_a_id ... [\x1b[32mPASS\x1b[0m in 0.1s]",
    "\x1b[0m16:52:21  3 of 3 FAIL 2 unique_stg_a_id ... [\x1b[31mFAIL 2\x1b[0m in 0.1s]",
    "\x1b[0m16:52:22  Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=3",
]


def test_parse_dbt_node_lines():
    assert parse_dbt_node(DBT_LINES[0]) is None
    assert parse_dbt_node(DBT_LINES[1]) == (3, "START", "sql view model main.stg_a")
    assert parse_dbt_node(DBT_LINES[2]) == (3, "OK", "created sql view model main.stg_a")
    assert parse_dbt_node(DBT_LINES[5]) == (3, "FAIL", "2 unique_stg_a_id")
    assert parse_dbt_node(DBT_LINES[6]) is None


@pytest.fixture
def fake_dbt(tmp_path) -> list[str]:
    """A command that prints dbt's lines and exits 1, like a dbt build with a failing test."""
    script = tmp_path / "fake_dbt.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            for line in {DBT_LINES!r}:
                print(line, flush=True)
            print("some warning", file=sys.stderr)
            sys.exit(1)
            """
        ),
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def test_dbt_in_a_terminal_counts_finished_nodes_in_place(fake_dbt, tmp_path):
    stream = FakeTerminal()
    with open(tmp_path / "dbt.log", "w", encoding="utf-8") as log:
        returncode = run_dbt(fake_dbt, log, "dbt build", stream=stream, environ=TERMINAL)
    assert returncode == 1
    assert stream.getvalue() == (
        "\r  dbt build 1/3 OK created sql view model main.stg_a\x1b[K"
        "\r  dbt build 2/3 PASS not_null_stg_a_id\x1b[K"
        "\r  dbt build 3/3 FAIL 2 unique_stg_a_id\x1b[K"
        "\r\x1b[K"
    )
    # The log keeps dbt's full output, stderr included.
    assert (tmp_path / "dbt.log").read_text(encoding="utf-8").splitlines() == [*DBT_LINES, "some warning"]


def test_dbt_in_ci_prints_nothing_and_logs_everything(fake_dbt, tmp_path):
    stream = FakeTerminal()
    with open(tmp_path / "dbt.log", "w", encoding="utf-8") as log:
        returncode = run_dbt(fake_dbt, log, "dbt build", stream=stream, environ=CI)
    assert returncode == 1
    assert stream.getvalue() == ""
    assert (tmp_path / "dbt.log").read_text(encoding="utf-8").splitlines() == [*DBT_LINES, "some warning"]
