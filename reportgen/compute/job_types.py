"""Counts and error rate per job type."""

from __future__ import annotations

import polars as pl

from reportgen.compute.rates import job_counts, status_count_exprs
from reportgen.compute.results import JobTypeMetrics


def job_type_metrics(prepared: pl.DataFrame, min_jobs: int) -> dict[str, JobTypeMetrics]:
    """Every job type seen in the window, by name."""
    query = prepared.lazy().group_by("job_type").agg(*status_count_exprs()).sort("job_type")
    rows = query.collect().to_dicts()
    result: dict[str, JobTypeMetrics] = {}
    for row in rows:
        counts = job_counts(row, min_jobs)
        result[str(row["job_type"])] = JobTypeMetrics(
            jobs=counts.total,
            finished=counts.finished,
            failed=counts.failed,
            error_rate=counts.error_rate,
            error_rate_ci=counts.error_rate_ci,
            conclusive=counts.conclusive,
        )
    return result
