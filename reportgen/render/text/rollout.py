"""The views of rollout control: the rollback report, `rollout status` and `rollout history`,
each read from its JSON form. Reasons and `triggered_by` are typed by people (or workflow
inputs), so they are escaped like any untrusted text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reportgen.render import ReportFormat
from reportgen.render import formatting as fmt
from reportgen.render.text.markdown import escape_markdown
from reportgen.render.text.table import as_text, untrusted


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} %"


def _flag(value: bool | None) -> str:
    return "n/a" if value is None else "yes" if value else "no"


def rollback_markdown(report: Mapping[str, Any]) -> str:
    """`# Rollout rollback: rolled back`, what changed, where, and the notifications."""
    lines = [
        f"# Rollout rollback: {report['outcome'].replace('_', ' ')}",
        "",
        escape_markdown(report["message"]),
        "",
        _row(["", ""]),
        _row([":---", ":---"]),
        _row(["feature", escape_markdown(report["feature"])]),
        _row(["target", escape_markdown(report["target"])]),
        _row(["action", report["action"]]),
        _row(["percentage", f"{_pct(report['previous_percentage'])} → "
                            f"{_pct(report['new_percentage'])}"]),
        _row(["emergency stop", _flag(report["emergency_stop"])]),
        _row(["reason", escape_markdown(report["reason"], 500)]),
        _row(["triggered by", escape_markdown(report["triggered_by"])]),
        _row(["at", report["at"]]),
        _row(["history row", report["history_id"] or "none"]),
        _row(["verified", _flag(report["verified"])]),
    ]  # fmt: skip
    notifications = report.get("notifications")
    if notifications:
        lines += [
            "",
            f"Notifications: {notifications['notifications']} sent, "
            f"incident issue: {notifications['incident'] or 'unchanged'}, "
            f"{notifications['waiting'] + notifications['failed']} waiting in the outbox.",
        ]
    return "\n".join(lines) + "\n"


def _rollback_table(report: Mapping[str, Any]) -> RenderableType:
    table = Table(title=f"Rollout rollback: {report['outcome'].replace('_', ' ')}")
    table.add_column("")
    table.add_column("")
    for label, value in (
        ("feature", report["feature"]),
        ("target", report["target"]),
        ("percentage", f"{_pct(report['previous_percentage'])} → {_pct(report['new_percentage'])}"),
        ("emergency stop", _flag(report["emergency_stop"])),
        ("reason", report["reason"]),
        ("triggered by", report["triggered_by"]),
        ("at", report["at"]),
        ("verified", _flag(report["verified"])),
    ):
        table.add_row(label, untrusted(value, 120))
    return Group(Text(fmt.plain_text(report["message"])), table)


def status_markdown(status: Mapping[str, Any]) -> str:
    """The active row, its eligibility counts and its last changes."""
    row = status["configuration"]
    lines = [f"# Rollout status: {escape_markdown(status['feature'])}", ""]
    lines.append(f"Target: {escape_markdown(status['target'])}")
    lines.append("")
    if row is None:
        lines.append("No active rollout configuration.")
        return "\n".join(lines) + "\n"
    lines += [_row(["setting", "value"]), _row([":---", ":---"])]
    lines += [_row([escape_markdown(k), escape_markdown(v)]) for k, v in _settings(row)]
    counts = status["eligibility"]
    lines += ["", "## Eligible repositories", "", f"Rule: {escape_markdown(counts['rule'])}", ""]
    lines += [_row(["category", "repositories", "eligible"]), _row([":---", "---:", "---:"])]
    for category, numbers in counts["by_category"].items():
        lines.append(_row([escape_markdown(category), fmt.count(numbers["repositories"]),
                           _count(numbers["eligible"])]))  # fmt: skip
    lines.append(_row(["**all**", fmt.count(counts["repositories"]), _count(counts["eligible"])]))
    lines += ["", "## Last changes", "", *_history_lines(status["history"])]
    return "\n".join(lines) + "\n"


def history_markdown(history: Mapping[str, Any]) -> str:
    lines = [f"# Rollout history: {escape_markdown(history['feature'])}", ""]
    lines += [f"Target: {escape_markdown(history['target'])}", ""]
    lines += _history_lines(history["changes"])
    return "\n".join(lines) + "\n"


def _history_lines(changes: Sequence[Mapping[str, Any]]) -> list[str]:
    if not changes:
        return ["No changes recorded."]
    lines = [
        _row(["at", "action", "from", "to", "triggered by", "reason"]),
        _row([":---", ":---", "---:", "---:", ":---", ":---"]),
    ]
    for change in changes:
        lines.append(
            _row(
                [
                    change["created_at"],
                    escape_markdown(change["action"]),
                    _pct(change["previous_percentage"]),
                    _pct(change["new_percentage"]),
                    escape_markdown(change["triggered_by"]),
                    escape_markdown(change["reason"], 300),
                ]
            )
        )
    return lines


def _count(value: int | None) -> str:
    return "n/a" if value is None else fmt.count(value)


def _settings(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        ("rollout_percentage", _pct(row["rollout_percentage"])),
        ("is_active", _flag(row["is_active"])),
        ("rollout_strategy", str(row["rollout_strategy"] or "n/a")),
        ("max_error_rate", _pct(row["max_error_rate"])),
        ("auto_rollback_enabled", _flag(row["auto_rollback_enabled"])),
        ("emergency_stop", _flag(row["emergency_stop"])),
        ("target_repositories", fmt.count(len(row["target_repositories"]))),
        ("excluded_repositories", fmt.count(len(row["excluded_repositories"]))),
        ("updated_at", str(row["updated_at"] or "n/a")),
    ]


def _status_table(status: Mapping[str, Any]) -> RenderableType:
    head = Text(fmt.plain_text(f"Rollout status: {status['feature']} ({status['target']})"))
    row = status["configuration"]
    if row is None:
        return Group(head, Text("No active rollout configuration."))
    settings = Table(title="Configuration", title_justify="left")
    settings.add_column("setting")
    settings.add_column("value")
    for name, value in _settings(row):
        settings.add_row(name, value)
    counts = status["eligibility"]
    eligible = Table(title=f"Eligible repositories ({counts['rule']})", title_justify="left")
    eligible.add_column("category")
    eligible.add_column("repositories", justify="right")
    eligible.add_column("eligible", justify="right")
    for category, numbers in counts["by_category"].items():
        eligible.add_row(
            untrusted(category), fmt.count(numbers["repositories"]), _count(numbers["eligible"])
        )
    eligible.add_row("all", fmt.count(counts["repositories"]), _count(counts["eligible"]))
    return Group(head, settings, eligible, _history_table(status["history"]))


def _history_table(changes: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title="Changes", title_justify="left")
    for column in ("at", "action"):
        table.add_column(column)
    table.add_column("from", justify="right")
    table.add_column("to", justify="right")
    table.add_column("triggered by")
    table.add_column("reason")
    for change in changes:
        table.add_row(
            fmt.timestamp(change["created_at"]),
            untrusted(change["action"]),
            _pct(change["previous_percentage"]),
            _pct(change["new_percentage"]),
            untrusted(change["triggered_by"]),
            untrusted(change["reason"], 80),
        )
    return table


def _render(
    data: Mapping[str, Any],
    view: ReportFormat,
    markdown: Callable[[Mapping[str, Any]], str],
    table: Callable[[Mapping[str, Any]], RenderableType],
    width: int,
) -> str:
    """One of the three views of a rollout payload: JSON as it is, Markdown or a table."""
    if view is ReportFormat.JSON:
        return json.dumps(data, indent=2) + "\n"
    if view is ReportFormat.MARKDOWN:
        return markdown(data)
    return as_text(table(data), width=width)


def render_rollback(report: Mapping[str, Any], view: ReportFormat, *, width: int = 100) -> str:
    return _render(report, view, rollback_markdown, _rollback_table, width)


def render_status(status: Mapping[str, Any], view: ReportFormat, *, width: int = 100) -> str:
    return _render(status, view, status_markdown, _status_table, width)


def render_history(history: Mapping[str, Any], view: ReportFormat, *, width: int = 100) -> str:
    return _render(history, view, history_markdown, _history_view, width)


def _history_view(history: Mapping[str, Any]) -> RenderableType:
    head = Text(fmt.plain_text(f"Rollout history: {history['feature']} ({history['target']})"))
    return Group(head, _history_table(history["changes"]))
