"""Processing time, queue wait and throughput (SPEC §3.1), in milliseconds and per hour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl

from reportgen.compute.results import Latency

GROUP = "processor_type"


def _statistics() -> list[pl.Expr]:
    # Percentiles interpolate linearly, as numpy does by default.
    values = pl.col("value")
    return [
        values.count().alias("count"),
        values.sum().alias("sum"),
        values.quantile(0.5, interpolation="linear").alias("p50"),
        values.quantile(0.95, interpolation="linear").alias("p95"),
        values.max().alias("max"),
    ]


def _latency(row: dict[str, Any]) -> Latency:
    count = int(row["count"] or 0)
    if count == 0:
        return Latency()
    return Latency(
        count=count,
        mean=float(row["sum"]) / count,
        p50=float(row["p50"]),
        p95=float(row["p95"]),
        max=float(row["max"]),
    )


def _overall(values: pl.Series) -> Latency:
    # Sorted once, a Series answers every percentile without sorting again.
    ordered = values.sort()
    return _latency(
        {
            "count": ordered.len(),
            "sum": ordered.sum(),
            "p50": ordered.quantile(0.5, interpolation="linear"),
            "p95": ordered.quantile(0.95, interpolation="linear"),
            "max": ordered.max(),
        }
    )


def latencies(prepared: pl.DataFrame, column: str) -> tuple[Latency, dict[str, Latency]]:
    """The distribution of `column` overall and per processor (one group_by for all groups)."""
    values = (
        prepared.lazy()
        .select(pl.col(GROUP), pl.col(column).alias("value"))
        .drop_nulls("value")
        .collect()
    )
    overall = _overall(values.get_column("value"))
    groups = values.group_by(GROUP).agg(_statistics())
    per_group = {str(row[GROUP]): _latency(row) for row in groups.iter_rows(named=True)}
    return overall, per_group


def throughput_per_hour(completed: int, elapsed: timedelta) -> float | None:
    """Completed jobs per hour of elapsed period time; null before any time has elapsed."""
    hours = elapsed.total_seconds() / 3600.0
    return completed / hours if hours > 0 else None
