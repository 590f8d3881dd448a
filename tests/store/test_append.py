"""A first pull of Parquet files appends into the empty store what staging would have merged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reportgen.errors import InputError, StrictPullError
from reportgen.sources.files import FilesSource
from reportgen.store import Store, append, open_store, rollups
from store.rows import Row, job
from store.test_pull import contents, counts, rejects

TIMES = ("created_at", "started_at", "completed_at", "updated_at")


def write_parquet(path: Path, rows: list[Row], *, native: bool = True) -> Path:
    """`rows` as a Parquet file: timestamps typed (`native`) or as text, metadata as JSON."""
    frame = pl.DataFrame(
        [
            {
                **row,
                "metadata": json.dumps(row["metadata"]) if row.get("metadata") else None,
                **{
                    name: datetime.fromisoformat(row[name]) if native and row[name] else row[name]
                    for name in TIMES
                },
            }
            for row in rows
        ],
        schema_overrides={"error": pl.String, "workflow_run_id": pl.Int64},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def at(day: int, hour: int = 9, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def day_job(job_id: str, day: int, **overrides: Any) -> Row:
    times = {
        "created_at": at(day),
        "started_at": at(day, minute=1),
        "completed_at": at(day, minute=3),
        "updated_at": at(day, minute=3),
    }
    return job(job_id, **{**times, **overrides})


def write_days(snapshots: Path, days: tuple[int, ...]) -> Path:
    """One file a day, `jobs-2026-11-<day>T01.parquet`, holding one job `j<day>` of that day."""
    for day in days:
        write_parquet(snapshots / f"jobs-2026-11-{day}T01.parquet", [day_job(f"j{day}", day)])
    return snapshots


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    with open_store(store_path) as opened:
        yield opened


def stored_jobs(store: Store) -> list[tuple[Any, ...]]:
    return store.connection.sql(
        "SELECT id, status, created_at, _snapshot_at FROM jobs ORDER BY rowid"
    ).fetchall()


def rollup_rows(store: Store) -> list[list[tuple[Any, ...]]]:
    return [
        store.connection.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in rollups.TABLES
    ]


def test_first_pull_appends_every_file_in_creation_order_with_rejects_and_rollups(
    store: Store, tmp_path: Path
) -> None:
    snapshots = tmp_path / "snapshots"
    write_parquet(snapshots / "jobs-2026-11-24T01.parquet", [day_job("b", 23), day_job("a", 23)])
    write_parquet(
        snapshots / "jobs-2026-11-25T01.parquet",
        [day_job("c", 24, status="failed", error="boom"), day_job("d", 24, status="nope")],
    )
    write_parquet(snapshots / "jobs-2026-11-26T01.parquet", [day_job("e", 25)], native=False)
    with FilesSource(str(snapshots)).open({}) as parts:
        groups = append.plan(store.connection, parts)
    assert [len(group) for group in groups or []] == [2, 1]  # timestamps typed, then text
    result = store.pull(str(snapshots))

    assert counts(result) == (4, 4, 0, 0, 1)
    assert [(r[0], r[1]) for r in stored_jobs(store)] == [
        ("a", "completed"),
        ("b", "completed"),
        ("c", "failed"),
        ("e", "completed"),
    ]
    assert [r[3].day for r in stored_jobs(store)] == [24, 24, 25, 26]
    assert [r[:3] for r in rejects(store)] == [
        ("jobs-2026-11-25T01.parquet", 2, 'status: unknown value "nope"')
    ]
    assert result.watermark == datetime.fromisoformat(at(25, minute=3))
    # The rollups kept by the pull are the ones built from the stored jobs.
    kept = rollup_rows(store)
    rollups.rebuild(store.connection)
    assert rollup_rows(store) == kept
    assert kept[0]


def test_a_key_repeated_across_files_is_merged_newest_state_wins(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshots = tmp_path / "snapshots"
    running = day_job("a", 24, status="pending", completed_at=None, updated_at=at(24, minute=1))
    write_parquet(snapshots / "jobs-2026-11-24T10.parquet", [running, day_job("b", 24)])
    write_parquet(snapshots / "jobs-2026-11-25T01.parquet", [day_job("a", 24, status="failed")])
    caplog.set_level("INFO")
    result = store.pull(str(snapshots))

    assert counts(result) == (3, 2, 0, 1, 0)
    assert [(r[0], r[1]) for r in stored_jobs(store)] == [("a", "failed"), ("b", "completed")]
    assert (
        "1 job id(s) repeat across the files: staging and merging the jobs files instead"
        in caplog.text
    )
    assert store.connection.sql("SELECT count(*) FROM pulls").fetchall() == [(1,)]


def test_strict_first_pull_with_a_reject_leaves_the_store_empty(
    store: Store, tmp_path: Path
) -> None:
    snapshots = tmp_path / "snapshots"
    write_parquet(snapshots / "jobs-2026-11-25T01.parquet", [day_job("a", 24, status="nope")])
    write_parquet(snapshots / "jobs-2026-11-26T01.parquet", [day_job("b", 25)])
    before = contents(store)
    with pytest.raises(StrictPullError) as raised:
        store.pull(str(snapshots), strict=True)
    assert str(raised.value) == (
        f"1 row(s) rejected (first: {snapshots / 'jobs-2026-11-25T01.parquet'} row 1:"
        ' status: unknown value "nope"); the store was left unchanged'
    )
    assert contents(store) == before
    assert store.connection.sql("SELECT count(*) FROM pulls").fetchall() == [(0,)]


def test_a_fake_parquet_file_is_still_named_in_the_error(store: Store, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    write_parquet(snapshots / "jobs-2026-11-25T01.parquet", [day_job("a", 24)])
    fake = snapshots / "jobs-2026-11-26T01.parquet"
    fake.write_text("id,status\n1,pending\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        store.pull(str(snapshots))
    assert str(raised.value).startswith(f"cannot read {fake}: ")
    assert store.connection.sql("SELECT count(*) FROM jobs").fetchall() == [(0,)]


def test_plan_groups_files_of_one_schema_up_to_the_row_budget(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshots = write_days(tmp_path / "snapshots", (21, 22, 23))
    write_parquet(snapshots / "jobs-2026-11-24T01.parquet", [day_job("text", 23)], native=False)
    write_parquet(snapshots / "jobs-2026-11-25T01.parquet", [day_job("j25", 24)])
    monkeypatch.setattr(append, "GROUP_ROWS", 2)
    with FilesSource(str(snapshots)).open({}) as parts:
        groups = append.plan(store.connection, parts)
        assert groups is not None
        assert [[Path(f.path).name[5:15] for f in group] for group in groups] == [
            ["2026-11-21", "2026-11-22"],
            ["2026-11-23"],
            ["2026-11-24"],
            ["2026-11-25"],
        ]
        store.pull(str(snapshots))
        # Once the store holds jobs, every later pull merges.
        assert append.plan(store.connection, parts) is None
    assert [r[0] for r in stored_jobs(store)] == ["j21", "j22", "j23", "text", "j25"]


def test_progress_counts_each_group_of_files_as_it_is_appended(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshots = write_days(tmp_path / "snapshots", (21, 22, 23))
    monkeypatch.setattr(append, "GROUP_ROWS", 2)
    seen: list[tuple[int, int]] = []
    store.pull(str(snapshots), progress=lambda done, steps: seen.append((done, steps)))
    assert seen == [(2, 4), (3, 4), (4, 4)]


def test_a_column_named_like_the_readers_own_is_ignored_as_any_other(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshots = tmp_path / "snapshots"
    for day in (24, 25):
        rows = [{**day_job(f"j{day}", day), "filename": "exports/today.csv"}]
        write_parquet(snapshots / f"jobs-2026-11-{day + 1}T01.parquet", rows)
    caplog.set_level("INFO")
    result = store.pull(str(snapshots))
    assert "instead" not in caplog.text  # appended, not staged and merged
    assert counts(result) == (2, 2, 0, 0, 0)
    assert [r[0] for r in stored_jobs(store)] == ["j24", "j25"]
