"""The files source: a file's table, format and snapshot time come from its name."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.sources import discover_source
from reportgen.sources.files import FileFormat, discover, snapshot_file


@pytest.mark.parametrize(
    ("name", "table", "file_format", "taken"),
    [
        ("jobs-2026-11-25T10.ndjson", "jobs", FileFormat.NDJSON, datetime(2026, 11, 25, 10)),
        (
            "jobs-2026-11-25T10-15-30Z.jsonl",
            "jobs",
            FileFormat.NDJSON,
            datetime(2026, 11, 25, 10, 15, 30),
        ),
        ("jobs-2026-11-25.csv", "jobs", FileFormat.CSV, datetime(2026, 11, 25)),
        (
            "jobs-2026-11-25T10:05.parquet",
            "jobs",
            FileFormat.PARQUET,
            datetime(2026, 11, 25, 10, 5),
        ),
        (
            "rollout_history-2026-11-25T10.json",
            "rollout_history",
            FileFormat.JSON_ARRAY,
            datetime(2026, 11, 25, 10),
        ),
        (
            "repository_categories-2026-01-02T03.NDJSON",
            "repository_categories",
            FileFormat.NDJSON,
            datetime(2026, 1, 2, 3),
        ),
    ],
)
def test_snapshot_file_reads_the_name(
    tmp_path: Path, name: str, table: str, file_format: FileFormat, taken: datetime
) -> None:
    path = tmp_path / name
    path.touch()
    found = snapshot_file(path)
    assert found is not None
    assert (found.table, found.format, found.snapshot_at) == (
        table,
        file_format,
        taken.replace(tzinfo=UTC),
    )


def test_snapshot_file_without_stamp_uses_the_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "rollout_configuration.json"
    path.write_text("[]")
    os.utime(path, (1795600800, 1795600800))  # 2026-11-25T10:00Z
    found = snapshot_file(path)
    assert found is not None
    assert found.snapshot_at == datetime(2026, 11, 25, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    [
        "deployments.ndjson",
        "jobs.txt",
        "jobs-latest.ndjson",
        "jobs-2026-13-40.ndjson",
        "myjobs-2026-11-25.ndjson",
        "README.md",
    ],
)
def test_snapshot_file_unknown_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.touch()
    assert snapshot_file(path) is None


def test_discover_directory_in_snapshot_order_and_skips_unknown_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (
        "jobs-2026-11-25T11.ndjson",
        "jobs-2026-11-25T10.ndjson",
        "notes.txt",
        "repository_categories-2026-11-25T10.csv",
    ):
        (tmp_path / name).touch()
    (tmp_path / "archive").mkdir()
    found = discover(str(tmp_path))
    assert [f.path.name for f in found.files] == [
        "jobs-2026-11-25T10.ndjson",
        "repository_categories-2026-11-25T10.csv",
        "jobs-2026-11-25T11.ndjson",
    ]
    assert found.skipped == (tmp_path / "notes.txt",)
    assert f"skipped {tmp_path / 'notes.txt'}: not a snapshot of a known table" in caplog.text


def test_discover_glob_and_single_file(tmp_path: Path) -> None:
    for name in ("jobs-2026-11-25T10.ndjson", "jobs-2026-11-25T11.csv"):
        (tmp_path / name).touch()
    by_glob = discover(str(tmp_path / "*.ndjson"))
    assert [f.path.name for f in by_glob.files] == ["jobs-2026-11-25T10.ndjson"]
    single = discover(str(tmp_path / "jobs-2026-11-25T11.csv"))
    assert [f.path.name for f in single.files] == ["jobs-2026-11-25T11.csv"]


def test_discover_missing_source(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        discover(str(tmp_path / "nowhere"))
    assert str(raised.value) == f"snapshot source {tmp_path / 'nowhere'} does not exist"
    assert raised.value.hint == "Pass --source DIR, a glob or one file, or set source.path."


def test_discover_no_snapshot_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").touch()
    with pytest.raises(InputError) as raised:
        discover(str(tmp_path))
    assert str(raised.value) == f"no snapshot files in {tmp_path}"


@pytest.mark.parametrize("dsn", ["postgresql://user:secret@db/rollout", "postgres://db/x"])
def test_discover_source_database_url_not_supported_yet(dsn: str) -> None:
    with pytest.raises(InputError) as raised:
        discover_source(dsn)
    assert str(raised.value) == "PostgreSQL sources are not supported yet"
    assert "secret" not in str(raised.value) + str(raised.value.hint)
