"""The simulated rollout: its history of percentage changes and its configuration at the end."""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass
from typing import Any

from reportgen.sample.profiles import DAY, HOUR, MINUTE, ROLLBACK_DELAY_MS
from reportgen.sample.timestamps import iso
from reportgen.schema import DEFAULT_FEATURE

MAX_ERROR_RATE = 5.0


@dataclass(frozen=True, slots=True)
class RolloutEvent:
    at_ms: int
    action: str
    previous: float | None
    new: float
    reason: str
    triggered_by: str
    metadata: dict[str, Any]


class RolloutTimeline:
    """The percentage in force at any moment: that of the last event at or before it."""

    def __init__(self, events: list[RolloutEvent]) -> None:
        self.events = events
        self._times = [event.at_ms for event in events]

    def percentage_at(self, at_ms: int) -> float:
        index = bisect.bisect_right(self._times, at_ms) - 1
        return self.events[index].new if index >= 0 else 0.0

    @property
    def current(self) -> float:
        return self.events[-1].new


def _manual(at_ms: int, previous: float | None, new: float, reason: str) -> RolloutEvent:
    action = "created" if previous is None else "updated"
    return RolloutEvent(at_ms, action, previous, new, reason, "manual", {"source": "dashboard"})


def make_timeline(start_ms: int, end_ms: int, incident_ms: int | None) -> RolloutTimeline:
    """Created at 10 %, raised to 25 and 50 %, rolled back by the incident, then resumed.

    Without an incident the ramp continues to 75 %. Events after `end_ms` have not happened yet.
    """
    ramp_until = incident_ms if incident_ms is not None else end_ms
    step = (ramp_until - start_ms) // 3
    # Changes are made at the top of a working hour, as people do.
    events = [
        _manual(start_ms - 2 * DAY, None, 10, "Start the hybrid rollout with 10% of repositories"),
        _manual(_on_hour(start_ms + step), 10, 25, "Error rate stable below 1%; widen to 25%"),
        _manual(_on_hour(start_ms + 2 * step), 25, 50, "Healthy for a week; widen to 50%"),
    ]
    if incident_ms is None:
        events.append(_manual(_on_hour(end_ms - step // 2), 50, 75, "Still healthy; widen to 75%"))
    else:
        events += [
            RolloutEvent(
                incident_ms + ROLLBACK_DELAY_MS,
                "rollback",
                50,
                0,
                f"Automatic rollback: error rate above max_error_rate ({MAX_ERROR_RATE}%)",
                "auto_health_check",
                {"check_type": "full", "max_error_rate": MAX_ERROR_RATE, "window_minutes": 60},
            ),
            _manual(incident_ms + DAY, 0, 10, "Network incident resolved upstream; resume at 10%"),
            _manual(incident_ms + 4 * DAY, 10, 25, "Stable since the incident; widen to 25%"),
        ]
    return RolloutTimeline([event for event in events if event.at_ms <= end_ms])


def _on_hour(at_ms: int) -> int:
    return at_ms - at_ms % HOUR + 5 * MINUTE


def history_rows(timeline: RolloutTimeline, rng: random.Random) -> list[dict[str, Any]]:
    """`rollout_history` rows, oldest first."""
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "feature_name": DEFAULT_FEATURE,
            "action": event.action,
            "previous_percentage": event.previous,
            "new_percentage": event.new,
            "reason": event.reason,
            "triggered_by": event.triggered_by,
            "metadata": event.metadata,
            "created_at": iso(event.at_ms),
        }
        for event in timeline.events
    ]


def configuration_row(timeline: RolloutTimeline) -> dict[str, Any]:
    """The `rollout_configuration` row as it stands after the last event."""
    return {
        "feature_name": DEFAULT_FEATURE,
        "rollout_percentage": timeline.current,
        "is_active": True,
        "rollout_strategy": "percentage",
        "max_error_rate": MAX_ERROR_RATE,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": True,
        "emergency_stop": False,
        "target_repositories": [],
        "excluded_repositories": [],
        "updated_at": iso(timeline.events[-1].at_ms),
    }
