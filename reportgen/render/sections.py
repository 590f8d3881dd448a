"""The sections of a report, built once from its typed view and presented by every text view.

A section is a titled table of raw values: numbers unrounded, text from the data untrusted.
Each column names how its values are presented (`format`); each view decides how text is made
safe (Markdown escapes it, the terminal shows it literally) and which columns it shows
(`Section.select`), so a view that shows fewer columns still reads the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reportgen.render import formatting as fmt
from reportgen.report.view import ReportView

Cell = str | int | float | bool | None
# `text` comes from the data and each view makes it safe; `shown` is text reportgen wrote (a
# trend's value in its metric's unit) and is shown as it is; the rest are raw numbers.
Format = Literal["text", "shown", "count", "percent", "ms"]

_PRESENT: dict[str, Callable[[Any], str]] = {
    "count": fmt.count,
    "percent": fmt.percent,
    "ms": fmt.duration_ms,
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    format: Format = "text"

    @property
    def numeric(self) -> bool:
        """Whether the column holds figures, which every view aligns right."""
        return self.format != "text"


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def select(self, *names: str) -> Section:
        """The same rows with only the columns named, in that order."""
        positions = [[c.name for c in self.columns].index(name) for name in names]
        return Section(
            self.title,
            tuple(self.columns[i] for i in positions),
            tuple(tuple(row[i] for i in positions) for row in self.rows),
        )


# Columns that several sections share.
JOBS = Column("jobs", "Jobs", "count")
FAILED = Column("failed", "Failed", "count")
ERROR_RATE = Column("error_rate", "Error rate", "percent")


def present(column: Column, value: Cell) -> str:
    """A figure as people read it (`1,234`, `7.2%`, `4 min 00 s`); text as it is."""
    if column.format in ("text", "shown"):
        return "" if value is None else str(value)
    return _PRESENT[column.format](value)


def processors(report: ReportView) -> Section:
    """Each processor's jobs, failures and processing time, in the report's order."""
    columns = (
        Column("processor", "Processor"),
        JOBS,
        Column("share", "Share", "percent"),
        Column("finished", "Finished", "count"),
        FAILED,
        ERROR_RATE,
        Column("p50_ms", "p50", "ms"),
        Column("p95_ms", "p95", "ms"),
    )
    rows = tuple(
        (
            name,
            p["jobs"],
            p["share"],
            p["finished"],
            p["failed"],
            p["error_rate"],
            p["processing_time_ms"]["p50"],
            p["processing_time_ms"]["p95"],
        )
        for name, p in report["processors"].items()
    )
    return Section("Processors", columns, rows)


def job_types(report: ReportView) -> Section:
    columns = (Column("job_type", "Job type"), JOBS, FAILED, ERROR_RATE)
    rows = tuple(
        (name, t["jobs"], t["failed"], t["error_rate"]) for name, t in report["job_types"].items()
    )
    return Section("Job types", columns, rows)


def errors_by_category(report: ReportView) -> Section:
    """Failed jobs per error category; categories without failures are left out."""
    columns = (Column("category", "Category"), FAILED)
    rows = tuple((name, n) for name, n in report["errors"]["by_category"].items() if n)
    return Section("Errors by category", columns, rows)


def trends(report: ReportView) -> Section:
    """Each trend against the previous period, its values in the unit its metric says."""
    columns = (
        Column("metric", "Metric"),  # `jobs on <processor>` quotes the data
        Column("previous", "Previous", "shown"),
        Column("current", "Current", "shown"),
        Column("change", "Change", "shown"),
    )
    rows = tuple(
        (
            fmt.metric_label(metric),
            fmt.metric_value(metric, trend["previous"]),
            fmt.metric_value(metric, trend["current"]),
            fmt.trend_label(trend),
        )
        for metric, trend in report["trends"].items()
    )
    return Section("Trends", columns, rows)


def findings(report: ReportView) -> Section:
    """The report's findings, in the report's order."""
    columns = (
        Column("severity", "Severity"),
        Column("rule", "Rule"),
        Column("scope", "Scope"),
        Column("message", "Message"),
    )
    # Durations in a finding's words read as in the tables (`5 min 54 s`, not `353757 ms`).
    rows = tuple(
        (f["severity"], f["rule"], f["scope"], fmt.readable_durations(f["message"]))
        for f in report["findings"]
    )
    return Section("Findings", columns, rows)


@dataclass(frozen=True)
class Headline:
    """A headline number as every view shows it: a label, the value, one line saying what it is."""

    label: str
    value: str
    note: str


def cost_headlines(cost: Mapping[str, Any]) -> tuple[Headline, Headline]:
    """What the hybrid rollout costs, in dollars and per billed job, and as a multiple of the
    all-inngest baseline. A savings percentage over that baseline (-5,567 % on a month whose
    baseline is 80 cents) read like a disaster and said nothing a reader could act on."""
    return (
        Headline(
            "Cost", fmt.money(cost["actual"]), f"{fmt.cost_per_billed_job(cost)} per billed job"
        ),
        Headline(
            "Hybrid vs all-inngest",
            fmt.ratio(cost["actual"], cost["baseline"]),
            f"the cost if every job ran on inngest: {fmt.money(cost['baseline'])}",
        ),
    )
