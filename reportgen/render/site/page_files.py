"""Turn report dicts into the site's files (bytes by path); nothing is written to disk here.

Every report page is `<folder>/index.html` with its `report.json` and one CSV per table beside
it. Multi-day pages (week, month, custom range, index) draw their over-time charts from the
daily reports inside them, so no chart ever touches raw job rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from reportgen.config import ThresholdSettings
from reportgen.render import formatting
from reportgen.render.site import charts as chart_lib
from reportgen.render.site.cache import read_cached, write_cached
from reportgen.render.site.csv_export import to_csv
from reportgen.render.site.events import ChartEvents, Incident
from reportgen.render.site.incidents import IncidentView, from_daily_findings, from_episodes
from reportgen.render.site.pages import (
    ArchiveGroup,
    Assets,
    FeedEntry,
    IndexContext,
    Link,
    Neighbours,
    Place,
    ReportPageContext,
    SiteCommon,
    page_meta,
    render,
)
from reportgen.render.site.plan import Page, PageKind
from reportgen.render.site.tables import Column, DataTable, report_tables, table
from reportgen.render.site.templates import read_asset, shipped_folder

Report = Mapping[str, Any]
Files = dict[str, bytes]
GLANCE_DAYS = 30
CALENDAR_WEEKS = 53  # a year, in whole week columns
CALENDAR_DAYS = CALENDAR_WEEKS * 7  # enough daily reports to fill them
FEED_ENTRIES = 30
# The alerts page lists this many of the newest rows per table, keeping it well under 150 KB;
# older findings stay on their daily pages and in each report.json.
ALERT_ROWS = 200
NO_PLACE = Place()
TITLES = {
    PageKind.DAILY: "Daily report",
    PageKind.WEEKLY: "Weekly report",
    PageKind.MONTHLY: "Monthly report",
    PageKind.CUSTOM: "Range",
}


# The snippet decides what the bundle exposes; the page script needs only `vegaEmbed`.
VEGA_SNIPPET = "window.vegaEmbed = vegaEmbed;"


@cache
def vega_bundle() -> bytes:
    """vl-convert's bundle of Vega, Vega-Lite and Vega-Embed (~900 KB, ~2 s of CPU to make),
    made once per vl-convert release and snippet, then read from the cache folder."""
    release = version("vl-convert-python")
    snippet = hashlib.sha256(VEGA_SNIPPET.encode()).hexdigest()[:12]
    name = f"vega-bundle-{release}-{snippet}.js"
    bundle = read_cached(name)
    if bundle is None:
        import vl_convert

        bundle = vl_convert.javascript_bundle(VEGA_SNIPPET).encode()
        write_cached(name, bundle)
    return bundle


def _hashed(name: str, content: bytes) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"assets/{stem}-{hashlib.sha256(content).hexdigest()[:12]}.{suffix}"


def asset_files(vega_bundle: bytes, folders: Sequence[Path]) -> tuple[Assets, Files]:
    """The stylesheet, the page script and the Vega bundle under content-hashed names."""
    style = read_asset("style.css", folders)
    script = read_asset("site.js", folders)
    search = read_asset("search.js", folders)
    assets = Assets(
        style=_hashed("style.css", style),
        script=_hashed("site.js", script),
        vega=_hashed("vega.js", vega_bundle),
        search=_hashed("search.js", search),
    )
    return assets, {
        assets.style: style,
        assets.script: script,
        assets.vega: vega_bundle,
        assets.search: search,
    }


def report_json(report: Report) -> bytes:
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()


def _trends_table(report: Report) -> DataTable | None:
    """Trends shown in each metric's own unit (the same words as the Markdown view)."""
    trends: Mapping[str, Mapping[str, Any]] = report.get("trends") or {}
    if not trends:
        return None
    columns = (
        Column("metric", "Metric"),
        Column("previous", "Previous"),
        Column("current", "Current"),
        Column("change", "Change"),
    )
    rows = [
        (
            formatting.metric_label(name),
            formatting.metric_value(name, t.get("previous")),
            formatting.metric_value(name, t.get("current")),
            formatting.trend_label(t),
        )
        for name, t in trends.items()
    ]
    return table("trends", "Trends", columns, rows)


def report_page_files(
    env: jinja2.Environment,
    page: Page,
    report: Report,
    days: Sequence[Report],
    common: SiteCommon,
    thresholds: ThresholdSettings,
    neighbours: Neighbours | None,
    events: ChartEvents = chart_lib.NO_EVENTS,
    place: Place = NO_PLACE,
) -> Files:
    """A report page, its `report.json` and a CSV of each of its tables.

    A day or a short range draws its report's hourly series; longer periods their days."""
    if report.get("series"):
        charts = chart_lib.hourly_charts(report, thresholds, events)
    else:
        charts = chart_lib.series_charts(days, thresholds, events)
    charts += chart_lib.category_charts(report)
    own = report["period"]["start"][:10]
    tables = report_tables(report, frozenset(d["period"]["start"][:10] for d in days) - {own})
    downloads = [Link("report.json", "Report (JSON)")] + [
        Link(f"{t.slug}.csv", f"{t.title} (CSV)") for t in tables
    ]
    context = ReportPageContext(
        report, charts, tables, _trends_table(report), downloads, neighbours, place
    )
    title = f"{TITLES[page.kind]} {page.key}"
    meta = page_meta(page, common, title, has_charts=bool(charts))
    files = {page.path: render(env, f"{page.kind.value}.html", meta, context).encode()}
    files[page.folder + "report.json"] = report_json(report)
    for data in tables:
        files[f"{page.folder}{data.slug}.csv"] = to_csv(data).encode()
    return files


def chart_csv_files(folder: str, charts: Sequence[chart_lib.Chart]) -> Files:
    """Each chart's data as `chart-<slug>.csv` beside its page (the figure links to it)."""
    return {f"{folder}chart-{chart.slug}.csv": to_csv(chart.table).encode() for chart in charts}


def neighbours_of(pages: Sequence[Page], position: int) -> Neighbours:
    """Links to the report before and after, among pages of one kind."""
    before = pages[position - 1] if position > 0 else None
    after = pages[position + 1] if position + 1 < len(pages) else None
    return Neighbours(
        previous=Link(before.path, before.key) if before else None,
        next=Link(after.path, after.key) if after else None,
    )


@dataclass(frozen=True)
class CalendarDay:
    """One cell of the year calendar: a day, its report's status and page; a day without a
    report has the status `no-data` and no page."""

    key: str
    status: str
    href: str = ""


NO_DATA = "no-data"


def calendar_cells(days: Sequence[CalendarDay]) -> list[CalendarDay]:
    """A year at a glance: every day of the CALENDAR_WEEKS week columns (from Monday) that end
    with the newest day of `days`, whether it has a report or not."""
    if not days:
        return []
    by_key = {day.key: day for day in days}
    newest = max(date.fromisoformat(day.key) for day in days)
    first = newest - timedelta(weeks=CALENDAR_WEEKS - 1, days=newest.weekday())
    return [
        by_key.get(key, CalendarDay(key, NO_DATA))
        for key in (str(first + timedelta(days=n)) for n in range((newest - first).days + 1))
    ]


@dataclass(frozen=True)
class CalendarWeek:
    """One column of the year calendar: its days from Monday, and the month it starts (`Nov`)
    when one does and the label has room before the calendar ends."""

    days: tuple[CalendarDay, ...]
    month: str = ""


MONTH_LABEL_WEEKS = 3  # the columns a month's label spans


def calendar_weeks(cells: Sequence[CalendarDay]) -> list[CalendarWeek]:
    """`calendar_cells` in week columns, each labelled with the month that starts in it (the
    first column with its own month, when the next month's label leaves it room)."""
    columns = [tuple(cells[n : n + 7]) for n in range(0, len(cells), 7)]
    starts = [next((d.key for d in days if d.key.endswith("-01")), "") for days in columns]
    if columns and not any(starts[:MONTH_LABEL_WEEKS]):
        starts[0] = columns[0][0].key
    return [
        CalendarWeek(
            days,
            # A label needs MONTH_LABEL_WEEKS columns: none in the last ones.
            f"{date.fromisoformat(start):%b}"
            if start and len(columns) - index >= MONTH_LABEL_WEEKS
            else "",
        )
        for index, (days, start) in enumerate(zip(columns, starts, strict=True))
    ]


def _glance_table(days: Sequence[Report]) -> DataTable:
    columns = (
        Column("day", "Day", "date"),
        Column("status", "Status"),
        Column("jobs", "Jobs", "count"),
        Column("error_rate", "Error rate", "percent"),
        Column("health_score", "Health score", "score"),
        Column("cost", "Cost", "money"),
    )
    rows = [
        (
            str(r["period"]["start"])[:10],
            r.get("status"),
            r["jobs"]["total"],
            r["jobs"]["error_rate"],
            r["health"]["score"],
            r["cost"]["actual"],
        )
        for r in reversed(days)
    ]
    return table("glance", "Daily summary", columns, rows)


def index_files(
    env: jinja2.Environment,
    page: Page,
    reports: Mapping[str, Report],
    report_pages: Sequence[Page],
    common: SiteCommon,
    thresholds: ThresholdSettings,
    now: datetime,
    events: ChartEvents = chart_lib.NO_EVENTS,
    calendar: Sequence[CalendarDay] = (),
    groups: Sequence[Incident] = (),
) -> Files:
    """The overview: current status, open incidents, the last 30 days, links to every report.

    Open incidents are the alert lifecycle's (as on the alerts page), then the newest daily
    report's critical findings."""
    daily = [p for p in report_pages if p.kind is PageKind.DAILY]
    days = [reports[p.path] for p in daily[-GLANCE_DAYS:]]
    latest = days[-1] if days else None
    incidents = [f for f in (latest or {}).get("findings", []) if f["severity"] == "critical"]
    latest_links = [
        Link(pages[-1].path, f"{TITLES[kind]} {pages[-1].key}")
        for kind in (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY)
        if (pages := [p for p in report_pages if p.kind is kind])
    ]
    archive = [
        ArchiveGroup(
            kind.value,
            f"{TITLES[kind]}s",
            tuple(Link(p.path, p.key) for p in reversed(report_pages) if p.kind is kind),
        )
        for kind in (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY, PageKind.CUSTOM)
        if any(p.kind is kind for p in report_pages)
    ]
    # The index's series are also files: `chart-<slug>.csv` at the site root.
    charts = [
        replace(chart, csv=f"chart-{chart.slug}.csv", inline_table=False)
        for chart in (chart_lib.series_charts(days, thresholds, events) if days else [])
    ]
    context = IndexContext(
        latest=latest,
        latest_href=daily[-1].path if daily else "",
        incidents=incidents,
        latest_links=latest_links,
        charts=charts,
        glance=_glance_table(days),
        days_shown=len(days),
        archive=archive,
        calendar=calendar_weeks(calendar_cells(calendar)),
        open_incidents=[view for view in from_episodes(groups, (), now) if view.end is None],
    )
    meta = page_meta(page, common, "Overview", has_charts=bool(charts))
    files = {page.path: render(env, "index.html", meta, context).encode()}
    files.update(chart_csv_files(page.folder, charts))
    return files


@dataclass(frozen=True)
class AlertsContext:
    latest: Report | None
    latest_href: str
    episodes: Sequence[IncidentView]
    day_incidents: Sequence[IncidentView]
    transitions: DataTable


def alert_transitions(rows: Sequence[Mapping[str, Any]], days: frozenset[str]) -> DataTable:
    """The alert lifecycle's transitions (firing, resolved…), newest first, from the store;
    each links to its day's report where the site has one (`days`)."""
    columns = (
        Column("changed_at", "When", "time"),
        Column("severity", "Severity"),
        Column("rule", "Rule"),
        Column("scope", "Scope"),
        Column("change", "Change"),
        Column("message", "Explanation", "sentence"),
        Column("issue", "Incident issue"),
    )
    values = [
        (
            row.get("changed_at"),
            row.get("severity"),
            row.get("rule"),
            row.get("scope"),
            f"{row.get('from_state')} → {row.get('to_state')}",
            row.get("message"),
            f"#{row['issue_number']}" if row.get("issue_number") else None,
        )
        for row in rows[:ALERT_ROWS]
    ]
    return table("transitions", "Alert transitions", columns, values, days)


def alerts_files(
    env: jinja2.Environment,
    page: Page,
    transitions: DataTable,
    daily: Sequence[tuple[Page, Report]],
    newest: tuple[Page, Report] | None,
    groups: Sequence[Incident],
    common: SiteCommon,
    now: datetime,
) -> Files:
    """Incidents, current state first: alert episodes, then stretches of days with findings.
    `daily` holds each day's `alerts_digest` (or its report); `newest` the newest day's
    report, whose status and rollout head the page."""
    meta = page_meta(page, common, "Alerts", has_charts=False)
    context = AlertsContext(
        latest=newest[1] if newest else None,
        latest_href=newest[0].path if newest else "",
        episodes=from_episodes(groups, daily, now),
        day_incidents=from_daily_findings(daily),
        transitions=transitions,
    )
    return {page.path: render(env, "alerts.html", meta, context).encode()}


@dataclass(frozen=True)
class LatestContext:
    target: str
    label: str


def latest_files(
    env: jinja2.Environment, newest: Mapping[PageKind, Page], common: SiteCommon
) -> Files:
    """A page per kind that forwards to its newest report (with a link, for no refresh)."""
    files: Files = {}
    for kind in (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY):
        path = f"latest/{kind.value}/index.html"
        page = Page(PageKind.INDEX, f"latest-{kind.value}", path)
        target = newest.get(kind)
        title = f"Latest {kind.value} report"
        meta = page_meta(page, common, title, has_charts=False)
        context = LatestContext(
            target.path if target else "index.html",
            f"{TITLES[kind]} {target.key}" if target else "the overview (no report yet)",
        )
        files[path] = render(env, "latest.html", meta, context).encode()
    return files


@dataclass(frozen=True)
class SearchContext:
    shards: Sequence[str]


def search_page_files(env: jinja2.Environment, common: SiteCommon, shards: Sequence[str]) -> Files:
    """`search/index.html`: Pagefind over http(s), the script-loaded index from disk; both
    in the index's `shards`."""
    page = Page(PageKind.SEARCH, "", "search/index.html")
    meta = page_meta(page, common, "Search", has_charts=False)
    return {page.path: render(env, "search.html", meta, SearchContext(shards)).encode()}


@dataclass(frozen=True)
class NotFoundContext:
    root: str
    style: Markup
    script: Markup
    script_hash: str


def not_found_files(
    env: jinja2.Environment, page: Page, common: SiteCommon, folders: Sequence[Path] = ()
) -> Files:
    """A self-contained 404 page: inline styles, links that find the site's root."""
    meta = page_meta(page, common, "Page not found", has_charts=False)
    folders = list(folders) or [shipped_folder()]
    # Trusted files of the site's own templates, inlined as they are.
    style = read_asset("style.css", folders).decode()
    script = read_asset("404.js", folders).decode()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    root = common.base_url.rstrip("/") + "/" if common.base_url else "/"
    context = NotFoundContext(root, Markup(style), Markup(script), f"sha256-{digest}")  # noqa: S704
    return {page.path: render(env, "404.html", meta, context).encode()}


@dataclass(frozen=True)
class FeedContext:
    feature: str
    base_url: str
    updated: str
    entries: Sequence[FeedEntry]


def _entry(page: Page, report: Report) -> FeedEntry:
    period = report["period"]
    updated = report["as_of"] if period["partial"] else period["end"]
    jobs = report["jobs"]
    summary = (
        f"Status {report['status']}; {jobs['total']} jobs, "
        f"error rate {formatting.percent(jobs['error_rate'])}, "
        f"health score {formatting.score(report['health']['score'])}."
    )
    return FeedEntry(page.key, f"{page.key}: {report['status']}", updated, page.path, summary)


def feed_files(
    env: jinja2.Environment,
    page: Page,
    daily: Sequence[tuple[Page, Report]],
    common: SiteCommon,
    feature: str,
) -> Files:
    """An Atom feed of the newest daily reports."""
    entries = [_entry(p, r) for p, r in reversed(daily[-FEED_ENTRIES:])]
    updated = entries[0].updated if entries else common.freshness.built_at
    context = FeedContext(feature, common.base_url, updated, entries)
    meta = page_meta(page, common, "Daily reports", has_charts=False)
    return {page.path: render(env, "feed.xml", meta, context).encode()}
