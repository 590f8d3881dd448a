"""Hourly series of one short period's jobs: what happened when, inside a day.

A daily report (or a custom range of a few days) carries one row per hour, so its charts put
time on the x-axis; longer periods are drawn from their daily reports instead and carry no
hourly series. Hours count from the period's start, so a period starting at local midnight
in a zone with a half-hour offset still gets whole local hours. Only elapsed hours are listed:
a partial day's series stops at its elapsed end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from reportgen.compute.frame import instant
from reportgen.compute.rates import percentage, wilson_interval
from reportgen.config import PriceSettings

HOUR = timedelta(hours=1)
# Periods up to this long are drawn per hour (a day, a short custom range); 96 rows at most.
HOURLY_UP_TO = timedelta(days=4)
_HOUR_US = 3_600_000_000
INNGEST = "inngest"
GITHUB_ACTIONS = "github_actions"


@dataclass(frozen=True)
class HourlyMeasures:
    """One value per hour for each measure; null where an hour has nothing to measure."""

    jobs: tuple[int, ...]
    finished: tuple[int, ...]
    failed: tuple[int, ...]
    error_rate: tuple[float | None, ...]
    p50_ms: tuple[float | None, ...]
    p95_ms: tuple[float | None, ...]
    cost: tuple[float, ...]

    def to_dict(self) -> dict[str, list[Any]]:
        return {name: list(values) for name, values in vars(self).items()}


@dataclass(frozen=True)
class HourlySeries:
    """The hourly series of a period: overall, per processor, and the queue at each hour's end.

    `error_rate_low`/`error_rate_high` are the overall rate's 95 % Wilson interval; `pending`
    counts the period's jobs created by the hour's end and not started by then.
    """

    start: datetime
    at: tuple[datetime, ...]
    overall: HourlyMeasures
    error_rate_low: tuple[float | None, ...]
    error_rate_high: tuple[float | None, ...]
    pending: tuple[int, ...]
    processors: dict[str, HourlyMeasures]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": "hour",
            "at": [moment.isoformat() for moment in self.at],
            "overall": {
                **{
                    name: values
                    for name, values in self.overall.to_dict().items()
                    if name not in ("p50_ms", "p95_ms")
                },
                "error_rate_low": list(self.error_rate_low),
                "error_rate_high": list(self.error_rate_high),
                "pending": list(self.pending),
            },
            "processors": {name: m.to_dict() for name, m in sorted(self.processors.items())},
        }


def hourly(start: datetime, end: datetime) -> bool:
    """Whether a period `[start, end)` is drawn per hour."""
    return end - start <= HOURLY_UP_TO


def _billed_minutes(rounding: str) -> pl.Expr:
    minutes = (pl.col("completed_at") - pl.col("started_at")).dt.total_microseconds().cast(
        pl.Float64
    ) / 60_000_000.0
    billed = minutes.ceil() if rounding == "up" else minutes
    finished = pl.col("status").is_in(["completed", "failed"])
    actions = pl.col("processor_type") == GITHUB_ACTIONS
    return billed.filter(finished & actions).clip(lower_bound=0).sum()


_FINISHED = pl.col("status").is_in(["completed", "failed"])


def _aggregates(prices: PriceSettings) -> list[pl.Expr]:
    return [
        pl.len().alias("jobs"),
        _FINISHED.sum().alias("finished"),
        (pl.col("status") == "failed").sum().alias("failed"),
        pl.col("processing_ms").quantile(0.5, "linear").alias("p50_ms"),
        pl.col("processing_ms").quantile(0.95, "linear").alias("p95_ms"),
        (
            (pl.col("processor_type") == INNGEST).sum() * prices.inngest_per_job
            + _billed_minutes(prices.rounding).fill_null(0.0) * prices.github_actions_per_minute
        ).alias("cost"),
    ]


def _round(value: float | None, digits: int) -> float | None:
    # Rounded for a small report.json: a chart cannot show more digits than these anyway.
    return None if value is None else round(float(value), digits)


def _measures(rows: dict[int, dict[str, Any]], hours: int) -> HourlyMeasures:
    def column(name: str, default: Any) -> list[Any]:
        return [rows[h].get(name, default) if h in rows else default for h in range(hours)]

    jobs, finished, failed = column("jobs", 0), column("finished", 0), column("failed", 0)
    return HourlyMeasures(
        jobs=tuple(int(n) for n in jobs),
        finished=tuple(int(n) for n in finished),
        failed=tuple(int(n) for n in failed),
        error_rate=tuple(
            _round(percentage(f, n), 3) for f, n in zip(failed, finished, strict=True)
        ),
        p50_ms=tuple(_round(v, 1) for v in column("p50_ms", None)),
        p95_ms=tuple(_round(v, 1) for v in column("p95_ms", None)),
        cost=tuple(round(float(c), 6) for c in column("cost", 0.0)),
    )


def _overall(by_processor: dict[str, dict[int, dict[str, Any]]], hours: int) -> HourlyMeasures:
    """The processors' hours added up; percentiles do not add, and no chart shows overall ones."""
    sums: dict[int, dict[str, Any]] = {}
    for rows in by_processor.values():
        for hour, row in rows.items():
            total = sums.setdefault(hour, {"jobs": 0, "finished": 0, "failed": 0, "cost": 0.0})
            for name in ("jobs", "finished", "failed", "cost"):
                total[name] += row[name]
    measures = _measures(sums, hours)
    return HourlyMeasures(
        measures.jobs,
        measures.finished,
        measures.failed,
        measures.error_rate,
        (None,) * hours,
        (None,) * hours,
        measures.cost,
    )


def _started_by_hour(start: datetime, hours: int) -> pl.Expr:
    """The hour each job started in (from that hour's end on it no longer waits), clipped to
    the period's hours; null for a job not started."""
    began = pl.coalesce("started_at", "completed_at")
    return ((began - instant(start)).dt.total_microseconds() // _HOUR_US).clip(0, hours)


def _pending(opened: list[int], started: pl.DataFrame, hours: int) -> tuple[int, ...]:
    """Jobs created before each hour's end and not started (nor finished) by then, from the
    jobs created in each hour and the started ones counted per `_started_by_hour`."""
    change = [*opened, 0]
    for hour, count in started.iter_rows():
        if hour is not None:
            change[hour] -= count
    pending, total = [], 0
    for hour in range(hours):
        total += change[hour]
        pending.append(total)
    return tuple(pending)


def hourly_series(
    prepared: pl.DataFrame, start: datetime, end: datetime, prices: PriceSettings
) -> HourlySeries:
    """The hourly series of the `prepared` jobs of `[start, end)`; `end` is the elapsed end.

    One group-by per processor and hour; the overall counts are their sums, and the jobs
    created in each hour open the queue `pending` counts."""
    span = max(end - start, timedelta(0))
    hours = int(-(-span // HOUR))
    bucket = ((pl.col("created_at") - instant(start)).dt.total_microseconds() // _HOUR_US).alias(
        "hour"
    )
    # One collect for both: on a day's jobs the per-query overhead is most of the cost.
    grouped, started = pl.collect_all(
        [
            prepared.lazy().group_by("processor_type", bucket).agg(*_aggregates(prices)),
            prepared.lazy().group_by(_started_by_hour(start, hours).alias("hour")).len(),
        ]
    )
    by_processor: dict[str, dict[int, dict[str, Any]]] = {}
    for row in grouped.iter_rows(named=True):
        by_processor.setdefault(str(row["processor_type"]), {})[int(row["hour"])] = row
    overall = _overall(by_processor, hours)
    intervals = [
        wilson_interval(f, n) for f, n in zip(overall.failed, overall.finished, strict=True)
    ]
    return HourlySeries(
        start=start,
        at=tuple(start + HOUR * h for h in range(hours)),
        overall=overall,
        error_rate_low=tuple(_round(i[0], 3) if i else None for i in intervals),
        error_rate_high=tuple(_round(i[1], 3) if i else None for i in intervals),
        pending=_pending(list(overall.jobs), started, hours),
        processors={name: _measures(rows, hours) for name, rows in by_processor.items()},
    )
