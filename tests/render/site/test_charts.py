from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from altair.vegalite.v6.schema import core
from datasets import HOSTILE_REPOSITORY, example_report
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from reportgen.config import ThresholdSettings
from reportgen.render.site import charts
from reportgen.render.site.events import chart_events, episodes

THRESHOLDS = ThresholdSettings()
VALIDATOR = jsonschema.Draft7Validator(core.load_schema())
DAY = datetime(2026, 11, 18, tzinfo=UTC)
ROLLBACK = {
    "created_at": "2026-11-18T14:18:00+00:00",
    "action": "rollback",
    "previous_percentage": 50.0,
    "new_percentage": 0.0,
    "reason": "Automatic rollback",
    "triggered_by": "auto_health_check",
}
TRANSITIONS = [
    {"key": "k", "rule": "error_rate", "scope": "overall", "to_state": "firing",
     "changed_at": "2026-11-18T14:00:00+00:00", "severity": "critical", "message": "high"},
    {"key": "k", "rule": "error_rate", "scope": "overall", "to_state": "resolved",
     "changed_at": "2026-11-18T17:00:00+00:00", "severity": "critical", "message": "ok"},
]  # fmt: skip


def daily(day: date, jobs: int, failed: int, score: float | None) -> dict[str, Any]:
    """The example report moved to `day`, with its own volume and error rate."""
    report = copy.deepcopy(example_report())
    report["period"]["start"] = f"{day.isoformat()}T00:00:00+01:00"
    report["jobs"].update(total=jobs, failed=failed, error_rate=100 * failed / jobs)
    report["processors"]["inngest"]["jobs"] = jobs
    report["health"]["score"] = score
    return report


def week() -> list[dict[str, Any]]:
    first = date(2026, 11, 23)
    return [daily(first + timedelta(days=n), 100 + n, n, 100 - 5 * n) for n in range(7)]


def _measures(jobs: list[int], failed: list[int], p95: list[float | None]) -> dict[str, Any]:
    return {
        "jobs": jobs,
        "finished": jobs,
        "failed": failed,
        "error_rate": [100 * f / n if n else None for f, n in zip(failed, jobs, strict=True)],
        "p50_ms": [v / 2 if v else None for v in p95],
        "p95_ms": p95,
        "cost": [0.0002 * n for n in jobs],
    }


def incident_day() -> dict[str, Any]:
    """The example report as a day with three hours of series and a rollback in the third."""
    report = copy.deepcopy(example_report())
    report["period"]["start"] = DAY.isoformat()
    report["rollout"] = {**report.get("rollout", {}), "changes": [ROLLBACK]}
    overall = _measures([10, 12, 8], [0, 6, 1], [4000.0, 90000.0, None])
    overall.update(error_rate_low=[0.0, 25.4, 2.2], error_rate_high=[27.8, 74.6, 47.1])
    overall["pending"] = [0, 3, 1]
    report["series"] = {
        "step": "hour",
        "at": [(DAY + timedelta(hours=12 + h)).isoformat() for h in range(3)],
        "overall": overall,
        "processors": {
            "github_actions": _measures([2, 2, 0], [0, 2, 0], [3_600_000.0, 5_400_000.0, None]),
            "inngest": _measures([8, 10, 8], [0, 4, 1], [4000.0, 9000.0, 3000.0]),
        },
    }
    return report


def events() -> Any:
    return chart_events(
        [incident_day()], (DAY, DAY + timedelta(days=1)), episodes(TRANSITIONS), None, None
    )


def every_chart() -> list[charts.Chart]:
    return (
        charts.series_charts(week(), THRESHOLDS, events())
        + charts.hourly_charts(incident_day(), THRESHOLDS, events())
        + charts.category_charts(example_report())
    )


def test_chart_specs_are_valid_vega_lite() -> None:
    for chart in every_chart():
        errors = [e.message for e in VALIDATOR.iter_errors(chart.spec)]
        assert errors == [], chart.slug


def test_chart_specs_load_nothing() -> None:
    for chart in every_chart():
        text = json.dumps(chart.spec)
        assert "$schema" not in chart.spec, chart.slug
        assert '"url"' not in text, chart.slug


@pytest.fixture(name="json_snapshot")
def json_snapshot_fixture(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


GROUPS = ["daily"] * 6 + ["hourly"] * 5 + ["categories"] * 2


@pytest.mark.parametrize("index", range(len(GROUPS)), ids=lambda n: f"{n:02d}-{GROUPS[n]}")
def test_chart_spec_snapshot(index: int, json_snapshot: SnapshotAssertion) -> None:
    """One file per chart spec, so a change to one chart is reviewed on its own."""
    chart = every_chart()[index]
    assert chart.spec == json_snapshot(name=f"{GROUPS[index]}-{chart.slug}")


def test_job_volume_has_one_row_per_day_and_processor() -> None:
    chart = charts.job_volume_series(charts.Timeline("day", charts.NO_EVENTS), week())
    # The spec keeps a row per day and processor; the table a row per day, a column each.
    assert len(chart.spec["datasets"]["rows"]) == 14
    assert [c.label for c in chart.table.columns] == ["Day", HOSTILE_REPOSITORY, "inngest"]
    assert chart.table.rows[:2] == (("2026-11-23", 234, 100), ("2026-11-24", 234, 101))


def test_series_rows_stay_under_altairs_limit_for_a_year() -> None:
    first = date(2026, 1, 1)
    year = [daily(first + timedelta(days=n), 100, 1, 90) for n in range(365)]
    for chart in charts.series_charts(year, THRESHOLDS):
        assert sum(len(rows) for rows in chart.spec["datasets"].values()) <= 365 * 2 * 2 + 2


def test_hourly_charts_put_hours_on_a_utc_time_axis() -> None:
    volume, error_rate, _latency, queue, cost = charts.hourly_charts(incident_day(), THRESHOLDS)
    bars = volume.spec["layer"][2]["encoding"]["x"]
    assert bars["timeUnit"] == "utcyearmonthdatehours"
    assert bars["scale"] == {"type": "utc"}
    assert volume.table.rows[0] == ("2026-11-18T12:00:00+00:00", 2, 8)
    assert [row[1] for row in error_rate.table.rows] == [0.0, 50.0, 12.5]
    assert error_rate.table.rows[1][2] == "25.4–74.6%"
    assert queue.table.rows == (
        ("2026-11-18T12:00:00+00:00", "pending", 0),
        ("2026-11-18T13:00:00+00:00", "pending", 3),
        ("2026-11-18T14:00:00+00:00", "pending", 1),
    )
    assert [c.label for c in cost.table.columns] == ["Hour (UTC)", "github_actions", "inngest"]
    at, actions, inngest = cost.table.rows[0]
    assert (at, actions) == ("2026-11-18T12:00:00+00:00", 0.0004)
    assert inngest == pytest.approx(0.0016)


def test_processing_time_is_on_a_log_scale_labelled_in_readable_units() -> None:
    chart = charts.hourly_charts(incident_day(), THRESHOLDS)[2]
    y = chart.spec["layer"][2]["encoding"]["y"]
    assert y["scale"] == {"type": "log"}
    assert "' min'" in y["axis"]["labelExpr"] and "' h'" in y["axis"]["labelExpr"]
    shown = {
        (row["processor"], row["percentile"], row["time"]) for row in chart.spec["datasets"]["rows"]
    }
    assert ("github_actions", "p95", "1 h 30 min") in shown
    assert ("inngest", "p95", "4.0 s") in shown
    # No dash legend: Vega would draw its symbols in black, unreadable in the dark theme.
    assert y is not None and chart.spec["layer"][2]["encoding"]["strokeDash"]["legend"] is None


def test_time_charts_carry_the_rollback_and_the_alert_episode() -> None:
    for chart in every_chart()[:11]:
        assert chart.spec["datasets"]["events"] == [
            {
                "at": "2026-11-18T14:18:00+00:00",
                "event": "rollback 50% → 0%",
                "kind": "rollback",
                "lane": 0,
            }
        ], chart.slug
        assert chart.spec["datasets"]["spans"] == [
            {
                "start": "2026-11-18T14:00:00+00:00",
                "end": "2026-11-18T17:00:00+00:00",
                "event": "critical alert: error_rate (overall)",
                "kind": "alert",
            }
        ], chart.slug


def test_error_rate_chart_draws_the_configured_thresholds() -> None:
    chart = charts.error_rate_series(
        charts.Timeline("day", charts.NO_EVENTS),
        week(),
        ThresholdSettings(error_rate_warning=1, error_rate_critical=3),
    )
    rules = chart.spec["datasets"]["thresholds"]
    assert rules == [
        {"level": "warning", "threshold": 1.0},
        {"level": "critical", "threshold": 3.0},
    ]
    assert "warning (1%) and critical (3%)" in chart.caption
    assert [row[1] for row in chart.table.rows] == [
        pytest.approx(100 * n / (100 + n)) for n in range(7)
    ]


def test_health_score_keeps_inconclusive_days_as_gaps() -> None:
    days = week()
    days[2]["health"]["score"] = None
    chart = charts.health_score_series(charts.Timeline("day", charts.NO_EVENTS), days, THRESHOLDS)
    assert chart.table.rows[2] == ("2026-11-25", None)
    assert chart.spec["layer"][2]["encoding"]["y"]["scale"] == {"domain": [0, 100]}


def test_category_charts_read_categories() -> None:
    report = example_report()
    assert charts.error_categories(report).table.rows == (
        ("network", 150),
        ("rate_limit", 3),
        ("unknown", 0),
    )
    assert charts.repository_categories(report).table.rows == (
        ("large", "repositories", 2),
        ("large", "active", 1),
    )


def test_charts_of_one_kind_share_their_spec_apart_from_the_data() -> None:
    timeline = charts.Timeline("day", charts.NO_EVENTS)
    first = charts.job_volume_series(timeline, week()[:2])
    second = charts.job_volume_series(timeline, week()[2:])
    assert {k: v for k, v in first.spec.items() if k != "datasets"} == {
        k: v for k, v in second.spec.items() if k != "datasets"
    }
    assert first.spec["datasets"]["rows"] != second.spec["datasets"]["rows"]


def test_every_chart_has_a_caption_and_a_description() -> None:
    for chart in every_chart():
        assert chart.caption and chart.spec["description"] == chart.caption
        assert chart.spec["width"] == "container"


@pytest.fixture(name="fresh_templates")
def fresh_templates_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and no spec kept in memory before or after the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    charts._TEMPLATES.clear()
    yield tmp_path / "reportgen"
    charts._TEMPLATES.clear()


def test_chart_specs_are_drawn_once_then_read_from_the_cache(fresh_templates: Path) -> None:
    drawn = charts.hourly_charts(incident_day(), THRESHOLDS)
    files = sorted(fresh_templates.glob("chart-*.json"))
    assert len(files) == len(drawn) == 5
    charts._TEMPLATES.clear()  # as in the next build's process
    assert [c.spec for c in charts.hourly_charts(incident_day(), THRESHOLDS)] == [
        c.spec for c in drawn
    ]
    # What the next process uses is the cached file.
    for path in files:
        path.write_text('{"mark": "cached"}')
    charts._TEMPLATES.clear()
    specs = [c.spec for c in charts.hourly_charts(incident_day(), THRESHOLDS)]
    assert {spec["mark"] for spec in specs} == {"cached"}


def test_hourly_charts_leave_out_the_hours_after_the_newest_snapshot() -> None:
    """The data end at 13:30: the 14:00 hour was never measured, its zeros are not drawn."""
    data_as_of = DAY + timedelta(hours=13, minutes=30)
    found = chart_events([], (DAY, DAY + timedelta(days=1)), [], None, None, data_as_of)
    for chart in charts.hourly_charts(incident_day(), THRESHOLDS, found):
        hours = sorted({row["at"][11:16] for row in chart.spec["datasets"]["rows"]})
        assert hours == ["12:00", "13:00"], chart.slug
        assert [row[0] for row in chart.table.rows] == [
            "2026-11-18T12:00:00+00:00",
            "2026-11-18T13:00:00+00:00",
        ], chart.slug
        assert chart.spec["datasets"]["spans"] == [
            {
                "start": "2026-11-18T13:30:00+00:00",
                "end": "2026-11-19T00:00:00+00:00",
                "event": "after the newest snapshot",
                "kind": "after_data",
            }
        ], chart.slug
        assert "grey spans hours without data (before the data start, or after the newest" in (
            chart.caption
        )


def test_daily_series_keep_their_days_when_the_data_end_within_the_last() -> None:
    data_as_of = datetime(2026, 11, 29, 10, tzinfo=UTC)
    window = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
    found = chart_events([], window, [], None, None, data_as_of)
    volume = charts.series_charts(week(), THRESHOLDS, found)[0]
    assert len({row["at"] for row in volume.spec["datasets"]["rows"]}) == 7


def _time_label_exprs(spec: Any) -> list[str]:
    """The label expressions of the time (`at`) axes in a spec (event rules draw none)."""
    found: list[str] = []
    if isinstance(spec, dict):
        x = spec.get("encoding", {}).get("x") if isinstance(spec.get("encoding"), dict) else None
        if isinstance(x, dict) and x.get("field") == "at" and "axis" in x:
            found.append(x["axis"].get("labelExpr"))
        for value in spec.values():
            found.extend(_time_label_exprs(value))
    elif isinstance(spec, list):
        for value in spec:
            found.extend(_time_label_exprs(value))
    return found


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: charts.hourly_charts(incident_day(), THRESHOLDS, events()),
            "utcFormat(datum.value, '%H') === '00' ? utcFormat(datum.value, '%b %d')"
            " : utcFormat(datum.value, '%H:%M')",
        ),
        (
            lambda: charts.series_charts(week(), THRESHOLDS, events()),
            "utcFormat(datum.value, '%b %d')",
        ),
    ],
    ids=["hourly", "daily"],
)
def test_every_time_chart_of_a_step_labels_its_axis_alike(build: Any, expected: str) -> None:
    """Hours on the 24-hour clock (`03:00`, the date at midnight), days as `Nov 18`: Vega's
    own multi-format labels (`Wed 18`, `03 AM`) are never used."""
    for chart in build():
        labels = _time_label_exprs(chart.spec)
        assert labels and set(labels) == {expected}, chart.slug
