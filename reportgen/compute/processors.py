"""Per-processor distribution, rates and latency; unknown processors stand alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl

from reportgen.compute.latency import (
    latency_of_sorted,
    merge_sorted,
    throughput_per_hour,
)
from reportgen.compute.rates import job_counts, percentage, status_count_exprs
from reportgen.compute.results import JobCounts, Latency, ProcessorMetrics
from reportgen.schema import JOB_STATUSES


@dataclass(frozen=True)
class Distribution:
    """The window's counts and latencies, overall and per processor, from one pass each."""

    counts: JobCounts
    processing_time_ms: Latency
    queue_wait_ms: Latency
    processors: dict[str, ProcessorMetrics]
    # Every processing time, sorted: what the latency came from and a percentile test reads.
    processing_times: pl.Series


def distribution(
    prepared: pl.DataFrame, min_jobs: int, elapsed: timedelta, *, detailed: bool = True
) -> Distribution:
    """Counts per processor in one group_by (the overall counts are their sum) and latencies.

    Not `detailed` (a comparison window): only the counts and the overall processing time,
    the figures that trends and rules compare.
    """
    # One group_by answers the counts and, when detailed, each processor's latency samples.
    samples = [pl.col("processing_ms"), pl.col("wait_ms")] if detailed else []
    grouped = (
        prepared.lazy()
        .group_by("processor_type")
        .agg(*status_count_exprs(), *samples)
        .sort("processor_type")
        .collect()
    )
    # Not to_dicts(): that would turn every latency sample into a Python float.
    columns = [grouped.get_column(status).to_list() for status in JOB_STATUSES]
    rows = [dict(zip(JOB_STATUSES, counts, strict=True)) for counts in zip(*columns, strict=True)]
    names = [str(name) for name in grouped.get_column("processor_type")]
    if detailed:
        times, processing_by = _sorted_samples(grouped, names, "processing_ms")
        waits, wait_by = _sorted_samples(grouped, names, "wait_ms")
        wait = latency_of_sorted(waits)
    else:
        times, processing_by = prepared.get_column("processing_ms").drop_nulls().sort(), {}
        wait, wait_by = Latency(), {}
    totals = {status: sum(int(row[status]) for row in rows) for status in JOB_STATUSES}
    processors = {
        name: _processor(
            row,
            min_jobs,
            elapsed,
            prepared.height,
            processing_by.get(name, Latency()),
            wait_by.get(name, Latency()),
        )
        for name, row in zip(names, rows, strict=True)
    }
    return Distribution(
        job_counts(totals, min_jobs), latency_of_sorted(times), wait, processors, times
    )


def _sorted_samples(
    grouped: pl.DataFrame, names: list[str], column: str
) -> tuple[pl.Series, dict[str, Latency]]:
    """All of the groups' samples sorted, and the latency of each named processor.

    Every group's samples are sorted once; the overall order is their merge, not a sort of
    them all again. A null processor counts overall but has no latency of its own (no name
    can select it).
    """
    keys = grouped.get_column("processor_type")
    ordered = [values.drop_nulls().sort() for values in grouped.get_column(column)]
    by_name = {
        name: latency_of_sorted(ordered[index])
        for index, name in enumerate(names)
        if keys[index] is not None
    }
    return merge_sorted(ordered), by_name


def _processor(
    row: Mapping[str, Any],
    min_jobs: int,
    elapsed: timedelta,
    total: int,
    processing: Latency,
    wait: Latency,
) -> ProcessorMetrics:
    counts = job_counts(row, min_jobs)
    return ProcessorMetrics(
        jobs=counts.total,
        share=percentage(counts.total, total),
        counts=counts,
        processing_time_ms=processing,
        queue_wait_ms=wait,
        throughput_per_hour=throughput_per_hour(counts.completed, elapsed),
    )
