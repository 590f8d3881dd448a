"""A report source over in-memory Polars frames, for site tests that need no store.

It is a real `ReportSource`: reports come from `compute_report` on the same frames the store
would return, and fingerprints hash the rows a report reads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from compute.jobs_frames import (
    categories_frame,
    configuration_frame,
    history_frame,
    jobs_frame,
)
from datasets import Row

from reportgen.config import Settings
from reportgen.periods import Period
from reportgen.report.assemble import ReportInputs, compute_report


def _plain(row: Row) -> Row:
    metadata = row.get("metadata")
    return {**row, "metadata": json.dumps(metadata) if metadata is not None else None}


class FrameReports:
    """Reports over fixed job rows, judged as of `data_as_of`."""

    def __init__(
        self,
        rows: Sequence[Row],
        settings: Settings,
        data_as_of: datetime,
        categories: Sequence[tuple[str, str]] = (),
        percentage: float = 25.0,
        history: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.jobs = jobs_frame(*(_plain(r) for r in rows)).sort("created_at", "id")
        self.settings = settings
        self._data_as_of = data_as_of
        self.categories = categories_frame(*categories)
        self.configuration = configuration_frame(percentage)
        self.history = history_frame(*history)
        self.reports_computed = 0

    def span(self) -> tuple[datetime, datetime] | None:
        if self.jobs.is_empty():
            return None
        created = self.jobs["created_at"]
        return created.min(), created.max()  # type: ignore[return-value]

    def data_as_of(self) -> datetime | None:
        return self._data_as_of

    def _created(self, start: datetime, end: datetime) -> pl.DataFrame:
        created = pl.col("created_at")
        return self.jobs.filter(
            (created >= start.astimezone(UTC)) & (created < end.astimezone(UTC))
        )

    def fingerprint(self, start: datetime, end: datetime) -> str:
        rows = self._created(start, end).select("id", "status", "updated_at")
        return f"{rows.height}:{rows.hash_rows(seed=1).sum()}"

    def report(self, period: Period) -> dict[str, Any]:
        self.reports_computed += 1
        previous = period.previous()
        end = period.elapsed_end_utc
        open_jobs = self.jobs.filter(
            (pl.col("created_at") < end)
            & (pl.col("completed_at").is_null() | (pl.col("completed_at") > end))
        )
        inputs = ReportInputs(
            period=period,
            jobs=self._created(period.start, period.end),
            previous_jobs=self._created(previous.start, previous.end),
            open_jobs=open_jobs,
            categories=self.categories,
            rollout_configuration=self.configuration,
            rollout_history=self.history,
            data_as_of=self._data_as_of,
        )
        return compute_report(inputs, self.settings).to_dict()
