"""Cost: actual spend per processor against an all-inngest baseline, in US dollars."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from reportgen.compute.rates import job_counts, percentage, status_count_exprs
from reportgen.compute.results import Cost, JobCounts
from reportgen.config import PriceSettings

INNGEST = "inngest"
GITHUB_ACTIONS = "github_actions"


def _billed_minutes(rounding: str) -> pl.Expr:
    minutes = (pl.col("completed_at") - pl.col("started_at")).dt.total_microseconds().cast(
        pl.Float64
    ) / 60_000_000.0
    # GitHub bills each job's minutes rounded up to a whole minute.
    return minutes.ceil() if rounding == "up" else minutes


def billable_minutes(prepared: pl.DataFrame, rounding: str) -> tuple[float, int]:
    """GitHub Actions minutes of finished jobs, and how many finished jobs lack a timestamp."""
    actions = pl.col("processor_type") == GITHUB_ACTIONS
    finished = actions & pl.col("status").is_in(["completed", "failed"])
    timed = pl.col("started_at").is_not_null() & pl.col("completed_at").is_not_null()
    row = prepared.select(
        _billed_minutes(rounding).filter(finished & timed).clip(lower_bound=0).sum(),
        (finished & ~timed).sum().alias("untimed"),
    ).row(0)
    return float(row[0] or 0.0), int(row[1])


def cost_from(
    processors: Mapping[str, JobCounts], minutes: float, untimed: int, prices: PriceSettings
) -> Cost:
    """The cost of jobs counted per processor, given the billable Actions minutes.

    Unfinished GitHub Actions jobs are `pending_jobs` (their cost is not known yet, not zero);
    finished ones without both timestamps, and jobs of unknown processors, are `unpriced_jobs`.
    """
    empty = job_counts({}, 0)
    inngest_counts = processors.get(INNGEST, empty)
    actions_counts = processors.get(GITHUB_ACTIONS, empty)
    total = sum(counts.total for counts in processors.values())
    unknown = total - inngest_counts.total - actions_counts.total
    inngest = inngest_counts.total * prices.inngest_per_job
    github_actions = minutes * prices.github_actions_per_minute
    actual = inngest + github_actions
    baseline = total * prices.inngest_per_job
    savings = baseline - actual
    return Cost(
        inngest=inngest,
        github_actions=github_actions,
        actual=actual,
        baseline=baseline,
        savings=savings,
        savings_pct=percentage(savings, baseline),
        pending_jobs=actions_counts.total - actions_counts.finished,
        unpriced_jobs=untimed + unknown,
        inngest_jobs=inngest_counts.total,
        github_actions_jobs=actions_counts.total,
        github_actions_minutes=minutes,
        rounding=prices.rounding,
    )


def cost_of(prepared: pl.DataFrame, prices: PriceSettings) -> Cost:
    """The cost of a prepared jobs frame (windows reuse their processor counts instead)."""
    rows = prepared.group_by("processor_type").agg(*status_count_exprs()).to_dicts()
    processors = {str(row["processor_type"]): job_counts(row, 0) for row in rows}
    minutes, untimed = billable_minutes(prepared, prices.rounding)
    return cost_from(processors, minutes, untimed, prices)
