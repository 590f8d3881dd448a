"""Where a report page sits: its parents (day → week → month), its children, its coverage.

Computed from the page plan and the store's data span only, so a page's links and coverage
line are known before any report is computed (and go into its fingerprint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from reportgen.render.site.pages import Link
from reportgen.render.site.plan import Page, PageKind

LATEST_KINDS = (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY)
# Each report page's period `[start, end)` in UTC, by path. A year's family links compare
# periods some 100,000 times: converted once, not at every comparison.
Bounds = Mapping[str, tuple[datetime, datetime]]


def bounds_of(pages: Sequence[Page]) -> dict[str, tuple[datetime, datetime]]:
    return {p.path: (p.period.start_utc, p.period.end_utc) for p in pages if p.period is not None}


@dataclass(frozen=True)
class Family:
    """A report page's parents (widest last) and children (oldest first)."""

    parents: tuple[Link, ...] = ()
    children: tuple[Link, ...] = ()
    children_label: str = ""


def _within(inner: Page, outer: Page, bounds: Bounds) -> bool:
    start, end = bounds[outer.path]
    return start <= bounds[inner.path][0] < end


def _overlaps(inner: Page, outer: Page, bounds: Bounds) -> bool:
    (inner_start, inner_end), (outer_start, outer_end) = bounds[inner.path], bounds[outer.path]
    return inner_start < outer_end and inner_end > outer_start


def _first(kind: PageKind, page: Page, pages: Sequence[Page], bounds: Bounds) -> list[Link]:
    """The page of `kind` whose period holds `page`'s start, as a one-link list."""
    return [Link(p.path, p.key) for p in pages if p.kind is kind and _within(page, p, bounds)][:1]


def family(page: Page, pages: Sequence[Page], bounds: Bounds) -> Family:
    """Links up (a day's week and month, a week's month) and down (the days of a week, a
    month or a range; a month's weeks too). `bounds` holds every report page of `pages`."""
    if page.period is None:
        return Family()
    parents: list[Link] = []
    if page.kind is PageKind.DAILY:
        week = _first(PageKind.WEEKLY, page, pages, bounds)
        parents = week + _first(PageKind.MONTHLY, page, pages, bounds)
    elif page.kind is PageKind.WEEKLY:
        parents = _first(PageKind.MONTHLY, page, pages, bounds)
    if page.kind is PageKind.DAILY:
        return Family(parents=tuple(parents))
    weeks = [
        Link(p.path, p.key)
        for p in pages
        if page.kind is PageKind.MONTHLY
        and p.kind is PageKind.WEEKLY
        and _overlaps(p, page, bounds)
    ]
    days = [
        Link(p.path, p.key) for p in pages if p.kind is PageKind.DAILY and _within(p, page, bounds)
    ]
    return Family(tuple(parents), tuple(weeks + days), "Weeks and days" if weeks else "Days")


def latest(pages: Sequence[Page]) -> dict[PageKind, Page]:
    """The newest report page of each kind the header links to."""
    found: dict[PageKind, Page] = {}
    for page in pages:
        if page.kind in LATEST_KINDS:
            found[page.kind] = page  # pages of a kind are planned oldest first
    return found
