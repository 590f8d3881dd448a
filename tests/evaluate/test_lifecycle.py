from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reportgen.config import HealthSettings, ThresholdSettings
from reportgen.evaluate.lifecycle import (
    Observation,
    advance,
    hold_health_score,
    hold_steps,
    observe,
)
from reportgen.findings import AlertState, Finding, Severity

T0 = datetime(2026, 11, 25, 10, 3, tzinfo=UTC)
HEALTH = HealthSettings()
THRESHOLDS = ThresholdSettings()


def result(severity: Severity, rule: str = "error_rate", value: float = 7.0) -> Finding:
    return Finding(
        key="k", rule=rule, scope="overall", severity=severity, value=value,
        threshold=5.0, message=f"{rule} {value}", counts={"finished": 40},
    )  # fmt: skip


def run(severities: list[Severity | None], step_minutes: int = 15) -> list[tuple[str, str]]:
    """Advance one alert through a sequence of results (None = not reported in a conclusive
    run); each step's (state, notification kind or '-')."""
    state = AlertState(key="k", rule="error_rate", scope="overall")
    seen: list[tuple[str, str]] = []
    for n, severity in enumerate(severities):
        finding = None if severity is None else result(severity)
        as_of = T0 + timedelta(minutes=step_minutes * n)
        transition = advance(state, finding, observe(finding, True), as_of, HEALTH)
        state = transition.state
        kind = transition.notification.kind if transition.notification else "-"
        seen.append((state.state.value, kind))
    return seen


C, W, OK, INC = Severity.CRITICAL, Severity.WARNING, Severity.OK, Severity.INCONCLUSIVE


def test_lifecycle_critical_fires_at_once_and_resolves_after_two_healthy() -> None:
    assert run([C, C, OK, OK, OK]) == [
        ("firing", "firing"),
        ("firing", "-"),
        ("firing", "-"),
        ("resolved", "resolved"),
        ("resolved", "-"),
    ]


def test_lifecycle_warning_is_pending_until_held_one_interval() -> None:
    assert run([W, W, W]) == [("pending", "-"), ("firing", "firing"), ("firing", "-")]


def test_lifecycle_single_warning_never_notifies() -> None:
    assert run([OK, W, OK, W, OK]) == [
        ("normal", "-"),
        ("pending", "-"),
        ("normal", "-"),
        ("pending", "-"),
        ("normal", "-"),
    ]


def test_lifecycle_escalation_notifies_once_above_the_peak() -> None:
    assert run([W, W, C, W, C]) == [
        ("pending", "-"),
        ("firing", "firing"),
        ("firing", "escalated"),
        ("firing", "-"),
        ("firing", "-"),
    ]


def test_lifecycle_repeats_every_four_hours_while_unchanged() -> None:
    steps = run([C] * 33)  # 8 hours at 15-minute steps
    notified = [n for n, (_, kind) in enumerate(steps) if kind != "-"]
    assert notified == [0, 16, 32]
    assert {kind for _, kind in steps if kind != "-"} == {"firing", "repeat"}


def test_lifecycle_inconclusive_neither_fires_nor_resolves() -> None:
    assert run([INC, C, INC, OK, INC, INC, OK]) == [
        ("inconclusive", "-"),
        ("firing", "firing"),
        ("inconclusive", "-"),
        ("firing", "-"),
        ("inconclusive", "-"),
        ("inconclusive", "-"),
        ("resolved", "resolved"),
    ]


def test_lifecycle_breach_between_healthy_runs_resets_the_streak() -> None:
    assert run([C, OK, C, OK, OK]) == [
        ("firing", "firing"),
        ("firing", "-"),
        ("firing", "-"),
        ("firing", "-"),
        ("resolved", "resolved"),
    ]


def test_lifecycle_new_episode_after_resolution_fires_again() -> None:
    assert run([C, OK, OK, C])[-1] == ("firing", "firing")


def test_lifecycle_unreported_key_in_conclusive_run_is_healthy() -> None:
    assert run([C, None, None]) == [
        ("firing", "firing"),
        ("firing", "-"),
        ("resolved", "resolved"),
    ]


@pytest.mark.parametrize(
    ("severity", "conclusive", "expected"),
    [
        (None, True, Observation.HEALTHY),
        (None, False, Observation.INCONCLUSIVE),
        (Severity.OK, False, Observation.HEALTHY),
        (Severity.INCONCLUSIVE, True, Observation.INCONCLUSIVE),
        (Severity.WARNING, True, Observation.BREACH),
        (Severity.INFO, True, Observation.BREACH),
    ],
)
def test_observe_maps_results(
    severity: Severity | None, conclusive: bool, expected: Observation
) -> None:
    finding = None if severity is None else result(severity)
    assert observe(finding, conclusive) is expected


def test_advance_records_episode_times_and_notification_severity() -> None:
    start = AlertState(key="k", rule="error_rate", scope="overall")
    fired = advance(start, result(C), Observation.BREACH, T0, HEALTH)
    assert fired.state.first_seen == T0
    assert fired.state.firing_since == T0
    assert fired.state.last_notified == T0
    assert fired.state.severity == "critical"
    assert fired.changed
    assert fired.notification is not None
    assert (fired.notification.kind, fired.notification.severity) == ("firing", "critical")
    later = T0 + timedelta(minutes=15)
    same = advance(fired.state, result(C, value=9.0), Observation.BREACH, later, HEALTH)
    assert not same.changed
    assert same.state.first_seen == T0
    assert (same.state.value, same.state.message, same.state.last_evaluated) == (
        9.0,
        "error_rate 9.0",
        later,
    )


def test_hold_health_score_keeps_critical_only_when_held() -> None:
    critical = result(C, rule="health_score", value=40.0)
    held = hold_health_score(critical, [45.0, 30.0], THRESHOLDS)
    assert held.severity is Severity.CRITICAL
    assert held.message == "health_score 40.0, held for 30 min"
    for earlier in ([45.0, None], [70.0, 40.0], [45.0, 50.0]):
        not_held = hold_health_score(critical, earlier, THRESHOLDS)
        assert not_held.severity is Severity.WARNING
        assert not_held.threshold == 70.0
        assert not_held.message == "health_score 40.0, not yet held for 30 min"


def test_hold_health_score_leaves_other_results_alone() -> None:
    other = result(C)
    assert hold_health_score(other, [None], THRESHOLDS) is other


def test_hold_steps_for_the_default_hold() -> None:
    assert hold_steps(THRESHOLDS) == [timedelta(minutes=15), timedelta(minutes=30)]
