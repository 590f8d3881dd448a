"""Processor distribution, per-processor rates and latency; unknown processors stand alone."""

from __future__ import annotations

from dataclasses import astuple
from datetime import timedelta

import pytest

from reportgen.compute.results import Latency
from reportgen.compute.window import window_metrics
from reportgen.config import Settings

from .jobs_frames import T0, job, jobs_frame

DAY = T0 + timedelta(days=1)


def test_processors_shares_rates_and_latency() -> None:
    jobs = jobs_frame(
        job("a", processor="inngest", started=0, completed=1),
        job("b", processor="inngest", started=0, completed=3),
        job("c", "failed", processor="inngest"),
        job("d", processor="github_actions", started=0, completed=10),
        job("e", processor="queue-x", status="pending"),
    )
    processors = window_metrics(jobs, T0, DAY, Settings()).processors
    assert list(processors) == ["github_actions", "inngest", "queue-x"]
    inngest = processors["inngest"]
    assert (inngest.jobs, inngest.share) == (3, 60.0)
    assert (inngest.counts.finished, inngest.counts.failed) == (3, 1)
    assert inngest.counts.error_rate == pytest.approx(100 / 3)
    assert astuple(inngest.processing_time_ms) == pytest.approx(
        (2, 120_000.0, 120_000.0, 174_000.0, 180_000.0)
    )
    assert inngest.throughput_per_hour == pytest.approx(2 / 24)
    unknown = processors["queue-x"]
    assert (unknown.jobs, unknown.share, unknown.counts.error_rate) == (1, 20.0, None)
    assert unknown.processing_time_ms == Latency()
    assert sum(p.share or 0 for p in processors.values()) == pytest.approx(100.0)


def test_processors_none_in_an_empty_window() -> None:
    assert window_metrics(jobs_frame(), T0, DAY, Settings()).processors == {}


def test_processors_to_dict_is_flat() -> None:
    jobs = jobs_frame(job("a"), job("b", "failed"))
    entry = window_metrics(jobs, T0, DAY, Settings()).processors["inngest"].to_dict()
    assert list(entry)[:8] == [
        "jobs",
        "share",
        "by_status",
        "finished",
        "completed",
        "failed",
        "error_rate",
        "error_rate_ci",
    ]
    assert entry["error_rate"] == 50.0
    assert entry["processing_time_ms"]["count"] == 1
