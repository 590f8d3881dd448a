"""How fast a pull from PostgreSQL is, beside psql's `\\copy … to stdout` of the same table.

    .venv/bin/python benchmarks/bench_pull_postgres.py               # 1 M jobs
    .venv/bin/python benchmarks/bench_pull_postgres.py --rows 200000

Makes its own database on the local server (127.0.0.1:5432; REPORTGEN_BENCH_SERVER to change)
with the expected schema, fills `progressive_capture_jobs` with one SQL statement, then times:

  * the bare read: `psql -c "\\copy progressive_capture_jobs to stdout (format csv)"` into
    /dev/null, the fastest way the same rows leave the server;
  * the source alone: the same table through binary `COPY` into numbered Arrow batches, as a
    pull reads it, and nothing staged (how far the read itself is from psql's; the rest of a
    pull is the store's validation, merge and rollups);
  * a pull into a fresh store at two batch sizes (peak memory should follow the batch, not
    the table);
  * the same pull again (incremental: only the rows at the watermark are read again).

The bare read and the pull at batches of 100 k take turns (`--rounds`, 3) and their medians
are compared. Targets (printed, not asserted): pull <= 2x the bare read. The database is
dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import Measurement, measure
from reportgen.sources.postgres import PostgresSource
from reportgen.store import open_store

SERVER = os.environ.get("REPORTGEN_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432")
WORK = Path("/tmp/reportgen-bench-pull-postgres")

GENERATE = """
INSERT INTO progressive_capture_jobs (id, job_type, repository_id, repository_name,
    processor_type, status, created_at, started_at, completed_at, error, time_range_days,
    workflow_run_id, metadata, updated_at)
SELECT gen_random_uuid(),
       (ARRAY['historical-pr-sync', 'recent-prs', 'pr-details', 'reviews', 'comments'])
           [1 + i %% 5],
       md5('repo-' || (i %% 5000))::uuid,
       'org-' || (i %% 5000 %% 97) || '/repo-' || (i %% 5000),
       CASE WHEN i %% 10 < 4 THEN 'github_actions' ELSE 'inngest' END,
       (ARRAY['pending', 'processing', 'completed', 'failed', 'completed', 'completed'])
           [1 + i %% 6],
       TIMESTAMPTZ '2026-11-01 00:00:00+00' + i * INTERVAL '2 second',
       TIMESTAMPTZ '2026-11-01 00:00:05+00' + i * INTERVAL '2 second',
       TIMESTAMPTZ '2026-11-01 00:01:05.25+00' + i * INTERVAL '2 second',
       CASE WHEN i %% 6 = 3 THEN 'API rate limit exceeded for installation (HTTP 403)' END,
       i %% 30,
       CASE WHEN i %% 10 < 4 THEN 9000000000 + i END,
       jsonb_build_object('items_processed', i %% 100, 'trigger_source', 'schedule'),
       TIMESTAMPTZ '2026-11-01 00:01:05.25+00' + i * INTERVAL '2 second'
FROM generate_series(0, %(rows)s - 1) AS s(i)
"""


COPY_TO_STDOUT = "\\copy progressive_capture_jobs to stdout with (format csv)"


def create(name: str, rows: int) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = f"{SERVER}/{name}"
    schema = resources.files("reportgen.sources").joinpath("postgres_schema.sql").read_text()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(schema.encode())
        connection.execute(GENERATE, {"rows": rows})
        connection.execute("VACUUM ANALYZE progressive_capture_jobs")
    return dsn


def drop(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def psql_copy(dsn: str) -> Measurement:
    """psql's \\copy to /dev/null; its CPU and peak are the psql child's own (the server's
    are not counted)."""
    start = time.perf_counter()
    with Path(os.devnull).open("wb") as sink:
        psql = subprocess.Popen(["psql", "-X", "-q", dsn, "-c", COPY_TO_STDOUT], stdout=sink)
        _, status, usage = os.wait4(psql.pid, 0)  # reaped here, for psql's own usage
        psql.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if psql.returncode != 0:
        raise RuntimeError("psql's \\copy failed")
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement("bare: psql \\copy to stdout", wall, cpu, usage.ru_maxrss / 1024, None)


def pull(dsn: str, store: str, batch_rows: int) -> tuple[int, int, int]:
    source = PostgresSource(dsn, batch_rows=batch_rows)
    with open_store(Path(store)) as opened:
        counts = opened.pull(source).tables[0]
    return counts.accepted, counts.inserted, counts.unchanged


def read_only(dsn: str, batch_rows: int) -> tuple[int, int]:
    """The source's read of every table into Arrow batches, which nothing scans:
    (batches, bytes)."""
    source = PostgresSource(dsn, batch_rows=batch_rows)
    batches = size = 0
    with source.open({}) as parts:
        for part in parts:
            for chunk in part.chunks():
                assert chunk.rows is not None
                for batch in chunk.rows:
                    batches += 1
                    size += batch.nbytes
    return batches, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved psql and pull rounds (medians compared)"
    )
    args = parser.parse_args()
    rows = args.rows
    name = f"reportgen_bench_{uuid.uuid4().hex[:8]}"
    WORK.mkdir(parents=True, exist_ok=True)
    store = str(WORK / "store.duckdb")
    try:
        started = time.perf_counter()
        dsn = create(name, rows)
        print(f"{rows:,} jobs in PostgreSQL ({time.perf_counter() - started:.1f} s to generate)")
        # Wall times on a shared machine swing by a second between identical runs: the read
        # and the pull take turns, and their medians are compared.
        bares, pulls = [], []
        for _ in range(args.rounds):
            bares.append(psql_copy(dsn))
            print(f"{bares[-1].line()}  {rows / bares[-1].wall_s:>10,.0f} rows/s")
            Path(store).unlink(missing_ok=True)
            pulls.append(measure("pull, batches of 100,000 rows", pull, dsn, store, 100_000))
            print(f"{pulls[-1].line(bares[-1])}  -> {pulls[-1].result}")
        bare, first = _median(bares), _median(pulls)
        print(f"median of {args.rounds}: {first.line(bare)}  {rows / first.wall_s:>10,.0f} rows/s")
        read = measure("source alone: binary COPY into Arrow", read_only, dsn, 100_000)
        print(f"{read.line(bare)}  {rows / read.wall_s:>10,.0f} rows/s  -> {read.result}")
        Path(store).unlink(missing_ok=True)
        small = measure("pull, batches of 10,000 rows", pull, dsn, store, 10_000)
        print(f"{small.line(bare)}  {rows / small.wall_s:>10,.0f} rows/s  -> {small.result}")
        again = measure("pull again (incremental)", pull, dsn, store, 10_000)
        print(f"{again.line(bare)}  -> {again.result}")
        print("target: pull <= 2x the bare read (wall); peak memory by batch size, not table")
    finally:
        drop(name)
        Path(store).unlink(missing_ok=True)


def _median(runs: list[Measurement]) -> Measurement:
    return sorted(runs, key=lambda run: run.wall_s)[len(runs) // 2]


if __name__ == "__main__":
    main()
