"""The PostgreSQL source: the job system's own tables, read incrementally in bounded batches.

One pull is one read-only REPEATABLE READ transaction, so the four tables are read as of one
moment (the transaction's start, which becomes the snapshot time). Its snapshot is shared with
a second connection, through ADBC's PostgreSQL driver, which streams each table with binary
`COPY` into typed Arrow batches of `batch_rows` rows, on a thread of its own: the server sends
the next batch while the store validates this one, with the checks it applies to exported
files, in one statement per table. At most `_AHEAD` batches wait, and DuckDB's memory is
bounded by the batch size (`memory_budget`), so the table may be far larger than memory.

A table is read from its watermark on: rows whose change time (`updated_at`, else the newest
of `created_at`, `started_at`, `completed_at`) is at or after the last pull's watermark less
`overlap_seconds`, so a transaction that committed late is read again rather than missed (the
store counts a row it already has as unchanged).

The DSN holds a password: only `label` (user, host, port, database) is ever shown or stored,
and every error message is scrubbed of the DSN and the password before it leaves this module.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc
import psycopg
import pyarrow as pa
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import TupleRow

from reportgen.config import MIN_MEMORY_BYTES
from reportgen.errors import InputError
from reportgen.schema import TABLES, Table
from reportgen.sources.source import Chunk, FileFormat, Part, StampFrom

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

CONNECT_TIMEOUT_SECONDS = 10
# How the pull's sessions show in pg_stat_activity.
APPLICATION_NAME = "reportgen pull"
LOST_HINT = "Check the database and the network, then pull again; the store is unchanged."
READ_HINT = "Check that the role may SELECT the source.*_table tables; the store is unchanged."
CONNECT_HINT = (
    "Check REPORTGEN_DATABASE_URL (or --source): host, port, database, user, password and sslmode."
)
# The store's memory while staging a database pull: the smallest cap the store accepts, then
# a share per row of a batch; beyond it DuckDB spills the staged rows to disk.
MEMORY_BYTES_PER_ROW = 4096
# Columns whose newest value is a row's change time when the table has no updated_at.
_CHANGE_COLUMNS = ("created_at", "started_at", "completed_at")
# Batches read ahead of the store: the next one streams while the store validates this one.
_AHEAD = 2
# How often a reader waiting for the store looks whether the pull gave up.
_STOP_CHECK_SECONDS = 0.5
# Types that arrive as the Arrow type of the store's column (ADBC reads them typed):
# selected as they are. Every other type (numeric, char(n), enums, intervals) is read as its
# `::text`, and arrays as JSON text, which the store validates as it would a file's.
_AS_THEY_ARE = frozenset(
    {"text", "varchar", "uuid", "timestamptz", "timestamp", "date", "int2", "int4", "int8"}
    | {"float4", "float8", "bool", "json", "jsonb"}
)
# ADBC errors of a session that ended, even without a SQLSTATE (the socket closed).
_LOST_ADBC = (adbc_driver_manager.OperationalError, adbc_driver_manager.InternalError)

# What a read can raise: psycopg's and ADBC's errors, and Arrow's (a stream cut off mid-table).
_ERRORS = (psycopg.Error, adbc_driver_manager.Error, pa.ArrowException, OSError)


def redacted(dsn: str) -> str:
    """`postgresql://user@host:port/database`: what a DSN may be shown as (no password)."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://(unparsable DSN)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    database = str(parts.get("dbname") or "")
    return f"postgresql://{user}{host}{port}/{database}"


@dataclass(frozen=True)
class TableNames:
    """The upstream table (optionally schema-qualified) behind each snapshot table."""

    jobs: str = "progressive_capture_jobs"
    rollout_configuration: str = "rollout_configuration"
    rollout_history: str = "rollout_history"
    repository_categories: str = "repository_categories"

    def of(self, table: str) -> str:
        return str(getattr(self, table))


class PostgresSource:
    """The job system's database; one part per table."""

    unit = "table"

    def __init__(
        self,
        dsn: str,
        *,
        tables: TableNames | None = None,
        batch_rows: int = 100_000,
        overlap_seconds: float = 60.0,
    ) -> None:
        self._dsn = dsn
        self._secrets = _secrets_of(dsn)
        self.tables = tables or TableNames()
        self.batch_rows = batch_rows
        self.overlap = timedelta(seconds=overlap_seconds)
        self._label = redacted(dsn)

    @property
    def label(self) -> str:
        return self._label

    @property
    def skipped(self) -> tuple[str, ...]:
        return ()

    @property
    def memory_budget(self) -> int:
        """About `batch_rows` rows' worth: the table may be far larger than memory."""
        return max(MIN_MEMORY_BYTES, self.batch_rows * MEMORY_BYTES_PER_ROW)

    def scrub(self, text: str) -> str:
        """`text` with the DSN and its password cut out."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def open(self, since: Mapping[str, datetime]) -> Iterator[Sequence[Part]]:
        """Connect, start the read transaction and name the tables; rows stream per part."""
        connection = self._connect()
        bulk: adbc.Connection | None = None
        reads: list[_TableRead] = []
        try:
            try:
                snapshot_at, snapshot = _begin(connection)
                bulk = self._connect_bulk(snapshot)
                parts = self._parts(connection, bulk, snapshot_at, since, reads)
            except _ERRORS as exc:
                raise self._failed(exc, connection, bulk) from None
            try:
                yield parts
            finally:
                # A store that stopped mid-table may still hold the chunks unfinished: their
                # reader leaves the COPY before the connections go.
                for read in reads:
                    read.stop()
        finally:
            if bulk is not None:
                with contextlib.suppress(adbc_driver_manager.Error):
                    bulk.close()
            connection.close()

    def _connect(self) -> Connection:
        try:
            # No prepared statements: Supabase's transaction pooler (port 6543) cannot keep them.
            return psycopg.connect(
                self._dsn,
                autocommit=True,
                prepare_threshold=None,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name=APPLICATION_NAME,
            )
        except psycopg.Error as exc:
            raise InputError(
                f"cannot connect to {self.label}: {self._first_line(exc)}", hint=CONNECT_HINT
            ) from None

    def _connect_bulk(self, snapshot: str) -> adbc.Connection:
        """The connection that streams the tables, in the read transaction's snapshot."""
        conninfo = make_conninfo(
            self._dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name=APPLICATION_NAME
        )
        try:
            bulk = adbc.connect(conninfo, autocommit=True)
        except adbc_driver_manager.Error as exc:
            raise InputError(
                f"cannot connect to {self.label}: {self._first_line(exc)}", hint=CONNECT_HINT
            ) from None
        try:
            with bulk.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT {sql.Literal(snapshot).as_string()}")
        except adbc_driver_manager.Error:
            bulk.close()
            raise
        return bulk

    def _parts(
        self,
        connection: Connection,
        bulk: adbc.Connection,
        snapshot_at: datetime,
        since: Mapping[str, datetime],
        reads: list[_TableRead],
    ) -> list[Part]:
        """The parts to pull; each table's read is added to `reads` as it is named."""
        parts = []
        for name, table in TABLES.items():
            upstream = self.tables.of(name)
            found = _columns(connection, upstream)
            if found is None:
                if table.required_table:
                    raise InputError(
                        f"{self.label} has no table {upstream} (for {name})",
                        hint=f"Set source.{name}_table to the table that holds the {name} rows.",
                    )
                logger.warning("%s has no table %s: %s not pulled", self.label, upstream, name)
                continue
            relation, columns = found
            read = _TableRead(table, relation, columns, connection, since.get(name), self.overlap)
            reads.append(read)
            watermark = read.watermark()
            parts.append(
                Part(
                    name,
                    f"{self.label} {upstream}",
                    snapshot_at,
                    StampFrom.DATABASE,
                    functools.partial(self._chunks, read, bulk),
                    replaces_rejects=False,
                    watermark=watermark,
                )
            )
        return parts

    def _chunks(self, read: _TableRead, bulk: adbc.Connection) -> Iterator[Chunk]:
        try:
            yield from read.chunks(bulk, self.batch_rows)
        except _ERRORS as exc:
            raise self._failed(exc, read.connection, bulk) from None

    def _failed(
        self, exc: BaseException, connection: Connection, bulk: adbc.Connection | None
    ) -> InputError:
        """A dropped connection, or a query the database refused (e.g. no SELECT grant)."""
        cut_off = bulk is not None and not _answers(bulk)
        if _lost(exc) or cut_off or connection.pgconn.status != pq.ConnStatus.OK:
            return InputError(
                f"lost the connection to {self.label}: {self._first_line(exc)}", hint=LOST_HINT
            )
        return InputError(f"cannot read {self.label}: {self._first_line(exc)}", hint=READ_HINT)

    def _first_line(self, exc: BaseException) -> str:
        lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
        return self.scrub(lines[0] if lines else type(exc).__name__)


def _secrets_of(dsn: str) -> list[str]:
    """The DSN and its password, longest first, as they could appear in a message."""
    found = [dsn]
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        password = None
    if password:
        found.append(str(password))
    return sorted({s for s in found if s}, key=len, reverse=True)


def _columns(connection: Connection, upstream: str) -> tuple[str, dict[str, str]] | None:
    """The table's quoted name and its columns → type category, or None if it does not exist."""
    row = connection.execute("SELECT to_regclass(%s)::text", [upstream]).fetchone()
    if row is None or row[0] is None:
        return None
    relation = str(row[0])
    described = connection.execute(
        "SELECT a.attname, t.typname, t.typcategory FROM pg_attribute a"
        " JOIN pg_type t ON t.oid = a.atttypid"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [relation],
    ).fetchall()
    kinds = {}
    for name, type_name, category in described:
        kind = "array" if category == "A" else str(type_name)
        kinds[str(name)] = kind
    return relation, kinds


class _TableRead:
    """The SELECT that reads one table's changed rows for the store to validate."""

    def __init__(
        self,
        table: Table,
        relation: str,
        columns: Mapping[str, str],
        connection: Connection,
        since: datetime | None,
        overlap: timedelta,
    ) -> None:
        self.table = table
        self.relation = relation
        self.columns = columns
        self.connection = connection
        self.change = self._change_time()
        self.reader: _ArrowReader | None = None
        self.since = since - overlap if since is not None and self.change is not None else None

    def _change_time(self) -> sql.Composable | None:
        """A row's change time: updated_at, else the newest of its other timestamps."""
        changes = [sql.Identifier(c) for c in _CHANGE_COLUMNS if c in self.columns]
        newest = sql.SQL("greatest({})").format(sql.SQL(", ").join(changes)) if changes else None
        if "updated_at" in self.columns:
            updated = sql.Identifier("updated_at")
            return sql.SQL("coalesce({}, {})").format(updated, newest) if newest else updated
        return newest

    def _where(self) -> sql.Composable:
        if self.since is None or self.change is None:
            return sql.SQL("")
        return sql.SQL(" WHERE {} >= {}").format(self.change, sql.Literal(self.since))

    def watermark(self) -> datetime | None:
        if self.change is None:
            return None
        query = sql.SQL("SELECT max({}) FROM {}{}").format(
            self.change, sql.SQL(self.relation), self._where()
        )
        row = self.connection.execute(query).fetchone()
        value = row[0] if row else None
        return value if isinstance(value, datetime) else None

    def _value(self, column: str) -> sql.Composable:
        """One schema column as it is where ADBC reads it typed, else as text (arrays as JSON)."""
        kind = self.columns.get(column)
        target = sql.Identifier(column)
        if kind is None:
            return self._derived(column)
        if kind == "array":
            return sql.SQL("array_to_json(t.{})::text AS {}").format(target, target)
        if kind in _AS_THEY_ARE:
            return sql.SQL("t.{}").format(target)
        return sql.SQL("t.{}::text AS {}").format(target, target)

    def _derived(self, column: str) -> sql.Composable:
        """Columns the upstream table keeps elsewhere; NULL where there is no such place."""
        target = sql.Identifier(column)
        if column == "feature_name" and "rollout_config_id" in self.columns:
            return sql.SQL(
                "(SELECT c.feature_name FROM rollout_configuration c"
                " WHERE c.id = t.rollout_config_id)::text AS {}"
            ).format(target)
        return sql.SQL("NULL::text AS {}").format(target)

    def stop(self) -> None:
        """Stop the read's thread, if one is still running."""
        if self.reader is not None:
            self.reader.stop()

    def select(self) -> sql.Composable:
        values = sql.SQL(", ").join(self._value(c) for c in self.table.column_names)
        return sql.SQL("SELECT {} FROM {} AS t{}").format(
            values, sql.SQL(self.relation), self._where()
        )

    def chunks(self, bulk: adbc.Connection, batch_rows: int) -> Iterator[Chunk]:
        """The table's rows as one stream of Arrow batches of `batch_rows` rows, read ahead
        on a thread, for the store to scan in one statement. A read that fails midway ends
        the stream; its error is raised once the store has finished with the stream."""
        query = self.select().as_string(self.connection)
        reader = self.reader = _ArrowReader(bulk, query, batch_rows)
        try:
            yield Chunk(FileFormat.ARROW, rows=reader.stream())
            if reader.error is not None:
                raise reader.error
        finally:
            reader.stop()


# Each row's number in the read, which carries the order across batches.
_NUMBER = pa.field("__number", pa.int64())


class _ArrowReader:
    """One SELECT's rows as numbered Arrow batches, on a thread of its own: the socket waits
    and the store's scan both let the other side run, so the read and the scan overlap. No
    more than `_AHEAD` batches wait for the store."""

    def __init__(self, bulk: adbc.Connection, query: str, batch_rows: int) -> None:
        self._cursor = bulk.cursor()
        self._query = query
        self._batch_rows = batch_rows
        # The schema, then tables of rows, then None at the end of the read or the error that
        # ended it.
        self._ready: queue.Queue[pa.Schema | pa.Table | BaseException | None] = queue.Queue(_AHEAD)
        self.error: BaseException | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reportgen-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._cursor.execute(self._query)
            reader = self._cursor.fetch_record_batch()
            if not self._hand(reader.schema.insert(0, _NUMBER)):
                return
            for rows in _numbered(reader, self._batch_rows):
                if not self._hand(rows):
                    return
        except BaseException as exc:  # handed to the store's thread, which raises it
            self._hand(exc)
        else:
            self._hand(None)

    def _hand(self, item: pa.Schema | pa.Table | BaseException | None) -> bool:
        """Queue `item` for the store once there is room; False if the pull gave up first."""
        while not self._stopped.is_set():
            try:
                self._ready.put(item, timeout=_STOP_CHECK_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def stream(self) -> pa.RecordBatchReader:
        """The rows as they are read; raises if the read fails before its first row."""
        schema = self._ready.get()
        if isinstance(schema, BaseException):
            raise schema
        assert isinstance(schema, pa.Schema)
        return pa.RecordBatchReader.from_batches(schema, self._batches())

    def _batches(self) -> Iterator[pa.RecordBatch]:
        """The batches until the read ends; a read that fails ends them early, in `error`."""
        while True:
            item = self._ready.get()
            if isinstance(item, pa.Table):
                yield from item.to_batches()
                continue
            if isinstance(item, BaseException):
                self.error = item
            return

    def stop(self) -> None:
        """Make the thread leave the read (cancelling the COPY) and wait for it."""
        self._stopped.set()
        while self._thread.is_alive():
            with contextlib.suppress(adbc_driver_manager.Error):
                self._cursor.adbc_cancel()
            self._thread.join(_STOP_CHECK_SECONDS)
        with contextlib.suppress(adbc_driver_manager.Error):
            self._cursor.close()


def _numbered(reader: pa.RecordBatchReader, batch_rows: int) -> Iterator[pa.Table]:
    """The reader's rows in tables of `batch_rows` rows (the last may hold fewer), each row led
    by its number in the read, from 1."""
    pending: list[pa.RecordBatch] = []
    held = number = 0
    for batch in reader:
        pending.append(batch)
        held += batch.num_rows
        while held >= batch_rows:
            rows = pa.Table.from_batches(pending, reader.schema)
            yield _with_numbers(rows.slice(0, batch_rows), number)
            number += batch_rows
            held -= batch_rows
            pending = rows.slice(batch_rows).to_batches()
    if held:
        yield _with_numbers(pa.Table.from_batches(pending, reader.schema), number)


def _with_numbers(rows: pa.Table, before: int) -> pa.Table:
    numbers = pa.array(range(before + 1, before + rows.num_rows + 1), pa.int64())
    return rows.add_column(0, _NUMBER, numbers)


def _begin(connection: Connection) -> tuple[datetime, str]:
    """Start the pull's read transaction: its start time and its snapshot, to share."""
    connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    row = connection.execute("SELECT transaction_timestamp(), pg_export_snapshot()").fetchone()
    assert row is not None and isinstance(row[0], datetime)
    return row[0], str(row[1])


# SQLSTATE classes of a session the server ended: connection exceptions, operator intervention.
_LOST_STATES = ("08", "57P")


def _answers(bulk: adbc.Connection) -> bool:
    """Whether the streaming session still answers: a failed read only aborts its
    transaction (the answer is an error of that), a terminated session gives none."""
    try:
        with bulk.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
    except adbc_driver_manager.Error as exc:
        return not _lost(exc)
    return True


def _lost(exc: BaseException) -> bool:
    """Whether `exc` says the server ended the session or the connection broke."""
    state = getattr(exc, "sqlstate", None) or ""
    if state.startswith(_LOST_STATES):
        return True
    return isinstance(exc, _LOST_ADBC) and not state
