"""Fingerprints of a period's inputs, from the hourly digests every pull keeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from reportgen.store import open_store
from reportgen.store.fingerprints import Fingerprints
from store.rows import Row, job, write_ndjson

# 18:40 UTC on the 25th is 00:10 on the 26th in Kolkata (+05:30): its hour, 18:00-19:00 UTC,
# overlaps both local days there, and only the 25th in UTC.
LATE = "2026-11-25T18:40:00Z"


def fingerprints_of(tmp_path: Path, rows: list[Row], zone: str) -> dict[date, str]:
    """The fingerprint of every local day from the 24th to the 27th after pulling `rows`."""
    path = write_ndjson(tmp_path / "snapshots" / "jobs-2026-11-28T00.ndjson", rows)
    with open_store(tmp_path / "store.duckdb") as store:
        store.pull(str(path))
        fingerprints = Fingerprints(store, zone)
        result = {}
        for offset in range(4):
            day = date(2026, 11, 24) + timedelta(days=offset)
            start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
            result[day] = fingerprints.of(start, start + timedelta(days=1))
        return result


def changed_days(tmp_path: Path, zone: str, changed: Row) -> set[date]:
    """The days whose fingerprint differs when `changed` is added or replaces its job."""
    rows = {
        "early": job("early", created_at="2026-11-24T09:00:00Z"),
        "late": job("late", created_at=LATE),
    }
    before = fingerprints_of(tmp_path / "before", list(rows.values()), zone)
    after = fingerprints_of(
        tmp_path / "after", list({**rows, changed["id"]: changed}.values()), zone
    )
    return {day for day in before if before[day] != after[day]}


def test_a_new_job_changes_only_its_day(tmp_path: Path) -> None:
    assert changed_days(tmp_path, "UTC", job("new", created_at="2026-11-26T03:00:00Z")) == {
        date(2026, 11, 26)
    }


def test_a_changed_status_changes_its_day(tmp_path: Path) -> None:
    failed = job("late", created_at=LATE, status="failed", error="Bad credentials")
    assert changed_days(tmp_path, "UTC", failed) == {date(2026, 11, 25)}


def test_an_hour_split_by_a_half_hour_zone_changes_both_days(tmp_path: Path) -> None:
    failed = job("late", created_at=LATE, status="failed", error="Bad credentials")
    assert changed_days(tmp_path, "Asia/Kolkata", failed) == {
        date(2026, 11, 25),
        date(2026, 11, 26),
    }


def test_days_without_jobs_have_a_fingerprint_that_stays(tmp_path: Path) -> None:
    rows = [job("early", created_at="2026-11-24T09:00:00Z")]
    first = fingerprints_of(tmp_path / "a", rows, "UTC")
    again = fingerprints_of(tmp_path / "b", rows, "UTC")
    assert first == again
    assert len(set(first.values())) == 4
