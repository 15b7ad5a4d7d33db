"""The per-document time limit: a document whose extraction runs longer is rejected `too_slow`.

Each of a document's two passes (discovery, extraction; `ingest.extract`) runs under an interval timer
(`SIGALRM`) in the process that runs it — this one, or a worker of `ingest.parallel`, whose tasks run
in the worker's main thread. When the timer fires, the document's pass raises `DocumentTooSlow`,
`run_limited` returns a `TooSlow` in place of its result, and the next document starts with a fresh
timer: no process is killed, so none can be left behind, and a worker goes on with its chunk.

The timer interrupts Python code between two bytecodes: a single C call (one regular-expression search)
finishes first. That is why the figure extractor bounds how far its look-ups read
(`ingest.figures.metric.KEYWORD_REACH`): no single call grows with the document. Outside the main
thread (where no signal can be delivered) the limit is not enforced.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ingest.documents import Rejection

DEFAULT_TIME_LIMIT = 10.0  # seconds per pass of one document; ~0.05 s is typical, 1 s a long filing


class DocumentTooSlow(BaseException):
    """A document's pass ran past its time limit; the message names the file.

    A BaseException, like KeyboardInterrupt: it interrupts whatever the extractor was doing, and no
    `except Exception` on its way out (extract.py turns those into ExtractionError) may absorb it."""

    def __init__(self, file_name: str, stage: str, seconds: float) -> None:
        super().__init__(f"{file_name}: {stage} took longer than the {seconds:g} s limit per document")
        self.file_name, self.stage, self.seconds = file_name, stage, seconds


@dataclass(frozen=True)
class TooSlow:
    """What a pass returns for a document that ran out of time."""

    document_id: str
    file_name: str
    stage: str  # discover / extract
    seconds: float  # the limit
    elapsed: float

    def rejection(self) -> Rejection:
        return Rejection(
            self.file_name,
            "too_slow",
            f"{self.file_name}: {self.stage} stopped after {self.elapsed:.1f} s, over the limit of "
            f"{self.seconds:g} s per document (DOCUMENT_TIME_LIMIT); the other documents were built",
        )


RETRY_SECONDS = 0.02  # after the limit, the timer fires again this often until the block is left
# Code the limit never raises inside (it waits for the next tick): libraries with native locks, and code
# that runs on top of the pass without being part of it — garbage-collector callbacks (hypothesis
# installs one), the interpreter's unraisable-exception hook (pytest's), imports — where an exception is
# swallowed, or breaks the caller.
_DEFER_IN = ("polars", "pyarrow", "duckdb", "hypothesis", "_pytest", "pluggy", "importlib", "tracemalloc")


def _inside_deferred_code(frame: FrameType | None, stop: FrameType | None) -> bool:
    """Whether the interrupted code (frames above `stop`, the frame running the limited block) runs
    in, or is called back from, code the limit must not raise in."""
    while frame is not None and frame is not stop:
        if str(frame.f_globals.get("__name__", "")).startswith(_DEFER_IN):
            return True
        frame = frame.f_back
    return False


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, file_name: str, stage: str) -> Iterator[None]:
    """Raise DocumentTooSlow inside the block once it has run `seconds` (None or 0: no limit).

    Once the limit is reached the timer keeps firing every RETRY_SECONDS until the block is left: a
    raise that would land where it cannot stop the block (see _DEFER_IN) waits for the next tick."""
    if not seconds or not _can_time():
        yield
        return
    left = False
    block = sys._getframe(2)  # the frame of the `with` statement (above this generator and __enter__)

    def expired(signum: int, frame: FrameType | None) -> None:
        if left or _inside_deferred_code(frame, block):
            return  # an exception raised inside a Polars call can leave its native locks held, one
            # raised in a garbage-collector callback is swallowed: the next tick tries again
        raise DocumentTooSlow(file_name, stage, seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield
    finally:
        left = True  # a signal already on its way must not raise in here
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_limited(
    function: Callable[..., object], doc, *args: object, seconds: float | None, stage: str
) -> object:
    """`function(doc, *args)`, or a TooSlow when it runs past `seconds`."""
    started = time.perf_counter()
    try:
        with time_limit(seconds, doc.file_name, stage):
            return function(doc, *args)
    except DocumentTooSlow as exc:
        return TooSlow(doc.document_id, doc.file_name, stage, exc.seconds, time.perf_counter() - started)
