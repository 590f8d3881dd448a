"""From a run's rule results to delivered notifications: advance each alert's lifecycle, write
the new states and the outbox in one transaction, then deliver (gather, then write, then send).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from reportgen.config import HealthSettings, Settings
from reportgen.evaluate.lifecycle import Observation, advance, observe
from reportgen.findings import AlertState, Decision, Finding, State, Transition
from reportgen.notify import outbox
from reportgen.notify.github import IssueTracker
from reportgen.notify.incident import IncidentUpdate, plan_incident
from reportgen.notify.issue_text import IssueLinks
from reportgen.notify.message import AlertNotice
from reportgen.notify.sentry import SentryNotifier
from reportgen.store import alerts
from reportgen.store.alerts import HasConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyOutcome:
    transitions: Sequence[Transition]
    notices: Sequence[AlertNotice]
    incident: IncidentUpdate | None
    delivery: outbox.DeliveryReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "notifications": len(self.notices),
            "incident": self.incident.action if self.incident else None,
            "delivered": self.delivery.delivered,
            "failed": self.delivery.failed,
            "waiting": self.delivery.waiting,
        }


@dataclass(frozen=True)
class Plan:
    """One run's alert changes: rows to save, notices to send, the incident issue's update."""

    transitions: list[Transition]
    notices: list[AlertNotice]
    incident: IncidentUpdate | None


def plan(
    states: Mapping[str, AlertState],
    results: Sequence[Finding],
    *,
    feature: str,
    as_of: datetime,
    health: HealthSettings,
    evaluated_rules: Collection[tuple[str, str]] | None,
    run_conclusive: bool,
    rollout_percentage: float | None,
) -> Plan:
    """Advance every alert this run speaks for (pure).

    Alerts of rules this run evaluated, given as (rule, scope kind) pairs such as
    ("error_rate", "processor"), but did not report are advanced too (their rule found nothing
    to flag); with `evaluated_rules=None` only the reported keys move.
    """
    by_key = {result.key: result for result in results}
    keys = list(by_key)
    if evaluated_rules is not None:
        keys += [
            key
            for key, state in states.items()
            if key not in by_key and (state.rule, scope_kind(state.scope)) in evaluated_rules
        ]
    after = dict(states)
    transitions, notices = [], []
    for key in keys:
        result = by_key.get(key)
        previous = states.get(key) or AlertState(
            key=key, rule=result.rule if result else "", scope=result.scope if result else ""
        )
        observation = observe(result, run_conclusive)
        if key not in states and observation is not Observation.BREACH:
            continue  # nothing has happened to this alert yet: no row needed
        transition = advance(previous, result, observation, as_of, health)
        after[key] = transition.state
        if _worth_saving(previous, transition):
            transitions.append(transition)
        if transition.notification is not None:
            notices.append(_notice(transition, result, as_of, rollout_percentage))
    incident = plan_incident(feature, states, after, notices)
    return Plan(transitions, notices, incident)


def scope_kind(scope: str) -> str:
    """`processor:inngest` → `processor`; `overall` → `overall`."""
    return scope.partition(":")[0]


def _worth_saving(previous: AlertState, transition: Transition) -> bool:
    """Skip rows where only the evaluation time moved, so a quiet run writes almost nothing."""
    new = transition.state
    same = replace(
        new,
        last_evaluated=previous.last_evaluated,
        message=previous.message,
        value=previous.value,
        threshold=previous.threshold,
    )
    return same != previous or new.state in {State.FIRING, State.PENDING}


def _notice(
    transition: Transition, result: Finding | None, as_of: datetime, percentage: float | None
) -> AlertNotice:
    state, notification = transition.state, transition.notification
    assert notification is not None
    scope_kind, _, scope_name = state.scope.partition(":")
    first_seen = state.first_seen or transition.state.firing_since
    return AlertNotice(
        key=state.key,
        kind=notification.kind,
        severity=notification.severity,
        rule=state.rule,
        scope=state.scope,
        message=state.message,
        value=state.value,
        threshold=state.threshold,
        counts=dict(result.counts) if result is not None else {},
        processor=scope_name if scope_kind == "processor" else None,
        rollout_percentage=percentage,
        first_seen=first_seen.isoformat() if first_seen else None,
        as_of=as_of.isoformat(),
    )


def dispatch(
    store: HasConnection,
    results: Sequence[Finding],
    settings: Settings,
    as_of: datetime,
    *,
    sentry: SentryNotifier,
    environ: Mapping[str, str] | None = None,
    evaluated_rules: Collection[tuple[str, str]] | None = None,
    run_conclusive: bool = True,
    rollout_percentage: float | None = None,
    decision: Decision | None = None,
) -> NotifyOutcome:
    """Advance, persist, then deliver; Sentry or GitHub failing never raises from here."""
    env = os.environ if environ is None else environ
    planned = plan(
        alerts.load_states(store),
        results,
        feature=settings.report.feature,
        as_of=as_of,
        health=settings.health,
        evaluated_rules=evaluated_rules,
        run_conclusive=run_conclusive,
        rollout_percentage=rollout_percentage,
    )
    tracker = IssueTracker.from_settings(settings, env)
    entries = outbox.entries_for(
        planned.notices,
        planned.incident,
        sentry=sentry.enabled,
        github=tracker is not None,
        at=as_of,
    )
    for notice in planned.notices if not sentry.enabled else ():
        sentry.send(notice)  # no DSN: the alert is logged (and kept in the alert history)
    alerts.save_run(store, planned.transitions, entries, decision, as_of, rollout_percentage)
    links = IssueLinks.from_settings(settings, env)
    try:
        delivery = outbox.deliver(store, sentry, tracker, links, as_of)
    finally:
        if tracker is not None:
            tracker.close_client()
    return NotifyOutcome(planned.transitions, planned.notices, planned.incident, delivery)


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
