"""Per-processor distribution, rates and latency (SPEC §3.1); unknown processors stand alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl

from reportgen.compute.latency import latency_of, throughput_per_hour
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
    processing = latency_of(prepared.get_column("processing_ms"))
    wait = latency_of(prepared.get_column("wait_ms")) if detailed else Latency()
    processing_by = _latencies_by(grouped, names, "processing_ms") if detailed else {}
    wait_by = _latencies_by(grouped, names, "wait_ms") if detailed else {}
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
    return Distribution(job_counts(totals, min_jobs), processing, wait, processors)


def _latencies_by(grouped: pl.DataFrame, names: list[str], column: str) -> dict[str, Latency]:
    """Each named processor's latency; a null processor has none (no name can select it)."""
    keys = grouped.get_column("processor_type")
    values = grouped.get_column(column)
    return {
        name: latency_of(values[index])
        for index, name in enumerate(names)
        if keys[index] is not None
    }


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
