"""Small deterministic datasets for report tests, and a writer that turns them into snapshot files.

Every dataset is plain data (lists of row dicts) computed from its index, so a report built
from it is the same on every machine. `write_snapshot` writes the rows as the NDJSON files
`reportgen pull` reads, so tests go through the real pull path.

    normal_week    two ISO weeks (2026-11-09 and 2026-11-16) of steady, healthy traffic
    incident_day   2026-11-25: GitHub Actions failing on network errors, stuck and pending
                   jobs, hostile repository names and error messages; 2026-11-24 normal
    empty_day      jobs on 2026-11-24 only, so 2026-11-25 has none
    low_volume_day six jobs on 2026-11-25, too few to judge
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

Row = dict[str, Any]
SNAPSHOT_LAG = timedelta(minutes=15)

REPOSITORIES = (
    ("r1", "microsoft/vscode", "large"),
    ("r2", "facebook/react", "enterprise"),
    ("r3", "vercel/next.js", "medium"),
    ("r4", "rust-lang/rust", "large"),
    ("r5", "octo-org/tiny", "small"),
    ("r6", "octo-org/sandbox", "test"),
)
JOB_TYPES = ("recent-prs", "pr-details", "reviews", "comments", "historical-pr-sync")
ERRORS = (
    "API rate limit exceeded for installation (HTTP 403)",
    "connect ETIMEDOUT 140.82.112.3:443",
    "Bad credentials",
    "Not Found",
    'column "pr_number" does not exist',
    "Validation failed: invalid cursor",
    "something unexpected happened",
)
# Untrusted text that must not break a Markdown table, open a link or write HTML.
HOSTILE_REPOSITORY = "evil/repo|<img src=x onerror=alert(1)>[click](https://x.test)"
HOSTILE_ERROR = (
    "Timeout talking to `api` | see <script>alert(1)</script> [docs](https://evil.test) @octocat\n"
    "| injected | row |"
)


@dataclass(frozen=True)
class Dataset:
    """Rows of every snapshot table, and the moment the report is judged at."""

    name: str
    jobs: list[Row]
    as_of: datetime
    report_date: date
    categories: list[Row] = field(default_factory=list)
    rollout: list[Row] = field(default_factory=list)


def _at(day: date, minutes: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)


def job(
    job_id: str,
    created_at: datetime,
    *,
    processor: str = "inngest",
    job_type: str = "recent-prs",
    repository: tuple[str, str, str] | None = REPOSITORIES[0],
    status: str = "completed",
    queue_s: float = 5.0,
    run_s: float = 30.0,
    error: str | None = None,
) -> Row:
    """One job row; times follow from its status (pending never started, processing never ended)."""
    started = created_at + timedelta(seconds=queue_s) if status != "pending" else None
    completed = (
        started + timedelta(seconds=run_s)
        if started is not None and status in {"completed", "failed"}
        else None
    )
    return {
        "id": job_id,
        "job_type": job_type,
        "repository_id": repository[0] if repository else None,
        "repository_name": repository[1] if repository else None,
        "processor_type": processor,
        "status": status,
        "created_at": created_at,
        "started_at": started,
        "completed_at": completed,
        "error": error,
        "time_range_days": 7,
        "workflow_run_id": 9_000_000 + int(job_id.rsplit("-", 1)[-1])
        if processor == "github_actions"
        else None,
        "metadata": {"items_processed": 10, "trigger_source": "schedule"},
        "updated_at": completed or started or created_at,
    }


# A few failures a week, spread over processors and days: (weekday, slot) -> error.
STEADY_FAILURES = {(1, 5): ERRORS[0], (3, 9): ERRORS[1], (4, 13): ERRORS[5]}


def steady_day(day: date, prefix: str, per_day: int = 24) -> list[Row]:
    """A normal day: a job an hour, one in three on GitHub Actions, rare failures."""
    rows = []
    for index in range(per_day):
        error = STEADY_FAILURES.get((day.weekday(), index))
        processor = "github_actions" if index % 3 == 0 else "inngest"
        rows.append(
            job(
                f"{prefix}-{day:%m%d}-{index:03d}",
                _at(day, index * (1440 / per_day) + 7),
                processor=processor,
                job_type=JOB_TYPES[index % len(JOB_TYPES)],
                repository=REPOSITORIES[index % 5],
                status="failed" if error else "completed",
                queue_s=2 + index % 4 if processor == "inngest" else 45 + 5 * (index % 3),
                run_s=20 + 3 * index if processor == "inngest" else 150 + 20 * (index % 4),
                error=error,
            )
        )
    return rows


def categories() -> list[Row]:
    return [
        {
            "repository_id": repo_id,
            "category": category,
            "is_test_repository": category == "test",
            "star_count": 1000 * (i + 1),
            "contributor_count": 10 * (i + 1),
            "pr_count": 100 * (i + 1),
        }
        for i, (repo_id, _, category) in enumerate(REPOSITORIES)
    ]


def rollout(percentage: float = 25.0) -> list[Row]:
    return [
        {
            "feature_name": "hybrid_progressive_capture",
            "rollout_percentage": percentage,
            "is_active": True,
            "rollout_strategy": "percentage",
            "max_error_rate": 5.0,
            "monitoring_window_hours": 24,
            "auto_rollback_enabled": True,
            "emergency_stop": False,
            "target_repositories": [],
            "excluded_repositories": [],
            "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
        }
    ]


def normal_week() -> Dataset:
    first = date(2026, 11, 9)
    jobs = [row for n in range(14) for row in steady_day(first + timedelta(days=n), "wk")]
    return Dataset(
        "normal_week",
        jobs,
        as_of=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
        report_date=date(2026, 11, 16),
        categories=categories(),
        rollout=rollout(),
    )


def incident_rows(day: date) -> list[Row]:
    """Forty jobs: GitHub Actions failing on timeouts, two stuck, three still pending."""
    rows = []
    for index in range(40):
        processor = "github_actions" if index % 5 < 3 else "inngest"
        failing = processor == "github_actions" and index % 2 == 0
        repository = REPOSITORIES[index % 5]
        error = ERRORS[1] if index % 4 else ERRORS[0]
        if index == 36:
            repository, error = ("r9", HOSTILE_REPOSITORY, "large"), HOSTILE_ERROR
        rows.append(
            job(
                f"inc-{index:03d}",
                _at(day, 30 + index * 30),
                processor=processor,
                job_type=JOB_TYPES[index % len(JOB_TYPES)],
                repository=repository,
                status="failed" if failing else "completed",
                queue_s=4 if processor == "inngest" else 90,
                run_s=25 if processor == "inngest" else 240 + 60 * (index % 3),
                error=error if failing else None,
            )
        )
    rows += [
        job(f"inc-{100 + n}", _at(day, 1200 + n), processor="github_actions", status="processing")
        for n in range(2)
    ]
    rows += [job(f"inc-{200 + n}", _at(day, 1410 + n * 5), status="pending") for n in range(3)]
    return rows


def incident_day() -> Dataset:
    day = date(2026, 11, 25)
    jobs = steady_day(day - timedelta(days=1), "pre") + incident_rows(day)
    return Dataset(
        "incident_day",
        jobs,
        as_of=datetime(2026, 11, 26, 0, 30, tzinfo=UTC),
        report_date=day,
        categories=categories(),
        rollout=rollout(),
    )


def empty_day() -> Dataset:
    day = date(2026, 11, 25)
    return Dataset(
        "empty_day",
        steady_day(day - timedelta(days=1), "pre"),
        as_of=datetime(2026, 11, 26, 1, 0, tzinfo=UTC),
        report_date=day,
        categories=categories(),
        rollout=rollout(),
    )


def low_volume_day() -> Dataset:
    """Six jobs by mid-afternoon, one failed: a 20 % error rate that proves nothing."""
    day = date(2026, 11, 25)
    jobs = [
        job(
            f"low-{n:03d}",
            _at(day, 60 + n * 90),
            processor="github_actions" if n % 2 else "inngest",
            job_type=JOB_TYPES[n % 3],
            repository=REPOSITORIES[n % 3],
            status="failed" if n == 4 else "completed",
            run_s=40 + n * 10,
            error=ERRORS[3] if n == 4 else None,
        )
        for n in range(5)
    ]
    jobs.append(job("low-005", _at(day, 840), status="pending"))
    return Dataset(
        "low_volume_day",
        jobs,
        as_of=datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        report_date=day,
        categories=categories(),
        rollout=rollout(),
    )


DATASETS = {
    "normal_week": normal_week,
    "incident_day": incident_day,
    "empty_day": empty_day,
    "low_volume_day": low_volume_day,
}


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__}")


def write_ndjson(path: Path, rows: Sequence[Row]) -> None:
    lines = (json.dumps(row, default=_json_default, sort_keys=True) for row in rows)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_snapshot(directory: Path, dataset: Dataset) -> Path:
    """The dataset as snapshot files in `directory`; returns the directory.

    The files are stamped 15 minutes before the dataset's `as_of` (`jobs-2026-11-26T00-15-00Z
    .ndjson`), so the report's "data as of" is fixed too, not the time the test ran.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = f"{dataset.as_of - SNAPSHOT_LAG:%Y-%m-%dT%H-%M-%SZ}"
    write_ndjson(directory / f"jobs-{stamp}.ndjson", dataset.jobs)
    if dataset.categories:
        write_ndjson(directory / f"repository_categories-{stamp}.ndjson", dataset.categories)
    if dataset.rollout:
        write_ndjson(directory / f"rollout_configuration-{stamp}.ndjson", dataset.rollout)
    return directory


def example_report() -> dict[str, Any]:
    """A hand-written report in the report's JSON shape, for views tested apart from compute."""
    latency = {"count": 30, "mean": 45_000.0, "p50": 30_000.0, "p95": 240_000.0, "max": 301_000.0}
    return {
        "schema_version": "1.0",
        "kind": "daily",
        "as_of": "2026-11-25T15:00:00+00:00",
        "data_as_of": "2026-11-25T14:45:00+00:00",
        "feature": "hybrid_progressive_capture",
        "period": {
            "start": "2026-11-25T00:00:00+00:00",
            "end": "2026-11-26T00:00:00+00:00",
            "timezone": "UTC",
            "partial": True,
            "elapsed_end": "2026-11-25T15:00:00+00:00",
            "slug": "2026-11-25",
        },
        "status": "critical",
        "health": {
            "score": 50.0,
            "conclusive": True,
            "deductions": [
                {"rule": "error_rate_high", "points": 30, "value": 12.5, "threshold": 10.0},
                {"rule": "success_rate_low", "points": 20, "value": 87.5, "threshold": 90.0},
            ],
        },
        "jobs": {
            "total": 1234,
            "by_status": {"pending": 3, "processing": 2, "completed": 1076, "failed": 153},
            "finished": 1229,
            "completed": 1076,
            "failed": 153,
            "error_rate": 12.449,
            "error_rate_ci": [10.7, 14.43],
            "success_rate": 87.551,
            "success_rate_ci": [85.57, 89.3],
            "conclusive": True,
            "min_jobs": 10,
        },
        "processing_time_ms": latency,
        "queue_wait_ms": {"count": 30, "mean": 950.0, "p50": 800.0, "p95": 2_500.0, "max": 9_000.0},
        "throughput_per_hour": 71.73,
        "processors": {
            "inngest": {
                "jobs": 1000,
                "share": 81.04,
                "finished": 998,
                "failed": 3,
                "error_rate": 0.3,
                "processing_time_ms": latency,
            },
            HOSTILE_REPOSITORY: {
                "jobs": 234,
                "share": 18.96,
                "finished": 231,
                "failed": 150,
                "error_rate": 64.94,
                "processing_time_ms": {"count": 0, "mean": None, "p50": None, "p95": None},
            },
        },
        "job_types": {
            "recent-prs": {"jobs": 1000, "failed": 3, "error_rate": 0.3},
            "pr_details|x": {"jobs": 234, "failed": 150, "error_rate": None},
        },
        "repositories": {
            "active": 2,
            "participation_rate": 40.0,
            "by_category": {"large": {"repositories": 2, "active": 1, "jobs": 1000}},
            "top_by_jobs": [
                {
                    "repository_id": "r1",
                    "repository_name": "microsoft/vscode",
                    "jobs": 1000,
                    "failed": 3,
                },
                {
                    "repository_id": "r9",
                    "repository_name": HOSTILE_REPOSITORY,
                    "jobs": 234,
                    "failed": 150,
                },
            ],
            "top_by_failures": [
                {"repository_id": "r9", "repository_name": None, "jobs": 234, "failed": 150},
            ],
        },
        "errors": {
            "total": 153,
            "by_category": {"network": 150, "rate_limit": 3, "unknown": 0},
            "by_processor": {"inngest": {"rate_limit": 3}},
            "recent": [
                {
                    "id": "j1",
                    "created_at": "2026-11-25T14:00:00+00:00",
                    "processor": "github_actions",
                    "job_type": "reviews",
                    "repository_name": HOSTILE_REPOSITORY,
                    "category": "network",
                    "message": HOSTILE_ERROR,
                },
                {
                    "id": "j2",
                    "created_at": "2026-11-25T13:00:00+00:00",
                    "processor": "inngest",
                    "job_type": "comments",
                    "repository_name": None,
                    "category": "rate_limit",
                    "message": None,
                },
            ],
        },
        "queue": {"pending": 3, "oldest_pending_age_s": 4_000.0, "stuck": 2},
        "cost": {
            "inngest": 0.2,
            "github_actions": 12.0,
            "actual": 12.2,
            "baseline": 0.2468,
            "savings": -11.9532,
            "savings_pct": -4843.1,
            "pending_jobs": 3,
            "inngest_jobs": 1000,
            "github_actions_jobs": 234,
        },
        "trends": {
            "jobs": {
                "previous": 1000,
                "current": 1234,
                "absolute": 234,
                "change_pct": 23.4,
                "direction": "up",
            },
            "error_rate": {
                "previous": None,
                "current": 12.449,
                "absolute": None,
                "change_pct": None,
                "direction": "new",
            },
        },
        "findings": [
            {
                "key": "abc",
                "rule": "error_rate",
                "scope": "overall",
                "severity": "critical",
                "value": 12.449,
                "threshold": 5.0,
                "message": "error_rate 12.4% > 5.0% over 1229 finished jobs",
            },
            {
                "key": "def",
                "rule": "stuck_jobs",
                "scope": "overall",
                "severity": "warning",
                "value": 2,
                "threshold": 0,
                "message": "2 jobs processing for more than 60 min",
            },
        ],
        "recommendations": [{"code": "reduce", "message": "Reduce the rollout percentage."}],
    }
