"""A job's row as snapshots at different moments see it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reportgen.sample.jobs import JobLife
from reportgen.sample.repositories import Repository
from reportgen.sample.timestamps import to_ms
from reportgen.schema import JOBS

REPO = Repository(
    id="0b5c1a52-0000-4000-8000-000000000001",
    name="acme/widgets",
    category="small",
    categorised=True,
    star_count=120,
    contributor_count=4,
    pr_count=80,
    activity=1.0,
    work=0.6,
    bucket=3,
)
T0 = to_ms(datetime(2026, 11, 25, 9, tzinfo=UTC))


def life(**changes: Any) -> JobLife:
    values: dict[str, Any] = {
        "id": "job-1",
        "job_type": "historical-pr-sync",
        "repository": REPO,
        "processor": "github_actions",
        "created": T0,
        "started": T0 + 40_000,
        "finished": T0 + 340_000,
        "error": None,
        "time_range_days": 30,
        "workflow_run_id": 11_400_000_123,
        "trigger_source": "schedule",
        "max_items": 1000,
        "items_processed": 412,
    }
    return JobLife(**(values | changes))


@pytest.mark.parametrize(
    ("offset_ms", "status", "started_at", "completed_at", "updated_at"),
    [
        (0, "pending", None, None, "2026-11-25T09:00:00.000Z"),
        (39_999, "pending", None, None, "2026-11-25T09:00:00.000Z"),
        (40_000, "processing", "2026-11-25T09:00:40.000Z", None, "2026-11-25T09:00:40.000Z"),
        (
            340_000,
            "completed",
            "2026-11-25T09:00:40.000Z",
            "2026-11-25T09:05:40.000Z",
            "2026-11-25T09:05:40.000Z",
        ),
    ],
)
def test_row_at_follows_the_status_progression(
    offset_ms: int,
    status: str,
    started_at: str | None,
    completed_at: str | None,
    updated_at: str,
) -> None:
    row = life().row_at(T0 + offset_ms)
    assert (row["status"], row["started_at"], row["completed_at"], row["updated_at"]) == (
        status,
        started_at,
        completed_at,
        updated_at,
    )


def test_row_at_has_exactly_the_schema_columns() -> None:
    assert tuple(life().row_at(T0)) == JOBS.column_names


def test_row_at_reports_items_only_once_finished_in_the_processors_spelling() -> None:
    actions = life()
    inngest = life(processor="inngest", workflow_run_id=None)
    assert actions.row_at(T0)["metadata"] == {"trigger_source": "schedule", "max_items": 1000}
    assert actions.row_at(T0 + 340_000)["metadata"]["items_processed"] == 412
    assert inngest.row_at(T0 + 340_000)["metadata"]["itemsProcessed"] == 412


def test_row_at_shows_the_error_only_when_failed() -> None:
    failed = life(error="read ECONNRESET", attempt=2)
    assert failed.row_at(T0 + 40_000)["error"] is None
    final = failed.row_at(T0 + 340_000)
    assert (final["status"], final["error"], final["metadata"]["attempt"]) == (
        "failed",
        "read ECONNRESET",
        2,
    )


def test_a_stuck_job_stays_processing() -> None:
    stuck = life(finished=None)
    assert stuck.transitions() == (T0, T0 + 40_000)
    assert stuck.row_at(T0 + 30 * 86_400_000)["status"] == "processing"
