"""Scans of snapshot files in DuckDB SQL, one per format, all of the same shape.

Every scan yields `__record` (the record's order in the file), `__line` (its position for a
reject: NDJSON line, CSV line, JSON element, Parquet row), `__parse_error`, `__raw` (the text
as read, when the format has one) and one `__v_<column>` per schema column, either as text to
be validated or, for Parquet columns and database batches of a matching native type, already
typed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from reportgen.schema import ColumnType, Table

# Large enough for a job carrying a multi-megabyte error message on one line.
MAX_RECORD_BYTES = 256 * 1024 * 1024


def _record_bytes(path: str) -> int:
    """The largest record a file can hold: no more than the file, and no more than
    `MAX_RECORD_BYTES`. DuckDB allocates its read buffer to match, so a small file (a 1 KB
    rollout export) must not ask for the buffer of the largest record allowed."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return MAX_RECORD_BYTES
    return min(size + 1, MAX_RECORD_BYTES)


@dataclass(frozen=True)
class Scan:
    """A SELECT over one file and the columns it already delivers typed."""

    sql: str
    typed: frozenset[str] = frozenset()
    lines_to_fill: bool = False  # NDJSON read fast: raw lines are looked up for rejects only


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _varchar_struct(table: Table) -> str:
    fields = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in table.column_names)
    return "{" + fields + "}"


def _json_structure(table: Table) -> str:
    """The same, as the JSON structure `from_json` takes."""
    return json.dumps(dict.fromkeys(table.column_names, "VARCHAR"))


def ndjson_fast(path: str, table: Table) -> Scan:
    """All lines well-formed JSON objects: DuckDB's own reader, fastest; fails otherwise."""
    values = ", ".join(f"{identifier(c)} AS {identifier('__v_' + c)}" for c in table.column_names)
    return Scan(
        f"SELECT row_number() OVER () AS __record, row_number() OVER () AS __line,"
        f" NULL::VARCHAR AS __parse_error, NULL::VARCHAR AS __raw, {values}"
        f" FROM read_json({literal(path)}, columns={_varchar_struct(table)},"
        f" format='newline_delimited', records=true, maximum_object_size={_record_bytes(path)})",
        lines_to_fill=True,
    )


def lines(path: str, crlf: bool) -> str:
    """Every physical line of a file as `__line`, `__text`; blank lines kept, so numbers hold."""
    new_line = r"\r\n" if crlf else r"\n"
    record = _record_bytes(path)
    return (
        "SELECT row_number() OVER () AS __line, rtrim(line, chr(13)) AS __text"
        f" FROM read_csv({literal(path)}, columns={{'line': 'VARCHAR'}}, header=false,"
        " delim=chr(1), quote='', escape='', auto_detect=false, strict_mode=false,"
        f" new_line='{new_line}', max_line_size={record}, buffer_size={2 * record})"
    )


def _json_texts(source: str, table: Table) -> str:
    """Parse `__text` (one JSON value per row of `source`) into the value columns."""
    values = ", ".join(
        f"__object.{identifier(c)} AS {identifier('__v_' + c)}" for c in table.column_names
    )
    kind = "CASE WHEN json_valid(__text) THEN json_type(__text) END"
    return (
        "SELECT __record, __line,"
        " CASE WHEN __kind IS NULL THEN 'not valid JSON'"
        " WHEN __kind <> 'OBJECT' THEN 'not a JSON object' END AS __parse_error,"
        f" __text AS __raw, {values}"
        f" FROM (SELECT *, CASE WHEN __kind = 'OBJECT'"
        f" THEN from_json(__text, {literal(_json_structure(table))}) END AS __object"
        f" FROM (SELECT *, {kind} AS __kind FROM ({source})))"
    )


def ndjson_lines(path: str, table: Table, crlf: bool) -> Scan:
    """Line by line, so a truncated or garbled line is one reject and the rest still land."""
    source = (
        f"SELECT row_number() OVER () AS __record, __line, __text FROM ({lines(path, crlf)})"
        " WHERE __text IS NOT NULL AND trim(__text) <> ''"
    )
    return Scan(_json_texts(source, table))


def json_array(path: str, table: Table) -> Scan:
    source = (
        "SELECT row_number() OVER () AS __record, row_number() OVER () AS __line,"
        f" json::VARCHAR AS __text FROM read_json_objects({literal(path)}, format='array',"
        f" maximum_object_size={_record_bytes(path)})"
    )
    return Scan(_json_texts(source, table))


def csv(connection: duckdb.DuckDBPyConnection, path: str, table: Table) -> Scan:
    """Header row names the columns (any case); values are text; short rows are padded."""
    record = _record_bytes(path)
    reader = (
        f"read_csv({literal(path)}, header=true, all_varchar=true, null_padding=true,"
        f" parallel=false, max_line_size={record}, buffer_size={2 * record})"
    )
    present = _source_columns(connection, reader)
    values = ", ".join(
        f"{_source_value(present, c, None)} AS {identifier('__v_' + c)}" for c in table.column_names
    )
    return Scan(
        "SELECT row_number() OVER () AS __record, row_number() OVER () + 1 AS __line,"
        f" NULL::VARCHAR AS __parse_error, NULL::VARCHAR AS __raw, {values} FROM {reader}"
    )


def numbered_rows(connection: duckdb.DuckDBPyConnection, view: str, table: Table) -> Scan:
    """A database stream registered as `view`: typed columns taken as they are, each row led by
    its number in the read (`__number`), which carries the order across batches."""
    return _typed_scan(connection, view, "__number", table)


def parquet(connection: duckdb.DuckDBPyConnection, path: str, table: Table) -> Scan:
    """Columns of a matching native type are taken as they are; the rest go through text."""
    reader = f"read_parquet({literal(path)}, file_row_number=true)"
    return _typed_scan(connection, reader, "file_row_number + 1", table)


@dataclass(frozen=True)
class ParquetFile:
    """A Parquet file of a pull: its number in the pull, snapshot time and row count."""

    path: str
    number: int
    snapshot_at: datetime
    rows: int


def parquet_files(
    connection: duckdb.DuckDBPyConnection, files: Sequence[ParquetFile], table: Table
) -> Scan:
    """Parquet files of one schema as one scan, which DuckDB reads on every thread; each row
    carries its file's number and snapshot time as `__in_file` and `__in_snapshot_at`."""
    paths = ", ".join(literal(f.path) for f in files)
    numbered = ", ".join(
        f"({literal(f.path)}, {f.number}, CAST({literal(f.snapshot_at.isoformat())}"
        " AS TIMESTAMPTZ))"
        for f in files
    )
    reader = (
        f"read_parquet([{paths}], file_row_number=true, filename='__in_path')"
        f" JOIN (VALUES {numbered}) AS __in(__in_path, __in_file, __in_snapshot_at)"
        " USING (__in_path)"
    )
    carried = ("__in_file", "__in_snapshot_at")
    return _typed_scan(connection, reader, "file_row_number + 1", table, carried)


def _typed_scan(
    connection: duckdb.DuckDBPyConnection,
    reader: str,
    number: str,
    table: Table,
    carried: Sequence[str] = (),
) -> Scan:
    """`carried`: columns of the reader passed through as they are."""
    present = _source_columns(connection, reader)
    typed = frozenset(
        c.name
        for c in table.columns
        if c.name.lower() in present and _native(present[c.name.lower()][1], c.type)
    )
    values = ", ".join(
        f"{_source_value(present, c.name, c.type if c.name in typed else None)}"
        f" AS {identifier('__v_' + c.name)}"
        for c in table.columns
    )
    return Scan(
        f"SELECT {''.join(f'{column}, ' for column in carried)}{number} AS __record,"
        f" {number} AS __line,"
        f" NULL::VARCHAR AS __parse_error, NULL::VARCHAR AS __raw, {values} FROM {reader}",
        typed=typed,
    )


def _source_columns(
    connection: duckdb.DuckDBPyConnection, reader: str
) -> dict[str, tuple[str, str]]:
    """Lower-cased name → (name as in the file, DuckDB type)."""
    described = connection.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    return {str(row[0]).strip().lower(): (str(row[0]), str(row[1])) for row in described}


def _source_value(
    present: dict[str, tuple[str, str]], column: str, native: ColumnType | None
) -> str:
    if column.lower() not in present:
        return "NULL::VARCHAR"
    name, type_name = present[column.lower()]
    if native is not None:
        return f"CAST({identifier(name)} AS {native.value})"
    if type_name.startswith(("STRUCT", "MAP")) or type_name.endswith("]"):
        return f"to_json({identifier(name)})::VARCHAR"
    if type_name.startswith("TIMESTAMP"):
        # Through TIMESTAMPTZ so nanosecond and naive (UTC) timestamps read back exactly.
        return f"CAST(CAST({identifier(name)} AS TIMESTAMPTZ) AS VARCHAR)"
    return f"CAST({identifier(name)} AS VARCHAR)"


_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_NATIVE = {
    # Text is checked as text whatever its source type: a blank required value is missing.
    ColumnType.TEXT: (),
    ColumnType.TIMESTAMP: ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE"),
    ColumnType.INTEGER: _INTEGERS,
    ColumnType.FLOAT: ("FLOAT", "DOUBLE", *_INTEGERS),
    ColumnType.BOOLEAN: ("BOOLEAN",),
    ColumnType.JSON: (),
}


def _native(type_name: str, target: ColumnType) -> bool:
    return type_name in _NATIVE[target]
