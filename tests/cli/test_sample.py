"""`reportgen sample`: what it writes and prints, and its refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.cli.app import app

SMALL = ["--days", "3", "--jobs-per-day", "100", "--seed", "1"]


def test_sample_writes_the_configured_source_and_prints_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", *SMALL, "--incident", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Wrote 29 files (175,805 bytes) to data/sample\n"
        "  period    2026-11-22T10:00Z to 2026-11-25T10:00Z, 26 job snapshots\n"
        "  jobs      319 in 334 rows; at the end 290 completed, 26 failed, 3 processing, "
        "0 pending\n"
        "  incident  2026-11-24 14:00 to 17:00 UTC, inngest network failures\n"
        "  rollout   0% now; 50 repositories, 47 categorised\n"
    )
    assert result.stderr == "Generating 3 days of about 100 jobs a day (seed 1) into data/sample\n"
    assert len(list((tmp_path / "data" / "sample").iterdir())) == 29


def test_sample_ends_at_as_of_without_an_incident(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("--as-of", "2026-03-02T08:00Z", "sample", "--days", "1"),
            *("--jobs-per-day", "20", "--incident", "none", "--out", "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "  period    2026-03-01T08:00Z to 2026-03-02T08:00Z, 24 job snapshots"
    assert lines[3] == "  incident  none"
    assert (tmp_path / "out" / "jobs-2026-03-02T08.ndjson").is_file()


def test_sample_same_arguments_same_bytes(tmp_path: Path) -> None:
    runner = CliRunner()
    for out in ("a", "b"):
        assert runner.invoke(app, ["sample", *SMALL, "--out", out]).exit_code == 0
    first = {path.name: path.read_bytes() for path in (tmp_path / "a").iterdir()}
    second = {path.name: path.read_bytes() for path in (tmp_path / "b").iterdir()}
    assert first == second


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--days", "0"], "Error: days must be between 1 and 3660, got 0"),
        (["--days", "x"], "Error: --days 'x' is not a whole number"),
        (["--jobs-per-day", "0"], "Error: jobs per day must be between 1 and 10000000, got 0"),
        (["--seed", "1.5"], "Error: --seed '1.5' is not a whole number"),
        (
            ["--incident", "yesterday"],
            "Error: --incident 'yesterday' is not a date (YYYY-MM-DD) or 'none'",
        ),
        (
            ["--incident", "2020-01-01"],
            "Error: incident 2020-01-01 is outside the sample period 2026-10-25T10:00Z to "
            "2026-11-25T10:00Z (the incident starts at 14:00 UTC)",
        ),
        (
            ["--end", "2026-11-25T10:30Z"],
            "Error: end 2026-11-25T10:30:00+00:00 is not on the hour; "
            "snapshot files are stamped by hour",
        ),
        (["--end", "soon"], "Error: --end 'soon' is not an ISO 8601 timestamp"),
    ],
)
def test_sample_bad_value_is_one_error_line_exit_2(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["sample", *arguments, "--out", "out"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == message
    assert not (tmp_path / "out").exists()


def test_sample_refuses_to_replace_other_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["sample", *SMALL, "--out", "out"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --out out holds files that are not snapshots (notes.txt); "
        "choose a new or empty directory\n"
        "Hint: See `reportgen sample --help`.\n"
    )
    assert (tmp_path / "out" / "notes.txt").read_text() == "keep me"


def test_sample_runs_as_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "reportgen", "sample", "--days", "1"),
            *("--jobs-per-day", "10", "--out", str(tmp_path / "out")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote 27 files (")
    assert "rollout_history.json" in {path.name for path in (tmp_path / "out").iterdir()}
