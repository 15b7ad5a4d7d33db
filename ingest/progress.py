"""Progress reporting that suits both terminals and CI logs.

In a terminal a counter is rewritten in place (carriage return); in a log (not a TTY, or `CI` set,
or `TERM=dumb`) nothing is ever rewritten: output stays plain, line-oriented and short.

- `Progress(label)`: a `(done, total)` callback (ingest reading / extracting documents). Terminal:
  the counter every `tty_every` items; log: a line every `log_every` items, and only for long runs.
- `ItemProgress(label, total)`: one line per item in a log (e.g. one per fetched URL); in a terminal
  a one-line counter showing the latest item, with the lines marked `keep` (failures) printed whole.
- `run_dbt(command, log)`: dbt with its output in `log`; in a terminal a one-line counter of the
  nodes dbt finished (`dbt build 120/283 PASS not_null_...`), in a log nothing (the caller prints
  the summary).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

_TRUE = {"1", "true", "yes", "on"}
_CLEAR_LINE = "\r\x1b[K"
# dbt's per-node lines: `16:52:10  12 of 283 OK created sql table model main.x .... [OK in 0.1s]`.
_DBT_NODE = re.compile(
    r"^\S*\s+(?P<index>\d+) of (?P<total>\d+) (?P<status>START|OK|PASS|WARN|FAIL|ERROR|SKIP|NO-OP)\b"
    r"(?P<what>[^\[]*?)\s*\.*\s*(?:\[|$)"
)
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
DBT_FINISHED = frozenset({"OK", "PASS", "WARN", "FAIL", "ERROR", "SKIP", "NO-OP"})


def interactive(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when `stream` is a terminal a person watches: a TTY, outside CI, not a dumb terminal."""
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() in _TRUE or env.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _fit(text: str) -> str:
    """`text` cut to the terminal width: an in-place line must never wrap (it could not be redrawn)."""
    width = shutil.get_terminal_size(fallback=(100, 24)).columns - 1
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class Progress:
    """`(done, total)` callback for ingest's document loops."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        tty_every: int = 500,
        log_every: int = 5000,
        prefix: str = "ingest: ",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.label = label
        self.prefix = prefix
        self.stream = stream if stream is not None else sys.stderr
        self.is_tty = interactive(self.stream, environ)
        self.every = tty_every if self.is_tty else log_every
        self._drawn = False

    def __call__(self, done: int, total: int, detail: str = "") -> None:
        if total < self.every or (done % self.every and done != total):
            return
        if self.is_tty:
            # A bare counter only grows; a counter with a detail is cleared to the line's end.
            shown = f"{self.prefix}{self.label} {done}/{total}"
            self.stream.write(f"\r{_fit(f'{shown} {detail}')}\x1b[K" if detail else f"\r{shown}")
            self._drawn = True
            if done == total:
                self.close()
        elif done != total:
            self.stream.write(f"{self.prefix}{self.label} {done}/{total}\n")
        self.stream.flush()

    def close(self) -> None:
        """Erase the in-place counter so the next line starts clean."""
        if self._drawn:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self._drawn = False


class ItemProgress:
    """One line per item in a log; a one-line counter in a terminal (failures still get their line)."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stdout
        self.is_tty = interactive(self.stream, environ)
        self._drawn = False

    def item(self, line: str, *, keep: bool = False) -> None:
        """One item finished; `line` describes it (`keep`: print it whole in a terminal too)."""
        self.done += 1
        if not self.is_tty:
            self.stream.write(line + "\n")
        else:
            if keep:
                self.stream.write(_CLEAR_LINE + line + "\n")
            shown = line.removeprefix(f"{self.label}: ")
            self.stream.write(_CLEAR_LINE + _fit(f"{self.label}: {self.done}/{self.total} {shown}"))
            self._drawn = True
        self.stream.flush()

    def note(self, line: str) -> None:
        """A line that is not an item (a summary): always printed whole, after the counter is erased."""
        self.close()
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self._drawn = False


def parse_dbt_node(line: str) -> tuple[int, str, str] | None:
    """(total, status, what) of one of dbt's `N of M STATUS what ...` lines, None for other lines."""
    found = _DBT_NODE.match(_ANSI_COLOUR.sub("", line))
    if found is None:
        return None
    return int(found["total"]), found["status"], " ".join(found["what"].split())


def run_dbt(
    command: Sequence[str],
    log: TextIO,
    label: str,
    *,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    **popen_kwargs,
) -> int:
    """Run dbt with all its output appended to `log`; its exit code.

    In a terminal its node lines also drive a one-line counter on `stream` (default stdout); in CI or
    a log the run is silent here (the caller prints the summary from run_results.json).
    """
    stream = stream if stream is not None else sys.stdout
    if not interactive(stream, environ):
        proc = subprocess.run(command, check=False, stdout=log, stderr=subprocess.STDOUT, **popen_kwargs)
        return proc.returncode
    counter = Progress(label, stream, tty_every=1, prefix="  ", environ=environ)
    finished = 0
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        **popen_kwargs,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            node = parse_dbt_node(line)
            if node is not None and node[1] in DBT_FINISHED:
                finished += 1
                total, status, what = node
                counter(min(finished, total), total, f"{status} {what}")
        return proc.wait()
    except BaseException:
        proc.kill()  # interrupted (Ctrl-C, a failed write): never leave dbt running on the candidate
        proc.wait()
        raise
    finally:
        counter.close()
        log.flush()
