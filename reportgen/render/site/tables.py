"""The tables of a report page: one model shared by the HTML tables, chart alternatives and CSV.

A table holds raw values (numbers unrounded, text untrusted); each column names how its values
are presented (`format`), so the page rounds and the CSV keeps full precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reportgen.render import sections
from reportgen.report.view import ReportView, report_view

Cell = str | int | float | bool | None
# `sentence`: untrusted text whose raw "… ms" durations are shown in s/min/h.
Format = Literal[
    "text",
    "count",
    "number",
    "score",
    "percent",
    "ms",
    "seconds",
    "money",
    "time",
    "date",
    "sentence",
]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    format: Format = "text"


@dataclass(frozen=True)
class DataTable:
    """A titled table; `slug` names its CSV file (`<slug>.csv`). A time cell on one of `days`
    (the days that have a daily page) links to that day's report."""

    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    days: frozenset[str] = frozenset()


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def table(
    slug: str,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    days: frozenset[str] = frozenset(),
) -> DataTable:
    return DataTable(
        slug, title, tuple(columns), tuple(tuple(_cell(v) for v in row) for row in rows), days
    )


def _section_rows(section: sections.Section, columns: Sequence[Column]) -> list[tuple[Cell, ...]]:
    """The rows of a report section, in the site's columns (picked by name)."""
    return list(section.select(*(c.name for c in columns)).rows)


def _by_name(row: tuple[Cell, ...]) -> str:
    return str(row[0])


def processors_table(report: ReportView) -> DataTable:
    columns = (
        Column("processor", "Processor"),
        Column("jobs", "Jobs", "count"),
        Column("share", "Share", "percent"),
        Column("finished", "Finished", "count"),
        Column("failed", "Failed", "count"),
        Column("error_rate", "Error rate", "percent"),
        Column("p50_ms", "p50", "ms"),
        Column("p95_ms", "p95", "ms"),
    )
    rows = sorted(_section_rows(sections.processors(report), columns), key=_by_name)
    return table("processors", "Processors", columns, rows)


def job_types_table(report: ReportView) -> DataTable:
    columns = (
        Column("job_type", "Job type"),
        Column("jobs", "Jobs", "count"),
        Column("failed", "Failed", "count"),
        Column("error_rate", "Error rate", "percent"),
    )
    rows = sorted(_section_rows(sections.job_types(report), columns), key=_by_name)
    return table("job_types", "Job types", columns, rows)


def repositories_table(report: ReportView) -> DataTable:
    top = report["repositories"]["top_by_jobs"]
    rows = [(r["repository_name"], r["category"], r["jobs"], r["failed"]) for r in top]
    columns = (
        Column("repository", "Repository"),
        Column("category", "Category"),
        Column("jobs", "Jobs", "count"),
        Column("failed", "Failed", "count"),
    )
    return table("repositories", "Top repositories by jobs", columns, rows)


def recent_errors_table(report: ReportView, days: frozenset[str] = frozenset()) -> DataTable:
    rows = [
        (
            e["created_at"],
            e["processor"],
            e["job_type"],
            e["repository_name"],
            e["category"],
            e["message"],
        )
        for e in report["errors"]["recent"]
    ]
    columns = (
        Column("created_at", "Created", "time"),
        Column("processor", "Processor"),
        Column("job_type", "Job type"),
        Column("repository", "Repository"),
        Column("category", "Category"),
        Column("message", "Message"),
    )
    return table("errors", "Newest errors", columns, rows, days)


def findings_table(report: ReportView) -> DataTable:
    columns = (
        Column("severity", "Severity"),
        Column("rule", "Rule"),
        Column("scope", "Scope"),
        Column("message", "Explanation", "sentence"),
    )
    rows = _section_rows(sections.findings(report), columns)
    return table("findings", "Findings", columns, rows)


def report_tables(
    report: Mapping[str, Any], days: frozenset[str] = frozenset()
) -> tuple[DataTable, ...]:
    """The tables shown on a report page and offered as CSV beside it; `days` are the days
    of a longer period that have a daily page (the newest errors link to theirs)."""
    view = report_view(report)
    return (
        findings_table(view),
        processors_table(view),
        job_types_table(view),
        repositories_table(view),
        recent_errors_table(view, days),
    )
