"""`reportgen pull`: the counts table, exit codes, and two pulls at once on one store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from reportgen.cli.app import app


def job(job_id: str, **overrides: Any) -> str:
    row = {
        "id": job_id,
        "job_type": "recent-prs",
        "processor_type": "inngest",
        "status": "pending",
        "created_at": "2026-11-25T09:00:00Z",
        **overrides,
    }
    return json.dumps(row) + "\n"


def snapshots(directory: Path, lines: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "jobs-2026-11-25T10.ndjson").write_text(lines, encoding="utf-8")
    (directory / "repository_categories-2026-11-25T10.csv").write_text(
        "repository_id,category\nr1,large\n", encoding="utf-8"
    )
    (directory / "notes.txt").write_text("not a snapshot")
    return directory


HEADER = (
    "table                         files   accepted   inserted    updated  unchanged   rejected"
)


def test_pull_prints_counts_per_table(tmp_path: Path) -> None:
    source = snapshots(tmp_path / "in", job("a") + job("b") + job("c", status="lost"))
    result = CliRunner().invoke(app, ["--store", "s.duckdb", "pull", "--source", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"Pulled 2 file(s) from {source}, skipped 1; data as of 2026-11-25T10:00:00+00:00",
        "",
        HEADER,
    ]
    assert [line.split() for line in lines[3:5]] == [
        ["jobs", "1", "2", "2", "0", "0", "1"],
        ["repository_categories", "1", "1", "1", "0", "0", "0"],
    ]
    assert lines[3].index("1") == HEADER.index("files") + len("files") - 1  # right-aligned
    assert lines[5:] == [
        "",
        "1 row(s) rejected:",
        f'  {source / "jobs-2026-11-25T10.ndjson"} row 3: status: unknown value "lost"',
    ]
    again = CliRunner().invoke(app, ["--store", "s.duckdb", "pull", "--source", str(source)])
    assert [line.split() for line in again.stdout.splitlines()[3:5]] == [
        ["jobs", "1", "2", "0", "0", "2", "1"],
        ["repository_categories", "1", "1", "0", "0", "1", "0"],
    ]


def test_pull_says_where_an_unusual_name_got_its_snapshot_time(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "jobs-2026-11-25T09-a.ndjson").write_text(job("a"), encoding="utf-8")
    export = source / "jobs_export.ndjson"
    export.write_text(job("b"), encoding="utf-8")
    os.utime(export, (1795600800, 1795600800))  # 2026-11-25T10:00Z
    result = CliRunner().invoke(app, ["--store", "s.duckdb", "pull", "--source", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        f"Pulled 2 file(s) from {source}; data as of 2026-11-25T10:00:00+00:00",
        "jobs-2026-11-25T09-a.ndjson: snapshot time 2026-11-25T09:00:00+00:00 from the name",
        "jobs_export.ndjson: no snapshot time in the name; took the file's modification time"
        " 2026-11-25T10:00:00+00:00",
        "",
    ]


def test_pull_explicit_file_that_is_no_snapshot_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.ndjson"
    path.write_text(job("a"), encoding="utf-8")
    result = CliRunner().invoke(app, ["pull", "--source", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {path} is not a snapshot file"


def test_pull_names_how_many_rejects_it_lists(tmp_path: Path) -> None:
    lost = "".join(job(f"x{n}", status="lost") for n in range(7))
    source = snapshots(tmp_path / "in", lost)
    result = CliRunner().invoke(app, ["--store", "s.duckdb", "pull", "--source", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first = lines.index("7 row(s) rejected; the first 5 (all are in the store's rejects table):")
    assert len(lines[first + 1 :]) == 5


def test_pull_strict_with_a_reject_exits_1(tmp_path: Path) -> None:
    source = snapshots(tmp_path / "in", job("a") + "{broken\n")
    result = CliRunner().invoke(app, ["pull", "--source", str(source), "--strict"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"Error: 1 row(s) rejected (first: {source / 'jobs-2026-11-25T10.ndjson'} row 2:"
        " not valid JSON); the store was left unchanged",
        "Hint: Fix those rows, or pull without --strict to keep the good rows and record"
        " the rejects.",
    ]


def test_pull_unreachable_database_is_one_error_line_without_the_password() -> None:
    dsn = "postgresql://reader:pw-s3cret@127.0.0.1:1/rollout?sslmode=disable"
    result = CliRunner().invoke(app, ["pull", "--source", dsn])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: cannot connect to postgresql://reader@127.0.0.1:1/rollout: ")
    assert lines[1:] == [
        "Hint: Check REPORTGEN_DATABASE_URL (or --source): host, port, database, user,"
        " password and sslmode."
    ]
    assert "s3cret" not in result.output


def test_pull_unreadable_file_names_it(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "jobs-2026-11-25T10.parquet").write_text("not parquet")
    result = CliRunner().invoke(app, ["pull", "--source", str(source)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot read {source / 'jobs-2026-11-25T10.parquet'}: ")
    assert result.stderr.splitlines()[1:] == [
        "Hint: Fix or remove that file and pull again; the store is unchanged."
    ]


def test_pull_default_source_from_config(tmp_path: Path) -> None:
    snapshots(tmp_path / "exports", job("a"))
    Path("reportgen.toml").write_text('[source]\npath = "exports"\n')
    result = CliRunner().invoke(app, ["pull"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Pulled 2 file(s) from exports, skipped 1;")
    assert Path("data/reportgen.duckdb").is_file()


def test_pull_two_processes_at_once_on_one_store(tmp_path: Path) -> None:
    lines = "".join(job(f"job-{n}", repository_name="x" * 500) for n in range(20_000))
    source = snapshots(tmp_path / "in", lines)
    command = [sys.executable, "-m", "reportgen", "--store", "s.duckdb", "pull"]
    processes = [
        subprocess.Popen(
            [*command, "--source", str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    jobs_lines = sorted(out.splitlines()[3].split() for out, _ in outputs)
    assert jobs_lines == [
        ["jobs", "1", "20000", "0", "0", "20000", "0"],
        ["jobs", "1", "20000", "20000", "0", "0", "0"],
    ]
