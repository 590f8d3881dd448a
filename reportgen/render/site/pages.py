"""Render the site's pages with Jinja: one typed context per page, templates do the HTML.

Autoescaping is on for every template (HTML and the Atom feed), so untrusted text is inert
wherever it is shown. Chart specs are embedded as JSON inside `<script type=application/json>`
with `<`, `>` and `&` written as `\\u003c`-style escapes: no text in a spec can close the tag
or open a comment, and `JSON.parse` restores it exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from reportgen.render import formatting, sections
from reportgen.render.site.cache import compiled_templates
from reportgen.render.site.charts import Chart
from reportgen.render.site.plan import Page
from reportgen.render.site.tables import Cell, DataTable
from reportgen.render.site.templates import shipped_folder


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    current: bool = False


@dataclass(frozen=True)
class Assets:
    """Content-hashed asset paths, relative to the site root."""

    style: str
    script: str
    vega: str
    search: str


@dataclass(frozen=True)
class Freshness:
    data_as_of: str | None
    built_at: str
    commit: str
    stale: bool
    stale_after_hours: float


@dataclass(frozen=True)
class SiteCommon:
    """What every page of one build shares."""

    site_title: str
    version: str
    freshness: Freshness
    assets: Assets
    nav: tuple[Link, ...] = ()
    base_url: str = ""


@dataclass(frozen=True)
class PageMeta:
    """The `page` object of every template."""

    kind: str
    key: str
    title: str
    root: str
    site_title: str
    version: str
    freshness: Freshness
    assets: Assets
    nav: tuple[Link, ...]
    has_charts: bool


@dataclass(frozen=True)
class Neighbours:
    previous: Link | None = None
    next: Link | None = None


@dataclass(frozen=True)
class ArchiveGroup:
    anchor: str
    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class FeedEntry:
    key: str
    title: str
    updated: str
    href: str
    summary: str


@dataclass(frozen=True)
class Place:
    """Where a report page sits: breadcrumbs up, its children, and what its data cover."""

    parents: tuple[Link, ...] = ()
    children: tuple[Link, ...] = ()
    children_label: str = ""
    coverage: str = ""
    partial_data: bool = False


@dataclass(frozen=True)
class ReportPageContext:
    report: Mapping[str, Any]
    charts: Sequence[Chart]
    tables: Sequence[DataTable]
    trends: DataTable | None
    downloads: Sequence[Link]
    neighbours: Neighbours | None
    place: Place = Place()


@dataclass(frozen=True)
class IndexContext:
    latest: Mapping[str, Any] | None
    latest_href: str
    incidents: Sequence[Mapping[str, Any]]
    latest_links: Sequence[Link]
    charts: Sequence[Chart]
    glance: DataTable
    days_shown: int
    archive: Sequence[ArchiveGroup] = field(default_factory=tuple)
    calendar: Sequence[Any] = field(default_factory=tuple)
    open_incidents: Sequence[Any] = field(default_factory=tuple)  # IncidentView, still open


def script_json(value: Any) -> Markup:
    """JSON safe inside a `<script>` element: no `</script>`, `<!--` or `]]>` can form."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    # U+2028/2029 end a line in older JavaScript parsers; escaping them is harmless.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - every markup character is escaped above


CELL_FORMATS: dict[str, Callable[[Any], str]] = {
    "count": formatting.count,
    "number": formatting.number,
    "score": formatting.score,
    "percent": formatting.percent,
    "ms": formatting.duration_ms,
    "seconds": formatting.duration_s,
    "money": formatting.money,
    "time": formatting.timestamp,
}


def cell(value: Cell, fmt: str) -> str:
    """One table cell as text; numbers rounded for reading, text made one plain line."""
    if value is None:
        return formatting.NOT_AVAILABLE if fmt in CELL_FORMATS else ""
    shown = CELL_FORMATS.get(fmt)
    if shown is not None and not isinstance(value, bool):
        return shown(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = formatting.plain_text(str(value), limit=500)
    return formatting.readable_durations(text) if fmt == "sentence" else text


def table_rows(table: DataTable, root: str) -> Markup:
    """The rows of a table's body, a line each; a day in a date column links to its report,
    and so does a time on one of `table.days`.

    A year's site shows some 300,000 cells, too many for a Jinja loop (~5 µs a cell). The
    table around the rows (caption, header, the empty table) is `_partials/_table.html`."""
    formats = [column.format for column in table.columns]
    rows = (
        "".join(
            _day_time_html(value, root)
            if fmt == "time" and isinstance(value, str) and value[:10] in table.days
            else _cell_html(value, fmt, root)
            for value, fmt in zip(row, formats, strict=True)
        )
        for row in table.rows
    )
    return Markup("\n".join(f"<tr>{cells}</tr>" for cells in rows))  # noqa: S704 - escaped below


@lru_cache(maxsize=1 << 12)
def _day_time_html(value: str, root: str) -> str:
    """A time on a day that has a daily page, linked to it."""
    link = _day_href(value[:10], root)
    return f'<td class="fmt-time"><a href="{link}">{escape(cell(value, "time"))}</a></td>'


def _day_href(day: str, root: str) -> str:
    return f"{escape(root)}daily/{escape(day)}/index.html"


def _cell_html(value: Cell, fmt: str, root: str) -> str:
    # A format is an identifier (`Format`), never text to escape.
    if isinstance(value, str):
        return _text_cell_html(value, fmt, root)
    return f'<td class="fmt-{fmt}">{escape(cell(value, fmt))}</td>'


@lru_cache(maxsize=1 << 16)
def _text_cell_html(value: str, fmt: str, root: str) -> str:
    """A text cell, made once per build: the same text recurs (processor names, categories,
    the hours of a day's five charts, the days of a month's)."""
    if fmt == "date" and len(value) == 10:
        return f'<td class="fmt-date"><a href="{_day_href(value, root)}">{escape(value)}</a></td>'
    return f'<td class="fmt-{fmt}">{escape(cell(value, fmt))}</td>'


def environment(folders: Sequence[Path] = (), *, cached: bool = False) -> jinja2.Environment:
    """The Jinja environment over `folders` (overrides first; default the shipped templates);
    `cached`: keep the compiled templates in the cache folder for the next build."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders) or [shipped_folder()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        script_json=script_json,
        cell=cell,
        table_rows=table_rows,
        count=formatting.count,
        number=formatting.number,
        percent=formatting.percent,
        score=formatting.score,
        interval=formatting.interval,
        ms=formatting.duration_ms,
        money=formatting.money,
        timestamp=formatting.timestamp,
        durations=formatting.readable_durations,
        cost_headlines=sections.cost_headlines,
    )
    if cached:
        env.bytecode_cache = compiled_templates(env)
    return env


def page_meta(page: Page, common: SiteCommon, title: str, has_charts: bool) -> PageMeta:
    root = page.root
    if page.path == "404.html" and common.base_url:
        # GitHub Pages serves 404.html at any missing address, so relative links need a base.
        root = common.base_url.rstrip("/") + "/"
    return PageMeta(
        kind=page.kind.value,
        key=page.key,
        title=title,
        root=root,
        site_title=common.site_title,
        version=common.version,
        freshness=common.freshness,
        assets=common.assets,
        nav=common.nav,
        has_charts=has_charts,
    )


def render(env: jinja2.Environment, template: str, meta: PageMeta, context: object) -> str:
    values = {"page": meta}
    if context is not None:
        values.update(vars(context))
    return env.get_template(template).render(values)
