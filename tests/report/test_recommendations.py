"""Recommendations: ordered advice from the findings that never contradicts the status."""

from __future__ import annotations

from datetime import UTC, datetime

from reportgen.compute.results import CategoryMetrics, Cost, Repositories
from reportgen.findings import Finding, Severity, Status
from reportgen.report.recommendations import recommendations


def cost(savings_pct: float | None) -> Cost:
    """A cost whose all-inngest baseline is $40 and which saves `savings_pct` of it."""
    actual = 40.0 * (1 - (savings_pct or 0.0) / 100)
    return Cost(0.0, actual, actual, 40.0, 40.0 - actual, savings_pct, 0, 0, 0, 0, 0.0, "up")


def repositories(participation: float | None) -> Repositories:
    return Repositories(0, 0, 0, participation, {"small": CategoryMetrics(0, 0, 0)}, 0, (), ())


def finding(rule: str, severity: Severity) -> Finding:
    return Finding("k", rule, "overall", severity, None, None, "m")


def codes(status: Status, found: list[Finding], savings: float | None = 10.0,
          participation: float | None = 80.0) -> list[str]:  # fmt: skip
    advice = recommendations(status, found, cost(savings), repositories(participation), 40, 10)
    return [a.code for a in advice]


def test_recommendations_most_urgent_first_each_once() -> None:
    found = [
        finding("stuck_jobs", Severity.WARNING),
        finding("error_rate", Severity.CRITICAL),
        finding("health_score", Severity.CRITICAL),
        finding("rollback_executed", Severity.CRITICAL),
    ]
    assert codes(Status.CRITICAL, found) == [
        "review_rollback",
        "reduce_rollout",
        "investigate_stuck_jobs",
    ]


def test_recommendations_expand_only_when_healthy() -> None:
    assert codes(Status.HEALTHY, [], savings=60.0) == ["consider_expanding"]
    advice = recommendations(Status.HEALTHY, [], cost(60.0), repositories(80.0), 40, 10)
    assert advice[0].message == (
        "Healthy at 0.40× the all-inngest cost ($16.00 vs $40.00): consider expanding the rollout."
    )
    warning = [finding("queue_backlog", Severity.WARNING)]
    assert codes(Status.WARNING, warning, savings=60.0) == ["drain_queue"]


def test_recommendations_low_participation_when_healthy() -> None:
    assert codes(Status.HEALTHY, [], participation=10.0) == ["increase_rollout"]
    assert codes(Status.HEALTHY, [], participation=None) == ["no_action"]


def test_recommendations_inconclusive_says_not_enough_jobs() -> None:
    found = [finding("error_rate", Severity.INCONCLUSIVE)]
    advice = recommendations(Status.INCONCLUSIVE, found, cost(90.0), repositories(5.0), 4, 10)
    assert [(a.code, a.message) for a in advice] == [
        ("collect_more_data", "Not enough jobs to judge: 4 finished, more than 10 needed.")
    ]


def test_recommendations_inconclusive_with_enough_jobs_says_the_previous_period_is_uncovered() -> (
    None
):
    found = [
        finding("error_rate_trend", Severity.INCONCLUSIVE),
        finding("processing_p95_trend", Severity.INCONCLUSIVE),
        finding("rollout_changed", Severity.INFO),
    ]
    start = datetime(2026, 10, 25, 10, 13, tzinfo=UTC)
    advice = recommendations(
        Status.INCONCLUSIVE, found, cost(90.0), repositories(5.0), 1131, 10,
        previous_covered=False, data_start=start,
    )  # fmt: skip
    assert [(a.code, a.message) for a in advice] == [
        (
            "compare_later",
            "No trend verdict: the data do not cover the previous period (they start "
            "2026-10-25), so error_rate_trend, processing_p95_trend have nothing to compare with.",
        )
    ]


def test_recommendations_inconclusive_with_enough_jobs_names_the_undecided_rules() -> None:
    found = [
        finding("error_rate_trend", Severity.INCONCLUSIVE),
        finding("health_score", Severity.INCONCLUSIVE),
    ]
    advice = recommendations(Status.INCONCLUSIVE, found, cost(90.0), repositories(5.0), 40, 10)
    assert [(a.code, a.message) for a in advice] == [
        (
            "collect_more_data",
            "Not conclusive yet (error_rate_trend, health_score): see the findings, and judge "
            "again with more data.",
        )
    ]
    # Uncovered, a trend has nothing to compare with, and the rest is still undecided.
    both = recommendations(
        Status.INCONCLUSIVE, found, cost(90.0), repositories(5.0), 40, 10, previous_covered=False
    )
    assert [(a.code, a.message) for a in both] == [
        (
            "compare_later",
            "No trend verdict: the data do not cover the previous period, so error_rate_trend "
            "has nothing to compare with.",
        ),
        (
            "collect_more_data",
            "Not conclusive yet (health_score): see the findings, and judge again with more data.",
        ),
    ]


def test_recommendations_info_findings_change_nothing() -> None:
    assert codes(Status.HEALTHY, [finding("rollout_changed", Severity.INFO)]) == ["no_action"]
