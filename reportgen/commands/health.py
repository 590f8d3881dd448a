"""`reportgen health`: judge the rollout now, then alert, then report.

Stages: gather the jobs health needs from the store (one read), evaluate (pure: window
metrics, rules, the health-score hold, the breaker), then advance the alerts and notify
(state and outbox written first, delivery after). Sentry or GitHub being down never changes
the result: undelivered notifications wait in the outbox for the next run.

`--replay START..END` runs the same check every health interval over a stretch of the past in
one process: one read for every run, the alert lifecycle advanced in memory run after run
(exactly as separate runs would through the store), one transaction at the end. It records
what the monitor would have recorded and sends nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import polars as pl

from reportgen.compute.queue import queue_time
from reportgen.config import Settings
from reportgen.control.auto_rollback import AutoRollback, execute_breaker
from reportgen.control.target import RolloutTarget, open_target
from reportgen.errors import UsageError
from reportgen.evaluate.health import (
    HealthCheck,
    HealthData,
    WindowMemo,
    evaluate_health,
    evaluated_rules,
)
from reportgen.evaluate.rules import BREAKER_RULES, CheckType
from reportgen.findings import AlertState, State, Status, Transition
from reportgen.notify.dispatch import NotifyOutcome, dispatch, plan
from reportgen.notify.sentry import HEALTH_MONITOR, SentryNotifier, monitored
from reportgen.notify.step_summary import write_step_summary
from reportgen.periods import custom, parse_bound
from reportgen.render import ReportFormat
from reportgen.render.text.health import health_markdown, render_health, render_replay
from reportgen.report.view import health_view, replay_view
from reportgen.store import alerts, open_configured
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


# Health judges what was pulled: a missing store is an error, never created empty.
_PULL_FIRST = "Run `reportgen pull` first to create it."


def gather(store: HealthStore, settings: Settings, as_of: datetime) -> HealthData:
    """The one read health makes: two monitoring windows of jobs, the queue, the rollout."""
    monitoring = timedelta(hours=settings.health.monitoring_window_hours)
    data_as_of = store.data_as_of()
    span = store.jobs_span()
    return HealthData(
        jobs=store.jobs_created(as_of - 2 * monitoring, as_of),
        open_jobs=store.jobs_open_at(queue_time(as_of, data_as_of)),
        configuration=store.table("rollout_configuration"),
        history=store.table("rollout_history"),
        episode_start=episode_start(alerts.load_states(store), settings, as_of),
        data_as_of=data_as_of,
        data_start=span[0] if span else None,
    )


def episode_start(
    states: Mapping[str, AlertState], settings: Settings, as_of: datetime
) -> datetime:
    """Since when a rollback counts as this episode's: the evaluation window's start, or the
    start of a breaker rule's alert that is still open, whichever is earlier."""
    open_since = [
        s.firing_since
        for s in states.values()
        if s.rule in BREAKER_RULES and s.firing_since is not None and s.state is not State.RESOLVED
    ]
    window_start = as_of - timedelta(minutes=settings.health.evaluation_window_minutes)
    return min([window_start, *open_since])


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
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        acts = auto_rollback and not dry_run
        acts = acts and judges_the_present(as_of, now or datetime.now(UTC), settings)
        with open_configured(settings.store, read_only=not recording, missing=_PULL_FIRST) as store:
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


class ReplayStore(HealthStore, Protocol):
    """What a replay reads from the store besides what one run does."""

    def jobs_open_between(self, start: datetime, end: datetime) -> pl.DataFrame: ...


@dataclass(frozen=True)
class HealthHistory:
    """What a replay reads once: the jobs every run of it judges, the rollout, the data span.

    `open_jobs` holds every job open at some run's queue time (and a few more):
    `queue_state` keeps those open at its own moment, so each run judges the queue exactly as
    it would from `jobs_open_at`.
    """

    jobs: pl.DataFrame  # created from the first run's two monitoring windows to the last run
    open_jobs: pl.DataFrame
    configuration: pl.DataFrame
    history: pl.DataFrame
    data_as_of: datetime | None
    data_start: datetime | None

    def at(
        self, as_of: datetime, states: Mapping[str, AlertState], settings: Settings
    ) -> HealthData:
        """What `gather` would read at `as_of` with the alert lifecycle in `states`."""
        monitoring = timedelta(hours=settings.health.monitoring_window_hours)
        created = self.jobs["created_at"]
        first = created.search_sorted(as_of - 2 * monitoring, side="left")
        last = created.search_sorted(as_of, side="left")
        return HealthData(
            jobs=self.jobs.slice(first, last - first),
            open_jobs=self.open_jobs,
            configuration=self.configuration,
            history=self.history,
            episode_start=episode_start(states, settings, as_of),
            data_as_of=self.data_as_of,
            data_start=self.data_start,
        )


def gather_history(
    store: ReplayStore, settings: Settings, first: datetime, last: datetime
) -> HealthHistory:
    """One read for the runs from `first` to `last` (both included)."""
    monitoring = timedelta(hours=settings.health.monitoring_window_hours)
    data_as_of = store.data_as_of()
    span = store.jobs_span()
    return HealthHistory(
        jobs=store.jobs_created(first - 2 * monitoring, last),
        open_jobs=store.jobs_open_between(
            queue_time(first, data_as_of), queue_time(last, data_as_of)
        ),
        configuration=store.table("rollout_configuration"),
        history=store.table("rollout_history"),
        data_as_of=data_as_of,
        data_start=span[0] if span else None,
    )


@dataclass(frozen=True)
class ReplayRun:
    as_of: datetime
    status: Status
    changes: tuple[Transition, ...]  # what this run wrote to the alert history


@dataclass(frozen=True)
class ReplayOutcome:
    """A replay: the runs it recorded, and those it skipped as already recorded."""

    start: datetime
    end: datetime
    interval_minutes: int
    check_type: CheckType
    runs: tuple[ReplayRun, ...]
    skipped: int
    recorded_until: datetime | None  # the lifecycle's newest moment before the replay

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of `reportgen health --replay`."""
        statuses = Counter(run.status.value for run in self.runs)
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "interval_minutes": self.interval_minutes,
            "check_type": self.check_type.value,
            "runs": len(self.runs),
            "skipped": self.skipped,
            "recorded_until": None
            if self.recorded_until is None
            else self.recorded_until.isoformat(),
            "statuses": {status.value: statuses[status.value] for status in Status},
            "transitions": [
                {
                    "at": run.as_of.isoformat(),
                    "rule": change.state.rule,
                    "scope": change.state.scope,
                    "from_state": change.previous.value,
                    "to_state": change.state.state.value,
                    "severity": change.state.severity,
                    "notice": change.notification.kind if change.notification else None,
                    "message": change.state.message,
                }
                for run in self.runs
                for change in run.changes
            ],
            "notifications_sent": 0,
        }


def replay_steps(start: datetime, end: datetime, interval: timedelta) -> list[datetime]:
    """The runs of a replay: `start`, then every `interval`, before `end`."""
    count = max(0, -(-(end - start) // interval))
    return [start + n * interval for n in range(count)]


def replay(
    store: ReplayStore, settings: Settings, steps: Sequence[datetime], check_type: CheckType
) -> tuple[list[ReplayRun], int, datetime | None]:
    """Run health at each of `steps` (in order) and record the alert lifecycle in one
    transaction; nothing is notified, checked in or rolled back.

    Steps at or before the lifecycle's newest recorded moment are skipped, so replaying the
    same stretch again changes nothing. Returns the runs, how many were skipped, and that
    moment.
    """
    until = alerts.recorded_until(store)
    todo = [step for step in steps if until is None or step > until]
    if not todo:
        return [], len(steps), until
    history = gather_history(store, settings, todo[0], todo[-1])
    states = alerts.load_states(store)
    records, runs, memo = [], [], WindowMemo()
    for as_of in todo:
        data = history.at(as_of, states, settings)
        check = evaluate_health(data, settings, as_of, check_type, memo)
        percentage = check.rollout.percentage if check.rollout else None
        planned = plan(
            states,
            check.results,
            feature=settings.report.feature,
            as_of=check.as_of,
            health=settings.health,
            evaluated_rules=evaluated_rules(check_type),
            run_conclusive=check.conclusive,
            rollout_percentage=percentage,
        )
        # Only what a run saves carries over, exactly as separate runs read it back.
        states.update((t.state.key, t.state) for t in planned.transitions)
        records.append(
            alerts.RunRecord(check.as_of, planned.transitions, (), check.decision, percentage)
        )
        history_rows = tuple(t for t in planned.transitions if t.changed or t.notification)
        runs.append(ReplayRun(check.as_of, check.status, history_rows))
    alerts.save_runs(store, records)
    return runs, len(steps) - len(todo), until


def replay_span(text: str, timezone: str, as_of: datetime) -> tuple[datetime, datetime]:
    """`--replay START..END` (dates or ISO 8601 times; END exclusive) in UTC."""
    first, separator, last = text.partition("..")
    hint = "Write START..END, e.g. --replay 2026-11-18..2026-11-19 (END is exclusive)."
    if not separator:
        raise UsageError(f"--replay {text!r} is not START..END", hint=hint)
    try:
        start, end = parse_bound(first), parse_bound(last)
    except ValueError:
        raise UsageError(
            f"--replay {text!r}: START and END must be ISO 8601 dates or times", hint=hint
        ) from None
    try:
        period = custom(start, end, timezone, as_of)
    except UsageError as exc:  # "custom period end … is not after its start …"
        message = f"--replay {text!r}: {exc}".replace("custom period ", "")
        raise UsageError(message, hint=hint) from None
    return period.start_utc, period.end_utc


def replay_command(
    settings: Settings,
    as_of: datetime,
    span: str,
    check_type: CheckType,
    view: ReportFormat,
    *,
    width: int = 100,
    color: bool = False,
) -> str:
    """`reportgen health --replay START..END`: record the alert lifecycle of the past, one run
    every health interval from START up to END (exclusive) or `as_of`, whichever is first."""
    start, end = replay_span(span, settings.report.timezone, as_of)
    interval = timedelta(minutes=settings.health.interval_minutes)
    steps = [step for step in replay_steps(start, end, interval) if step <= as_of]
    with open_configured(settings.store, missing=_PULL_FIRST) as store:
        runs, skipped, until = replay(store, settings, steps, check_type)
    outcome = ReplayOutcome(
        start=start,
        end=end,
        interval_minutes=settings.health.interval_minutes,
        check_type=check_type,
        runs=tuple(runs),
        skipped=skipped,
        recorded_until=until,
    )
    return render_replay(replay_view(outcome.to_dict()), view, width=width, color=color)
