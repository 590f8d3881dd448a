"""The simulated rollout history and the percentage it puts in force."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from reportgen.sample.rollout import configuration_row, history_rows, make_timeline
from reportgen.sample.spec import SampleSpec
from reportgen.sample.timestamps import to_ms


def test_timeline_before_the_incident_ramps_to_50() -> None:
    spec = SampleSpec.build()
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    rows = history_rows(timeline, random.Random(0))
    assert [
        (row["action"], row["previous_percentage"], row["new_percentage"], row["created_at"])
        for row in rows
    ] == [
        ("created", None, 10, "2026-10-23T10:00:00.000Z"),
        ("updated", 10, 25, "2026-11-02T11:05:00.000Z"),
        ("updated", 25, 50, "2026-11-10T12:05:00.000Z"),
    ]


def test_timeline_record_rollback_rolls_back_then_resumes() -> None:
    spec = SampleSpec.build()
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    rollback = to_ms(datetime(2026, 11, 18, 14, 48, 47, tzinfo=UTC))
    timeline.record_rollback(rollback, "tripped", {"error_rate": 31.58})
    rows = history_rows(timeline, random.Random(0))[3:]
    assert [
        (row["action"], row["previous_percentage"], row["new_percentage"], row["triggered_by"])
        for row in rows
    ] == [
        ("rollback", 50, 0, "auto_health_check"),
        ("updated", 0, 10, "manual"),
        ("updated", 10, 25, "manual"),
    ]
    assert [row["created_at"] for row in rows] == [
        "2026-11-18T14:48:47.000Z",
        "2026-11-19T14:05:00.000Z",
        "2026-11-22T14:05:00.000Z",
    ]
    assert (rows[0]["reason"], rows[0]["metadata"]) == ("tripped", {"error_rate": 31.58})
    assert timeline.percentage_at(rollback - 1) == 50
    assert timeline.percentage_at(rollback) == 0
    assert timeline.percentage_at(spec.end_ms) == 25
    assert timeline.percentage_at(timeline.events[0].at_ms - 1) == 0


def test_timeline_leaves_out_events_after_the_end() -> None:
    spec = SampleSpec.build()
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    timeline.record_rollback(spec.end_ms - 3_600_000, "tripped", {})
    assert [event.action for event in timeline.events][3:] == ["rollback"]
    assert timeline.current == 0


def test_timeline_without_incident_keeps_ramping() -> None:
    spec = SampleSpec.build(incident=None)
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    assert [event.new for event in timeline.events] == [10, 25, 50, 75]
    assert {event.action for event in timeline.events} == {"created", "updated"}


def test_configuration_row_stands_after_the_last_event() -> None:
    spec = SampleSpec.build(incident=None)
    row = configuration_row(make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms))
    assert row == {
        "feature_name": "hybrid_progressive_capture",
        "rollout_percentage": 75,
        "is_active": True,
        "rollout_strategy": "percentage",
        "max_error_rate": 5.0,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": True,
        "emergency_stop": False,
        "target_repositories": [],
        "excluded_repositories": [],
        "updated_at": "2026-11-20T06:05:00.000Z",
    }
