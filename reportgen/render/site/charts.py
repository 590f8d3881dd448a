"""The site's charts from report dicts: what each shows (its rows, caption and table).

Charts read pre-aggregated numbers only: a series chart has one point per daily report (a year
is 365 rows, far below Altair's 5,000-row limit), a breakdown chart one bar per processor or
category. Each chart comes with a caption and the table it draws, its text alternative.

Time axes are the report's local calendar days written as ISO dates and read as UTC
(`utcyearmonthdate`), so a reader in any time zone sees the same days. Colours are left to the
page's theme (light or dark, chosen in the browser).

How each kind of chart is drawn is `drawings.py`: Altair builds the spec of a kind of chart
once, reading named datasets (`rows`, `thresholds`), and every chart of that kind is that spec
plus its own `datasets`. Building each of a year's 3,000 charts through Altair would cost ~30 ms
apiece (it validates every channel) and add nothing; the tests validate every spec against the
Vega-Lite schema. A kind's spec is also kept in the cache folder under the Altair release and
the drawing code, so a build that finds them there never imports Altair (~0.3 s) nor builds
them again (~50 ms a kind).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reportgen.config import ThresholdSettings
from reportgen.render import formatting
from reportgen.render.site.cache import read_cached, write_cached
from reportgen.render.site.events import ChartEvents
from reportgen.render.site.tables import Column, DataTable, table

Report = Mapping[str, Any]
Row = dict[str, Any]
# A kind of drawing and its arguments, as `drawings.DRAWINGS` names them: `("volume", "hour")`.
Drawing = tuple[str | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart: its Vega-Lite spec, a caption and the table it draws."""

    slug: str
    title: str
    caption: str
    spec: dict[str, Any]
    table: DataTable
    # A CSV file of the chart's data beside the page, where one is written (the index);
    # elsewhere the page script offers the chart's rows as a CSV download.
    csv: str = ""
    # False where the page carries the numbers otherwise (the index: its daily summary table
    # and the CSV files), keeping it small.
    inline_table: bool = True


_TEMPLATES: dict[tuple[str, str, Drawing], dict[str, Any]] = {}


@cache
def _drawing_code() -> str:
    """What a spec depends on beside its title: the Altair release and the drawing code."""
    code = Path(__file__).with_name("drawings.py").read_bytes()
    return f"{version('altair')}-{hashlib.sha256(code).hexdigest()}"


def _template(title: str, caption: str, drawing: Drawing) -> dict[str, Any]:
    """The Vega-Lite spec of one kind of chart: from memory, else from the cache folder, else
    built by Altair (and cached)."""
    key = (title, caption, drawing)
    if key not in _TEMPLATES:
        name = json.dumps([_drawing_code(), title, caption, drawing])
        cached_name = f"chart-{hashlib.sha256(name.encode()).hexdigest()[:24]}.json"
        cached = read_cached(cached_name)
        if cached is not None:
            spec: dict[str, Any] = json.loads(cached)
        else:
            from reportgen.render.site import drawings

            spec = drawings.spec(title, caption, drawing)
            write_cached(cached_name, json.dumps(spec).encode())
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
    template = _template(title, caption, drawing)
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


NO_EVENTS = ChartEvents()


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


EVENTS_CAPTION = (
    " Purple rules mark rollout changes, red spans alert episodes, grey spans hours without"
    " data (before the data start, or after the newest snapshot)."
)


@dataclass(frozen=True)
class Timeline:
    """The time points of a series chart and the events within its window."""

    step: str  # "hour" or "day"
    events: ChartEvents

    @property
    def unit(self) -> str:
        return "hour" if self.step == "hour" else "day"


def _series_chart(
    slug: str,
    title: str,
    caption: str,
    drawing: Drawing,
    timeline: Timeline,
    columns: Sequence[Column],
    rows: Sequence[Row],
    thresholds: Sequence[tuple[str, float]] = (),
) -> Chart:
    """A chart over time: `drawing` takes the step last; events fill its datasets.

    An hour from the data's end on has no data (its zeros were never measured): its points
    are left out, and the grey span after the newest snapshot shows why."""
    data_end = timeline.events.data_end
    if timeline.step == "hour" and data_end is not None:
        rows = [row for row in rows if datetime.fromisoformat(str(row["at"])) < data_end]
    draw = (*drawing, timeline.step)
    chart = _chart(slug, title, caption + EVENTS_CAPTION, draw, columns, rows, thresholds)
    chart.spec["datasets"]["events"] = list(timeline.events.rules)
    chart.spec["datasets"]["spans"] = list(timeline.events.spans)
    return chart


def wide(chart: Chart, series: Sequence[str], value: str, fmt: str) -> Chart:
    """The chart with its data table pivoted: one row per time, one column per series.

    A day's hourly chart per processor and percentile is 96 long rows; its table reads better,
    and renders in a quarter of the cells, as 24 rows. The spec keeps the long rows."""
    rows: list[Row] = chart.spec["datasets"]["rows"]
    names = list(dict.fromkeys(" ".join(str(row[k]) for k in series) for row in rows))
    by_time: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_time.setdefault(row["at"], {})[" ".join(str(row[k]) for k in series)] = row[value]
    first = chart.table.columns[0]
    columns = (first, *(Column(f"v{n}", name, fmt) for n, name in enumerate(names)))  # type: ignore[arg-type]
    values = [[at, *(cells.get(name) for name in names)] for at, cells in by_time.items()]
    return replace(chart, table=table(chart.table.slug, chart.table.title, columns, values))


def _at_column(timeline: Timeline) -> Column:
    return Column(
        "at",
        "Hour (UTC)" if timeline.step == "hour" else "Day",
        "time" if timeline.step == "hour" else "date",
    )


# Series from the hourly series of one report (a day, a short range) or from daily reports.


def _hours(report: Report) -> list[str]:
    return list(_get(report, "series", "at") or [])


def job_volume_series(timeline: Timeline, sources: Sequence[Report]) -> Chart:
    if timeline.step == "hour":
        rows = [
            {"at": at, "processor": name, "jobs": jobs}
            for report in sources
            for name, measures in sorted((_get(report, "series", "processors") or {}).items())
            for at, jobs in zip(_hours(report), measures.get("jobs") or [], strict=False)
        ]
    else:
        rows = [
            {"at": _day(r), "processor": name, "jobs": _num(p.get("jobs")) or 0}
            for r in sources
            for name, p in sorted((r.get("processors") or {}).items())
        ]
    columns = (
        _at_column(timeline),
        Column("processor", "Processor"),
        Column("jobs", "Jobs", "count"),
    )
    caption = f"Jobs created per {timeline.unit}, stacked by processor."
    chart = _series_chart(
        "job-volume", "Job volume by processor", caption, ("volume",), timeline, columns, rows
    )
    return wide(chart, ("processor",), "jobs", "count")


def error_rate_series(
    timeline: Timeline, sources: Sequence[Report], thresholds: ThresholdSettings
) -> Chart:
    rows: list[Row] = []
    if timeline.step == "hour":
        for report in sources:
            overall = _get(report, "series", "overall") or {}
            for n, at in enumerate(_hours(report)):
                low, high = overall["error_rate_low"][n], overall["error_rate_high"][n]
                rows.append(
                    {
                        "at": at,
                        "error_rate": overall["error_rate"][n],
                        "low": low,
                        "high": high,
                        "interval": formatting.interval([low, high]),
                        "failed": overall["failed"][n],
                        "finished": overall["finished"][n],
                    }
                )
    else:
        for r in sources:
            ci = _get(r, "jobs", "error_rate_ci") or [None, None]
            rows.append(
                {
                    "at": _day(r),
                    "error_rate": _num(_get(r, "jobs", "error_rate")),
                    "low": _num(ci[0]),
                    "high": _num(ci[1]),
                    "interval": formatting.interval(ci),
                    "failed": _num(_get(r, "jobs", "failed")) or 0,
                    "finished": _num(_get(r, "jobs", "finished")) or 0,
                }
            )
    columns = (
        _at_column(timeline),
        Column("error_rate", "Error rate", "percent"),
        Column("interval", "95% interval"),
        Column("failed", "Failed", "count"),
        Column("finished", "Finished", "count"),
    )
    caption = (
        _error_caption(f"per {timeline.unit}", thresholds)
        + " The band is the 95% interval; it is wide where few jobs finished."
    )
    return _series_chart(
        "error-rate",
        "Error rate",
        caption,
        ("error_rate",),
        timeline,
        columns,
        rows,
        _error_levels(thresholds),
    )


def processing_time_series(timeline: Timeline, sources: Sequence[Report]) -> Chart:
    rows: list[Row] = []
    if timeline.step == "hour":
        for report in sources:
            for name, m in sorted((_get(report, "series", "processors") or {}).items()):
                for n, at in enumerate(_hours(report)):
                    for pct in ("p50", "p95"):
                        value = m[f"{pct}_ms"][n]
                        rows.append(_latency_row(at, name, pct, value))
    else:
        for r in sources:
            for name, p in sorted((r.get("processors") or {}).items()):
                for pct in ("p50", "p95"):
                    value = _num(_get(p, "processing_time_ms", pct))
                    rows.append(_latency_row(_day(r), name, pct, value))
    columns = (
        _at_column(timeline),
        Column("processor", "Processor"),
        Column("percentile", "Percentile"),
        Column("ms", "Processing time", "ms"),
    )
    caption = (
        f"Median (p50, solid) and 95th percentile (p95, dashed) processing time of completed jobs"
        f" per {timeline.unit} and processor, on a log scale: the processors differ by orders of"
        " magnitude."
    )
    chart = _series_chart(
        "processing-time",
        "Processing time (p50 solid, p95 dashed)",
        caption,
        ("processing_time",),
        timeline,
        columns,
        rows,
    )
    return wide(chart, ("processor", "percentile"), "ms", "ms")


def _latency_row(at: str, processor: str, percentile: str, ms: float | None) -> Row:
    return {
        "at": at,
        "processor": processor,
        "percentile": percentile,
        "ms": ms,
        "time": formatting.duration_ms(ms),
    }


def queue_series(timeline: Timeline, sources: Sequence[Report]) -> Chart:
    if timeline.step == "hour":
        rows = [
            {"at": at, "measure": "pending", "jobs": pending}
            for report in sources
            for at, pending in zip(
                _hours(report), _get(report, "series", "overall", "pending") or [], strict=False
            )
        ]
        caption = "Jobs of the period waiting (created, not started) at the end of each hour."
    else:
        rows = [
            {"at": _day(r), "measure": measure, "jobs": _num(_get(r, "queue", measure)) or 0}
            for r in sources
            for measure in ("pending", "stuck")
        ]
        caption = "Pending and stuck jobs at the end of each day."
    columns = (_at_column(timeline), Column("measure", "Queue"), Column("jobs", "Jobs", "count"))
    return _series_chart(
        "queue-backlog",
        "Queue backlog",
        caption,
        ("lines", "jobs", "Jobs", "measure"),
        timeline,
        columns,
        rows,
    )


def cost_series(timeline: Timeline, sources: Sequence[Report]) -> Chart:
    if timeline.step == "hour":
        rows = [
            {"at": at, "series": name, "dollars": dollars}
            for report in sources
            for name, m in sorted((_get(report, "series", "processors") or {}).items())
            for at, dollars in zip(_hours(report), m.get("cost") or [], strict=False)
        ]
        caption = "What each processor's jobs cost per hour, in US dollars."
    else:
        rows = [
            {"at": _day(r), "series": series, "dollars": _num(_get(r, "cost", series))}
            for r in sources
            for series in ("actual", "baseline")
        ]
        caption = (
            "Actual cost per day against the baseline: every job on inngest at its per-job price."
        )
    columns = (
        _at_column(timeline),
        Column("series", "Cost"),
        Column("dollars", "US dollars", "money"),
    )
    chart = _series_chart(
        "cost",
        "Cost",
        caption,
        ("lines", "dollars", "US dollars", "series"),
        timeline,
        columns,
        rows,
    )
    return wide(chart, ("series",), "dollars", "money")


def health_score_series(
    timeline: Timeline, days: Sequence[Report], thresholds: ThresholdSettings
) -> Chart:
    rows = [{"at": _day(r), "score": _num(_get(r, "health", "score"))} for r in days]
    levels = [
        ("warning", thresholds.health_score_warning),
        ("critical", thresholds.health_score_critical),
    ]
    caption = (
        f"Daily health score (0-100) with the warning ({thresholds.health_score_warning:g}) and "
        f"critical ({thresholds.health_score_critical:g}) levels; inconclusive days have none."
    )
    columns = (_at_column(timeline), Column("score", "Health score", "score"))
    return _series_chart(
        "health-score", "Health score", caption, ("health",), timeline, columns, rows, levels
    )


# Breakdown charts: the bars of one report.


def error_categories(report: Report) -> Chart:
    by_category: Mapping[str, Any] = _get(report, "errors", "by_category") or {}
    rows = [{"category": name, "failed": _num(n) or 0} for name, n in by_category.items()]
    columns = (Column("category", "Category"), Column("failed", "Failed jobs", "count"))
    caption = "Failed jobs by error category (first matching pattern wins)."
    return _chart(
        "error-categories",
        "Error categories",
        caption,
        ("bars", "category", "failed", "Failed jobs", None),
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
    drawing = ("bars", "category", "repositories", "Repositories", "measure")
    return _chart("repository-categories", "Repository categories", caption, drawing, columns, rows)


def series_charts(
    days: Sequence[Report], thresholds: ThresholdSettings, events: ChartEvents = NO_EVENTS
) -> list[Chart]:
    """The over-time charts of a span of daily reports (index, week, month, long range)."""
    timeline = Timeline("day", events)
    return [
        job_volume_series(timeline, days),
        error_rate_series(timeline, days, thresholds),
        processing_time_series(timeline, days),
        queue_series(timeline, days),
        cost_series(timeline, days),
        health_score_series(timeline, days, thresholds),
    ]


def hourly_charts(
    report: Report, thresholds: ThresholdSettings, events: ChartEvents = NO_EVENTS
) -> list[Chart]:
    """The over-time charts of a day or a short range, from its report's hourly series."""
    timeline = Timeline("hour", events)
    return [
        job_volume_series(timeline, [report]),
        error_rate_series(timeline, [report], thresholds),
        processing_time_series(timeline, [report]),
        queue_series(timeline, [report]),
        cost_series(timeline, [report]),
    ]


def category_charts(report: Report) -> list[Chart]:
    """The category charts of a report, beside its series charts."""
    return [error_categories(report), repository_categories(report)]
