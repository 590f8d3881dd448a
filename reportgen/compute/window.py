"""Every metric of one window's jobs, for a report period or a health-check window."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import polars as pl

from reportgen.compute.cost import billable_minutes, cost_from
from reportgen.compute.errors import error_metrics
from reportgen.compute.frame import prepare
from reportgen.compute.health import health_score
from reportgen.compute.job_types import job_type_metrics
from reportgen.compute.latency import throughput_per_hour
from reportgen.compute.outcomes import outcome_sequences
from reportgen.compute.processors import distribution
from reportgen.compute.results import Latency, WindowMetrics
from reportgen.config import Settings


def window_metrics(
    jobs: pl.DataFrame,
    start: datetime,
    end: datetime,
    settings: Settings,
    *,
    emergency_stop: bool = False,
) -> WindowMetrics:
    """The metrics of the `jobs` created in `[start, end)`; `end` is the elapsed end."""
    return metrics_of_prepared(
        prepare(jobs, start, end), start, end, settings, emergency_stop=emergency_stop
    )


def metrics_of_prepared(
    prepared: pl.DataFrame,
    start: datetime,
    end: datetime,
    settings: Settings,
    *,
    emergency_stop: bool = False,
    detailed: bool = True,
) -> WindowMetrics:
    """The metrics of a frame made by `prepare` (see `WindowMetrics` for `detailed`)."""
    min_jobs = settings.report.min_jobs
    elapsed = max(end - start, timedelta(0))
    spread = distribution(prepared, min_jobs, elapsed, detailed=detailed)
    return WindowMetrics(
        start=start,
        end=end,
        jobs=spread.counts,
        processing_time_ms=spread.processing_time_ms,
        queue_wait_ms=spread.queue_wait_ms,
        throughput_per_hour=throughput_per_hour(spread.counts.completed, elapsed),
        processors=spread.processors,
        job_types=job_type_metrics(prepared, min_jobs),
        errors=error_metrics(prepared),
        cost=cost_from(
            {name: processor.counts for name, processor in spread.processors.items()},
            *billable_minutes(prepared, settings.prices.rounding),
            settings.prices,
        ),
        health=health_score(
            spread.counts, spread.processing_time_ms, emergency_stop, settings.thresholds
        ),
        detailed=detailed,
        outcomes=outcome_sequences(prepared),
        processing_times=spread.processing_times,
    )


def as_comparison(metrics: WindowMetrics, start: datetime, end: datetime) -> WindowMetrics:
    """Detailed metrics of a window reduced to what `detailed=False` computes for it, dated
    `start`/`end` (the same instants, perhaps another time zone's spelling).

    In a series of consecutive periods the previous period's window is the prior report's own:
    reducing it gives the very values computing it again would, for none of the cost.
    """
    if metrics.start != start or metrics.end != end:
        raise ValueError(
            f"window {metrics.start}..{metrics.end} is not the comparison window {start}..{end}"
        )
    return replace(
        metrics,
        start=start,
        end=end,
        queue_wait_ms=Latency(),
        processors={
            name: replace(processor, processing_time_ms=Latency(), queue_wait_ms=Latency())
            for name, processor in metrics.processors.items()
        },
        detailed=False,
    )
