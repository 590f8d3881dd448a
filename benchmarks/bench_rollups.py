"""Reports over hourly rollups against the same reports over rows, and what the rollups cost.

    .venv/bin/python benchmarks/bench_rollups.py --jobs 10000000

On a year of generated jobs (bench_report's SQL generator, written straight into the store,
so the rollups are then built from scratch as the migration would), times, each in a fresh
process (`measure`):

  * building every rollup from the stored jobs;
  * the monthly report, from rollups and from rows;
  * the long reports of the year (52 weekly + 12 monthly), from rollups and from rows;
  * a pull of one new day (with a few hundred updates of older jobs), and the share of it
    that keeps the rollups (`rollups.note_moves` + `rollups.refresh`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_report import AS_OF, MONTH, YEAR, generate
from benchmarks.measure import measure
from reportgen.config import Settings, StoreSettings
from reportgen.periods import Period, monthly, weekly
from reportgen.report.loader import build_reports
from reportgen.store import open_store, rollups


def _settings(path: Path) -> Settings:
    return Settings(store=StoreSettings(path=path))


def rebuild(path: Path) -> int:
    with open_store(path, wait_seconds=30) as store:
        store.connection.execute("BEGIN TRANSACTION")
        rollups.rebuild(store.connection)
        store.connection.execute("COMMIT")
        return int(store.connection.sql("SELECT count(*) FROM job_rollups").fetchall()[0][0])


def _long_periods() -> list[Period]:
    weeks = [weekly(date(YEAR, 1, 6) + timedelta(weeks=n), "UTC", AS_OF) for n in range(52)]
    months = [monthly(date(YEAR, m, 1), "UTC", AS_OF) for m in range(1, 13)]
    return weeks + months


def reports(path: Path, periods: list[Period], use_rollups: bool) -> int:
    with open_store(path, wait_seconds=30, read_only=True) as store:
        built = build_reports(store, periods, _settings(path), AS_OF, rollups=use_rollups)
    return sum(report.window.jobs.total for report in built)


def monthly_report(path: Path, use_rollups: bool) -> int:
    return reports(path, [monthly(MONTH, "UTC", AS_OF)], use_rollups)


def long_reports(path: Path, use_rollups: bool) -> int:
    return reports(path, _long_periods(), use_rollups)


def new_day(path: Path, directory: Path) -> Path:
    """A Parquet snapshot of one new day (the year's first day, a year on) plus 500 updated
    jobs of the last month, two of them moved to another hour."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        target = directory / "new-day"
        target.mkdir(exist_ok=True)
        file = target / f"jobs-{YEAR + 1}-01-02T06.parquet"
        columns = (
            "id, job_type, repository_id, repository_name, processor_type, status, created_at,"
            " started_at, completed_at, error, time_range_days, workflow_run_id, metadata,"
            " updated_at"
        )
        con.execute(
            f"COPY (SELECT {columns} FROM ("
            f" SELECT * REPLACE ('new-' || id AS id, created_at + INTERVAL 365 DAY AS created_at,"
            "  started_at + INTERVAL 365 DAY AS started_at,"
            "  completed_at + INTERVAL 365 DAY AS completed_at,"
            "  updated_at + INTERVAL 365 DAY AS updated_at)"
            f" FROM jobs WHERE created_at >= TIMESTAMPTZ '{YEAR}-01-01'"
            f" AND created_at < TIMESTAMPTZ '{YEAR}-01-02')"
            f" UNION ALL SELECT * REPLACE ('failed' AS status, 'Bad credentials' AS error,"
            "  CASE WHEN row_number() OVER () <= 2 THEN created_at - INTERVAL 3 HOUR"
            "   ELSE created_at END AS created_at,"
            "  updated_at + INTERVAL 400 DAY AS updated_at)"
            f" FROM (SELECT {columns} FROM jobs WHERE created_at >= TIMESTAMPTZ '{YEAR}-12-01'"
            " AND status = 'completed' LIMIT 500))"
            f" TO '{file}' (FORMAT parquet)"
        )
        return target
    finally:
        con.close()


def pull_day(path: Path, source: Path) -> str:
    """Pull the new day; returns how long the pull and its rollup upkeep took."""
    spent = {"rollups": 0.0}
    note, refresh = rollups.note_moves, rollups.refresh

    def timed_note(*args: object) -> None:
        began = time.perf_counter()
        note(*args)  # type: ignore[arg-type]
        spent["rollups"] += time.perf_counter() - began

    def timed_refresh(*args: object) -> int:
        began = time.perf_counter()
        hours = refresh(*args)  # type: ignore[arg-type]
        spent["rollups"] += time.perf_counter() - began
        spent["hours"] = hours
        return hours

    rollups.note_moves, rollups.refresh = timed_note, timed_refresh  # type: ignore[assignment]
    began = time.perf_counter()
    with open_store(path, wait_seconds=30) as store:
        result = store.pull(str(source))
    total = time.perf_counter() - began
    jobs = next(t for t in result.tables if t.table == "jobs")
    return (
        f"pull {total:.3f} s: rollup upkeep {spent['rollups']:.3f} s for"
        f" {spent.get('hours', 0):.0f} hours ({jobs.inserted:,} inserted,"
        f" {jobs.updated:,} updated)"
    )


def sizes(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = [
            f"{table} {con.sql(f'SELECT count(*) FROM {table}').fetchall()[0][0]:,}"
            for table in ("jobs", *rollups.TABLES)
        ]
        return "rows: " + ", ".join(counts)
    finally:
        con.close()


def run(jobs: int, directory: Path) -> None:
    path = directory / f"rollups-{jobs}.duckdb"
    print(measure(f"generate {jobs:,} jobs", generate, path, jobs).line())
    print(measure("build every rollup from the jobs", rebuild, path).line())
    print(f"  {sizes(path)}; store {path.stat().st_size / 2**20:,.0f} MB")
    for label, work in (
        ("monthly report", monthly_report),
        ("52 weekly + 12 monthly", long_reports),
    ):
        rows = measure(f"{label} from rows", work, path, False)
        rolled = measure(f"{label} from rollups", work, path, True)
        print(rows.line())
        print(rolled.line(rows))
        print(f"  jobs {rows.result:,} vs {rolled.result:,}")
    source = new_day(path, directory)
    pulled = measure("pull one new day", pull_day, path, source)
    print(pulled.line())
    print(f"  {pulled.result}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, action="append", help="jobs to generate (repeat)")
    parser.add_argument("--keep", action="store_true", help="keep the generated stores")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="reportgen-rollups-"))
    try:
        for jobs in args.jobs or [1_000_000]:
            run(jobs, directory)
    finally:
        if args.keep:
            print(f"stores kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
