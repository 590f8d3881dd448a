"""The circuit breaker: should the rollout be rolled back now? Pure and audited.

Like Argo Rollouts' analysis, an inconclusive measurement never rolls back: only a conclusive
evaluation window can trip it. The error-rate and connection rules trip on the same evidence
their alerts rest on (the sequential test of `evidence`), held: critical in the window ending
now and in those ending 15, 30, … minutes before, for `breaker_hold_minutes`. Queue and
processor warnings alert but never trip it. Every rule the breaker considers is recorded with
its value and threshold, tripped or not, so the audit log shows why it did or did not act.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.compute.results import Rollout
from reportgen.config import ThresholdSettings
from reportgen.findings import Check, Decision, Finding, Severity


@dataclass(frozen=True)
class BreakerInputs:
    """`results` are every rule result for the evaluation window ending at `as_of`, `ok`
    included; `scores` the health scores of the windows ending at as_of, as_of−15m, as_of−30m
    (None where inconclusive); `earlier` the breaker rules' results for the windows ending
    15, 30, … minutes before `as_of`, as far back as the hold reaches."""

    rollout: Rollout | None
    already_rolled_back: bool
    results: Sequence[Finding]
    scores: Sequence[float | None]
    min_jobs: int
    earlier: Sequence[Sequence[Finding]] = ()


def decide(inputs: BreakerInputs, thresholds: ThresholdSettings) -> Decision:
    """Trip on any conclusive breaker rule, when the rollout can and may be rolled back."""
    checks = (
        _error_rate_check(inputs, thresholds),
        _health_held_check(inputs.scores, thresholds),
        *_connection_checks(inputs, thresholds),
    )
    tripped = [check for check in checks if check.tripped]
    evaluated = tuple(
        Check(r.rule, r.scope, r.value, r.threshold, False, f"{r.severity.value}: {r.message}")
        for r in inputs.results
    )
    blocker = _blocker(inputs)
    if blocker is not None:
        return Decision(False, blocker, False, checks, evaluated)
    if not tripped:
        return Decision(False, "no breaker rule tripped", False, checks, evaluated)
    reason = "; ".join(check.message for check in tripped)
    return Decision(True, reason, False, checks, evaluated)


def _blocker(inputs: BreakerInputs) -> str | None:
    """Why the breaker may not act whatever the data says, or None."""
    rollout = inputs.rollout
    if rollout is None or rollout.percentage is None:
        return "no rollout configuration: nothing to roll back"
    if not rollout.auto_rollback_enabled:
        return "auto-rollback is disabled in the rollout configuration"
    if rollout.percentage <= 0:
        return "the rollout is already at 0%"
    if inputs.already_rolled_back:
        return "already rolled back in this episode"
    overall = _overall_error_rate(inputs.results)
    if overall is None or overall.severity is Severity.INCONCLUSIVE:
        return "the evaluation window is inconclusive: " + (
            overall.message if overall is not None else "no error rate"
        )
    return None


def _overall_error_rate(results: Sequence[Finding]) -> Finding | None:
    return next((r for r in results if r.rule == "error_rate" and r.scope == "overall"), None)


def _held(
    inputs: BreakerInputs, rule: str, scope: str, thresholds: ThresholdSettings
) -> tuple[bool, str]:
    """Whether the rule was critical for `scope` in every earlier window the hold covers."""
    hold = thresholds.breaker_hold_minutes
    for results in inputs.earlier:
        earlier = next((r for r in results if r.rule == rule and r.scope == scope), None)
        if earlier is None or earlier.severity is not Severity.CRITICAL:
            return False, f"critical, not yet held {hold} min"
    return True, f"critical, held {hold} min"


def _error_rate_check(inputs: BreakerInputs, thresholds: ThresholdSettings) -> Check:
    result = _overall_error_rate(inputs.results)
    if result is None:
        return Check("error_rate", "overall", None, None, False, "error_rate: not evaluated")
    tripped = result.severity is Severity.CRITICAL
    message = f"{result.severity.value}: {result.message}"
    if tripped:
        tripped, held = _held(inputs, "error_rate", "overall", thresholds)
        message = f"{result.message}; {held}"
    return Check("error_rate", "overall", result.value, result.threshold, tripped, message)


def _health_held_check(scores: Sequence[float | None], thresholds: ThresholdSettings) -> Check:
    limit = float(thresholds.health_score_critical)
    held = thresholds.health_score_hold_minutes
    tripped = bool(scores) and all(s is not None and s < limit for s in scores)
    current = scores[0] if scores else None
    shown = ", ".join("n/a" if s is None else f"{s:.0f}" for s in scores)
    verdict = f"< {limit:.0f} held {held} min" if tripped else f"not < {limit:.0f} for {held} min"
    return Check(
        "health_score", "overall", current, limit, tripped, f"health score {shown}: {verdict}"
    )


def _connection_checks(inputs: BreakerInputs, thresholds: ThresholdSettings) -> list[Check]:
    checks = []
    for result in inputs.results:
        if result.rule != "connection_failure":
            continue
        tripped, message = result.severity is Severity.CRITICAL, result.message
        if tripped:
            tripped, held = _held(inputs, "connection_failure", result.scope, thresholds)
            message = f"{result.message}; {held}"
        checks.append(
            Check(
                "connection_failure", result.scope, result.value, result.threshold, tripped, message
            )
        )
    return checks
