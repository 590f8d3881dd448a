"""The read side of the store: Polars frames with exactly the schema's columns, in UTC."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from reportgen.schema import JOBS, TABLES
from reportgen.store.readers import identifier

_JOB_COLUMNS = ", ".join(identifier(c) for c in JOBS.column_names)
_JOB_ORDER = " ORDER BY created_at, id"


def jobs_created(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime
) -> pl.DataFrame:
    return _frame(
        connection,
        f"SELECT {_JOB_COLUMNS} FROM jobs WHERE created_at >= ? AND created_at < ?{_JOB_ORDER}",
        [start, end],
    )


def jobs_open_at(connection: duckdb.DuckDBPyConnection, moment: datetime) -> pl.DataFrame:
    """Jobs created before `moment` and not finished by it (queue state at a period's end)."""
    return _frame(
        connection,
        f"SELECT {_JOB_COLUMNS} FROM jobs WHERE created_at < ?"
        " AND (status IN ('pending', 'processing') OR completed_at >= ?)"
        f"{_JOB_ORDER}",
        [moment, moment],
    )


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


def _frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pl.DataFrame:
    frame: pl.DataFrame = connection.sql(sql, params=params).pl()
    return frame
