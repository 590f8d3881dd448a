"""How each kind of chart is drawn: its Vega-Lite spec, built with Altair.

A spec reads named datasets (`rows`, `thresholds`, `events`, `spans`) that `charts.py` fills
in for each chart. A drawing is named by data, its kind and arguments (`("volume", "hour")`),
so `charts.py` asks for one without importing Altair (~0.3 s) and caches its spec by that name.

Colours are left to the page's theme (light or dark, chosen in the browser), but for the
threshold and event marks, which mean the same in both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt

HEIGHT = 220
THRESHOLD_COLOURS = {"warning": "#bf8700", "critical": "#cf222e"}


EVENT_COLOUR = "#8957e5"
ALERT_COLOUR = "#cf222e"
GAP_COLOUR = "#8c959f"
LABEL_LINE_PX = 12  # one line of a rollout label
# Readable in light and dark themes: the legend of dashes must not be drawn in black.
LEGEND_STROKE = "#8c959f"
TIME_UNITS = {"hour": "utcyearmonthdatehours", "day": "utcyearmonthdate"}
TIME_LABELS = {
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


def _base(name: str = "rows") -> alt.Chart:
    """A chart over the named dataset that `charts.py` fills in for each chart."""
    return alt.Chart(alt.NamedData(name=name))


def _time_axis(step: str, unit: bool = False) -> alt.X:
    """The time axis in UTC, labelled alike on every chart of a step: hours on the 24-hour
    clock with the date at midnight (`Nov 18`, `03:00`), days as `Nov 18`. Vega's own
    multi-format would label lines `Wed 18`, `03 AM` beside the bars' `03:00`.

    Bars take the step as their time unit, so each is as wide as its hour or day."""
    # About six day labels (weekly over a month): Vega's overlap check thinned the bars' labels
    # but left a line chart's every second day crowding its axis.
    axis = alt.Axis(
        title=None,
        labelAngle=0,
        labelOverlap=True,
        labelExpr=TIME_LABELS[step],
        tickCount=6 if step == "day" else alt.Undefined,
    )
    if unit:
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


def _lines(y: str, y_title: str, colour: str, step: str) -> alt.TopLevelMixin:
    """One line per value of `colour` (a queue measure, a cost series)."""
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


def _bars(x: str, y: str, y_title: str, offset: str | None) -> alt.Chart:
    """One bar per `x`, grouped by `offset` when given."""
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


Drawing = tuple[str | None, ...]  # a kind of drawing and its arguments
DRAWINGS: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "volume": _volume_drawing,
    "error_rate": _error_rate_drawing,
    "processing_time": _processing_time_drawing,
    "lines": _lines,
    "health": _health_drawing,
    "bars": _bars,
}


def spec(title: str, caption: str, drawing: Drawing) -> dict[str, Any]:
    """The Vega-Lite spec of `drawing` (`DRAWINGS[kind](*arguments)`) with its title."""
    kind, *arguments = drawing
    assert kind is not None
    chart: dict[str, Any] = (
        DRAWINGS[kind](*arguments)
        .properties(title=title, description=caption, width="container", height=HEIGHT)
        # Below the plot, a legend leaves the plot its width on a phone.
        .configure_legend(orient="bottom", direction="horizontal", columns=2, labelLimit=120)
        .to_dict(validate=False)
    )
    # The schema URL is never fetched, but a page should name no other host at all.
    chart.pop("$schema", None)
    return chart
