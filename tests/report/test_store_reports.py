"""The site's reports computed ahead on worker threads are the reports computed one by one."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pytest

from reportgen.config import Settings
from reportgen.periods import Period, PeriodKind, custom, daily, monthly, weekly
from reportgen.report.loader import StoreReports
from reportgen.store import open_store

AS_OF = datetime(2026, 12, 1, 6, tzinfo=UTC)


def site_periods() -> list[Period]:
    """What a build asks for, in its order: days, weeks, months, a range; more days than one
    run holds, so the days are split between the threads."""
    first = date(2026, 10, 28)
    days = [daily(first + timedelta(days=n), "UTC", AS_OF) for n in range(34)]
    weeks = [weekly(date(2026, 11, 2) + timedelta(weeks=n), "UTC", AS_OF) for n in range(5)]
    months = [monthly(date(2026, 10, 1), "UTC", AS_OF), monthly(date(2026, 11, 1), "UTC", AS_OF)]
    ranged = custom(date(2026, 11, 16), date(2026, 11, 20), "UTC", AS_OF)
    # Interleaved as a build asks for them: by their end, each day before its week's end.
    kinds = list(PeriodKind)
    interleaved = sorted([*days, *weeks, *months], key=lambda p: (p.end, kinds.index(p.kind)))
    return [*interleaved, ranged]


def reports_of(store_path: Path, periods: list[Period], workers: int) -> list[dict[str, object]]:
    with (
        open_store(store_path, read_only=True) as store,
        StoreReports(store, Settings(), AS_OF, workers=workers) as source,
    ):
        source.ahead(periods)
        return [source.report(period) for period in periods]


def test_reports_ahead_on_two_threads_equal_reports_one_by_one(sample_store: Path) -> None:
    periods = site_periods()
    assert len([p for p in periods if p.kind is PeriodKind.DAILY]) > StoreReports.RUN_PERIODS
    one_by_one = reports_of(sample_store, periods, workers=1)
    ahead = reports_of(sample_store, periods, workers=2)
    assert [r["period"] for r in ahead] == [r["period"] for r in one_by_one]
    for period, expected, got in zip(periods, one_by_one, ahead, strict=True):
        assert got == expected, period.slug
    # Not vacuous: the sample's days differ, and its incident day is critical.
    statuses = {str(r["period"]["slug"]): r["status"] for r in ahead}  # type: ignore[index]
    assert statuses["2026-11-18"] == "critical"


def test_a_period_not_asked_for_ahead_is_computed_when_asked(sample_store: Path) -> None:
    periods = site_periods()
    with (
        open_store(sample_store, read_only=True) as store,
        StoreReports(store, Settings(), AS_OF, workers=2) as source,
    ):
        source.ahead(periods[:3])
        late = source.report(periods[10])
    assert late == reports_of(sample_store, [periods[10]], workers=1)[0]


def test_a_failure_on_a_thread_reaches_whoever_asks_for_that_report(sample_store: Path) -> None:
    good = daily(date(2026, 11, 18), "UTC", AS_OF)
    week = weekly(date(2026, 11, 16), "UTC", AS_OF)  # a run of its own: another kind
    bad = Period(PeriodKind.WEEKLY, week.start, week.end, "Nowhere/Atlantis", AS_OF)
    with (
        open_store(sample_store, read_only=True) as store,
        StoreReports(store, Settings(), AS_OF, workers=2) as source,
    ):
        source.ahead([good, bad])
        assert source.report(good)["status"] == "critical"
        with pytest.raises(ZoneInfoNotFoundError):
            source.report(bad)


def test_closing_stops_the_threads(sample_store: Path) -> None:
    with open_store(sample_store, read_only=True) as store:
        source = StoreReports(store, Settings(), AS_OF, workers=2)
        source.ahead(site_periods())
        assert any(t.name.startswith("report") for t in threading.enumerate())
        source.close()
        assert not any(t.name.startswith("report") for t in threading.enumerate())
