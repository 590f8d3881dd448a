"""Snapshot rows and files for store tests: one valid job, and writers for each format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def job(job_id: str = "job-1", **overrides: Any) -> Row:
    """A valid completed job; keyword arguments replace or (with None) null its fields."""
    row: Row = {
        "id": job_id,
        "job_type": "recent-prs",
        "repository_id": "r1",
        "repository_name": "microsoft/vscode",
        "processor_type": "inngest",
        "status": "completed",
        "created_at": "2026-11-25T09:00:00Z",
        "started_at": "2026-11-25T09:00:10Z",
        "completed_at": "2026-11-25T09:01:10Z",
        "error": None,
        "time_range_days": 7,
        "workflow_run_id": None,
        "metadata": {"items_processed": 12, "trigger_source": "schedule"},
        "updated_at": "2026-11-25T09:01:10Z",
    }
    row.update(overrides)
    return row


def ndjson(rows: list[Row]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def write_ndjson(path: Path, rows: list[Row]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ndjson(rows), encoding="utf-8")
    return path
