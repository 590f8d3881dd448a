from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import incident_day, write_snapshot
from typer.testing import CliRunner

from reportgen.cli.app import app
from reportgen.store import open_store

AS_OF = "2026-11-26T00:30:00Z"


@pytest.fixture
def incident_store(tmp_path: Path) -> Path:
    source = write_snapshot(tmp_path / "snapshot", incident_day())
    path = tmp_path / "store.duckdb"
    with open_store(path, wait_seconds=0) as store:
        store.pull(str(source))
    return path


def _invoke(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--store", str(store), "--as-of", AS_OF, "report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_report_daily_json_prints_the_report(incident_store: Path) -> None:
    code, out, err = _invoke(incident_store, "daily", "--date", "2026-11-25")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["kind"], report["status"], report["jobs"]["total"]) == ("daily", "critical", 45)
    assert out.endswith("}\n")
    assert out.startswith('{\n  "schema_version": "1.0",\n  "kind": "daily",')


def test_report_date_defaults_to_the_day_of_as_of(incident_store: Path) -> None:
    code, out, _ = _invoke(incident_store, "daily")
    assert code == 0
    assert json.loads(out)["period"]["start"] == "2026-11-26T00:00:00+00:00"


def test_report_markdown_out_writes_file_and_prints_nothing(
    incident_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "report.md"
    code, out, _ = _invoke(
        incident_store, "daily", "--date", "2026-11-25", "--format", "markdown", "--out",
        str(target),
    )  # fmt: skip
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("# Rollout report: daily 2026-11-25")


def test_report_custom_hours_covers_the_last_hours(incident_store: Path) -> None:
    code, out, _ = _invoke(incident_store, "custom", "--hours", "6")
    assert code == 0
    period = json.loads(out)["period"]
    assert (period["start"], period["end"]) == (
        "2026-11-25T18:30:00+00:00",
        "2026-11-26T00:30:00+00:00",
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["daily", "--hours", "3"],
            "Error: --start/--end and --hours are for custom reports, not daily",
        ),
        (["custom", "--start", "2026-11-01"], "Error: --start needs --end"),
        (["custom"], "Error: a custom report needs --start and --end, or --hours"),
        (
            ["daily", "--date", "25/11/2026"],
            "Error: --date '25/11/2026' is not a date (YYYY-MM-DD)",
        ),
        (
            ["custom", "--start", "2026-11-02", "--end", "2026-11-01"],
            "Error: custom period end 2026-11-01T00:00:00+00:00 is not after its start "
            "2026-11-02T00:00:00+00:00",
        ),
    ],
)
def test_report_bad_flags_exit_2_with_one_line(
    incident_store: Path, args: list[str], line: str
) -> None:
    code, out, err = _invoke(incident_store, *args)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == line


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["daily", "--format", "xml"], "Error: --format 'xml' is not one of json, markdown, table"),
        (["dialy"], "Error: kind 'dialy' is not one of daily, weekly, monthly, custom"),
        (["custom", "--hours", "abc"], "Error: --hours 'abc' is not a number"),
        (["daily", "--bogus"], "Error: No such option: --bogus (Possible options: --hours, --out)"),
    ],
)
def test_report_usage_errors_are_one_error_line_and_a_hint(
    incident_store: Path, args: list[str], line: str
) -> None:
    code, out, err = _invoke(incident_store, *args)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == line
    assert len(err.splitlines()) == 2
    assert err.splitlines()[1].startswith("Hint: ")
    assert "╭" not in err and "Usage:" not in err


def test_report_missing_store_says_to_pull(tmp_path: Path) -> None:
    code, out, err = _invoke(tmp_path / "missing.duckdb", "daily")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"Error: no store at {tmp_path / 'missing.duckdb'}",
        "Hint: Run `reportgen pull` first.",
    ]


def test_report_table_runs_as_a_real_process(incident_store: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "reportgen", "--store", str(incident_store), "--as-of", AS_OF,
            "report", "daily", "--date", "2026-11-25", "--format", "table",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "daily report 2026-11-25 00:00 UTC to 2026-11-26 00:00 UTC"
    assert any("Status" in line and "critical" in line for line in lines)


def test_report_out_to_a_folder_is_one_error_line(incident_store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, out, err = _invoke(incident_store, "daily", "--date", "2026-11-25", "--out", str(folder))
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {folder}: Is a directory\n"
        "Hint: Check that the path exists, is writable and is a file or folder as expected.\n"
    )
    assert list(folder.iterdir()) == []


def test_report_bad_flag_hints_at_the_command_help(incident_store: Path) -> None:
    code, _, err = _invoke(incident_store, "daily", "--date", "25/11/2026")
    assert code == 2
    assert err == (
        "Error: --date '25/11/2026' is not a date (YYYY-MM-DD)\n"
        "Hint: Use YYYY-MM-DD; monthly also takes YYYY-MM, weekly YYYY-Www.\n"
    )


def test_report_unknown_option_hints_at_the_command_help(incident_store: Path) -> None:
    code, _, err = _invoke(incident_store, "daily", "--bogus")
    assert code == 2
    assert err == (
        "Error: No such option: --bogus (Possible options: --hours, --out)\n"
        "Hint: See `reportgen report --help`.\n"
    )


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("report.md", "# Rollout report: daily 2026-11-25"),
        ("report.markdown", "# Rollout report: daily 2026-11-25"),
        ("report.json", '{\n  "schema_version": "1.0",'),
        ("report.txt", "daily report 2026-11-25 00:00 UTC to 2026-11-26 00:00 UTC"),
        ("report.out", '{\n  "schema_version": "1.0",'),
    ],
)
def test_report_out_extension_chooses_the_format(
    incident_store: Path, tmp_path: Path, name: str, start: str
) -> None:
    target = tmp_path / name
    code, out, err = _invoke(incident_store, "daily", "--date", "2026-11-25", "--out", str(target))
    assert (code, out, err) == (0, "", f"wrote daily report 2026-11-25 to {target}\n")
    assert target.read_text(encoding="utf-8").startswith(start)


def test_report_format_overrides_nothing_it_contradicts(
    incident_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.md"
    code, out, err = _invoke(
        incident_store, "daily", "--date", "2026-11-25", "--format", "json", "--out", str(target)
    )
    assert (code, out) == (2, "")
    assert err == (
        f"Error: --format json does not match --out {target} (a markdown file)\n"
        "Hint: Drop --format, or name the file .json.\n"
    )
    assert not target.exists()


def test_report_format_given_matches_the_extension(incident_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, _, _ = _invoke(
        incident_store, "daily", "--date", "2026-11-25", "--format", "table", "--out", str(target)
    )
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("daily report 2026-11-25")


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        (
            ["monthly", "--date", "2026-11"],
            "2026-11-01T00:00:00+00:00",
            "2026-12-01T00:00:00+00:00",
        ),
        (
            ["weekly", "--date", "2026-W48"],
            "2026-11-23T00:00:00+00:00",
            "2026-11-30T00:00:00+00:00",
        ),
        (
            ["weekly", "--date", "2026-11-25"],
            "2026-11-23T00:00:00+00:00",
            "2026-11-30T00:00:00+00:00",
        ),
    ],
)
def test_report_date_takes_a_month_or_a_week(
    incident_store: Path, args: list[str], start: str, end: str
) -> None:
    code, out, _ = _invoke(incident_store, *args)
    assert code == 0
    period = json.loads(out)["period"]
    assert (period["start"], period["end"]) == (start, end)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["daily", "--date", "2026-11"], "Error: --date '2026-11' names a month; a daily report "
         "takes a day (YYYY-MM-DD)"),
        (["monthly", "--date", "2026-13"],
         "Error: --date '2026-13' is not a month of the calendar"),
        (["weekly", "--date", "2026-W60"],
         "Error: --date '2026-W60' is not a week of the calendar"),
        (["monthly", "--date", "2026-W48"], "Error: --date '2026-W48' names a week; a monthly "
         "report takes a day (YYYY-MM-DD)"),
    ],
)  # fmt: skip
def test_report_date_shape_that_does_not_fit_is_refused(
    incident_store: Path, args: list[str], line: str
) -> None:
    code, out, err = _invoke(incident_store, *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        line,
        "Hint: Use YYYY-MM-DD; monthly also takes YYYY-MM, weekly YYYY-Www.",
    ]


def test_report_of_a_period_after_the_data_warns_in_one_line(incident_store: Path) -> None:
    result = CliRunner().invoke(
        app, ["--store", str(incident_store), "--as-of", "2026-12-01T12:00:00Z", "report", "daily"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["jobs"]["total"] == 0
    assert result.stderr == (
        "Warning: the data end 2026-11-26 00:15 UTC, 4 d 23 h before this daily period starts; "
        "pull newer data, or pick an earlier period with --date or --as-of\n"
    )


def test_report_of_a_covered_period_has_no_warning(incident_store: Path) -> None:
    code, _, err = _invoke(incident_store, "daily", "--date", "2026-11-25")
    assert (code, err) == (0, "")
