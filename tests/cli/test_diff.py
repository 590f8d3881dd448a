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


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real reports of the incident day, judged at noon (partial) and after the day."""
    folder = tmp_path_factory.mktemp("diff")
    source = write_snapshot(folder / "snapshot", incident_day())
    store = folder / "store.duckdb"
    with open_store(store, wait_seconds=0) as opened:
        opened.pull(str(source))
    for name, as_of in (("noon", "2026-11-25T12:00:00Z"), ("after", "2026-11-26T00:30:00Z")):
        for kind in ("daily", "weekly"):
            out = folder / name / kind / "2026-11-25" / "report.json"
            result = CliRunner().invoke(
                app, ["--store", str(store), "--as-of", as_of, "report", kind,
                      "--date", "2026-11-25", "--out", str(out)],
            )  # fmt: skip
            assert result.exit_code == 0, result.stderr
    return folder


def test_diff_of_two_sites_lists_the_changed_reports(reports: Path) -> None:
    result = CliRunner().invoke(app, ["diff", str(reports / "noon"), str(reports / "after")])
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "## Report changes",
        "",
        f"{reports / 'noon'} → {reports / 'after'}: 2 changed of 2 reports.",
    ]
    assert lines[4].startswith("| report | change | status | jobs | error rate |")
    daily = next(line for line in lines if line.startswith("| daily/2026-11-25 "))
    noon = json.loads((reports / "noon/daily/2026-11-25/report.json").read_text())
    after = json.loads((reports / "after/daily/2026-11-25/report.json").read_text())
    assert noon["jobs"]["total"] != after["jobs"]["total"]
    cells = [cell.strip() for cell in daily.strip("|").split("|")]
    assert cells[:2] == ["daily/2026-11-25", "changed"]
    assert cells[3] == f"{noon['jobs']['total']} → {after['jobs']['total']}"


def test_diff_of_the_same_site_says_nothing_changed(reports: Path) -> None:
    result = CliRunner().invoke(app, ["diff", str(reports / "after"), str(reports / "after")])
    assert result.exit_code == 0
    assert result.stdout == (
        f"## Report changes\n\n{reports / 'after'} → {reports / 'after'}: "
        "no report changed (2 reports compared).\n"
    )


def test_diff_of_two_report_files_compares_them(reports: Path, tmp_path: Path) -> None:
    old = reports / "after/daily/2026-11-25/report.json"
    changed = json.loads(old.read_text(encoding="utf-8"))
    changed["status"] = "warning"
    changed["errors"]["total"] += 1
    new = tmp_path / "new.json"
    new.write_text(json.dumps(changed), encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    row = result.stdout.splitlines()[-1]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:3] == ["daily/2026-11-25", "changed", "critical → warning"]
    assert cells[-1] == "errors"


def test_diff_names_added_and_removed_reports(reports: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "daily" / "2026-11-24").mkdir(parents=True)
    report = (reports / "after/daily/2026-11-25/report.json").read_text(encoding="utf-8")
    (old / "daily" / "2026-11-24" / "report.json").write_text(report, encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(old), str(reports / "after")])
    assert result.exit_code == 0
    changes = [line.split("|")[1:3] for line in result.stdout.splitlines() if "/2026-" in line]
    assert [[cell.strip() for cell in change] for change in changes] == [
        ["daily/2026-11-24", "removed"],
        ["daily/2026-11-25", "added"],
        ["weekly/2026-11-25", "added"],
    ]
    assert f"{reports / 'after'}: 2 added, 1 removed of 3 reports." in result.stdout


@pytest.mark.parametrize(
    ("make", "line"),
    [
        ("missing", "Error: OLD {old} does not exist"),
        ("empty", "Error: OLD {old} holds no reports (no */*/report.json)"),
    ],
)
def test_diff_of_a_path_that_holds_no_report_is_a_usage_error(
    reports: Path, tmp_path: Path, make: str, line: str
) -> None:
    old = tmp_path / "old"
    if make == "empty":
        old.mkdir()
    result = CliRunner().invoke(app, ["diff", str(old), str(reports / "after")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        line.format(old=old),
        "Hint: Give a site folder written by `reportgen build`, or a report JSON file.",
    ]


def test_diff_of_a_file_that_is_not_a_report_exits_1(reports: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "daily"}', encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(bad), str(reports / "after")])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == f"Error: {bad} is not a report JSON file: no kind or status"
    )


def test_diff_runs_as_a_real_process(reports: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "diff", str(reports / "noon"), str(reports / "after")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("## Report changes\n")
    assert "| weekly/2026-11-25 | changed |" in result.stdout
