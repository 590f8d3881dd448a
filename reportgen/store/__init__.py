"""The DuckDB store: snapshot tables, rejects, the pull log and the read API.

Only this package imports duckdb. Open it with `open_store`; the schema is brought up to date
by numbered migrations on every read-write open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from reportgen.config import StoreSettings
from reportgen.errors import StoreError
from reportgen.sources import Source
from reportgen.store import migrations, queries, rollups
from reportgen.store.connection import DEFAULT_RESOURCES, Resources, connect, in_session
from reportgen.store.pull import PullResult, TableCounts
from reportgen.store.pull import pull as pull_source
from reportgen.store.staging import Reject

__all__ = [
    "PullResult",
    "Reject",
    "Resources",
    "Store",
    "TableCounts",
    "open_configured",
    "open_store",
]


class Store:
    """An open store; every method reads or writes through one DuckDB connection."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        path: Path,
        resources: Resources = DEFAULT_RESOURCES,
    ) -> None:
        self.connection = connection
        self.path = path
        self.resources = resources

    def reader(self) -> Store:
        """Another handle on this open store, for another thread: a DuckDB connection serves
        one thread at a time, and its cursors share the database. Close it before the store."""
        return Store(in_session(self.connection.cursor()), self.path, self.resources)

    def close(self) -> None:
        self.connection.close()

    def pull(
        self,
        source: Source | str,
        *,
        strict: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> PullResult:
        """Pull a source (or a location: files, or a database URL) into the store;
        `progress(done, total)` is called per part (file or table)."""
        return pull_source(
            self.connection,
            source,
            strict=strict,
            progress=progress,
            memory_limit=self.resources.memory_limit,
        )

    def jobs_created(
        self,
        start: datetime,
        end: datetime,
        *,
        columns: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """Jobs with created_at in [start, end), sorted by (created_at, id); only `columns`
        (kept in the schema's order) when given, so a reader skips what it never uses."""
        return queries.jobs_created(self.connection, start, end, columns)

    def finished_in_order(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The finished jobs created in [start, end) in creation order: processor_type and
        whether they failed (the error-rate judges' sequences)."""
        return queries.finished_in_order(self.connection, start, end)

    def processing_times(self, start: datetime, end: datetime) -> pl.Series:
        """Processing times (ms) of the jobs created in [start, end) that completed."""
        return queries.processing_times(self.connection, start, end)

    def jobs_open_at(
        self,
        moment: datetime,
        *,
        columns: Sequence[str] | None = None,
        still_open: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """Jobs created before `moment` and not finished by it; only `columns` when given.
        `still_open` is `jobs_still_open(columns)` when the caller read it already."""
        return queries.jobs_open_at(self.connection, moment, columns, still_open=still_open)

    def jobs_still_open(self, *, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Jobs still open (pending or processing): every moment's queue holds some of them."""
        return queries.jobs_still_open(self.connection, columns)

    def jobs_open_between(
        self, start: datetime, end: datetime, *, columns: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """The jobs open at any moment in [start, end] (a superset, for `queue_state`)."""
        return queries.jobs_open_between(self.connection, start, end, columns)

    def hour_digests(self, start: datetime, end: datetime) -> list[tuple[datetime, int, int]]:
        """Per UTC hour overlapping [start, end): (hour, jobs, a digest of every job's id,
        status and updated_at), for the site's change detection."""
        return queries.hour_digests(self.connection, start, end)

    def table(self, name: str) -> pl.DataFrame:
        """A snapshot table with the schema's columns (empty if never pulled)."""
        return queries.table(self.connection, name)

    def data_as_of(self) -> datetime | None:
        """The newest jobs snapshot time pulled, or None before the first pull."""
        return queries.data_as_of(self.connection)

    def jobs_span(self) -> tuple[datetime, datetime] | None:
        """The first and last created_at of all jobs, or None when there are none."""
        return queries.jobs_span(self.connection)

    def window_cells(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The hourly rollup cells of the jobs created in [start, end), summed over the window
        per processor, job type and status (edges off the whole hour read from the jobs)."""
        return rollups.window_cells(self.connection, start, end)

    def window_sketches(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The latency sketch buckets of [start, end) per processor and measure."""
        return rollups.window_sketches(self.connection, start, end)

    def window_repositories(self, start: datetime, end: datetime) -> pl.DataFrame:
        """Jobs and failures per repository and processor in [start, end)."""
        return rollups.window_repositories(self.connection, start, end)

    def newest_failures(
        self, start: datetime, end: datetime, limit: int, *, columns: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """The `limit` newest failed jobs created in [start, end), newest first."""
        return rollups.newest_failures(
            self.connection, start, end, limit, queries.job_columns(columns)
        )

    def rejects(self) -> pl.DataFrame:
        """Rejected rows of the files last pulled, with their reasons and raw text."""
        return queries.rejects(self.connection)


@contextmanager
def open_store(
    path: Path,
    *,
    wait_seconds: float = 30.0,
    read_only: bool = False,
    resources: Resources = DEFAULT_RESOURCES,
) -> Iterator[Store]:
    """Open (and migrate) the store at `path`, waiting up to `wait_seconds` for other users;
    DuckDB keeps within `resources` (memory, threads) and spills past them."""
    if read_only:
        connection = _read_only_connection(path, wait_seconds, resources)
    else:
        connection = connect(path, wait_seconds=wait_seconds, read_only=False, resources=resources)
    try:
        if not read_only:
            _migrate(connection)
        yield Store(connection, path, resources)
    finally:
        connection.close()


@contextmanager
def open_configured(
    settings: StoreSettings, *, read_only: bool = False, missing: str | None = None
) -> Iterator[Store]:
    """`open_store` of the store `settings` name (path, wait, memory and threads). With
    `missing` (a hint), a store that does not exist yet is an error rather than created."""
    if missing is not None and not settings.path.is_file():
        raise StoreError(f"store {settings.path} does not exist", hint=missing)
    with open_store(
        settings.path,
        wait_seconds=settings.wait_seconds,
        read_only=read_only,
        resources=Resources.of(settings),
    ) as store:
        yield store


def _read_only_connection(
    path: Path, wait_seconds: float, resources: Resources
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to an up-to-date store.

    A read-only open cannot migrate: an older store is brought up to date by a read-write
    connection first. The connection that found nothing to migrate is the one returned, as
    opening a store costs more than many a report.
    """
    if not path.exists():
        raise StoreError(f"no store at {path}", hint="Run `reportgen pull` first.")
    connection = connect(path, wait_seconds=wait_seconds, read_only=True, resources=resources)
    try:
        stale = bool(migrations.pending(connection))
    except BaseException:
        connection.close()
        raise
    if not stale:
        return connection
    connection.close()
    writer = connect(path, wait_seconds=wait_seconds, read_only=False, resources=resources)
    try:
        _migrate(writer)
    finally:
        writer.close()
    return connect(path, wait_seconds=wait_seconds, read_only=True, resources=resources)


def _migrate(connection: duckdb.DuckDBPyConnection) -> None:
    """Apply pending migrations; the one creating the rollups also fills them from the jobs."""
    applied = migrations.migrate(connection)
    if any(migration.name == "rollups" for migration in applied):
        connection.execute("BEGIN TRANSACTION")
        try:
            rollups.rebuild(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
