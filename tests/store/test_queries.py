"""The read API: frames with exactly the schema's columns, UTC timestamps, sorted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from reportgen.compute.queue import queue_state
from reportgen.schema import JOBS, TABLES
from reportgen.store import Store, open_store
from store.rows import job, write_ndjson

UTC_US = pl.Datetime("us", "UTC")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC)


@pytest.fixture
def store(store_path: Path, tmp_path: Path) -> Iterator[Store]:
    rows = [
        job(
            "late",
            created_at="2026-11-25T11:00:00Z",
            started_at=None,
            completed_at=None,
            status="pending",
            updated_at=None,
        ),
        job("b", created_at="2026-11-25T09:00:00Z"),
        job("a", created_at="2026-11-25T09:00:00Z", status="processing", completed_at=None),
        job(
            "done-later",
            created_at="2026-11-25T09:30:00+00:00",
            completed_at="2026-11-25T10:30:00Z",
        ),
        job("failed", created_at="2026-11-25T08:00:00Z", status="failed"),
    ]
    path = write_ndjson(tmp_path / "jobs-2026-11-25T12.ndjson", rows)
    with open_store(store_path) as opened:
        opened.pull(str(path))
        yield opened


def test_jobs_created_is_half_open_and_sorted(store: Store) -> None:
    frame = store.jobs_created(at(9), at(11))
    assert list(frame["id"]) == ["a", "b", "done-later"]
    assert frame.columns == list(JOBS.column_names)


def test_jobs_created_types(store: Store) -> None:
    schema = store.jobs_created(at(0), at(23)).schema
    assert {
        name: schema[name] for name in ("created_at", "started_at", "completed_at", "updated_at")
    } == dict.fromkeys(("created_at", "started_at", "completed_at", "updated_at"), UTC_US)
    assert (schema["metadata"], schema["time_range_days"], schema["id"]) == (
        pl.String(),
        pl.Int64(),
        pl.String(),
    )


def test_jobs_created_empty_range_keeps_the_columns(store: Store) -> None:
    frame = store.jobs_created(at(20), at(21))
    assert frame.height == 0
    assert frame.columns == list(JOBS.column_names)
    assert frame.schema["created_at"] == UTC_US


def test_jobs_open_at_a_moment(store: Store) -> None:
    assert list(store.jobs_open_at(at(10))["id"]) == ["a", "done-later"]
    assert list(store.jobs_open_at(at(12))["id"]) == ["a", "late"]


@pytest.mark.parametrize("columns", [None, ["status"], ["id", "status", "processor_type"]])
def test_jobs_open_at_with_the_still_open_jobs_read_before_is_the_same(
    store: Store, columns: list[str] | None
) -> None:
    still_open = store.jobs_still_open(columns=columns)
    for moment in (at(0), at(9), at(10), at(12), at(23)):
        expected = store.jobs_open_at(moment, columns=columns)
        assert store.jobs_open_at(moment, columns=columns, still_open=still_open).equals(expected)


def test_jobs_created_only_the_columns_asked_in_the_schema_order(store: Store) -> None:
    frame = store.jobs_created(at(9), at(11), columns=["status", "id", "created_at"])
    assert frame.columns == ["id", "status", "created_at"]
    assert frame.rows() == [
        ("a", "processing", at(9)),
        ("b", "completed", at(9)),
        ("done-later", "completed", at(9, 30)),
    ]


def test_jobs_created_without_the_sort_key_is_still_sorted_by_it(store: Store) -> None:
    frame = store.jobs_created(at(8), at(12), columns=["status"])
    assert list(frame["status"]) == ["failed", "processing", "completed", "completed", "pending"]


def test_jobs_created_unknown_column(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown jobs column\\(s\\) 'nope'"):
        store.jobs_created(at(9), at(11), columns=["id", "nope"])


def test_jobs_open_at_only_the_columns_asked(store: Store) -> None:
    frame = store.jobs_open_at(at(10), columns=["id", "status"])
    assert frame.rows() == [("a", "processing"), ("done-later", "completed")]


def test_jobs_open_at_counts_a_job_once_when_open_now_and_finished_later(
    store_path: Path, tmp_path: Path
) -> None:
    # Inconsistent but possible rows: a status still open with a completion time set.
    rows = [
        job("open-late", created_at="2026-11-25T09:00:00Z", status="processing",
            completed_at="2026-11-25T11:00:00Z"),
        job("open-early", created_at="2026-11-25T09:00:00Z", status="pending",
            started_at=None, completed_at="2026-11-25T09:30:00Z"),
        job("done-early", created_at="2026-11-25T09:00:00Z",
            completed_at="2026-11-25T09:30:00Z"),
        job("failed-late", created_at="2026-11-25T09:10:00Z", status="failed",
            completed_at="2026-11-25T10:00:00Z"),
        job("created-at-moment", created_at="2026-11-25T10:00:00Z", status="pending",
            started_at=None, completed_at=None),
    ]  # fmt: skip
    path = write_ndjson(tmp_path / "jobs-2026-11-25T12.ndjson", rows)
    with open_store(store_path) as opened:
        opened.pull(str(path))
        expected = ["open-early", "open-late", "failed-late"]
        assert list(opened.jobs_open_at(at(10))["id"]) == expected
        still_open = opened.jobs_still_open()
        assert list(opened.jobs_open_at(at(10), still_open=still_open)["id"]) == expected


def test_jobs_open_between_judges_every_moments_queue_as_jobs_open_at_does(
    store: Store,
) -> None:
    # One read for a replay's runs: each queue from it is the queue from that moment's own.
    candidates = store.jobs_open_between(at(9), at(12))
    # A superset (jobs finished during the stretch too), in creation order.
    assert list(candidates["id"]) == ["failed", "a", "b", "done-later", "late"]
    for minutes in range(0, 181, 15):
        moment = at(9) + timedelta(minutes=minutes)
        assert queue_state(candidates, moment, 60) == queue_state(
            store.jobs_open_at(moment), moment, 60
        ), moment


def test_table_never_pulled_is_empty_with_the_schema_columns(store: Store) -> None:
    for name in ("rollout_configuration", "rollout_history", "repository_categories"):
        frame = store.table(name)
        assert (frame.height, frame.columns) == (0, list(TABLES[name].column_names))


def test_table_unknown_name(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown table 'jobs; DROP TABLE jobs'"):
        store.table("jobs; DROP TABLE jobs")


def test_data_as_of_and_span(store: Store) -> None:
    assert store.data_as_of() == at(12)
    assert store.jobs_span() == (at(8), at(11))


def test_empty_store_has_no_data_as_of_or_span(store_path: Path, tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.duckdb") as empty:
        assert (empty.data_as_of(), empty.jobs_span(), empty.rejects().height) == (None, None, 0)


def test_finished_in_order_is_each_finished_job_in_creation_order(store: Store) -> None:
    # "failed" (08:00), "b" (09:00), "done-later" (09:30); "a" is still processing, "late"
    # pending.
    frame = store.finished_in_order(at(0), at(23))
    assert frame.rows() == [("inngest", True), ("inngest", False), ("inngest", False)]
    assert store.finished_in_order(at(9), at(10)).rows() == [("inngest", False)] * 2


def test_processing_times_of_completed_jobs_in_ms(store: Store) -> None:
    # "b" ran 09:00:10-09:01:10, "done-later" 09:00:10-10:30:00; "failed" did not complete.
    assert sorted(store.processing_times(at(0), at(23)).to_list()) == [60_000.0, 5_390_000.0]
    assert store.processing_times(at(20), at(21)).len() == 0
