"""One pull: read every snapshot file, validate, then merge into the store in one transaction.

First gather, then write: each file is scanned and validated into a temporary table (a file
that cannot be read at all stops the pull before anything is written); then one transaction
merges the newest accepted state of every key, replaces the files' rejects and logs the pull.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from reportgen.errors import StoreError, StrictPullError
from reportgen.schema import TABLES
from reportgen.sources import SnapshotFile, discover_source
from reportgen.store import merge, rollups, staging
from reportgen.store.staging import Reject

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TableCounts:
    """What one pull did to one table; accepted = inserted + updated + unchanged."""

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
    files: tuple[Path, ...]
    skipped: tuple[Path, ...]
    tables: tuple[TableCounts, ...]
    data_as_of: datetime | None
    watermark: datetime | None
    first_rejects: tuple[Reject, ...]

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.tables)


def pull(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> PullResult:
    """Pull every snapshot file of `source` into the store; see SPEC §2.3."""
    discovery = discover_source(source)
    started_at = datetime.now(UTC)
    steps = len(discovery.files) + 1
    tables = sorted({file.table for file in discovery.files}, key=list(TABLES).index)
    with staging.staging(connection, tables):
        for number, file in enumerate(discovery.files, start=1):
            staging.stage_file(connection, file, number)
            if progress is not None:
                progress(number, steps)
        first_rejects = staging.first_rejects(connection, tables, discovery.files)
        rejected = staging.count(connection, tables, "__reason IS NOT NULL")
        if strict and rejected:
            first = first_rejects[0]
            raise StrictPullError(
                f"{rejected} row(s) rejected (first: {first.source_file} row {first.row_number}:"
                f" {first.reason}); the store was left unchanged",
                hint="Fix those rows, or pull without --strict to keep the good rows"
                " and record the rejects.",
            )
        result = _write(connection, source, discovery.files, discovery.skipped, tables, started_at)
    if progress is not None:
        progress(steps, steps)
    return dataclasses.replace(result, first_rejects=first_rejects)


def _write(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    files: Sequence[SnapshotFile],
    skipped: Sequence[Path],
    tables: Sequence[str],
    started_at: datetime,
) -> PullResult:
    """Merge, record rejects and log the pull, all or nothing."""
    connection.execute("BEGIN TRANSACTION")
    try:
        pull_id = connection.sql("SELECT nextval('pull_id_sequence')").fetchall()[0][0]
        counts = []
        if "jobs" in tables:
            rollups.note_moves(connection, staging.checked_table("jobs"))
        for name in tables:
            numbers = [n for n, f in enumerate(files, start=1) if f.table == name]
            merged = merge.merge_table(
                connection, TABLES[name], staging.checked_table(name), pull_id
            )
            counts.append(TableCounts(name, len(numbers), **dataclasses.asdict(merged)))
            _replace_rejects(connection, name, files, numbers)
        if "jobs" in tables:
            # Only the hours of the jobs this pull inserted or updated (old and new hour).
            rollups.refresh(connection, pull_id)
        data_as_of = max((f.snapshot_at for f in files if f.table == "jobs"), default=None)
        watermark = _watermark(connection, tables)
        _log_pull(connection, pull_id, source, started_at, files, skipped, data_as_of, watermark)
        _log_counts(connection, pull_id, counts)
        connection.execute("COMMIT")
    except BaseException as exc:
        connection.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"pull failed: {str(exc).strip().splitlines()[0]}") from None
        raise
    return PullResult(
        pull_id,
        source,
        tuple(f.path for f in files),
        tuple(skipped),
        tuple(counts),
        data_as_of,
        watermark,
        (),
    )


def _replace_rejects(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    files: Sequence[SnapshotFile],
    numbers: Sequence[int],
) -> None:
    """A file pulled again replaces its rejects, so the same pull twice leaves one copy."""
    for number in numbers:
        path = str(files[number - 1].path)
        connection.execute(
            "DELETE FROM rejects WHERE table_name = ? AND source_file = ?", [name, path]
        )
        connection.execute(
            "INSERT INTO rejects SELECT ?, ?, __line, __reason, __raw, _snapshot_at"
            f" FROM {staging.checked_table(name)} WHERE __file = ? AND __reason IS NOT NULL"
            " ORDER BY __line",
            [name, path, number],
        )


def _watermark(connection: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> datetime | None:
    if "jobs" not in tables:
        return None
    value = connection.sql(
        f"SELECT max(coalesce(updated_at, created_at)) FROM {staging.checked_table('jobs')}"
        " WHERE __reason IS NULL"
    ).fetchall()[0][0]
    return value if isinstance(value, datetime) else None


def _log_pull(
    connection: duckdb.DuckDBPyConnection,
    pull_id: int,
    source: str,
    started_at: datetime,
    files: Sequence[SnapshotFile],
    skipped: Sequence[Path],
    data_as_of: datetime | None,
    watermark: datetime | None,
) -> None:
    connection.execute(
        "INSERT INTO pulls VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            pull_id,
            source,
            started_at,
            datetime.now(UTC),
            len(files),
            len(skipped),
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
