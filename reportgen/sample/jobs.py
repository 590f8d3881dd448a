"""One simulated job's life, and the `jobs` row a snapshot at any moment shows of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportgen.sample.repositories import Repository
from reportgen.sample.timestamps import iso

INNGEST = "inngest"
ACTIONS = "github_actions"
FINAL = ("completed", "failed")


@dataclass(slots=True)
class JobLife:
    """One job from creation to its end; `finished` is None for a job that never ends."""

    id: str
    job_type: str
    repository: Repository
    processor: str
    created: int
    started: int
    finished: int | None
    error: str | None
    time_range_days: int | None
    workflow_run_id: int | None
    trigger_source: str
    max_items: int
    items_processed: int
    attempt: int = 1

    def transitions(self) -> tuple[int, ...]:
        """The moments its row changes: created, started and (if ever) finished."""
        if self.finished is None:
            return (self.created, self.started)
        return (self.created, self.started, self.finished)

    def status_at(self, at_ms: int) -> str:
        if at_ms < self.started:
            return "pending"
        if self.finished is None or at_ms < self.finished:
            return "processing"
        return "failed" if self.error is not None else "completed"

    def row_at(self, at_ms: int) -> dict[str, Any]:
        """The job's `jobs` row as a snapshot taken at `at_ms` shows it."""
        status = self.status_at(at_ms)
        started = None if status == "pending" else self.started
        finished = self.finished if status in FINAL else None
        metadata: dict[str, Any] = {
            "trigger_source": self.trigger_source,
            "max_items": self.max_items,
        }
        if self.attempt > 1:
            metadata["attempt"] = self.attempt
        if finished is not None:
            # The inngest functions are TypeScript and report camelCase; the Actions scripts
            # report snake_case. the jobs table accepts both.
            key = "itemsProcessed" if self.processor == INNGEST else "items_processed"
            metadata[key] = self.items_processed
        return {
            "id": self.id,
            "job_type": self.job_type,
            "repository_id": self.repository.id,
            "repository_name": self.repository.name,
            "processor_type": self.processor,
            "status": status,
            "created_at": iso(self.created),
            "started_at": None if started is None else iso(started),
            "completed_at": None if finished is None else iso(finished),
            "error": self.error if finished is not None else None,
            "time_range_days": self.time_range_days,
            "workflow_run_id": self.workflow_run_id,
            "metadata": metadata,
            "updated_at": iso(finished or started or self.created),
        }
