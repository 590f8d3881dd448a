"""The terminal view of a report (SPEC §3.2): a few rich tables, read from the report's JSON form.

Untrusted text is passed to rich as `Text` objects, which rich never parses for markup, after
`plain_text` has dropped control characters (no terminal escape sequences reach the screen).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from reportgen.render import formatting as fmt

STATUS_STYLES = {
    "healthy": "bold green",
    "warning": "bold yellow",
    "critical": "bold red",
    "inconclusive": "bold",
}
SEVERITY_STYLES = {"critical": "red", "warning": "yellow", "inconclusive": "dim", "info": "cyan"}


def untrusted(text: Any, limit: int | None = 80) -> Text:
    """Text from the data, shown literally."""
    return Text(fmt.plain_text(None if text is None else str(text), limit) or "(none)")


def as_text(renderable: RenderableType, *, width: int, color: bool = False) -> str:
    """What `renderable` prints at `width` columns: plain, or with ANSI colours when `color`."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
    )
    console.print(renderable)
    return buffer.getvalue()


def report_table(report: Mapping[str, Any]) -> RenderableType:
    """The report as a group of rich renderables, to print on a Console."""
    parts: list[RenderableType] = [_summary(report), _processors(report)]
    if report["job_types"]:
        parts.append(_job_types(report))
    if report["errors"]["total"]:
        parts.append(_errors(report))
    if report["trends"]:
        parts.append(_trends(report))
    parts.append(_findings(report))
    return Group(*parts)


def _numbers_table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column(columns[0])
    for column in columns[1:]:
        table.add_column(column, justify="right")
    return table


def _summary(report: Mapping[str, Any]) -> Group:
    period, jobs, health, cost = report["period"], report["jobs"], report["health"], report["cost"]
    partial = " (partial)" if period["partial"] else ""
    title = (
        f"{report['kind']} report {fmt.timestamp(period['start'])} to "
        f"{fmt.timestamp(period['end'])}{partial}"
    )
    table = Table(show_header=False)
    table.add_column("metric")
    table.add_column("value")
    status = report["status"]
    table.add_row("Status", Text(status, style=STATUS_STYLES.get(status, "")))
    score = health["score"]
    table.add_row("Health score", fmt.number(score, 0) if score is not None else "n/a")
    table.add_row("Jobs", fmt.count(jobs["total"]))
    table.add_row("Finished", fmt.count(jobs["finished"]))
    table.add_row(
        "Error rate",
        f"{fmt.percent(jobs['error_rate'])} (95% CI {fmt.interval(jobs['error_rate_ci'])})",
    )
    table.add_row("Success rate", fmt.percent(jobs["success_rate"]))
    table.add_row("Conclusive", "yes" if jobs["conclusive"] else "no")
    processing = report["processing_time_ms"]
    table.add_row(
        "Processing p50 / p95",
        f"{fmt.duration_ms(processing['p50'])} / {fmt.duration_ms(processing['p95'])}",
    )
    table.add_row("Queue wait p95", fmt.duration_ms(report["queue_wait_ms"]["p95"]))
    table.add_row("Throughput", f"{fmt.number(report['throughput_per_hour'])} per hour")
    queue = report["queue"]
    table.add_row("Pending / stuck", f"{fmt.count(queue['pending'])} / {fmt.count(queue['stuck'])}")
    table.add_row(
        "Cost / savings",
        f"{fmt.money(cost['actual'])} / {fmt.money(cost['savings'])} "
        f"({fmt.percent(cost['savings_pct'])})",
    )
    table.add_row("Data as of", fmt.timestamp(report["data_as_of"]))
    return Group(Text(title, style="bold"), table)


def _processors(report: Mapping[str, Any]) -> Table:
    table = _numbers_table(
        "Processors", "Processor", "Jobs", "Share", "Failed", "Error rate", "p95"
    )
    for name, metrics in report["processors"].items():
        table.add_row(
            untrusted(name),
            fmt.count(metrics["jobs"]),
            fmt.percent(metrics["share"]),
            fmt.count(metrics["failed"]),
            fmt.percent(metrics["error_rate"]),
            fmt.duration_ms((metrics.get("processing_time_ms") or {}).get("p95")),
        )
    return table


def _job_types(report: Mapping[str, Any]) -> Table:
    table = _numbers_table("Job types", "Job type", "Jobs", "Failed", "Error rate")
    for name, metrics in report["job_types"].items():
        table.add_row(
            untrusted(name),
            fmt.count(metrics["jobs"]),
            fmt.count(metrics["failed"]),
            fmt.percent(metrics["error_rate"]),
        )
    return table


def _errors(report: Mapping[str, Any]) -> Table:
    table = _numbers_table("Errors by category", "Category", "Failed")
    for name, failed in report["errors"]["by_category"].items():
        if failed:
            table.add_row(untrusted(name), fmt.count(failed))
    return table


def _trends(report: Mapping[str, Any]) -> Table:
    table = _numbers_table("Trends", "Metric", "Previous", "Current", "Change")
    for metric, trend in report["trends"].items():
        table.add_row(
            untrusted(fmt.metric_label(metric)),
            fmt.metric_value(metric, trend["previous"]),
            fmt.metric_value(metric, trend["current"]),
            fmt.trend_label(trend),
        )
    return table


def _findings(report: Mapping[str, Any]) -> RenderableType:
    findings = report["findings"]
    if not findings:
        return Text("No findings.")
    table = Table(title="Findings", title_justify="left", title_style="bold")
    table.add_column("Severity")
    table.add_column("Rule")
    table.add_column("Message")
    for finding in findings:
        severity = str(finding["severity"])
        table.add_row(
            Text(severity, style=SEVERITY_STYLES.get(severity, "")),
            untrusted(finding["rule"]),
            untrusted(finding["message"], None),
        )
    return table
