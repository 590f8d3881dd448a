"""One pull: read every part of a source, validate, then merge into the store in one transaction.

First gather, then write: each part (a file, or a database table in bounded chunks) is scanned
and validated into a temporary table (a part that cannot be read at all, or a database that
goes away, stops the pull before anything is written); then one transaction merges the newest
accepted state of every key, records the rejects, the watermarks and the pull. The first pull
of Parquet files into a store with no jobs gathers nothing for them: the transaction appends
them straight into the store (`append.py`), as a bare `CREATE TABLE AS` would.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from reportgen.config import size_bytes
from reportgen.errors import StoreError, StrictPullError
from reportgen.schema import TABLES
from reportgen.sources import Part, Source, source_of
from reportgen.store import append, merge, rollups, staging
from reportgen.store.readers import ParquetFile
from reportgen.store.staging import Reject

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TableCounts:
    """What one pull did to one table; accepted = inserted + updated + unchanged.

    `files` counts the parts read: files, or for a database the table itself.
    """

    table: str
    files: int
    accepted: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


@dataclass(frozen=True)
class PullResult:
    """The outcome of a pull, as logged in the store's `pulls` and `pull_counts` tables."""

    pull_id: int
    source: str
    unit: str
    origins: tuple[str, ...]
    skipped: tuple[str, ...]
    tables: tuple[TableCounts, ...]
    data_as_of: datetime | None
    watermark: datetime | None
    first_rejects: tuple[Reject, ...]
    notes: tuple[str, ...] = ()

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.tables)


def pull(
    connection: duckdb.DuckDBPyConnection,
    source: Source | str,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    memory_limit: str | None = None,
) -> PullResult:
    """Pull every part of `source` into the store: idempotent, atomic, nothing lost;
    `memory_limit` is the connection's own cap, which a source's budget never outlasts."""
    if isinstance(source, str):
        source = source_of(source)
    since = watermarks(connection, source.label)
    started_at = datetime.now(UTC)
    budget = _memory_limit(connection, source.memory_budget, memory_limit)
    with budget, source.open(since) as parts:
        steps = len(parts) + 1
        tables = sorted({part.table for part in parts}, key=list(TABLES).index)
        read = _Read(source, parts, tables, since, started_at, strict)
        with staging.staging(connection, read.tables):
            groups = append.plan(connection, parts)
            ticks = _Ticks(progress, steps)
            _stage(connection, read, lambda part: groups is None or part.table != "jobs", ticks)
            try:
                result = _write(connection, read, groups, ticks)
            except append.Abandoned as reason:
                logger.info("%s: staging and merging the jobs files instead", reason)
                ticks.count = len(parts) - len(read.numbered("jobs"))
                _stage(connection, read, lambda part: part.table == "jobs", ticks)
                result = _write(connection, read, None, ticks)
    if progress is not None:
        progress(steps, steps)
    return result


@dataclass(frozen=True)
class _Read:
    """What one pull reads: its source's parts, in order (a part's number is its place, from
    1), their tables, each table's watermark before it, and how it was asked for."""

    source: Source
    parts: Sequence[Part]
    tables: Sequence[str]
    since: dict[str, datetime]
    started_at: datetime
    strict: bool

    def numbered(self, table: str | None = None) -> list[tuple[int, Part]]:
        return [
            (number, part)
            for number, part in enumerate(self.parts, start=1)
            if table is None or part.table == table
        ]


@dataclass
class _Ticks:
    """Parts read so far, for the progress bar."""

    progress: Progress | None
    steps: int
    count: int = 0

    def add(self, parts: int) -> None:
        self.count += parts
        if self.progress is not None:
            self.progress(self.count, self.steps)


def _stage(
    connection: duckdb.DuckDBPyConnection,
    read: _Read,
    which: Callable[[Part], bool],
    ticks: _Ticks,
) -> None:
    for number, part in read.numbered():
        if which(part):
            staging.stage_part(connection, part, number)
            ticks.add(1)


@contextmanager
def _memory_limit(
    connection: duckdb.DuckDBPyConnection, budget: int | None, restore: str | None
) -> Iterator[None]:
    """Bound DuckDB's memory for this pull (it spills beyond), then lift the bound.

    `restore` is the cap the connection was opened with (`store.memory_limit`): RESET would
    go back to DuckDB's default of 80 % of RAM, not to it. A budget above that cap is
    ignored: the store's own cap is the tighter bound.
    """
    if budget is None:
        yield
        return
    if restore is not None and budget > size_bytes(restore):
        yield
        return
    connection.execute(f"SET memory_limit = '{int(budget)}B'")
    try:
        yield
    finally:
        if restore is None:
            connection.execute("RESET memory_limit")
        else:
            connection.execute("SET memory_limit = $limit", {"limit": restore})


def watermarks(connection: duckdb.DuckDBPyConnection, label: str) -> dict[str, datetime]:
    """The newest watermark per table of the pulls from the source named `label`."""
    rows = connection.sql(
        "SELECT w.table_name, max(w.watermark) FROM pull_watermarks AS w"
        " JOIN pulls AS p ON p.id = w.pull_id WHERE p.source = ? GROUP BY w.table_name",
        params=[label],
    ).fetchall()
    return {str(name): value for name, value in rows if isinstance(value, datetime)}


def _write(
    connection: duckdb.DuckDBPyConnection,
    read: _Read,
    groups: Sequence[Sequence[ParquetFile]] | None,
    ticks: _Ticks,
) -> PullResult:
    """Append or merge, record rejects and watermarks, and log the pull, all or nothing;
    `groups` are the jobs files to append (`append.plan`), None when they were staged."""
    source, parts, tables = read.source, read.parts, read.tables
    connection.execute("BEGIN TRANSACTION")
    try:
        pull_id = connection.sql("SELECT nextval('pull_id_sequence')").fetchall()[0][0]
        appended = None
        if groups is not None:
            appended = append.append_jobs(connection, groups, parts, pull_id, ticks.add)
        first_rejects = staging.first_rejects(connection, tables, [p.origin for p in parts])
        if read.strict and first_rejects:
            _refuse(connection, tables, first_rejects[0])
        counts = []
        for name in tables:
            numbers = [number for number, _ in read.numbered(name)]
            if name == "jobs" and appended is not None:
                rejected = staging.count(connection, [name], "__reason IS NOT NULL")
                merged = merge.MergeCounts(appended, appended, 0, 0, rejected)
            else:
                merged = _merge(connection, name, pull_id)
            counts.append(TableCounts(name, len(numbers), **dataclasses.asdict(merged)))
            _record_rejects(connection, name, parts, numbers)
        if "jobs" in tables:
            # Only the hours of the jobs this pull inserted or updated (old and new hour).
            rollups.refresh(connection, pull_id)
        data_as_of = max((p.snapshot_at for p in parts if p.table == "jobs"), default=None)
        reached = _watermarks(parts, read.since)
        watermark = (
            reached.get("jobs")
            if reached
            else _files_watermark(connection, tables, pull_id, appended is not None)
        )
        _log_pull(connection, pull_id, source, read.started_at, len(parts), data_as_of, watermark)
        _log_counts(connection, pull_id, counts)
        for name, value in reached.items():
            connection.execute(
                "INSERT INTO pull_watermarks VALUES (?, ?, ?)", [pull_id, name, value]
            )
        connection.execute("COMMIT")
    except BaseException as exc:
        connection.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"pull failed: {str(exc).strip().splitlines()[0]}") from None
        raise
    notes = tuple(part.note for part in parts if part.note is not None)
    return PullResult(
        pull_id,
        source.label,
        source.unit,
        tuple(p.origin for p in parts),
        source.skipped,
        tuple(counts),
        data_as_of,
        watermark,
        first_rejects,
        notes,
    )


def _refuse(connection: duckdb.DuckDBPyConnection, tables: Sequence[str], first: Reject) -> None:
    rejected = staging.count(connection, tables, "__reason IS NOT NULL")
    raise StrictPullError(
        f"{rejected} row(s) rejected (first: {first.source_file} row"
        f" {first.row_number}: {first.reason}); the store was left unchanged",
        hint="Fix those rows, or pull without --strict to keep the good rows"
        " and record the rejects.",
    )


def _merge(connection: duckdb.DuckDBPyConnection, name: str, pull_id: int) -> merge.MergeCounts:
    """Merge the staged rows of table `name` into the store."""
    checked = staging.checked_table(name)
    with merge.stored_keys(connection, TABLES[name], checked) as stored:
        if name == "jobs":
            rollups.note_moves(connection, checked, stored)
        return merge.merge_table(connection, TABLES[name], checked, pull_id, stored)


def _watermarks(parts: Sequence[Part], since: dict[str, datetime]) -> dict[str, datetime]:
    """Each table's newest change time read, carried forward when nothing newer came."""
    reached = dict(since)
    for part in parts:
        if part.watermark is not None:
            reached[part.table] = max(part.watermark, reached.get(part.table, part.watermark))
    return {name: reached[name] for name in TABLES if name in reached}


def _record_rejects(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    parts: Sequence[Part],
    numbers: Sequence[int],
) -> None:
    """A file pulled again replaces its rejects, so the same pull twice leaves one copy.

    A database is read incrementally, so its rejects add up; a row read again (the overlap
    before the watermark) is recorded once. Two statements for all the parts of the table.
    """
    read = [parts[number - 1] for number in numbers]
    connection.execute(
        "DELETE FROM rejects WHERE table_name = ? AND list_contains(?, source_file)",
        [name, [part.origin for part in read if part.replaces_rejects]],
    )
    connection.execute(
        "INSERT INTO rejects SELECT ?, p.origin, c.__line, c.__reason, c.__raw, c._snapshot_at"
        f" FROM {staging.checked_table(name)} AS c JOIN (SELECT unnest(?) AS number,"
        " unnest(?) AS origin, unnest(?) AS replaces) AS p ON c.__file = p.number"
        " WHERE c.__reason IS NOT NULL AND (p.replaces OR NOT EXISTS (SELECT 1 FROM rejects"
        " AS r WHERE r.table_name = ? AND r.source_file = p.origin AND r.raw = c.__raw"
        " AND r.reason = c.__reason)) ORDER BY c.__file, c.__line",
        [
            name,
            list(numbers),
            [part.origin for part in read],
            [part.replaces_rejects for part in read],
            name,
        ],
    )


def _files_watermark(
    connection: duckdb.DuckDBPyConnection, tables: Sequence[str], pull_id: int, appended: bool
) -> datetime | None:
    """Files carry no watermark of their own: the newest change time of their accepted jobs,
    staged or (`appended`) written straight into the store."""
    if "jobs" not in tables:
        return None
    accepted = (
        f"jobs WHERE _pull_id = {int(pull_id)}"
        if appended
        else f"{staging.checked_table('jobs')} WHERE __reason IS NULL"
    )
    value = connection.sql(
        f"SELECT max(coalesce(updated_at, created_at)) FROM {accepted}"
    ).fetchall()[0][0]
    return value if isinstance(value, datetime) else None


def _log_pull(
    connection: duckdb.DuckDBPyConnection,
    pull_id: int,
    source: Source,
    started_at: datetime,
    parts: int,
    data_as_of: datetime | None,
    watermark: datetime | None,
) -> None:
    connection.execute(
        "INSERT INTO pulls VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            pull_id,
            source.label,
            started_at,
            datetime.now(UTC),
            parts,
            len(source.skipped),
            data_as_of,
            watermark,
        ],
    )


def _log_counts(
    connection: duckdb.DuckDBPyConnection, pull_id: int, counts: Sequence[TableCounts]
) -> None:
    for c in counts:
        connection.execute(
            "INSERT INTO pull_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [pull_id, c.table, c.files, c.accepted, c.inserted, c.updated, c.unchanged, c.rejected],
        )
