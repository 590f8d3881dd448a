from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import jsonschema
import pytest
from altair.vegalite.v6.schema import core
from datasets import HOSTILE_REPOSITORY, example_report
from syrupy.assertion import SnapshotAssertion

from reportgen.config import ThresholdSettings
from reportgen.render.site import charts

THRESHOLDS = ThresholdSettings()
VALIDATOR = jsonschema.Draft7Validator(core.load_schema())


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


def every_chart() -> list[charts.Chart]:
    return charts.series_charts(week(), THRESHOLDS) + charts.breakdown_charts(
        example_report(), THRESHOLDS
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


def test_chart_specs_snapshot(snapshot: SnapshotAssertion) -> None:
    assert {f"{c.slug}-{len(c.table.rows)}": c.spec for c in every_chart()} == snapshot


def test_job_volume_has_one_row_per_day_and_processor() -> None:
    chart = charts.job_volume(week())
    assert chart.table.rows[:2] == (
        ("2026-11-23", "inngest", 100),
        ("2026-11-23", HOSTILE_REPOSITORY, 234),
    ) or chart.table.rows[:2] == (
        ("2026-11-23", HOSTILE_REPOSITORY, 234),
        ("2026-11-23", "inngest", 100),
    )
    assert len(chart.table.rows) == 14
    assert [c.name for c in chart.table.columns] == ["day", "processor", "jobs"]


def test_series_rows_stay_under_altairs_limit_for_a_year() -> None:
    first = date(2026, 1, 1)
    year = [daily(first + timedelta(days=n), 100, 1, 90) for n in range(365)]
    for chart in charts.series_charts(year, THRESHOLDS):
        assert sum(len(rows) for rows in chart.spec["datasets"].values()) <= 365 * 2 * 2 + 2


def test_day_axis_reads_local_days_as_utc() -> None:
    spec = charts.job_volume(week()).spec
    x = spec["encoding"]["x"]
    assert x["timeUnit"] == "utcyearmonthdate"
    assert x["scale"] == {"type": "utc"}
    assert spec["datasets"]["rows"][0]["day"] == "2026-11-23"


def test_error_rate_chart_draws_the_configured_thresholds() -> None:
    chart = charts.error_rate(
        week(), ThresholdSettings(error_rate_warning=1, error_rate_critical=3)
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
    chart = charts.health_score(days, THRESHOLDS)
    assert chart.table.rows[2] == ("2026-11-25", None)
    assert chart.spec["layer"][0]["encoding"]["y"]["scale"] == {"domain": [0, 100]}


def test_breakdown_charts_read_categories_and_processors() -> None:
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
    assert charts.cost_breakdown(report).table.rows == (
        ("inngest", 0.2),
        ("github_actions", 12.0),
        ("actual", 12.2),
        ("baseline", 0.2468),
    )
    assert charts.queue_now(report).table.rows == (
        ("pending", 3),
        ("processing", 0),
        ("stuck", 2),
    )


def test_charts_of_one_kind_share_their_spec_apart_from_the_data() -> None:
    first, second = charts.job_volume(week()[:2]), charts.job_volume(week()[2:])
    assert {k: v for k, v in first.spec.items() if k != "datasets"} == {
        k: v for k, v in second.spec.items() if k != "datasets"
    }
    assert first.spec["data"] == {"name": "rows"}
    assert first.spec["datasets"]["rows"] != second.spec["datasets"]["rows"]


def test_every_chart_has_a_caption_and_a_description() -> None:
    for chart in every_chart():
        assert chart.caption and chart.spec["description"] == chart.caption
        assert chart.spec["width"] == "container"
