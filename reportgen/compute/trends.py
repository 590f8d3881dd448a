"""Trends against the previous period: always the same five keys."""

from __future__ import annotations

from reportgen.compute.results import Trend

UP, DOWN, FLAT, NEW, INCONCLUSIVE = "up", "down", "flat", "new", "inconclusive"


def trend(
    previous: float | None,
    current: float | None,
    dead_band_pct: float,
    conclusive: bool = True,
) -> Trend:
    """How `current` moved from `previous`; `new` when there was nothing before.

    A trend of a rate rests on both periods' samples: when either is inconclusive the
    direction is `inconclusive` (the numbers are still shown).
    """
    absolute = None if previous is None or current is None else current - previous
    change_pct = None
    if absolute is not None and previous:
        change_pct = absolute / abs(previous) * 100.0
    if not conclusive or current is None:
        direction = INCONCLUSIVE
    elif previous == 0 and current == 0:
        direction = FLAT
    elif not previous:
        direction = NEW
    elif change_pct is not None and change_pct > dead_band_pct:
        direction = UP
    elif change_pct is not None and change_pct < -dead_band_pct:
        direction = DOWN
    else:
        direction = FLAT
    return Trend(previous, current, absolute, change_pct, direction)
