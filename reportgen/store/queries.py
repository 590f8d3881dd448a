"""The read side of the store: Polars frames with exactly the schema's columns, in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import polars as pl

from reportgen.schema import JOBS, TABLES
from reportgen.store.readers import identifier

_JOB_COLUMNS = ", ".join(identifier(c) for c in JOBS.column_names)
_JOB_ORDER = " ORDER BY created_at, id"


def job_columns(columns: Sequence[str] | None = None) -> str:
    """The select list of `columns` (all of the schema's by default), in the schema's order."""
    if columns is None:
        return _JOB_COLUMNS
    unknown = sorted(set(columns) - set(JOBS.column_names))
    if unknown:
        raise ValueError(f"unknown jobs column(s) {', '.join(map(repr, unknown))}")
    return ", ".join(identifier(c) for c in JOBS.column_names if c in columns)


def jobs_created(
    connection: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Jobs created in `[start, end)`, sorted by (created_at, id); only `columns` (in the
    schema's order) when given."""
    select = job_columns(columns)
    keyed = columns is None or {"created_at", "id"} <= set(columns)
    frame = _frame(
        connection,
        f"SELECT {select} FROM jobs WHERE created_at >= ? AND created_at < ?"
        f"{'' if keyed else _JOB_ORDER}",
        [start, end],
    )
    return _in_job_order(frame) if keyed else frame


def finished_in_order(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.DataFrame:
    """The jobs created in `[start, end)` that finished (completed or failed), in creation
    order (ties by id): their `processor_type` and whether they `failed`. What the error-rate
    judges read job by job; DuckDB sorts, so neither the ids nor the other columns move."""
    return _frame(
        connection,
        "SELECT processor_type, status = 'failed' AS failed FROM jobs"
        " WHERE created_at >= ? AND created_at < ? AND status IN ('completed', 'failed')"
        f"{_JOB_ORDER}",
        [start, end],
    )


def processing_times(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.Series:
    """The processing time (ms) of every job created in `[start, end)` that completed with a
    duration (not negative), in no particular order: as `compute.frame.prepare` reckons it."""
    frame = _frame(
        connection,
        "SELECT (epoch_us(completed_at) - epoch_us(started_at))::DOUBLE / 1000.0"
        " AS processing_ms FROM jobs WHERE created_at >= ? AND created_at < ?"
        " AND status = 'completed' AND completed_at >= started_at",
        [start, end],
    )
    return frame.get_column("processing_ms")


def _in_job_order(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` sorted by (created_at, id), sorting only when it is not already.

    A scan returns rows in storage order, which for jobs pulled from time-ordered snapshots
    is already creation order: checking that costs a fraction of DuckDB's ORDER BY. Both
    compare strings bytewise and (created_at, id) is unique, so the order is the same.
    """
    if frame.height < 2:
        return frame
    created, ids = pl.col("created_at"), pl.col("id")
    # Distinct creation times (the usual case) settle it without comparing a single id.
    rising = frame.select((created.diff().slice(1) > pl.duration()).all()).item()
    following = (created < created.shift(-1)) | (
        (created == created.shift(-1)) & (ids < ids.shift(-1))
    )
    if rising or frame.select(following.all()).item():
        return frame
    return frame.sort("created_at", "id")


def jobs_open_at(
    connection: duckdb.DuckDBPyConnection,
    moment: datetime,
    columns: Sequence[str] | None = None,
    *,
    still_open: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Jobs created before `moment` and not finished by it (queue state at a period's end),
    sorted by (created_at, id).

    Two disjoint scans instead of one OR, so each can skip row groups by their min/max: jobs
    finished at or after `moment` (created shortly before it, in practice), and jobs still
    open now that had not finished by `moment`. The BETWEEN repeats the IN as a range, which
    zonemaps can check, so only row groups holding an open job are read.

    `still_open`, when given, is `jobs_still_open` read before (with the same `columns`): the
    part of every moment's queue that does not depend on the moment, so a reader asking for
    many moments scans for it once, and only the first scan runs here.
    """
    select, keyed = job_columns(columns), job_columns(_keyed(columns))
    finished = f"SELECT {keyed} FROM jobs WHERE created_at < $moment AND completed_at >= $moment"
    if still_open is None:
        return _frame(
            connection,
            f"SELECT {select} FROM ({finished} UNION ALL SELECT {keyed} FROM jobs"
            f" WHERE created_at < $moment AND {_STILL_OPEN}"
            f" AND (completed_at IS NULL OR completed_at < $moment)){_JOB_ORDER}",
            {"moment": moment},
        )
    when = pl.lit(moment.astimezone(UTC), dtype=pl.Datetime("us", "UTC"))
    not_finished = still_open.filter(
        (pl.col("created_at") < when)
        & (pl.col("completed_at").is_null() | (pl.col("completed_at") < when))
    )
    open_then = pl.concat([_frame(connection, finished, {"moment": moment}), not_finished])
    return open_then.sort("created_at", "id").select(_names(columns))


def jobs_still_open(
    connection: duckdb.DuckDBPyConnection, columns: Sequence[str] | None = None
) -> pl.DataFrame:
    """Jobs whose status is still open (pending or processing), whenever created, with the
    columns `jobs_open_at` needs to place them at a moment besides `columns`."""
    return _frame(
        connection, f"SELECT {job_columns(_keyed(columns))} FROM jobs WHERE {_STILL_OPEN}", []
    )


# The open statuses, as an IN and as the same range (which zonemaps can check).
_STILL_OPEN = "status IN ('pending', 'processing') AND status BETWEEN 'pending' AND 'processing'"


def _keyed(columns: Sequence[str] | None) -> Sequence[str] | None:
    """`columns` and those that sort jobs and place them in time (all when not given)."""
    return None if columns is None else [*columns, "id", "created_at", "completed_at"]


def _names(columns: Sequence[str] | None) -> list[str]:
    """The names `job_columns(columns)` selects, in that order."""
    wanted = JOBS.column_names if columns is None else set(columns)
    return [c for c in JOBS.column_names if c in wanted]


def jobs_open_between(
    connection: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every job that `jobs_open_at` returns for some moment in `[start, end]`, and a few
    more (finished before a moment, or not yet created then), sorted by (created_at, id).

    One read for a series of queue states: `queue.queue_state` keeps only the jobs open at
    its own moment, so given this it judges exactly what it judges given `jobs_open_at`.
    """
    select = job_columns(columns)
    return _frame(
        connection,
        f"SELECT {select} FROM jobs WHERE created_at < $end"
        " AND (completed_at >= $start OR status IN ('pending', 'processing'))"
        f"{_JOB_ORDER}",
        {"start": start, "end": end},
    )


def hour_digests(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> list[tuple[datetime, int, int]]:
    """The `job_digests` rows (hour, jobs, digest) of the UTC hours that overlap
    `[start, end)`, oldest first; hours without jobs have none. Kept by every pull, so no job
    row is read."""
    rows = connection.sql(
        "SELECT hour, jobs, digest FROM job_digests"
        " WHERE hour > $start - INTERVAL 1 HOUR AND hour < $end ORDER BY hour",
        params={"start": start, "end": end},
    ).fetchall()
    return [(hour, int(jobs), int(digest)) for hour, jobs, digest in rows]


def table(connection: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """A whole snapshot table, sorted by its key (jobs by creation)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
    spec = TABLES[name]
    columns = ", ".join(identifier(c) for c in spec.column_names)
    order = _JOB_ORDER if name == JOBS.name else " ORDER BY " + ", ".join(spec.key)
    return _frame(connection, f"SELECT {columns} FROM {identifier(name)}{order}", [])


def data_as_of(connection: duckdb.DuckDBPyConnection) -> datetime | None:
    value = connection.sql("SELECT max(data_as_of) FROM pulls").fetchall()[0][0]
    return value if isinstance(value, datetime) else None


def jobs_span(connection: duckdb.DuckDBPyConnection) -> tuple[datetime, datetime] | None:
    first, last = connection.sql("SELECT min(created_at), max(created_at) FROM jobs").fetchall()[0]
    if isinstance(first, datetime) and isinstance(last, datetime):
        return first, last
    return None


def rejects(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _frame(
        connection,
        "SELECT table_name, source_file, row_number, reason, raw, snapshot_at FROM rejects"
        " ORDER BY table_name, source_file, row_number",
        [],
    )


def _frame(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list[object] | dict[str, object]
) -> pl.DataFrame:
    # Through the Arrow PyCapsule stream rather than `.pl()`: the same frame, without
    # importing pyarrow (tens of milliseconds, more than reading a day's jobs).
    return pl.DataFrame(connection.sql(sql, params=params))
