"""Processing time, queue wait and throughput over one window."""

from __future__ import annotations

from dataclasses import astuple
from datetime import timedelta

import polars as pl
import pytest

from reportgen.compute.frame import prepare
from reportgen.compute.latency import (
    latency_of,
    latency_of_sorted,
    linear_quantile,
    merge_sorted,
    throughput_per_hour,
)
from reportgen.compute.results import Latency
from reportgen.compute.window import metrics_of_prepared, window_metrics
from reportgen.config import Settings

from .jobs_frames import T0, at, job, jobs_frame

DAY = T0 + timedelta(days=1)


def test_latency_processing_time_of_completed_jobs_only() -> None:
    # Completed in 1, 2, 3 and 4 minutes; the failed job's 10 minutes do not count.
    jobs = jobs_frame(
        job("a", started=0, completed=1),
        job("b", started=0, completed=2),
        job("c", started=0, completed=3),
        job("d", started=0, completed=4),
        job("e", "failed", started=0, completed=10),
    )
    metrics = window_metrics(jobs, T0, DAY, Settings())
    # numpy's linear p95 of [1, 2, 3, 4] minutes: 1 + 0.95 × 3 = 3.85 minutes.
    assert astuple(metrics.processing_time_ms) == pytest.approx(
        (4, 150_000.0, 150_000.0, 231_000.0, 240_000.0)
    )


def test_latency_queue_wait_of_every_started_job() -> None:
    jobs = jobs_frame(
        job("a", created=0, started=1, completed=5),
        job("b", "failed", created=0, started=3, completed=5),
        job("c", "processing", created=2, started=4, completed=None),
        job("d", "pending", created=0),
    )
    wait = window_metrics(jobs, T0, DAY, Settings()).queue_wait_ms
    # 60 s, 180 s, 120 s: numpy's linear p95 of [60, 120, 180] s is 174 s.
    assert astuple(wait) == pytest.approx((3, 120_000.0, 120_000.0, 174_000.0, 180_000.0))


def test_latency_missing_started_at_is_left_out_not_a_crash() -> None:
    jobs = jobs_frame(job("a", started=None, completed=3), job("b", started=1, completed=3))
    metrics = window_metrics(jobs, T0, DAY, Settings())
    assert metrics.processing_time_ms == Latency(1, 120_000.0, 120_000.0, 120_000.0, 120_000.0)
    assert metrics.queue_wait_ms.count == 1
    assert metrics.jobs.completed == 2


def test_latency_empty_window_is_all_null() -> None:
    metrics = window_metrics(jobs_frame(), T0, DAY, Settings())
    assert metrics.processing_time_ms == Latency()
    assert metrics.queue_wait_ms == Latency(count=0, mean=None, p50=None, p95=None, max=None)
    assert metrics.throughput_per_hour == 0.0


def test_latency_negative_duration_is_bad_data_not_a_latency() -> None:
    jobs = jobs_frame(job("a", started=5, completed=2))
    assert window_metrics(jobs, T0, DAY, Settings()).processing_time_ms.count == 0


@pytest.mark.parametrize(
    ("completed", "elapsed", "expected"),
    [
        (4, timedelta(hours=24), 4 / 24),
        (4, timedelta(hours=2), 2.0),
        (0, timedelta(hours=1), 0.0),
        (3, timedelta(0), None),
    ],
)
def test_throughput_per_hour_of_elapsed_time(
    completed: int, elapsed: timedelta, expected: float | None
) -> None:
    assert throughput_per_hour(completed, elapsed) == expected


def test_latency_throughput_uses_the_window_end_given() -> None:
    jobs = jobs_frame(job("a"), job("b"), job("c", "failed"))
    metrics = window_metrics(jobs, T0, at(30), Settings())
    assert metrics.throughput_per_hour == 4.0


def test_latency_comparison_window_skips_what_nothing_compares() -> None:
    jobs = prepare(jobs_frame(job("a", started=0, completed=1), job("b", started=0, completed=3)))
    light = metrics_of_prepared(jobs, T0, DAY, Settings(), detailed=False)
    assert not light.detailed
    assert astuple(light.processing_time_ms) == (2, 120_000.0, 120_000.0, 174_000.0, 180_000.0)
    assert light.queue_wait_ms == Latency()
    assert light.processors["inngest"].processing_time_ms == Latency()
    assert light.processors["inngest"].jobs == 2


@pytest.mark.parametrize(
    ("values", "quantile", "expected"),
    [
        ([5.0], 0.95, 5.0),
        ([1.0, 2.0], 0.5, 1.5),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.95, 4.8),
        ([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0], 0.95, 95.5),
    ],
)
def test_linear_quantile_matches_numpy_linear(
    values: list[float], quantile: float, expected: float
) -> None:
    assert linear_quantile(pl.Series(values), quantile) == pytest.approx(expected)


def test_merge_sorted_equals_one_sort_of_all_parts() -> None:
    parts = [
        pl.Series("v", [0.5, 2.25, 2.25, 9.0]).sort(),
        pl.Series("v", [], dtype=pl.Float64).sort(),
        pl.Series("v", [0.1, 2.25, 3.0]).sort(),
        pl.Series("v", [7.5]).sort(),
    ]
    merged = merge_sorted(parts)
    assert merged.to_list() == [0.1, 0.5, 2.25, 2.25, 2.25, 3.0, 7.5, 9.0]
    assert merged.n_chunks() == 1
    assert latency_of_sorted(merged) == latency_of(pl.concat(parts))


def test_merge_sorted_of_nothing_is_empty() -> None:
    assert merge_sorted([]).len() == 0
    assert latency_of_sorted(merge_sorted([])) == Latency()


def test_latency_overall_from_merged_groups_equals_one_sort() -> None:
    # Processors' samples sorted apart and merged give the same overall figures, to the bit.
    rows = [
        job(f"j{i}", processor=("inngest", "github_actions", "other")[i % 3], started=i * 0.37,
            completed=i * 0.37 + (i * 7 % 11) / 3)
        for i in range(40)
    ]  # fmt: skip
    prepared = prepare(jobs_frame(*rows), T0, DAY)
    metrics = metrics_of_prepared(prepared, T0, DAY, Settings())
    assert metrics.processing_time_ms == latency_of(prepared.get_column("processing_ms"))
    assert metrics.queue_wait_ms == latency_of(prepared.get_column("wait_ms"))
    assert sum(p.processing_time_ms.count for p in metrics.processors.values()) == 40
