"""`reportgen build`: the static report site (SPEC §6).

Stages, in order: pull (unless `--no-pull`), plan the pages, fingerprint their inputs, compute
every report whose inputs changed and render every page (gathering everything in memory),
write the site beside the old one and swap it in, then notify. Nothing is written until
everything is gathered, so a failing build leaves the previous site as it was.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from reportgen.commands.health import alert_history
from reportgen.commands.report import ReportLoader
from reportgen.config import Settings
from reportgen.errors import StoreError
from reportgen.evaluate.findings import Finding, Severity, Status
from reportgen.notify.sentry import BUILD_MONITOR, SentryNotifier, monitored
from reportgen.periods import Period
from reportgen.render.site import check_site_folder, read_manifest, write_site
from reportgen.render.site_gather import BuildInputs, Gatherer
from reportgen.render.site_manifest import validate_slug
from reportgen.store import Store, open_store

log = logging.getLogger(__name__)

# A job's state is its id, status and updated_at: any change to a job changes one of them.
FINGERPRINT_COLUMNS = ("id", "status", "updated_at", "created_at")
SMALL_TABLES = ("rollout_configuration", "rollout_history", "repository_categories")
FAIL_RANK = {Status.WARNING: 1, Status.CRITICAL: 2}

Notifier = Callable[[Store, Sequence[Finding], Settings, datetime], None]


@dataclass(frozen=True)
class BuildOptions:
    """The flags of `reportgen build`."""

    out: Path
    pull: bool = True
    full: bool = False
    ranges: Mapping[str, str] = field(default_factory=dict)
    notify: bool = False
    fail_on: Status | None = None


@dataclass(frozen=True)
class BuildResult:
    site: Path
    pages: int
    computed: int
    written: int
    reused: int
    changed: bool
    newest_daily: str | None
    status: str | None
    threshold_reached: bool


class StoreReports:
    """The site's reports from the store; the same `build_report` as `reportgen report`.

    A period's fingerprint combines per-day fingerprints (job count and a hash of each job's
    id, status and updated_at), read a month at a time with one narrow query and kept for the
    build, with the hashes of the small tables (rollout, categories).
    """

    def __init__(self, store: Store, settings: Settings, as_of: datetime) -> None:
        self.store = store
        self.settings = settings
        self.as_of = as_of
        self.zone = ZoneInfo(settings.report.timezone)
        # One loader for the whole build: consecutive periods share their job windows.
        self.loader = ReportLoader(store)
        self._days: dict[date, str] = {}
        self._tables = hashlib.sha256()
        for name in SMALL_TABLES:
            frame = store.table(name)
            self._tables.update(f"{name}:{frame.height}:{frame.hash_rows(seed=0).sum()}".encode())

    def span(self) -> tuple[datetime, datetime] | None:
        return self.store.jobs_span()

    def data_as_of(self) -> datetime | None:
        return self.store.data_as_of()

    def _midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(UTC)

    def _day(self, day: date) -> str:
        if day not in self._days:
            self._load_month(day.replace(day=1))
        return self._days.get(day) or f"{day}:0:0"

    def _load_month(self, first: date) -> None:
        """The fingerprints of every day of one local month, from one narrow query.

        A month at a time keeps the query count low (one per month, not per day) and the
        frame small even for ten million jobs a year.
        """
        after = (first + timedelta(days=32)).replace(day=1)
        jobs = self.store.jobs_created(
            self._midnight(first), self._midnight(after), columns=FINGERPRINT_COLUMNS
        )
        local_day = pl.col("created_at").dt.convert_time_zone(self.zone.key).dt.date()
        days = jobs.group_by(local_day.alias("day")).agg(
            pl.len().alias("jobs"),
            pl.struct(FINGERPRINT_COLUMNS[:-1]).hash(seed=0).sum().alias("digest"),
        )
        for day, count, digest in days.iter_rows():
            self._days[day] = f"{day}:{count}:{digest}"
        day = first
        while day < after:
            self._days.setdefault(day, f"{day}:0:0")
            day += timedelta(days=1)

    def fingerprint(self, start: datetime, end: datetime) -> str:
        digest = self._tables.copy()
        day = start.astimezone(self.zone).date()
        while self._midnight(day) < end:
            digest.update(self._day(day).encode())
            day += timedelta(days=1)
        return digest.hexdigest()

    def report(self, period: Period) -> dict[str, Any]:
        anchored = period if period.as_of == self.as_of else replace(period, as_of=self.as_of)
        # The loader hands each report's window to the next as its comparison (a series).
        return self.loader.report(anchored, self.settings).to_dict()


def current_commit(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """The commit being built: `GITHUB_SHA` in Actions, else `git rev-parse` in the current
    folder or, failing that, reportgen's own checkout; else `unknown`."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_SHA"):
        return env["GITHUB_SHA"][:12]
    for folder in (cwd or Path.cwd(), Path(__file__).resolve().parent):
        commit = _git_head(folder)
        if commit:
            return commit
    return "unknown"


def _git_head(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def log_findings(
    store: Store, findings: Sequence[Finding], settings: Settings, at: datetime
) -> None:
    """The notifier without Sentry or GitHub: one log line per finding."""
    for finding in findings:
        log.warning(
            "%s %s (%s): %s", finding.severity, finding.rule, finding.scope, finding.message
        )


def run_monitored_build(
    settings: Settings, as_of: datetime, options: BuildOptions, **build_options: Any
) -> BuildResult:
    """`run_build` inside a Sentry Crons check-in for the daily build (no DSN: logs only)."""
    dsn = settings.secrets.sentry_dsn
    sentry = SentryNotifier(dsn.get_secret_value() if dsn else None)
    try:
        with monitored(sentry, BUILD_MONITOR):
            return run_build(settings, as_of, options, **build_options)
    finally:
        sentry.close()  # always flush, whatever happened


def health_notifier(
    store: Store, findings: Sequence[Finding], settings: Settings, at: datetime
) -> None:
    """Alert through the health engineer's lifecycle: Sentry, incident issues, outbox."""
    from reportgen.commands.health import notify_findings

    notify_findings(store, findings, settings, at)


def finding_of(data: Mapping[str, Any]) -> Finding:
    """A report's finding back from its JSON form (the newest report may come from disk)."""
    return Finding(
        key=data["key"],
        rule=data["rule"],
        scope=data["scope"],
        severity=Severity(data["severity"]),
        value=data["value"],
        threshold=data["threshold"],
        message=data["message"],
        counts=data.get("counts") or {},
    )


def named_ranges(settings: Settings, extra: Mapping[str, str]) -> dict[str, str]:
    """The configured ranges with `--range` ones added (a flag wins over the config)."""
    ranges = {**settings.site.ranges, **extra}
    for slug in ranges:
        validate_slug(slug)
    return ranges


@contextmanager
def _store(settings: Settings, writable: bool) -> Iterator[Store]:
    path = settings.store.path
    if not writable and not path.is_file():
        raise StoreError(f"store {path} does not exist", hint="Run `reportgen pull` first.")
    with open_store(
        path, wait_seconds=settings.store.wait_seconds, read_only=not writable
    ) as store:
        yield store


def run_build(
    settings: Settings,
    as_of: datetime,
    options: BuildOptions,
    *,
    built_at: datetime,
    commit: str,
    notifier: Notifier = log_findings,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build the site into `options.out`; see the module docstring for the stages."""
    ranges = named_ranges(settings, options.ranges)
    site = options.out
    check_site_folder(site)  # before the work, not after it
    with _store(settings, writable=options.pull or options.notify) as store:
        if options.pull:
            pulled = store.pull(settings.source.path)
            log.info("pulled %s: %d rows rejected", settings.source.path, pulled.rejected)
        alerts = tuple(alert_history(store))
        inputs = BuildInputs(as_of, built_at, commit, ranges, options.full, alerts)
        source = StoreReports(store, settings, as_of)
        gatherer = Gatherer(source, settings, inputs, site, read_manifest(site), progress=progress)
        gathered = gatherer.gather()
        log.info(
            "computed %d reports; %d files new, %d kept",
            len(gathered.computed),
            len(gathered.output.files),
            len(gathered.output.reused),
        )
        written = write_site(site, gathered.output, settings.secrets.values())
        newest = gathered.newest.get("daily")
        if options.notify and newest is not None:
            notifier(store, [finding_of(f) for f in newest["findings"]], settings, as_of)
    status = newest["status"] if newest else None
    reached = (
        options.fail_on is not None
        and status in FAIL_RANK
        and (FAIL_RANK[Status(status)] >= FAIL_RANK[options.fail_on])
    )
    return BuildResult(
        site=site,
        pages=len(gathered.manifest.pages),
        computed=len(gathered.computed),
        written=written.written,
        reused=written.reused,
        changed=written.changed,
        newest_daily=newest["period"]["slug"] if newest else None,
        status=status,
        threshold_reached=reached,
    )
