"""The JSON, Markdown and terminal views of a health check, read from its JSON form.

The Markdown goes to stdout and to `$GITHUB_STEP_SUMMARY`; untrusted text (messages quote
repository names and error text) is escaped like every other Markdown view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reportgen.render import ReportFormat
from reportgen.render import formatting as fmt
from reportgen.render.text.markdown import escape_markdown
from reportgen.render.text.table import SEVERITY_STYLES, STATUS_STYLES, as_text, untrusted


def _number(value: float | None) -> str:
    return fmt.number(value, 1)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def health_markdown(check: Mapping[str, Any]) -> str:
    """`# Rollout health: CRITICAL`, the findings, the breaker's decision, the notifications."""
    lines = [f"# Rollout health: {check['status'].upper()}", "", _context(check), ""]
    lines += ["## Findings", ""]
    if check["findings"]:
        lines.append(_row(["severity", "rule", "scope", "value", "threshold", "explanation"]))
        lines.append(_row([":---", ":---", ":---", "---:", "---:", ":---"]))
        lines += [
            _row(
                [
                    f["severity"],
                    escape_markdown(f["rule"]),
                    escape_markdown(f["scope"]),
                    _number(f["value"]),
                    _number(f["threshold"]),
                    escape_markdown(f["message"], 300),
                ]
            )
            for f in check["findings"]
        ]
    else:
        lines.append("No findings: every rule is within its thresholds.")
    lines += ["", "## Circuit breaker", "", _decision_line(check["decision"]), ""]
    if check.get("breaker_checks"):
        lines.append(_row(["rule", "scope", "value", "threshold", "tripped"]))
        lines.append(_row([":---", ":---", "---:", "---:", ":---"]))
        lines += [
            _row(
                [
                    escape_markdown(c["rule"]),
                    escape_markdown(c["scope"]),
                    _number(c["value"]),
                    _number(c["threshold"]),
                    "yes" if c["tripped"] else "no",
                ]
            )
            for c in check["breaker_checks"]
        ]
        lines.append("")
    notifications = check.get("notifications")
    if notifications:
        lines += ["## Notifications", "", _notifications_line(notifications), ""]
    return "\n".join(lines)


def _context(check: Mapping[str, Any]) -> str:
    window = check["window"]
    rollout = check.get("rollout") or {}
    percentage = rollout.get("percentage")
    shown = "unknown" if percentage is None else f"{_number(percentage)} %"
    return (
        f"As of {fmt.timestamp(check['as_of'])} · check `{check['check_type']}` · evaluation "
        f"window {fmt.timestamp(window['start'])} → {fmt.timestamp(window['end'])} · "
        f"rollout {shown} · data as of {fmt.timestamp(check.get('data_as_of'))}"
    )


def _decision_line(decision: Mapping[str, Any]) -> str:
    verdict = "roll back" if decision["rollback"] else "no rollback"
    done = "executed" if decision["executed"] else "not executed"
    reason = escape_markdown(decision["reason"], 500)
    return f"**Decision: {verdict}** ({done}): {reason}"


def _notifications_line(notifications: Mapping[str, Any]) -> str:
    incident = notifications.get("incident")
    line = (
        f"{notifications['notifications']} new · {notifications['delivered']} delivered · "
        f"{notifications['failed']} failed · {notifications['waiting']} waiting"
    )
    return f"{line} · incident issue: {incident}" if incident else line


def health_table(check: Mapping[str, Any]) -> RenderableType:
    """The terminal view: a status line, the findings and the decision."""
    status = Text(f"Rollout health: {check['status'].upper()}")
    status.stylize(STATUS_STYLES.get(check["status"], "bold"))
    findings = Table(title="Findings", title_justify="left")
    for column in ("severity", "rule", "scope"):
        findings.add_column(column)
    findings.add_column("value", justify="right")
    findings.add_column("threshold", justify="right")
    findings.add_column("explanation")
    for f in check["findings"]:
        findings.add_row(
            Text(f["severity"], style=SEVERITY_STYLES.get(f["severity"], "")),
            untrusted(f["rule"]),
            untrusted(f["scope"]),
            _number(f["value"]),
            _number(f["threshold"]),
            untrusted(f["message"], 120),
        )
    decision = check["decision"]
    verdict = "roll back" if decision["rollback"] else "no rollback"
    done = "executed" if decision["executed"] else "not executed"
    breaker = Text(f"Decision: {verdict} ({done}): ")
    breaker.append(untrusted(decision["reason"], 300))
    return Group(status, Text(fmt.plain_text(_context(check))), findings, breaker)


def render_health(
    payload: dict[str, Any], view: ReportFormat, *, width: int = 100, color: bool = False
) -> str:
    """One view of a health check's JSON form, as text."""
    if view is ReportFormat.JSON:
        return json.dumps(payload, indent=2) + "\n"
    if view is ReportFormat.MARKDOWN:
        return health_markdown(payload)
    return as_text(health_table(payload), width=width, color=color)
