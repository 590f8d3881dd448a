"""Assemble one report: metrics of the period and the one before, rules, advice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from reportgen.compute.frame import prepare
from reportgen.compute.queue import queue_state, queue_time
from reportgen.compute.repositories import repository_metrics, repository_metrics_of_counts
from reportgen.compute.results import PeriodInfo, Report, Trend, WindowMetrics
from reportgen.compute.rollout import rollout_state
from reportgen.compute.rollups import WindowRollup, metrics_of_rollup
from reportgen.compute.series import hourly, hourly_series
from reportgen.compute.trends import trend
from reportgen.compute.window import as_comparison, metrics_of_prepared
from reportgen.config import Settings
from reportgen.evaluate.rules import RuleInputs, evaluate, findings
from reportgen.findings import most_severe_first, status_of
from reportgen.periods import Period
from reportgen.report.recommendations import recommendations

__all__ = ["Report", "ReportInputs", "compute_report"]


@dataclass(frozen=True)
class ReportInputs:
    """The frames a report reads; columns as in `reportgen.schema` (timestamps in UTC).

    `jobs` are those created in the period, `previous_jobs` those created in the previous
    period (only its first `period.elapsed` is compared while the period is partial),
    `open_jobs` those created before the queue's evaluation time (`queue_time`) and not
    finished by it. The job
    frames need only the columns of `frame.JOBS_READ`.

    `previous_window`, when given, is the detailed metrics of the comparison window already
    computed with the same settings (the prior report of a series of consecutive periods);
    it is used instead of `previous_jobs` when its span is exactly the comparison window.

    `rollup` / `previous_rollup`, when given, are the window's (the comparison window's)
    hourly rollups, read instead of `jobs` (`previous_jobs`, then empty) for a long period.
    """

    period: Period
    jobs: pl.DataFrame
    previous_jobs: pl.DataFrame
    open_jobs: pl.DataFrame
    categories: pl.DataFrame
    rollout_configuration: pl.DataFrame
    rollout_history: pl.DataFrame
    data_as_of: datetime | None = None
    previous_window: WindowMetrics | None = None
    rollup: WindowRollup | None = None
    previous_rollup: WindowRollup | None = None
    data_start: datetime | None = None  # the oldest job pulled: how far back comparisons reach


def compute_report(inputs: ReportInputs, settings: Settings) -> Report:
    """The report of `inputs.period` judged at `inputs.period.as_of`."""
    period, feature = inputs.period, settings.report.feature
    start, end = period.start, period.elapsed_end
    rollout = rollout_state(
        inputs.rollout_configuration, inputs.rollout_history, feature, start, end
    )
    if inputs.rollup is None:
        prepared = prepare(inputs.jobs, start, end)
        window = metrics_of_prepared(
            prepared, start, end, settings, emergency_stop=rollout.emergency_stop
        )
        repositories = repository_metrics(prepared, inputs.categories)
    else:
        window = metrics_of_rollup(
            inputs.rollup, start, end, settings, emergency_stop=rollout.emergency_stop
        )
        repositories = repository_metrics_of_counts(inputs.rollup.repositories, inputs.categories)
    previous = _previous(inputs, settings, emergency_stop=rollout.emergency_stop)
    queue_at = queue_time(end, inputs.data_as_of)
    queue = queue_state(inputs.open_jobs, queue_at, settings.thresholds.stuck_minutes)
    rule_inputs = RuleInputs(
        feature=feature,
        min_jobs=settings.report.min_jobs,
        window=window,
        current=window,
        previous=previous,
        queue=queue,
        rollout=rollout,
        data_start=inputs.data_start,
    )
    found = most_severe_first(findings(evaluate(rule_inputs, settings.thresholds)))
    status = status_of(found)
    return Report(
        kind=period.kind.value,
        as_of=period.as_of,
        data_as_of=inputs.data_as_of,
        feature=feature,
        period=PeriodInfo(
            start=period.start,
            end=period.end,
            timezone=period.timezone,
            partial=period.partial,
            elapsed_end=period.elapsed_end,
            slug=period.slug,
        ),
        status=status,
        window=window,
        previous=previous,
        repositories=repositories,
        queue=queue,
        rollout=rollout,
        trends=trends(previous, window, settings),
        findings=found,
        recommendations=recommendations(
            status,
            found,
            window.cost,
            repositories,
            window.jobs.finished,
            settings.report.min_jobs,
            previous_covered=rule_inputs.previous_covered,
            data_start=inputs.data_start,
        ),
        series=(
            hourly_series(prepared, start, end, settings.prices).to_dict()
            if inputs.rollup is None and hourly(period.start, period.end)
            else None
        ),
    )


def _previous(inputs: ReportInputs, settings: Settings, *, emergency_stop: bool) -> WindowMetrics:
    """The comparison window's metrics: reused when the caller already has them."""
    start, end = inputs.period.comparison_window()
    known = inputs.previous_window
    if known is not None and known.detailed and (known.start, known.end) == (start, end):
        return as_comparison(known, start, end)
    if inputs.previous_rollup is not None:
        return metrics_of_rollup(
            inputs.previous_rollup,
            start,
            end,
            settings,
            emergency_stop=emergency_stop,
            detailed=False,
        )
    prepared = prepare(inputs.previous_jobs, start, end)
    return metrics_of_prepared(
        prepared, start, end, settings, emergency_stop=emergency_stop, detailed=False
    )


def trends(previous: WindowMetrics, current: WindowMetrics, settings: Settings) -> dict[str, Trend]:
    """Volume, error rate, p95, cost and each processor's volume against the previous period."""
    band, min_jobs = settings.thresholds.trend_dead_band_pct, settings.report.min_jobs
    before, now = previous.processing_time_ms, current.processing_time_ms
    result = {
        "jobs": trend(previous.jobs.total, current.jobs.total, band),
        "error_rate": trend(
            previous.jobs.error_rate,
            current.jobs.error_rate,
            band,
            conclusive=previous.jobs.conclusive and current.jobs.conclusive,
        ),
        "processing_time_p95_ms": trend(
            before.p95, now.p95, band, conclusive=before.count > min_jobs and now.count > min_jobs
        ),
        "cost": trend(previous.cost.actual, current.cost.actual, band),
    }
    for name in sorted(set(previous.processors) | set(current.processors)):
        was, now_p = previous.processors.get(name), current.processors.get(name)
        result[f"processor_jobs.{name}"] = trend(
            was.jobs if was else 0, now_p.jobs if now_p else 0, band
        )
    return result
