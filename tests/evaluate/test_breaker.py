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


def error_rate(failed: int, finished: int, severity: Severity | None = None) -> Finding:
    """The error-rate rule's result; its severity is the evidence's (critical by default when
    the rate is over 5 %), as the rules decide it."""
    rate = failed / finished * 100 if finished else None
    if severity is None:
        severity = Severity.INCONCLUSIVE
        if finished > 10 and rate is not None:
            severity = Severity.CRITICAL if rate > 5 else Severity.OK
    shown = "n/a" if rate is None else f"{rate:.1f}%"
    return Finding(
        key="e", rule="error_rate", scope="overall", severity=severity, value=rate,
        threshold=5.0, message=f"error_rate {shown} over {finished} finished jobs",
        counts={"failed": failed, "finished": finished},
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
    earlier: tuple[tuple[Finding, ...], ...] | None = None,
) -> BreakerInputs:
    """By default the windows ending 15 and 30 minutes before said the same as this one."""
    return BreakerInputs(
        rollout=rollout(percentage, auto),
        already_rolled_back=rolled_back,
        results=results,
        scores=scores,
        min_jobs=10,
        earlier=(results, results) if earlier is None else earlier,
    )


def test_breaker_trips_on_held_critical_error_rate_and_records_every_check() -> None:
    decision = decide(inputs(error_rate(48, 120), connection(Severity.OK)), THRESHOLDS)
    assert decision.rollback
    reason = "error_rate 40.0% over 120 finished jobs; critical, held 30 min"
    assert decision.reason == reason
    assert decision.to_dict() == {"rollback": True, "reason": reason, "executed": False}
    assert decision.checks == (
        Check("error_rate", "overall", 40.0, 5.0, True, reason),
        Check(
            "health_score", "overall", 100.0, 50.0, False,
            "health score 100, 100, 100: not < 50 for 30 min",
        ),
        Check(
            "connection_failure", "processor:inngest", 100.0, 50.0, False,
            "inngest: 40 of 40 failures are network",
        ),
    )  # fmt: skip


def test_breaker_waits_for_the_critical_error_rate_to_hold() -> None:
    now = error_rate(48, 120)
    half_hour_ago = error_rate(4, 100, Severity.INCONCLUSIVE)
    decision = decide(inputs(now, earlier=((now,), (half_hour_ago,))), THRESHOLDS)
    assert (decision.rollback, decision.reason) == (False, "no breaker rule tripped")
    assert decision.checks[0].message == (
        "error_rate 40.0% over 120 finished jobs; critical, not yet held 30 min"
    )


@pytest.mark.parametrize(
    ("failed", "finished", "severity", "rollback", "reason"),
    [
        (1, 4, Severity.INCONCLUSIVE, False,
         "the evaluation window is inconclusive: error_rate 25.0% over 4 finished jobs"),
        # Over the line without the evidence ("watching"): never a rollback.
        (2, 28, Severity.INCONCLUSIVE, False,
         "the evaluation window is inconclusive: error_rate 7.1% over 28 finished jobs"),
        (12, 100, Severity.CRITICAL, True,
         "error_rate 12.0% over 100 finished jobs; critical, held 30 min"),
        (3, 300, Severity.OK, False, "no breaker rule tripped"),
        (9, 300, Severity.WARNING, False, "no breaker rule tripped"),
    ],
)  # fmt: skip
def test_breaker_error_rate_needs_conclusive_evidence(
    failed: int, finished: int, severity: Severity, rollback: bool, reason: str
) -> None:
    decision = decide(inputs(error_rate(failed, finished, severity)), THRESHOLDS)
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
    assert (decision.rollback, decision.reason) == (
        True,
        "inngest: 40 of 40 failures are network; critical, held 30 min",
    )


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
