"""Per-processor distribution, rates and latency (SPEC §3.1); unknown processors stand alone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import polars as pl

from reportgen.compute.latency import latency_exprs, latency_of, throughput_per_hour
from reportgen.compute.rates import job_counts, percentage, status_count_exprs
from reportgen.compute.results import JobCounts, Latency, ProcessorMetrics


def summary_exprs() -> list[pl.Expr]:
    """Status counts and both latency distributions: one pass for a whole window or a group."""
    return [
        *status_count_exprs(),
        *latency_exprs("processing_ms"),
        *latency_exprs("wait_ms"),
    ]


def summarise(
    row: Mapping[str, Any], min_jobs: int, elapsed: timedelta
) -> tuple[JobCounts, Latency, Latency, float | None]:
    """The counts, processing time, queue wait and throughput of one summary row."""
    counts = job_counts(row, min_jobs)
    return (
        counts,
        latency_of(row, "processing_ms"),
        latency_of(row, "wait_ms"),
        throughput_per_hour(counts.completed, elapsed),
    )


def processor_metrics(
    prepared: pl.DataFrame, min_jobs: int, elapsed: timedelta
) -> dict[str, ProcessorMetrics]:
    """Every processor seen in the window, by name."""
    rows = (
        prepared.group_by("processor_type").agg(*summary_exprs()).sort("processor_type").to_dicts()
    )
    total = prepared.height
    result: dict[str, ProcessorMetrics] = {}
    for row in rows:
        counts, processing, wait, throughput = summarise(row, min_jobs, elapsed)
        result[str(row["processor_type"])] = ProcessorMetrics(
            jobs=counts.total,
            share=percentage(counts.total, total),
            counts=counts,
            processing_time_ms=processing,
            queue_wait_ms=wait,
            throughput_per_hour=throughput,
        )
    return result
