"""Writes a sample as snapshot files, the way the job system's exports would look.

Jobs go to one NDJSON file per snapshot, `jobs-<UTC hour>.ndjson`: daily snapshots, then hourly
ones for the last day. Each holds the jobs whose row changed since the previous snapshot, in the
state the snapshot saw, so a job can appear `pending`, then `processing`, then finished in later
files. The other tables are written once, as they stand at the end.

The files are written into a fresh directory beside `out_dir`, which is then swapped in: a
failed run leaves the previous sample untouched.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import json
import logging
import os
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from reportgen.errors import UsageError
from reportgen.sample.generator import World, generate_lives, make_world
from reportgen.sample.profiles import DAY, HOUR
from reportgen.sample.repositories import category_rows
from reportgen.sample.rollout import configuration_row, history_rows
from reportgen.sample.spec import (
    DEFAULT_DAYS,
    DEFAULT_END,
    DEFAULT_JOBS_PER_DAY,
    DEFAULT_SEED,
    IncidentChoice,
    SampleSpec,
)
from reportgen.sample.timestamps import stamp
from reportgen.schema import JOB_STATUSES, REPOSITORY_CATEGORIES

log = logging.getLogger(__name__)

# What may already be in an output directory that we replace: earlier snapshot files only.
SNAPSHOT_FILE = re.compile(
    r"(jobs|rollout_configuration|rollout_history|repository_categories)"
    r"(-[0-9T:-]+)?\.(ndjson|jsonl|json|csv|parquet)"
)


@dataclass(frozen=True)
class SampleSummary:
    """What `write_sample` wrote."""

    out_dir: Path
    files: tuple[str, ...]
    total_bytes: int
    jobs: int
    job_rows: int
    snapshots: int
    status_at_end: dict[str, int]
    start: datetime
    end: datetime
    incident: date | None
    rollout_percentage: float
    repositories: int
    categorised_repositories: int


def write_sample(
    out_dir: Path,
    days: int = DEFAULT_DAYS,
    jobs_per_day: int = DEFAULT_JOBS_PER_DAY,
    seed: int = DEFAULT_SEED,
    end: datetime = DEFAULT_END,
    incident: IncidentChoice = "auto",
) -> SampleSummary:
    """Generate a sample and write it to `out_dir`, replacing an earlier sample there."""
    spec = SampleSpec.build(
        days=days, jobs_per_day=jobs_per_day, seed=seed, end=end, incident=incident
    )
    _check_replaceable(out_dir)
    log.info(
        "Generating %d days of about %d jobs a day (seed %d) into %s",
        spec.days,
        spec.jobs_per_day,
        spec.seed,
        out_dir,
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = _fresh_directory(out_dir, "new")
    try:
        summary = _write_files(staging, spec)
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dataclasses.replace(summary, out_dir=out_dir)


def snapshot_times(spec: SampleSpec) -> list[int]:
    """Daily snapshots at the end's hour of day, then hourly ones for the last 24 hours."""
    daily = [spec.end_ms - k * DAY for k in range(spec.days - 1, 0, -1)]
    hourly = [spec.end_ms - k * HOUR for k in range(23, -1, -1)]
    return daily + hourly


def _write_files(directory: Path, spec: SampleSpec) -> SampleSummary:
    world = make_world(spec)
    jobs, job_rows, status_at_end = _write_jobs(directory, spec, world)
    rng = random.Random(f"{spec.seed}/rollout")
    _write_json(directory / "rollout_configuration.json", [configuration_row(world.timeline)])
    _write_json(directory / "rollout_history.json", history_rows(world.timeline, rng))
    categories = category_rows(world.repositories)
    _write_csv(directory / "repository_categories.csv", categories)
    files = tuple(sorted(path.name for path in directory.iterdir()))
    return SampleSummary(
        out_dir=directory,
        files=files,
        total_bytes=sum((directory / name).stat().st_size for name in files),
        jobs=jobs,
        job_rows=job_rows,
        snapshots=len(snapshot_times(spec)),
        status_at_end=status_at_end,
        start=datetime.fromtimestamp(spec.start_ms / 1000, UTC),
        end=spec.end,
        incident=spec.incident,
        rollout_percentage=world.timeline.current,
        repositories=len(world.repositories),
        categorised_repositories=len(categories),
    )


def _write_jobs(directory: Path, spec: SampleSpec, world: World) -> tuple[int, int, dict[str, int]]:
    """Stream the jobs into their snapshot files; returns jobs, rows and statuses at the end.

    Rows of snapshot k come only from jobs created by its time, so its file is complete, and
    written, as soon as a later job appears: memory holds about one snapshot's rows.
    """
    times = snapshot_times(spec)
    pending: dict[int, list[str]] = {index: [] for index in range(len(times))}
    next_to_write = 0
    jobs = job_rows = 0
    statuses: Counter[str] = Counter()
    for life in generate_lives(spec, world):
        while life.created > times[next_to_write]:
            _write_lines(directory, times[next_to_write], pending.pop(next_to_write))
            next_to_write += 1
        snapshots = {bisect.bisect_left(times, moment) for moment in life.transitions()}
        for index in sorted(snapshots):
            if index < len(times):
                pending[index].append(_json_line(life.row_at(times[index])))
                job_rows += 1
        jobs += 1
        statuses[life.status_at(spec.end_ms)] += 1
    for index in range(next_to_write, len(times)):
        _write_lines(directory, times[index], pending.pop(index))
    return jobs, job_rows, {status: statuses[status] for status in JOB_STATUSES}


def _write_lines(directory: Path, at_ms: int, lines: list[str]) -> None:
    with _open(directory / f"jobs-{stamp(at_ms)}.ndjson") as file:
        file.writelines(lines)


# One encoder for every row: `json.dumps` with options builds a new one per call.
_ROW_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _json_line(row: dict[str, Any]) -> str:
    return _ROW_ENCODER.encode(row) + "\n"


def _write_json(path: Path, rows: list[dict[str, Any]]) -> None:
    with _open(path) as file:
        file.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with _open(path) as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(REPOSITORY_CATEGORIES.column_names)
        for row in rows:
            writer.writerow(_csv_value(row[name]) for name in REPOSITORY_CATEGORIES.column_names)


def _csv_value(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value


def _open(path: Path) -> IO[str]:
    # Fixed encoding and newlines: the files must be byte-identical on every platform.
    return path.open("w", encoding="utf-8", newline="\n")


def _check_replaceable(out_dir: Path) -> None:
    """Refuse to replace anything but a directory of earlier snapshot files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} exists and is not a directory")
    if not out_dir.is_dir():
        return
    strangers = sorted(
        entry.name
        for entry in out_dir.iterdir()
        if not (entry.is_file() and SNAPSHOT_FILE.fullmatch(entry.name))
    )
    if strangers:
        raise UsageError(
            f"--out {out_dir} holds files that are not snapshots ({', '.join(strangers[:3])}); "
            "choose a new or empty directory"
        )


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put the new directory in place of the old one, then remove the old one."""
    if not out_dir.exists():
        staging.replace(out_dir)
        return
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    out_dir.replace(retired)
    staging.replace(out_dir)
    shutil.rmtree(retired)


def _fresh_directory(out_dir: Path, role: str) -> Path:
    """An empty directory beside `out_dir`; mkdir (not mkdtemp) so the umask sets its mode."""
    path = out_dir.with_name(f".{out_dir.name}.{role}-{os.getpid()}")
    shutil.rmtree(path, ignore_errors=True)  # left over by a crashed run with the same pid
    path.mkdir()
    return path
