"""How fast `pull` is, beside DuckDB's bare load of the same files.

    .venv/bin/python benchmarks/bench_pull.py               # 1 M jobs
    .venv/bin/python benchmarks/bench_pull.py --rows 200000

Writes the same jobs to /tmp as one Parquet and one NDJSON snapshot (one `range()`-based SQL
statement), then, per format, times in fresh processes (`measure`):

  * the bare load: `CREATE TABLE AS SELECT * FROM read_parquet(...)` / `read_json(...)` into a
    new DuckDB file, no validation, no merge;
  * a pull into a fresh store (validate, merge, log);
  * the same pull again into that store (every row unchanged).

Targets (printed, not asserted): pull <= 2x the bare load, re-pull <= 3x.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Measurement, measure

from reportgen.store import open_store

WORK = Path("/tmp/reportgen-bench-pull")
STAMP = "2026-11-25T10"

GENERATE = """
CREATE TABLE generated AS
SELECT 'job-' || i AS id,
       ['historical-pr-sync', 'recent-prs', 'pr-details', 'reviews', 'comments'][1 + i % 5]
           AS job_type,
       'repo-' || (hash(i) % 5000) AS repository_id,
       'org-' || (hash(i) % 97) || '/repo-' || (hash(i) % 5000) AS repository_name,
       CASE WHEN hash(i + 1) % 100 < 40 THEN 'github_actions' ELSE 'inngest' END
           AS processor_type,
       ['pending', 'processing', 'completed', 'failed', 'completed', 'completed'][1 + i % 6]
           AS status,
       TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds(i * 2) AS created_at,
       TIMESTAMPTZ '2026-11-01 00:00:05+00' + to_seconds(i * 2) AS started_at,
       TIMESTAMPTZ '2026-11-01 00:01:05+00' + to_seconds(i * 2) AS completed_at,
       CASE WHEN i % 6 = 3 THEN 'API rate limit exceeded for installation (HTTP 403)' END
           AS error,
       (i % 30)::BIGINT AS time_range_days,
       CASE WHEN hash(i + 1) % 100 < 40 THEN 9000000000 + i END AS workflow_run_id,
       json_object('items_processed', i % 100, 'trigger_source', 'schedule')::JSON AS metadata,
       TIMESTAMPTZ '2026-11-01 00:01:05+00' + to_seconds(i * 2) AS updated_at
FROM range($rows) AS r(i)
"""


def generate(rows: int) -> dict[str, Path]:
    """The same jobs as Parquet and as NDJSON snapshot files."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    files = {
        "parquet": WORK / "in" / f"jobs-{STAMP}.parquet",
        "ndjson": WORK / "in" / f"jobs-{STAMP}.ndjson",
    }
    files["parquet"].parent.mkdir()
    connection = duckdb.connect(config={"autoinstall_known_extensions": False})
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    connection.execute(GENERATE, {"rows": rows})
    connection.execute(f"COPY generated TO '{files['parquet']}' (FORMAT parquet)")
    connection.execute(f"COPY generated TO '{files['ndjson']}' (FORMAT json)")
    connection.close()
    return files


def bare_load(path: str, reader: str, database: str) -> int:
    connection = duckdb.connect(database, config={"autoinstall_known_extensions": False})
    connection.execute("SET enable_progress_bar = false")
    connection.execute(f"CREATE TABLE jobs AS SELECT * FROM {reader}('{path}')")
    count = connection.sql("SELECT count(*) FROM jobs").fetchall()[0][0]
    connection.close()
    return int(count)


def pull(path: str, database: str) -> tuple[int, int, int]:
    with open_store(Path(database)) as store:
        counts = store.pull(path).tables[0]
    return counts.accepted, counts.inserted, counts.unchanged


def report(label: str, rows: int, result: Measurement, bare: Measurement) -> None:
    print(f"{result.line(bare)}  {rows / result.wall_s:>10,.0f} rows/s  -> {result.result}")
    del label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    # In a child process, so this process's peak memory (inherited by every child) stays low.
    files = measure("generate", generate, rows).result
    print(
        f"{rows:,} jobs; Parquet {files['parquet'].stat().st_size / 1e6:.0f} MB,"
        f" NDJSON {files['ndjson'].stat().st_size / 1e6:.0f} MB"
    )
    for name, reader in (("parquet", "read_parquet"), ("ndjson", "read_json")):
        path = str(files[name])
        bare = measure(
            f"{name}: bare CREATE TABLE AS",
            bare_load,
            path,
            reader,
            str(WORK / f"bare-{name}.duckdb"),
        )
        print(f"{bare.line()}  {rows / bare.wall_s:>10,.0f} rows/s")
        store = str(WORK / f"store-{name}.duckdb")
        first = measure(f"{name}: pull into a fresh store", pull, path, store)
        report("pull", rows, first, bare)
        again = measure(f"{name}: pull again (all unchanged)", pull, path, store)
        report("re-pull", rows, again, bare)
    print("targets: pull <= 2x bare load, re-pull <= 3x (wall and cpu ratios above)")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
