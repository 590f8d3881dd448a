"""The site's page list, computed before anything is rendered.

Pages: `index.html`, `daily/YYYY-MM-DD/`, `weekly/YYYY-Www/`, `monthly/YYYY-MM/` for every
period the data touches, `custom/<slug>/` for each named range, `alerts/`, `404.html` and the
Atom feed `feed.xml`. Folder pages are written as `<folder>/index.html` and linked that way, so
the site also works opened from disk (`file://` serves no directory index).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from reportgen.errors import UsageError
from reportgen.periods import (
    RANGE_SLUG,
    Period,
    PeriodKind,
    custom,
    parse_bound,
    periods_covering,
)


class PageKind(StrEnum):
    INDEX = "index"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CUSTOM = "custom"
    ALERTS = "alerts"
    NOT_FOUND = "404"
    FEED = "feed"
    SEARCH = "search"  # written with the search index, outside the plan


REPORT_KINDS = (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY, PageKind.CUSTOM)


@dataclass(frozen=True)
class Page:
    """One page of the site; report pages carry their period."""

    kind: PageKind
    key: str
    path: str
    period: Period | None = None

    @property
    def folder(self) -> str:
        """The folder holding the page and its downloads (`daily/2026-11-25/`, or ``)."""
        return self.path.rpartition("/")[0] + "/" if "/" in self.path else ""

    @property
    def root(self) -> str:
        """The relative path from this page back to the site root (`../../`)."""
        return "../" * self.path.count("/")

    @property
    def is_report(self) -> bool:
        return self.kind in REPORT_KINDS


@dataclass(frozen=True)
class SiteManifest:
    """Every page of one build, in a fixed order."""

    pages: tuple[Page, ...]

    def of_kind(self, kind: PageKind) -> tuple[Page, ...]:
        return tuple(page for page in self.pages if page.kind is kind)

    def find(self, path: str) -> Page | None:
        return next((page for page in self.pages if page.path == path), None)


def validate_slug(slug: str) -> str:
    """A range name usable as a folder: lowercase letters, digits and `-`, no leading `_`/`-`."""
    if not RANGE_SLUG.fullmatch(slug):
        raise UsageError(
            f"range name {slug!r} is not a valid slug",
            hint="Use lowercase letters, digits and '-', e.g. black-friday-2026.",
        )
    return slug


def parse_range_option(text: str) -> tuple[str, str]:
    """`--range slug=START..END` → (`slug`, `START..END`)."""
    slug, separator, span = text.partition("=")
    if not separator or ".." not in span:
        raise UsageError(
            f"--range {text!r} is not slug=START..END",
            hint="For example --range launch-week=2026-11-23..2026-11-30",
        )
    return validate_slug(slug.strip()), span.strip()


def _moment(text: str, slug: str) -> date | datetime:
    try:
        return parse_bound(text)
    except ValueError:
        raise UsageError(
            f"range {slug!r}: {text!r} is not an ISO 8601 date or time",
            hint="Write START..END, e.g. 2026-11-23..2026-11-30 (END is exclusive).",
        ) from None


def range_period(slug: str, span: str, timezone: str, as_of: datetime) -> Period:
    """The custom period of a named range `START..END` (END exclusive, like `--end`)."""
    validate_slug(slug)
    first, separator, last = span.partition("..")
    if not separator:
        raise UsageError(f"range {slug!r}: {span!r} is not START..END")
    start, end = _moment(first.strip(), slug), _moment(last.strip(), slug)
    try:
        return custom(start, end, timezone, as_of)
    except UsageError as exc:
        raise UsageError(f"range {slug!r}: {exc}") from None


def _report_page(kind: PageKind, key: str, period: Period) -> Page:
    return Page(kind, key, f"{kind.value}/{key}/index.html", period)


def plan_site(
    span: tuple[datetime, datetime] | None,
    timezone: str,
    as_of: datetime,
    ranges: Mapping[str, str],
) -> SiteManifest:
    """Every page for data spanning `span` (first and last job), plus the named ranges."""
    pages = [Page(PageKind.INDEX, "", "index.html")]
    if span is not None:
        first, last = span
        for kind in (PageKind.DAILY, PageKind.WEEKLY, PageKind.MONTHLY):
            for period in periods_covering(
                PeriodKind(kind.value), first, last, timezone, as_of=as_of
            ):
                # A period that has not begun at `as_of` has nothing to report (a build as of
                # a past moment must not publish empty future days as its newest report).
                if period.start_utc < as_of:
                    pages.append(_report_page(kind, period.slug, period))
    for slug in sorted(ranges):
        period = range_period(slug, ranges[slug], timezone, as_of)
        pages.append(_report_page(PageKind.CUSTOM, slug, period))
    pages += [
        Page(PageKind.ALERTS, "", "alerts/index.html"),
        Page(PageKind.NOT_FOUND, "", "404.html"),
        Page(PageKind.FEED, "", "feed.xml"),
    ]
    return SiteManifest(tuple(pages))
