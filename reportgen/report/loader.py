"""Reports from the store: read each period's frames once, compute, and hand them on.

`ReportLoader` serves `reportgen report` and the site alike, so every report of a period is
computed the same way. `SiteReports` adds what the site needs to build incrementally: a cheap
fingerprint of every input row a period's report reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import polars as pl

from reportgen.compute.errors import RECENT_ERRORS
from reportgen.compute.frame import JOBS_READ, empty_jobs
from reportgen.compute.outcomes import sequences
from reportgen.compute.queue import queue_time
from reportgen.compute.results import Report, WindowMetrics
from reportgen.compute.rollups import WindowRollup
from reportgen.compute.series import HOURLY_UP_TO
from reportgen.config import Settings
from reportgen.periods import Period, PeriodKind
from reportgen.report.assemble import ReportInputs, compute_report
from reportgen.store import Store
from reportgen.store.fingerprints import Fingerprints

# A window kept by the loader: a frame of rows, or a long window's rollups.
Kept = TypeVar("Kept")

# The rows of a window read from rollups: none (its report reads the rollups).
NO_ROWS = empty_jobs().select(JOBS_READ)


class ReportLoader:
    """Reads the inputs of many reports from one store, reading what they share only once.

    The repository categories and the rollout tables do not depend on the period, and in a
    series of consecutive periods (the site's 365 daily pages) one period's jobs are the next
    one's comparison, so the last few job windows are kept. Only the jobs columns a report
    reads are read.

    `report` also hands each report's own window to the next one, whose comparison window it
    is in a series, so that window's metrics are not computed twice.

    A window longer than `ROLLUP_AFTER` (a week, a month, a long custom period) is read from
    the store's hourly rollups, not its rows: counts, rates and costs come out the same, the
    percentiles within the sketch's 1 %; only the newest failures and the open queue are
    read as rows (bounded queries), and what the judges read job by job as two narrow
    columns (`compute.outcomes`). Daily windows read their rows. `rollups=False`
    reads rows for every window (tests compare both ways).
    """

    # A report reads its window, then its comparison: in a series, three keep the window the
    # next report compares with (with two, each day's comparison was read again: 60 reads
    # for 30 days instead of 31).
    KEPT_WINDOWS = 3
    # Windows drawn per hour (up to four days) read their rows: the hourly series needs them.
    ROLLUP_AFTER = HOURLY_UP_TO

    def __init__(self, store: Store, *, rollups: bool = True) -> None:
        self._store = store
        self._rollups = rollups
        self._shared: dict[str, pl.DataFrame] = {}
        self._data_as_of: tuple[datetime | None] | None = None
        self._span: tuple[datetime | None] | None = None
        self._windows: dict[tuple[datetime, datetime], pl.DataFrame] = {}
        self._rollup_windows: dict[tuple[datetime, datetime], WindowRollup] = {}
        self._last: tuple[Settings, WindowMetrics] | None = None
        self._still_open: pl.DataFrame | None = None

    def inputs(self, period: Period) -> ReportInputs:
        """Every frame the report of `period` reads, and nothing else."""
        previous_start, previous_end = period.comparison_window()
        data_as_of = self._pulled_as_of()
        queue_at = queue_time(period.elapsed_end_utc, data_as_of)
        rollup = self._rollup(period.start_utc, period.elapsed_end_utc)
        previous_rollup = self._rollup(previous_start, previous_end)
        return ReportInputs(
            period=period,
            jobs=(
                self._jobs_created(period.start_utc, period.elapsed_end_utc)
                if rollup is None
                else NO_ROWS
            ),
            previous_jobs=(
                self._jobs_created(previous_start, previous_end)
                if previous_rollup is None
                else NO_ROWS
            ),
            # Jobs still open when the queue is judged are its queue, whenever created.
            open_jobs=self._open_at(queue_at),
            categories=self._table("repository_categories"),
            rollout_configuration=self._table("rollout_configuration"),
            rollout_history=self._table("rollout_history"),
            data_as_of=data_as_of,
            rollup=rollup,
            previous_rollup=previous_rollup,
            data_start=self._data_start(),
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
        return self._kept(
            self._windows,
            start,
            end,
            lambda: self._store.jobs_created(start, end, columns=JOBS_READ),
        )

    def _kept(
        self,
        windows: dict[tuple[datetime, datetime], Kept],
        start: datetime,
        end: datetime,
        read: Callable[[], Kept],
    ) -> Kept:
        """The window `[start, end)` as `read` reads it, read once while among the
        `KEPT_WINDOWS` windows used last (frames are immutable, so sharing them is safe)."""
        key = (start, end)
        if key in windows:
            windows[key] = windows.pop(key)  # used last: the last to go
        else:
            if len(windows) >= self.KEPT_WINDOWS:
                del windows[next(iter(windows))]
            windows[key] = read()
        return windows[key]

    def _rollup(self, start: datetime, end: datetime) -> WindowRollup | None:
        """The window's rollups when it is long enough to read them, else None (rows)."""
        if not self._rollups or end - start <= self.ROLLUP_AFTER:
            return None
        store = self._store
        return self._kept(
            self._rollup_windows,
            start,
            end,
            lambda: WindowRollup(
                cells=store.window_cells(start, end),
                sketches=store.window_sketches(start, end),
                newest_failures=store.newest_failures(start, end, RECENT_ERRORS, columns=JOBS_READ),
                repositories=store.window_repositories(start, end),
                # Bits per job, where the rows of their two columns take tens of bytes.
                outcomes=sequences(store.finished_in_order(start, end)),
                processing_times=store.processing_times(start, end),
            ),
        )

    def _open_at(self, moment: datetime) -> pl.DataFrame:
        """The jobs open at `moment`; the jobs still open, which any moment's queue may hold,
        are read once for all reports."""
        if self._still_open is None:
            self._still_open = self._store.jobs_still_open(columns=JOBS_READ)
        return self._store.jobs_open_at(moment, columns=JOBS_READ, still_open=self._still_open)

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._shared:
            self._shared[name] = self._store.table(name)
        return self._shared[name]

    def _data_start(self) -> datetime | None:
        if self._span is None:
            span = self._store.jobs_span()
            self._span = (span[0] if span else None,)
        return self._span[0]

    def _pulled_as_of(self) -> datetime | None:
        if self._data_as_of is None:
            self._data_as_of = (self._store.data_as_of(),)
        return self._data_as_of[0]


def build_report(store: Store, period: Period, settings: Settings, as_of: datetime) -> Report:
    """The report of `period` judged at `as_of` (the period is re-anchored at `as_of`)."""
    return build_reports(store, [period], settings, as_of)[0]


def build_reports(
    store: Store,
    periods: Sequence[Period],
    settings: Settings,
    as_of: datetime,
    *,
    rollups: bool = True,
) -> list[Report]:
    """The reports of many periods judged at `as_of`, sharing what they read; oldest first
    is fastest, since each period's jobs are then the next one's comparison. Long periods
    read the hourly rollups unless `rollups` is false."""
    loader = ReportLoader(store, rollups=rollups)
    reports = []
    for period in periods:
        anchored = period if period.as_of == as_of else replace(period, as_of=as_of)
        reports.append(loader.report(anchored, settings))
    return reports


class StoreReports:
    """The site's reports from the store; the same loader as `reportgen report`, and each
    period's input fingerprint (`store.fingerprints`) so unchanged pages are not recomputed.

    With more than one worker, `ahead` computes the reports a build will ask for on that many
    threads, each with its own loader on its own handle of the store, while the build renders
    the pages whose reports are ready: most of a report's time is spent in DuckDB and Polars,
    which run outside the GIL. Each thread takes runs of consecutive periods of a kind, so
    its loader shares their windows as one loader would; a report is the same whichever
    thread computes it. Close it (or use it as a context manager) to stop the threads.
    """

    # Periods per run: each run's first report reads its comparison window again.
    # A run holds periods of one kind, so a series shares its windows however the kinds are
    # interleaved in the order the reports are asked for.
    RUN_PERIODS = 16

    def __init__(
        self, store: Store, settings: Settings, as_of: datetime, *, workers: int = 1
    ) -> None:
        self.store = store
        self.settings = settings
        self.as_of = as_of
        self.workers = workers
        # One loader for the whole build: consecutive periods share their job windows.
        self.loader = ReportLoader(store)
        self.fingerprints = Fingerprints(store, settings.report.timezone)
        self._pool: ThreadPoolExecutor | None = None
        self._readers: list[Store] = []
        self._spare: list[Store] = []
        self._thread = threading.local()
        self._ahead: dict[Period, tuple[Future[list[dict[str, Any]]], int]] = {}

    def __enter__(self) -> StoreReports:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def span(self) -> tuple[datetime, datetime] | None:
        return self.store.jobs_span()

    def data_as_of(self) -> datetime | None:
        return self.store.data_as_of()

    def fingerprint(self, start: datetime, end: datetime) -> str:
        return self.fingerprints.of(start, end)

    def ahead(self, periods: Sequence[Period]) -> None:
        """Start computing the reports of `periods` (in the order they will be asked for) on
        the worker threads; with one worker, nothing: each is computed when asked for."""
        if self.workers < 2 or not periods:
            return
        if self._pool is None:
            # The handles are made here: a cursor is not made while its connection is busy.
            self._readers = [self.store.reader() for _ in range(self.workers)]
            self._spare = list(self._readers)
            self._pool = ThreadPoolExecutor(
                self.workers, thread_name_prefix="report", initializer=self._start_thread
            )
        for run in _runs([self._anchored(period) for period in periods], self.RUN_PERIODS):
            future = self._pool.submit(self._compute, run)
            for index, period in enumerate(run):
                self._ahead[period] = (future, index)

    def report(self, period: Period) -> dict[str, Any]:
        anchored = self._anchored(period)
        if anchored in self._ahead:
            future, index = self._ahead.pop(anchored)
            return future.result()[index]
        # The loader hands each report's window to the next as its comparison (a series).
        return self.loader.report(anchored, self.settings).to_dict()

    def close(self) -> None:
        """Stop the worker threads (a run under way finishes; the others are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for reader in self._readers:
            reader.close()
        self._readers, self._ahead = [], {}

    def _start_thread(self) -> None:
        self._thread.loader = ReportLoader(self._spare.pop())

    def _compute(self, run: Sequence[Period]) -> list[dict[str, Any]]:
        loader: ReportLoader = self._thread.loader
        return [loader.report(period, self.settings).to_dict() for period in run]

    def _anchored(self, period: Period) -> Period:
        return period if period.as_of == self.as_of else replace(period, as_of=self.as_of)


def _runs(periods: Sequence[Period], most: int) -> list[list[Period]]:
    """Each kind's periods, in the order given, cut into runs of at most `most`; the runs in
    the order their first period is asked for."""
    runs: dict[PeriodKind, list[list[Period]]] = {}
    first: dict[int, int] = {}  # a run's first period's place in `periods`
    for place, period in enumerate(periods):
        kind = runs.setdefault(period.kind, [])
        if not kind or len(kind[-1]) >= most:
            kind.append([])
            first[id(kind[-1])] = place
        kind[-1].append(period)
    return sorted((run for kind in runs.values() for run in kind), key=lambda r: first[id(r)])
