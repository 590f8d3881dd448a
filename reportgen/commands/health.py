"""`reportgen health`: judge the rollout now, then alert, then report.

Stages: gather the jobs health needs from the store (one read), evaluate (pure: window
metrics, rules, the health-score hold, the breaker), then advance the alerts and notify
(state and outbox written first, delivery after). Sentry or GitHub being down never changes
the result: undelivered notifications wait in the outbox for the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import polars as pl

from reportgen.compute.queue import queue_time
from reportgen.config import Settings
from reportgen.control.auto_rollback import AutoRollback, execute_breaker
from reportgen.control.target import RolloutTarget, open_target
from reportgen.errors import StoreError, UsageError
from reportgen.evaluate.health import HealthCheck, HealthData, evaluate_health, evaluated_rules
from reportgen.evaluate.rules import BREAKER_RULES, CheckType
from reportgen.findings import State, Status
from reportgen.notify.dispatch import NotifyOutcome, dispatch
from reportgen.notify.sentry import HEALTH_MONITOR, SentryNotifier, monitored
from reportgen.notify.step_summary import write_step_summary
from reportgen.render import ReportFormat
from reportgen.render.text.health import health_markdown, render_health
from reportgen.report.view import health_view
from reportgen.store import alerts
from reportgen.store.alerts import HasConnection


class HealthStore(HasConnection, Protocol):
    """What health reads from the store."""

    def jobs_created(self, start: datetime, end: datetime) -> pl.DataFrame: ...

    def jobs_open_at(self, at: datetime) -> pl.DataFrame: ...

    def table(self, name: str) -> pl.DataFrame: ...

    def data_as_of(self) -> datetime | None: ...

    def jobs_span(self) -> tuple[datetime, datetime] | None: ...


@dataclass(frozen=True)
class HealthOutcome:
    check: HealthCheck
    notify: NotifyOutcome | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    rollback: AutoRollback | None = None  # only when the breaker was allowed to act

    def to_dict(self) -> dict[str, Any]:
        data = self.check.to_dict()
        data["notifications"] = self.notify.to_dict() if self.notify else None
        if self.rollback is not None:
            data["rollback"] = self.rollback.to_dict()
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
    span = store.jobs_span()
    return HealthData(
        jobs=store.jobs_created(as_of - 2 * monitoring, as_of),
        open_jobs=store.jobs_open_at(queue_time(as_of, data_as_of)),
        configuration=store.table("rollout_configuration"),
        history=store.table("rollout_history"),
        episode_start=min([window_start, *open_since]),
        data_as_of=data_as_of,
        data_start=span[0] if span else None,
    )


def run_health(
    store: HealthStore,
    settings: Settings,
    as_of: datetime,
    check_type: CheckType = CheckType.FULL,
    *,
    sentry: SentryNotifier,
    environ: Mapping[str, str] | None = None,
    rollback_target: RolloutTarget | None = None,
    record: bool = True,
) -> HealthOutcome:
    """Gather, evaluate, act on the breaker's decision when `rollback_target` is given, then
    alert; wrapped in a Sentry Crons check-in.

    With `record` false (an exploratory run) it only gathers and evaluates: no alert state,
    outbox, audit row, notification, check-in or rollback changes anything.
    """
    if not record:
        check = evaluate_health(gather(store, settings, as_of), settings, as_of, check_type)
        return HealthOutcome(check, None, (EXPLORATORY,))
    with monitored(sentry, HEALTH_MONITOR):
        data = gather(store, settings, as_of)
        check = evaluate_health(data, settings, as_of, check_type)
        executed = None
        if rollback_target is not None and check.decision.rollback:
            check, executed = execute_breaker(store, rollback_target, check, data.episode_start)
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
            always_notify=executed.alert_keys() if executed else (),
        )
    notes = tuple(outcome.delivery.errors)
    if executed is not None and executed.error:
        notes += (f"rollback: {executed.error}",)
    return HealthOutcome(check, outcome, notes, executed)


def judges_the_present(as_of: datetime, now: datetime, settings: Settings) -> bool:
    """Whether a run looks at now (within one health interval), not at the past or the
    future: only such a run may act on the breaker's decision."""
    return abs(now - as_of) <= timedelta(minutes=settings.health.interval_minutes)


EXPLORATORY = "exploratory run: alert state unchanged, nothing notified"


def records(
    as_of: datetime, now: datetime, settings: Settings, *, dry_run: bool, record: bool
) -> bool:
    """Whether a run advances the alert lifecycle: one that judges the present (`as_of`
    within one health interval of `now`), or one that asks to (`--record`, to replay
    history); never a `--dry-run`."""
    if dry_run and record:
        raise UsageError("--dry-run and --record contradict each other")
    if dry_run:
        return False
    present = abs(now - as_of) <= timedelta(minutes=settings.health.interval_minutes)
    return record or present


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
    now: datetime | None = None,
    dry_run: bool = False,
    record: bool = False,
) -> tuple[str, Status]:
    """`reportgen health`: run the check on the store, print a view, fill the step summary.

    A run of the past (`as_of` more than one interval before `now`) or a `dry_run` is
    exploratory: it reads the store only, unless `record` asks to replay history into it.
    With `auto_rollback` the breaker's decision is carried out, but only by a run that judges
    the present: never a dry run, nor a past `--as-of` even when `record` replays it.
    """
    recording = records(as_of, now or as_of, settings, dry_run=dry_run, record=record)
    from reportgen.store import Resources, open_store  # late: the store loads DuckDB

    if not settings.store.path.is_file():
        raise StoreError(
            f"store {settings.store.path} does not exist",
            hint="Run `reportgen pull` first to create it.",
        )
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        acts = auto_rollback and not dry_run
        acts = acts and judges_the_present(as_of, now or datetime.now(UTC), settings)
        with open_store(
            settings.store.path,
            wait_seconds=settings.store.wait_seconds,
            read_only=not recording,
            resources=Resources.of(settings.store),
        ) as store:
            target = open_target(settings, store, settings.store.path) if acts else None
            outcome = run_health(
                store,
                settings,
                as_of,
                check_type,
                sentry=sentry,
                environ=environ,
                record=recording,
                rollback_target=target,
            )
    finally:
        sentry.close()  # always flush, whatever happened
    payload = health_view(
        {**outcome.to_dict(), "auto_rollback": auto_rollback, "recorded": recording}
    )
    write_step_summary(health_markdown(payload), environ)
    return render_health(payload, view, width=width, color=color), outcome.check.status
