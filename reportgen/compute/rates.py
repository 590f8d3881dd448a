"""Counts by status, error and success rates with 95 % Wilson intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping

import polars as pl

from reportgen.compute.results import JobCounts
from reportgen.schema import JOB_STATUSES

# The two-sided 95 % normal quantile.
Z95 = 1.959963984540054


def percentage(part: float, whole: float) -> float | None:
    """part / whole × 100, or null when there is nothing to divide by."""
    return part / whole * 100.0 if whole > 0 else None


def wilson_interval(successes: int, trials: int) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of a proportion, in percent; null without trials.

    Wilson rather than the normal approximation because rollout samples are small and
    rates sit near 0 %, where the normal interval goes negative.
    """
    if trials <= 0:
        return None
    p = successes / trials
    z2 = Z95 * Z95
    denominator = 1.0 + z2 / trials
    centre = (p + z2 / (2.0 * trials)) / denominator
    half = Z95 * math.sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)) / denominator
    return max(0.0, centre - half) * 100.0, min(1.0, centre + half) * 100.0


def status_count_exprs() -> list[pl.Expr]:
    """One count column per status, for a `select` or a `group_by().agg()`."""
    return list(_STATUS_COUNTS)


# Built once: expressions are immutable, and building them costs more than a day's group_by.
_STATUS_COUNTS = tuple((pl.col("status") == status).sum().alias(status) for status in JOB_STATUSES)


def job_counts(by_status: Mapping[str, int], min_jobs: int) -> JobCounts:
    """The rates and their counts; a rate is conclusive only with more than `min_jobs` finished."""
    counts = {status: int(by_status.get(status) or 0) for status in JOB_STATUSES}
    completed, failed = counts["completed"], counts["failed"]
    finished = completed + failed
    return JobCounts(
        total=sum(counts.values()),
        by_status=counts,
        finished=finished,
        completed=completed,
        failed=failed,
        error_rate=percentage(failed, finished),
        error_rate_ci=wilson_interval(failed, finished),
        success_rate=percentage(completed, finished),
        success_rate_ci=wilson_interval(completed, finished),
        conclusive=finished > min_jobs,
        min_jobs=min_jobs,
    )
