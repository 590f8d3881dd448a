"""The terminal view of a report: a few rich tables, read from the report's JSON form.

Untrusted text is passed to rich as `Text` objects, which rich never parses for markup, after
`plain_text` has dropped control characters (no terminal escape sequences reach the screen).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from reportgen.render import formatting as fmt
from reportgen.render import sections
from reportgen.render.sections import Cell, Column, Section
from reportgen.report.view import ReportView

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


def report_table(report: ReportView) -> RenderableType:
    """The report as a group of rich renderables, to print on a Console."""
    processors = sections.processors(report)
    parts: list[RenderableType] = [
        _summary(report),
        _table(processors.select("processor", "jobs", "share", "failed", "error_rate", "p95_ms")),
    ]
    if report["job_types"]:
        parts.append(_table(sections.job_types(report)))
    if report["errors"]["total"]:
        parts.append(_table(sections.errors_by_category(report)))
    if report["trends"]:
        parts.append(_table(sections.trends(report)))
    parts.append(_findings(report))
    return Group(*parts)


CellView = Callable[[Column, Cell], RenderableType]


def _cell(column: Column, value: Cell) -> RenderableType:
    return sections.present(column, value) if column.numeric else untrusted(value)


def _table(section: Section, cell: CellView = _cell) -> Table:
    """A section as a rich table: text shown literally, figures presented and aligned right."""
    table = Table(title=section.title, title_justify="left", title_style="bold")
    for column in section.columns:
        table.add_column(column.label, justify="right" if column.numeric else "left")
    for row in section.rows:
        table.add_row(*(cell(c, v) for c, v in zip(section.columns, row, strict=True)))
    return table


def _summary(report: ReportView) -> Group:
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
    table.add_row("Health score", fmt.score(score) if score is not None else "n/a")
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
    for headline in sections.cost_headlines(cost):
        table.add_row(headline.label, f"{headline.value} ({headline.note})")
    table.add_row("Data as of", fmt.timestamp(report["data_as_of"]))
    return Group(Text(title, style="bold"), table)


def _findings(report: ReportView) -> RenderableType:
    findings = sections.findings(report)
    if not findings.rows:
        return Text("No findings.")
    return _table(findings.select("severity", "rule", "message"), _finding_cell)


def _finding_cell(column: Column, value: Cell) -> RenderableType:
    if column.name == "severity":
        return Text(str(value), style=SEVERITY_STYLES.get(str(value), ""))
    if column.name == "message":
        return untrusted(value, None)  # the whole explanation: the terminal wraps it
    return _cell(column, value)
