"""Periods: calendar cuts in the report time zone, DST, partial periods, predecessors, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reportgen.errors import UsageError
from reportgen.periods import (
    Period,
    PeriodKind,
    custom,
    daily,
    last_hours,
    local_date,
    monthly,
    parse_bound,
    period_of,
    periods_covering,
    weekly,
)

LATER = datetime(2027, 6, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "timezone", "start", "end", "hours"),
    [
        (date(2026, 11, 25), "UTC", utc(2026, 11, 25), utc(2026, 11, 26), 24),
        # Europe/Berlin springs forward on 2026-03-29 (23 h) and falls back on 2026-10-25 (25 h).
        (date(2026, 3, 29), "Europe/Berlin", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),
        (date(2026, 10, 25), "Europe/Berlin", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),
        (date(2026, 11, 25), "America/New_York", utc(2026, 11, 25, 5), utc(2026, 11, 26, 5), 24),
    ],
)
def test_daily_is_a_calendar_day_in_the_time_zone(
    day: date, timezone: str, start: datetime, end: datetime, hours: int
) -> None:
    period = daily(day, timezone, LATER)
    assert (period.start_utc, period.end_utc) == (start, end)
    assert period.duration == timedelta(hours=hours)
    assert period.start.isoformat()[:10] == day.isoformat()
    assert period.kind is PeriodKind.DAILY
    assert period.slug == day.isoformat()


def test_daily_dst_day_keeps_local_offsets() -> None:
    period = daily(date(2026, 3, 29), "Europe/Berlin", LATER)
    assert period.start.isoformat() == "2026-03-29T00:00:00+01:00"
    assert period.end.isoformat() == "2026-03-30T00:00:00+02:00"


def test_weekly_is_the_iso_week_from_monday() -> None:
    period = weekly(date(2026, 11, 25), "UTC", LATER)
    assert (period.start_utc, period.end_utc) == (utc(2026, 11, 23), utc(2026, 11, 30))
    assert period.slug == "2026-W48"


def test_weekly_across_a_year_boundary_uses_the_iso_year() -> None:
    period = weekly(date(2027, 1, 1), "UTC", LATER)
    assert period.start_utc == utc(2026, 12, 28)
    assert period.slug == "2026-W53"


def test_weekly_containing_fall_back_is_one_hour_longer() -> None:
    period = weekly(date(2026, 10, 25), "Europe/Berlin", LATER)
    assert period.duration == timedelta(days=7, hours=1)


@pytest.mark.parametrize(
    ("day", "start", "end", "slug"),
    [
        (date(2026, 2, 14), utc(2026, 2, 1), utc(2026, 3, 1), "2026-02"),
        (date(2028, 2, 29), utc(2028, 2, 1), utc(2028, 3, 1), "2028-02"),
        (date(2026, 12, 31), utc(2026, 12, 1), utc(2027, 1, 1), "2026-12"),
    ],
)
def test_monthly_is_the_calendar_month(
    day: date, start: datetime, end: datetime, slug: str
) -> None:
    period = monthly(day, "UTC", LATER)
    assert (period.start_utc, period.end_utc, period.slug) == (start, end, slug)


def test_monthly_with_spring_forward_is_one_hour_short() -> None:
    period = monthly(date(2026, 3, 10), "Europe/Berlin", LATER)
    assert period.duration == timedelta(days=31, hours=-1)


def test_period_partial_until_as_of_reaches_end() -> None:
    as_of = utc(2026, 11, 25, 10, 30)
    period = daily(date(2026, 11, 25), "UTC", as_of)
    assert period.partial
    assert period.elapsed_end == as_of
    assert period.elapsed == timedelta(hours=10, minutes=30)
    done = daily(date(2026, 11, 25), "UTC", utc(2026, 11, 26))
    assert not done.partial
    assert done.elapsed_end == done.end


def test_period_in_the_future_has_elapsed_nothing() -> None:
    period = daily(date(2026, 11, 27), "UTC", utc(2026, 11, 25))
    assert period.partial
    assert period.elapsed == timedelta(0)
    assert period.elapsed_end == period.start


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (daily(date(2026, 11, 25), "UTC", LATER), utc(2026, 11, 24), utc(2026, 11, 25)),
        (weekly(date(2026, 11, 25), "UTC", LATER), utc(2026, 11, 16), utc(2026, 11, 23)),
        (monthly(date(2026, 1, 5), "UTC", LATER), utc(2025, 12, 1), utc(2026, 1, 1)),
        (monthly(date(2026, 3, 31), "UTC", LATER), utc(2026, 2, 1), utc(2026, 3, 1)),
        (
            daily(date(2026, 3, 30), "Europe/Berlin", LATER),
            utc(2026, 3, 28, 23),
            utc(2026, 3, 29, 22),
        ),
        (
            custom(utc(2026, 11, 25, 6), utc(2026, 11, 25, 18), "UTC", LATER),
            utc(2026, 11, 24, 18),
            utc(2026, 11, 25, 6),
        ),
    ],
)
def test_previous_is_the_same_kind_immediately_before(
    period: Period, start: datetime, end: datetime
) -> None:
    before = period.previous()
    assert before.kind is period.kind
    assert (before.start_utc, before.end_utc) == (start, end)


def test_comparison_window_of_a_partial_period_is_the_same_elapsed_part() -> None:
    period = daily(date(2026, 11, 25), "UTC", utc(2026, 11, 25, 9))
    assert period.comparison_window() == (utc(2026, 11, 24), utc(2026, 11, 24, 9))
    whole = daily(date(2026, 11, 25), "UTC", LATER)
    assert whole.comparison_window() == (utc(2026, 11, 24), utc(2026, 11, 25))


def test_custom_reads_dates_and_naive_times_in_the_time_zone() -> None:
    period = custom(date(2026, 11, 1), datetime(2026, 11, 2, 12), "Europe/Berlin", LATER)
    assert period.start_utc == utc(2026, 10, 31, 23)
    assert period.end_utc == utc(2026, 11, 2, 11)
    assert period.slug == "2026-11-01T0000--2026-11-02T1200"


def test_last_hours_ends_at_as_of() -> None:
    as_of = utc(2026, 11, 25, 10, 15)
    period = last_hours(24, "UTC", as_of)
    assert (period.start_utc, period.end_utc) == (utc(2026, 11, 24, 10, 15), as_of)
    assert period.kind is PeriodKind.CUSTOM
    assert not period.partial


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            utc(2026, 11, 25),
            utc(2026, 11, 24),
            "custom period end 2026-11-24T00:00:00+00:00 is not after its start "
            "2026-11-25T00:00:00+00:00",
        ),
        (
            utc(2026, 11, 25),
            utc(2026, 11, 25),
            "custom period end 2026-11-25T00:00:00+00:00 is not after its start "
            "2026-11-25T00:00:00+00:00",
        ),
        (
            utc(2025, 1, 1),
            utc(2026, 1, 3),
            "custom period 2025-01-01T00:00:00+00:00 to 2026-01-03T00:00:00+00:00 is longer "
            "than 366 days",
        ),
        (
            utc(2027, 7, 1),
            utc(2027, 7, 2),
            "custom period start 2027-07-01T00:00:00+00:00 is after as-of "
            "2027-06-01T00:00:00+00:00",
        ),
    ],
)
def test_custom_refuses_bad_ranges(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        custom(start, end, "UTC", LATER)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_custom_of_exactly_366_days_is_allowed() -> None:
    period = custom(utc(2026, 1, 1), utc(2027, 1, 2), "UTC", LATER)
    assert period.duration == timedelta(days=366)


def test_last_hours_refuses_non_positive_hours() -> None:
    with pytest.raises(UsageError, match=r"^--hours must be positive, got 0$"):
        last_hours(0, "UTC", LATER)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (float("nan"), "--hours must be positive, got nan"),
        (float("inf"), "--hours inf is longer than 366 days"),
        (1e20, "--hours 1e+20 is longer than 366 days"),
        (366 * 24 + 1, "--hours 8785 is longer than 366 days"),
    ],
)
def test_last_hours_refuses_hours_that_are_not_a_span(hours: float, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        last_hours(hours, "UTC", LATER)
    assert str(raised.value) == message


def test_last_hours_accepts_exactly_366_days() -> None:
    period = last_hours(366 * 24, "UTC", LATER)
    assert period.duration == timedelta(days=366)


def test_period_of_refuses_custom() -> None:
    with pytest.raises(UsageError, match="a custom period needs --start/--end or --hours"):
        period_of(PeriodKind.CUSTOM, date(2026, 11, 25), "UTC", LATER)


def test_periods_covering_lists_every_touching_period() -> None:
    days = periods_covering(
        PeriodKind.DAILY, utc(2026, 11, 24, 13), utc(2026, 11, 26, 1), "UTC", as_of=LATER
    )
    assert [p.slug for p in days] == ["2026-11-24", "2026-11-25", "2026-11-26"]
    weeks = periods_covering(
        PeriodKind.WEEKLY, utc(2026, 11, 25), utc(2026, 12, 7), "UTC", as_of=LATER
    )
    assert [p.slug for p in weeks] == ["2026-W48", "2026-W49", "2026-W50"]
    months = periods_covering(
        PeriodKind.MONTHLY, utc(2026, 11, 30), utc(2027, 1, 1), "UTC", as_of=LATER
    )
    assert [p.slug for p in months] == ["2026-11", "2026-12", "2027-01"]


def test_periods_covering_cuts_days_in_the_time_zone() -> None:
    # 23:30 UTC on the 24th is already the 25th in Berlin.
    days = periods_covering(
        PeriodKind.DAILY,
        utc(2026, 11, 24, 23, 30),
        utc(2026, 11, 25, 12),
        "Europe/Berlin",
        as_of=LATER,
    )
    assert [p.slug for p in days] == ["2026-11-25"]


def test_periods_covering_refuses_custom() -> None:
    with pytest.raises(UsageError, match="custom periods are named ranges"):
        periods_covering(PeriodKind.CUSTOM, LATER, LATER, "UTC", as_of=LATER)


def test_local_date_is_the_calendar_date_in_the_time_zone() -> None:
    assert local_date(utc(2026, 11, 24, 23, 30), "Europe/Berlin") == date(2026, 11, 25)
    assert local_date(utc(2026, 11, 24, 23, 30), "UTC") == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25", date(2026, 11, 25)),
        (" 2026-11-25 ", date(2026, 11, 25)),
        ("2026-11-25T10:00", datetime(2026, 11, 25, 10, 0)),
        ("2026-11-25T10:00:00Z", datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_bound_reads_a_date_or_a_time(text: str, expected: date | datetime) -> None:
    assert parse_bound(text) == expected


def test_parse_bound_refuses_other_text() -> None:
    with pytest.raises(ValueError):
        parse_bound("next tuesday")
