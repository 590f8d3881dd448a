"""Reports from the store: read each period's frames once, compute, and hand them on.

`ReportLoader` serves `reportgen report` and the site alike, so every report of a period is
computed the same way. `SiteReports` adds what the site needs to build incrementally: a cheap
fingerprint of every input row a period's report reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import polars as pl

from reportgen.compute.frame import JOBS_READ
from reportgen.compute.queue import queue_time
from reportgen.compute.results import Report, WindowMetrics
from reportgen.config import Settings
from reportgen.periods import Period
from reportgen.report.assemble import ReportInputs, compute_report
from reportgen.store import Store
from reportgen.store.fingerprints import Fingerprints


class ReportLoader:
    """Reads the inputs of many reports from one store, reading what they share only once.

    The repository categories and the rollout tables do not depend on the period, and in a
    series of consecutive periods (the site's 365 daily pages) one period's jobs are the next
    one's comparison, so the last few job windows are kept. Only the jobs columns a report
    reads are read.

    `report` also hands each report's own window to the next one, whose comparison window it
    is in a series, so that window's metrics are not computed twice.
    """

    KEPT_WINDOWS = 3

    def __init__(self, store: Store) -> None:
        self._store = store
        self._shared: dict[str, pl.DataFrame] = {}
        self._data_as_of: tuple[datetime | None] | None = None
        self._windows: dict[tuple[datetime, datetime], pl.DataFrame] = {}
        self._last: tuple[Settings, WindowMetrics] | None = None

    def inputs(self, period: Period) -> ReportInputs:
        """Every frame the report of `period` reads, and nothing else."""
        previous_start, previous_end = period.comparison_window()
        data_as_of = self._pulled_as_of()
        queue_at = queue_time(period.elapsed_end_utc, data_as_of)
        return ReportInputs(
            period=period,
            jobs=self._jobs_created(period.start_utc, period.elapsed_end_utc),
            previous_jobs=self._jobs_created(previous_start, previous_end),
            # Jobs still open when the queue is judged are its queue, whenever created.
            open_jobs=self._store.jobs_open_at(queue_at, columns=JOBS_READ),
            categories=self._table("repository_categories"),
            rollout_configuration=self._table("rollout_configuration"),
            rollout_history=self._table("rollout_history"),
            data_as_of=data_as_of,
        )

    def report(self, period: Period, settings: Settings) -> Report:
        """The report of `period` (judged at `period.as_of`), reusing the previous report's
        window as this one's comparison when it is exactly that window."""
        inputs = self.inputs(period)
        if self._last is not None and self._last[0] is settings:
            inputs = replace(inputs, previous_window=self._last[1])
        report = compute_report(inputs, settings)
        self._last = (settings, report.window)
        return report

    def _jobs_created(self, start: datetime, end: datetime) -> pl.DataFrame:
        key = (start, end)
        if key not in self._windows:
            if len(self._windows) >= self.KEPT_WINDOWS:
                del self._windows[next(iter(self._windows))]
            self._windows[key] = self._store.jobs_created(start, end, columns=JOBS_READ)
        return self._windows[key]

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._shared:
            self._shared[name] = self._store.table(name)
        return self._shared[name]

    def _pulled_as_of(self) -> datetime | None:
        if self._data_as_of is None:
            self._data_as_of = (self._store.data_as_of(),)
        return self._data_as_of[0]


def build_report(store: Store, period: Period, settings: Settings, as_of: datetime) -> Report:
    """The report of `period` judged at `as_of` (the period is re-anchored at `as_of`)."""
    return build_reports(store, [period], settings, as_of)[0]


def build_reports(
    store: Store, periods: Sequence[Period], settings: Settings, as_of: datetime
) -> list[Report]:
    """The reports of many periods judged at `as_of`, sharing what they read; oldest first
    is fastest, since each period's jobs are then the next one's comparison."""
    loader = ReportLoader(store)
    reports = []
    for period in periods:
        anchored = period if period.as_of == as_of else replace(period, as_of=as_of)
        reports.append(loader.report(anchored, settings))
    return reports


class StoreReports:
    """The site's reports from the store; the same loader as `reportgen report`, and each
    period's input fingerprint (`store.fingerprints`) so unchanged pages are not recomputed."""

    def __init__(self, store: Store, settings: Settings, as_of: datetime) -> None:
        self.store = store
        self.settings = settings
        self.as_of = as_of
        # One loader for the whole build: consecutive periods share their job windows.
        self.loader = ReportLoader(store)
        self.fingerprints = Fingerprints(store, settings.report.timezone)

    def span(self) -> tuple[datetime, datetime] | None:
        return self.store.jobs_span()

    def data_as_of(self) -> datetime | None:
        return self.store.data_as_of()

    def fingerprint(self, start: datetime, end: datetime) -> str:
        return self.fingerprints.of(start, end)

    def report(self, period: Period) -> dict[str, Any]:
        anchored = period if period.as_of == self.as_of else replace(period, as_of=self.as_of)
        # The loader hands each report's window to the next as its comparison (a series).
        return self.loader.report(anchored, self.settings).to_dict()
