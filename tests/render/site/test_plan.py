from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reportgen.errors import UsageError
from reportgen.render.site.plan import (
    PageKind,
    parse_range_option,
    plan_site,
    range_period,
    validate_slug,
)

AS_OF = datetime(2026, 12, 2, 6, tzinfo=UTC)
SPAN = (datetime(2026, 11, 29, 10, tzinfo=UTC), datetime(2026, 12, 1, 23, tzinfo=UTC))


def test_plan_site_lists_every_page_of_the_data() -> None:
    plan = plan_site(SPAN, "UTC", AS_OF, {"launch": "2026-11-30..2026-12-02"})
    assert [page.path for page in plan.pages] == [
        "index.html",
        "daily/2026-11-29/index.html",
        "daily/2026-11-30/index.html",
        "daily/2026-12-01/index.html",
        "weekly/2026-W48/index.html",
        "weekly/2026-W49/index.html",
        "monthly/2026-11/index.html",
        "monthly/2026-12/index.html",
        "custom/launch/index.html",
        "alerts/index.html",
        "404.html",
        "feed.xml",
    ]
    launch = plan.of_kind(PageKind.CUSTOM)[0]
    assert launch.period is not None
    assert (launch.period.start_utc, launch.period.end_utc) == (
        datetime(2026, 11, 30, tzinfo=UTC),
        datetime(2026, 12, 2, tzinfo=UTC),
    )


def test_plan_site_without_data_keeps_the_fixed_pages() -> None:
    plan = plan_site(None, "UTC", AS_OF, {})
    assert [page.path for page in plan.pages] == [
        "index.html",
        "alerts/index.html",
        "404.html",
        "feed.xml",
    ]


def test_plan_site_cuts_days_in_the_report_time_zone() -> None:
    plan = plan_site(SPAN, "America/New_York", AS_OF, {})
    assert [p.key for p in plan.of_kind(PageKind.DAILY)] == [
        "2026-11-29",
        "2026-11-30",
        "2026-12-01",
    ]


def test_page_root_and_folder_are_relative() -> None:
    plan = plan_site(SPAN, "UTC", AS_OF, {})
    day = plan.of_kind(PageKind.DAILY)[0]
    assert (day.root, day.folder) == ("../../", "daily/2026-11-29/")
    assert (plan.pages[0].root, plan.pages[0].folder) == ("", "")


@pytest.mark.parametrize("slug", ["Launch", "_hidden", "-x", "a b", "a/b", "ü", "", "a_b"])
def test_validate_slug_refuses(slug: str) -> None:
    with pytest.raises(UsageError) as raised:
        validate_slug(slug)
    assert str(raised.value) == f"range name {slug!r} is not a valid slug"


def test_validate_slug_accepts_lowercase_digits_and_dashes() -> None:
    assert validate_slug("black-friday-2026") == "black-friday-2026"


def test_parse_range_option_splits_slug_and_span() -> None:
    assert parse_range_option("launch=2026-11-23..2026-11-30") == (
        "launch",
        "2026-11-23..2026-11-30",
    )


def test_parse_range_option_refuses_a_missing_span() -> None:
    with pytest.raises(UsageError) as raised:
        parse_range_option("launch")
    assert str(raised.value) == "--range 'launch' is not slug=START..END"


def test_range_period_reads_times_and_refuses_bad_dates() -> None:
    period = range_period("x", "2026-11-30T06:00..2026-11-30T18:00", "UTC", AS_OF)
    assert period.duration.total_seconds() == 12 * 3600
    with pytest.raises(UsageError) as raised:
        range_period("x", "2026-13-01..2026-12-01", "UTC", AS_OF)
    assert str(raised.value) == "range 'x': '2026-13-01' is not an ISO 8601 date or time"
    with pytest.raises(UsageError) as raised:
        range_period("x", "2026-12-01..2026-11-01", "UTC", AS_OF)
    assert str(raised.value).startswith("range 'x': custom period end 2026-11-01T00:00:00+00:00")


def test_plan_site_leaves_out_periods_that_start_after_as_of() -> None:
    # Building as of a past moment (e.g. the incident) must not publish reports of days that
    # had not begun yet: they would be empty and the newest daily report would be one of them.
    as_of = datetime(2026, 11, 30, 12, tzinfo=UTC)
    plan = plan_site(SPAN, "UTC", as_of, {})
    assert [page.path for page in plan.pages if page.is_report] == [
        "daily/2026-11-29/index.html",
        "daily/2026-11-30/index.html",
        "weekly/2026-W48/index.html",
        "weekly/2026-W49/index.html",
        "monthly/2026-11/index.html",
    ]


def test_plan_site_at_midnight_leaves_out_the_day_that_has_not_begun() -> None:
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    plan = plan_site(SPAN, "UTC", as_of, {})
    assert [p.key for p in plan.of_kind(PageKind.DAILY)] == ["2026-11-29", "2026-11-30"]
    assert [p.key for p in plan.of_kind(PageKind.MONTHLY)] == ["2026-11"]
