"""The site's charts, built with Altair from report dicts (SPEC §6).

Charts read pre-aggregated numbers only: a series chart has one point per daily report (a year
is 365 rows, far below Altair's 5,000-row limit), a breakdown chart one bar per processor or
category. Each chart comes with a caption and the table it draws, its text alternative.

Time axes are the report's local calendar days written as ISO dates and read as UTC
(`utcyearmonthdate`), so a reader in any time zone sees the same days. Colours are left to the
page's theme (light or dark, chosen in the browser).

Altair builds each kind of chart once per process: its spec reads named datasets (`rows`,
`thresholds`), and every chart of that kind is the cached spec plus its own `datasets`.
Building each of a year's 3,000 charts through Altair would cost ~30 ms apiece (it validates
every channel) and add nothing; the tests validate every spec against the Vega-Lite schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from reportgen.config import ThresholdSettings
from reportgen.render.site.tables import Column, DataTable, table

Report = Mapping[str, Any]
Row = dict[str, Any]
Drawing = Callable[[], alt.TopLevelMixin]
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


_TEMPLATES: dict[tuple[str, ...], dict[str, Any]] = {}


def _template(key: tuple[str, str, str, str], drawing: Drawing) -> dict[str, Any]:
    """The Vega-Lite spec of one kind of chart, built by Altair on first use."""
    if key not in _TEMPLATES:
        _, title, caption, _ = key
        spec: dict[str, Any] = (
            drawing()
            .properties(title=title, description=caption, width="container", height=HEIGHT)
            .to_dict(validate=False)
        )
        # The schema URL is never fetched, but a page should name no other host at all.
        spec.pop("$schema", None)
        _TEMPLATES[key] = spec
    return _TEMPLATES[key]


def _chart(
    slug: str,
    title: str,
    caption: str,
    drawing: Drawing,
    columns: Sequence[Column],
    rows: Sequence[Row],
    thresholds: Sequence[tuple[str, float]] = (),
) -> Chart:
    template = _template((slug, title, caption, drawing.__qualname__), drawing)
    datasets: dict[str, list[Row]] = {"rows": list(rows)}
    if thresholds:
        datasets["thresholds"] = [{"level": lvl, "threshold": v} for lvl, v in thresholds]
    # A shallow copy: the cached template is shared and never changed.
    spec = {**template, "datasets": datasets}
    data = table(slug, title, columns, [[row.get(c.name) for c in columns] for row in rows])
    return Chart(slug, title, caption, spec, data)


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


def _base(name: str = "rows") -> alt.Chart:
    """A chart over the named dataset that `_chart` fills in."""
    return alt.Chart(alt.NamedData(name=name))


def _day_axis() -> alt.X:
    return alt.X(
        "day:T",
        timeUnit="utcyearmonthdate",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(title=None, format="%b %d", labelAngle=0),
    )


def _rules() -> alt.Chart:
    """Dashed horizontal threshold lines in the warning and critical colours."""
    rules: alt.Chart = (
        _base("thresholds")
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


def _lines(y: str, y_title: str, colour: str | None, tooltip: list[str], **extra: Any) -> alt.Chart:
    """Lines with points over the day axis."""
    encoding: dict[str, Any] = {"x": _day_axis(), "y": alt.Y(y, title=y_title), **extra}
    if colour:
        encoding["color"] = alt.Color(colour, title=colour.split(":")[0].capitalize())
    lines: alt.Chart = _base().mark_line(point=True).encode(tooltip=tooltip, **encoding)
    return lines


def _error_levels(thresholds: ThresholdSettings) -> list[tuple[str, float]]:
    return [
        ("warning", thresholds.error_rate_warning),
        ("critical", thresholds.error_rate_critical),
    ]


def _error_caption(what: str, thresholds: ThresholdSettings) -> str:
    return (
        f"Failed jobs as a share of finished jobs {what}, with the warning "
        f"({thresholds.error_rate_warning:g}%) and critical ({thresholds.error_rate_critical:g}%)"
        " thresholds."
    )


# Series charts: one point per daily report, oldest first.


def _job_volume_drawing() -> alt.Chart:
    bars: alt.Chart = (
        _base()
        .mark_bar()
        .encode(
            x=_day_axis(),
            y=alt.Y("jobs:Q", title="Jobs", stack="zero"),
            color=alt.Color("processor:N", title="Processor"),
            tooltip=["day:N", "processor:N", "jobs:Q"],
        )
    )
    return bars


def job_volume(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "processor": name, "jobs": _num(p.get("jobs")) or 0}
        for r in days
        for name, p in sorted((r.get("processors") or {}).items())
    ]
    columns = (
        Column("day", "Day", "date"),
        Column("processor", "Processor"),
        Column("jobs", "Jobs", "count"),
    )
    caption = "Jobs created per day, stacked by processor."
    return _chart(
        "job-volume", "Job volume by processor", caption, _job_volume_drawing, columns, rows
    )


def _error_rate_drawing() -> alt.TopLevelMixin:
    tooltip = ["day:N", "error_rate:Q", "finished:Q", "conclusive:N"]
    return alt.layer(_lines("error_rate:Q", "Error rate (%)", None, tooltip), _rules())


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
    columns = (
        Column("day", "Day", "date"),
        Column("error_rate", "Error rate", "percent"),
        Column("finished", "Finished", "count"),
        Column("conclusive", "Conclusive"),
    )
    caption = (
        _error_caption("per day", thresholds)
        + " Days without enough finished jobs are inconclusive."
    )
    return _chart(
        "error-rate",
        "Error rate",
        caption,
        _error_rate_drawing,
        columns,
        rows,
        _error_levels(thresholds),
    )


def _processing_time_drawing() -> alt.Chart:
    tooltip = ["day:N", "processor:N", "percentile:N", "ms:Q"]
    dash = alt.StrokeDash("percentile:N", title="Percentile")
    return _lines("ms:Q", "Processing time (ms)", "processor:N", tooltip, strokeDash=dash)


def processing_time(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "processor": name, "percentile": pct, "ms": _num(latency.get(pct))}
        for r in days
        for name, p in sorted((r.get("processors") or {}).items())
        for latency in [p.get("processing_time_ms") or {}]
        for pct in ("p50", "p95")
    ]
    columns = (
        Column("day", "Day", "date"),
        Column("processor", "Processor"),
        Column("percentile", "Percentile"),
        Column("ms", "Processing time", "ms"),
    )
    caption = "Median (p50) and 95th percentile processing time of completed jobs, per processor."
    return _chart(
        "processing-time",
        "Processing time by processor",
        caption,
        _processing_time_drawing,
        columns,
        rows,
    )


def _queue_drawing() -> alt.Chart:
    return _lines("jobs:Q", "Jobs", "measure:N", ["day:N", "measure:N", "jobs:Q"])


def queue_backlog(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "measure": measure, "jobs": _num(_get(r, "queue", measure)) or 0}
        for r in days
        for measure in ("pending", "stuck")
    ]
    columns = (
        Column("day", "Day", "date"),
        Column("measure", "Queue"),
        Column("jobs", "Jobs", "count"),
    )
    caption = "Pending and stuck jobs at the end of each day."
    return _chart("queue-backlog", "Queue backlog", caption, _queue_drawing, columns, rows)


def _cost_drawing() -> alt.Chart:
    tooltip = ["day:N", "series:N", "dollars:Q"]
    return _lines("dollars:Q", "US dollars", "series:N", tooltip)


def cost(days: Sequence[Report]) -> Chart:
    rows = [
        {"day": _day(r), "series": series, "dollars": _num(_get(r, "cost", series))}
        for r in days
        for series in ("actual", "baseline")
    ]
    columns = (
        Column("day", "Day", "date"),
        Column("series", "Cost"),
        Column("dollars", "US dollars", "money"),
    )
    caption = "Actual cost per day against the baseline of running every job on inngest."
    return _chart("cost", "Cost: actual vs baseline", caption, _cost_drawing, columns, rows)


def _health_drawing() -> alt.TopLevelMixin:
    line = _lines("score:Q", "Health score", None, ["day:N", "score:Q"]).encode(
        y=alt.Y("score:Q", title="Health score", scale=alt.Scale(domain=[0, 100]))
    )
    return alt.layer(line, _rules())


def health_score(days: Sequence[Report], thresholds: ThresholdSettings) -> Chart:
    rows = [{"day": _day(r), "score": _num(_get(r, "health", "score"))} for r in days]
    levels = [
        ("warning", thresholds.health_score_warning),
        ("critical", thresholds.health_score_critical),
    ]
    caption = (
        f"Daily health score (0-100) with the warning ({thresholds.health_score_warning:g}) and "
        f"critical ({thresholds.health_score_critical:g}) levels; inconclusive days have none."
    )
    columns = (Column("day", "Day", "date"), Column("score", "Health score", "number"))
    return _chart("health-score", "Health score", caption, _health_drawing, columns, rows, levels)


# Breakdown charts: the bars of one report.


def _bars(x: str, y: str, y_title: str, offset: str | None = None) -> Callable[[], alt.Chart]:
    """A bar chart's drawing: one bar per `x`, grouped by `offset` when given."""

    def drawing() -> alt.Chart:
        encoding: dict[str, Any] = {
            "x": alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            "y": alt.Y(f"{y}:Q", title=y_title),
            "tooltip": [f"{x}:N", f"{y}:Q"] + ([f"{offset}:N"] if offset else []),
        }
        if offset:
            encoding["xOffset"] = alt.XOffset(f"{offset}:N")
            encoding["color"] = alt.Color(f"{offset}:N", title=None)
        bars: alt.Chart = _base().mark_bar().encode(**encoding)
        return bars

    drawing.__qualname__ = f"bars:{x}:{y}:{offset}"
    return drawing


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
        _bars("processor", "jobs", "Jobs"),
        columns,
        rows,
    )


def _processor_error_drawing() -> alt.TopLevelMixin:
    return alt.layer(_bars("processor", "error_rate", "Error rate (%)")(), _rules())


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
    return _chart(
        "error-rate",
        "Error rate by processor",
        _error_caption("per processor", thresholds),
        _processor_error_drawing,
        columns,
        rows,
        _error_levels(thresholds),
    )


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
    drawing = _bars("processor", "ms", "Processing time (ms)", offset="percentile")
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
        _bars("measure", "jobs", "Jobs"),
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
        _bars("item", "dollars", "US dollars"),
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
        _bars("category", "failed", "Failed jobs"),
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
    drawing = _bars("category", "repositories", "Repositories", offset="measure")
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
