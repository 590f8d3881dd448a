"""Gather a whole site in memory: plan pages, fingerprint their inputs, reuse or compute.

First gather, then write (mkdocs): this module decides every page's content, or that the old
site's copy still holds, before the writer touches the disk; only the search index of the
changed months runs in the background, from the moment their pages are gathered, for the
writer to add last. A page's fingerprint hashes its inputs - the data of its period and of
the period before (trends compare with it), the settings, the code and templates, and for a
partial period the `as_of` - so a page whose fingerprint is in the previous build's manifest
is neither recomputed nor rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from reportgen import __version__
from reportgen.config import Settings
from reportgen.periods import Period
from reportgen.render.formatting import coverage
from reportgen.render.site import page_files as site_render
from reportgen.render.site.events import ChartEvents, chart_events, episodes, incidents
from reportgen.render.site.incidents import alerts_digest
from reportgen.render.site.navigation import Bounds, bounds_of, family, latest
from reportgen.render.site.pages import (
    Assets,
    Freshness,
    Link,
    Neighbours,
    Place,
    SiteCommon,
    environment,
)
from reportgen.render.site.plan import REPORT_KINDS, Page, PageKind, SiteManifest, plan_site
from reportgen.render.site.search import BackgroundIndex, PageSource, pagefind_version, shard_of
from reportgen.render.site.templates import template_folders, templates_fingerprint
from reportgen.render.site.write import BuildManifest, SiteOutput, SiteWriter, Unit

log = logging.getLogger(__name__)

Report = Mapping[str, Any]
ASSETS_UNIT = "assets"
# Section links into the overview's archive: stable, so adding a day changes no other page.
# Stable addresses that forward to the newest report of each kind, so adding a day changes
# no other page's header.
NAV = (
    Link("latest/daily/index.html", "Latest daily"),
    Link("latest/weekly/index.html", "Latest weekly"),
    Link("latest/monthly/index.html", "Latest monthly"),
)
LATEST_UNIT = "latest"
SEARCH_UNIT = "search"


class ReportSource(Protocol):
    """Where reports come from: the store in production."""

    def span(self) -> tuple[datetime, datetime] | None:
        """When the first and the newest job were created; None without jobs."""

    def data_as_of(self) -> datetime | None:
        """When the newest data was pulled."""

    def fingerprint(self, start: datetime, end: datetime) -> str:
        """A hash of every input row a report of `[start, end)` reads (cheap: no report)."""

    def report(self, period: Period) -> dict[str, Any]:
        """The report dict (the JSON contract) of `period`."""

    def ahead(self, periods: Sequence[Period]) -> None:
        """The periods whose reports will be asked for, in that order: a source may start
        computing them."""


@dataclass(frozen=True)
class BuildInputs:
    """What a build is asked for, beside the settings."""

    as_of: datetime
    built_at: datetime
    commit: str
    ranges: Mapping[str, str] = field(default_factory=dict)
    full: bool = False
    # The alert lifecycle's transitions, newest first, for the alerts page.
    alerts: Sequence[Mapping[str, Any]] = ()
    # The newest moment the lifecycle was judged at: an episode still open is known up to it.
    lifecycle_until: datetime | None = None


# A summary page's fingerprint and the call that renders its files.
Plan = tuple[str, Callable[[], dict[str, bytes]]]


@dataclass(frozen=True)
class SummaryContext:
    """What the pages over all reports are planned from."""

    report_pages: Sequence[Page]
    daily: Sequence[Page]
    fingerprints: Mapping[str, str]  # each report page's unit fingerprint, by path
    base: tuple[object, ...]  # the build's base fingerprint and assets


@dataclass
class Gathered:
    """The gathered site and what the build learned on the way."""

    output: SiteOutput
    manifest: SiteManifest
    computed: list[str]
    newest: dict[str, Report]


@cache
def code_fingerprint() -> str:
    """A hash of reportgen's code: any change to it rebuilds every page."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(str(resources.files("reportgen")))
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_fingerprint(settings: Settings) -> str:
    # Where the site is written does not change what it says, nor where and how the store is
    # kept (its contents have their own fingerprints); secrets are excluded anyway.
    text = settings.model_dump_json(exclude={"site": {"out"}, "store": True})
    return hashlib.sha256(text.encode()).hexdigest()


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def is_stale(data_as_of: datetime | None, as_of: datetime, settings: Settings) -> bool:
    limit = timedelta(hours=settings.site.stale_after_hours)
    return data_as_of is None or as_of - data_as_of > limit


@dataclass(frozen=True)
class ReportPlan:
    """A report page before it is gathered: what it depends on and what of the old site
    serves (`unit`: its files; `old_report`: its report, when only a link changed)."""

    page: Page
    place: Place
    neighbours: Neighbours | None
    inputs: str
    fingerprint: str
    unit: Unit | None
    old_report: bool

    @property
    def computes(self) -> bool:
        return self.unit is None and not self.old_report


class Gatherer:
    """One build's gathering: holds the old manifest, the new units and the reports."""

    def __init__(
        self,
        source: ReportSource,
        settings: Settings,
        inputs: BuildInputs,
        old_site: Path,
        old_manifest: BuildManifest,
        vega_bundle: Callable[[], bytes] = site_render.vega_bundle,
        progress: Callable[[int, int], None] | None = None,
        writer: SiteWriter | None = None,
    ) -> None:
        self.source = source
        # Given, each page's files are handed to it as they are gathered (see `SiteWriter`).
        self.writer = writer
        self.settings = settings
        self.inputs = inputs
        self.old_site = old_site
        self.old = BuildManifest() if inputs.full else old_manifest
        self.vega_bundle = vega_bundle
        self.progress = progress
        self.files: dict[str, bytes] = {}
        self.reused: list[str] = []
        self.units: dict[str, Unit] = {}
        self.reports: dict[str, Report] = {}
        self.bounds: Bounds = {}  # the report pages' periods in UTC, once the site is planned
        self.computed: list[str] = []
        self.index = BackgroundIndex()
        self.indexed: dict[str, tuple[str, str]] = {}  # shard -> its unit's name, fingerprint
        self.templates = template_folders(settings.site.templates)
        self.env = environment(self.templates, cached=True)
        data_as_of = source.data_as_of()
        span = source.span()
        self.span = span
        self.data_as_of = data_as_of
        self.data_start = span[0] if span else None
        self.episodes = episodes(inputs.alerts, inputs.lifecycle_until)
        self.stale = is_stale(data_as_of, inputs.as_of, settings)
        self.base = _hash(
            settings_fingerprint(settings),
            code_fingerprint(),
            templates_fingerprint(self.templates),
            self.stale,
            __version__,
        )
        self.common = SiteCommon(
            site_title=settings.site.title,
            version=__version__,
            freshness=Freshness(
                data_as_of=data_as_of.isoformat() if data_as_of else None,
                built_at=inputs.built_at.isoformat(),
                commit=inputs.commit,
                stale=self.stale,
                stale_after_hours=settings.site.stale_after_hours,
            ),
            assets=Assets("", "", "", ""),
            nav=NAV,
            base_url=settings.site.base_url,
        )

    # Units: reuse the old files when the fingerprint matches, else produce new ones.

    def _reusable(self, name: str, fingerprint: str) -> Unit | None:
        unit = self.old.units.get(name)
        if unit is None or unit.fingerprint != fingerprint:
            return None
        if not all((self.old_site / path).is_file() for path in unit.files):
            return None
        return unit

    def _keep(self, name: str, unit: Unit) -> None:
        self.units[name] = unit
        self.reused.extend(unit.files)
        if self.writer is not None:
            self.writer.keep(unit.files)

    def _add(
        self,
        name: str,
        fingerprint: str,
        files: Mapping[str, bytes],
        inputs: str = "",
        status: str = "",
        alerts: Mapping[str, Any] | None = None,
    ) -> None:
        self.units[name] = Unit(fingerprint, tuple(sorted(files)), inputs, status, alerts)
        self.files.update(files)
        if self.writer is not None:
            self.writer.write(files)

    def assets(self) -> Assets:
        import vl_convert

        fingerprint = _hash(
            vl_convert.get_vega_embed_version(),
            code_fingerprint(),
            templates_fingerprint(self.templates),
        )
        unit = self._reusable(ASSETS_UNIT, fingerprint)
        if unit is not None:
            self._keep(ASSETS_UNIT, unit)
            by_stem = {path.split("/")[-1].split("-")[0]: path for path in unit.files}
            return Assets(by_stem["style"], by_stem["site"], by_stem["vega"], by_stem["search"])
        assets, files = site_render.asset_files(self.vega_bundle(), self.templates)
        self._add(ASSETS_UNIT, fingerprint, files)
        return assets

    # Report pages.

    def report_fingerprint(self, page: Page) -> str:
        """What the page's report depends on: its data, the settings, the code, and for a
        partial period the as-of time."""
        period = page.period
        assert period is not None
        previous = period.previous()
        data = self.source.fingerprint(previous.start_utc, period.end_utc)
        moment = self.inputs.as_of.isoformat() if period.partial else None
        return _hash(self.base, page.path, period.start, period.end, data, moment)

    def report_of(self, page: Page) -> Report:
        """A page's report: computed in this build, or read back from the old site."""
        if page.path not in self.reports:
            text = (self.old_site / page.folder / "report.json").read_bytes()
            self.reports[page.path] = json.loads(text)
        return self.reports[page.path]

    def days_within(self, period: Period, daily: Sequence[Page]) -> list[Report]:
        start, end = period.start_utc, period.end_utc
        return [
            self.report_of(day)
            for day in daily
            if day.period is not None and start <= day.period.start_utc < end
        ]

    def place_of(self, page: Page, pages: Sequence[Page]) -> Place:
        assert page.period is not None
        relatives = family(page, pages, self.bounds)
        period = page.period
        words, partial_data = coverage(period.start_utc, period.end_utc, self.span, self.data_as_of)
        return Place(
            relatives.parents, relatives.children, relatives.children_label, words, partial_data
        )

    def report_plan(
        self, siblings: Sequence[Page], position: int, pages: Sequence[Page] = ()
    ) -> ReportPlan:
        """What the report page `siblings[position]` depends on, and whether its old files
        or old report serve."""
        page = siblings[position]
        assert page.period is not None
        neighbours = (
            site_render.neighbours_of(siblings, position)
            if page.kind is not PageKind.CUSTOM
            else None
        )
        inputs = self.report_fingerprint(page)
        window = (page.period.start_utc, page.period.end_utc)
        overlapping = [e for e in self.episodes if e.overlaps(*window)]
        # Where the data end, when inside the period: its charts mark the hours after it.
        data_end = self.data_as_of if self.data_as_of and self.data_as_of < window[1] else None
        fingerprint = _hash(
            inputs, self.common.assets, neighbours, overlapping, self.data_start, data_end
        )
        old = self.old.units.get(page.path)
        return ReportPlan(
            page=page,
            place=self.place_of(page, pages),
            neighbours=neighbours,
            inputs=inputs,
            fingerprint=fingerprint,
            unit=self._reusable(page.path, fingerprint),
            # Only a link or an asset changed: the old report still holds.
            old_report=old is not None and old.inputs == inputs and self._has_old_report(page),
        )

    def report_page(self, plan: ReportPlan, daily: Sequence[Page]) -> None:
        page, period = plan.page, plan.page.period
        assert period is not None
        if plan.unit is not None:
            self._keep(page.path, plan.unit)
            return
        if plan.old_report:
            report = self.report_of(page)
        else:
            report = self.source.report(period)
            self.reports[page.path] = report
            self.computed.append(page.path)
        days = [] if page.kind is PageKind.DAILY else self.days_within(period, daily)
        # The report's own rollout changes cover its whole period.
        window = (period.start_utc, period.end_utc)
        events = self.events_of(window, [report], period.partial, report)
        files = site_render.report_page_files(
            self.env,
            page,
            report,
            days,
            self.common,
            self.settings.thresholds,
            plan.neighbours,
            events,
            plan.place,
        )
        daily_page = page.kind is PageKind.DAILY
        status = str(report.get("status", "")) if daily_page else ""
        alerts = alerts_digest(report) if daily_page else None
        self._add(page.path, plan.fingerprint, files, plan.inputs, status, alerts)

    def events_of(
        self,
        window: tuple[datetime, datetime],
        reports: Sequence[Report],
        partial: bool,
        report: Report | None,
    ) -> ChartEvents:
        """Rollout changes, alert episodes and coverage gaps (before the data start, after the
        newest snapshot) within `window`."""
        elapsed = None
        if partial and report is not None:
            elapsed = datetime.fromisoformat(str(report["period"]["elapsed_end"]))
        return chart_events(
            reports, window, self.episodes, self.data_start, elapsed, self.data_as_of
        )

    def _has_old_report(self, page: Page) -> bool:
        return (self.old_site / page.folder / "report.json").is_file()

    # Pages over all reports.

    def summary_pages(self, manifest: SiteManifest) -> None:
        """Every page over all reports, each kind planned by its entry in `SUMMARY_PAGES`."""
        report_pages = [page for page in manifest.pages if page.is_report]
        context = SummaryContext(
            report_pages=report_pages,
            daily=list(manifest.of_kind(PageKind.DAILY)),
            fingerprints={p.path: self.units[p.path].fingerprint for p in report_pages},
            base=(self.base, self.common.assets),
        )
        for page in manifest.pages:
            plan = SUMMARY_PAGES.get(page.kind)
            if plan is not None:
                self._summary(page, *plan(self, page, context))

    # One planner per summary page kind: its fingerprint (what it depends on) and how to
    # render it. A new kind of page is a PageKind, a template and one entry here.

    def _plan_index(self, page: Page, context: SummaryContext) -> Plan:
        data_as_of = self.common.freshness.data_as_of
        fingerprint = _hash(context.base, context.fingerprints, data_as_of, self.episodes)
        return fingerprint, partial(self._index, page, context.report_pages, context.daily)

    def _plan_alerts(self, page: Page, context: SummaryContext) -> Plan:
        days = [context.fingerprints[p.path] for p in context.daily]
        fingerprint = _hash(context.base, days, self.inputs.alerts)
        return fingerprint, partial(self._alerts, page, context.daily)

    def _plan_not_found(self, page: Page, context: SummaryContext) -> Plan:
        render = partial(site_render.not_found_files, self.env, page, self.common, self.templates)
        return _hash(context.base), render

    def _plan_feed(self, page: Page, context: SummaryContext) -> Plan:
        recent = context.daily[-site_render.FEED_ENTRIES :]
        fingerprint = _hash(context.base, [context.fingerprints[p.path] for p in recent])
        return fingerprint, partial(self._feed, page, recent)

    def _index(
        self, page: Page, report_pages: Sequence[Page], daily: Sequence[Page]
    ) -> dict[str, bytes]:
        recent = daily[-site_render.GLANCE_DAYS :]
        reports = {p.path: self.report_of(p) for p in recent}
        calendar = [
            site_render.CalendarDay(p.key, self.units[p.path].status or "unknown", p.path)
            for p in daily[-site_render.CALENDAR_DAYS :]
        ]
        events = ChartEvents()
        if recent and recent[0].period is not None and recent[-1].period is not None:
            window = (recent[0].period.start_utc, recent[-1].period.end_utc)
            newest = reports[recent[-1].path]
            partial = bool(newest["period"]["partial"])
            events = self.events_of(window, list(reports.values()), partial, newest)
        return site_render.index_files(
            self.env,
            page,
            reports,
            report_pages,
            self.common,
            self.settings.thresholds,
            self.inputs.as_of,
            events,
            calendar,
            incidents(self.episodes),
        )

    def alerts_part(self, page: Page) -> Report:
        """What the alerts page reads of a daily page's report: the digest kept with its unit,
        else (a manifest from before digests) the report itself."""
        digest = self.units[page.path].alerts
        return digest if digest is not None else alerts_digest(self.report_of(page))

    def _alerts(self, page: Page, daily: Sequence[Page]) -> dict[str, bytes]:
        reports = [(p, self.alerts_part(p)) for p in daily]
        newest = (daily[-1], self.report_of(daily[-1])) if daily else None
        days = frozenset(p.key for p in daily)
        transitions = site_render.alert_transitions(self.inputs.alerts, days)
        groups = incidents(self.episodes)
        return site_render.alerts_files(
            self.env, page, transitions, reports, newest, groups, self.common, self.inputs.as_of
        )

    def _feed(self, page: Page, recent: Sequence[Page]) -> dict[str, bytes]:
        feature = self.settings.report.feature
        reports = [(p, self.report_of(p)) for p in recent]
        return site_render.feed_files(self.env, page, reports, self.common, feature)

    def latest_pages(self, manifest: SiteManifest) -> None:
        """`latest/<kind>/index.html`: forwards to the newest report of each kind."""
        newest = latest(manifest.pages)
        targets = {kind.value: page.path for kind, page in newest.items()}
        fingerprint = _hash(self.base, self.common.assets, targets)
        unit = self._reusable(LATEST_UNIT, fingerprint)
        if unit is not None:
            self._keep(LATEST_UNIT, unit)
        else:
            files = site_render.latest_files(self.env, newest, self.common)
            self._add(LATEST_UNIT, fingerprint, files)

    def shard_gathered(self, shard: str, pages: Sequence[Page]) -> None:
        """Index a shard (a month each) again once all its pages are gathered, if any of them
        changed: in the background, while the build goes on (`search_index` waits for it)."""
        name = f"{SEARCH_UNIT}/{shard}"
        inputs = [(page.path, self.units[page.path].fingerprint) for page in pages]
        fingerprint = _hash(pagefind_version(), inputs)
        unit = self._reusable(name, fingerprint)
        if unit is not None:
            self._keep(name, unit)
            return
        sources: dict[str, PageSource] = {
            page.path: self.files.get(page.path) or self.old_site / page.path for page in pages
        }
        self.index.start(shard, sources)
        self.indexed[shard] = (name, fingerprint)

    def search_index(self) -> SiteOutput:
        """The files and units of the shards indexed again, once Pagefind made them all."""
        files: dict[str, bytes] = {}
        units: dict[str, Unit] = {}
        for shard, made in self.index.results().items():
            name, fingerprint = self.indexed[shard]
            files.update(made)
            units[name] = Unit(fingerprint, tuple(sorted(made)))
        return SiteOutput(files, (), BuildManifest(units))

    def search_page(self, names: list[str]) -> None:
        """`search/index.html`, over the index's shards."""
        fingerprint = _hash(self.base, self.common.assets, names)
        unit = self._reusable(SEARCH_UNIT, fingerprint)
        if unit is not None:
            self._keep(SEARCH_UNIT, unit)
        else:
            self._add(
                SEARCH_UNIT,
                fingerprint,
                site_render.search_page_files(self.env, self.common, names),
            )

    def _summary(
        self, page: Page, fingerprint: str, render: Callable[[], dict[str, bytes]]
    ) -> None:
        unit = self._reusable(page.path, fingerprint)
        if unit is not None:
            self._keep(page.path, unit)
        else:
            self._add(page.path, fingerprint, render())

    def gather(self) -> Gathered:
        manifest = plan_site(
            self.source.span(),
            self.settings.report.timezone,
            self.inputs.as_of,
            self.inputs.ranges,
        )
        self.common = replace(self.common, assets=self.assets())
        self.bounds = bounds_of(manifest.pages)
        try:
            self.report_pages(manifest)
            self.summary_pages(manifest)
            self.latest_pages(manifest)
            newest = {
                kind.value: self.report_of(pages[-1])
                for kind in (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY)
                if (pages := manifest.of_kind(kind))
            }
        except BaseException:
            self.index.cancel()  # the shards not started yet; a failed build writes none
            raise
        late = self.search_index if self.indexed else None
        output = SiteOutput(self.files, tuple(self.reused), BuildManifest(self.units), late)
        return Gathered(output, manifest, self.computed, newest)

    def report_pages(self, manifest: SiteManifest) -> None:
        """Every report page, and the search page; a month's search index starts as soon as
        the last of its pages is gathered."""
        shards: dict[str, list[Page]] = {}
        for page in manifest.pages:
            if page.is_report:
                shards.setdefault(shard_of(page), []).append(page)
        left = {shard: len(pages) for shard, pages in shards.items()}
        daily = list(manifest.of_kind(PageKind.DAILY))
        plans: list[ReportPlan] = []
        for kind in REPORT_KINDS:
            siblings = list(manifest.of_kind(kind))
            plans.extend(
                self.report_plan(siblings, position, manifest.pages)
                for position in range(len(siblings))
            )
        # In the order their periods end (days before the week or month ending with them):
        # a page's days are gathered before it, and a month's search shard is complete, and
        # indexed in the background, days after the month ends rather than at the very end.
        plans.sort(key=_gathering_order)
        # The reports to compute, computed ahead while the pages before them are rendered.
        self.source.ahead([p.page.period for p in plans if p.computes and p.page.period])
        total = len(plans)
        for done, plan in enumerate(plans, 1):
            self.report_page(plan, daily)
            shard = shard_of(plan.page)
            left[shard] -= 1
            if not left[shard]:
                self.shard_gathered(shard, shards[shard])
            if self.progress is not None:
                self.progress(done, total)
        self.search_page(sorted(shards))


def _gathering_order(plan: ReportPlan) -> tuple[bool, datetime, int]:
    """Named ranges last (they span anything), the others by their end, then by kind."""
    page = plan.page
    assert page.period is not None
    return page.kind is PageKind.CUSTOM, page.period.end_utc, REPORT_KINDS.index(page.kind)


SUMMARY_PAGES: dict[PageKind, Callable[[Gatherer, Page, SummaryContext], Plan]] = {
    PageKind.INDEX: Gatherer._plan_index,
    PageKind.ALERTS: Gatherer._plan_alerts,
    PageKind.NOT_FOUND: Gatherer._plan_not_found,
    PageKind.FEED: Gatherer._plan_feed,
}
