"""Reports over long periods from hourly rollups agree with the same reports from rows.

Counts, rates, costs, error categories, repositories and maxima exactly; percentiles within
the sketch's 1 %; means to float rounding (see rollup_compare). On the sample (through a real
pull) and on generated jobs with the awkward cases: zero and negative durations, finished jobs
without timestamps, errors without text, half-hour time zones and partial periods.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from reportgen.compute.outcomes import OVERALL
from reportgen.config import PriceSettings, Settings
from reportgen.periods import Period, custom, daily, monthly, weekly
from reportgen.report.loader import ReportLoader, build_reports
from reportgen.store import Store, open_store, rollups

from .rollup_compare import differences

SAMPLE_AS_OF = datetime(2026, 12, 1, 6, tzinfo=UTC)
ZONES = ("UTC", "Asia/Kolkata", "America/New_York")


def both_ways(store: Store, periods: list[Period], settings: Settings, as_of: datetime) -> None:
    raw = build_reports(store, periods, settings, as_of, rollups=False)
    rolled = build_reports(store, periods, settings, as_of)
    for period, a, b in zip(periods, raw, rolled, strict=True):
        assert a.window.jobs.total > 0, period.slug
        assert differences(a.to_dict(), b.to_dict()) == [], period.slug


@pytest.mark.parametrize("zone", ZONES)
def test_sample_monthly_and_weekly_reports_agree(sample_store: Path, zone: str) -> None:
    periods = [
        weekly(date(2026, 11, 9), zone, SAMPLE_AS_OF),
        weekly(date(2026, 11, 16), zone, SAMPLE_AS_OF),
        monthly(date(2026, 11, 1), zone, SAMPLE_AS_OF),
        # Partial: judged mid-hour, so its last part comes from rows.
        monthly(date(2026, 11, 1), zone, datetime(2026, 11, 20, 13, 37, tzinfo=UTC)),
    ]
    with open_store(sample_store, read_only=True) as store:
        for period in periods:
            both_ways(store, [period], Settings(), period.as_of)


def test_rollups_are_read_only_for_long_windows(sample_store: Path) -> None:
    with open_store(sample_store, read_only=True) as store:
        loader = ReportLoader(store)
        day = loader.inputs(daily(date(2026, 11, 20), "UTC", SAMPLE_AS_OF))
        month = loader.inputs(monthly(date(2026, 11, 1), "UTC", SAMPLE_AS_OF))
    assert day.rollup is None and day.previous_rollup is None and day.jobs.height > 0
    assert month.rollup is not None and month.previous_rollup is not None
    # No rows: of the jobs, only the two narrow columns the judges' job-by-job sequences need,
    # and the completed jobs' durations.
    assert month.jobs.height == 0 and month.previous_jobs.height == 0
    cells = month.rollup.cells.filter(pl.col("status").is_in(["completed", "failed"]))
    assert month.rollup.outcomes[OVERALL].len() == int(cells.get_column("jobs").sum()) > 0
    assert month.rollup.processing_times.len() > 0
    failed = int(month.rollup.cells.get_column("errors_unknown").sum()) + sum(
        int(month.rollup.cells.get_column(c).sum()) for c in rollups.ERROR_COLUMNS[:-1]
    )
    assert month.rollup.newest_failures.height == min(50, failed) > 0


# -- generated jobs ------------------------------------------------------------------------

START = datetime(2025, 1, 1, tzinfo=UTC)
AS_OF = datetime(2025, 4, 1, 6, tzinfo=UTC)
JOBS = 40_000

GENERATE = """
INSERT INTO jobs
WITH base AS (
    SELECT i, $start + to_microseconds((i * (7776000000000 // $n))::BIGINT) AS created_at,
           (hash(i) % 1000)::BIGINT AS outcome, (hash(i + 1) % 100)::BIGINT AS route,
           (hash(i + 2) % 300)::BIGINT AS repo, (hash(i + 3) % 900000)::BIGINT AS run_us,
           (hash(i + 4) % 1000)::BIGINT AS wait_ms
    FROM range($n) AS r(i)
), shaped AS (
    SELECT *,
           CASE WHEN route < 40 THEN 'github_actions' WHEN route < 97 THEN 'inngest'
                ELSE 'lambda' END AS processor,
           CASE WHEN outcome < 60 THEN 'failed' WHEN outcome < 63 THEN 'pending'
                WHEN outcome < 66 THEN 'processing' ELSE 'completed' END AS state
    FROM base
)
SELECT 'job-' || i, ['recent-prs', 'pr-details', 'reviews'][1 + i % 3],
       CASE WHEN repo < 290 THEN 'repo-' || repo END,
       'org/repo-' || repo || CASE WHEN i % 7 = 0 THEN '-renamed' ELSE '' END,
       processor, state, created_at,
       CASE WHEN state = 'pending' OR outcome % 50 = 7 THEN NULL
            WHEN outcome % 97 = 1 THEN created_at - INTERVAL 5 SECOND
            ELSE created_at + to_milliseconds(wait_ms) END,
       CASE WHEN state IN ('completed', 'failed') AND outcome % 89 <> 3 THEN
            CASE WHEN outcome % 83 = 2 THEN created_at + to_milliseconds(wait_ms)
                 WHEN outcome % 79 = 5 THEN created_at
                 ELSE created_at + to_milliseconds(wait_ms) + to_microseconds(run_us * 400) END
       END,
       CASE WHEN state = 'failed' AND outcome % 11 <> 0 THEN
            ['API rate limit exceeded (403)', 'connect ETIMEDOUT', 'Bad credentials',
             'Not Found', 'column x does not exist', 'Validation failed', 'odd'][1 + outcome % 7]
       END,
       7, NULL, NULL, NULL, created_at, $start, 1
FROM shaped
"""


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "store.duckdb"
    with open_store(path) as store:
        store.connection.execute(GENERATE, {"start": START, "n": JOBS})
        rollups.rebuild(store.connection)
    return path


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("rounding", ["up", "exact"])
def test_generated_reports_agree(generated_store: Path, zone: str, rounding: str) -> None:
    settings = Settings(prices=PriceSettings(rounding=rounding))
    periods = [
        monthly(date(2025, 2, 1), zone, AS_OF),
        monthly(date(2025, 3, 1), zone, AS_OF),
        weekly(date(2025, 3, 12), zone, AS_OF),
        custom(datetime(2025, 1, 10, 7, 30), datetime(2025, 2, 20, 16, 45), zone, AS_OF),
    ]
    with open_store(generated_store, read_only=True) as store:
        if rounding == "up":
            both_ways(store, periods, settings, AS_OF)
            return
        # Without rounding the minutes are a float sum of every job's on one side and an exact
        # integer sum on the other: the cost agrees to float rounding, not to the bit.
        raw = build_reports(store, periods, settings, AS_OF, rollups=False)
        rolled = build_reports(store, periods, settings, AS_OF)
    for a, b in zip(raw, rolled, strict=True):
        assert b.window.cost.github_actions_minutes == pytest.approx(
            a.window.cost.github_actions_minutes, rel=1e-12
        )


def test_a_pull_refreshes_only_the_hours_of_its_jobs(tmp_path: Path) -> None:
    """Incremental upkeep equals a rebuild from scratch, including a job moved to another hour."""
    path = tmp_path / "store.duckdb"
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    first = (
        '{"id": "a", "job_type": "t", "processor_type": "inngest", "status": "pending",'
        ' "created_at": "2025-01-01T10:15:00Z"}\n'
        '{"id": "b", "job_type": "t", "processor_type": "inngest", "status": "completed",'
        ' "created_at": "2025-01-01T11:00:00Z", "started_at": "2025-01-01T11:00:01Z",'
        ' "completed_at": "2025-01-01T11:00:03Z"}\n'
    )
    (snapshots / "jobs-2025-01-01T12.ndjson").write_text(first)
    with open_store(path) as store:
        store.pull(str(snapshots))
        assert _cells(store.connection) == [("2025-01-01 10:00:00+00", "pending", 1),
                                            ("2025-01-01 11:00:00+00", "completed", 1)]  # fmt: skip
        # The next snapshot: a finished, and its creation time corrected into 09:00.
        second = first.replace(
            '"status": "pending", "created_at": "2025-01-01T10:15:00Z"}',
            '"status": "failed", "created_at": "2025-01-01T09:59:00Z",'
            ' "error": "Bad credentials", "updated_at": "2025-01-01T12:30:00Z"}',
        )
        (snapshots / "jobs-2025-01-01T13.ndjson").write_text(second)
        # A marker in an hour no job of the pull touches: only touched hours are recomputed.
        store.connection.execute(
            "INSERT INTO job_rollups SELECT * REPLACE (TIMESTAMPTZ '2025-01-01 05:00:00+00'"
            " AS hour) FROM job_rollups WHERE status = 'completed'"
        )
        store.pull(str(snapshots))
        untouched = "SELECT count(*) FROM job_rollups WHERE hour = '2025-01-01 05:00:00+00'"
        assert store.connection.sql(untouched).fetchall() == [(1,)]
        store.connection.execute("DELETE FROM job_rollups WHERE hour = '2025-01-01 05:00:00+00'")
        assert _cells(store.connection) == [("2025-01-01 09:00:00+00", "failed", 1),
                                            ("2025-01-01 11:00:00+00", "completed", 1)]  # fmt: skip
        refreshed = _everything(store.connection)
        rollups.rebuild(store.connection)
        assert _everything(store.connection) == refreshed


def _cells(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    return [
        (str(hour), status, jobs)
        for hour, status, jobs in connection.sql(
            "SELECT strftime(hour, '%Y-%m-%d %H:%M:%S+00'), status, jobs FROM job_rollups"
            " ORDER BY hour"
        ).fetchall()
    ]


def _everything(connection: duckdb.DuckDBPyConnection) -> list[object]:
    return [
        sorted(connection.sql(f"SELECT * FROM {table}").fetchall(), key=str)
        for table in rollups.TABLES
    ]


def test_the_sql_category_is_compute_s(generated_store: Path) -> None:
    import polars as pl

    from reportgen.compute.errors import category_expr

    messages = ["API Rate Limit", "ECONNRESET", "401 x", "nothing", None, "Invalid 404"]
    with open_store(generated_store, read_only=True) as store:
        sql = [
            row[0]
            for row in store.connection.sql(
                f"SELECT {rollups.category_sql('e')} FROM unnest(?) AS t(e)", params=[messages]
            ).fetchall()
        ]
    expected = pl.DataFrame({"error": messages}).select(category_expr()).to_series().to_list()
    assert sql == expected


def test_generated_store_spans_the_quarter(generated_store: Path) -> None:
    with open_store(generated_store, read_only=True) as store:
        span = store.jobs_span()
    assert span is not None and span[1] - span[0] > timedelta(days=89)


@pytest.mark.parametrize("stored_order", ["hash(id)", "created_at, hash(id)"])
def test_reports_agree_on_a_store_with_ties_out_of_order(tmp_path: Path, stored_order: str) -> None:
    """Many jobs created in the same hour with different outcomes, stored out of creation
    order or in it but with ties out of id order: a long window's sequences, read as stored
    and without ids, still follow creation order (ties by id), as the rows' do."""
    path = tmp_path / "store.duckdb"
    with open_store(path) as store:
        store.connection.execute(GENERATE, {"start": START, "n": JOBS})
        store.connection.execute("CREATE TEMP TABLE generated AS SELECT * FROM jobs")
        store.connection.execute("DELETE FROM jobs")
        store.connection.execute(
            "INSERT INTO jobs SELECT * REPLACE (date_trunc('hour', created_at) AS created_at)"
            f" FROM generated ORDER BY {stored_order}"
        )
        rollups.rebuild(store.connection)
        month = monthly(date(2025, 2, 1), "UTC", AS_OF)
        rollup = ReportLoader(store).inputs(month).rollup
        assert rollup is not None
        expected = (
            store.jobs_created(month.start, month.end)  # sorted by (created_at, id)
            .filter(pl.col("status").is_in(["completed", "failed"]))
            .select((pl.col("status") == "failed").alias("failed"))
        )
        assert rollup.outcomes[OVERALL].equals(expected.get_column("failed"))
        both_ways(store, [month, monthly(date(2025, 3, 1), "UTC", AS_OF)], Settings(), AS_OF)


def test_jobs_created_at_a_shared_instant_are_judged_in_id_order(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with open_store(path) as store:
        store.connection.execute(GENERATE, {"start": START, "n": JOBS})
        # Two jobs of February share an instant, with different outcomes.
        store.connection.execute(
            "UPDATE jobs SET created_at = (SELECT created_at FROM jobs WHERE id = 'job-20000'),"
            " status = CASE id WHEN 'job-20001' THEN 'failed' ELSE 'completed' END"
            " WHERE id IN ('job-20000', 'job-20001')"
        )
        rollups.rebuild(store.connection)
        month = monthly(date(2025, 2, 1), "UTC", AS_OF)
        rollup = ReportLoader(store).inputs(month).rollup
        assert rollup is not None
        finished = store.jobs_created(month.start, month.end).filter(
            pl.col("status").is_in(["completed", "failed"])
        )
        place = finished.with_row_index().filter(pl.col("id") == "job-20000").item(0, "index")
        assert finished.get_column("id").slice(place, 2).to_list() == ["job-20000", "job-20001"]
        assert rollup.outcomes[OVERALL].slice(place, 2).to_list() == [False, True]
        both_ways(store, [month], Settings(), AS_OF)
