"""Where a report page sits: its parents (day → week → month), its children, its coverage.

Computed from the page plan and the store's data span only, so a page's links and coverage
line are known before any report is computed (and go into its fingerprint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def coverage(
    start: datetime,
    end: datetime,
    data_span: tuple[datetime, datetime] | None,
    data_as_of: datetime | None,
) -> tuple[str, bool]:
    """What the data cover of `[start, end)`, in words, and whether that is less than all.

    `data start 2026-10-25 · 7 of 31 days` for a month the data start in;
    `data until 2026-11-25 10:00 UTC · 10 of 24 hours` for a day the data stop in.
    """
    if data_span is None:
        return "no data", True
    first = data_span[0]
    last = max(data_span[1], data_as_of) if data_as_of is not None else data_span[1]
    covered_from, covered_to = max(start, first), min(end, last)
    hours = (end - start) / timedelta(hours=1)
    parts: list[str] = []
    if first > start:
        parts.append(f"data start {first.date().isoformat()}")
    if last < end:
        parts.append(f"data until {last.strftime('%Y-%m-%d %H:%M')} UTC")
    if not parts:
        return "data cover the whole period", False
    span = max(covered_to - covered_from, timedelta(0))
    if hours <= 48:
        covered = round(span / timedelta(hours=1))
        parts.append(f"{covered} of {round(hours)} hours")
    else:
        days = round((end - start) / timedelta(days=1))
        covered = min(days, -(-span // timedelta(days=1)))
        parts.append(f"{covered} of {days} days")
    return " · ".join(parts), True
