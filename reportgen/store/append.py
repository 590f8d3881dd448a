"""A first pull of Parquet files: their checked rows appended straight into the empty jobs table.

Into an empty table nothing needs merging unless a key repeats, so each group of files (one
schema, up to `GROUP_ROWS` rows) goes into `jobs` in one statement, in creation order, as a
bare `CREATE TABLE AS` would read them: no staged copy of the pull, no merge, and DuckDB reads
a group's files on every thread. A group that lost rows to validation is read again, file by
file, for its rejects only (a valid file is read once). A key that repeats abandons the append
(the transaction is rolled back) for staging and merging, which decides which state is newest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb

from reportgen.schema import TABLES
from reportgen.sources import FileFormat, Part
from reportgen.store import staging
from reportgen.store.readers import ParquetFile, identifier, literal, parquet_files
from reportgen.store.validate import checked_select

# Rows read by one statement: enough for DuckDB to use every thread, few enough to sort the
# group in memory.
GROUP_ROWS = 1_000_000
_TABLE = TABLES["jobs"]


class Abandoned(Exception):
    """The pull cannot be appended after all; it is staged and merged instead."""


def plan(
    connection: duckdb.DuckDBPyConnection, parts: Sequence[Part]
) -> list[list[ParquetFile]] | None:
    """The groups of files to append when every jobs part is a Parquet file and no job is
    stored yet; None otherwise (and when a footer cannot be read: staging names the file)."""
    files = {
        number: part for number, part in enumerate(parts, start=1) if part.table == _TABLE.name
    }
    if not files or any(
        p.file is None or p.file.format is not FileFormat.PARQUET for p in files.values()
    ):
        return None
    if connection.sql("SELECT count(*) FROM (FROM jobs LIMIT 1)").fetchall()[0][0]:
        return None
    paths = "[" + ", ".join(literal(p.origin) for p in files.values()) + "]"
    try:
        rows = dict(
            connection.sql(
                f"SELECT file_name, num_rows FROM parquet_file_metadata({paths})"
            ).fetchall()
        )
        schemas = dict(
            connection.sql(
                "SELECT file_name, list((name, type, converted_type, logical_type::VARCHAR)"
                f" ORDER BY name) FROM parquet_schema({paths}) GROUP BY file_name"
            ).fetchall()
        )
    except duckdb.Error:
        return None
    found = [
        ParquetFile(p.origin, number, p.snapshot_at, rows[p.origin]) for number, p in files.items()
    ]
    return _groups(found, [schemas[f.path] for f in found])


def _groups(files: list[ParquetFile], schemas: list[object]) -> list[list[ParquetFile]]:
    """Consecutive files of one schema, a group closed once it holds `GROUP_ROWS` rows."""
    groups: list[list[ParquetFile]] = []
    for index, file in enumerate(files):
        group = groups[-1] if groups else []
        if (
            group
            and schemas[index] == schemas[index - 1]
            and sum(f.rows for f in group) < GROUP_ROWS
        ):
            group.append(file)
        else:
            groups.append([file])
    return groups


def append_jobs(
    connection: duckdb.DuckDBPyConnection,
    groups: Sequence[Sequence[ParquetFile]],
    parts: Sequence[Part],
    pull_id: int,
    done: Callable[[int], None],
) -> int:
    """Append every group's accepted rows (inside the pull's transaction) and stage their
    rejects; `done` hears how many files each group held. Returns the rows appended."""
    columns = ", ".join(identifier(c) for c in _TABLE.column_names)
    appended = 0
    for group in groups:
        try:
            scan = parquet_files(connection, group, _TABLE)
            checked = checked_select(_TABLE, scan, "__in_file", "__in_snapshot_at")
            added = connection.execute(
                f"INSERT INTO jobs ({columns}, _version_at, _snapshot_at, _pull_id)"
                f" SELECT {columns}, _version_at, _snapshot_at, ? FROM ({checked})"
                " WHERE __reason IS NULL ORDER BY created_at, id",
                [pull_id],
            ).fetchall()[0][0]
        except duckdb.Error as exc:
            raise Abandoned(f"cannot append {group[0].path} and the rest: {exc}") from None
        if added < sum(f.rows for f in group):
            for file in group:
                staging.stage_part(
                    connection, parts[file.number - 1], file.number, rejects_only=True
                )
        appended += added
        done(len(group))
    repeated = _repeated_ids(connection)
    if repeated:
        raise Abandoned(f"{repeated} job id(s) repeat across the files")
    return int(appended)


def _repeated_ids(connection: duckdb.DuckDBPyConnection) -> int:
    """How many job ids the store holds more than once. Grouped by their 64-bit hash first,
    which holds a fraction of the memory of grouping the ids themselves (100 M jobs: 15
    against 40 s under the 2 GB cap); only when a hash repeats are the ids of those hashes
    compared, since two ids may share a hash."""
    hashes = "SELECT hash(id) FROM jobs GROUP BY ALL HAVING count(*) > 1"
    if not connection.sql(f"SELECT count(*) FROM ({hashes})").fetchall()[0][0]:
        return 0
    return int(
        connection.sql(
            f"SELECT count(*) FROM (SELECT id FROM jobs WHERE hash(id) IN ({hashes})"
            " GROUP BY id HAVING count(*) > 1)"
        ).fetchall()[0][0]
    )
