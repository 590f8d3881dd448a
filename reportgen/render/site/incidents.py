"""The alerts page's incidents: alert episodes, and stretches of days with findings.

An incident from the alert lifecycle is a group of overlapping firing episodes
(`events.incidents`). The daily reports' warning and critical findings are grouped the same
way, by stretches of consecutive days that have any, so a reader sees one row per incident
with what fired, what the rollout did, and which reports to read, instead of a flat list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reportgen.render import formatting
from reportgen.render.site.events import Episode, Incident, rollout_label, severity_rank
from reportgen.render.site.pages import Link
from reportgen.render.site.plan import Page

Report = Mapping[str, Any]
SEVERITY_RANK = {"warning": 1, "critical": 2}


# The page lists this many incidents of each kind, newest first (keeps it well under 150 KB).
INCIDENT_LIMIT = 60
ACTION_LEAD = timedelta(hours=1)


@dataclass(frozen=True)
class Found:
    severity: str
    rule: str
    scope: str
    message: str


@dataclass(frozen=True)
class IncidentView:
    """One incident as the alerts page shows it."""

    start: str
    end: str | None  # None while it is still open
    duration: str  # while open: up to `open_until`, else up to the build's as-of
    severity: str
    findings: tuple[Found, ...]
    actions: tuple[str, ...]
    reports: tuple[Link, ...]
    issue: int | None = None
    open_until: str | None = None  # while open: the newest moment the lifecycle was judged at
    firing: tuple[str, ...] = ()  # while open: the alerts still firing, as `rule (scope)`


# What the alerts page reads of a finding and of a rollout change.
FINDING_FIELDS = ("severity", "rule", "scope", "message")
CHANGE_FIELDS = ("created_at", "triggered_by", "action", "previous_percentage", "new_percentage")


def alerts_digest(report: Report) -> dict[str, Any]:
    """The part of a daily report the alerts page reads (its warning and critical findings,
    rollout changes and whether it is partial), in the report's own shape: the build keeps it
    beside the page, so the alerts page is made without reading a year of reports again."""
    changes = (report.get("rollout") or {}).get("changes") or ()
    return {
        "findings": [
            {name: finding[name] for name in FINDING_FIELDS}
            for finding in report.get("findings", [])
            if finding["severity"] in SEVERITY_RANK
        ],
        "period": {"partial": bool(report["period"].get("partial"))},
        "rollout": {"changes": [{name: c.get(name) for name in CHANGE_FIELDS} for c in changes]},
    }


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _duration(start: datetime, end: datetime) -> str:
    return formatting.duration_s((end - start).total_seconds())


def _actions(daily: Sequence[tuple[Page, Report]], start: datetime, end: datetime) -> list[str]:
    """Rollout changes made from the incident's start to its end (or now, while open)."""
    found = []
    for _, report in daily:
        for change in (report.get("rollout") or {}).get("changes") or ():
            at = _moment(change["created_at"])
            if start <= at <= end:
                by = change.get("triggered_by")
                found.append(
                    f"{formatting.timestamp(at.isoformat())}: {rollout_label(change)}"
                    + (f" by {by}" if by else "")
                )
    return found


def _reports(daily: Sequence[tuple[Page, Report]], start: datetime, end: datetime) -> list[Link]:
    return [
        Link(page.path, page.key)
        for page, _ in daily
        if page.period is not None and page.period.start_utc < end and page.period.end_utc > start
    ]


def from_episodes(
    groups: Sequence[Incident], daily: Sequence[tuple[Page, Report]], now: datetime
) -> list[IncidentView]:
    """The alert lifecycle's incidents (open first, then newest first)."""
    views = []
    for incident in groups[:INCIDENT_LIMIT]:
        end = incident.end or incident.until or now
        findings = _peaks(incident.episodes)
        views.append(
            IncidentView(
                start=incident.start.isoformat(),
                end=incident.end.isoformat() if incident.end else None,
                duration=_duration(incident.start, end),
                severity=incident.severity,
                findings=findings,
                # A breaker acts within the evaluation window before an alert fires.
                actions=tuple(_actions(daily, incident.start - ACTION_LEAD, end)),
                reports=tuple(_reports(daily, incident.start, end)),
                issue=next((e.issue_number for e in incident.episodes if e.issue_number), None),
                open_until=None
                if incident.end is not None or incident.until is None
                else incident.until.isoformat(),
                firing=tuple(f"{e.rule} ({e.scope})" for e in incident.episodes if e.end is None),
            )
        )
    return views


def _peaks(found: Sequence[Episode]) -> tuple[Found, ...]:
    """One finding per alert (rule and scope): its most severe episode's last message (the
    newest among equals), most severe first. An alert that fired twice in one incident is
    one line, at its peak."""
    peak: dict[tuple[str, str], Episode] = {}
    for episode in found:  # oldest first: a later episode of the same severity replaces
        if not episode.messages:
            continue
        known = peak.get((episode.rule, episode.scope))
        if known is None or severity_rank(episode.severity) >= severity_rank(known.severity):
            peak[(episode.rule, episode.scope)] = episode
    ordered = sorted(peak.values(), key=lambda e: -severity_rank(e.severity))
    return tuple(Found(e.severity, e.rule, e.scope, e.messages[-1]) for e in ordered)


def from_daily_findings(daily: Sequence[tuple[Page, Report]]) -> list[IncidentView]:
    """Stretches of consecutive days with warning or critical findings, newest first."""
    runs: list[list[tuple[Page, Report]]] = []
    previous_end: datetime | None = None
    for page, report in daily:
        if page.period is None:
            continue
        alerting = [f for f in report.get("findings", []) if f["severity"] in SEVERITY_RANK]
        if not alerting:
            previous_end = None
            continue
        if runs and previous_end == page.period.start_utc:
            runs[-1].append((page, report))
        else:
            runs.append([(page, report)])
        previous_end = page.period.end_utc
    views = [_run_view(run, daily) for run in reversed(runs)]
    return views[:INCIDENT_LIMIT]


def _run_view(
    run: Sequence[tuple[Page, Report]], daily: Sequence[tuple[Page, Report]]
) -> IncidentView:
    first, last = run[0][0].period, run[-1][0].period
    assert first is not None and last is not None
    start, end = first.start_utc, last.end_utc
    peak: dict[tuple[str, str], Found] = {}
    for _, report in run:
        for f in report.get("findings", []):
            if f["severity"] not in SEVERITY_RANK:
                continue
            key = (f["rule"], f["scope"])
            known = peak.get(key)
            if known is None or SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[known.severity]:
                peak[key] = Found(f["severity"], f["rule"], f["scope"], f["message"])
    findings = sorted(peak.values(), key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.scope))
    partial = bool(run[-1][1]["period"].get("partial"))
    return IncidentView(
        start=first.start.isoformat(),
        end=None if partial else last.end.isoformat(),
        duration=f"{len(run)} day{'s' if len(run) != 1 else ''}",
        severity=findings[0].severity if findings else "warning",
        findings=tuple(findings),
        actions=tuple(_actions(daily, start, end - timedelta(microseconds=1))),
        reports=tuple(Link(page.path, page.key) for page, _ in run),
    )
