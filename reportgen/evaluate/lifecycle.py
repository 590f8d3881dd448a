"""The alert lifecycle: a pure transition from an alert's last state and this run's
result to its new state and the notifications to send — no flapping, no storms.

States: `normal → pending → firing → resolved`, plus `inconclusive`. A critical or info result
fires at once; a warning waits in `pending` until it has held for one health interval (judged
by `as_of`, never by counting runs), so a single noisy window does not page anyone. While
firing, the alert is re-notified only on escalation above the episode's peak severity, or when
`repeat_interval_hours` have passed. It resolves, with one notification, after `resolve_after`
consecutive healthy, conclusive evaluations; inconclusive evaluations neither count towards
that nor reset it (a quiet night must not resolve an incident, nor keep it open forever).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from reportgen.config import HealthSettings, ThresholdSettings
from reportgen.findings import (
    AlertState,
    Finding,
    NoticeKind,
    Notification,
    Severity,
    State,
    Transition,
)


class Observation(StrEnum):
    """What this run says about one alert key."""

    BREACH = "breach"
    HEALTHY = "healthy"
    INCONCLUSIVE = "inconclusive"


def observe(result: Finding | None, run_conclusive: bool) -> Observation:
    """A result's meaning for its alert; a key the run did not report is healthy only when the
    run itself was conclusive (its rule had nothing to flag), else unknown."""
    if result is None:
        return Observation.HEALTHY if run_conclusive else Observation.INCONCLUSIVE
    if result.severity is Severity.OK:
        return Observation.HEALTHY
    if result.severity is Severity.INCONCLUSIVE:
        return Observation.INCONCLUSIVE
    return Observation.BREACH


def advance(
    previous: AlertState,
    result: Finding | None,
    observation: Observation,
    as_of: datetime,
    health: HealthSettings,
) -> Transition:
    """The alert's next state and, at most, one notification."""
    evaluated = replace(previous, last_evaluated=as_of)
    if result is not None:
        evaluated = replace(
            evaluated, message=result.message, value=result.value, threshold=result.threshold
        )
    if observation is Observation.BREACH:
        assert result is not None
        new, kind = _breach(evaluated, result.severity.value, as_of, health)
    elif observation is Observation.HEALTHY:
        new, kind = _healthy(evaluated, health)
    else:
        new, kind = _inconclusive(evaluated), None
    notification = None
    if kind is not None:
        new = replace(new, last_notified=as_of)
        notification = Notification(new.key, kind, new.severity or "info")
    return Transition(previous.state, new, notification)


def _breach(
    state: AlertState, severity: str, as_of: datetime, health: HealthSettings
) -> tuple[AlertState, NoticeKind | None]:
    state = replace(state, healthy_streak=0)
    if state.firing_since is not None:  # an open episode, firing or briefly inconclusive
        peak = state.severity or "info"
        if Severity(severity).rank > Severity(peak).rank:
            return replace(state, state=State.FIRING, severity=severity), "escalated"
        state = replace(state, state=State.FIRING)
        repeat = timedelta(hours=health.repeat_interval_hours)
        if state.last_notified is None or as_of - state.last_notified >= repeat:
            return state, "repeat"
        return state, None
    first_seen = state.first_seen if state.state is State.PENDING else as_of
    held = first_seen is not None and as_of - first_seen >= timedelta(
        minutes=health.interval_minutes
    )
    if severity == "warning" and not held:
        return replace(state, state=State.PENDING, severity=severity, first_seen=first_seen), None
    fired = replace(
        state, state=State.FIRING, severity=severity, first_seen=first_seen, firing_since=as_of
    )
    return fired, "firing"


def _healthy(state: AlertState, health: HealthSettings) -> tuple[AlertState, NoticeKind | None]:
    if state.firing_since is None:
        settled = State.RESOLVED if state.state is State.RESOLVED else State.NORMAL
        return replace(state, state=settled, healthy_streak=0, first_seen=None), None
    streak = state.healthy_streak + 1
    if streak < health.resolve_after:
        return replace(state, state=State.FIRING, healthy_streak=streak), None
    resolved = replace(
        state, state=State.RESOLVED, healthy_streak=streak, first_seen=None, firing_since=None
    )
    return resolved, "resolved"


def _inconclusive(state: AlertState) -> AlertState:
    if state.firing_since is not None:
        return replace(state, state=State.INCONCLUSIVE)
    # A pending warning that can no longer be judged starts over.
    return replace(state, state=State.INCONCLUSIVE, first_seen=None)


def hold_health_score(
    result: Finding, earlier_scores: Sequence[float | None], thresholds: ThresholdSettings
) -> Finding:
    """A critical health score counts only if it held: the windows ending 15, 30, … minutes
    before `as_of` must also be conclusive and below the critical threshold; otherwise it is a
    warning (it is below the warning threshold too)."""
    if result.rule != "health_score" or result.severity is not Severity.CRITICAL:
        return result
    critical = thresholds.health_score_critical
    if all(score is not None and score < critical for score in earlier_scores):
        held = thresholds.health_score_hold_minutes
        return replace(result, message=f"{result.message}, held for {held} min")
    return replace(
        result,
        severity=Severity.WARNING,
        threshold=thresholds.health_score_warning,
        message=f"{result.message}, not yet held for {thresholds.health_score_hold_minutes} min",
    )


def hold_steps(thresholds: ThresholdSettings, interval_minutes: int = 15) -> list[timedelta]:
    """How far back the earlier windows end: 15, 30 min for a 30-minute hold."""
    steps = thresholds.health_score_hold_minutes // interval_minutes
    return [timedelta(minutes=interval_minutes * n) for n in range(1, steps + 1)]
