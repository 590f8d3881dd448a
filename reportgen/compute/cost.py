"""Cost (SPEC §3.1): actual spend per processor against an all-inngest baseline, in US dollars."""

from __future__ import annotations

import polars as pl

from reportgen.compute.rates import percentage
from reportgen.compute.results import Cost
from reportgen.config import PriceSettings

INNGEST = "inngest"
GITHUB_ACTIONS = "github_actions"


def _billed_minutes(rounding: str) -> pl.Expr:
    minutes = (pl.col("completed_at") - pl.col("started_at")).dt.total_microseconds().cast(
        pl.Float64
    ) / 60_000_000.0
    # GitHub bills each job's minutes rounded up to a whole minute.
    return minutes.ceil() if rounding == "up" else minutes


def cost_of(prepared: pl.DataFrame, prices: PriceSettings) -> Cost:
    """What the window's jobs cost, what they would have cost on inngest, and what is unknown.

    Unfinished GitHub Actions jobs are `pending_jobs` (their cost is not known yet, not zero);
    finished ones without both timestamps, and jobs of unknown processors, are `unpriced_jobs`.
    """
    finished = pl.col("status").is_in(["completed", "failed"])
    actions = pl.col("processor_type") == GITHUB_ACTIONS
    timed = pl.col("started_at").is_not_null() & pl.col("completed_at").is_not_null()
    known = pl.col("processor_type").is_in([INNGEST, GITHUB_ACTIONS])
    row = prepared.select(
        pl.len().alias("jobs"),
        (pl.col("processor_type") == INNGEST).sum().alias("inngest_jobs"),
        actions.sum().alias("actions_jobs"),
        (actions & ~finished).sum().alias("pending"),
        ((actions & finished & ~timed) | ~known).sum().alias("unpriced"),
        _billed_minutes(prices.rounding)
        .filter(actions & finished & timed)
        .clip(lower_bound=0)
        .sum()
        .alias("minutes"),
    ).row(0, named=True)
    inngest = row["inngest_jobs"] * prices.inngest_per_job
    minutes = float(row["minutes"] or 0.0)
    github_actions = minutes * prices.github_actions_per_minute
    actual = inngest + github_actions
    baseline = row["jobs"] * prices.inngest_per_job
    savings = baseline - actual
    return Cost(
        inngest=inngest,
        github_actions=github_actions,
        actual=actual,
        baseline=baseline,
        savings=savings,
        savings_pct=percentage(savings, baseline),
        pending_jobs=int(row["pending"]),
        unpriced_jobs=int(row["unpriced"]),
        inngest_jobs=int(row["inngest_jobs"]),
        github_actions_jobs=int(row["actions_jobs"]),
        github_actions_minutes=minutes,
        rounding=prices.rounding,
    )
