"""`reportgen health`: judge the rollout now (SPEC §4), then alert, then report.

Stages: gather the jobs health needs from the store (one read), evaluate (pure: window
metrics, rules, the health-score hold, the breaker), then advance the alerts and notify
(state and outbox written first, delivery after). Sentry or GitHub being down never changes
the result: undelivered notifications wait in the outbox for the next run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from reportgen.compute.frame import prepare
from reportgen.compute.queue import queue_state, queue_time
from reportgen.compute.results import SCHEMA_VERSION, Rollout, WindowMetrics
from reportgen.compute.rollout import rollout_state
from reportgen.compute.window import metrics_of_prepared
from reportgen.config import Settings
from reportgen.errors import StoreError
from reportgen.evaluate.breaker import BreakerInputs, Decision, decide
from reportgen.evaluate.findings import Finding, Status, is_finding, status_of
from reportgen.evaluate.lifecycle import State, hold_health_score, hold_steps
from reportgen.evaluate.rules import RULES, CheckType, RuleInputs, evaluate
from reportgen.notify.dispatch import NotifyOutcome, dispatch
from reportgen.notify.sentry import HEALTH_MONITOR, SentryNotifier, monitored
from reportgen.render import ReportFormat
from reportgen.render.health_markdown import health_markdown, render_health
from reportgen.store import alerts
from reportgen.store.alerts import HasConnection

BREAKER_RULES = frozenset({"error_rate", "health_score", "connection_failure"})


class HealthStore(HasConnection, Protocol):
    """What health reads from the store."""

    def jobs_created(self, start: datetime, end: datetime) -> pl.DataFrame: ...

    def jobs_open_at(self, at: datetime) -> pl.DataFrame: ...

    def table(self, name: str) -> pl.DataFrame: ...

    def data_as_of(self) -> datetime | None: ...


@dataclass(frozen=True)
class HealthData:
    """Everything one health check reads, fetched once."""

    jobs: pl.DataFrame  # created in [as_of − 2 × monitoring window, as_of)
    open_jobs: pl.DataFrame
    configuration: pl.DataFrame
    history: pl.DataFrame
    episode_start: datetime  # since when a rollback counts as "this episode's"
    data_as_of: datetime | None = None  # the newest snapshot pulled


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
        """The JSON contract of `reportgen health --format json` (SPEC §3.2), plus context."""
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


@dataclass(frozen=True)
class HealthOutcome:
    check: HealthCheck
    notify: NotifyOutcome | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = self.check.to_dict()
        data["notifications"] = self.notify.to_dict() if self.notify else None
        return data


def _span(span: tuple[datetime, datetime]) -> dict[str, str]:
    return {"start": span[0].isoformat(), "end": span[1].isoformat()}


def gather(store: HealthStore, settings: Settings, as_of: datetime) -> HealthData:
    """The one read health makes: two monitoring windows of jobs, the queue, the rollout."""
    monitoring = timedelta(hours=settings.health.monitoring_window_hours)
    states = alerts.load_states(store)
    open_since = [
        s.firing_since
        for s in states.values()
        if s.rule in BREAKER_RULES and s.firing_since is not None and s.state is not State.RESOLVED
    ]
    window_start = as_of - timedelta(minutes=settings.health.evaluation_window_minutes)
    data_as_of = store.data_as_of()
    return HealthData(
        jobs=store.jobs_created(as_of - 2 * monitoring, as_of),
        open_jobs=store.jobs_open_at(queue_time(as_of, data_as_of)),
        configuration=store.table("rollout_configuration"),
        history=store.table("rollout_history"),
        episode_start=min([window_start, *open_since]),
        data_as_of=data_as_of,
    )


def evaluate_health(
    data: HealthData, settings: Settings, as_of: datetime, check_type: CheckType
) -> HealthCheck:
    """Pure: the rules over the evaluation and monitoring windows and the queue at `as_of`."""
    as_of = as_of.astimezone(UTC)
    evaluation = timedelta(minutes=settings.health.evaluation_window_minutes)
    monitoring = timedelta(hours=settings.health.monitoring_window_hours)
    rollout = _rollout(data, settings, as_of - evaluation, as_of)
    stop = rollout.emergency_stop if rollout else False

    def metrics(start: datetime, end: datetime, *, detailed: bool = False) -> WindowMetrics:
        # Only the evaluation window is shown in full; the others are compared or scored.
        prepared = prepare(data.jobs, start, end)
        return metrics_of_prepared(
            prepared, start, end, settings, emergency_stop=stop, detailed=detailed
        )

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
    decision = decide(
        BreakerInputs(
            rollout=rollout,
            already_rolled_back=_rolled_back_since(data, settings, as_of),
            results=every_rule,
            scores=[window.health.score, *earlier],
            min_jobs=settings.report.min_jobs,
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


def run_health(
    store: HealthStore,
    settings: Settings,
    as_of: datetime,
    check_type: CheckType = CheckType.FULL,
    *,
    sentry: SentryNotifier,
    environ: Mapping[str, str] | None = None,
) -> HealthOutcome:
    """Gather, evaluate, then alert; wrapped in a Sentry Crons check-in."""
    with monitored(sentry, HEALTH_MONITOR):
        check = evaluate_health(gather(store, settings, as_of), settings, as_of, check_type)
        outcome = dispatch(
            store,
            check.results,
            settings,
            check.as_of,
            sentry=sentry,
            environ=environ,
            evaluated_rules=evaluated_rules(check_type),
            run_conclusive=check.conclusive,
            rollout_percentage=check.rollout.percentage if check.rollout else None,
            decision=check.decision,
        )
    notes = tuple(outcome.delivery.errors)
    return HealthOutcome(check, outcome, notes)


def notify_findings(
    store: HasConnection,
    findings: Sequence[Finding],
    settings: Settings,
    as_of: datetime,
    *,
    environ: Mapping[str, str] | None = None,
    rollout_percentage: float | None = None,
) -> NotifyOutcome:
    """Alert on a report's findings (`reportgen build --notify`): only the alerts these
    findings name move; none is resolved by their absence (health does that)."""
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        return dispatch(
            store,
            findings,
            settings,
            as_of,
            sentry=sentry,
            environ=environ,
            evaluated_rules=None,
            rollout_percentage=rollout_percentage,
        )
    finally:
        sentry.close()


def alert_history(store: HasConnection) -> list[dict[str, Any]]:
    """Alert transitions, newest first, for the site's alerts page (times as ISO 8601)."""
    rows = alerts.transitions(store)
    return [{**row, "changed_at": row["changed_at"].astimezone(UTC).isoformat()} for row in rows]


def write_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Append the Markdown to `$GITHUB_STEP_SUMMARY` when running in GitHub Actions."""
    target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as summary:
        summary.write(markdown)
    return path


def health_command(
    settings: Settings,
    as_of: datetime,
    check_type: CheckType,
    view: ReportFormat,
    *,
    auto_rollback: bool = False,
    environ: Mapping[str, str] | None = None,
    width: int = 100,
    color: bool = False,
) -> tuple[str, Status]:
    """`reportgen health`: run the check on the store, print a view, fill the step summary."""
    from reportgen.store import open_store  # late: the store loads DuckDB

    if not settings.store.path.is_file():
        raise StoreError(
            f"store {settings.store.path} does not exist",
            hint="Run `reportgen pull` first to create it.",
        )
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        with open_store(settings.store.path, wait_seconds=settings.store.wait_seconds) as store:
            outcome = run_health(store, settings, as_of, check_type, sentry=sentry, environ=environ)
    finally:
        sentry.close()  # always flush, whatever happened
    payload = {**outcome.to_dict(), "auto_rollback": auto_rollback}
    write_step_summary(health_markdown(payload), environ)
    return render_health(payload, view, width=width, color=color), outcome.check.status
