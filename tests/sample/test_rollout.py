"""The simulated rollout history and the percentage it puts in force."""

from __future__ import annotations

import random

from reportgen.sample.rollout import configuration_row, history_rows, make_timeline
from reportgen.sample.spec import SampleSpec


def test_timeline_with_incident_ramps_rolls_back_and_resumes() -> None:
    spec = SampleSpec.build()
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    rows = history_rows(timeline, random.Random(0))
    assert [
        (row["action"], row["previous_percentage"], row["new_percentage"], row["triggered_by"])
        for row in rows
    ] == [
        ("created", None, 10, "manual"),
        ("updated", 10, 25, "manual"),
        ("updated", 25, 50, "manual"),
        ("rollback", 50, 0, "auto_health_check"),
        ("updated", 0, 10, "manual"),
        ("updated", 10, 25, "manual"),
    ]
    assert [row["created_at"] for row in rows] == [
        "2026-10-23T10:00:00.000Z",
        "2026-11-02T11:05:00.000Z",
        "2026-11-10T12:05:00.000Z",
        "2026-11-18T14:18:00.000Z",
        "2026-11-19T14:00:00.000Z",
        "2026-11-22T14:00:00.000Z",
    ]


def test_timeline_percentage_at_is_the_last_change_at_or_before() -> None:
    spec = SampleSpec.build()
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    rollback = timeline.events[3].at_ms
    assert timeline.percentage_at(rollback - 1) == 50
    assert timeline.percentage_at(rollback) == 0
    assert timeline.percentage_at(spec.end_ms) == 25
    assert timeline.percentage_at(timeline.events[0].at_ms - 1) == 0


def test_timeline_without_incident_keeps_ramping() -> None:
    spec = SampleSpec.build(incident=None)
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    assert [event.new for event in timeline.events] == [10, 25, 50, 75]
    assert {event.action for event in timeline.events} == {"created", "updated"}


def test_configuration_row_stands_after_the_last_event() -> None:
    spec = SampleSpec.build()
    row = configuration_row(make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms))
    assert row == {
        "feature_name": "hybrid_progressive_capture",
        "rollout_percentage": 25,
        "is_active": True,
        "rollout_strategy": "percentage",
        "max_error_rate": 5.0,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": True,
        "emergency_stop": False,
        "target_repositories": [],
        "excluded_repositories": [],
        "updated_at": "2026-11-22T14:00:00.000Z",
    }
