"""The pure health evaluation: the rollout judged at `as_of` from what the store had.

The error-rate, health-score, connection and breaker rules judge the evaluation window (the
last hour); trend, latency and cost rules compare the monitoring window with the one before it;
queue rules judge the queue as the newest snapshot left it. The breaker decides on every rule's
result, whatever the check type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from reportgen.compute.frame import prepare
from reportgen.compute.queue import queue_state, queue_time
from reportgen.compute.results import SCHEMA_VERSION, Rollout, WindowMetrics
from reportgen.compute.rollout import rollout_state
from reportgen.compute.window import as_comparison, metrics_of_prepared
from reportgen.config import Settings
from reportgen.evaluate.breaker import BreakerInputs, decide
from reportgen.evaluate.lifecycle import hold_health_score, hold_steps
from reportgen.evaluate.rules import RULES, CheckType, RuleInputs, evaluate
from reportgen.findings import Decision, Finding, Severity, Status, is_finding, status_of


@dataclass(frozen=True)
class HealthData:
    """Everything one health check reads, fetched once."""

    jobs: pl.DataFrame  # created in [as_of − 2 × monitoring window, as_of)
    open_jobs: pl.DataFrame
    configuration: pl.DataFrame
    history: pl.DataFrame
    episode_start: datetime  # since when a rollback counts as "this episode's"
    data_as_of: datetime | None = None  # the newest snapshot pulled
    data_start: datetime | None = None  # the oldest job pulled: how far back comparisons reach


@dataclass(frozen=True)
class HealthCheck:
    """The result of judging the rollout at `as_of`."""

    as_of: datetime
    data_as_of: datetime | None
    check_type: CheckType
    window: tuple[datetime, datetime]
    monitoring_window: tuple[datetime, datetime]
    results: tuple[Finding, ...]  # the check type's rules, `ok` results included
    breaker_results: tuple[Finding, ...]  # every rule, for the breaker
    decision: Decision
    rollout: Rollout | None
    conclusive: bool

    @property
    def findings(self) -> list[Finding]:
        return [result for result in self.results if is_finding(result)]

    @property
    def status(self) -> Status:
        return status_of(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `reportgen health --format json`, plus context."""
        return {
            "schema_version": SCHEMA_VERSION,
            "as_of": self.as_of.isoformat(),
            "data_as_of": None if self.data_as_of is None else self.data_as_of.isoformat(),
            "status": self.status.value,
            "check_type": self.check_type.value,
            "window": _span(self.window),
            "monitoring_window": _span(self.monitoring_window),
            "conclusive": self.conclusive,
            "rollout": None
            if self.rollout is None
            else {
                "percentage": self.rollout.percentage,
                "auto_rollback_enabled": self.rollout.auto_rollback_enabled,
                "emergency_stop": self.rollout.emergency_stop,
            },
            "findings": [finding.to_dict() for finding in self.findings],
            "decision": self.decision.to_dict(),
            "breaker_checks": [check.to_dict() for check in self.decision.checks],
        }


def _span(span: tuple[datetime, datetime]) -> dict[str, str]:
    return {"start": span[0].isoformat(), "end": span[1].isoformat()}


# Window metrics by (start, end, emergency stop), kept across the runs of a replay.
WindowMemo = dict[tuple[datetime, datetime, bool], WindowMetrics]


def evaluate_health(
    data: HealthData,
    settings: Settings,
    as_of: datetime,
    check_type: CheckType,
    memo: WindowMemo | None = None,
) -> HealthCheck:
    """Pure: the rules over the evaluation and monitoring windows and the queue at `as_of`.

    A replay passes one `memo` to runs in time order: a window's metrics depend only on the
    jobs created in it, and a run 15 minutes later judges again the windows its breaker and
    score holds look back at, as a run a day later compares with today's monitoring window.
    """
    as_of = as_of.astimezone(UTC)
    evaluation = timedelta(minutes=settings.health.evaluation_window_minutes)
    monitoring = timedelta(hours=settings.health.monitoring_window_hours)
    rollout = _rollout(data, settings, as_of - evaluation, as_of)
    stop = rollout.emergency_stop if rollout else False
    if memo is not None:
        for key in [key for key in memo if key[0] < as_of - 2 * monitoring]:
            del memo[key]  # before any window of this run or a later one

    def metrics(start: datetime, end: datetime, *, detailed: bool = False) -> WindowMetrics:
        # Only the evaluation window is shown in full; the others are compared or scored.
        known = memo.get((start, end, stop)) if memo is not None else None
        if known is not None and (known.detailed or not detailed):
            return known if known.detailed == detailed else as_comparison(known, start, end)
        prepared = prepare(data.jobs, start, end)
        result = metrics_of_prepared(
            prepared, start, end, settings, emergency_stop=stop, detailed=detailed
        )
        if memo is not None:
            memo[(start, end, stop)] = result
        return result

    window = metrics(as_of - evaluation, as_of, detailed=True)
    inputs = RuleInputs(
        feature=settings.report.feature,
        min_jobs=settings.report.min_jobs,
        window=window,
        current=metrics(as_of - monitoring, as_of),
        previous=metrics(as_of - 2 * monitoring, as_of - monitoring),
        # Past the newest snapshot nothing is known: the queue is judged as it last stood.
        queue=queue_state(
            data.open_jobs, queue_time(as_of, data.data_as_of), settings.thresholds.stuck_minutes
        ),
        rollout=rollout,
        data_age_s=None if data.data_as_of is None else (as_of - data.data_as_of).total_seconds(),
        data_start=data.data_start,
    )
    # The earlier windows matter only when the score is critical now (the hold, the breaker).
    score = window.health.score
    critical_now = score is not None and score < settings.thresholds.health_score_critical
    steps = hold_steps(settings.thresholds, settings.health.interval_minutes)
    earlier = (
        [metrics(as_of - s - evaluation, as_of - s).health.score for s in steps]
        if critical_now
        else []
    )

    def judged(kind: CheckType) -> tuple[Finding, ...]:
        results = evaluate(inputs, settings.thresholds, kind)
        return tuple(hold_health_score(r, earlier, settings.thresholds) for r in results)

    every_rule = judged(CheckType.FULL)
    # The breaker's hold: its rules judged again over the windows ending 15, 30, … minutes
    # before, only when one of them is critical now.
    breaker_now = any(r.rule in _HELD_RULES and r.severity is Severity.CRITICAL for r in every_rule)
    held = (
        [
            evaluate(
                replace(
                    inputs, window=metrics(as_of - step - evaluation, as_of - step, detailed=True)
                ),
                settings.thresholds,
                CheckType.FULL,
                rules=[rule for rule in RULES if rule.name in _HELD_RULES],
            )
            for step in _hold_steps(settings)
        ]
        if breaker_now
        else []
    )
    decision = decide(
        BreakerInputs(
            rollout=rollout,
            already_rolled_back=_rolled_back_since(data, settings, as_of),
            results=every_rule,
            scores=[window.health.score, *earlier],
            min_jobs=settings.report.min_jobs,
            earlier=held,
        ),
        settings.thresholds,
    )
    return HealthCheck(
        as_of=as_of,
        data_as_of=data.data_as_of,
        check_type=check_type,
        window=(as_of - evaluation, as_of),
        monitoring_window=(as_of - monitoring, as_of),
        results=every_rule if check_type is CheckType.FULL else judged(check_type),
        breaker_results=every_rule,
        decision=decision,
        rollout=rollout,
        conclusive=window.jobs.conclusive,
    )


_HELD_RULES = frozenset({"error_rate", "connection_failure"})


def _hold_steps(settings: Settings) -> list[timedelta]:
    """How far back the breaker's earlier windows end: 15, 30 min for a 30-minute hold."""
    interval = settings.health.interval_minutes
    steps = settings.thresholds.breaker_hold_minutes // interval
    return [timedelta(minutes=interval * n) for n in range(1, steps + 1)]


def _rollout(
    data: HealthData, settings: Settings, start: datetime, end: datetime
) -> Rollout | None:
    if data.configuration.is_empty():
        return None
    return rollout_state(data.configuration, data.history, settings.report.feature, start, end)


def _rolled_back_since(data: HealthData, settings: Settings, as_of: datetime) -> bool:
    """Whether the rollout was rolled back since this episode began (not just in the window)."""
    episode = rollout_state(
        data.configuration, data.history, settings.report.feature, data.episode_start, as_of
    )
    return any(change.action in ("rollback", "emergency_stop") for change in episode.changes)


def evaluated_rules(check_type: CheckType) -> frozenset[tuple[str, str]]:
    """The (rule, scope kind) pairs a check type runs: only their alerts may resolve."""
    return frozenset(
        (rule.name, rule.scope.value) for rule in RULES if check_type in rule.check_types
    )
