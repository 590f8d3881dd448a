"""Hourly rollups of the jobs table: kept by every pull, read by reports over long periods.

Four tables: `job_rollups` (hour x processor x job type x status: counts, exact duration
sums, billed minutes, failures by error category), `job_rollup_sketches` (each cell's latency
sketch as bucket counts) and `repository_rollups` (hour x repository x processor), from
migration 0004, and `job_digests` (per hour, a digest of its jobs for the site's change
detection), from migration 0005. One SQL text per table builds its rows from job rows;
`refresh` runs it for the hours a pull touched, and the window readers run it for the ragged
edges of a period that does not start or end on a whole UTC hour, so a window read from
rollups counts exactly the jobs created in it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl

from reportgen.schema import (
    ERROR_CATEGORY_WORDS,
    SKETCH_LOG_GAMMA,
    SKETCH_ZERO_BUCKET,
    UNKNOWN_ERROR_CATEGORY,
)

ERROR_COLUMNS = tuple(
    f"errors_{category}" for category, _ in (*ERROR_CATEGORY_WORDS, (UNKNOWN_ERROR_CATEGORY, ()))
)
TABLES = ("job_rollups", "job_rollup_sketches", "repository_rollups", "job_digests")
_HOURS = "__rollup_hours"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def category_sql(column: str = "error") -> str:
    """The error category of `column` in SQL: the first category whose words it contains,
    case-insensitive, as `compute.errors.category_expr` decides it."""
    text = f"lower({column})"
    cases = " ".join(
        f"WHEN {' OR '.join(f'contains({text}, {_literal(word)})' for word in words)}"
        f" THEN {_literal(category)}"
        for category, words in ERROR_CATEGORY_WORDS
    )
    return f"CASE {cases} ELSE {_literal(UNKNOWN_ERROR_CATEGORY)} END"


def bucket_sql(microseconds: str) -> str:
    """The sketch bucket of a non-negative duration in microseconds, taken in milliseconds
    (`compute.sketch.bucket_of`); the divisor is parsed from its exact decimal spelling."""
    return (
        f"CASE WHEN {microseconds} = 0 THEN {SKETCH_ZERO_BUCKET}"
        f" ELSE CAST(ceil(ln({microseconds} / 1000.0)"
        f" / CAST('{SKETCH_LOG_GAMMA!r}' AS DOUBLE)) AS INTEGER) END"
    )


def _durations(where: str) -> str:
    """Job rows of `where` with their hour and day, durations in microseconds and error
    category."""
    processing = "epoch_us(completed_at) - epoch_us(started_at)"
    wait = "epoch_us(started_at) - epoch_us(created_at)"
    finished = "status IN ('completed', 'failed')"
    timed = "started_at IS NOT NULL AND completed_at IS NOT NULL"
    return (
        "SELECT date_trunc('hour', created_at) AS hour, date_trunc('day', created_at) AS day,"
        " processor_type, job_type, status,"
        " repository_id, repository_name,"
        f" CASE WHEN status = 'completed' AND {processing} >= 0 THEN {processing} END"
        " AS processing_us,"
        f" CASE WHEN {wait} >= 0 THEN {wait} END AS wait_us,"
        f" CASE WHEN {finished} AND {timed} THEN greatest({processing}, 0) END AS billed_us,"
        f" CASE WHEN {finished} AND {timed} THEN greatest(CAST(ceil(CAST({processing} AS DOUBLE)"
        " / 60000000.0) AS BIGINT), 0) END AS billed_minutes_up,"
        f" {finished} AND NOT ({timed}) AS untimed,"
        f" CASE WHEN status = 'failed' THEN {category_sql()} END AS category"
        f" FROM jobs WHERE {where}"
    )


def cells_sql(where: str) -> str:
    """The `job_rollups` rows of the jobs matching `where` (a condition on `jobs`)."""
    errors = ", ".join(
        f"count(*) FILTER (category = {_literal(column.removeprefix('errors_'))}) AS {column}"
        for column in ERROR_COLUMNS
    )
    return (
        "SELECT hour, processor_type, job_type, status, count(*) AS jobs,"
        " count(processing_us) AS processing_count,"
        " CAST(coalesce(sum(processing_us), 0) AS HUGEINT) AS processing_sum_us,"
        " min(processing_us) AS processing_min_us, max(processing_us) AS processing_max_us,"
        " count(wait_us) AS wait_count,"
        " CAST(coalesce(sum(wait_us), 0) AS HUGEINT) AS wait_sum_us,"
        " min(wait_us) AS wait_min_us, max(wait_us) AS wait_max_us,"
        " CAST(coalesce(sum(billed_minutes_up), 0) AS BIGINT) AS billed_minutes_up,"
        " CAST(coalesce(sum(billed_us), 0) AS HUGEINT) AS billed_us,"
        " count(*) FILTER (untimed) AS untimed_finished,"
        f" {errors}"
        f" FROM ({_durations(where)}) GROUP BY hour, processor_type, job_type, status"
    )


def sketches_sql(where: str) -> str:
    """The `job_rollup_sketches` rows of the jobs matching `where`: both measures from one
    scan of the jobs (UNPIVOT leaves out a job's missing durations)."""
    return (
        f"SELECT day, processor_type, measure, {bucket_sql('us')} AS bucket, count(*) AS jobs"
        " FROM (UNPIVOT (SELECT day, processor_type, processing_us AS processing,"
        f" wait_us AS wait FROM ({_durations(where)})) ON processing, wait"
        " INTO NAME measure VALUE us)"
        " GROUP BY day, processor_type, measure, bucket"
    )


def repositories_sql(where: str) -> str:
    """The `repository_rollups` rows of the jobs matching `where`."""
    return (
        "SELECT date_trunc('day', created_at) AS day, repository_id, processor_type,"
        " count(*) AS jobs, count(*) FILTER (status = 'failed') AS failed,"
        " max(repository_name) AS repository_name"
        f" FROM jobs WHERE ({where}) AND repository_id IS NOT NULL"
        " GROUP BY ALL"
    )


def digests_sql(where: str) -> str:
    """The `job_digests` rows of the jobs matching `where`: per hour, how many and the sum
    (mod 2^64) of a hash of each one's id, status and updated_at."""
    return (
        "SELECT date_trunc('hour', created_at) AS hour, count(*) AS jobs,"
        " CAST(sum(hash(id, status, updated_at)) % 18446744073709551616 AS UBIGINT) AS digest"
        f" FROM jobs WHERE {where} GROUP BY hour"
    )


# Each table, the SQL building its rows from jobs, and its grain (the column and its span).
_BUILDERS = {
    "job_rollups": (cells_sql, "hour"),
    "job_rollup_sketches": (sketches_sql, "day"),
    "repository_rollups": (repositories_sql, "day"),
    "job_digests": (digests_sql, "hour"),
}
GRAIN = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


# -- Maintenance: inside the pull's transaction --------------------------------------------


def note_moves(connection: duckdb.DuckDBPyConnection, staged: str, stored: str) -> None:
    """Before a merge: remember the hours that stored jobs may leave (an incoming state of
    the same job created in another hour). `stored` holds the id and created_at of the stored
    jobs the pull shares an id with (`merge.stored_keys`). Every other changed hour is found
    after the merge from the rows the pull wrote."""
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {_HOURS} AS"
        " SELECT DISTINCT date_trunc('hour', s.created_at) AS hour"
        f" FROM {stored} AS s JOIN {staged} AS n ON s.id = n.id"
        " WHERE n.__reason IS NULL"
        " AND date_trunc('hour', s.created_at) <> date_trunc('hour', n.created_at)"
    )


def refresh(connection: duckdb.DuckDBPyConnection, pull_id: int) -> int:
    """After a merge: recompute the rollups of every hour whose jobs pull `pull_id` inserted or
    updated (their new hour, and the old one noted by `note_moves`); returns how many hours.

    Only those hours' jobs are read: the hour range bounds the scan by the zone maps.
    """
    if not _exists(connection, _HOURS):
        connection.execute(f"CREATE TEMP TABLE {_HOURS} (hour TIMESTAMPTZ)")
    connection.execute(
        f"INSERT INTO {_HOURS} SELECT DISTINCT date_trunc('hour', created_at)"
        " FROM jobs WHERE _pull_id = ?",
        [pull_id],
    )
    hours = _refresh_hours(connection)
    connection.execute(f"DROP TABLE {_HOURS}")
    return hours


def rebuild(connection: duckdb.DuckDBPyConnection) -> None:
    """Every rollup from the stored jobs (after the migration that creates them)."""
    for table, (build, _) in _BUILDERS.items():
        connection.execute(f"DELETE FROM {table}")
        connection.execute(f"INSERT INTO {table} {build('true')}")


def _refresh_hours(connection: duckdb.DuckDBPyConnection) -> int:
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {_HOURS} AS SELECT DISTINCT hour FROM {_HOURS}"
    )
    count, first, last = connection.sql(
        f"SELECT count(*), min(hour), max(hour) FROM {_HOURS}"
    ).fetchall()[0]
    if not count:
        return 0
    for table, (build, grain) in _BUILDERS.items():
        spans = f"(SELECT DISTINCT date_trunc('{grain}', hour) FROM {_HOURS})"
        low, high = _floor(first, grain), _floor(last, grain) + GRAIN[grain]
        # The range repeats the IN so the zone maps of created_at skip the other row groups.
        where = f"created_at >= '{_iso(low)}' AND created_at < '{_iso(high)}'"
        touched = connection.sql(f"SELECT count(*) FROM {spans}").fetchall()[0][0]
        if touched < (high - low) // GRAIN[grain]:
            # Some spans of the range were not touched: only the touched ones. When every
            # span was (a first pull, a new day), the range alone says it, without a
            # semi-join of every job against the spans.
            where += f" AND date_trunc('{grain}', created_at) IN {spans}"
        connection.execute(f"DELETE FROM {table} WHERE {grain} IN {spans}")
        connection.execute(f"INSERT INTO {table} {build(where)}")
    return int(count)


def _floor(moment: datetime, grain: str) -> datetime:
    moment = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if grain == "day" else moment


def _exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        connection.sql(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary",
            params=[name],
        ).fetchall()[0][0]
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# -- Reading: one window, whole hours from the rollups and ragged edges from the rows --------


def _window(table: str, start: datetime, end: datetime) -> str:
    """The rows of `table` for `[start, end)`: its whole hours (days) from the table, each
    ragged edge built from the jobs of that edge alone (one range each, so the zone maps of
    created_at skip every other row group)."""
    build, grain = _BUILDERS[table]
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = _floor(start, grain)
    first = first if first == start else first + GRAIN[grain]
    last = _floor(end, grain)
    if first >= last:
        first = last = start
    parts = [f"SELECT * FROM {table} WHERE {grain} >= '{_iso(first)}' AND {grain} < '{_iso(last)}'"]
    for low, high in ((start, first), (last, end)):
        if low < high:
            parts.append(build(f"created_at >= '{_iso(low)}' AND created_at < '{_iso(high)}'"))
    return "(" + " UNION ALL BY NAME ".join(parts) + ")"


def window_cells(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.DataFrame:
    """The cells of the jobs created in `[start, end)`, summed over its hours: one row per
    processor x job type x status, the columns of `job_rollups` but the hour (the sums of
    microseconds as BIGINT: a million years of job time fits)."""
    errors = ", ".join(f"CAST(sum({c}) AS BIGINT) AS {c}" for c in ERROR_COLUMNS)
    sql = (
        "SELECT processor_type, job_type, status, CAST(sum(jobs) AS BIGINT) AS jobs,"
        " CAST(sum(processing_count) AS BIGINT) AS processing_count,"
        " CAST(sum(processing_sum_us) AS BIGINT) AS processing_sum_us,"
        " min(processing_min_us) AS processing_min_us,"
        " max(processing_max_us) AS processing_max_us,"
        " CAST(sum(wait_count) AS BIGINT) AS wait_count,"
        " CAST(sum(wait_sum_us) AS BIGINT) AS wait_sum_us,"
        " min(wait_min_us) AS wait_min_us, max(wait_max_us) AS wait_max_us,"
        " CAST(sum(billed_minutes_up) AS BIGINT) AS billed_minutes_up,"
        " CAST(sum(billed_us) AS BIGINT) AS billed_us,"
        " CAST(sum(untimed_finished) AS BIGINT) AS untimed_finished,"
        f" {errors}"
        f" FROM {_window('job_rollups', start, end)}"
        " GROUP BY processor_type, job_type, status"
        " ORDER BY processor_type, job_type, status"
    )
    return pl.DataFrame(connection.sql(sql))


def window_sketches(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.DataFrame:
    """The sketch buckets of `[start, end)` per processor and measure, counts summed."""
    return pl.DataFrame(
        connection.sql(
            "SELECT processor_type, measure, bucket, CAST(sum(jobs) AS BIGINT) AS jobs"
            f" FROM {_window('job_rollup_sketches', start, end)}"
            " GROUP BY processor_type, measure, bucket"
            " ORDER BY processor_type, measure, bucket"
        )
    )


def window_repositories(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.DataFrame:
    """Jobs and failures per repository and processor in `[start, end)`, with its name."""
    return pl.DataFrame(
        connection.sql(
            "SELECT repository_id, processor_type, CAST(sum(jobs) AS BIGINT) AS jobs,"
            " CAST(sum(failed) AS BIGINT) AS failed, max(repository_name) AS repository_name"
            f" FROM {_window('repository_rollups', start, end)}"
            " GROUP BY repository_id, processor_type ORDER BY repository_id, processor_type"
        )
    )


def newest_failures(
    connection: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    limit: int,
    columns: str,
) -> pl.DataFrame:
    """The `limit` newest failed jobs created in `[start, end)` (by completion, else creation,
    then id), the `columns` select list: the newest errors without reading the window."""
    return pl.DataFrame(
        connection.sql(
            f"SELECT {columns} FROM jobs WHERE created_at >= ? AND created_at < ?"
            " AND status = 'failed'"
            " ORDER BY coalesce(completed_at, created_at) DESC, id LIMIT ?",
            params=[start, end, limit],
        )
    )
