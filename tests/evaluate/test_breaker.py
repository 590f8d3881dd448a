from __future__ import annotations

import pytest

from reportgen.compute.results import Rollout
from reportgen.config import ThresholdSettings
from reportgen.evaluate.breaker import BreakerInputs, decide
from reportgen.findings import Check, Finding, Severity

THRESHOLDS = ThresholdSettings()


def rollout(percentage: float | None = 25.0, auto: bool = True) -> Rollout:
    return Rollout(
        feature="hybrid_progressive_capture",
        percentage=percentage,
        is_active=True,
        emergency_stop=False,
        auto_rollback_enabled=auto,
        changes=(),
    )


def error_rate(failed: int, finished: int) -> Finding:
    conclusive = finished > 10
    rate = failed / finished * 100 if finished else None
    severity = Severity.INCONCLUSIVE
    if conclusive and rate is not None:
        severity = (
            Severity.CRITICAL if rate > 5 else Severity.WARNING if rate > 2.5 else Severity.OK
        )
    return Finding(
        key="e", rule="error_rate", scope="overall", severity=severity, value=rate,
        threshold=5.0, message="", counts={"failed": failed, "finished": finished},
    )  # fmt: skip


def connection(severity: Severity) -> Finding:
    return Finding(
        key="c", rule="connection_failure", scope="processor:inngest", severity=severity,
        value=100.0, threshold=50.0, message="inngest: 40 of 40 failures are network",
    )  # fmt: skip


def inputs(
    *results: Finding,
    scores: tuple[float | None, ...] = (100.0, 100.0, 100.0),
    percentage: float | None = 25.0,
    auto: bool = True,
    rolled_back: bool = False,
) -> BreakerInputs:
    return BreakerInputs(
        rollout=rollout(percentage, auto),
        already_rolled_back=rolled_back,
        results=results,
        scores=scores,
        min_jobs=10,
    )


def test_breaker_trips_on_conclusive_error_rate_and_records_every_check() -> None:
    decision = decide(inputs(error_rate(48, 120), connection(Severity.OK)), THRESHOLDS)
    assert decision.rollback
    assert decision.reason == "error_rate 40.0% > 5.0% over 120 finished jobs"
    assert decision.to_dict() == {
        "rollback": True,
        "reason": "error_rate 40.0% > 5.0% over 120 finished jobs",
        "executed": False,
    }
    assert decision.checks == (
        Check("error_rate", "overall", 40.0, 5.0, True, decision.reason),
        Check(
            "health_score", "overall", 100.0, 50.0, False,
            "health score 100, 100, 100: not < 50 for 30 min",
        ),
        Check(
            "connection_failure", "processor:inngest", 100.0, 50.0, False,
            "inngest: 40 of 40 failures are network",
        ),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("failed", "finished", "rollback", "reason"),
    [
        (1, 4, False, "the evaluation window is inconclusive: too few finished jobs"),
        (6, 10, False, "the evaluation window is inconclusive: too few finished jobs"),
        (1, 11, True, "error_rate 9.1% > 5.0% over 11 finished jobs"),
        (3, 300, False, "no breaker rule tripped"),
        (15, 300, False, "no breaker rule tripped"),  # exactly 5.0 % is not above
    ],
)
def test_breaker_error_rate_needs_a_conclusive_window(
    failed: int, finished: int, rollback: bool, reason: str
) -> None:
    decision = decide(inputs(error_rate(failed, finished)), THRESHOLDS)
    assert (decision.rollback, decision.reason) == (rollback, reason)


@pytest.mark.parametrize(
    ("scores", "rollback"),
    [
        ((40.0, 45.0, 30.0), True),
        ((40.0, 45.0, None), False),
        ((40.0, 55.0, 30.0), False),
        ((40.0, 45.0, 50.0), False),
    ],
)
def test_breaker_health_score_must_hold_thirty_minutes(
    scores: tuple[float | None, ...], rollback: bool
) -> None:
    decision = decide(inputs(error_rate(4, 100), scores=scores), THRESHOLDS)
    assert decision.rollback is rollback
    if rollback:
        assert decision.reason == "health score 40, 45, 30: < 50 held 30 min"


def test_breaker_trips_on_processor_connection_failure() -> None:
    decision = decide(inputs(error_rate(4, 200), connection(Severity.CRITICAL)), THRESHOLDS)
    assert (decision.rollback, decision.reason) == (True, "inngest: 40 of 40 failures are network")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"auto": False}, "auto-rollback is disabled in the rollout configuration"),
        ({"percentage": 0.0}, "the rollout is already at 0%"),
        ({"percentage": None}, "no rollout configuration: nothing to roll back"),
        ({"rolled_back": True}, "already rolled back in this episode"),
    ],
)
def test_breaker_blockers_prevent_a_trip(kwargs: dict[str, object], reason: str) -> None:
    decision = decide(inputs(error_rate(48, 120), **kwargs), THRESHOLDS)  # type: ignore[arg-type]
    assert (decision.rollback, decision.reason, decision.executed) == (False, reason, False)
    assert decision.checks[0].tripped  # the data would trip it; the audit log says so


def test_breaker_queue_and_warnings_never_trip() -> None:
    queue = Finding(
        key="q", rule="queue_oldest_pending", scope="overall", severity=Severity.CRITICAL,
        value=90.0, threshold=60.0, message="oldest pending job 90 min > 60 min",
    )  # fmt: skip
    decision = decide(inputs(error_rate(4, 100), queue), THRESHOLDS)
    assert (decision.rollback, decision.reason) == (False, "no breaker rule tripped")
