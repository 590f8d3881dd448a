"""Recommendations: short, ordered, derived from the findings and the status.

Growth advice (expand, increase participation) is given only when the status is healthy, so a
recommendation never contradicts the status.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from reportgen.compute.results import Cost, Recommendation, Repositories
from reportgen.findings import Finding, Severity, Status

EXPAND_SAVINGS_PCT = 50.0
LOW_PARTICIPATION_PCT = 25.0

# (rule, severity) → advice, in the order a reader should act on them.
_ADVICE: tuple[tuple[str, Severity, str, str], ...] = (
    ("rollback_executed", Severity.CRITICAL, "review_rollback",
     "A rollback was executed: find the cause before raising the rollout again."),
    ("error_rate", Severity.CRITICAL, "reduce_rollout",
     "The error rate is above the critical threshold: reduce the rollout or roll back."),
    ("connection_failure", Severity.CRITICAL, "check_connectivity",
     "Most of a processor's failures are network errors: check its connectivity."),
    ("health_score", Severity.CRITICAL, "reduce_rollout",
     "The health score is critical: reduce the rollout until it recovers."),
    ("queue_oldest_pending", Severity.CRITICAL, "drain_queue",
     "Jobs have been pending too long: check that the processors are picking work up."),
    ("cost_vs_expected", Severity.CRITICAL, "review_cost",
     "Cost moved far from the previous period: check the routing between processors."),
    ("error_rate", Severity.WARNING, "hold_rollout",
     "The error rate is elevated: hold the rollout percentage and watch it."),
    ("health_score", Severity.WARNING, "hold_rollout",
     "The health score is below its warning line: hold the rollout percentage."),
    ("stuck_jobs", Severity.WARNING, "investigate_stuck_jobs",
     "Jobs are stuck in processing: look for hung workers or lost workflow runs."),
    ("queue_backlog", Severity.WARNING, "drain_queue",
     "The pending queue is long: check processor capacity."),
    ("processor_silent", Severity.WARNING, "check_routing",
     "A processor received no jobs while the rollout is on: check the routing."),
    ("error_rate_trend", Severity.WARNING, "watch_error_trend",
     "The error rate rose sharply against the previous period: watch it."),
    ("processing_p95_trend", Severity.WARNING, "watch_latency",
     "p95 processing time rose against the previous period: check slow job types."),
    ("cost_vs_expected", Severity.WARNING, "review_cost",
     "Cost moved from the previous period: check the routing between processors."),
)  # fmt: skip


def recommendations(
    status: Status,
    findings: Sequence[Finding],
    cost: Cost,
    repositories: Repositories,
    finished: int,
    min_jobs: int,
    *,
    previous_covered: bool = True,
    data_start: datetime | None = None,
) -> tuple[Recommendation, ...]:
    """The advice for a report, most urgent first, each code at most once.

    `previous_covered` says whether the data cover the comparison period, which begins before
    `data_start` when they do not."""
    present = {(f.rule, f.severity) for f in findings}
    advice: dict[str, Recommendation] = {}
    for rule, severity, code, message in _ADVICE:
        if (rule, severity) in present and code not in advice:
            advice[code] = Recommendation(code, message)
    if status is Status.INCONCLUSIVE:
        advice.update(_why_inconclusive(findings, finished, min_jobs, previous_covered, data_start))
    if status is Status.HEALTHY:
        advice.update(_growth(cost, repositories))
    return tuple(advice.values())


# The rules that compare with the previous period: the data must cover it for them to judge.
_COMPARISONS = frozenset({"error_rate_trend", "processing_p95_trend", "cost_vs_expected"})


def _why_inconclusive(
    findings: Sequence[Finding],
    finished: int,
    min_jobs: int,
    previous_covered: bool,
    data_start: datetime | None,
) -> dict[str, Recommendation]:
    """What keeps the report from a verdict: too few jobs, or else which rules are undecided
    and, when it is so, that the data do not reach back to the period they compare with."""
    if finished <= min_jobs:
        return {
            "collect_more_data": Recommendation(
                "collect_more_data",
                f"Not enough jobs to judge: {finished} finished, more than {min_jobs} needed.",
            )
        }
    # Enough jobs: say what is undecided instead (a month whose previous month the data do
    # not reach is inconclusive over 1,131 jobs, not for want of them).
    undecided = sorted({f.rule for f in findings if f.severity is Severity.INCONCLUSIVE})
    uncompared = [] if previous_covered else [r for r in undecided if r in _COMPARISONS]
    others = [r for r in undecided if r not in uncompared]
    advice: dict[str, Recommendation] = {}
    if uncompared:
        since = f" (they start {data_start.astimezone(UTC):%Y-%m-%d})" if data_start else ""
        have = "has" if len(uncompared) == 1 else "have"
        advice["compare_later"] = Recommendation(
            "compare_later",
            f"No trend verdict: the data do not cover the previous period{since}, "
            f"so {', '.join(uncompared)} {have} nothing to compare with.",
        )
    if others or not advice:
        which = f" ({', '.join(others)})" if others else ""
        advice["collect_more_data"] = Recommendation(
            "collect_more_data",
            f"Not conclusive yet{which}: see the findings, and judge again with more data.",
        )
    return advice


def _growth(cost: Cost, repositories: Repositories) -> dict[str, Recommendation]:
    advice: dict[str, Recommendation] = {}
    savings = cost.savings_pct
    if savings is not None and savings > EXPAND_SAVINGS_PCT and cost.baseline > 0:
        # In the words of the cost headlines: a multiple of the all-inngest baseline, in dollars.
        advice["consider_expanding"] = Recommendation(
            "consider_expanding",
            f"Healthy at {cost.actual / cost.baseline:.2f}× the all-inngest cost"
            f" (${cost.actual:,.2f} vs ${cost.baseline:,.2f}): consider expanding the rollout.",
        )
    participation = repositories.participation_rate
    if participation is not None and participation < LOW_PARTICIPATION_PCT:
        advice["increase_rollout"] = Recommendation(
            "increase_rollout",
            f"Only {participation:.0f}% of categorised repositories took part: "
            "increase the rollout to learn more.",
        )
    if not advice:
        advice["no_action"] = Recommendation("no_action", "Healthy: no action needed.")
    return advice
