"""Gather: scan and validate every part of a source into temporary tables, one per table.

A part (a file, or a database table) arrives as chunks that DuckDB scans: the file itself, or
a table's rows streamed in bounded batches. Nothing here touches the store's own tables:
a file that cannot be read at all stops the pull with an InputError naming it, before anything
is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from reportgen.errors import InputError
from reportgen.schema import TABLES, Table
from reportgen.sources import FileFormat, Part
from reportgen.store import readers
from reportgen.store.connection import first_line
from reportgen.store.readers import Scan, identifier
from reportgen.store.validate import checked_select

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 64 * 1024
UNREADABLE_HINT = "Fix or remove that file and pull again; the store is unchanged."
ROWS_HINT = "Check the source table's column types, then pull again; the store is unchanged."
MEMORY_HINT = "Raise store.memory_limit, then pull again; the store is unchanged."
# The name a database table's stream is scanned by while it is staged.
_ROWS_VIEW = "__pulled_rows"


@dataclass(frozen=True)
class Reject:
    table: str
    source_file: str
    row_number: int
    reason: str


@contextmanager
def staging(connection: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> Iterator[None]:
    """Temporary tables for one pull's checked rows, dropped whatever happens."""
    try:
        for name in tables:
            connection.execute(_checked_table_ddl(TABLES[name]))
        yield
    finally:
        for name in tables:
            connection.execute(f"DROP TABLE IF EXISTS temp.{checked_table(name)}")


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


def stage_part(
    connection: duckdb.DuckDBPyConnection, part: Part, number: int, *, rejects_only: bool = False
) -> None:
    """Scan and validate every chunk of `part` as part number `number` of the pull; with
    `rejects_only`, keep only its rejected rows (its accepted ones were written already)."""
    for chunk in part.chunks():
        if chunk.rows is not None:
            _stage_rows(connection, part, chunk.rows, number)
        elif chunk.path is not None:
            _stage_file(connection, part, chunk.path, chunk.format, number, rejects_only)


def _stage_rows(
    connection: duckdb.DuckDBPyConnection, part: Part, rows: pa.RecordBatchReader, number: int
) -> None:
    """A database table's stream of rows, in one statement: typed already, so only the
    store's own rules are checked."""
    table = TABLES[part.table]
    connection.register(_ROWS_VIEW, rows)
    try:
        scan = readers.numbered_rows(connection, _ROWS_VIEW, table)
        _validate(connection, table, scan, part, number)
    except duckdb.Error as exc:
        hint = _hint(exc, ROWS_HINT)
        raise InputError(f"cannot read {part.origin}: {first_line(exc)}", hint=hint) from None
    finally:
        connection.unregister(_ROWS_VIEW)


def _validate(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    scan: Scan,
    part: Part,
    number: int,
    rejects_only: bool = False,
) -> None:
    checked = checked_select(table, scan, str(number), "CAST(? AS TIMESTAMPTZ)")
    if rejects_only:
        checked = f"SELECT * FROM ({checked}) WHERE __reason IS NOT NULL"
    connection.execute(_insert(table) + checked, [part.snapshot_at])


def _insert(table: Table) -> str:
    return (
        f"INSERT INTO {checked_table(table.name)}"
        " (__file, __record, __line, "
        + ", ".join(identifier(c) for c in table.column_names)
        + ", _snapshot_at, _version_at, __reason, __raw) "
    )


def _stage_file(
    connection: duckdb.DuckDBPyConnection,
    part: Part,
    path: Path,
    format: FileFormat,
    number: int,
    rejects_only: bool,
) -> None:
    table = TABLES[part.table]
    if path.stat().st_size == 0:
        logger.warning("%s is empty: no rows", path)
        return
    last_error: duckdb.Error | None = None
    for scan in _scans(connection, path, format, table):
        try:
            _validate(connection, table, scan, part, number, rejects_only)
        except duckdb.Error as exc:
            logger.debug("scan of %s failed: %s", path, exc)
            last_error = exc
            continue
        if scan.lines_to_fill:
            _fill_reject_lines(connection, path, table, number)
        return
    message = first_line(last_error) if last_error else "unknown error"
    raise InputError(f"cannot read {path}: {message}", hint=_hint(last_error, UNREADABLE_HINT))


def _scans(
    connection: duckdb.DuckDBPyConnection, path: Path, format: FileFormat, table: Table
) -> Iterator[Scan]:
    """The ways to read a file, fastest first; a later one only if an earlier one fails."""
    name = str(path)
    try:
        match format:
            case FileFormat.NDJSON:
                yield readers.ndjson_fast(name, table)
                yield readers.ndjson_lines(name, table, crlf=_has_crlf(path))
            case FileFormat.JSON_ARRAY:
                yield readers.json_array(name, table)
            case FileFormat.CSV:
                yield readers.csv(connection, name, table)
            case FileFormat.PARQUET:
                yield readers.parquet(connection, name, table)
    except duckdb.Error as exc:
        hint = _hint(exc, UNREADABLE_HINT)
        raise InputError(f"cannot read {path}: {first_line(exc)}", hint=hint) from None


def _hint(error: duckdb.Error | None, otherwise: str) -> str:
    """What to do: a scan that ran out of memory needs a larger cap, not a fixed file."""
    return MEMORY_HINT if isinstance(error, duckdb.OutOfMemoryException) else otherwise


def _has_crlf(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"\r\n" in handle.read(_SNIFF_BYTES)


def _fill_reject_lines(
    connection: duckdb.DuckDBPyConnection, path: Path, table: Table, number: int
) -> None:
    """Give a fast-read file's rejects their line number and raw line (read only when needed)."""
    checked = checked_table(table.name)
    rejects = connection.sql(
        f"SELECT count(*) FROM {checked} WHERE __file = {number} AND __reason IS NOT NULL"
    ).fetchall()[0][0]
    if not rejects:
        return
    # DuckDB's JSON reader skips blank lines, so its n-th record is the n-th non-blank line.
    lines = readers.lines(str(path), _has_crlf(path))
    connection.execute(
        f"UPDATE {checked} AS c SET __line = l.__line, __raw = l.__text FROM"
        f" (SELECT row_number() OVER () AS __record, __line, __text FROM ({lines})"
        "  WHERE __text IS NOT NULL AND trim(__text) <> '') AS l"
        f" WHERE c.__file = {number} AND c.__reason IS NOT NULL AND c.__record = l.__record"
    )


def count(connection: duckdb.DuckDBPyConnection, tables: Sequence[str], where: str) -> int:
    return sum(
        connection.sql(f"SELECT count(*) FROM {checked_table(name)} WHERE {where}").fetchall()[0][0]
        for name in tables
    )


def first_rejects(
    connection: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    origins: Sequence[str],
    limit: int = 5,
) -> tuple[Reject, ...]:
    found: list[Reject] = []
    for name in tables:
        rows = connection.sql(
            f"SELECT __file, __line, __reason FROM {checked_table(name)}"
            f" WHERE __reason IS NOT NULL ORDER BY __file, __line LIMIT {limit}"
        ).fetchall()
        found += [Reject(name, origins[n - 1], line, reason) for n, line, reason in rows]
    return tuple(found[:limit])
