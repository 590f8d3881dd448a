"""Writing a sample: the committed sample, file naming, snapshots and atomic replacement."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import UsageError
from reportgen.sample.generator import generate_jobs
from reportgen.sample.writer import SampleSummary, write_sample
from reportgen.schema import JOBS, REPOSITORY_CATEGORIES, ROLLOUT_CONFIGURATION, ROLLOUT_HISTORY

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"
SMALL: dict[str, Any] = {"days": 3, "jobs_per_day": 100, "seed": 1, "incident": date(2026, 11, 24)}


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def job_snapshots(directory: Path) -> list[list[dict[str, Any]]]:
    """The jobs files' rows, oldest snapshot first (the stamps sort as times)."""
    return [
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(directory.glob("jobs-*.ndjson"))
    ]


def test_write_sample_reproduces_the_committed_sample(tmp_path: Path) -> None:
    write_sample(tmp_path / "sample")
    written = files_of(tmp_path / "sample")
    committed = files_of(COMMITTED)
    assert sorted(written) == sorted(committed)
    for name, content in committed.items():
        assert written[name] == content, f"data/sample/{name} differs: run `reportgen sample`"


def test_committed_sample_stays_small() -> None:
    files = list(COMMITTED.iterdir())
    assert len(files) <= 150
    assert sum(path.stat().st_size for path in files) <= 3_000_000


def test_write_sample_is_byte_identical_across_runs(tmp_path: Path) -> None:
    write_sample(tmp_path / "first", **SMALL)
    write_sample(tmp_path / "second", **SMALL)
    assert files_of(tmp_path / "first") == files_of(tmp_path / "second")


def test_write_sample_summary(tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "out", **SMALL)
    assert summary == SampleSummary(
        out_dir=tmp_path / "out",
        files=summary.files,
        total_bytes=sum(len(content) for content in files_of(tmp_path / "out").values()),
        jobs=319,
        job_rows=334,
        snapshots=26,
        status_at_end={"pending": 0, "processing": 3, "completed": 290, "failed": 26},
        start=datetime(2026, 11, 22, 10, tzinfo=UTC),
        end=datetime(2026, 11, 25, 10, tzinfo=UTC),
        incident=date(2026, 11, 24),
        rollout_percentage=0,
        repositories=50,
        categorised_repositories=47,
    )


def test_write_sample_names_files_by_table_and_snapshot_hour(tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "out", **SMALL)
    hourly = [f"jobs-2026-11-24T{hour:02d}.ndjson" for hour in range(11, 24)] + [
        f"jobs-2026-11-25T{hour:02d}.ndjson" for hour in range(11)
    ]
    assert list(summary.files) == [
        "jobs-2026-11-23T10.ndjson",
        "jobs-2026-11-24T10.ndjson",
        *hourly,
        "repository_categories.csv",
        "rollout_configuration.json",
        "rollout_history.json",
    ]


def test_write_sample_snapshots_replay_to_the_final_state(tmp_path: Path) -> None:
    write_sample(tmp_path / "out", **SMALL)
    newest: dict[str, dict[str, Any]] = {}
    for rows in job_snapshots(tmp_path / "out"):
        for row in rows:
            assert tuple(row) == JOBS.column_names
            earlier = newest.get(row["id"])
            assert earlier is None or earlier["updated_at"] < row["updated_at"]
            newest[row["id"]] = row
    assert list(newest.values()) == list(generate_jobs(**SMALL))


def test_write_sample_shows_status_progression_across_files() -> None:
    history: dict[str, list[str]] = {}
    for rows in job_snapshots(COMMITTED):
        for row in rows:
            history.setdefault(row["id"], []).append(row["status"])
    progressions = Counter(tuple(statuses) for statuses in history.values() if len(statuses) > 1)
    assert progressions == {
        ("pending", "completed"): 59,
        ("processing", "completed"): 60,
        ("pending", "failed"): 1,
        ("processing", "failed"): 1,
        ("pending", "processing", "completed"): 2,
    }


def test_write_sample_last_snapshot_holds_the_live_queue() -> None:
    last = job_snapshots(COMMITTED)[-1]
    assert Counter(row["status"] for row in last) == {
        "completed": 8,
        "pending": 2,
        "processing": 2,
    }


def test_write_sample_other_tables_have_the_schema_columns(tmp_path: Path) -> None:
    write_sample(tmp_path / "out", **SMALL)
    configuration = json.loads((tmp_path / "out/rollout_configuration.json").read_text())
    assert [tuple(row) for row in configuration] == [ROLLOUT_CONFIGURATION.column_names]
    history = json.loads((tmp_path / "out/rollout_history.json").read_text())
    assert {tuple(row) for row in history} == {ROLLOUT_HISTORY.column_names}
    assert [row["action"] for row in history] == ["created", "updated", "updated", "rollback"]
    with (tmp_path / "out/repository_categories.csv").open(newline="") as file:
        rows = list(csv.reader(file))
    assert tuple(rows[0]) == REPOSITORY_CATEGORIES.column_names
    assert {row[2] for row in rows[1:]} == {"true", "false"}


def test_write_sample_replaces_an_earlier_sample_entirely(tmp_path: Path) -> None:
    write_sample(tmp_path / "out", **SMALL)
    summary = write_sample(tmp_path / "out", days=1, jobs_per_day=20, incident=None)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == list(summary.files)
    assert len(summary.files) == 27
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_write_sample_refuses_a_directory_with_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("mine")
    (out / "jobs-2026-01-01T00.ndjson").write_text("")
    with pytest.raises(UsageError) as raised:
        write_sample(out, **SMALL)
    assert str(raised.value) == (
        f"--out {out} holds files that are not snapshots (README.md); "
        "choose a new or empty directory"
    )
    assert sorted(path.name for path in out.iterdir()) == [
        "README.md",
        "jobs-2026-01-01T00.ndjson",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_write_sample_refuses_a_file_as_out(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(UsageError) as raised:
        write_sample(tmp_path / "taken", **SMALL)
    assert str(raised.value) == f"--out {tmp_path / 'taken'} exists and is not a directory"


def test_write_sample_bad_spec_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_sample(tmp_path / "out", days=0)
    assert list(tmp_path.iterdir()) == []
