from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from datasets import incident_day, write_snapshot
from typer.testing import CliRunner

from reportgen.cli.app import app

AS_OF = "2026-11-26T00:30:00Z"


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_snapshot(tmp_path / "snapshot", incident_day())
    monkeypatch.setenv("REPORTGEN_SOURCE__PATH", str(folder))
    return folder


def invoke(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    store = str(tmp_path / "store.duckdb")
    command = ["--store", store, "--as-of", AS_OF, "--quiet", "build", *args]
    result = CliRunner().invoke(app, command)
    return result.exit_code, result.stdout, result.stderr


def test_build_prints_counts_and_where_to_open_the_site(tmp_path: Path, source: Path) -> None:
    code, out, _ = invoke(tmp_path, "--out", str(tmp_path / "site"), "--no-notify")
    assert code == 0
    assert out.splitlines() == [
        "Built 8 pages: 4 reports computed, 57 files written.",
        f"Open {tmp_path / 'site' / 'index.html'}",
    ]
    again = invoke(tmp_path, "--out", str(tmp_path / "site"), "--no-notify", "--no-pull")
    assert again[:2] == (
        0,
        "Up to date: 8 pages, no report recomputed, no file rewritten.\n"
        f"Open {tmp_path / 'site' / 'index.html'}\n",
    )


def test_build_fail_on_exits_3_after_writing_the_site(tmp_path: Path, source: Path) -> None:
    code, out, err = invoke(
        tmp_path, "--out", str(tmp_path / "site"), "--no-notify", "--fail-on", "warning"
    )
    assert code == 3
    assert out.splitlines()[-1] == f"Open {tmp_path / 'site' / 'index.html'}"
    assert err == "Error: the newest daily report (2026-11-25) is critical (--fail-on warning)\n"
    assert (tmp_path / "site" / "daily" / "2026-11-25" / "index.html").is_file()


def test_build_range_flag_adds_a_custom_page(tmp_path: Path, source: Path) -> None:
    code, _, _ = invoke(
        tmp_path, "--out", str(tmp_path / "site"), "--no-notify",
        "--range", "incident=2026-11-25..2026-11-26",
    )  # fmt: skip
    assert code == 0
    assert (tmp_path / "site" / "custom" / "incident" / "report.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--range", "Bad=2026-11-25..2026-11-26"], "Error: range name 'Bad' is not a valid slug"),
        (["--range", "incident"], "Error: --range 'incident' is not slug=START..END"),
    ],
)
def test_build_bad_range_exits_2(
    tmp_path: Path, source: Path, args: list[str], message: str
) -> None:
    code, _, err = invoke(tmp_path, "--out", str(tmp_path / "site"), *args)
    assert code == 2
    assert err.splitlines()[0] == message
    assert not (tmp_path / "site").exists()


def test_build_refuses_a_folder_that_is_not_a_site(tmp_path: Path, source: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("mine")
    code, _, err = invoke(tmp_path, "--out", str(tmp_path / "docs"), "--no-notify")
    assert code == 1
    assert err.splitlines()[0] == (
        f"Error: {tmp_path / 'docs'} exists and is not a reportgen site; refusing to replace it"
    )


def test_build_and_serve_as_real_processes(tmp_path: Path, source: Path) -> None:
    site = tmp_path / "site"
    store = str(tmp_path / "store.duckdb")
    built = subprocess.run(
        [sys.executable, "-m", "reportgen", "--store", store, "--as-of", AS_OF, "--quiet",
         "build", "--out", str(site), "--no-notify"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (built.returncode, built.stderr) == (0, "")
    assert built.stdout.splitlines()[-1] == f"Open {site / 'index.html'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith(f"Serving {site} at http://127.0.0.1:")
        url = line.split(" at ")[1].split()[0]
        page = httpx.get(url + "daily/2026-11-25/index.html", timeout=10)
        assert page.status_code == 200
        assert "Daily report 2026-11-25" in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def test_serve_without_a_site_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {tmp_path / 'nothing'} has no index.html"


def test_build_out_on_a_file_is_one_error_line(tmp_path: Path, source: Path) -> None:
    target = tmp_path / "site"
    target.write_text("not a folder", encoding="utf-8")
    code, out, err = invoke(tmp_path, "--out", str(target), "--no-notify")
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {target}: Not a directory\n"
        "Hint: Check that the path exists, is writable and is a file or folder as expected.\n"
    )
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_build_out_where_nothing_can_be_written_fails_before_any_work(
    tmp_path: Path, source: Path
) -> None:
    code, out, err = invoke(tmp_path, "--out", "/proc/site", "--no-notify")
    assert (code, out) == (1, "")
    assert err == (
        "Error: cannot write the site to /proc/site: No such file or directory\n"
        "Hint: Choose a folder you can write with --out.\n"
    )
    assert not (tmp_path / "store.duckdb").exists()  # nothing pulled, nothing computed


def test_serve_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<!doctype html>", encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", str(tmp_path / "site"), "--port", "99999"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --port: input should be less than or equal to 65535\n"
        "Hint: See `reportgen serve --help`.\n"
    )
