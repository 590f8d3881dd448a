"""The tables of a report page: one model shared by the HTML tables, chart alternatives and CSV.

A table holds raw values (numbers unrounded, text untrusted); each column names how its values
are presented (`format`), so the page rounds and the CSV keeps full precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Cell = str | int | float | bool | None
# `sentence`: untrusted text whose raw "… ms" durations are shown in s/min/h.
Format = Literal[
    "text", "count", "number", "percent", "ms", "seconds", "money", "time", "date", "sentence"
]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    format: Format = "text"


@dataclass(frozen=True)
class DataTable:
    """A titled table; `slug` names its CSV file (`<slug>.csv`)."""

    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _get(mapping: Any, *path: str) -> Any:
    """A nested value of a report dict, or None where any step is missing."""
    value = mapping
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def table(
    slug: str, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> DataTable:
    return DataTable(
        slug, title, tuple(columns), tuple(tuple(_cell(v) for v in row) for row in rows)
    )


def processors_table(report: Mapping[str, Any]) -> DataTable:
    processors: Mapping[str, Any] = report.get("processors") or {}
    rows = [
        (
            name,
            p.get("jobs"),
            p.get("share"),
            p.get("finished"),
            p.get("failed"),
            p.get("error_rate"),
            _get(p, "processing_time_ms", "p50"),
            _get(p, "processing_time_ms", "p95"),
        )
        for name, p in sorted(processors.items())
    ]
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
    return table("processors", "Processors", columns, rows)


def job_types_table(report: Mapping[str, Any]) -> DataTable:
    job_types: Mapping[str, Any] = report.get("job_types") or {}
    rows = [
        (name, t.get("jobs"), t.get("failed"), t.get("error_rate"))
        for name, t in sorted(job_types.items())
    ]
    columns = (
        Column("job_type", "Job type"),
        Column("jobs", "Jobs", "count"),
        Column("failed", "Failed", "count"),
        Column("error_rate", "Error rate", "percent"),
    )
    return table("job_types", "Job types", columns, rows)


def repositories_table(report: Mapping[str, Any]) -> DataTable:
    top: Sequence[Mapping[str, Any]] = _get(report, "repositories", "top_by_jobs") or []
    rows = [
        (r.get("repository_name"), r.get("category"), r.get("jobs"), r.get("failed")) for r in top
    ]
    columns = (
        Column("repository", "Repository"),
        Column("category", "Category"),
        Column("jobs", "Jobs", "count"),
        Column("failed", "Failed", "count"),
    )
    return table("repositories", "Top repositories by jobs", columns, rows)


def recent_errors_table(report: Mapping[str, Any]) -> DataTable:
    recent: Sequence[Mapping[str, Any]] = _get(report, "errors", "recent") or []
    rows = [
        (
            e.get("created_at"),
            e.get("processor"),
            e.get("job_type"),
            e.get("repository_name"),
            e.get("category"),
            e.get("message"),
        )
        for e in recent
    ]
    columns = (
        Column("created_at", "Created", "time"),
        Column("processor", "Processor"),
        Column("job_type", "Job type"),
        Column("repository", "Repository"),
        Column("category", "Category"),
        Column("message", "Message"),
    )
    return table("errors", "Newest errors", columns, rows)


def findings_table(report: Mapping[str, Any]) -> DataTable:
    findings: Sequence[Mapping[str, Any]] = report.get("findings") or []
    rows = [(f.get("severity"), f.get("rule"), f.get("scope"), f.get("message")) for f in findings]
    columns = (
        Column("severity", "Severity"),
        Column("rule", "Rule"),
        Column("scope", "Scope"),
        Column("message", "Explanation", "sentence"),
    )
    return table("findings", "Findings", columns, rows)


def report_tables(report: Mapping[str, Any]) -> tuple[DataTable, ...]:
    """The tables shown on a report page and offered as CSV beside it."""
    return (
        findings_table(report),
        processors_table(report),
        job_types_table(report),
        repositories_table(report),
        recent_errors_table(report),
    )
