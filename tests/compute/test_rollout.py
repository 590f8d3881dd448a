"""The rollout's configuration and the changes made to it within a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    # In force at the window's end: the last change before it ("b", 10 → 20), not today's 25.
    assert (rollout.percentage, rollout.is_active, rollout.emergency_stop) == (20.0, True, True)
    assert rollout.auto_rollback_enabled is True
    assert [c.created_at.hour for c in rollout.changes] == [8, 9]


def test_rollout_state_without_configuration_is_unknown() -> None:
    rollout = rollout_state(configuration_frame(), history_frame(), FEATURE, START, END)
    assert rollout.percentage is None
    assert rollout.is_active is None
    assert (rollout.emergency_stop, rollout.auto_rollback_enabled) == (False, True)
    assert rollout.changes == ()


def step(
    id: str, day: int, hour: int, action: str, before: float | None, after: float
) -> dict[str, object]:
    return {
        "id": id,
        "feature_name": FEATURE,
        "action": action,
        "previous_percentage": before,
        "new_percentage": after,
        "created_at": datetime(2026, 11, day, hour, tzinfo=UTC),
    }


HISTORY = (
    step("1", 10, 9, "created", None, 10.0),
    step("2", 15, 9, "updated", 10.0, 50.0),
    step("3", 18, 14, "rollback", 50.0, 0.0),
    step("4", 19, 9, "updated", 0.0, 25.0),
)


@pytest.mark.parametrize(
    ("moment", "percentage"),
    [
        (datetime(2026, 11, 1, tzinfo=UTC), 0.0),  # before the feature was created
        (datetime(2026, 11, 12, tzinfo=UTC), 10.0),
        (datetime(2026, 11, 18, 14, tzinfo=UTC), 50.0),  # the change at 14:00 is not before it
        (datetime(2026, 11, 18, 15, tzinfo=UTC), 0.0),  # after the rollback
        (datetime(2026, 11, 25, tzinfo=UTC), 25.0),
    ],
)
def test_rollout_state_percentage_is_the_one_in_force_at_the_window_end(
    moment: datetime, percentage: float
) -> None:
    rollout = rollout_state(
        configuration_frame(25.0),
        history_frame(*HISTORY),
        FEATURE,
        moment - timedelta(hours=1),
        moment,
    )
    assert rollout.percentage == percentage


def test_rollout_state_before_an_update_only_history_is_its_previous_percentage() -> None:
    history = history_frame(step("2", 15, 9, "updated", 10.0, 50.0))
    early = datetime(2026, 11, 1, tzinfo=UTC)
    rollout = rollout_state(configuration_frame(50.0), history, FEATURE, early, early)
    assert rollout.percentage == 10.0


def test_rollout_state_without_history_is_the_configuration() -> None:
    rollout = rollout_state(configuration_frame(25.0), history_frame(), FEATURE, START, END)
    assert rollout.percentage == 25.0
