"""Rollups computed by a PostgreSQL source: only aggregates travel, never a year of rows.

When the jobs live in PostgreSQL (`progressive_capture_jobs` upstream), a pull can ask the
server for the store's rollup rows instead of the jobs themselves: the same hourly cells, the
same daily latency sketches (bucket counts) and the same daily repository counts that
`reportgen.store.rollups` builds from rows, to the bit (the same integer microseconds, the
same float operations for billed minutes and buckets, the same category words). What a report
needs beyond aggregates comes from bounded queries:

* `NEWEST_FAILURES`: the newest failed jobs of every hour (at most `limit` per hour): the
  newest failures of any window made of whole hours are among them;
* `OPEN_JOBS`: the jobs still pending or processing (the queue and its stuck jobs now).

`since` and `until` bound every query by `created_at`, so an index on it turns a pull into a
range scan of the hours it asks for; `CHANGED_HOURS` names them: the hours of the jobs updated
since the previous pull's watermark (the index on `updated_at`). A job whose `created_at`
itself changed leaves its old hour unseen: see the note in docs/scaling.md.

Every function takes an open psycopg connection; the SQL is kept in module constants so the
design note can show it and its query plans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from reportgen.schema import (
    ERROR_CATEGORY_WORDS,
    SKETCH_LOG_GAMMA,
    SKETCH_ZERO_BUCKET,
    UNKNOWN_ERROR_CATEGORY,
)

CATEGORIES = (*(category for category, _ in ERROR_CATEGORY_WORDS), UNKNOWN_ERROR_CATEGORY)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _category(column: str) -> str:
    cases = " ".join(
        "WHEN "
        + " OR ".join(f"strpos(lower({column}), {_literal(word)}) > 0" for word in words)
        + f" THEN {_literal(category)}"
        for category, words in ERROR_CATEGORY_WORDS
    )
    return f"CASE {cases} ELSE {_literal(UNKNOWN_ERROR_CATEGORY)} END"


def _bucket(microseconds: str) -> str:
    return (
        f"CASE WHEN {microseconds} = 0 THEN {SKETCH_ZERO_BUCKET}"
        f" ELSE ceil(ln({microseconds}::float8 / 1000.0::float8)"
        f" / '{SKETCH_LOG_GAMMA!r}'::float8)::integer END"
    )


def _us(end: str, start: str) -> str:
    # extract(epoch ...) is numeric since PostgreSQL 14: exact microseconds.
    return f"(extract(epoch FROM {end} - {start}) * 1000000)::bigint"


_FINISHED = "status IN ('completed', 'failed')"
_TIMED = "started_at IS NOT NULL AND completed_at IS NOT NULL"

# The jobs of [since, until) with the same derived columns as the store's rollup SQL. Hours
# and days are UTC whatever the session's time zone. The two durations are computed once per
# row (the LATERAL): numeric arithmetic is most of the query's cost.
_DURATIONS = f"""
SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
       date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
       processor_type, job_type, status, repository_id::text AS repository_id,
       CASE WHEN status = 'completed' AND d.p >= 0 THEN d.p END AS processing_us,
       CASE WHEN d.w >= 0 THEN d.w END AS wait_us,
       CASE WHEN {_FINISHED} AND {_TIMED} THEN greatest(d.p, 0) END AS billed_us,
       CASE WHEN {_FINISHED} AND {_TIMED}
            THEN greatest(ceil(d.p::float8 / 60000000.0::float8), 0)::bigint
       END AS billed_minutes_up,
       {_FINISHED} AND NOT ({_TIMED}) AS untimed,
       CASE WHEN status = 'failed' THEN {_category("error")} END AS category
FROM progressive_capture_jobs,
     LATERAL (SELECT {_us("completed_at", "started_at")} AS p,
                     {_us("started_at", "created_at")} AS w) AS d
WHERE created_at >= %(since)s AND created_at < %(until)s
"""

HOURLY_CELLS = f"""
SELECT hour, processor_type, job_type, status, count(*) AS jobs,
       count(processing_us) AS processing_count,
       coalesce(sum(processing_us), 0) AS processing_sum_us,
       min(processing_us) AS processing_min_us, max(processing_us) AS processing_max_us,
       count(wait_us) AS wait_count, coalesce(sum(wait_us), 0) AS wait_sum_us,
       min(wait_us) AS wait_min_us, max(wait_us) AS wait_max_us,
       coalesce(sum(billed_minutes_up), 0) AS billed_minutes_up,
       coalesce(sum(billed_us), 0) AS billed_us,
       count(*) FILTER (WHERE untimed) AS untimed_finished,
       {", ".join(f"count(*) FILTER (WHERE category = '{c}') AS errors_{c}" for c in CATEGORIES)}
FROM ({_DURATIONS}) AS jobs
GROUP BY hour, processor_type, job_type, status
ORDER BY hour, processor_type, job_type, status
"""

DAILY_SKETCHES = f"""
SELECT day, processor_type, 'processing' AS measure, {_bucket("processing_us")} AS bucket,
       count(*) AS jobs
FROM ({_DURATIONS}) AS jobs WHERE processing_us IS NOT NULL
GROUP BY day, processor_type, bucket
UNION ALL
SELECT day, processor_type, 'wait' AS measure, {_bucket("wait_us")} AS bucket, count(*) AS jobs
FROM ({_DURATIONS}) AS jobs WHERE wait_us IS NOT NULL
GROUP BY day, processor_type, bucket
ORDER BY day, processor_type, measure, bucket
"""

DAILY_REPOSITORIES = """
SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
       repository_id::text AS repository_id, processor_type,
       count(*) AS jobs, count(*) FILTER (WHERE status = 'failed') AS failed,
       max(repository_name COLLATE "C") AS repository_name
FROM progressive_capture_jobs
WHERE created_at >= %(since)s AND created_at < %(until)s AND repository_id IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""

# The hours holding a job changed since a pull's watermark (the index on updated_at): the
# hours to ask again. A job whose created_at itself changed leaves its old hour unseen.
CHANGED_HOURS = """
SELECT DISTINCT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour
FROM progressive_capture_jobs WHERE updated_at >= %(since)s
ORDER BY hour
"""

_JOB_COLUMNS = """
j.id::text AS id, j.job_type, j.repository_id::text AS repository_id, j.repository_name,
j.processor_type, j.status, j.created_at, j.started_at, j.completed_at, j.error,
j.time_range_days, j.workflow_run_id, j.metadata::text AS metadata, j.updated_at
"""

# The newest `limit` failures of each hour, by completion (else creation) then id, as the
# report orders them: a LATERAL per hour uses the (status, created_at) index for each hour.
NEWEST_FAILURES = f"""
SELECT {_JOB_COLUMNS}
FROM generate_series(
         date_trunc('hour', %(since)s::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
         %(until)s::timestamptz - interval '1 microsecond', interval '1 hour') AS h(hour)
CROSS JOIN LATERAL (
    SELECT * FROM progressive_capture_jobs AS f
    WHERE f.status = 'failed' AND f.created_at >= greatest(h.hour, %(since)s)
      AND f.created_at < least(h.hour + interval '1 hour', %(until)s)
    ORDER BY coalesce(f.completed_at, f.created_at) DESC, f.id::text COLLATE "C"
    LIMIT %(limit)s
) AS j
ORDER BY coalesce(j.completed_at, j.created_at) DESC, j.id::text COLLATE "C"
"""

# The queue now: a partial index on status IN ('pending', 'processing') keeps this small.
OPEN_JOBS = f"""
SELECT {_JOB_COLUMNS}
FROM progressive_capture_jobs AS j
WHERE j.status IN ('pending', 'processing')
ORDER BY j.created_at, j.id::text COLLATE "C"
"""

Rows = tuple[list[str], list[tuple[Any, ...]]]


def _run(connection: psycopg.Connection[Any], sql: str, params: dict[str, object]) -> Rows:
    with connection.cursor() as cursor:
        cursor.execute(sql.encode(), params)
        names = [column.name for column in cursor.description or ()]
        return names, list(cursor.fetchall())


def hourly_cells(connection: psycopg.Connection[Any], since: datetime, until: datetime) -> Rows:
    """The store's `job_rollups` rows for the jobs created in [since, until)."""
    return _run(connection, HOURLY_CELLS, {"since": since, "until": until})


def daily_sketches(connection: psycopg.Connection[Any], since: datetime, until: datetime) -> Rows:
    """The store's `job_rollup_sketches` rows; [since, until) should be whole UTC days."""
    return _run(connection, DAILY_SKETCHES, {"since": since, "until": until})


def daily_repositories(
    connection: psycopg.Connection[Any], since: datetime, until: datetime
) -> Rows:
    """The store's `repository_rollups` rows; [since, until) should be whole UTC days."""
    return _run(connection, DAILY_REPOSITORIES, {"since": since, "until": until})


def newest_failures(
    connection: psycopg.Connection[Any], since: datetime, until: datetime, limit: int = 50
) -> Rows:
    """At most `limit` newest failed jobs of every hour of [since, until), newest first."""
    return _run(connection, NEWEST_FAILURES, {"since": since, "until": until, "limit": limit})


def changed_hours(connection: psycopg.Connection[Any], since: datetime) -> list[datetime]:
    """The UTC hours holding a job updated at or after `since` (the hours to ask again)."""
    return [row[0] for row in _run(connection, CHANGED_HOURS, {"since": since})[1]]


def open_jobs(connection: psycopg.Connection[Any]) -> Rows:
    """The jobs pending or processing now, oldest first."""
    return _run(connection, OPEN_JOBS, {})
