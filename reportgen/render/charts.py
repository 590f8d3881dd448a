"""The site's charts, built with Altair from report dicts (SPEC §6).

Charts read pre-aggregated numbers only: a series chart has one point per daily report (a year
is 365 rows, far below Altair's 5,000-row limit), a breakdown chart one bar per processor or
category. Each chart comes with a caption and the table it draws, its text alternative.

Time axes are the report's local calendar days written as ISO dates and read as UTC
(`utcyearmonthdate`), so a reader in any time zone sees the same days. Colours are left to the
page's theme (light or dark, chosen in the browser). Specs are built without Altair's schema
validation, which costs ~30 ms a chart; the tests validate every spec instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from reportgen.config import ThresholdSettings
from reportgen.render.site_tables import Column, DataTable, table

Report = Mapping[str, Any]
Row = dict[str, Any]
HEIGHT = 220
THRESHOLD_COLOURS = {"warning": "#bf8700", "critical": "#cf222e"}


@dataclass(frozen=True)
class Chart:
    """One chart: its Vega-Lite spec, a caption and the table it draws."""

    slug: str
    title: str
    caption: str
    spec: dict[str, Any]
    table: DataTable


def _day(report: Report) -> str:
    """The report's local calendar day (`2026-11-25`), from its period start."""
    return str(report["period"]["start"])[:10]


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _get(report: Any, *path: str) -> Any:
    for step in path:
        report = report.get(step) if isinstance(report, Mapping) else None
    return report


def _chart(
    slug: str,
    title: str,
    caption: str,
    drawing: alt.TopLevelMixin,
    columns: Sequence[Column],
    rows: Sequence[Row],
) -> Chart:
    spec: dict[str, Any] = drawing.properties(
        title=title, description=caption, width="container", height=HEIGHT
    ).to_dict(validate=False)
    # The schema URL is never fetched, but a page should name no other host at all.
    spec.pop("$schema", None)
    data = table(slug, title, columns, [[row.get(c.name) for c in columns] for row in rows])
    return Chart(slug, title, caption, spec, data)


def _base(rows: Sequence[Row]) -> alt.Chart:
    """A chart over inline rows (Altair's `Data` is untyped)."""
    data = alt.Data(values=list(rows))  # type: ignore[no-untyped-call]
    return alt.Chart(data)


def _day_axis() -> alt.X:
    return alt.X(
        "day:T",
        timeUnit="utcyearmonthdate",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(title=None, format="%b %d", labelAngle=0),
    )


def _rules(levels: Sequence[tuple[str, float]]) -> alt.Chart:
    """Dashed horizontal threshold lines in the warning and critical colours."""
    values = [{"level": level, "threshold": value} for level, value in levels]
    rules: alt.Chart = (
        _base(values)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2)
        .encode(
            y="threshold:Q",
            color=alt.Color(
                "level:N",
                scale=alt.Scale(
                    domain=list(THRESHOLD_COLOURS), range=list(THRESHOLD_COLOURS.values())
                ),
                legend=alt.Legend(title="Threshold"),
            ),
            tooltip=["level:N", "threshold:Q"],
        )
    )
    return rules


def _error_levels(thresholds: ThresholdSettings) -> list[tuple[str, float]]:
    return [
        ("warning", thresholds.error_rate_warning),
        ("critical", thresholds.error_rate_critical),
    ]


# Series charts: one point per daily report, oldest first.


def job_volume(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "processor": name, "jobs": _num(p.get("jobs")) or 0}
        for r in days
        for name, p in sorted((r.get("processors") or {}).items())
    ]
    drawing = (
        _base(rows)
        .mark_bar()
        .encode(
            x=_day_axis(),
            y=alt.Y("jobs:Q", title="Jobs", stack="zero"),
            color=alt.Color("processor:N", title="Processor"),
            tooltip=["day:N", "processor:N", "jobs:Q"],
        )
    )
    columns = (Column("day", "Day", "date"), Column("processor", "Processor"))
    return _chart(
        "job-volume",
        "Job volume by processor",
        "Jobs created per day, stacked by processor.",
        drawing,
        (*columns, Column("jobs", "Jobs", "count")),
        rows,
    )


def error_rate(days: Sequence[Report], thresholds: ThresholdSettings) -> Chart:
    rows = [
        {
            "day": _day(r),
            "error_rate": _num(_get(r, "jobs", "error_rate")),
            "finished": _num(_get(r, "jobs", "finished")) or 0,
            "conclusive": bool(_get(r, "jobs", "conclusive")),
        }
        for r in days
    ]
    line = (
        _base(rows)
        .mark_line(point=True)
        .encode(
            x=_day_axis(),
            y=alt.Y("error_rate:Q", title="Error rate (%)"),
            tooltip=["day:N", "error_rate:Q", "finished:Q", "conclusive:N"],
        )
    )
    caption = (
        "Failed jobs as a share of finished jobs per day, with the warning "
        f"({thresholds.error_rate_warning:g}%) and critical ({thresholds.error_rate_critical:g}%)"
        " thresholds. Days without enough finished jobs are inconclusive."
    )
    columns = (
        Column("day", "Day", "date"),
        Column("error_rate", "Error rate", "percent"),
        Column("finished", "Finished", "count"),
        Column("conclusive", "Conclusive"),
    )
    drawing = alt.layer(line, _rules(_error_levels(thresholds)))
    return _chart("error-rate", "Error rate", caption, drawing, columns, rows)


def processing_time(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "processor": name, "percentile": pct, "ms": _num(latency.get(pct))}
        for r in days
        for name, p in sorted((r.get("processors") or {}).items())
        for latency in [p.get("processing_time_ms") or {}]
        for pct in ("p50", "p95")
    ]
    drawing = (
        _base(rows)
        .mark_line(point=True)
        .encode(
            x=_day_axis(),
            y=alt.Y("ms:Q", title="Processing time (ms)"),
            color=alt.Color("processor:N", title="Processor"),
            strokeDash=alt.StrokeDash("percentile:N", title="Percentile"),
            tooltip=["day:N", "processor:N", "percentile:N", "ms:Q"],
        )
    )
    columns = (
        Column("day", "Day", "date"),
        Column("processor", "Processor"),
        Column("percentile", "Percentile"),
        Column("ms", "Processing time", "ms"),
    )
    caption = "Median (p50) and 95th percentile processing time of completed jobs, per processor."
    return _chart(
        "processing-time", "Processing time by processor", caption, drawing, columns, rows
    )


def queue_backlog(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "measure": measure, "jobs": _num(_get(r, "queue", measure)) or 0}
        for r in days
        for measure in ("pending", "stuck")
    ]
    drawing = (
        _base(rows)
        .mark_line(point=True)
        .encode(
            x=_day_axis(),
            y=alt.Y("jobs:Q", title="Jobs"),
            color=alt.Color("measure:N", title="Queue"),
            tooltip=["day:N", "measure:N", "jobs:Q"],
        )
    )
    columns = (Column("day", "Day", "date"), Column("measure", "Queue"))
    caption = "Pending and stuck jobs at the end of each day."
    return _chart(
        "queue-backlog",
        "Queue backlog",
        caption,
        drawing,
        (*columns, Column("jobs", "Jobs", "count")),
        rows,
    )


def cost(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "series": series, "dollars": _num(_get(r, "cost", series))}
        for r in days
        for series in ("actual", "baseline")
    ]
    drawing = (
        _base(rows)
        .mark_line(point=True)
        .encode(
            x=_day_axis(),
            y=alt.Y("dollars:Q", title="US dollars"),
            color=alt.Color("series:N", title="Cost"),
            tooltip=["day:N", "series:N", alt.Tooltip("dollars:Q", format="$.4f")],
        )
    )
    columns = (
        Column("day", "Day", "date"),
        Column("series", "Cost"),
        Column("dollars", "US dollars", "money"),
    )
    caption = "Actual cost per day against the baseline of running every job on inngest."
    return _chart("cost", "Cost: actual vs baseline", caption, drawing, columns, rows)


def health_score(days: Sequence[Report], thresholds: ThresholdSettings) -> Chart:
    rows = [{"day": _day(r), "score": _num(_get(r, "health", "score"))} for r in days]
    line = (
        _base(rows)
        .mark_line(point=True)
        .encode(
            x=_day_axis(),
            y=alt.Y("score:Q", title="Health score", scale=alt.Scale(domain=[0, 100])),
            tooltip=["day:N", "score:Q"],
        )
    )
    levels = [
        ("warning", thresholds.health_score_warning),
        ("critical", thresholds.health_score_critical),
    ]
    caption = (
        f"Daily health score (0-100) with the warning ({thresholds.health_score_warning:g}) and "
        f"critical ({thresholds.health_score_critical:g}) levels; inconclusive days have none."
    )
    columns = (Column("day", "Day", "date"), Column("score", "Health score", "number"))
    drawing = alt.layer(line, _rules(levels))
    return _chart("health-score", "Health score", caption, drawing, columns, rows)


# Breakdown charts: the bars of one report.


def _bars(
    rows: Sequence[Row], x: str, y: str, y_title: str, offset: str | None = None
) -> alt.Chart:
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{y}:Q", title=y_title),
        "tooltip": [f"{x}:N", f"{y}:Q"] + ([f"{offset}:N"] if offset else []),
    }
    if offset:
        encoding["xOffset"] = alt.XOffset(f"{offset}:N")
        encoding["color"] = alt.Color(f"{offset}:N", title=None)
    bars: alt.Chart = _base(rows).mark_bar().encode(**encoding)
    return bars


def processor_volume(report: Report) -> Chart:
    rows = [
        {"processor": name, "jobs": _num(p.get("jobs")) or 0, "share": _num(p.get("share"))}
        for name, p in sorted((report.get("processors") or {}).items())
    ]
    columns = (
        Column("processor", "Processor"),
        Column("jobs", "Jobs", "count"),
        Column("share", "Share", "percent"),
    )
    return _chart(
        "job-volume",
        "Job volume by processor",
        "Jobs created in the period per processor.",
        _bars(rows, "processor", "jobs", "Jobs"),
        columns,
        rows,
    )


def processor_error_rate(report: Report, thresholds: ThresholdSettings) -> Chart:
    rows = [
        {
            "processor": name,
            "error_rate": _num(p.get("error_rate")),
            "finished": _num(p.get("finished")) or 0,
        }
        for name, p in sorted((report.get("processors") or {}).items())
    ]
    columns = (
        Column("processor", "Processor"),
        Column("error_rate", "Error rate", "percent"),
        Column("finished", "Finished", "count"),
    )
    drawing = alt.layer(
        _bars(rows, "processor", "error_rate", "Error rate (%)"),
        _rules(_error_levels(thresholds)),
    )
    caption = (
        "Failed jobs as a share of finished jobs per processor, with the warning "
        f"({thresholds.error_rate_warning:g}%) and critical ({thresholds.error_rate_critical:g}%)"
        " thresholds."
    )
    return _chart("error-rate", "Error rate by processor", caption, drawing, columns, rows)


def processor_latency(report: Report) -> Chart:
    rows = [
        {"processor": name, "percentile": pct, "ms": _num(_get(p, "processing_time_ms", pct))}
        for name, p in sorted((report.get("processors") or {}).items())
        for pct in ("p50", "p95")
    ]
    columns = (
        Column("processor", "Processor"),
        Column("percentile", "Percentile"),
        Column("ms", "Processing time", "ms"),
    )
    caption = "Median (p50) and 95th percentile processing time of completed jobs, per processor."
    drawing = _bars(rows, "processor", "ms", "Processing time (ms)", offset="percentile")
    return _chart(
        "processing-time", "Processing time by processor", caption, drawing, columns, rows
    )


def queue_now(report: Report) -> Chart:
    rows = [
        {"measure": measure, "jobs": _num(_get(report, "queue", measure)) or 0}
        for measure in ("pending", "processing", "stuck")
    ]
    columns = (Column("measure", "Queue"), Column("jobs", "Jobs", "count"))
    caption = "Pending, processing and stuck jobs at the end of the period."
    return _chart(
        "queue-backlog",
        "Queue backlog",
        caption,
        _bars(rows, "measure", "jobs", "Jobs"),
        columns,
        rows,
    )


def cost_breakdown(report: Report) -> Chart:
    rows = [
        {"item": item, "dollars": _num(_get(report, "cost", item))}
        for item in ("inngest", "github_actions", "actual", "baseline")
    ]
    columns = (Column("item", "Cost"), Column("dollars", "US dollars", "money"))
    caption = "Cost per processor, the actual total and the all-inngest baseline."
    return _chart(
        "cost",
        "Cost: actual vs baseline",
        caption,
        _bars(rows, "item", "dollars", "US dollars"),
        columns,
        rows,
    )


def error_categories(report: Report) -> Chart:
    by_category: Mapping[str, Any] = _get(report, "errors", "by_category") or {}
    rows = [{"category": name, "failed": _num(n) or 0} for name, n in by_category.items()]
    columns = (Column("category", "Category"), Column("failed", "Failed jobs", "count"))
    caption = "Failed jobs by error category (first matching pattern wins)."
    return _chart(
        "error-categories",
        "Error categories",
        caption,
        _bars(rows, "category", "failed", "Failed jobs"),
        columns,
        rows,
    )


def repository_categories(report: Report) -> Chart:
    by_category: Mapping[str, Any] = _get(report, "repositories", "by_category") or {}
    rows = [
        {"category": name, "measure": measure, "repositories": _num(_get(c, measure)) or 0}
        for name, c in by_category.items()
        for measure in ("repositories", "active")
    ]
    columns = (
        Column("category", "Category"),
        Column("measure", "Measure"),
        Column("repositories", "Repositories", "count"),
    )
    caption = "Categorised repositories, and how many of them had jobs in the period."
    drawing = _bars(rows, "category", "repositories", "Repositories", offset="measure")
    return _chart("repository-categories", "Repository categories", caption, drawing, columns, rows)


def series_charts(days: Sequence[Report], thresholds: ThresholdSettings) -> list[Chart]:
    """The over-time charts of a span of daily reports (index, week, month, custom range)."""
    return [
        job_volume(days),
        error_rate(days, thresholds),
        processing_time(days),
        queue_backlog(days),
        cost(days),
        health_score(days, thresholds),
    ]


def breakdown_charts(report: Report, thresholds: ThresholdSettings) -> list[Chart]:
    """The charts of one day's report: every comparison is between processors or categories."""
    return [
        processor_volume(report),
        processor_error_rate(report, thresholds),
        processor_latency(report),
        queue_now(report),
        cost_breakdown(report),
        error_categories(report),
        repository_categories(report),
    ]


def category_charts(report: Report) -> list[Chart]:
    """The category charts of a multi-day report, beside its series charts."""
    return [error_categories(report), repository_categories(report)]
