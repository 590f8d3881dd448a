"""Every metric of one window's jobs (SPEC §3.1), for a report period or a health-check window."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from reportgen.compute.cost import cost_of
from reportgen.compute.errors import error_metrics
from reportgen.compute.frame import prepare
from reportgen.compute.health import health_score
from reportgen.compute.job_types import job_type_metrics
from reportgen.compute.processors import processor_metrics, summarise, summary_exprs
from reportgen.compute.results import WindowMetrics
from reportgen.config import Settings


def window_metrics(
    jobs: pl.DataFrame,
    start: datetime,
    end: datetime,
    settings: Settings,
    *,
    emergency_stop: bool = False,
) -> WindowMetrics:
    """The metrics of `jobs` (already those created in `[start, end)`; `end` = elapsed end)."""
    return metrics_of_prepared(prepare(jobs), start, end, settings, emergency_stop=emergency_stop)


def metrics_of_prepared(
    prepared: pl.DataFrame,
    start: datetime,
    end: datetime,
    settings: Settings,
    *,
    emergency_stop: bool = False,
) -> WindowMetrics:
    min_jobs = settings.report.min_jobs
    elapsed = max(end - start, timedelta(0))
    row = prepared.select(*summary_exprs()).row(0, named=True)
    counts, processing, wait, throughput = summarise(row, min_jobs, elapsed)
    return WindowMetrics(
        start=start,
        end=end,
        jobs=counts,
        processing_time_ms=processing,
        queue_wait_ms=wait,
        throughput_per_hour=throughput,
        processors=processor_metrics(prepared, min_jobs, elapsed),
        job_types=job_type_metrics(prepared, min_jobs),
        errors=error_metrics(prepared),
        cost=cost_of(prepared, settings.prices),
        health=health_score(counts, processing, emergency_stop, settings.thresholds),
    )
