"""Per-processor distribution, rates and latency (SPEC §3.1); unknown processors stand alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from reportgen.compute.latency import latencies, throughput_per_hour
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


def distribution(prepared: pl.DataFrame, min_jobs: int, elapsed: timedelta) -> Distribution:
    """Counts by processor and status (one group_by) and both latency distributions.

    The overall counts are the sum of the processors' counts, so the jobs are grouped once.
    """
    rows = (
        prepared.lazy()
        .group_by("processor_type")
        .agg(*status_count_exprs())
        .sort("processor_type")
        .collect()
        .to_dicts()
    )
    totals = {status: sum(int(row[status]) for row in rows) for status in JOB_STATUSES}
    processing, processing_by = latencies(prepared, "processing_ms")
    wait, wait_by = latencies(prepared, "wait_ms")
    processors = {
        str(row["processor_type"]): _processor(
            row, min_jobs, elapsed, prepared.height, processing_by, wait_by
        )
        for row in rows
    }
    return Distribution(job_counts(totals, min_jobs), processing, wait, processors)


def _processor(
    row: Mapping[str, int],
    min_jobs: int,
    elapsed: timedelta,
    total: int,
    processing_by: dict[str, Latency],
    wait_by: dict[str, Latency],
) -> ProcessorMetrics:
    name = str(row["processor_type"])
    counts = job_counts(row, min_jobs)
    return ProcessorMetrics(
        jobs=counts.total,
        share=percentage(counts.total, total),
        counts=counts,
        processing_time_ms=processing_by.get(name, Latency()),
        queue_wait_ms=wait_by.get(name, Latency()),
        throughput_per_hour=throughput_per_hour(counts.completed, elapsed),
    )
