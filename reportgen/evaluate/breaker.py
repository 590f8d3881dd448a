"""The circuit breaker (SPEC §4.3): should the rollout be rolled back now? Pure and audited.

Like Argo Rollouts' analysis, an inconclusive measurement never rolls back: only a conclusive
evaluation window can trip it. Queue and processor warnings alert but never trip it. Every
rule the breaker considers is recorded with its value and threshold, tripped or not, so the
audit log shows why it did or did not act.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportgen.compute.results import Rollout
from reportgen.config import ThresholdSettings
from reportgen.findings import Check, Decision, Finding, Severity


@dataclass(frozen=True)
class BreakerInputs:
    """`results` are every rule result for the evaluation window ending at `as_of`, `ok`
    included; `scores` the health scores of the windows ending at as_of, as_of−15m, as_of−30m
    (None where inconclusive)."""

    rollout: Rollout | None
    already_rolled_back: bool
    results: Sequence[Finding]
    scores: Sequence[float | None]
    min_jobs: int


def decide(inputs: BreakerInputs, thresholds: ThresholdSettings) -> Decision:
    """Trip on any conclusive breaker rule, when the rollout can and may be rolled back."""
    checks = (
        _error_rate_check(inputs, thresholds),
        _health_held_check(inputs.scores, thresholds),
        *_connection_checks(inputs.results),
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
        return "the evaluation window is inconclusive: too few finished jobs"
    return None


def _overall_error_rate(results: Sequence[Finding]) -> Finding | None:
    return next((r for r in results if r.rule == "error_rate" and r.scope == "overall"), None)


def _error_rate_check(inputs: BreakerInputs, thresholds: ThresholdSettings) -> Check:
    limit = thresholds.error_rate_critical
    result = _overall_error_rate(inputs.results)
    counts: Mapping[str, int] = result.counts if result is not None else {}
    finished, failed = counts.get("finished", 0), counts.get("failed", 0)
    rate = failed / finished * 100.0 if finished else None
    tripped = rate is not None and rate > limit and finished > inputs.min_jobs
    shown = "n/a" if rate is None else f"{rate:.1f}%"
    sign = ">" if tripped else "<=" if rate is not None and rate <= limit else "vs"
    message = f"error_rate {shown} {sign} {limit:.1f}% over {finished} finished jobs"
    return Check("error_rate", "overall", rate, limit, tripped, message)


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


def _connection_checks(results: Sequence[Finding]) -> list[Check]:
    return [
        Check(
            "connection_failure",
            r.scope,
            r.value,
            r.threshold,
            r.severity is Severity.CRITICAL,
            r.message,
        )
        for r in results
        if r.rule == "connection_failure"
    ]
