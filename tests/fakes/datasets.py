"""Small, deterministic job datasets for health scenarios, built column-wise (fast at 10⁴ rows).

`steady(start, end, per_hour, ...)` spaces jobs evenly; `failure_pct` fails exactly that share
of them, spread evenly (1 % = every 100th job), with the given error text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from fakes.rollout_frames import configuration_frame
from reportgen.compute.frame import JOBS_SCHEMA, TIMESTAMP

T0 = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday; scenarios count hours from here


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def steady(
    start: datetime,
    end: datetime,
    per_hour: float,
    *,
    processor: str = "inngest",
    failure_pct: float = 0.0,
    error: str = "validation failed: invalid payload",
    prefix: str | None = None,
    run_seconds: int = 30,
) -> pl.DataFrame:
    """Jobs created every 3600/per_hour seconds in [start, end), all finished."""
    step = 3600.0 / per_hour
    count = int((end - start).total_seconds() // step)
    index = pl.int_range(0, count, eager=True)
    fails = ((index + 1) * failure_pct // 100) > (index * failure_pct // 100)
    created = pl.Series(
        [start + timedelta(seconds=step * i) for i in range(count)], dtype=TIMESTAMP
    )
    name = prefix or f"{processor}-{start:%Y%m%dT%H%M}"
    frame = pl.DataFrame(
        {"id": [f"{name}-{i}" for i in range(count)], "created_at": created, "fails": fails}
    )
    return frame.select(
        "id",
        pl.lit("recent-prs").alias("job_type"),
        (pl.lit("r") + (pl.int_range(0, count) % 7).cast(pl.String)).alias("repository_id"),
        (pl.lit("acme/repo-") + (pl.int_range(0, count) % 7).cast(pl.String)).alias(
            "repository_name"
        ),
        pl.lit(processor).alias("processor_type"),
        pl.when("fails").then(pl.lit("failed")).otherwise(pl.lit("completed")).alias("status"),
        "created_at",
        (pl.col("created_at") + timedelta(seconds=5)).alias("started_at"),
        (pl.col("created_at") + timedelta(seconds=5 + run_seconds)).alias("completed_at"),
        pl.when("fails").then(pl.lit(error)).otherwise(None).alias("error"),
        pl.lit(None, dtype=pl.Int64).alias("time_range_days"),
        pl.lit(None, dtype=pl.Int64).alias("workflow_run_id"),
        pl.lit(None, dtype=pl.String).alias("metadata"),
        (pl.col("created_at") + timedelta(seconds=5 + run_seconds)).alias("updated_at"),
    ).cast(JOBS_SCHEMA)  # type: ignore[arg-type]


def open_jobs(
    start: datetime, count: int, *, status: str, processor: str = "github_actions"
) -> pl.DataFrame:
    """`count` jobs created at `start`, still `pending` or `processing` (started at once)."""
    rows: list[dict[str, Any]] = [
        {
            "id": f"{status}-{start:%Y%m%dT%H%M}-{i}",
            "job_type": "historical-pr-sync",
            "repository_id": "r1",
            "repository_name": "acme/repo-1",
            "processor_type": processor,
            "status": status,
            "created_at": start,
            "started_at": start if status == "processing" else None,
            "completed_at": None,
            "error": None,
            "time_range_days": None,
            "workflow_run_id": None,
            "metadata": None,
            "updated_at": start,
        }
        for i in range(count)
    ]
    return pl.DataFrame(rows, schema=JOBS_SCHEMA)


def configuration(percentage: float = 25.0, *, auto_rollback: bool = True) -> pl.DataFrame:
    return configuration_frame(percentage, updated_at=T0, auto_rollback=auto_rollback)


def healthy_traffic(start: datetime, end: datetime) -> pl.DataFrame:
    """Both processors busy with 1 % benign failures: 200/h on inngest, 100/h on Actions."""
    return pl.concat(
        [
            steady(start, end, 200, processor="inngest", failure_pct=1),
            steady(start, end, 100, processor="github_actions", failure_pct=1),
        ]
    )


def pull_into(
    store_path: Path,
    snapshot_dir: Path,
    jobs: pl.DataFrame,
    *,
    percentage: float = 25.0,
    history: pl.DataFrame | None = None,
) -> Path:
    """Write the dataset as NDJSON snapshots and pull them into a real store at `store_path`."""
    from reportgen.store import open_store

    snapshot_dir.mkdir(parents=True, exist_ok=True)
    # Stamped after every scenario's as_of: each check models a store pulled just before it,
    # so none of them sees stale data.
    jobs.write_ndjson(snapshot_dir / "jobs-2026-12-03T00.ndjson")
    configuration(percentage).write_ndjson(snapshot_dir / "rollout_configuration.ndjson")
    if history is not None:
        history.write_ndjson(snapshot_dir / "rollout_history.ndjson")
    with open_store(store_path) as store:
        store.pull(str(snapshot_dir))
    return store_path
