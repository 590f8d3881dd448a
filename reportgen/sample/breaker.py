"""The circuit breaker replayed over the simulated jobs, so the rollback in the history happens
exactly when the health monitor would have tripped, not at an invented moment.

The monitor runs at minutes 3, 18, 33 and 48 of every hour and judges the jobs created in the
last 60 minutes as they stand at that moment: more than `MIN_JOBS` finished and an error rate
above `max_error_rate` trips it. An inconclusive window never trips, so a sample with too few
jobs has an incident but no rollback, as the real system would.
"""

from __future__ import annotations

from collections import deque

from reportgen.sample.jobs import JobLife
from reportgen.sample.profiles import HOUR, INCIDENT_HOURS, MINUTE
from reportgen.sample.rollout import MAX_ERROR_RATE, RolloutTimeline

FIRST_CHECK_MINUTE = 3
CHECK_EVERY_MS = 15 * MINUTE
WINDOW_MS = HOUR
MIN_JOBS = 10
# How long the scheduled workflow takes to start, check and write the rollback.
EXECUTION_MS = 47_000


class Breaker:
    """Watches the jobs from an hour before the incident until it trips or the incident ends."""

    def __init__(self, incident_ms: int, timeline: RolloutTimeline) -> None:
        self.timeline = timeline
        offset = FIRST_CHECK_MINUTE * MINUTE
        self.next_check = incident_ms + (offset - incident_ms) % CHECK_EVERY_MS
        self.last_check = incident_ms + INCIDENT_HOURS * HOUR
        self.recent: deque[JobLife] = deque()
        self.tripped = False

    @property
    def watching(self) -> bool:
        return not self.tripped and self.next_check <= self.last_check

    def observe(self, life: JobLife) -> None:
        # Only the jobs the next check will judge: memory stays at one window's jobs.
        if self.watching and life.created >= self.next_check - WINDOW_MS:
            self.recent.append(life)

    def check_until(self, moment: int) -> None:
        """Run every scheduled check up to `moment`; all jobs created before it are observed."""
        while self.watching and self.next_check <= moment:
            self._check(self.next_check)
            self.next_check += CHECK_EVERY_MS

    def _check(self, at_ms: int) -> None:
        while self.recent and self.recent[0].created < at_ms - WINDOW_MS:
            self.recent.popleft()
        finished = [
            life for life in self.recent if life.finished is not None and life.finished <= at_ms
        ]
        failed = sum(life.error is not None for life in finished)
        if len(finished) <= MIN_JOBS:
            return
        error_rate = failed / len(finished) * 100
        if error_rate > MAX_ERROR_RATE:
            self.tripped = True
            self.timeline.record_rollback(
                at_ms + EXECUTION_MS,
                f"Automatic rollback: error rate {error_rate:.1f}% > {MAX_ERROR_RATE}% "
                f"over {len(finished)} finished jobs",
                {
                    "check_type": "full",
                    "error_rate": round(error_rate, 2),
                    "failed_jobs": failed,
                    "finished_jobs": len(finished),
                    "max_error_rate": MAX_ERROR_RATE,
                    "window_minutes": WINDOW_MS // MINUTE,
                },
            )
