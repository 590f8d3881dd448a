"""The files source: a file's table, format and snapshot time come from its name."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.sources import FileFormat, FilesSource, StampFrom, open_source
from reportgen.sources.files import discover, snapshot_file


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
    ["deployments.ndjson", "jobs.txt", "myjobs-2026-11-25.ndjson", "jobsite.csv", "README.md"],
)
def test_snapshot_file_unknown_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.touch()
    assert snapshot_file(path) is None


MODIFIED = datetime(2026, 11, 25, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "table", "taken", "stamp_from", "note"),
    [
        (
            "jobs-2026-10-30-a.ndjson",
            "jobs",
            datetime(2026, 10, 30, tzinfo=UTC),
            StampFrom.NAME,
            "jobs-2026-10-30-a.ndjson: snapshot time 2026-10-30T00:00:00+00:00 from the name",
        ),
        (
            "jobs_export.csv",
            "jobs",
            MODIFIED,
            StampFrom.FILE_TIME,
            "jobs_export.csv: no snapshot time in the name; took the file's modification time"
            " 2026-11-25T10:00:00+00:00",
        ),
        (
            "jobs-truncated.ndjson",
            "jobs",
            MODIFIED,
            StampFrom.FILE_TIME,
            "jobs-truncated.ndjson: no snapshot time in the name; took the file's modification"
            " time 2026-11-25T10:00:00+00:00",
        ),
        (
            "jobs-2026-13-40.ndjson",
            "jobs",
            MODIFIED,
            StampFrom.FILE_TIME,
            "jobs-2026-13-40.ndjson: no snapshot time in the name; took the file's modification"
            " time 2026-11-25T10:00:00+00:00",
        ),
        (
            "rollout_history.backup.json",
            "rollout_history",
            MODIFIED,
            StampFrom.FILE_TIME,
            "rollout_history.backup.json: no snapshot time in the name; took the file's"
            " modification time 2026-11-25T10:00:00+00:00",
        ),
        ("jobs-2026-11-25T10.ndjson", "jobs", datetime(2026, 11, 25, 10, tzinfo=UTC), "name", None),
        ("rollout_configuration.json", "rollout_configuration", MODIFIED, "file time", None),
    ],
)
def test_snapshot_file_names_that_start_with_a_table(
    tmp_path: Path, name: str, table: str, taken: datetime, stamp_from: str, note: str | None
) -> None:
    path = tmp_path / name
    path.write_text("")
    os.utime(path, (MODIFIED.timestamp(), MODIFIED.timestamp()))
    found = snapshot_file(path)
    assert found is not None
    assert (found.table, found.snapshot_at, found.stamp_from, found.note) == (
        table,
        taken,
        stamp_from,
        note,
    )


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


def test_discover_an_explicit_file_that_is_no_snapshot_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.ndjson"
    path.touch()
    with pytest.raises(InputError) as raised:
        discover(str(path))
    assert str(raised.value) == f"{path} is not a snapshot file"
    assert raised.value.hint == (
        "Name files <table>[-<stamp>].<ndjson|jsonl|json|csv|parquet>, with table one of jobs,"
        " rollout_configuration, rollout_history, repository_categories."
    )


def test_open_source_picks_files_unless_the_location_is_a_database_url(tmp_path: Path) -> None:
    from reportgen.config import load_settings
    from reportgen.sources.postgres import PostgresSource

    settings = load_settings(environ={})
    assert isinstance(open_source(settings, str(tmp_path)), FilesSource)
    database = open_source(settings, "postgresql://reader:s3cret@db.example:6543/postgres")
    assert isinstance(database, PostgresSource)
    assert database.label == "postgresql://reader@db.example:6543/postgres"
    from_environment = load_settings(
        environ={"REPORTGEN_DATABASE_URL": "postgres://u:pw@h/rollout?sslmode=require"}
    )
    assert open_source(from_environment).label == "postgresql://u@h/rollout"
    assert open_source(from_environment, str(tmp_path)).label == str(tmp_path)
