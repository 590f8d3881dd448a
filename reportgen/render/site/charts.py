"""The site's charts, built with Altair from report dicts.

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
from dataclasses import dataclass, replace
from typing import Any

import altair as alt

from reportgen.config import ThresholdSettings
from reportgen.render import formatting
from reportgen.render.site.events import ChartEvents
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
    # A CSV file of the chart's data beside the page, where one is written (the index);
    # elsewhere the page script offers the chart's rows as a CSV download.
    csv: str = ""
    # False where the page carries the numbers otherwise (the index: its daily summary table
    # and the CSV files), keeping it small.
    inline_table: bool = True


_TEMPLATES: dict[tuple[str, ...], dict[str, Any]] = {}


def _template(key: tuple[str, str, str, str], drawing: Drawing) -> dict[str, Any]:
    """The Vega-Lite spec of one kind of chart, built by Altair on first use."""
    if key not in _TEMPLATES:
        _, title, caption, _ = key
        spec: dict[str, Any] = (
            drawing()
            .properties(title=title, description=caption, width="container", height=HEIGHT)
            # Below the plot, a legend leaves the plot its width on a phone.
            .configure_legend(orient="bottom", direction="horizontal", columns=2, labelLimit=120)
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


NO_EVENTS = ChartEvents()
EVENT_COLOUR = "#8957e5"
ALERT_COLOUR = "#cf222e"
GAP_COLOUR = "#8c959f"
LABEL_LINE_PX = 12  # one line of a rollout label
# Readable in light and dark themes: the legend of dashes must not be drawn in black.
LEGEND_STROKE = "#8c959f"
TIME_UNITS = {"hour": "utcyearmonthdatehours", "day": "utcyearmonthdate"}
BAR_LABELS = {
    "hour": "utcFormat(datum.value, '%H') === '00'"
    " ? utcFormat(datum.value, '%b %d') : utcFormat(datum.value, '%H:%M')",
    "day": "utcFormat(datum.value, '%b %d')",
}
# Log-scale ticks of durations: 100 ms, 1 s, 10 s, 1 min, 10 min, 1 h, 10 h.
DURATION_TICKS = [100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 36_000_000]
# Axis labels of durations given in ms: s, min or h, as in the tables.
DURATION_LABEL = (
    "datum.value >= 3600000 ? format(datum.value / 3600000, '.2~f') + ' h'"
    " : datum.value >= 60000 ? format(datum.value / 60000, '.2~f') + ' min'"
    " : datum.value >= 1000 ? format(datum.value / 1000, '.2~f') + ' s'"
    " : format(datum.value, '.0f') + ' ms'"
)


def _time_axis(step: str, unit: bool = False) -> alt.X:
    """The time axis in UTC; Vega's own multi-format labels hours and days without repeats.

    Bars take the step as their time unit, so each is as wide as its hour or day."""
    axis = alt.Axis(title=None, labelAngle=0, labelOverlap=True)
    if unit:
        # A time unit would label every tick with its full date and hour: label as Vega does.
        axis = alt.Axis(title=None, labelAngle=0, labelOverlap=True, labelExpr=BAR_LABELS[step])
        return alt.X("at:T", timeUnit=TIME_UNITS[step], scale=alt.Scale(type="utc"), axis=axis)  # type: ignore[arg-type]
    return alt.X("at:T", scale=alt.Scale(type="utc"), axis=axis)


def _events(step: str) -> list[alt.Chart]:
    """Alert episodes and coverage gaps as shaded spans, rollout changes as labelled rules."""
    spans = _base("spans")
    x, x2 = alt.X("start:T", scale=alt.Scale(type="utc")), alt.X2("end:T")
    tooltip = [alt.Tooltip("event:N", title="Event"), "start:T", "end:T"]
    alerts = (
        spans.transform_filter("datum.kind === 'alert'")
        .mark_rect(color=ALERT_COLOUR, opacity=0.15)
        .encode(x=x, x2=x2, tooltip=tooltip)
    )
    gaps = (
        spans.transform_filter("datum.kind !== 'alert'")
        .mark_rect(color=GAP_COLOUR, opacity=0.2)
        .encode(x=x, x2=x2, tooltip=tooltip)
    )
    at = alt.X("at:T", scale=alt.Scale(type="utc"))
    rule_tooltip = [
        alt.Tooltip("event:N", title="Rollout"),
        alt.Tooltip("at:T", format="%b %d %H:%M"),
    ]
    rules = (
        _base("events")
        .mark_rule(color=EVENT_COLOUR, strokeWidth=2, strokeDash=[2, 2])
        .encode(x=at, tooltip=rule_tooltip)
    )
    labels = (
        _base("events")
        .transform_calculate(label_y=f"2 + {LABEL_LINE_PX} * datum.lane")
        .mark_text(color=EVENT_COLOUR, align="left", baseline="top", dx=4, fontWeight="bold")
        .encode(x=at, y=alt.Y("label_y:Q", scale=None), text="event:N", tooltip=rule_tooltip)
    )
    return [alerts, gaps, rules, labels]


def _with_events(step: str, *layers: alt.Chart) -> alt.TopLevelMixin:
    # Independent colours: processors, thresholds and percentiles keep their own legends.
    events = _events(step)
    layered = alt.layer(*events[:2], *layers, *events[2:])
    resolved: alt.TopLevelMixin = layered.resolve_scale(
        color="independent", strokeDash="independent"
    )
    return resolved


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
    " data (before the data start, or not yet elapsed)."
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
    drawing: Callable[[str], alt.TopLevelMixin],
    timeline: Timeline,
    columns: Sequence[Column],
    rows: Sequence[Row],
    thresholds: Sequence[tuple[str, float]] = (),
) -> Chart:
    """A chart over time: `drawing(step)` is cached per step; events fill its datasets."""
    step = timeline.step

    def draw() -> alt.TopLevelMixin:
        return drawing(step)

    draw.__qualname__ = f"{drawing.__qualname__}:{step}"
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


def _volume_drawing(step: str) -> alt.TopLevelMixin:
    bars = (
        _base()
        .mark_bar()
        .encode(
            x=_time_axis(step, unit=True),
            y=alt.Y("jobs:Q", title="Jobs", stack="zero"),
            color=alt.Color("processor:N", title="Processor"),
            tooltip=[alt.Tooltip("at:T", title="From"), "processor:N", "jobs:Q"],
        )
    )
    return _with_events(step, bars)


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
        "job-volume", "Job volume by processor", caption, _volume_drawing, timeline, columns, rows
    )
    return wide(chart, ("processor",), "jobs", "count")


def _error_rate_drawing(step: str) -> alt.TopLevelMixin:
    x = _time_axis(step)
    band = (
        _base()
        .mark_area(opacity=0.15, color=LEGEND_STROKE)
        .encode(x=x, y=alt.Y("low:Q", title="Error rate (%)"), y2="high:Q")
    )
    tooltip = [
        alt.Tooltip("at:T", title="From"),
        alt.Tooltip("error_rate:Q", title="Error rate (%)", format=".1f"),
        alt.Tooltip("interval:N", title="95% interval"),
        "failed:Q",
        "finished:Q",
    ]
    line = (
        _base()
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("error_rate:Q", title="Error rate (%)"), tooltip=tooltip)
    )
    return _with_events(step, band, line, _rules())


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
        _error_rate_drawing,
        timeline,
        columns,
        rows,
        _error_levels(thresholds),
    )


def _processing_time_drawing(step: str) -> alt.TopLevelMixin:
    tooltip = [
        alt.Tooltip("at:T", title="From"),
        "processor:N",
        "percentile:N",
        alt.Tooltip("time:N", title="Processing time"),
    ]
    lines = (
        _base()
        .transform_filter("datum.ms > 0")
        .mark_line(point=True)
        .encode(
            x=_time_axis(step),
            y=alt.Y(
                "ms:Q",
                title="Processing time (log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(labelExpr=DURATION_LABEL, values=DURATION_TICKS),
            ),
            color=alt.Color("processor:N", title="Processor"),
            strokeDash=alt.StrokeDash(
                "percentile:N",
                title="Percentile",
                # Vega draws a dash legend's symbols in black, unreadable in the dark theme:
                # the chart's title says which dash is which instead.
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    return _with_events(step, lines)


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
        _processing_time_drawing,
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


def _measure_lines(y: str, y_title: str, colour: str) -> Callable[[str], alt.TopLevelMixin]:
    def drawing(step: str) -> alt.TopLevelMixin:
        lines = (
            _base()
            .mark_line(point=True)
            .encode(
                x=_time_axis(step),
                y=alt.Y(f"{y}:Q", title=y_title),
                color=alt.Color(f"{colour}:N", title=colour.capitalize()),
                tooltip=[alt.Tooltip("at:T", title="At"), f"{colour}:N", f"{y}:Q"],
            )
        )
        return _with_events(step, lines)

    drawing.__qualname__ = f"lines:{y}:{colour}"
    return drawing


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
        _measure_lines("jobs", "Jobs", "measure"),
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
        _measure_lines("dollars", "US dollars", "series"),
        timeline,
        columns,
        rows,
    )
    return wide(chart, ("series",), "dollars", "money")


def _health_drawing(step: str) -> alt.TopLevelMixin:
    line = (
        _base()
        .mark_line(point=True)
        .encode(
            x=_time_axis(step),
            y=alt.Y("score:Q", title="Health score", scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("at:T", title="Day"), "score:Q"],
        )
    )
    return _with_events(step, line, _rules())


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
    columns = (_at_column(timeline), Column("score", "Health score", "number"))
    return _series_chart(
        "health-score", "Health score", caption, _health_drawing, timeline, columns, rows, levels
    )


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
