"""Rates: counts by status, error/success rate, Wilson intervals, the conclusive flag."""

from __future__ import annotations

import pytest

from reportgen.compute.rates import job_counts, percentage, wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    [
        (0, 0, None),
        # Reference values of the 95 % Wilson score interval; at 0/n and n/n its open end is
        # z²/(n + z²) and n/(n + z²).
        (5, 10, (23.659309, 76.340691)),
        (0, 10, (0.0, 27.753280)),
        (10, 10, (72.246720, 100.0)),
        (1, 1, (20.654931, 100.0)),
    ],
)
def test_wilson_interval_matches_reference(
    successes: int, trials: int, expected: tuple[float, float] | None
) -> None:
    interval = wilson_interval(successes, trials)
    if expected is None:
        assert interval is None
    else:
        assert interval == pytest.approx(expected, abs=1e-6)


def test_percentage_of_nothing_is_null() -> None:
    assert percentage(3, 0) is None
    assert percentage(1, 4) == 25.0


@pytest.mark.parametrize(
    ("by_status", "finished", "error_rate", "success_rate", "conclusive"),
    [
        ({}, 0, None, None, False),
        ({"pending": 4, "processing": 2}, 0, None, None, False),
        ({"completed": 9, "failed": 1}, 10, 10.0, 90.0, False),
        ({"completed": 10, "failed": 1}, 11, 100 / 11, 1000 / 11, True),
        ({"failed": 20}, 20, 100.0, 0.0, True),
        ({"completed": 48, "failed": 2, "pending": 7}, 50, 4.0, 96.0, True),
    ],
)
def test_job_counts_rates_and_conclusiveness(
    by_status: dict[str, int],
    finished: int,
    error_rate: float | None,
    success_rate: float | None,
    conclusive: bool,
) -> None:
    counts = job_counts(by_status, min_jobs=10)
    assert counts.finished == finished
    assert counts.total == sum(by_status.values())
    assert counts.error_rate == (None if error_rate is None else pytest.approx(error_rate))
    assert counts.success_rate == (None if success_rate is None else pytest.approx(success_rate))
    assert counts.conclusive is conclusive
    assert counts.by_status == {
        s: by_status.get(s, 0) for s in ("pending", "processing", "completed", "failed")
    }
    assert (counts.error_rate_ci is None) is (finished == 0)
