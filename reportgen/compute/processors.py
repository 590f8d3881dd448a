"""Per-processor distribution, rates and latency (SPEC §3.1); unknown processors stand alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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


def distribution(
    prepared: pl.DataFrame, min_jobs: int, elapsed: timedelta, *, detailed: bool = True
) -> Distribution:
    """Counts per processor in one group_by (the overall counts are their sum) and latencies.

    Not `detailed` (a comparison window): only the counts and the overall processing time,
    the figures that trends and rules compare.
    """
    rows = (
        prepared.lazy()
        .group_by("processor_type")
        .agg(*status_count_exprs())
        .sort("processor_type")
        .collect()
        .to_dicts()
    )
    names = [str(row["processor_type"]) for row in rows] if detailed else []
    processing, processing_by = latencies(prepared, "processing_ms", names)
    wait, wait_by = latencies(prepared, "wait_ms", names) if detailed else (Latency(), {})
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
        for name, row in zip((str(r["processor_type"]) for r in rows), rows, strict=True)
    }
    return Distribution(job_counts(totals, min_jobs), processing, wait, processors)


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
