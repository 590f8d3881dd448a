"""The queue at the evaluation time: pending, oldest pending age, stuck jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from reportgen.compute.frame import instant
from reportgen.compute.results import Queue


def queue_time(period_end: datetime, data_as_of: datetime | None) -> datetime:
    """When a period's queue is judged: at its (elapsed) end, but never after the newest data.

    Past the last snapshot nothing is known; judging there would make the jobs still pending
    in it look older by the hour and raise queue alerts that are only the data's age.
    """
    return period_end if data_as_of is None else min(period_end, data_as_of)


def queue_state(open_jobs: pl.DataFrame, at: datetime, stuck_minutes: float) -> Queue:
    """The queue as it stood at `at`, from the jobs open then.

    A job counts as processing at `at` once its `started_at` is not after `at`; a job with no
    `started_at` is pending unless its status says it got further (then its start is unknown,
    so it is processing but can never be judged stuck).
    """
    moment = at.astimezone(UTC)
    when = instant(moment)
    started = pl.col("started_at").is_not_null() & (pl.col("started_at") <= when)
    unknown_start = pl.col("started_at").is_null() & (pl.col("status") != "pending")
    stuck_before = instant(moment - timedelta(minutes=stuck_minutes))
    state = (
        open_jobs.lazy()
        .filter(
            (pl.col("created_at") < when)
            & (pl.col("completed_at").is_null() | (pl.col("completed_at") > when))
        )
        .with_columns((started | unknown_start).alias("is_processing"))
        .with_columns(
            (pl.col("is_processing") & (pl.col("started_at") < stuck_before))
            .fill_null(False)
            .alias("is_stuck")
        )
    )
    # One collect for both answers: a day's queue is a handful of rows, the query is the cost.
    totals, stuck = pl.collect_all(
        [
            state.select(
                pl.len().alias("open"),
                pl.col("is_processing").sum().alias("processing"),
                pl.col("created_at").filter(~pl.col("is_processing")).min().alias("oldest_pending"),
            ),
            state.filter(pl.col("is_stuck"))
            .group_by("processor_type")
            .len()
            .sort("processor_type"),
        ]
    )
    summary = totals.row(0, named=True)
    oldest: datetime | None = summary["oldest_pending"]
    processing = int(summary["processing"] or 0)
    return Queue(
        evaluated_at=at,
        pending=int(summary["open"]) - processing,
        processing=processing,
        oldest_pending_age_s=None if oldest is None else (moment - oldest).total_seconds(),
        stuck=int(stuck["len"].sum()),
        stuck_by_processor={str(p): int(n) for p, n in stuck.iter_rows()},
        stuck_minutes=stuck_minutes,
    )
