"""Trends: the same five keys always; up/down/flat with a dead band; `new` from nothing."""

from __future__ import annotations

import pytest

from reportgen.compute.results import Trend
from reportgen.compute.trends import trend


@pytest.mark.parametrize(
    ("previous", "current", "conclusive", "expected"),
    [
        (100, 120, True, Trend(100, 120, 20, 20.0, "up")),
        (100, 80, True, Trend(100, 80, -20, -20.0, "down")),
        (100, 105, True, Trend(100, 105, 5, 5.0, "flat")),
        (100, 95, True, Trend(100, 95, -5, -5.0, "flat")),
        (100, 106, True, Trend(100, 106, 6, 6.0, "up")),
        (0, 7, True, Trend(0, 7, 7, None, "new")),
        (None, 7.5, True, Trend(None, 7.5, None, None, "new")),
        (0, 0, True, Trend(0, 0, 0, None, "flat")),
        (2.0, 4.0, False, Trend(2.0, 4.0, 2.0, 100.0, "inconclusive")),
        (2.0, None, True, Trend(2.0, None, None, None, "inconclusive")),
        (-10.0, -5.0, True, Trend(-10.0, -5.0, 5.0, 50.0, "up")),
    ],
)
def test_trend_direction_and_change(
    previous: float | None, current: float | None, conclusive: bool, expected: Trend
) -> None:
    assert trend(previous, current, 5.0, conclusive) == expected
