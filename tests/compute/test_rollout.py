"""The rollout's configuration and the changes made to it within a window."""

from __future__ import annotations

from datetime import UTC, datetime

from reportgen.compute.rollout import rollout_state

from .jobs_frames import configuration_frame, history_frame

FEATURE = "hybrid_progressive_capture"
START, END = datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)


def change(id: str, hour: int, day: int = 25, feature: str | None = FEATURE) -> dict[str, object]:
    return {
        "id": id,
        "feature_name": feature,
        "action": "updated",
        "previous_percentage": 10.0,
        "new_percentage": 20.0,
        "created_at": datetime(2026, 11, day, hour, tzinfo=UTC),
    }


def test_rollout_state_reads_the_feature_and_its_changes_in_the_window() -> None:
    history = history_frame(
        change("b", 9),
        change("a", 8, feature=None),
        change("other", 10, feature="another_feature"),
        change("before", 23, day=24),
        change("after", 0, day=26),
    )
    rollout = rollout_state(configuration_frame(25.0, emergency_stop=True), history, FEATURE,
                            START, END)  # fmt: skip
    assert (rollout.percentage, rollout.is_active, rollout.emergency_stop) == (25.0, True, True)
    assert rollout.auto_rollback_enabled is True
    assert [c.created_at.hour for c in rollout.changes] == [8, 9]


def test_rollout_state_without_configuration_is_unknown() -> None:
    rollout = rollout_state(configuration_frame(), history_frame(), FEATURE, START, END)
    assert rollout.percentage is None
    assert rollout.is_active is None
    assert (rollout.emergency_stop, rollout.auto_rollback_enabled) == (False, True)
    assert rollout.changes == ()
