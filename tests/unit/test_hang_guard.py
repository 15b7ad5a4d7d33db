"""A hung test ends the run with every thread's stack, so CI shows where it stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_test_past_the_deadline_ends_the_run_and_prints_where_it_hung(tmp_path):
    hung = tmp_path / "test_hung.py"
    hung.write_text("import time\n\n\ndef test_waits_forever():\n    time.sleep(60)\n", encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.run(
        # the project's pytest settings, with the deadline shortened from 900 s to 1 s
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(ROOT), "-o", "faulthandler_timeout=1", str(hung)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode != 0 and time.perf_counter() - started < 30
    assert "Timeout" in proc.stderr and f'File "{hung}", line 5 in test_waits_forever' in proc.stderr
