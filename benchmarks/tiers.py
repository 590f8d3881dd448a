"""The benchmark tiers: a year (or a quarter) of jobs as one Parquet snapshot file per day.

The sample generator (`reportgen.sample`) draws every job from one Python random stream: about
20 s of CPU per million jobs, so 2,000 s for the L tier. Here the same profiles (job mix,
hour-of-day and weekday volume, log-normal latencies, failure rates and messages, repositories,
the rollout's percentage over time, the incident) are drawn in DuckDB SQL, one day per
statement, from hashes of (seed, day, job, draw): the same tier gives the same bytes, and a
day costs a fraction of a second.

What the vectorised draw leaves out, as it needs the jobs in order: the Actions runner queue
(a job waits only for its pickup), retries of failed jobs, and the circuit breaker's rollback
during the incident. Volumes, mixes, latencies and error rates follow the profiles.

Layout of a tier's folder (generated once, reused while its `tier.json` matches):

    <data>/<tier>/initial/   jobs-<day+1>T01.parquet for every day but the last, plus the
                             rollout_configuration, rollout_history and repository_categories
    <data>/<tier>/new/       the last day's jobs file: "one new day"
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from reportgen.sample import profiles as p
from reportgen.sample.generator import make_world
from reportgen.sample.repositories import category_rows
from reportgen.sample.rollout import configuration_row, history_rows
from reportgen.sample.spec import SampleSpec
from reportgen.sample.timestamps import to_ms

SEED = 4
# The year 2025, plus its last day as the new one; the data are as of 01:00 the day after.
YEAR_END = datetime(2026, 1, 1, tzinfo=UTC)
SNAPSHOT_LAG = timedelta(hours=1)
# A job's repository is drawn from this many slots, each owned by a repository in proportion
# to its activity (an equi-join instead of a search per job).
REPOSITORY_SLOTS = 1 << 14
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Tier:
    name: str
    jobs: int
    days: int

    @property
    def jobs_per_day(self) -> int:
        return max(1, round(self.jobs / self.days))

    @property
    def start(self) -> datetime:
        return YEAR_END - timedelta(days=self.days - 1)

    @property
    def end(self) -> datetime:
        """The end of the last (new) day."""
        return YEAR_END + timedelta(days=1)

    def snapshot_at(self, day_start: datetime) -> datetime:
        return day_start + timedelta(days=1) + SNAPSHOT_LAG

    @property
    def initial_as_of(self) -> datetime:
        return self.snapshot_at(YEAR_END - timedelta(days=1))

    @property
    def final_as_of(self) -> datetime:
        return self.snapshot_at(YEAR_END)


TIERS = {
    "S": Tier("S", 100_000, 90),
    "M": Tier("M", 10_000_000, 365),
    "L": Tier("L", 100_000_000, 365),
}


@dataclass(frozen=True)
class TierFiles:
    tier: Tier
    folder: Path

    @property
    def initial(self) -> Path:
        return self.folder / "initial"

    @property
    def new(self) -> Path:
        return self.folder / "new"

    def jobs_files(self) -> list[Path]:
        return sorted(self.initial.glob("jobs-*.parquet"))

    def new_file(self) -> Path:
        return next(self.new.glob("jobs-*.parquet"))

    @property
    def manifest(self) -> Path:
        return self.folder / "tier.json"


def _manifest(tier: Tier) -> dict[str, Any]:
    return {"generator": GENERATOR_VERSION, "seed": SEED, **asdict(tier)}


def ensure_tier(tier: Tier, data: Path, log: Any = print) -> TierFiles:
    """The tier's files under `data`, generated now unless a complete copy is there."""
    files = TierFiles(tier, data / tier.name)
    if files.manifest.exists():
        written = json.loads(files.manifest.read_text(encoding="utf-8"))
        if {k: v for k, v in written.items() if k != "rows"} == _manifest(tier):
            return files
    shutil.rmtree(files.folder, ignore_errors=True)
    files.initial.mkdir(parents=True)
    files.new.mkdir()
    rows = generate(tier, files, log)
    files.manifest.write_text(json.dumps({**_manifest(tier), "rows": rows}), encoding="utf-8")
    return files


def _spec(tier: Tier) -> SampleSpec:
    # The incident, "auto", falls a week before the end, as in the bundled sample.
    return SampleSpec.build(
        days=tier.days, jobs_per_day=tier.jobs_per_day, seed=SEED, end=tier.end, incident="auto"
    )


def generate(tier: Tier, files: TierFiles, log: Any = print) -> int:
    spec = _spec(tier)
    world = make_world(spec)
    _write_other_tables(files.initial, world)
    connection = duckdb.connect(
        config={"autoinstall_known_extensions": False, "threads": "2", "memory_limit": "1GB"}
    )
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")
        _prepare(connection, world)
        total = 0
        rng = random.Random(f"{SEED}/bench/{tier.name}/volume")
        for number in range(tier.days):
            day_start = tier.start + timedelta(days=number)
            last = number == tier.days - 1
            folder = files.new if last else files.initial
            snapshot = tier.snapshot_at(day_start)
            path = folder / f"jobs-{snapshot:%Y-%m-%dT%H}.parquet"
            total += _write_day(connection, spec, world, rng, day_start, snapshot, path, number)
            if number % 30 == 0 or last:
                log(f"  generated {number + 1}/{tier.days} days, {total:,} jobs")
        return total
    finally:
        connection.close()


def _write_other_tables(folder: Path, world: Any) -> None:
    rng = random.Random(f"{SEED}/bench/history")
    tables = {
        "rollout_configuration": [configuration_row(world.timeline)],
        "rollout_history": history_rows(world.timeline, rng),
        "repository_categories": category_rows(world.repositories),
    }
    for name, rows in tables.items():
        (folder / f"{name}.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _weighted(draw: str, values: Sequence[object], weights: Sequence[float]) -> str:
    """`rng.choices(values, weights)` as a CASE over one uniform draw."""
    total = sum(weights)
    cases, cumulative = [], 0.0
    for value, weight in zip(values[:-1], weights[:-1], strict=True):
        cumulative += weight / total
        cases.append(f"WHEN {draw} < {cumulative!r} THEN {_literal(value)}")
    return f"CASE {' '.join(cases)} ELSE {_literal(values[-1])} END"


def _latency(k: int, latency: p.Latency, scale: str = "1.0") -> str:
    return (
        f"least({latency.high}, greatest({latency.low},"
        f" floor(exp({latency.mu!r} + {latency.sigma!r} * gauss(i, {k}, salt)) * {scale})))"
        "::BIGINT"
    )


def _prepare(connection: duckdb.DuckDBPyConnection, world: Any) -> None:
    # Uniform in (0, 1) and standard normal (Box-Muller) draws from hashes: no hidden state.
    connection.execute(
        "CREATE MACRO uni(i, k, salt) AS"
        " ((hash(i, k, salt) % 1000000007)::DOUBLE + 0.5) / 1000000007.0"
    )
    connection.execute(
        "CREATE MACRO gauss(i, k, salt) AS"
        " sqrt(-2 * ln(uni(i, k, salt))) * cos(2 * pi() * uni(i, k + 1000, salt))"
    )
    active = [repo for repo in world.repositories if repo.activity > 0] or list(world.repositories)
    total = sum(repo.activity or 1.0 for repo in active)
    slots: list[tuple[int, str, str, int, float]] = []
    cumulative, index = 0.0, 0
    for slot in range(REPOSITORY_SLOTS):
        point = (slot + 0.5) / REPOSITORY_SLOTS * total
        while index < len(active) - 1 and cumulative + (active[index].activity or 1.0) < point:
            cumulative += active[index].activity or 1.0
            index += 1
        repo = active[index]
        slots.append((slot, repo.id, repo.name, repo.bucket, repo.work))
    connection.execute(
        "CREATE TABLE slots (slot INTEGER, repository_id VARCHAR, repository_name VARCHAR,"
        " bucket INTEGER, work DOUBLE)"
    )
    connection.executemany("INSERT INTO slots VALUES (?, ?, ?, ?, ?)", slots)


def _hours(
    spec: SampleSpec, world: Any, rng: random.Random, day_start: datetime
) -> list[tuple[int, int, int, float, bool]]:
    """(hour start ms, jobs, first job number, rollout %, in the incident) per hour."""
    rows, first = [], 0
    incident = spec.incident_ms
    for hour in range(24):
        start = to_ms(day_start) + hour * p.HOUR
        weekday = (start // p.DAY + 3) % 7  # 1970-01-01 was a Thursday
        expected = (spec.jobs_per_day / 24) * p.WEEKDAY_WEIGHTS[weekday] * p.HOUR_WEIGHTS[hour]
        count = max(0, round(rng.gauss(expected, expected**0.5)))
        in_incident = incident is not None and incident <= start < incident + p.INCIDENT_HOURS * (
            p.HOUR
        )
        rows.append((start, count, first, world.timeline.percentage_at(start), in_incident))
        first += count
    return rows


def _messages(category_column: str, draw: str) -> str:
    cases = " ".join(
        f"WHEN {_literal(category)} THEN [{', '.join(_literal(m) for m in messages)}]"
        f"[1 + floor({draw} * {len(messages)})::INTEGER]"
        for category, messages in p.ERROR_MESSAGES.items()
    )
    return f"CASE {category_column} {cases} END"


def _day_sql(spec: SampleSpec, salt: int, snapshot_ms: int) -> str:
    inngest_run = " ".join(
        f"WHEN {_literal(job_type)} THEN {_latency(20, latency, 'work')}"
        for job_type, latency in p.INNGEST_RUN.items()
    )
    actions_run = " ".join(
        f"WHEN {days} THEN {_latency(21, latency, 'work')}"
        for days, latency in p.ACTIONS_RUN.items()
    )
    max_items = " ".join(f"WHEN {_literal(t)} THEN {n}" for t, n in p.MAX_ITEMS.items())
    throttle_low, throttle_high = p.INNGEST_THROTTLED_WAIT
    micros = "make_timestamp(({})::BIGINT * 1000)::TIMESTAMPTZ"
    return f"""
WITH drawn AS (
    SELECT i, salt, hour_start + floor(uni(i, 1, salt) * {p.HOUR})::BIGINT AS created, pct,
           incident,
           floor(uni(i, 2, salt) * {REPOSITORY_SLOTS})::INTEGER AS slot,
           {_weighted("uni(i, 3, salt)", p.JOB_TYPES, p.JOB_TYPE_WEIGHTS)} AS job_type,
           {_weighted("uni(i, 4, salt)", p.HISTORICAL_RANGES, p.HISTORICAL_RANGE_WEIGHTS)}
               AS historical_range,
           {_weighted("uni(i, 5, salt)", p.TRIGGER_SOURCES, p.TRIGGER_SOURCE_WEIGHTS)}
               AS trigger_source
    FROM (SELECT *, first + unnest(range(jobs)) AS i, {salt} AS salt FROM hours)
), routed AS (
    SELECT *, CASE WHEN job_type = {_literal(p.HISTORICAL)} THEN historical_range
                   WHEN job_type = 'recent-prs' THEN 1 END AS time_range_days
    FROM drawn JOIN slots USING (slot)
), hybrid AS (
    SELECT *, coalesce(time_range_days > {p.HYBRID_MIN_RANGE_DAYS}
                       AND job_type = {_literal(p.HISTORICAL)} AND bucket < pct, false) AS actions
    FROM routed
), timed AS (
    SELECT *,
        CASE WHEN actions THEN {_latency(10, p.ACTIONS_PICKUP)}
             ELSE {_latency(11, p.INNGEST_WAIT)}
                  + CASE WHEN uni(i, 12, salt) < {p.INNGEST_THROTTLED_SHARE}
                         THEN {throttle_low} + floor(uni(i, 13, salt)
                              * {throttle_high - throttle_low})::BIGINT ELSE 0 END
        END AS wait,
        CASE WHEN actions THEN CASE time_range_days {actions_run} END
             ELSE CASE job_type {inngest_run} END END AS normal_run,
        NOT actions AND incident AS in_incident
    FROM hybrid
), failed AS (
    SELECT *,
        in_incident AND uni(i, 30, salt) < {p.INCIDENT_STUCK_RATE} AS stuck,
        uni(i, 31, salt) < CASE WHEN in_incident THEN {p.INCIDENT_FAILURE_RATE}
                                WHEN actions THEN {p.BASE_FAILURE_RATE["github_actions"]}
                                ELSE {p.BASE_FAILURE_RATE["inngest"]} END AS fails,
        CASE WHEN in_incident AND uni(i, 32, salt) < {p.INCIDENT_NETWORK_SHARE} THEN 'network'
             ELSE {_weighted("uni(i, 33, salt)", p.ERROR_CATEGORIES, p.ERROR_CATEGORY_WEIGHTS)}
        END AS category
    FROM timed
), lived AS (
    SELECT *, created + wait AS started,
        CASE WHEN stuck THEN NULL
             WHEN NOT fails THEN created + wait + normal_run
             WHEN category = 'network' AND NOT actions
                 THEN created + wait + {p.INNGEST_TIMEOUT_MS} + floor(uni(i, 34, salt) * 500)::BIGINT
             ELSE created + wait
                 + greatest(50, floor(normal_run * (0.05 + 0.55 * uni(i, 35, salt))))::BIGINT
        END AS finished,
        CASE WHEN fails AND NOT stuck THEN replace({_messages("category", "uni(i, 36, salt)")},
                                                   '{{repo}}', repository_name) END AS failure,
        CASE job_type {max_items} END AS max_items
    FROM failed
), seen AS (
    SELECT *,
        CASE WHEN started > {snapshot_ms} THEN 'pending'
             WHEN finished IS NULL OR finished > {snapshot_ms} THEN 'processing'
             WHEN failure IS NOT NULL THEN 'failed' ELSE 'completed' END AS status,
        floor(uni(i, 37, salt) * (CASE WHEN failure IS NULL THEN max_items
                                       ELSE max_items // 2 END + 1))::BIGINT AS items,
        md5('{SEED}/' || salt || '/' || i) AS hex
    FROM lived
)
SELECT substr(hex, 1, 8) || '-' || substr(hex, 9, 4) || '-4' || substr(hex, 14, 3) || '-a'
           || substr(hex, 18, 3) || '-' || substr(hex, 21, 12) AS id,
       job_type, repository_id, repository_name,
       CASE WHEN actions THEN 'github_actions' ELSE 'inngest' END AS processor_type,
       status,
       {micros.format("created")} AS created_at,
       CASE WHEN status <> 'pending' THEN {micros.format("started")} END AS started_at,
       CASE WHEN status IN ('completed', 'failed') THEN {micros.format("finished")} END
           AS completed_at,
       CASE WHEN status = 'failed' THEN failure END AS error,
       time_range_days::BIGINT AS time_range_days,
       CASE WHEN actions THEN {p.WORKFLOW_RUN_BASE} + (created - {spec.start_ms}) // 10
                              + floor(uni(i, 38, salt) * 10)::BIGINT END AS workflow_run_id,
       CASE WHEN status NOT IN ('completed', 'failed')
                THEN json_object('trigger_source', trigger_source, 'max_items', max_items)
            WHEN actions THEN json_object('trigger_source', trigger_source,
                                          'max_items', max_items, 'items_processed', items)
            ELSE json_object('trigger_source', trigger_source, 'max_items', max_items,
                             'itemsProcessed', items)
       END::VARCHAR AS metadata,
       {micros.format("CASE status WHEN 'pending' THEN created WHEN 'processing' THEN started ELSE finished END")}
           AS updated_at
FROM seen
ORDER BY created, i
"""  # noqa: E501


def _write_day(
    connection: duckdb.DuckDBPyConnection,
    spec: SampleSpec,
    world: Any,
    rng: random.Random,
    day_start: datetime,
    snapshot: datetime,
    path: Path,
    number: int,
) -> int:
    hours = _hours(spec, world, rng, day_start)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE hours (hour_start BIGINT, jobs BIGINT, first BIGINT,"
        " pct DOUBLE, incident BOOLEAN)"
    )
    connection.executemany("INSERT INTO hours VALUES (?, ?, ?, ?, ?)", hours)
    salt = SEED * 100_000 + number
    sql = _day_sql(spec, salt, to_ms(snapshot))
    partial = path.with_suffix(".partial")
    connection.execute(
        f"COPY ({sql}) TO {_literal(str(partial))} (FORMAT parquet, COMPRESSION zstd,"
        " ROW_GROUP_SIZE 122880)"
    )
    partial.rename(path)
    return sum(hour[1] for hour in hours)
