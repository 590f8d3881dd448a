"""The PostgreSQL source against the real server: each test makes and drops its own database."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fakes.postgres import fresh_database
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from reportgen.cli.app import app
from reportgen.errors import InputError
from reportgen.schema import JOBS
from reportgen.sources import Chunk, Part, Source
from reportgen.sources.postgres import PostgresSource
from reportgen.store import PullResult, Store, open_store

T0 = datetime(2026, 11, 25, 9, tzinfo=UTC)
JOB_COLUMNS = JOBS.column_names  # the upstream table's columns, in its order


def job(number: int, **overrides: Any) -> dict[str, Any]:
    """A job as the database holds it; every value kind the source must carry faithfully."""
    created = T0 + timedelta(minutes=number)
    row: dict[str, Any] = {
        "id": str(uuid.UUID(int=number + 1)),
        "job_type": ["recent-prs", "reviews", "comments"][number % 3],
        "repository_id": str(uuid.UUID(int=1000 + number % 7)),
        "repository_name": f"org/repo-{number % 7}" if number % 5 else 'we"ird, name\nline',
        "processor_type": ["inngest", "github_actions"][number % 2],
        "status": ["completed", "failed", "pending", "processing"][number % 4],
        "created_at": created,
        "started_at": created + timedelta(seconds=10) if number % 4 != 2 else None,
        "completed_at": created + timedelta(seconds=70, microseconds=123456)
        if number % 4 < 2
        else None,
        "error": "" if number % 11 == 0 else ("rate limit" if number % 4 == 1 else None),
        "time_range_days": number % 30,
        "workflow_run_id": 9_000_000_000 + number if number % 2 else None,
        "metadata": {"items_processed": number, "trigger_source": "schedule", "ü": [1, None]},
        "updated_at": created + timedelta(seconds=70),
    }
    row.update(overrides)
    return row


def insert_jobs(dsn: str, rows: Sequence[Mapping[str, Any]]) -> None:
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO progressive_capture_jobs ({', '.join(JOB_COLUMNS)})"
            f" VALUES ({', '.join(['%s'] * len(JOB_COLUMNS))})",
            [
                [Jsonb(r[c]) if c == "metadata" and r[c] is not None else r[c] for c in JOB_COLUMNS]
                for r in rows
            ],
        )


def as_ndjson(rows: Sequence[Mapping[str, Any]]) -> str:
    def text(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return "".join(json.dumps({k: text(v) for k, v in r.items()}) + "\n" for r in rows)


def stored_jobs(store: Store) -> list[tuple[Any, ...]]:
    """The jobs as stored, JSON parsed (the database normalises key order and spacing)."""
    frame = store.table("jobs").sort("id")
    return [
        tuple(json.loads(v) if c == "metadata" and v is not None else v for c, v in row.items())
        for row in frame.iter_rows(named=True)
    ]


def counts(result: PullResult, table: str = "jobs") -> tuple[int, ...]:
    found = next(c for c in result.tables if c.table == table)
    return (found.accepted, found.inserted, found.updated, found.unchanged, found.rejected)


def contents(store: Store) -> list[tuple[Any, ...]]:
    rows = []
    for table in ("jobs", "rollout_configuration", "rollout_history", "rejects", "pulls"):
        rows += store.connection.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    return rows


@pytest.fixture
def dsn() -> Iterator[str]:
    with fresh_database() as made:
        yield made


def test_pull_from_postgresql_equals_pull_of_the_same_rows_from_files(
    dsn: str, tmp_path: Path
) -> None:
    rows = [job(n) for n in range(40)]
    insert_jobs(dsn, rows)
    export = tmp_path / "jobs-2026-11-25T10.ndjson"
    export.write_text(as_ndjson(rows), encoding="utf-8")
    with open_store(tmp_path / "db.duckdb") as from_database:
        limit = "SELECT current_setting('memory_limit')"
        limits = [from_database.connection.sql(limit).fetchall()]
        result = from_database.pull(PostgresSource(dsn, batch_rows=7))
        limits.append(from_database.connection.sql(limit).fetchall())
        database_rows = stored_jobs(from_database)
    with open_store(tmp_path / "files.duckdb") as from_files:
        from_files.pull(str(export))
        file_rows = stored_jobs(from_files)
    assert counts(result) == (40, 40, 0, 0, 0)
    assert database_rows == file_rows
    assert limits[0] == limits[1]  # the pull's memory bound is lifted after it
    first = database_rows[0]
    assert first[JOB_COLUMNS.index("completed_at")] == T0 + timedelta(
        seconds=70, microseconds=123456
    )
    assert first[JOB_COLUMNS.index("error")] == ""  # an empty string is not NULL
    assert first[JOB_COLUMNS.index("repository_name")] == 'we"ird, name\nline'


def test_pull_reads_jsonb_text_arrays_and_the_history_feature(dsn: str, tmp_path: Path) -> None:
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "INSERT INTO rollout_configuration (feature_name, rollout_percentage, is_active,"
            " target_repositories, max_error_rate, updated_at)"
            " VALUES ('hybrid_progressive_capture', 25, true, ARRAY['r1', 'r \"2\"'], 2.5, %s)",
            [T0],
        )
        connection.execute(
            "INSERT INTO rollout_history (rollout_config_id, action, previous_percentage,"
            " new_percentage, reason, triggered_by, metadata, created_at)"
            " SELECT id, 'rollback', 25, 0, 'errors', 'manual', '{\"a\": {\"b\": 1}}', %s"
            " FROM rollout_configuration",
            [T0],
        )
    insert_jobs(dsn, [job(1)])
    with open_store(tmp_path / "s.duckdb") as store:
        store.pull(PostgresSource(dsn))
        configuration = store.table("rollout_configuration").row(0, named=True)
        history = store.table("rollout_history").row(0, named=True)
    assert (
        configuration["rollout_percentage"],
        configuration["max_error_rate"],
        json.loads(configuration["target_repositories"]),
        json.loads(configuration["excluded_repositories"]),
        configuration["updated_at"],
    ) == (25.0, 2.5, ["r1", 'r "2"'], [], T0)
    assert (history["feature_name"], history["action"], json.loads(history["metadata"])) == (
        "hybrid_progressive_capture",
        "rollback",
        {"a": {"b": 1}},
    )


def test_values_no_job_can_have_are_rejects_with_their_reason(dsn: str, tmp_path: Path) -> None:
    # Typed by the database, yet not a job's: an infinite time (which the driver reads as a
    # moment in 290279 BC), a blank job type, metadata that is JSON but not an object.
    insert_jobs(
        dsn,
        [
            job(1, created_at="infinity"),
            job(2, completed_at="-infinity"),
            job(3, job_type="  "),
            job(4, metadata=[1, 2]),
            job(5),
        ],
    )
    with open_store(tmp_path / "s.duckdb") as store:
        result = store.pull(PostgresSource(dsn))
        stored = store.table("jobs")["id"].to_list()
    assert counts(result) == (1, 1, 0, 0, 4)
    assert stored == [job(5)["id"]]
    assert [r.reason.split(' "')[0] for r in result.first_rejects] == [
        "created_at: out of range",
        "completed_at: out of range",
        "missing job_type",
        "metadata: not a JSON object",
    ]


def test_incremental_pull_takes_only_the_changed_rows(dsn: str, tmp_path: Path) -> None:
    insert_jobs(dsn, [job(n) for n in range(10)])
    source = PostgresSource(dsn, overlap_seconds=0)
    with open_store(tmp_path / "s.duckdb") as store:
        first = store.pull(source)
        unchanged = store.pull(source)
        later = T0 + timedelta(hours=2)
        with psycopg.connect(dsn) as connection:
            connection.execute(
                "UPDATE progressive_capture_jobs SET status = 'failed', updated_at = %s"
                " WHERE id = %s",
                [later, job(2)["id"]],
            )
        insert_jobs(dsn, [job(50, updated_at=later)])
        changed = store.pull(source)
        again = store.pull(source)
        statuses = dict(store.table("jobs").select("id", "status").iter_rows())
        logged = store.connection.sql(
            "SELECT pull_id, watermark FROM pull_watermarks WHERE table_name = 'jobs'"
            " ORDER BY pull_id"
        ).fetchall()
    assert counts(first) == (10, 10, 0, 0, 0)
    # The row at the watermark is read again (>=) and is unchanged; nothing older is read.
    assert counts(unchanged) == (1, 0, 0, 1, 0)
    assert counts(changed) == (3, 1, 1, 1, 0)
    assert counts(again) == (2, 0, 0, 2, 0)
    assert statuses[job(2)["id"]] == "failed"
    newest = T0 + timedelta(minutes=9, seconds=70)
    assert logged == [(1, newest), (2, newest), (3, later), (4, later)]
    assert first.watermark == newest


class TerminatedMidPull:
    """The PostgreSQL source, with its server connection terminated after the first chunk."""

    def __init__(self, dsn: str) -> None:
        self.source = PostgresSource(dsn, batch_rows=500)
        self.dsn = dsn
        self.terminated = threading.Event()

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def unit(self) -> str:
        return self.source.unit

    @property
    def skipped(self) -> tuple[str, ...]:
        return ()

    @property
    def memory_budget(self) -> int:
        return self.source.memory_budget

    def open(self, since: Mapping[str, datetime]) -> AbstractContextManager[Sequence[Part]]:
        @contextmanager
        def opened() -> Iterator[Sequence[Part]]:
            with self.source.open(since) as parts:
                yield [replace(p, chunks=self._terminating(p)) for p in parts]

        return opened()

    def _terminating(self, part: Part) -> Any:
        def chunks() -> Iterator[Chunk]:
            for chunk in part.chunks():
                yield chunk
                if not self.terminated.is_set():
                    with psycopg.connect(self.dsn, autocommit=True) as killer:
                        killer.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name = 'reportgen pull'"
                            " AND datname = current_database()"
                        )
                    self.terminated.set()

        return chunks


def test_a_connection_killed_mid_pull_leaves_the_store_unchanged(dsn: str, tmp_path: Path) -> None:
    insert_jobs(dsn, [job(n) for n in range(5)])
    with open_store(tmp_path / "s.duckdb") as store:
        store.pull(PostgresSource(dsn))
        before = contents(store)
        insert_jobs(dsn, [job(n) for n in range(100, 20_100)])
        killed: Source = TerminatedMidPull(dsn)
        with pytest.raises(InputError) as raised:
            store.pull(killed)
        assert contents(store) == before
        temporary = store.connection.sql(
            "SELECT count(*) FROM duckdb_tables() WHERE temporary"
        ).fetchall()
    # libpq's words depend on where in the stream the connection died; the first line only.
    message = str(raised.value)
    assert message.startswith(f"lost the connection to {PostgresSource(dsn).label}: ")
    assert "\n" not in message
    assert raised.value.hint == (
        "Check the database and the network, then pull again; the store is unchanged."
    )
    assert temporary == [(0,)]


def test_cli_pull_from_the_environment_never_shows_the_password(dsn: str, tmp_path: Path) -> None:
    insert_jobs(dsn, [job(1), job(2, status="lost")])
    with_password = dsn.replace("postgres@", "postgres:Sup3r-s3cret@")
    environment = {"REPORTGEN_DATABASE_URL": with_password}
    runner = CliRunner()
    result = runner.invoke(app, ["--store", "s.duckdb", "pull"], env=environment)
    assert result.exit_code == 0, result.output
    label = PostgresSource(dsn).label
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Pulled 4 table(s) from {label}; data as of ")
    assert lines[2].split() == [
        "table",
        "tables",
        "accepted",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
    ]
    assert lines[3].split() == ["jobs", "1", "1", "1", "0", "0", "1"]
    assert lines[-1] == (f'  {label} progressive_capture_jobs row 2: status: unknown value "lost"')
    with open_store(Path("s.duckdb"), read_only=True) as store:
        logged = [str(row) for row in contents(store)]
    failed = runner.invoke(
        app,
        ["--store", "s.duckdb", "pull", "--source", with_password.replace(dsn[-12:], "x" * 12)],
    )
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error: cannot connect to postgresql://postgres@127.0.0.1")
    for text in (result.output, failed.output, *logged):
        assert "Sup3r-s3cret" not in text
        assert with_password not in text


def test_a_missing_jobs_table_is_an_error_and_other_names_are_settings(
    dsn: str, tmp_path: Path
) -> None:
    from reportgen.sources.postgres import TableNames

    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE SCHEMA jobsystem")
        connection.execute("ALTER TABLE progressive_capture_jobs SET SCHEMA jobsystem")
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(InputError) as raised:
            store.pull(PostgresSource(dsn))
        moved = PostgresSource(dsn, tables=TableNames(jobs="jobsystem.progressive_capture_jobs"))
        with psycopg.connect(dsn) as connection:
            connection.execute(
                "INSERT INTO jobsystem.progressive_capture_jobs (job_type, processor_type,"
                " status, created_at) VALUES ('reviews', 'inngest', 'pending', %s)",
                [T0],
            )
        result = store.pull(moved)
    label = PostgresSource(dsn).label
    assert str(raised.value) == f"{label} has no table progressive_capture_jobs (for jobs)"
    assert raised.value.hint == "Set source.jobs_table to the table that holds the jobs rows."
    assert counts(result) == (1, 1, 0, 0, 0)
    assert result.origins[0] == f"{label} jobsystem.progressive_capture_jobs"


def test_a_table_the_role_may_not_read_is_an_error_that_names_the_grant(
    dsn: str, tmp_path: Path
) -> None:
    role = f"reportgen_reader_{uuid.uuid4().hex[:8]}"  # roles are server-wide: a unique one
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f"GRANT SELECT ON rollout_configuration TO {role}")
    reader = dsn.replace("postgres@", f"{role}:pw@")
    try:
        with open_store(tmp_path / "s.duckdb") as store, pytest.raises(InputError) as raised:
            store.pull(PostgresSource(reader))
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")
    assert str(raised.value) == (
        f"cannot read {PostgresSource(reader).label}: permission denied for table"
        " progressive_capture_jobs"
    )
    assert raised.value.hint == (
        "Check that the role may SELECT the source.*_table tables; the store is unchanged."
    )


HOSTILE = (
    'comma, "quote" and ""two""',
    "line one\nline two\r\nline three\rend",
    "\n",
    '"',
    "  spaced  ",
    "\\. alone\n\\.\n",
    "back\\slash \\N NULL null",
    "ünïcödé ✓ 🚀 עברית",
    "tab\there;semi|pipe",
    "",
)


def test_hostile_text_round_trips_exactly_across_batch_boundaries(dsn: str, tmp_path: Path) -> None:
    # 12 rows in batches of 4: boundaries fall inside the hostile rows, and the last batch
    # ends exactly at the table's end.
    rows = [
        job(n, error=HOSTILE[n % len(HOSTILE)], repository_name=HOSTILE[n * 3 % len(HOSTILE)])
        for n in range(12)
    ]
    rows[9]["status"] = "lost"  # rejected: the reject is named by its row in the whole read
    insert_jobs(dsn, rows)
    with open_store(tmp_path / "s.duckdb") as store:
        result = store.pull(PostgresSource(dsn, batch_rows=4))
        stored = {
            row["id"]: (row["error"], row["repository_name"], row["metadata"])
            for row in store.table("jobs").iter_rows(named=True)
        }
    assert counts(result) == (11, 11, 0, 0, 1)
    assert [(r.row_number, r.reason) for r in result.first_rejects] == [
        (10, 'status: unknown value "lost"')
    ]
    for number, row in enumerate(rows):
        if number == 9:
            assert row["id"] not in stored
            continue
        error, name, metadata = stored[row["id"]]
        assert (error, name) == (row["error"], row["repository_name"])
        assert json.loads(metadata) == row["metadata"]
    assert reading_threads() == []  # the read's thread ends with the read


def test_a_table_of_one_batch_and_of_none(dsn: str, tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        empty = store.pull(PostgresSource(dsn, batch_rows=4))
        insert_jobs(dsn, [job(1)])
        one = store.pull(PostgresSource(dsn, batch_rows=4))
    assert counts(empty) == (0, 0, 0, 0, 0)
    assert counts(one) == (1, 1, 0, 0, 0)


def test_a_connection_killed_during_the_copy_leaves_the_store_and_no_reader(
    dsn: str, tmp_path: Path
) -> None:
    """The backend is terminated while it streams the table: some batches are read, the rest
    never comes."""
    from reportgen.sources.postgres import TableNames

    rows = [job(n) for n in range(3000)]
    insert_jobs(dsn, rows[:5])
    with psycopg.connect(dsn) as connection:
        # Only the COPY sleeps (not the watermark query), at a row deep inside the table.
        connection.execute(
            "CREATE VIEW slow_jobs AS SELECT j.* FROM progressive_capture_jobs AS j"
            " WHERE CASE WHEN j.id = %s AND current_query() LIKE 'COPY%%'"
            " THEN pg_sleep(60) IS NOT NULL ELSE true END".replace("%s", f"'{rows[2500]['id']}'")
        )
    source = PostgresSource(dsn, tables=TableNames(jobs="slow_jobs"), batch_rows=100)
    killed = threading.Event()

    def kill_while_sleeping() -> None:
        with psycopg.connect(dsn, autocommit=True) as killer:
            for _ in range(600):
                found = killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'reportgen pull' AND wait_event = 'PgSleep'"
                    " AND datname = current_database()"
                ).fetchall()
                if found:
                    killed.set()
                    return
                killed.wait(0.05)

    with open_store(tmp_path / "s.duckdb") as store:
        store.pull(source)
        before = contents(store)
        insert_jobs(dsn, rows[5:])
        killer = threading.Thread(target=kill_while_sleeping)
        killer.start()
        try:
            with pytest.raises(InputError) as raised:
                store.pull(source)
        finally:
            killer.join()
        assert contents(store) == before
    assert killed.is_set()
    assert str(raised.value).startswith(f"lost the connection to {source.label}: ")
    assert "\n" not in str(raised.value)
    assert reading_threads() == []


def reading_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "reportgen-read"]


def test_a_pull_that_stops_reading_stops_the_copy(dsn: str) -> None:
    """The store gives up after the first batch (as when a scan fails): the reader thread
    leaves the COPY while it still has rows to send."""
    insert_jobs(dsn, [job(n) for n in range(3000)])
    with PostgresSource(dsn, batch_rows=10).open({}) as parts:
        chunks = next(p for p in parts if p.table == "jobs").chunks()
        assert isinstance(chunks, Generator)
        stream = next(chunks).rows
        assert stream is not None
        first = stream.read_next_batch()
        assert reading_threads() != []
        chunks.close()
        readers = reading_threads()
    assert first.column("__number").to_pylist() == list(range(1, 11))
    assert readers == []


def test_a_source_closed_with_a_table_half_read_stops_its_reader_first(
    dsn: str, tmp_path: Path
) -> None:
    """The store fails mid-table and the chunks are never closed (a traceback holds them): the
    source stops the reader thread before it closes the connection the thread reads from."""
    insert_jobs(dsn, [job(n) for n in range(3000)])
    with PostgresSource(dsn, batch_rows=10).open({}) as parts:
        chunks = next(p for p in parts if p.table == "jobs").chunks()
        next(chunks)
    assert reading_threads() == []
    assert isinstance(chunks, Generator)
    chunks.close()  # the suspended generator cleans up quietly after the source closed
