"""`reportgen health`: judge the rollout now, then alert, then report.

Stages: gather the jobs health needs from the store (one read), evaluate (pure: window
metrics, rules, the health-score hold, the breaker), then advance the alerts and notify
(state and outbox written first, delivery after). Sentry or GitHub being down never changes
the result: undelivered notifications wait in the outbox for the next run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from reportgen.compute.queue import queue_time
from reportgen.config import Settings
from reportgen.errors import StoreError
from reportgen.evaluate.health import HealthCheck, HealthData, evaluate_health, evaluated_rules
from reportgen.evaluate.rules import BREAKER_RULES, CheckType
from reportgen.findings import State, Status
from reportgen.notify.dispatch import NotifyOutcome, dispatch
from reportgen.notify.sentry import HEALTH_MONITOR, SentryNotifier, monitored
from reportgen.render import ReportFormat
from reportgen.render.text.health import health_markdown, render_health
from reportgen.store import alerts
from reportgen.store.alerts import HasConnection


class HealthStore(HasConnection, Protocol):
    """What health reads from the store."""

    def jobs_created(self, start: datetime, end: datetime) -> pl.DataFrame: ...

    def jobs_open_at(self, at: datetime) -> pl.DataFrame: ...

    def table(self, name: str) -> pl.DataFrame: ...

    def data_as_of(self) -> datetime | None: ...


@dataclass(frozen=True)
class HealthOutcome:
    check: HealthCheck
    notify: NotifyOutcome | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = self.check.to_dict()
        data["notifications"] = self.notify.to_dict() if self.notify else None
        return data


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
    from reportgen.store import Resources, open_store  # late: the store loads DuckDB

    if not settings.store.path.is_file():
        raise StoreError(
            f"store {settings.store.path} does not exist",
            hint="Run `reportgen pull` first to create it.",
        )
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        with open_store(
            settings.store.path,
            wait_seconds=settings.store.wait_seconds,
            resources=Resources.of(settings.store),
        ) as store:
            outcome = run_health(store, settings, as_of, check_type, sentry=sentry, environ=environ)
    finally:
        sentry.close()  # always flush, whatever happened
    payload = {**outcome.to_dict(), "auto_rollback": auto_rollback}
    write_step_summary(health_markdown(payload), environ)
    return render_health(payload, view, width=width, color=color), outcome.check.status
