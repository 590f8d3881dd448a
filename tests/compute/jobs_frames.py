"""Tiny inline frames for compute tests: a job is a few keyword arguments, the rest defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import polars as pl
from fakes import rollout_frames
from fakes.rollout_frames import history_frame as history_frame  # re-exported for compute tests

from reportgen.compute.frame import JOBS_SCHEMA
from reportgen.compute.results import REPORT_SCHEMA_PATH

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """T0 plus `minutes`: times in tests read as minutes into the day."""
    return T0 + timedelta(minutes=minutes)


def job(
    id: str,
    status: str = "completed",
    processor: str = "inngest",
    created: float = 0,
    started: float | None = 1,
    completed: float | None = 2,
    **extra: Any,
) -> dict[str, Any]:
    """One job row; `created`/`started`/`completed` are minutes after T0."""
    finished = status in ("completed", "failed")
    return {
        "id": id,
        "job_type": extra.pop("job_type", "recent-prs"),
        "repository_id": extra.pop("repository_id", None),
        "repository_name": extra.pop("repository_name", None),
        "processor_type": processor,
        "status": status,
        "created_at": at(created),
        "started_at": None if started is None or status == "pending" else at(started),
        "completed_at": at(completed) if finished and completed is not None else None,
        "error": extra.pop("error", None),
        **extra,
    }


def jobs_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """A frame with exactly the snapshot's jobs columns."""
    frame = pl.DataFrame(list(rows), schema_overrides=JOBS_SCHEMA, strict=False)
    for name, dtype in JOBS_SCHEMA.items():
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in JOBS_SCHEMA.items())


def categories_frame(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "repository_id": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "is_test_repository": [r[1] == "test" for r in rows],
            "star_count": [None] * len(rows),
            "contributor_count": [None] * len(rows),
            "pr_count": [None] * len(rows),
        },
        schema={
            "repository_id": pl.String,
            "category": pl.String,
            "is_test_repository": pl.Boolean,
            "star_count": pl.Int64,
            "contributor_count": pl.Int64,
            "pr_count": pl.Int64,
        },
    )


def configuration_frame(
    percentage: float | None = None, emergency_stop: bool = False
) -> pl.DataFrame:
    return rollout_frames.configuration_frame(
        percentage, updated_at=T0, emergency_stop=emergency_stop
    )


def assert_valid_report(report: dict[str, Any]) -> None:
    """The report matches the published JSON Schema and holds no NaN or infinity."""
    json.dumps(report, allow_nan=False)
    schema = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(report)
