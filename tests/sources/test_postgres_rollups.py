"""Rollups computed by PostgreSQL equal the store's rollups of the same jobs, row for row.

A real server (127.0.0.1:5432, trust): each test module creates its own database with the
upstream tables, fills it with awkward jobs, and drops it afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
import pytest

from reportgen.sources import postgres_rollups as pg
from reportgen.store import Store, open_store, rollups

SERVER = "host=127.0.0.1 port=5432 user=postgres"
START = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 6
UNTIL = START + timedelta(days=DAYS)

# The schema reportgen expects (upstream's migrations), plus the indexes a rollup pull wants:
# created_at for the hours it asks for, partial ones for failed and for open jobs.
SCHEMA = (Path(pg.__file__).with_name("postgres_schema.sql")).read_text(encoding="utf-8")
INDEXES = """
CREATE INDEX idx_progressive_capture_jobs_created_at ON progressive_capture_jobs (created_at);
CREATE INDEX idx_progressive_capture_jobs_failed
    ON progressive_capture_jobs (created_at) WHERE status = 'failed';
CREATE INDEX idx_progressive_capture_jobs_open
    ON progressive_capture_jobs (created_at) WHERE status IN ('pending', 'processing');
"""

# Zero, negative and sub-millisecond durations, unfinished and untimed jobs, null errors, an
# unknown processor, jobs without a repository, and a repository renamed (two names).
FILL = """
INSERT INTO progressive_capture_jobs (id, job_type, repository_id, repository_name,
    processor_type, status, time_range_days, workflow_run_id, created_at, started_at,
    completed_at, error, updated_at)
SELECT md5('job' || i)::uuid,
       (ARRAY['recent-prs', 'pr-details', 'reviews'])[1 + i % 3],
       CASE WHEN i % 41 <> 0 THEN md5('repo' || (i * 7919) % 40)::uuid END,
       'Org' || (i * 7919) % 7 || '/repo-' || (i * 7919) % 40
           || CASE WHEN i % 13 = 0 THEN '-old' ELSE '' END,
       CASE WHEN i % 100 < 40 THEN 'github_actions' WHEN i % 100 < 97 THEN 'inngest'
            ELSE 'lambda' END,
       CASE WHEN (i * 31) % 1000 < 60 THEN 'failed' WHEN (i * 31) % 1000 < 63 THEN 'pending'
            WHEN (i * 31) % 1000 < 66 THEN 'processing' ELSE 'completed' END,
       7, i,
       c, s, CASE WHEN (i * 31) % 1000 >= 66 OR (i * 31) % 1000 < 60 THEN
                  CASE WHEN i % 89 = 3 THEN NULL WHEN i % 83 = 2 THEN s
                       ELSE s + ((i * 7333) % 900000) * interval '397 microseconds' END END,
       CASE WHEN (i * 31) % 1000 < 60 AND i % 11 <> 0 THEN
            (ARRAY['API rate limit exceeded (403)', 'connect ETIMEDOUT', 'Bad credentials',
                   'Not Found', 'column x does not exist', 'Validation failed', 'odd'])[1 + i % 7]
       END,
       c + interval '1 hour'
FROM generate_series(0, %(n)s - 1) AS i,
     LATERAL (SELECT %(start)s::timestamptz + i * (%(days)s * interval '1 day') / %(n)s AS c) AS t1,
     LATERAL (SELECT CASE WHEN (i * 31) % 1000 BETWEEN 60 AND 62 OR i % 50 = 7 THEN NULL
                          WHEN i % 97 = 1 THEN c - interval '5 seconds'
                          ELSE c + (i % 1000) * interval '1 millisecond' END AS s) AS t2
"""
JOBS = 6_000


@pytest.fixture(scope="module")
def source() -> Iterator[psycopg.Connection[Any]]:
    name = f"reportgen_rollups_{os.getpid()}"
    with psycopg.connect(SERVER, dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}".encode())
        admin.execute(f"CREATE DATABASE {name}".encode())
    try:
        with psycopg.connect(SERVER, dbname=name) as connection:
            connection.execute(SCHEMA.encode())
            connection.execute(INDEXES.encode())
            fill = FILL.replace(" % ", " %% ")  # the modulo, not a placeholder
            connection.execute(fill.encode(), {"n": JOBS, "start": START, "days": DAYS})
            connection.execute(b"SET TimeZone = 'America/Los_Angeles'")  # hours stay UTC
            connection.commit()
            yield connection
    finally:
        with psycopg.connect(SERVER, dbname="postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


@pytest.fixture(scope="module")
def store(
    source: psycopg.Connection[Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The same jobs, as a pull of raw rows would have stored them, with their rollups."""
    names, rows = pg._run(
        source,
        f"SELECT {pg._JOB_COLUMNS} FROM progressive_capture_jobs AS j",
        {},
    )
    directory = tmp_path_factory.mktemp("pg")
    # Through Parquet: row-by-row inserts into DuckDB take minutes for a few thousand rows.
    pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None).write_parquet(
        directory / "jobs.parquet"
    )
    with open_store(directory / "store.duckdb") as opened:
        opened.connection.execute(
            f"INSERT INTO jobs SELECT *, created_at, created_at, 1"
            f" FROM read_parquet('{directory / 'jobs.parquet'}')"
        )
        rollups.rebuild(opened.connection)
        yield opened


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    def value(item: Any) -> Any:
        if isinstance(item, Decimal):
            return int(item)
        if isinstance(item, datetime):
            return item.astimezone(UTC)
        return item

    return [tuple(value(item) for item in row) for row in rows]


def _stored(store: Store, table: str, order: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    relation = store.connection.sql(f"SELECT * FROM {table} ORDER BY {order}")
    return list(relation.columns), _plain(relation.fetchall())


def test_hourly_cells_equal_the_store_s(source: psycopg.Connection[Any], store: Store) -> None:
    names, rows = pg.hourly_cells(source, START, UNTIL)
    expected = _stored(store, "job_rollups", "hour, processor_type, job_type, status")
    assert names == expected[0]
    assert len(rows) > 300
    assert _plain(rows) == expected[1]


def test_daily_sketches_equal_the_store_s(source: psycopg.Connection[Any], store: Store) -> None:
    names, rows = pg.daily_sketches(source, START, UNTIL)
    expected = _stored(store, "job_rollup_sketches", "day, processor_type, measure, bucket")
    assert names == expected[0]
    assert _plain(rows) == expected[1]


def test_daily_repositories_equal_the_store_s(
    source: psycopg.Connection[Any], store: Store
) -> None:
    names, rows = pg.daily_repositories(source, START, UNTIL)
    expected = _stored(store, "repository_rollups", "day, repository_id, processor_type")
    assert names == expected[0]
    assert _plain(rows) == expected[1]


def test_newest_failures_of_any_whole_hours_are_among_those_fetched(
    source: psycopg.Connection[Any], store: Store
) -> None:
    _, rows = pg.newest_failures(source, START, UNTIL, limit=3)
    fetched = {row[0] for row in rows}
    assert len(rows) <= 3 * 24 * DAYS
    for start, hours in ((START, 24 * DAYS), (START + timedelta(hours=29), 50)):
        window = store.newest_failures(start, start + timedelta(hours=hours), 3)
        assert window.height == 3
        assert set(window.get_column("id")) <= fetched


def test_changed_hours_are_those_of_jobs_updated_since(source: psycopg.Connection[Any]) -> None:
    # Every job here was updated an hour after its creation.
    since = START + timedelta(days=2)
    hours = pg.changed_hours(source, since)
    assert hours[0] == since - timedelta(hours=1)
    assert hours[-1] == UNTIL - timedelta(hours=1)
    assert len(hours) == 24 * (DAYS - 2) + 1


def test_open_jobs_are_the_store_s(source: psycopg.Connection[Any], store: Store) -> None:
    _, rows = pg.open_jobs(source)
    stored = store.connection.sql(
        "SELECT id FROM jobs WHERE status IN ('pending', 'processing') ORDER BY created_at, id"
    ).fetchall()
    assert [row[0] for row in rows] == [row[0] for row in stored]
    assert len(rows) > 10


def test_the_plans_use_the_created_at_index(
    source: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """An incremental pull reads two hours, not the table: an index range scan."""
    source.execute(b"SET enable_seqscan = off")
    try:
        since = START + timedelta(days=2)
        _, plan = pg._run(
            source,
            "EXPLAIN " + pg.HOURLY_CELLS,
            {"since": since, "until": since + timedelta(hours=2)},
        )
    finally:
        source.execute(b"RESET enable_seqscan")
    text = "\n".join(row[0] for row in plan)
    assert "idx_progressive_capture_jobs_created_at" in text
