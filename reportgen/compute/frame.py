"""The jobs frame compute works on: the snapshot columns plus the durations every metric reads."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from reportgen.schema import JOB_STATUSES, JOBS

STATUS = pl.Enum(list(JOB_STATUSES))
TIMESTAMP = pl.Datetime("us", "UTC")

JOBS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "job_type": pl.String(),
    "repository_id": pl.String(),
    "repository_name": pl.String(),
    "processor_type": pl.String(),
    "status": pl.String(),
    "created_at": TIMESTAMP,
    "started_at": TIMESTAMP,
    "completed_at": TIMESTAMP,
    "error": pl.String(),
    "time_range_days": pl.Int64(),
    "workflow_run_id": pl.Int64(),
    "metadata": pl.String(),
    "updated_at": TIMESTAMP,
}
assert tuple(JOBS_SCHEMA) == JOBS.column_names, "compute's jobs schema drifted from schema.JOBS"

# The jobs columns a report reads (`prepare` and the queue); loaders can skip the others.
JOBS_READ = (
    "id",
    "job_type",
    "repository_id",
    "repository_name",
    "processor_type",
    "status",
    "created_at",
    "started_at",
    "completed_at",
    "error",
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(moment: datetime) -> pl.Expr:
    """`moment` as a UTC microsecond timestamp literal.

    Built from its integer: `pl.lit` of an aware datetime goes through a one-row Series and
    costs a quarter of a millisecond, more than filtering a day's jobs by it.
    """
    elapsed = moment.astimezone(UTC) - _EPOCH
    micros = (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds
    return pl.lit(micros, dtype=pl.Int64()).cast(TIMESTAMP)


def empty_jobs() -> pl.DataFrame:
    """A jobs frame with no rows and the snapshot's columns."""
    return pl.DataFrame(schema=JOBS_SCHEMA)


def _milliseconds(end: str, start: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds().cast(pl.Float64) / 1000.0


def prepare(
    jobs: pl.DataFrame, start: datetime | None = None, end: datetime | None = None
) -> pl.DataFrame:
    """The jobs created in `[start, end)` (all when not given), with only the columns metrics
    read, status as an Enum and the two durations in ms.

    A negative duration (clocks of different hosts, bad data) is not a latency: it is null.
    Filtering and selecting in one lazy query copies only the columns kept.
    """
    processing = _milliseconds("completed_at", "started_at")
    wait = _milliseconds("started_at", "created_at")
    lazy = jobs.lazy()
    if start is not None:
        lazy = lazy.filter(pl.col("created_at") >= instant(start))
    if end is not None:
        lazy = lazy.filter(pl.col("created_at") < instant(end))
    return lazy.select(
        "id",
        "job_type",
        "repository_id",
        "repository_name",
        "processor_type",
        pl.col("status").cast(STATUS),
        "created_at",
        "started_at",
        "completed_at",
        "error",
        pl.when((pl.col("status") == "completed") & (processing >= 0))
        .then(processing)
        .alias("processing_ms"),
        pl.when(wait >= 0).then(wait).alias("wait_ms"),
    ).collect()
