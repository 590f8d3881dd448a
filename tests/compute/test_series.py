"""Hourly series: counts, rates, percentiles, cost and the waiting queue per hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reportgen.compute.frame import prepare
from reportgen.compute.series import hourly, hourly_series
from reportgen.config import PriceSettings

from .jobs_frames import T0, job, jobs_frame

FRAME = jobs_frame(
    job("a", created=10, started=11, completed=13),
    job("b", "failed", created=20, started=21, completed=22),
    job("c", processor="github_actions", created=70, started=80, completed=81.5),
    job("d", "pending", created=100, started=None),
    job("e", created=170, started=190, completed=200),
)


def test_hourly_series_counts_each_hour_from_the_period_start() -> None:
    series = hourly_series(prepare(FRAME), T0, T0 + timedelta(hours=3), PriceSettings())
    data = series.to_dict()
    assert data["step"] == "hour"
    assert data["at"] == [(T0 + timedelta(hours=h)).isoformat() for h in range(3)]
    overall = data["overall"]
    assert overall["jobs"] == [2, 2, 1]
    assert overall["finished"] == [2, 1, 1]
    assert overall["failed"] == [1, 0, 0]
    assert overall["error_rate"] == [50.0, 0.0, 0.0]
    assert overall["error_rate_low"][0] == pytest.approx(9.453, abs=1e-3)
    assert overall["error_rate_high"][1] == 79.345
    # Times count in the hour a job was created: a 2 min (b failed), c 1.5 min, e 10 min.
    assert data["processors"]["inngest"]["p50_ms"] == [120000.0, None, 600000.0]
    assert data["processors"]["github_actions"]["p95_ms"] == [None, 90000.0, None]
    assert "p50_ms" not in overall
    # d never starts; e was created at 170 min and waits past the third hour's end (180).
    assert overall["pending"] == [0, 1, 2]
    # The Actions job bills 2 rounded-up minutes; the inngest jobs cost a job each.
    assert overall["cost"] == [0.0004, pytest.approx(0.016 + 0.0002), 0.0002]
    assert sorted(data["processors"]) == ["github_actions", "inngest"]
    assert data["processors"]["github_actions"]["jobs"] == [0, 1, 0]


def test_hourly_series_stops_at_the_elapsed_end() -> None:
    series = hourly_series(prepare(FRAME), T0, T0 + timedelta(minutes=90), PriceSettings())
    assert series.to_dict()["overall"]["jobs"] == [2, 2]


@pytest.mark.parametrize(("days", "expected"), [(1, True), (4, True), (5, False), (7, False)])
def test_hourly_only_for_short_periods(days: int, expected: bool) -> None:
    assert hourly(T0, T0 + timedelta(days=days)) is expected
