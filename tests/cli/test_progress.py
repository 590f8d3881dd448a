"""Waits and long runs are never silent: a line for a busy store, lines for a long build."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import incident_day, write_snapshot

from reportgen.cli import common
from reportgen.store import open_store

HOLDER = """
import sys, time
from pathlib import Path
from reportgen.store import open_store
with open_store(Path(sys.argv[1])) as store:
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_a_busy_store_says_it_is_waiting_then_reports(tmp_path: Path) -> None:
    source = write_snapshot(tmp_path / "snapshot", incident_day())
    store = tmp_path / "store.duckdb"
    with open_store(store, wait_seconds=0) as opened:
        opened.pull(str(source))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None
    assert holder.stdout.readline() == "holding\n"
    report = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "--store", str(store), "--as-of",
         "2026-11-26T00:30:00Z", "report", "daily", "--date", "2026-11-25"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert report.stderr is not None
    try:
        # The line comes while the store is still held: the wait is announced, not silent.
        waiting = report.stderr.readline()
    finally:
        holder.communicate("\n", timeout=30)
    out, rest = report.communicate(timeout=60)
    assert report.returncode == 0, rest
    assert waiting == f"store {store} is in use by another process; waiting up to 30s\n"
    assert rest == ""
    assert out.startswith("{")


def test_without_a_terminal_a_long_run_logs_a_line_every_ten_seconds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    caplog.set_level(logging.INFO, logger="reportgen")
    with common.progress_bar("Building report pages", clock=lambda: now[0]) as advance:
        assert advance is not None
        for done, moment in ((1, 3.0), (2, 10.5), (3, 15.0), (4, 21.0)):
            now[0] = moment
            advance(done, 40)
    assert [record.getMessage() for record in caplog.records] == [
        "Building report pages: 2 of 40",
        "Building report pages: 4 of 40",
    ]


def test_a_quick_run_logs_no_progress(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="reportgen")
    with common.progress_bar("Pulling snapshots", clock=lambda: 0.0) as advance:
        assert advance is not None
        advance(1, 1)
    assert caplog.records == []
