"""The simulated rollout: its history of percentage changes and its configuration at the end."""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass
from typing import Any

from reportgen.sample.profiles import DAY, HOUR, MINUTE
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
    """The percentage in force at any moment: that of the last event at or before it.

    Events after `end_ms` have not happened yet and are left out.
    """

    def __init__(self, events: list[RolloutEvent], end_ms: int) -> None:
        self.end_ms = end_ms
        self.events: list[RolloutEvent] = []
        self._times: list[int] = []
        self._add(events)

    def percentage_at(self, at_ms: int) -> float:
        index = bisect.bisect_right(self._times, at_ms) - 1
        return self.events[index].new if index >= 0 else 0.0

    @property
    def current(self) -> float:
        return self.events[-1].new

    def record_rollback(self, at_ms: int, reason: str, metadata: dict[str, Any]) -> None:
        """The circuit breaker rolled back to 0 % at `at_ms`; people resume a day later."""
        previous = self.percentage_at(at_ms)
        resume = "Network incident resolved upstream; resume at 10%"
        widen = "Stable since the incident; widen to 25%"
        self._add(
            [
                RolloutEvent(at_ms, "rollback", previous, 0, reason, "auto_health_check", metadata),
                _manual(_on_hour(at_ms + DAY), 0, 10, resume),
                _manual(_on_hour(at_ms + 4 * DAY), 10, 25, widen),
            ]
        )

    def _add(self, events: list[RolloutEvent]) -> None:
        self.events += [event for event in events if event.at_ms <= self.end_ms]
        self._times = [event.at_ms for event in self.events]


def _manual(at_ms: int, previous: float | None, new: float, reason: str) -> RolloutEvent:
    action = "created" if previous is None else "updated"
    return RolloutEvent(at_ms, action, previous, new, reason, "manual", {"source": "dashboard"})


def make_timeline(start_ms: int, end_ms: int, incident_ms: int | None) -> RolloutTimeline:
    """Created at 10 %, then raised to 25 and 50 % before the incident (or to 75 % without one).

    The rollback is not planned: the generator replays the circuit breaker over the jobs and
    records it (`record_rollback`) when the breaker trips.
    """
    ramp_until = incident_ms if incident_ms is not None else end_ms
    step = (ramp_until - start_ms) // 3
    # Changes are made just after the top of a working hour, as people do.
    events = [
        _manual(start_ms - 2 * DAY, None, 10, "Start the hybrid rollout with 10% of repositories"),
        _manual(_on_hour(start_ms + step), 10, 25, "Error rate stable below 1%; widen to 25%"),
        _manual(_on_hour(start_ms + 2 * step), 25, 50, "Healthy for a week; widen to 50%"),
    ]
    if incident_ms is None:
        events.append(_manual(_on_hour(end_ms - step // 2), 50, 75, "Still healthy; widen to 75%"))
    return RolloutTimeline(events, end_ms)


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
