"""How long a report takes, beside one hand-written DuckDB query over the same jobs.

    .venv/bin/python benchmarks/bench_report.py            # 1 M jobs
    .venv/bin/python benchmarks/bench_report.py --jobs 10000000

Generates a year of jobs into a store under /tmp with one `range()`-based SQL statement (the
Python sample generator is far too slow for millions of rows), then times:

  * the monthly report of the busiest month vs one query computing the core aggregates
    (counts by status, error rate, p50/p95 processing time per processor) for that month;
  * all 365 daily reports of the year vs that query run once per day.

Targets (printed, not asserted): monthly <= 2x the query, 365 daily <= 3x. Every piece runs in
a fresh process (`measure`) so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import Measurement, measure
from reportgen.config import Settings, StoreSettings
from reportgen.periods import Period, daily, monthly
from reportgen.report.loader import build_report, build_reports
from reportgen.store import open_store, rollups

YEAR = 2025
YEAR_START = datetime(YEAR, 1, 1, tzinfo=UTC)
DAYS = 365
MONTH = date(YEAR, 7, 1)
AS_OF = datetime(YEAR + 1, 1, 1, 6, 0, tzinfo=UTC)

# One row per i in range(n): creation times spread evenly over the year; processor, job type,
# repository and outcome from independent hashes of i, so the data is the same on every run.
# As in a real snapshot, only jobs of the last two hours are still pending or processing.
GENERATE = """
INSERT INTO jobs (id, job_type, repository_id, repository_name, processor_type, status,
                  created_at, started_at, completed_at, error, time_range_days,
                  workflow_run_id, metadata, updated_at, _version_at, _snapshot_at, _pull_id)
WITH base AS (
    SELECT i,
           $start + to_microseconds((i * ($span_us // $n))::BIGINT) AS created_at,
           (hash(i) % 1000)::BIGINT AS outcome,
           (hash(i + 1) % 100)::BIGINT AS route,
           (hash(i + 2) % 5000)::BIGINT AS repo,
           (hash(i + 3) % 600000)::BIGINT AS run_ms,
           (hash(i + 4) % 120000)::BIGINT AS wait_ms
    FROM range($n) AS r(i)
), shaped AS (
    SELECT *,
           CASE WHEN route < 40 THEN 'github_actions' ELSE 'inngest' END AS processor,
           CASE WHEN outcome < 30 THEN 'failed'
                WHEN i < $n - $n // 4380 THEN 'completed'
                WHEN outcome < 31 THEN 'pending'
                WHEN outcome < 32 THEN 'processing'
                ELSE 'completed' END AS state
    FROM base
)
SELECT 'job-' || i,
       ['recent-prs', 'pr-details', 'reviews', 'comments', 'historical-pr-sync'][1 + i % 5],
       'repo-' || repo,
       'org-' || repo % 97 || '/repo-' || repo,
       processor,
       state,
       created_at,
       CASE WHEN state <> 'pending' THEN created_at + to_milliseconds(wait_ms) END,
       CASE WHEN state IN ('completed', 'failed')
            THEN created_at + to_milliseconds(wait_ms + run_ms) END,
       CASE WHEN state = 'failed' THEN
            ['API rate limit exceeded (403)', 'connect ETIMEDOUT', 'Bad credentials',
             'Not Found', 'something odd'][1 + outcome % 5] END,
       7,
       CASE WHEN processor = 'github_actions' THEN i END,
       NULL,
       created_at + to_milliseconds(wait_ms + run_ms),
       created_at + to_milliseconds(wait_ms + run_ms),
       $snapshot_at,
       0
FROM shaped
"""

# The hand-written comparison: the core aggregates of a report, per processor and overall.
CORE_AGGREGATES = """
SELECT coalesce(processor_type, '(all)') AS processor,
       count(*) AS jobs,
       count(*) FILTER (status = 'completed') AS completed,
       count(*) FILTER (status = 'failed') AS failed,
       count(*) FILTER (status = 'pending') AS pending,
       count(*) FILTER (status = 'processing') AS processing,
       100.0 * count(*) FILTER (status = 'failed')
           / nullif(count(*) FILTER (status IN ('completed', 'failed')), 0) AS error_rate,
       quantile_cont(epoch_ms(completed_at - started_at), [0.5, 0.95])
           FILTER (status = 'completed') AS p50_p95_ms
FROM jobs
WHERE created_at >= $start AND created_at < $end
GROUP BY ROLLUP (processor_type)
ORDER BY processor
"""


def _reported(work: Callable[..., int]) -> Callable[..., int | str]:
    """`measure` waits for its child's result forever; a failure is returned, not raised."""

    @functools.wraps(work)
    def guarded(*args: Any) -> int | str:
        try:
            return work(*args)
        except Exception as exc:  # the benchmark prints it and goes on
            return f"failed: {type(exc).__name__}: {exc}"

    return guarded


def _settings(path: Path) -> Settings:
    return Settings(store=StoreSettings(path=path))


@_reported
def generate(path: Path, jobs: int) -> int:
    """A store at `path` holding `jobs` jobs spread over the year."""
    with open_store(path, wait_seconds=0):
        pass  # creates the file and applies the migrations
    span_us = int(timedelta(days=DAYS).total_seconds() * 1_000_000)
    con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute(
            GENERATE, {"start": YEAR_START, "span_us": span_us, "n": jobs, "snapshot_at": AS_OF}
        )
        # Written straight into the jobs table, not pulled: the rollups are built here instead.
        rollups.rebuild(con)
        return int(con.sql("SELECT count(*) FROM jobs").fetchall()[0][0])
    finally:
        con.close()


@_reported
def monthly_report(path: Path) -> int:
    settings = _settings(path)
    with open_store(path, wait_seconds=30, read_only=True) as store:
        period = monthly(MONTH, "UTC", AS_OF)
        return build_report(store, period, settings, AS_OF).window.jobs.total


def _days() -> list[Period]:
    return [daily(YEAR_START.date() + timedelta(days=n), "UTC", AS_OF) for n in range(DAYS)]


@_reported
def daily_reports(path: Path) -> int:
    """The site's way: one pass over the year, sharing what consecutive days read."""
    settings = _settings(path)
    with open_store(path, wait_seconds=30, read_only=True) as store:
        reports = build_reports(store, _days(), settings, AS_OF)
    return sum(report.window.jobs.total for report in reports)


@_reported
def daily_reports_one_by_one(path: Path) -> int:
    """Each day on its own, as 365 `reportgen report daily` runs would (store opened once)."""
    settings = _settings(path)
    with open_store(path, wait_seconds=30, read_only=True) as store:
        return sum(build_report(store, p, settings, AS_OF).window.jobs.total for p in _days())


def _aggregates(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> int:
    rows = con.sql(CORE_AGGREGATES, params={"start": start, "end": end}).fetchall()
    return int(next(row[1] for row in rows if row[0] == "(all)")) if rows else 0


def _read_only(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


@_reported
def monthly_query(path: Path) -> int:
    period = monthly(MONTH, "UTC", AS_OF)
    con = _read_only(path)
    try:
        return _aggregates(con, period.start_utc, period.end_utc)
    finally:
        con.close()


@_reported
def daily_queries(path: Path) -> int:
    con = _read_only(path)
    try:
        return sum(_aggregates(con, p.start_utc, p.end_utc) for p in _days())
    finally:
        con.close()


def _compare(title: str, report: Measurement, query: Measurement, target: float) -> None:
    if isinstance(report.result, str) or isinstance(query.result, str):
        print(f"  {title}: {report.result if isinstance(report.result, str) else query.result}")
        return
    print(query.line())
    print(report.line(query))
    verdict = "met" if report.wall_s <= target * query.wall_s else "MISSED"
    print(
        f"  {title}: target <= {target:g}x wall, {verdict}; jobs {report.result:,}"
        f" (query {query.result:,})"
    )


def run(jobs: int, directory: Path, *, skip_daily: bool = False, one_by_one: bool = False) -> None:
    path = directory / f"bench-{jobs}.duckdb"
    generated = measure(f"generate {jobs:,} jobs", generate, path, jobs)
    print(generated.line())
    if isinstance(generated.result, str):
        print(f"  {generated.result}")
        return
    _compare(
        "monthly",
        measure("monthly report", monthly_report, path),
        measure("monthly core query", monthly_query, path),
        2,
    )
    if not skip_daily:
        queries = measure("365 daily core queries", daily_queries, path)
        _compare(
            "365 daily", measure("365 daily reports (series)", daily_reports, path), queries, 3
        )
        if one_by_one:
            print(
                measure("365 daily reports (one by one)", daily_reports_one_by_one, path).line(
                    queries
                )
            )
    print(f"  store size {path.stat().st_size / 2**20:,.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, action="append", help="jobs to generate (repeat)")
    parser.add_argument("--skip-daily", action="store_true", help="only the monthly comparison")
    parser.add_argument("--keep", action="store_true", help="keep the generated stores")
    parser.add_argument(
        "--one-by-one", action="store_true", help="also time 365 separate build_report calls"
    )
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    try:
        for jobs in args.jobs or [1_000_000]:
            print(f"== {jobs:,} jobs over {DAYS} days ==")
            run(jobs, directory, skip_daily=args.skip_daily, one_by_one=args.one_by_one)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
