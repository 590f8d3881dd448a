"""Counts and error rate per job type."""

from __future__ import annotations

from datetime import timedelta

from reportgen.compute.results import JobTypeMetrics
from reportgen.compute.window import window_metrics
from reportgen.config import Settings

from .jobs_frames import T0, job, jobs_frame


def test_job_types_counts_and_error_rate() -> None:
    jobs = jobs_frame(
        job("a", job_type="reviews"),
        job("b", "failed", job_type="reviews"),
        job("c", "failed", job_type="reviews"),
        job("d", "pending", job_type="comments"),
        job("e", job_type="comments"),
    )
    job_types = window_metrics(jobs, T0, T0 + timedelta(days=1), Settings()).job_types
    assert list(job_types) == ["comments", "reviews"]
    assert job_types["comments"] == JobTypeMetrics(
        jobs=2,
        finished=1,
        failed=0,
        error_rate=0.0,
        error_rate_ci=(0.0, 79.34506856227625),
        conclusive=False,
    )
    reviews = job_types["reviews"]
    assert (reviews.jobs, reviews.finished, reviews.failed) == (3, 3, 2)
    assert reviews.error_rate is not None and round(reviews.error_rate, 6) == 66.666667
