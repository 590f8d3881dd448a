"""Report periods: daily, weekly, monthly and custom spans `[start, end)`.

Periods are cut in the report's IANA time zone, so a daily period in Europe/Berlin is 23 or
25 hours long on DST days. All arithmetic on instants is done in UTC: Python compares and
subtracts two datetimes that share one tzinfo by their wall clocks, which is wrong across DST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from reportgen.errors import UsageError

MAX_CUSTOM_DAYS = 366
# The name of a named range: a folder of the site, so lowercase letters, digits and `-`.
RANGE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class PeriodKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """One report period: `[start, end)` in `timezone`, judged at `as_of`."""

    kind: PeriodKind
    start: datetime
    end: datetime
    timezone: str
    as_of: datetime

    @property
    def partial(self) -> bool:
        """The period has not ended yet at `as_of`."""
        return self.as_of.astimezone(UTC) < self.end.astimezone(UTC)

    @property
    def elapsed_end(self) -> datetime:
        """Where the data of this period stops: its end, or `as_of` while it runs."""
        if not self.partial:
            return self.end
        # A period that starts after `as_of` has elapsed nothing, not a negative span.
        return max(self.as_of, self.start).astimezone(ZoneInfo(self.timezone))

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)

    @property
    def elapsed_end_utc(self) -> datetime:
        return self.elapsed_end.astimezone(UTC)

    @property
    def duration(self) -> timedelta:
        return self.end_utc - self.start_utc

    @property
    def elapsed(self) -> timedelta:
        return max(self.elapsed_end_utc - self.start_utc, timedelta(0))

    @property
    def slug(self) -> str:
        """The period's name in site paths: `2026-11-25`, `2026-W48`, `2026-11`, or a range."""
        if self.kind is PeriodKind.DAILY:
            return self.start.date().isoformat()
        if self.kind is PeriodKind.WEEKLY:
            year, week, _ = self.start.date().isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.MONTHLY:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{_compact(self.start)}--{_compact(self.end)}"

    def previous(self) -> Period:
        """The period of the same kind immediately before (custom: the same length)."""
        zone = ZoneInfo(self.timezone)
        first = self.start.date()
        if self.kind is PeriodKind.DAILY:
            return daily(first - timedelta(days=1), self.timezone, self.as_of)
        if self.kind is PeriodKind.WEEKLY:
            return weekly(first - timedelta(days=7), self.timezone, self.as_of)
        if self.kind is PeriodKind.MONTHLY:
            return monthly(_month_before(first), self.timezone, self.as_of)
        start = (self.start_utc - self.duration).astimezone(zone)
        return Period(PeriodKind.CUSTOM, start, self.start, self.timezone, self.as_of)

    def comparison_window(self) -> tuple[datetime, datetime]:
        """The UTC span of the previous period to compare with.

        A partial period is compared with the same elapsed part of the previous one, so a
        half-finished day is not judged against a whole day.
        """
        before = self.previous()
        end = min(before.start_utc + self.elapsed, before.end_utc)
        return before.start_utc, end


def _compact(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H%M")


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of `day`; normalised through UTC so the offset is the real one."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).astimezone(zone)


def _span(kind: PeriodKind, first: date, after: date, timezone: str, as_of: datetime) -> Period:
    zone = ZoneInfo(timezone)
    return Period(kind, _midnight(first, zone), _midnight(after, zone), timezone, as_of)


def daily(day: date, timezone: str, as_of: datetime) -> Period:
    """The calendar day `day` in `timezone`."""
    return _span(PeriodKind.DAILY, day, day + timedelta(days=1), timezone, as_of)


def weekly(day: date, timezone: str, as_of: datetime) -> Period:
    """The ISO week (Monday to Monday) containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return _span(PeriodKind.WEEKLY, monday, monday + timedelta(days=7), timezone, as_of)


def monthly(day: date, timezone: str, as_of: datetime) -> Period:
    """The calendar month containing `day`."""
    first = day.replace(day=1)
    return _span(PeriodKind.MONTHLY, first, _month_after(first), timezone, as_of)


def parse_bound(text: str) -> date | datetime:
    """A custom period's bound as written: a date (`2026-11-25`) or an ISO 8601 time.

    Raises ValueError. A date, or a time without an offset, is read in the report's time zone
    by `custom`.
    """
    value = text.strip()
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def custom(start: datetime | date, end: datetime | date, timezone: str, as_of: datetime) -> Period:
    """An explicit `[start, end)`; dates and naive times are read in `timezone`."""
    zone = ZoneInfo(timezone)
    begin, finish = _aware(start, zone), _aware(end, zone)
    if finish.astimezone(UTC) <= begin.astimezone(UTC):
        raise UsageError(
            f"custom period end {finish.isoformat()} is not after its start {begin.isoformat()}"
        )
    if finish.astimezone(UTC) - begin.astimezone(UTC) > timedelta(days=MAX_CUSTOM_DAYS):
        raise UsageError(
            f"custom period {begin.isoformat()} to {finish.isoformat()} is longer than "
            f"{MAX_CUSTOM_DAYS} days"
        )
    if begin.astimezone(UTC) > as_of.astimezone(UTC):
        raise UsageError(
            f"custom period start {begin.isoformat()} is after as-of {as_of.isoformat()}"
        )
    return Period(PeriodKind.CUSTOM, begin, finish, timezone, as_of)


def last_hours(hours: float, timezone: str, as_of: datetime) -> Period:
    """The custom period of the `hours` hours ending at `as_of`."""
    # `not hours > 0` also refuses NaN; the length is checked before timedelta overflows.
    if not hours > 0:
        raise UsageError(f"--hours must be positive, got {hours:g}")
    if hours > MAX_CUSTOM_DAYS * 24:
        raise UsageError(f"--hours {hours:g} is longer than {MAX_CUSTOM_DAYS} days")
    zone = ZoneInfo(timezone)
    end = as_of.astimezone(zone)
    start = (as_of.astimezone(UTC) - timedelta(hours=hours)).astimezone(zone)
    return custom(start, end, timezone, as_of)


def _aware(moment: datetime | date, zone: ZoneInfo) -> datetime:
    if not isinstance(moment, datetime):
        return _midnight(moment, zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return moment.astimezone(zone)


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date of `moment` in `timezone` (the default `--date` of a report)."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def period_of(kind: PeriodKind, day: date, timezone: str, as_of: datetime) -> Period:
    """The daily, weekly or monthly period containing `day`."""
    if kind is PeriodKind.DAILY:
        return daily(day, timezone, as_of)
    if kind is PeriodKind.WEEKLY:
        return weekly(day, timezone, as_of)
    if kind is PeriodKind.MONTHLY:
        return monthly(day, timezone, as_of)
    raise UsageError("a custom period needs --start/--end or --hours, not a date")


def periods_covering(
    kind: PeriodKind, first: datetime, last: datetime, timezone: str, *, as_of: datetime
) -> list[Period]:
    """Every period of `kind` that touches `[first, last]`, oldest first (the site's pages)."""
    if kind is PeriodKind.CUSTOM:
        raise UsageError("custom periods are named ranges; they do not tile a span")
    zone = ZoneInfo(timezone)
    day = first.astimezone(zone).date()
    stop = last.astimezone(UTC)
    periods: list[Period] = []
    period = period_of(kind, day, timezone, as_of)
    while period.start_utc <= stop:
        periods.append(period)
        period = period_of(kind, period.end.date(), timezone, as_of)
    return periods
