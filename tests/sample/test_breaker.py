"""The circuit breaker replayed over the simulated jobs times the rollback."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reportgen.sample.breaker import Breaker
from reportgen.sample.generator import generate_lives, make_world
from reportgen.sample.jobs import JobLife
from reportgen.sample.repositories import Repository
from reportgen.sample.rollout import make_timeline
from reportgen.sample.spec import SampleSpec
from reportgen.sample.timestamps import iso, to_ms

MINUTE = 60_000
REPO = Repository(
    id="r1",
    name="acme/widgets",
    category="small",
    categorised=True,
    star_count=1,
    contributor_count=1,
    pr_count=1,
    activity=1.0,
    work=1.0,
    bucket=0,
)


def finished_job(created: int, failed: bool) -> JobLife:
    return JobLife(
        id=f"j{created}",
        job_type="reviews",
        repository=REPO,
        processor="inngest",
        created=created,
        started=created + 1_000,
        finished=created + 5_000,
        error="read ECONNRESET" if failed else None,
        time_range_days=None,
        workflow_run_id=None,
        trigger_source="schedule",
        max_items=50,
        items_processed=3,
    )


@pytest.mark.parametrize(
    ("finished", "failed", "rollback_at"),
    [
        (11, 1, "2026-11-18T14:03:47.000Z"),  # 9.1 % over 11 finished: trips at 14:03
        (10, 5, None),  # 10 finished is not more than min_jobs: inconclusive, never trips
        (30, 1, None),  # 3.3 % is within max_error_rate
    ],
)
def test_breaker_trips_on_a_conclusive_error_rate(
    finished: int, failed: int, rollback_at: str | None
) -> None:
    spec = SampleSpec.build()
    assert spec.incident_ms is not None
    timeline = make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms)
    breaker = Breaker(spec.incident_ms, timeline)
    for index in range(finished):
        breaker.observe(finished_job(spec.incident_ms - 30 * MINUTE + index, index < failed))
    breaker.check_until(spec.incident_ms + 3 * 60 * MINUTE)
    rollbacks = [iso(event.at_ms) for event in timeline.events if event.action == "rollback"]
    assert rollbacks == ([rollback_at] if rollback_at else [])


def test_default_sample_rolls_back_when_the_check_would_have_tripped() -> None:
    spec = SampleSpec.build()
    world = make_world(spec)
    lives = list(generate_lives(spec, world))
    rollback = next(event for event in world.timeline.events if event.action == "rollback")
    assert iso(rollback.at_ms) == "2026-11-18T14:18:47.000Z"
    assert rollback.reason == "Automatic rollback: error rate 15.4% > 5.0% over 13 finished jobs"
    assert rollback.metadata == {
        "check_type": "full",
        "error_rate": 15.38,
        "failed_jobs": 2,
        "finished_jobs": 13,
        "max_error_rate": 5.0,
        "window_minutes": 60,
    }

    def window(check: datetime) -> tuple[int, int]:
        at = to_ms(check)
        statuses = [life.status_at(at) for life in lives if at - 60 * MINUTE <= life.created < at]
        finished = [status for status in statuses if status in ("completed", "failed")]
        return len(finished), finished.count("failed")

    assert window(datetime(2026, 11, 18, 14, 18, tzinfo=UTC)) == (13, 2)
    finished, failed = window(datetime(2026, 11, 18, 14, 3, tzinfo=UTC))
    assert finished <= 10 or failed / finished <= 0.05


def test_too_few_jobs_have_an_incident_but_no_rollback() -> None:
    spec = SampleSpec.build(days=10, jobs_per_day=5, incident=date(2026, 11, 20))
    world = make_world(spec)
    lives = list(generate_lives(spec, world))
    assert any(
        life.error for life in lives if "2026-11-20T14" <= iso(life.created) < "2026-11-20T17"
    )
    assert [event.action for event in world.timeline.events] == ["created", "updated", "updated"]


def test_breaker_keeps_only_the_jobs_of_the_next_window() -> None:
    spec = SampleSpec.build()
    assert spec.incident_ms is not None
    breaker = Breaker(spec.incident_ms, make_timeline(spec.start_ms, spec.end_ms, None))
    breaker.observe(finished_job(spec.start_ms, failed=False))  # weeks before the incident
    breaker.observe(finished_job(spec.incident_ms - 30 * MINUTE, failed=False))
    assert [iso(life.created) for life in breaker.recent] == ["2026-11-18T13:30:00.000Z"]
