"""Processing time, queue wait and throughput (SPEC §3.1), in milliseconds and per hour."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import polars as pl

from reportgen.compute.results import Latency

# (statistic, expression) pairs; percentiles interpolate linearly, as numpy does by default.
_STATISTICS = ("count", "mean", "p50", "p95", "max")


def latency_exprs(column: str) -> list[pl.Expr]:
    """The five statistics of `column` as `<column>_<statistic>`, for one select or agg."""
    values = pl.col(column)
    return [
        values.count().alias(f"{column}_count"),
        values.mean().alias(f"{column}_mean"),
        values.quantile(0.5, interpolation="linear").alias(f"{column}_p50"),
        values.quantile(0.95, interpolation="linear").alias(f"{column}_p95"),
        values.max().alias(f"{column}_max"),
    ]


def latency_of(row: Mapping[str, Any], column: str) -> Latency:
    """The Latency of one row produced with `latency_exprs(column)`."""
    count = int(row.get(f"{column}_count") or 0)
    if count == 0:
        return Latency()
    stats = {name: row[f"{column}_{name}"] for name in _STATISTICS[1:]}
    return Latency(count=count, **{k: float(v) for k, v in stats.items()})


def throughput_per_hour(completed: int, elapsed: timedelta) -> float | None:
    """Completed jobs per hour of elapsed period time; null before any time has elapsed."""
    hours = elapsed.total_seconds() / 3600.0
    return completed / hours if hours > 0 else None
