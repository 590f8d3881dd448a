"""`reportgen build`: the static report site.

Stages, in order: pull (unless `--no-pull`), plan the pages, fingerprint their inputs, compute
every report whose inputs changed (ahead, on `store.threads` threads) and render every page,
write the site beside the old one and swap it in, then notify. Each page's files are written
into the new site's hidden folder as the page is gathered, on a thread of their own, and so
are the search index's (Pagefind, a process of its own, indexes each month once its pages
are gathered); the new site is swapped in only when all is written, so a failing build
leaves the previous site as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reportgen.config import Settings
from reportgen.findings import Finding, Status
from reportgen.notify.sentry import BUILD_MONITOR, SentryNotifier, monitored
from reportgen.render.site.gather import BuildInputs, Gatherer
from reportgen.render.site.plan import validate_slug
from reportgen.render.site.write import SiteWriter, check_site_folder, read_manifest
from reportgen.report.loader import StoreReports
from reportgen.sources import open_source
from reportgen.store import Store, alerts, open_configured

log = logging.getLogger(__name__)

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
    """Alert through the health check's lifecycle: Sentry, incident issues, outbox."""
    # Late import: delivery loads httpx and sentry-sdk, which a build notifying nobody skips.
    from reportgen.notify.dispatch import notify_findings

    notify_findings(store, findings, settings, at)


def named_ranges(settings: Settings, extra: Mapping[str, str]) -> dict[str, str]:
    """The configured ranges with `--range` ones added (a flag wins over the config)."""
    ranges = {**settings.site.ranges, **extra}
    for slug in ranges:
        validate_slug(slug)
    return ranges


@contextmanager
def _store(settings: Settings, writable: bool) -> Iterator[Store]:
    missing = None if writable else "Run `reportgen pull` first."
    with open_configured(settings.store, read_only=not writable, missing=missing) as store:
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
            pulled = store.pull(open_source(settings))
            log.info("pulled %s: %d rows rejected", pulled.source, pulled.rejected)
        history = tuple(alerts.transitions(store))
        inputs = BuildInputs(
            as_of, built_at, commit, ranges, options.full, history, alerts.recorded_until(store)
        )
        workers = settings.store.threads
        with (
            StoreReports(store, settings, as_of, workers=workers) as source,
            SiteWriter(site, settings.secrets.values()) as writer,
        ):
            old = read_manifest(site)
            gathered = Gatherer(
                source, settings, inputs, site, old, progress=progress, writer=writer
            ).gather()
            log.debug(
                "computed %d reports; %d files new, %d kept",
                len(gathered.computed),
                len(gathered.output.files),
                len(gathered.output.reused),
            )
            written = writer.finish(gathered.output)
        newest = gathered.newest.get("daily")
        if options.notify and newest is not None:
            notifier(store, [Finding.from_dict(f) for f in newest["findings"]], settings, as_of)
    status = newest["status"] if newest else None
    reached = (
        options.fail_on is not None
        and status is not None
        and Status(status).rank >= options.fail_on.rank
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
