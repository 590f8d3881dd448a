"""One pull: read every snapshot file, validate, then merge into the store in one transaction.

First gather, then write: each file is scanned and validated into a temporary table (a file
that cannot be read at all stops the pull before anything is written); then one transaction
merges the newest accepted state of every key, replaces the files' rejects and logs the pull.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from reportgen.errors import InputError, StoreError, StrictPullError
from reportgen.schema import TABLES, Table
from reportgen.sources import SnapshotFile, discover_source
from reportgen.sources.files import FileFormat
from reportgen.store import merge, readers
from reportgen.store.readers import Scan, identifier
from reportgen.store.validate import checked_select

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

_SNIFF_BYTES = 64 * 1024


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
class Reject:
    table: str
    source_file: str
    row_number: int
    reason: str


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
    with _staging(connection, tables):
        for number, file in enumerate(discovery.files, start=1):
            _stage_file(connection, file, number)
            if progress is not None:
                progress(number, steps)
        first_rejects = _first_rejects(connection, tables, discovery.files)
        rejected = _count(connection, tables, "__reason IS NOT NULL")
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


class _staging:
    """Temporary tables for one pull, dropped whatever happens."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        self.connection = connection
        self.tables = tables

    def __enter__(self) -> None:
        for name in self.tables:
            self.connection.execute(_checked_table_ddl(TABLES[name]))

    def __exit__(self, *exc_info: object) -> None:
        for name in self.tables:
            self.connection.execute(f"DROP TABLE IF EXISTS temp.{checked_table(name)}")


def checked_table(name: str) -> str:
    return identifier(f"__checked_{name}")


def _checked_table_ddl(table: Table) -> str:
    columns = ", ".join(f"{identifier(c.name)} {c.type.value}" for c in table.columns)
    return (
        f"CREATE OR REPLACE TEMP TABLE {checked_table(table.name)} (__file INTEGER,"
        f" __record BIGINT, __line BIGINT, {columns}, _snapshot_at TIMESTAMPTZ,"
        " _version_at TIMESTAMPTZ, __reason VARCHAR, __raw VARCHAR,"
        " __superseded BOOLEAN DEFAULT false)"
    )


def _stage_file(connection: duckdb.DuckDBPyConnection, file: SnapshotFile, number: int) -> None:
    table = TABLES[file.table]
    if file.path.stat().st_size == 0:
        logger.warning("%s is empty: no rows", file.path)
        return
    insert = (
        f"INSERT INTO {checked_table(table.name)}"
        " (__file, __record, __line, "
        + ", ".join(identifier(c) for c in table.column_names)
        + ", _snapshot_at, _version_at, __reason, __raw) "
    )
    last_error: duckdb.Error | None = None
    for scan in _scans(connection, file, table):
        try:
            connection.execute(insert + checked_select(table, scan, number), [file.snapshot_at])
        except duckdb.Error as exc:
            logger.debug("scan of %s failed: %s", file.path, exc)
            last_error = exc
            continue
        if scan.lines_to_fill:
            _fill_reject_lines(connection, file, table, number)
        return
    message = str(last_error).strip().splitlines()[0] if last_error else "unknown error"
    raise InputError(f"cannot read {file.path}: {message}")


def _scans(
    connection: duckdb.DuckDBPyConnection, file: SnapshotFile, table: Table
) -> Iterator[Scan]:
    """The ways to read a file, fastest first; a later one only if an earlier one fails."""
    path = str(file.path)
    try:
        match file.format:
            case FileFormat.NDJSON:
                yield readers.ndjson_fast(path, table)
                yield readers.ndjson_lines(path, table, crlf=_has_crlf(file.path))
            case FileFormat.JSON_ARRAY:
                yield readers.json_array(path, table)
            case FileFormat.CSV:
                yield readers.csv(connection, path, table)
            case FileFormat.PARQUET:
                yield readers.parquet(connection, path, table)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise InputError(f"cannot read {file.path}: {message}") from None


def _has_crlf(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"\r\n" in handle.read(_SNIFF_BYTES)


def _fill_reject_lines(
    connection: duckdb.DuckDBPyConnection, file: SnapshotFile, table: Table, number: int
) -> None:
    """Give a fast-read file's rejects their line number and raw line (read only when needed)."""
    checked = checked_table(table.name)
    rejects = connection.sql(
        f"SELECT count(*) FROM {checked} WHERE __file = {number} AND __reason IS NOT NULL"
    ).fetchall()[0][0]
    if not rejects:
        return
    # DuckDB's JSON reader skips blank lines, so its n-th record is the n-th non-blank line.
    lines = readers.lines(str(file.path), _has_crlf(file.path))
    connection.execute(
        f"UPDATE {checked} AS c SET __line = l.__line, __raw = l.__text FROM"
        f" (SELECT row_number() OVER () AS __record, __line, __text FROM ({lines})"
        "  WHERE __text IS NOT NULL AND trim(__text) <> '') AS l"
        f" WHERE c.__file = {number} AND c.__reason IS NOT NULL AND c.__record = l.__record"
    )


def _count(connection: duckdb.DuckDBPyConnection, tables: Sequence[str], where: str) -> int:
    return sum(
        connection.sql(f"SELECT count(*) FROM {checked_table(name)} WHERE {where}").fetchall()[0][0]
        for name in tables
    )


def _first_rejects(
    connection: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    files: Sequence[SnapshotFile],
    limit: int = 5,
) -> tuple[Reject, ...]:
    found: list[Reject] = []
    for name in tables:
        rows = connection.sql(
            f"SELECT __file, __line, __reason FROM {checked_table(name)}"
            f" WHERE __reason IS NOT NULL ORDER BY __file, __line LIMIT {limit}"
        ).fetchall()
        found += [Reject(name, str(files[n - 1].path), line, reason) for n, line, reason in rows]
    return tuple(found[:limit])


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
        for name in tables:
            numbers = [n for n, f in enumerate(files, start=1) if f.table == name]
            merged = merge.merge_table(connection, TABLES[name], checked_table(name), pull_id)
            counts.append(TableCounts(name, len(numbers), **dataclasses.asdict(merged)))
            _replace_rejects(connection, name, files, numbers)
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
            f" FROM {checked_table(name)} WHERE __file = ? AND __reason IS NOT NULL"
            " ORDER BY __line",
            [name, path, number],
        )


def _watermark(connection: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> datetime | None:
    if "jobs" not in tables:
        return None
    value = connection.sql(
        f"SELECT max(coalesce(updated_at, created_at)) FROM {checked_table('jobs')}"
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
