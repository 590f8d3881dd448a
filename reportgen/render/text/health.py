"""The JSON, Markdown and terminal views of a health check, read from its JSON form.

The Markdown goes to stdout and to `$GITHUB_STEP_SUMMARY`; untrusted text (messages quote
repository names and error text) is escaped like every other Markdown view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reportgen.findings import Severity
from reportgen.render import ReportFormat
from reportgen.render import formatting as fmt
from reportgen.render.text.markdown import escape_markdown
from reportgen.render.text.markdown_table import markdown_table
from reportgen.render.text.table import SEVERITY_STYLES, STATUS_STYLES, as_text, untrusted
from reportgen.report.view import DecisionView, HealthView, NotificationsView, ReplayView

FindingT = TypeVar("FindingT", bound=Mapping[str, Any])


def _number(value: float | None) -> str:
    return fmt.number(value, 1)


# The unit of each rule's value and threshold (see evaluate/rules.py); a rule not named here
# is a plain number (the health score).
_PERCENT_RULES = frozenset(
    {
        "error_rate",
        "error_rate_trend",
        "processing_p95_trend",
        "cost_vs_expected",
        "connection_failure",
        "rollback_executed",
        "rollout_changed",
    }
)
_MINUTE_RULES = frozenset({"data_stale", "queue_oldest_pending"})
_COUNT_RULES = frozenset({"queue_backlog", "stuck_jobs", "processor_silent"})


def rule_value(rule: str, value: float | None) -> str:
    """A finding's value or threshold in its rule's unit: `6 d 9 h`, `12.5%`, `1,204`."""
    if rule in _MINUTE_RULES:
        return fmt.duration_s(None if value is None else value * 60)
    if rule in _PERCENT_RULES:
        return fmt.percent(value)
    if rule in _COUNT_RULES:
        return fmt.count(value)
    return _number(value)


def most_severe_first(findings: Sequence[FindingT]) -> list[FindingT]:
    """Critical first, then warning, inconclusive, info; the check's order within each."""

    def rank(finding: Mapping[str, Any]) -> int:
        try:
            return -Severity(finding["severity"]).rank
        except ValueError:
            return 0

    return sorted(findings, key=rank)


def health_markdown(check: HealthView) -> str:
    """`# Rollout health: CRITICAL`, the findings, the breaker's decision, the notifications."""
    lines = [f"# Rollout health: {check['status'].upper()}", "", _context(check), ""]
    lines += ["## Findings", ""]
    if check["findings"]:
        rows = [
            [
                f["severity"],
                escape_markdown(f["rule"]),
                escape_markdown(f["scope"]),
                rule_value(f["rule"], f["value"]),
                rule_value(f["rule"], f["threshold"]),
                escape_markdown(fmt.readable_durations(f["message"]), 300),
            ]
            for f in most_severe_first(check["findings"])
        ]
        lines += markdown_table(
            ["severity", "rule", "scope", "value", "threshold", "explanation"],
            rows,
            ["left", "left", "left", "right", "right", "left"],
        )
    else:
        lines.append("No findings: every rule is within its thresholds.")
    lines += ["", "## Circuit breaker", "", _decision_line(check["decision"]), ""]
    if check.get("breaker_checks"):
        rows = [
            [
                escape_markdown(c["rule"]),
                escape_markdown(c["scope"]),
                rule_value(c["rule"], c["value"]),
                rule_value(c["rule"], c["threshold"]),
                "yes" if c["tripped"] else "no",
            ]
            for c in check["breaker_checks"]
        ]
        lines += markdown_table(
            ["rule", "scope", "value", "threshold", "tripped"],
            rows,
            ["left", "left", "right", "right", "left"],
        )
        lines.append("")
    notifications = check.get("notifications")
    if notifications:
        lines += ["## Notifications", "", _notifications_line(notifications), ""]
    return "\n".join(lines)


def _context(check: HealthView) -> str:
    window = check["window"]
    rollout = check.get("rollout")
    percentage = rollout["percentage"] if rollout else None
    shown = "unknown" if percentage is None else f"{_number(percentage)} %"
    return (
        f"As of {fmt.timestamp(check['as_of'])} · check `{check['check_type']}` · evaluation "
        f"window {fmt.timestamp(window['start'])} → {fmt.timestamp(window['end'])} · "
        f"rollout {shown} · data as of {fmt.timestamp(check.get('data_as_of'))}"
    )


def _decision_line(decision: DecisionView) -> str:
    verdict = "roll back" if decision["rollback"] else "no rollback"
    done = "executed" if decision["executed"] else "not executed"
    reason = escape_markdown(decision["reason"], 500)
    return f"**Decision: {verdict}** ({done}): {reason}"


def _notifications_line(notifications: NotificationsView) -> str:
    incident = notifications.get("incident")
    line = (
        f"{notifications['notifications']} new · {notifications['delivered']} delivered · "
        f"{notifications['failed']} failed · {notifications['waiting']} waiting"
    )
    return f"{line} · incident issue: {incident}" if incident else line


def health_table(check: HealthView) -> RenderableType:
    """The terminal view: a status line, the findings and the decision."""
    status = Text(f"Rollout health: {check['status'].upper()}")
    status.stylize(STATUS_STYLES.get(check["status"], "bold"))
    findings = Table(title="Findings", title_justify="left")
    for column in ("severity", "rule", "scope"):
        findings.add_column(column)
    findings.add_column("value", justify="right")
    findings.add_column("threshold", justify="right")
    findings.add_column("explanation")
    for f in most_severe_first(check["findings"]):
        findings.add_row(
            Text(f["severity"], style=SEVERITY_STYLES.get(f["severity"], "")),
            untrusted(f["rule"]),
            untrusted(f["scope"]),
            rule_value(f["rule"], f["value"]),
            rule_value(f["rule"], f["threshold"]),
            untrusted(fmt.readable_durations(f["message"]), 120),
        )
    decision = check["decision"]
    verdict = "roll back" if decision["rollback"] else "no rollback"
    done = "executed" if decision["executed"] else "not executed"
    breaker = Text(f"Decision: {verdict} ({done}): ")
    breaker.append(untrusted(decision["reason"], 300))
    return Group(status, Text(fmt.plain_text(_context(check))), findings, breaker)


def render_health(
    payload: HealthView, view: ReportFormat, *, width: int = 100, color: bool = False
) -> str:
    """One view of a health check's JSON form, as text."""
    if view is ReportFormat.JSON:
        if "findings" in payload:
            payload = {**payload, "findings": most_severe_first(payload["findings"])}
        return json.dumps(payload, indent=2) + "\n"
    if view is ReportFormat.MARKDOWN:
        return health_markdown(payload)
    return as_text(health_table(payload), width=width, color=color)


# The notices that open, raise or end an episode: what the human views of a replay list.
_EPISODE_NOTICES = {"firing": "opened", "escalated": "escalated", "resolved": "resolved"}


def render_replay(
    payload: ReplayView, view: ReportFormat, *, width: int = 100, color: bool = False
) -> str:
    """One view of a replay's JSON form: what was replayed, then the episodes' events."""
    if view is ReportFormat.JSON:
        return json.dumps(payload, indent=2) + "\n"
    events = [t for t in payload["transitions"] if t["notice"] in _EPISODE_NOTICES]
    if view is ReportFormat.MARKDOWN:
        lines = ["# Health replay", "", *_replay_summary(payload), ""]
        if events:
            rows = [
                [
                    fmt.timestamp(t["at"]),
                    _EPISODE_NOTICES[str(t["notice"])],
                    t["severity"] or "",
                    escape_markdown(t["rule"]),
                    escape_markdown(t["scope"]),
                ]
                for t in events
            ]
            lines += markdown_table(["when", "episode", "severity", "rule", "scope"], rows)
            lines.append("")
        return "\n".join(lines)
    table = Table(title="Alert episodes", title_justify="left")
    for column in ("when", "episode", "severity", "rule", "scope"):
        table.add_column(column)
    for t in events:
        severity = t["severity"] or ""
        table.add_row(
            fmt.timestamp(t["at"]),
            _EPISODE_NOTICES[str(t["notice"])],
            Text(severity, style=SEVERITY_STYLES.get(severity, "")),
            untrusted(t["rule"]),
            untrusted(t["scope"]),
        )
    summary = [Text(fmt.plain_text(line)) for line in _replay_summary(payload)]
    return as_text(Group(*summary, *([table] if events else [])), width=width, color=color)


def _replay_summary(payload: ReplayView) -> list[str]:
    """`Replayed 96 health runs …`, and what was skipped as already recorded."""
    lines = []
    span = f"from {fmt.timestamp(payload['start'])} to {fmt.timestamp(payload['end'])}"
    if payload["runs"]:
        counts = ", ".join(f"{n} {status}" for status, n in payload["statuses"].items() if n)
        lines.append(
            f"Replayed {payload['runs']} health runs ({payload['check_type']}), every "
            f"{payload['interval_minutes']} min {span}: {counts}. "
            f"{len(payload['transitions'])} alert changes recorded; nothing was sent and "
            "nothing rolled back."
        )
    if payload["skipped"]:
        lines.append(
            f"Skipped {payload['skipped']} runs at or before "
            f"{fmt.timestamp(payload['recorded_until'])}: the alert lifecycle is recorded up "
            "to then, and it only moves forward."
        )
    if not payload["runs"] and not payload["skipped"]:
        lines.append(f"No health run to replay {span}.")
    return lines
