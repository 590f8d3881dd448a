"""The outbox: every notification is written to the store first, then delivered; what Sentry
or GitHub did not accept stays there and is retried, in order, on the next run.

A run's own notifications and those left over from earlier runs go through the same path, so
"delivered on the next run" needs no special case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportgen.errors import NotifyError
from reportgen.notify import issue_text
from reportgen.notify.github import IssueTracker
from reportgen.notify.incident import IncidentUpdate
from reportgen.notify.issue_text import IssueLinks
from reportgen.notify.message import AlertNotice
from reportgen.notify.sentry import SentryNotifier
from reportgen.store import alerts
from reportgen.store.alerts import HasConnection, OutboxEntry

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one delivery pass achieved, for the command's output and logs."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def entries_for(
    notices: Sequence[AlertNotice],
    incident: IncidentUpdate | None,
    *,
    sentry: bool,
    github: bool,
    at: datetime,
) -> list[OutboxEntry]:
    """The outbox entries for this run's notifications on the channels that are configured:
    one Sentry event per notification, at most one incident-issue action."""
    entries = []
    if sentry:
        entries += [OutboxEntry("sentry", n.key, n.kind, n.to_dict(), at) for n in notices]
    if github and incident is not None:
        payload = {"notices": [n.to_dict() for n in incident.notices]}
        entries.append(OutboxEntry("github", incident.key, incident.action, payload, at))
    return entries


def deliver(
    store: HasConnection,
    sentry: SentryNotifier,
    tracker: IssueTracker | None,
    links: IssueLinks,
    at: datetime,
) -> DeliveryReport:
    """Try every undelivered entry, oldest first; a failed issue action holds back the later
    ones of the same incident so comments never arrive before their issue."""
    report = DeliveryReport()
    blocked: set[str] = set()
    for entry in alerts.undelivered(store):
        assert entry.id is not None
        unavailable = tracker is None if entry.channel == "github" else not sentry.enabled
        if unavailable or (entry.channel == "github" and entry.key in blocked):
            report.waiting += 1
            continue
        try:
            ref = _send(entry, sentry, tracker, links)
        except NotifyError as exc:
            blocked.add(entry.key)
            alerts.record_attempt(store, entry.id, at, error=str(exc))
            report.failed += 1
            report.errors.append(f"{entry.channel}: {exc}")
            continue
        alerts.record_attempt(store, entry.id, at, delivered_ref=ref)
        report.delivered += 1
        if entry.channel == "sentry":
            alerts.remember_delivery(store, [entry.key], sentry_event_id=ref)
        elif ref.isdigit():
            keys = [notice["key"] for notice in entry.payload["notices"]]
            alerts.remember_delivery(store, keys, issue_number=int(ref))
    if report.failed:
        log.warning(
            "%d notifications not delivered; kept in the outbox for the next run", report.failed
        )
    return report


def _send(
    entry: OutboxEntry,
    sentry: SentryNotifier,
    tracker: IssueTracker | None,
    links: IssueLinks,
) -> str:
    """Deliver one entry; its Sentry event id or issue number ('' when nothing was due)."""
    if entry.channel == "sentry":
        event_id = sentry.send(AlertNotice.from_dict(entry.payload))
        if event_id is None:
            raise NotifyError("Sentry did not accept the event")
        return event_id
    assert tracker is not None
    notices = [AlertNotice.from_dict(n) for n in entry.payload["notices"]]
    return _issue_action(entry.key, entry.kind, notices, tracker, links)


def _issue_action(
    key: str,
    action: str,
    notices: Sequence[AlertNotice],
    tracker: IssueTracker,
    links: IssueLinks,
) -> str:
    existing = tracker.find_open(key)
    if action == "close":
        if existing is None:
            return ""  # closed by hand, or never opened: nothing left to do
        tracker.close(key, existing.number, issue_text.comment("close", notices, links))
        return str(existing.number)
    if existing is not None:
        tracker.comment(existing.number, issue_text.comment("comment", notices, links))
        return str(existing.number)
    if not notices:
        return ""
    opened = tracker.open_incident(key, issue_text.title(notices), issue_text.body(notices, links))
    return str(opened.number)
