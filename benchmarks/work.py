"""The measured pieces that are not `reportgen` commands, each run as its own process.

    python -m benchmarks.work bare-load  DB FILE...        CREATE TABLE AS over Parquet files
    python -m benchmarks.work bare-add   DB FILE           INSERT the new day's file
    python -m benchmarks.work bare-query DB month|all|new START [END]
    python -m benchmarks.work reports    STORE AS_OF       every report of the site, no pages

The bare engine is DuckDB with its own defaults (no memory cap, all threads), as a user
would run it by hand. Each prints one line: what it produced (a count), so a step that did
nothing shows.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import duckdb

# The core aggregates of a report, per period and processor (and over all processors):
# counts by status, error rate, p50/p95 processing time. `{periods}` lists the period kinds.
AGGREGATES = """
WITH jobs_in AS (
    SELECT *, epoch_ms(completed_at - started_at) AS run_ms
    FROM jobs WHERE created_at >= $start AND created_at < $end
), periods AS ({periods})
SELECT kind, period, processor_type,
       count(*) AS jobs,
       count(*) FILTER (status = 'completed') AS completed,
       count(*) FILTER (status = 'failed') AS failed,
       count(*) FILTER (status = 'pending') AS pending,
       count(*) FILTER (status = 'processing') AS processing,
       100.0 * count(*) FILTER (status = 'failed')
           / nullif(count(*) FILTER (status IN ('completed', 'failed')), 0) AS error_rate,
       quantile_cont(run_ms, [0.5, 0.95]) FILTER (status = 'completed') AS p50_p95_ms
FROM periods
GROUP BY GROUPING SETS ((kind, period, processor_type), (kind, period))
"""
KINDS = {
    "month": ("month",),
    "all": ("day", "week", "month"),
    "new": ("day", "week", "month"),
}


def _connect(path: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(
        path, read_only=read_only, config={"autoinstall_known_extensions": False}
    )
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    return connection


def _list(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def bare_load(database: str, files: list[str]) -> int:
    connection = _connect(database)
    connection.execute(f"CREATE TABLE jobs AS SELECT * FROM read_parquet({_list(files)})")
    return int(connection.sql("SELECT count(*) FROM jobs").fetchall()[0][0])


def bare_add(database: str, file: str) -> int:
    connection = _connect(database)
    connection.execute(f"INSERT INTO jobs SELECT * FROM read_parquet({_list([file])})")
    return int(connection.sql("SELECT count(*) FROM jobs").fetchall()[0][0])


def bare_query(database: str, which: str, start: datetime, end: datetime) -> int:
    periods = " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, date_trunc('{kind}', created_at) AS period, * FROM jobs_in"
        for kind in KINDS[which]
    )
    connection = _connect(database, read_only=True)
    rows = connection.sql(
        AGGREGATES.format(periods=periods), params={"start": start, "end": end}
    ).fetchall()
    return len(rows)


def reports(store: str, as_of: datetime) -> int:
    """Every report the site shows, computed as `build` does, nothing rendered or written."""
    from reportgen.config import load_settings
    from reportgen.render.site.plan import plan_site
    from reportgen.report.loader import StoreReports
    from reportgen.store import Resources, open_store

    settings = load_settings(overrides={"store": {"path": store}})
    resources = Resources.of(settings.store)
    workers = settings.store.threads
    with (
        open_store(Path(store), wait_seconds=30, read_only=True, resources=resources) as opened,
        StoreReports(opened, settings, as_of, workers=workers) as source,
    ):
        plan = plan_site(source.span(), settings.report.timezone, as_of, {})
        periods = [page.period for page in plan.pages if page.period]
        source.ahead(periods)
        return sum(1 for period in periods if source.report(period))


def main(argv: list[str]) -> int:
    match argv:
        case ["bare-load", database, *files]:
            produced = bare_load(database, files)
        case ["bare-add", database, file]:
            produced = bare_add(database, file)
        case ["bare-query", database, which, start, end]:
            produced = bare_query(
                database, which, datetime.fromisoformat(start), datetime.fromisoformat(end)
            )
        case ["reports", store, as_of]:
            produced = reports(store, datetime.fromisoformat(as_of))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    print(produced)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
