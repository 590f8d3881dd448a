"""Incidents: one GitHub issue per incident, not per alert (like upptime, one issue per outage).

An incident is a stretch of time during which at least one critical alert is firing. Its issue
opens when the first critical alert fires, gets a comment when another alert turns critical
while it is open (escalation), and closes when the last critical alert has resolved. Each
alert keeps its own key (Sentry fingerprint, state row); the issue carries the incident key of
the feature in its marker and lists the keys of the alerts it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from reportgen.findings import AlertState, alert_key
from reportgen.notify.message import AlertNotice

IssueAction = Literal["open", "comment", "close"]


@dataclass(frozen=True)
class IncidentUpdate:
    """What this run does to the feature's incident issue, with the notices that explain it."""

    key: str
    action: IssueAction
    notices: tuple[AlertNotice, ...]


def incident_key(feature: str) -> str:
    return alert_key(feature, "incident", "overall")


def critical_open(states: Iterable[AlertState]) -> list[AlertState]:
    """The alerts keeping an incident open: critical and not yet resolved."""
    return [s for s in states if s.firing_since is not None and s.severity == "critical"]


def plan_incident(
    feature: str,
    before: Mapping[str, AlertState],
    after: Mapping[str, AlertState],
    notices: Sequence[AlertNotice],
) -> IncidentUpdate | None:
    """Open, comment on or close the incident issue; None when nothing changed for it."""
    was_open = bool(critical_open(before.values()))
    is_open = bool(critical_open(after.values()))
    turned_critical = tuple(
        n for n in notices if n.severity == "critical" and n.kind in ("firing", "escalated")
    )
    key = incident_key(feature)
    if is_open and not was_open:
        return IncidentUpdate(key, "open", turned_critical)
    if is_open and turned_critical:
        return IncidentUpdate(key, "comment", turned_critical)
    if was_open and not is_open:
        resolved = tuple(n for n in notices if n.kind == "resolved" and n.severity == "critical")
        return IncidentUpdate(key, "close", resolved)
    return None
