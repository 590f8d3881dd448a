"""Cheap fingerprints of what a report reads, so a site build can tell which pages changed.

A period's fingerprint combines per-day fingerprints (job count and the sum of a hash of each
job's id, status and updated_at), aggregated by DuckDB a month at a time (no job row leaves
the store) and kept for the build, with the hashes of the small tables (rollout,
categories). Any change to a job changes its status or updated_at, so it changes its day's
fingerprint.
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
        return self._days.get(day) or f"{day}:0:0"

    def _load_month(self, first: date) -> None:
        """The fingerprints of every day of one local month, from one aggregate query.

        A month at a time keeps the query count low (one per month, not per day); DuckDB
        hashes and sums the rows, so only a row per day reaches Python.
        """
        after = (first + timedelta(days=32)).replace(day=1)
        days = self.store.day_digests(self._midnight(first), self._midnight(after), self.zone.key)
        for day, count, digest in days:
            self._days[day] = f"{day}:{count}:{digest}"
        day = first
        while day < after:
            self._days.setdefault(day, f"{day}:0:0")
            day += timedelta(days=1)
