"""A window's metrics from hourly rollups instead of its rows (reports over long periods).

Counts, rates, costs and maxima are those of the rows exactly: they are sums (and maxima) of
integers. Means divide an exact sum of microseconds, so they agree with the rows' float mean
to rounding (~1e-15 relative). Percentiles come from the merged latency sketches and are
within `sketch.RELATIVE_ACCURACY` (1 %) of the rows' linear-interpolated percentile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from reportgen.compute.cost import GITHUB_ACTIONS, cost_from
from reportgen.compute.errors import recent_errors
from reportgen.compute.health import health_score
from reportgen.compute.latency import throughput_per_hour
from reportgen.compute.rates import job_counts, percentage
from reportgen.compute.results import (
    ERROR_CATEGORIES,
    Errors,
    JobCounts,
    JobTypeMetrics,
    Latency,
    ProcessorMetrics,
    WindowMetrics,
)
from reportgen.compute.sketch import Sketch
from reportgen.config import Settings
from reportgen.schema import JOB_STATUSES

# Polars divides a column by a scalar as a multiplication by its inverse, so a job's time in
# ms is `us * (1 / 1000)`, not `us / 1000` (they differ in the last bit for some values):
# the extremes are converted the same way to be the rows' to the bit.
MS_PER_MICRO = 1.0 / 1000.0
MICROS_PER_MINUTE = 60_000_000.0


@dataclass(frozen=True)
class WindowRollup:
    """What a window's metrics read when they come from rollups (see `store.rollups`).

    `cells`: per processor x job type x status, the summed columns of `job_rollups`;
    `sketches`: processor_type, measure ('processing' or 'wait'), bucket, jobs;
    `newest_failures`: the newest failed jobs (at most `errors.RECENT_ERRORS`), newest first;
    `repositories`: repository_id, processor_type, jobs, failed, repository_name;
    `outcomes`: failed-or-not of each finished job in creation order, overall and per
    processor (`compute.outcomes.sequences`), and `processing_times`: each completed job's
    (ms): what the rules' tests read job by job, which counts cannot keep.
    """

    cells: pl.DataFrame
    sketches: pl.DataFrame
    newest_failures: pl.DataFrame
    repositories: pl.DataFrame
    outcomes: Mapping[str, pl.Series]
    processing_times: pl.Series


def metrics_of_rollup(
    rollup: WindowRollup,
    start: datetime,
    end: datetime,
    settings: Settings,
    *,
    emergency_stop: bool = False,
    detailed: bool = True,
) -> WindowMetrics:
    """`window.metrics_of_prepared` for a window summed from rollups (same fields, the
    job-by-job sequences included)."""
    min_jobs = settings.report.min_jobs
    elapsed = max(end - start, timedelta(0))
    cells = rollup.cells
    by_processor = _status_counts(cells, "processor_type")
    total = sum(sum(row.values()) for row in by_processor.values())
    counts = job_counts(
        {s: sum(row.get(s, 0) for row in by_processor.values()) for s in JOB_STATUSES}, min_jobs
    )
    processing = _latency(cells, rollup.sketches, "processing", None)
    processors = {
        name: _processor(
            job_counts(row, min_jobs),
            min_jobs,
            elapsed,
            total,
            _latency(cells, rollup.sketches, "processing", name) if detailed else Latency(),
            _latency(cells, rollup.sketches, "wait", name) if detailed else Latency(),
        )
        for name, row in by_processor.items()
    }
    actions = cells.filter(pl.col("processor_type") == GITHUB_ACTIONS)
    if settings.prices.rounding == "up":
        minutes = float(actions.get_column("billed_minutes_up").sum())
    else:
        minutes = float(actions.get_column("billed_us").sum()) / MICROS_PER_MINUTE
    return WindowMetrics(
        start=start,
        end=end,
        jobs=counts,
        processing_time_ms=processing,
        queue_wait_ms=_latency(cells, rollup.sketches, "wait", None) if detailed else Latency(),
        throughput_per_hour=throughput_per_hour(counts.completed, elapsed),
        processors=processors,
        job_types=_job_types(cells, min_jobs),
        errors=_errors(cells, rollup.newest_failures),
        cost=cost_from(
            {name: processor.counts for name, processor in processors.items()},
            minutes,
            int(actions.get_column("untimed_finished").sum()),
            settings.prices,
        ),
        health=health_score(counts, processing, emergency_stop, settings.thresholds),
        detailed=detailed,
        outcomes=rollup.outcomes,
        processing_times=rollup.processing_times,
    )


def _status_counts(cells: pl.DataFrame, key: str) -> dict[str, dict[str, int]]:
    """Jobs per status of each value of `key`, keys in sorted order."""
    grouped = cells.group_by(key, "status").agg(pl.col("jobs").sum()).sort(key, "status")
    result: dict[str, dict[str, int]] = {}
    for name, status, jobs in grouped.iter_rows():
        result.setdefault(str(name), {})[str(status)] = int(jobs)
    return dict(sorted(result.items()))


def _latency(
    cells: pl.DataFrame, sketches: pl.DataFrame, measure: str, processor: str | None
) -> Latency:
    """The latency of `measure` overall (`processor` None) or of one processor: count, sum
    and extremes from the cells, percentiles from the merged sketch."""
    if processor is not None:
        cells = cells.filter(pl.col("processor_type") == processor)
        sketches = sketches.filter(pl.col("processor_type") == processor)
    sums = cells.select(
        pl.col(f"{measure}_count").sum().alias("count"),
        pl.col(f"{measure}_sum_us").sum().alias("sum"),
        pl.col(f"{measure}_min_us").min().alias("min"),
        pl.col(f"{measure}_max_us").max().alias("max"),
    ).row(0)
    count = int(sums[0] or 0)
    if count == 0:
        return Latency()
    low, high = float(sums[2]) * MS_PER_MICRO, float(sums[3]) * MS_PER_MICRO
    sketch = Sketch.from_frame(sketches.filter(pl.col("measure") == measure), low, high)
    return Latency(
        count=count,
        mean=float(sums[1]) * MS_PER_MICRO / count,
        p50=sketch.quantile(0.5),
        p95=sketch.quantile(0.95),
        max=high,
    )


def _processor(
    counts: JobCounts,
    min_jobs: int,
    elapsed: timedelta,
    total: int,
    processing: Latency,
    wait: Latency,
) -> ProcessorMetrics:
    return ProcessorMetrics(
        jobs=counts.total,
        share=percentage(counts.total, total),
        counts=counts,
        processing_time_ms=processing,
        queue_wait_ms=wait,
        throughput_per_hour=throughput_per_hour(counts.completed, elapsed),
    )


def _job_types(cells: pl.DataFrame, min_jobs: int) -> dict[str, JobTypeMetrics]:
    result: dict[str, JobTypeMetrics] = {}
    for name, row in _status_counts(cells, "job_type").items():
        counts = job_counts(row, min_jobs)
        result[name] = JobTypeMetrics(
            jobs=counts.total,
            finished=counts.finished,
            failed=counts.failed,
            error_rate=counts.error_rate,
            error_rate_ci=counts.error_rate_ci,
            conclusive=counts.conclusive,
        )
    return result


def _errors(cells: pl.DataFrame, newest: pl.DataFrame) -> Errors:
    columns = [f"errors_{category}" for category in ERROR_CATEGORIES]
    per_processor = (
        cells.group_by("processor_type").agg(pl.col(columns).sum()).sort("processor_type")
    )
    by_category = dict.fromkeys(ERROR_CATEGORIES, 0)
    by_processor: dict[str, Mapping[str, int]] = {}
    for row in per_processor.iter_rows(named=True):
        found = {category: int(row[f"errors_{category}"]) for category in ERROR_CATEGORIES}
        if any(found.values()):
            by_processor[str(row["processor_type"])] = found
        for category, count in found.items():
            by_category[category] += count
    return Errors(
        total=sum(by_category.values()),
        by_category=by_category,
        by_processor=by_processor,
        recent=recent_errors(newest),
    )
