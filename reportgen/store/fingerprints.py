"""Cheap fingerprints of what a report reads, so a site build can tell which pages changed.

A period's fingerprint combines per-day fingerprints with the hashes of the small tables
(rollout, categories). A day's fingerprint is made of the digests of the UTC hours it overlaps
(job count and the sum of a hash of each job's id, status and updated_at), which every pull
keeps in `job_digests`: no job row is read. Any change to a job changes its status or
updated_at, so it changes its hour's digest and every day that hour overlaps (two, in a zone
whose offset is not whole hours).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reportgen.store import Store

SMALL_TABLES = ("rollout_configuration", "rollout_history", "repository_categories")


class Fingerprints:
    """The fingerprints of one store's days in one time zone, computed on first use."""

    def __init__(self, store: Store, timezone: str) -> None:
        self.store = store
        self.zone = ZoneInfo(timezone)
        self._days: dict[date, str] = {}
        self._tables = hashlib.sha256()
        for name in SMALL_TABLES:
            frame = store.table(name)
            self._tables.update(f"{name}:{frame.height}:{frame.hash_rows(seed=0).sum()}".encode())

    def of(self, start: datetime, end: datetime) -> str:
        """A hash of every input row a report of `[start, end)` reads (no report is computed)."""
        digest = self._tables.copy()
        day = start.astimezone(self.zone).date()
        while self._midnight(day) < end:
            digest.update(self._day(day).encode())
            day += timedelta(days=1)
        return digest.hexdigest()

    def _midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(UTC)

    def _day(self, day: date) -> str:
        if day not in self._days:
            self._load_month(day.replace(day=1))
        return self._days[day]

    def _load_month(self, first: date) -> None:
        """The fingerprints of every day of one local month, from its hours' digests."""
        after = (first + timedelta(days=32)).replace(day=1)
        days: dict[date, str] = {}
        day = first
        while day < after:
            days[day] = f"{day}:"
            day += timedelta(days=1)
        for hour, jobs, digest in self.store.hour_digests(
            self._midnight(first), self._midnight(after)
        ):
            overlapped = {self._local_day(hour), self._local_day(hour + _LAST)}
            for day in overlapped & days.keys():
                days[day] += f"{hour:%Y%m%d%H}:{jobs}:{digest};"
        self._days.update(days)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


# The last instant of an hour: an hour belongs to every local day it overlaps.
_LAST = timedelta(hours=1, microseconds=-1)
