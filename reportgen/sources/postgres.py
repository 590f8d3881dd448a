"""The PostgreSQL source: the job system's own tables, read incrementally in bounded batches.

One pull is one read-only REPEATABLE READ transaction, so the four tables are read as of one
moment (the transaction's start, which becomes the snapshot time). Each table is streamed with
`COPY (SELECT …) TO STDOUT (FORMAT csv)` into temporary CSV files of `batch_rows` rows, each
row led by its number in the read, by a thread of its own; meanwhile the store scans and
validates the files already written, with the checks it applies to exported files. A few
thousand rows at most are held in Python at a time, and DuckDB's memory is bounded by the
batch size (`memory_budget`).

A table is read from its watermark on: rows whose change time (`updated_at`, else the newest
of `created_at`, `started_at`, `completed_at`) is at or after the last pull's watermark less
`overlap_seconds`, so a transaction that committed late is read again rather than missed (the
store counts a row it already has as unchanged).

The DSN holds a password: only `label` (user, host, port, database) is ever shown or stored,
and every error message is scrubbed of the DSN and the password before it leaves this module.
"""

from __future__ import annotations

import functools
import logging
import queue
import select
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow

from reportgen.errors import InputError
from reportgen.schema import TABLES, Table
from reportgen.sources.source import Chunk, FileFormat, Part, StampFrom

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

CONNECT_TIMEOUT_SECONDS = 10
LOST_HINT = "Check the database and the network, then pull again; the store is unchanged."
READ_HINT = "Check that the role may SELECT the source.*_table tables; the store is unchanged."
CONNECT_HINT = (
    "Check REPORTGEN_DATABASE_URL (or --source): host, port, database, user, password and sslmode."
)
# The store's memory while staging a database pull: enough for DuckDB's own working set, then
# a share per row of a batch; beyond it DuckDB spills the staged rows to disk.
MIN_MEMORY_BYTES = 256 * 1024 * 1024
MEMORY_BYTES_PER_ROW = 4096
# Columns whose newest value is a row's change time when the table has no updated_at.
_CHANGE_COLUMNS = ("created_at", "started_at", "completed_at")
# Rows gathered in Python before they are written to a batch file.
_WRITE_ROWS = 4096
# Rows the store scans in one statement at least (but the last): a statement costs tens of
# milliseconds beyond its rows, so small batches are scanned several at a time.
_CHUNK_ROWS = 100_000
# How long the COPY's reader waits on the socket before it looks whether the pull gave up.
_STOP_CHECK_SECONDS = 0.5
# Types whose COPY text is their `::text` (the same output function): selected as they are,
# which spares the server a text datum per value. `bool::text` is 'true', not COPY's 't', and
# `char(n)::text` drops the padding, so every other type is still cast.
_AS_THEY_ARE = frozenset(
    {"text", "varchar", "uuid", "timestamptz", "timestamp", "date", "int2", "int4", "int8"}
    | {"float4", "float8", "numeric", "json", "jsonb"}
)


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
        work_dir: Path | None = None,
    ) -> None:
        self._dsn = dsn
        self._secrets = _secrets_of(dsn)
        self.tables = tables or TableNames()
        self.batch_rows = batch_rows
        self.overlap = timedelta(seconds=overlap_seconds)
        self.work_dir = work_dir
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
        reads: list[_TableRead] = []
        try:
            with tempfile.TemporaryDirectory(prefix="reportgen-pull-", dir=self.work_dir) as work:
                try:
                    parts = self._parts(connection, since, Path(work), reads)
                except psycopg.Error as exc:
                    raise self._failed(connection, exc) from None
                try:
                    yield parts
                finally:
                    # A store that stopped mid-table may still hold the chunks unfinished: their
                    # reader leaves the COPY before the folder and the connection go.
                    for read in reads:
                        read.stop()
        finally:
            connection.close()

    def _connect(self) -> Connection:
        try:
            # No prepared statements: Supabase's transaction pooler (port 6543) cannot keep them.
            return psycopg.connect(
                self._dsn,
                autocommit=True,
                prepare_threshold=None,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="reportgen pull",
            )
        except psycopg.Error as exc:
            raise InputError(
                f"cannot connect to {self.label}: {self._first_line(exc)}", hint=CONNECT_HINT
            ) from None

    def _parts(
        self,
        connection: Connection,
        since: Mapping[str, datetime],
        work: Path,
        reads: list[_TableRead],
    ) -> list[Part]:
        """The parts to pull; each table's read is added to `reads` as it is named."""
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # UTC and ISO output, so timestamptz values read back as the files would carry them.
        connection.execute("SET LOCAL TimeZone = 'UTC'")
        connection.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        connection.execute("SET LOCAL extra_float_digits = 1")
        row = connection.execute("SELECT transaction_timestamp()").fetchone()
        snapshot_at = row[0] if row is not None else None
        assert isinstance(snapshot_at, datetime)
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
                    functools.partial(self._chunks, read, work),
                    replaces_rejects=False,
                    watermark=watermark,
                )
            )
        return parts

    def _chunks(self, read: _TableRead, work: Path) -> Iterator[Chunk]:
        try:
            yield from read.chunks(work, self.batch_rows)
        except psycopg.Error as exc:
            raise self._failed(read.connection, exc) from None

    def _failed(self, connection: Connection, exc: psycopg.Error) -> InputError:
        """A dropped connection, or a query the database refused (e.g. no SELECT grant)."""
        ended = isinstance(exc, _Lost) or (exc.sqlstate or "").startswith(_LOST_STATES)
        if ended or connection.pgconn.status != pq.ConnStatus.OK:
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
    """The SELECT that reads one table's changed rows as text the store validates."""

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
        self.reader: _BatchReader | None = None
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
        """One schema column as text; arrays as JSON arrays, booleans as true/false."""
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
        """Stop the COPY's reader thread, if one is still running."""
        if self.reader is not None:
            self.reader.stop()

    def select(self) -> sql.Composable:
        values = sql.SQL(", ").join(self._value(c) for c in self.table.column_names)
        return sql.SQL("SELECT {} FROM {} AS t{}").format(
            values, sql.SQL(self.relation), self._where()
        )

    def chunks(self, work: Path, batch_rows: int) -> Iterator[Chunk]:
        """Stream the table through COPY into CSV files of `batch_rows` rows each, every row
        led by its number in the read. A reader thread writes the files while the store scans
        the ones already written: each chunk is the batches finished since the last chunk, at
        least `_CHUNK_ROWS` rows, so the store runs one statement per chunk however small the
        batches (a statement per small batch costs more than the batch). No more than
        `_WRITE_ROWS` rows are held in Python at a time; a chunk's files go once the store
        has scanned them."""
        query = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(self.select())
        pgconn = self.connection.pgconn
        pgconn.send_query(query.as_bytes(self.connection))
        result = pgconn.get_result()
        if result is None or result.status != pq.ExecStatus.COPY_OUT:
            raise _error(pgconn, result)
        folder = work / self.table.name
        folder.mkdir()
        reader = self.reader = _BatchReader(pgconn, folder, batch_rows)
        try:
            for batches in reader.finished():
                yield Chunk(folder, FileFormat.COPY_CSV, batches)
                for path in batches:
                    path.unlink()
        finally:
            reader.stop()
            shutil.rmtree(folder, ignore_errors=True)


class _BatchReader:
    """The COPY's rows into numbered batch files, on a thread of its own: the socket waits and
    the store's statements both let the other side run, so the read and the scan overlap."""

    def __init__(self, pgconn: pq.abc.PGconn, folder: Path, batch_rows: int) -> None:
        self._pgconn = pgconn
        self._folder = folder
        self._batch_rows = batch_rows
        # Finished batch files, then None at the end of the COPY or the error that ended it.
        self._done: queue.SimpleQueue[Path | BaseException | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reportgen-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _receive(self._pgconn, self._folder, self._batch_rows, self._done.put, self._stopped)
            if not self._stopped.is_set():
                _finish(self._pgconn)
        except BaseException as exc:  # handed to the store's thread, which raises it
            self._done.put(exc)
        else:
            self._done.put(None)

    def finished(self) -> Iterator[tuple[Path, ...]]:
        """The batches finished since the last call, once they hold `_CHUNK_ROWS` rows (all
        that are finished by then), until the COPY ends (or fails)."""
        batches: list[Path] = []
        while True:
            item = self._done.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                if batches:
                    yield tuple(batches)
                return
            batches.append(item)
            if len(batches) * self._batch_rows >= _CHUNK_ROWS and self._done.empty():
                yield tuple(batches)
                batches = []

    def stop(self) -> None:
        """Make the thread leave the COPY (the connection is closed after it) and wait."""
        self._stopped.set()
        self._thread.join()


def _receive(
    pgconn: pq.abc.PGconn,
    folder: Path,
    batch_rows: int,
    finished: Callable[[Path], None],
    stopped: threading.Event,
) -> None:
    """The COPY's rows, numbered from 1, into batch files, each handed to `finished` once
    written; stops early when `stopped` is set."""
    number = size = files = 0
    get = pgconn.get_copy_data
    while True:
        files += 1
        path = folder / f"{files:06d}.csv"
        last = number + batch_rows
        with path.open("wb") as out:
            pending: list[bytes] = []
            add = pending.append
            while number < last:
                size, data = get(1)
                if size == 0:  # nothing buffered: wait for the server without the GIL
                    if not _wait_readable(pgconn, stopped):
                        return
                    continue
                if size < 0:
                    break
                number += 1
                add(b"%d," % number + data)  # one object per row: the cheapest loop
                if len(pending) >= _WRITE_ROWS:
                    out.write(b"".join(pending))
                    pending.clear()
            out.write(b"".join(pending))
        if number > last - batch_rows:
            finished(path)
        if number < last:
            if size != -1:  # -2: the connection broke; its message says how
                raise _error(pgconn, None)
            return


def _wait_readable(pgconn: pq.abc.PGconn, stopped: threading.Event) -> bool:
    """Block until the server sends more (other threads run meanwhile), then take it in;
    False if the pull gave up meanwhile."""
    while not select.select([pgconn.socket], [], [], _STOP_CHECK_SECONDS)[0]:
        if stopped.is_set():
            return False
    try:
        pgconn.consume_input()
    except psycopg.OperationalError:
        raise _error(pgconn, None) from None
    return True


def _finish(pgconn: pq.abc.PGconn) -> None:
    """The COPY's own result: an error (a terminated backend) arrives only here."""
    result = pgconn.get_result()
    while pgconn.get_result() is not None:
        pass
    if result is None or result.status != pq.ExecStatus.COMMAND_OK:
        raise _error(pgconn, result)


class _Lost(psycopg.OperationalError):
    """The server ended the session (terminated, shut down) or the connection broke."""


# SQLSTATE classes of a session the server ended: connection exceptions, operator intervention.
_LOST_STATES = ("08", "57P")


def _error(pgconn: pq.abc.PGconn, result: pq.abc.PGresult | None) -> psycopg.OperationalError:
    """The error of a failed COPY: a lost session, or a query the server refused."""
    state = result.error_field(pq.DiagnosticField.SQLSTATE) if result is not None else None
    lost = pgconn.status != pq.ConnStatus.OK or (
        state is not None and state.decode().startswith(_LOST_STATES)
    )
    return (_Lost if lost else psycopg.OperationalError)(_message(pgconn, result))


def _message(pgconn: pq.abc.PGconn, result: pq.abc.PGresult | None) -> str:
    text = result.error_message if result is not None else b""
    if not text:
        text = pgconn.error_message
    return text.decode("utf-8", "replace").strip() or "the server closed the connection"
