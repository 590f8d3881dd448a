"""The queue at the evaluation time: pending, oldest pending age, stuck jobs."""

from __future__ import annotations

from reportgen.compute.queue import queue_state, queue_time

from .jobs_frames import at, job, jobs_frame


def test_queue_pending_processing_and_stuck_at_the_evaluation_time() -> None:
    open_jobs = jobs_frame(
        job("p1", "pending", created=100),
        job("p2", "pending", created=160),
        # Started after the evaluation time: still pending then.
        job("p3", "processing", created=150, started=190, completed=None),
        # Processing for 90 minutes at 180: stuck; for 30 minutes: not.
        job("s1", "processing", "github_actions", created=0, started=90, completed=None),
        job("s2", "processing", created=100, started=150, completed=None),
        # Finished before the evaluation time: not open.
        job("f1", "completed", created=0, started=10, completed=170),
        # Finished after it: was processing then, and for 100 minutes.
        job("f2", "failed", created=0, started=80, completed=200),
        # Created after the evaluation time: not part of the queue.
        job("n1", "pending", created=200),
    )
    queue = queue_state(open_jobs, at(180), stuck_minutes=60)
    assert (queue.pending, queue.processing, queue.stuck) == (3, 3, 2)
    assert queue.oldest_pending_age_s == 80 * 60
    assert queue.stuck_by_processor == {"github_actions": 1, "inngest": 1}
    assert queue.evaluated_at == at(180)


def test_queue_missing_started_at_is_processing_but_never_stuck() -> None:
    open_jobs = jobs_frame(job("a", "processing", created=0, started=None, completed=None))
    queue = queue_state(open_jobs, at(600), stuck_minutes=60)
    assert (queue.pending, queue.processing, queue.stuck) == (0, 1, 0)
    assert queue.oldest_pending_age_s is None


def test_queue_empty() -> None:
    queue = queue_state(jobs_frame(), at(0), stuck_minutes=60)
    assert (queue.pending, queue.processing, queue.stuck) == (0, 0, 0)
    assert queue.oldest_pending_age_s is None
    assert queue.stuck_by_processor == {}


def test_queue_stuck_uses_the_configured_minutes() -> None:
    open_jobs = jobs_frame(job("a", "processing", created=0, started=0, completed=None))
    assert queue_state(open_jobs, at(20), stuck_minutes=15).stuck == 1
    assert queue_state(open_jobs, at(20), stuck_minutes=20).stuck == 0


def test_queue_time_is_the_period_end_but_never_after_the_newest_data() -> None:
    assert queue_time(at(180), None) == at(180)
    assert queue_time(at(180), at(200)) == at(180)
    assert queue_time(at(180), at(120)) == at(120)
