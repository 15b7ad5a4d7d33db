"""Progress reporting that suits both terminals and CI logs.

In a terminal the counter is rewritten in place (carriage return) every `tty_every` items; in a
log (not a TTY) a plain line is printed every `log_every` items, and only for long runs, so logs
stay short and line-oriented.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    def __init__(
        self, label: str, stream: TextIO | None = None, *, tty_every: int = 500, log_every: int = 5000
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = tty_every if self.is_tty else log_every
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.every or (done % self.every and done != total):
            return
        if self.is_tty:
            self.stream.write(f"\ringest: {self.label} {done}/{total}")
            self._drawn = True
            if done == total:
                self.close()
        elif done != total:
            self.stream.write(f"ingest: {self.label} {done}/{total}\n")
        self.stream.flush()

    def close(self) -> None:
        """Erase the in-place counter so the next line starts clean."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
