"""`reportgen report`: the one place that turns the store into a report, and its views.

Stages, in order: resolve the period, read its frames from the store, compute the report,
render one view, write it (atomically) or hand it back to the CLI to print. The site and
health commands reuse `build_report` / `build_reports`, so every report of a period is
computed the same way.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from reportgen import periods
from reportgen.compute.frame import JOBS_READ
from reportgen.compute.queue import queue_time
from reportgen.compute.report import Report, ReportInputs, compute_report
from reportgen.compute.results import WindowMetrics
from reportgen.config import Settings
from reportgen.errors import UsageError
from reportgen.periods import Period, PeriodKind
from reportgen.render import ReportFormat
from reportgen.render.markdown import report_markdown
from reportgen.render.table import as_text, report_table
from reportgen.store import Store, open_store

logger = logging.getLogger(__name__)

TABLE_WIDTH = 100


def resolve_period(
    kind: PeriodKind,
    settings: Settings,
    as_of: datetime,
    *,
    day: date | None = None,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    hours: float | None = None,
) -> Period:
    """The period the flags ask for; a combination that means nothing is a UsageError."""
    timezone = settings.report.timezone
    if (start is None) != (end is None):
        given, missing = ("--start", "--end") if end is None else ("--end", "--start")
        raise UsageError(f"{given} needs {missing}")
    if kind is not PeriodKind.CUSTOM:
        if start is not None or hours is not None:
            raise UsageError(f"--start/--end and --hours are for custom reports, not {kind}")
        when = day or as_of.astimezone(ZoneInfo(timezone)).date()
        period = periods.period_of(kind, when, timezone, as_of)
        if period.start > as_of:
            raise UsageError(
                f"the {kind} period of {when.isoformat()} starts after as-of {as_of.isoformat()}",
                hint="Pick a --date up to --as-of (default: now).",
            )
        return period
    if day is not None:
        raise UsageError(
            "--date is for daily, weekly and monthly reports; custom takes --start/--end"
        )
    if hours is not None and start is not None:
        raise UsageError("use either --start/--end or --hours, not both")
    if hours is not None:
        return periods.last_hours(hours, timezone, as_of)
    if start is None or end is None:
        raise UsageError("a custom report needs --start and --end, or --hours")
    return periods.custom(start, end, timezone, as_of)


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


def load_report_inputs(store: Store, period: Period, settings: Settings) -> ReportInputs:
    """Every frame the report of `period` reads; no input depends on `settings` yet."""
    return ReportLoader(store).inputs(period)


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


def report_json(report: dict[str, Any]) -> str:
    """The JSON view: the contract's key order, two-space indent, no NaN."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_report(
    report: dict[str, Any], view: ReportFormat, *, width: int = TABLE_WIDTH, color: bool = False
) -> str:
    """One view of a report's JSON form, as text."""
    if view is ReportFormat.JSON:
        return report_json(report)
    if view is ReportFormat.MARKDOWN:
        return report_markdown(report)
    return as_text(report_table(report), width=width, color=color)


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename over it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        # mkstemp creates 0600; a report is an ordinary file, readable as the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        Path(temporary).chmod(0o666 & ~umask)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_report(
    settings: Settings,
    period: Period,
    view: ReportFormat,
    *,
    out: Path | None = None,
    width: int = TABLE_WIDTH,
    color: bool = False,
) -> str:
    """Build the report of `period` and render it; write it to `out` when given."""
    # A missing store is a StoreError with the hint to pull first, raised by open_store.
    with open_store(
        settings.store.path, wait_seconds=settings.store.wait_seconds, read_only=True
    ) as store:
        report = build_report(store, period, settings, period.as_of)
    text = render_report(report.to_dict(), view, width=width, color=color and out is None)
    if out is not None:
        write_atomically(out, text)
        logger.info("wrote %s report %s to %s", period.kind, period.slug, out)
    return text
