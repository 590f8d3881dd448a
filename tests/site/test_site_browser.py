"""The built site in a real headless Chromium, served under a `/<repo>/` prefix."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from site_browser import browser, serve
from site_builder import sample_site_fixture  # noqa: F401 - registers the fixture

PAGES = {
    "index.html": 6,
    "daily/2026-11-29/index.html": 7,
    "weekly/2026-W48/index.html": 8,
    "monthly/2026-11/index.html": 8,
    "custom/incident/index.html": 7,
    "alerts/index.html": 0,
    "search/index.html": 0,
    "404.html": 0,
}


@pytest.mark.browser
def test_pages_draw_their_charts_offline_without_errors(sample_site: Path) -> None:
    with serve(sample_site, "/repo") as (base, served), browser() as chromium:
        visits = {page: chromium.visit(base + page) for page in PAGES}
    for page, charts in PAGES.items():
        visit = visits[page]
        assert (visit.chart_slots, visit.svg_charts) == (charts, charts), page
        assert visit.console_errors == [], page
        assert [url for url in visit.requests if not url.startswith(base)] == [], page
    assert all(path.startswith("/repo/") for path in served)
    assert sum(path.startswith("/repo/assets/vega-") for path in served) >= 1


# Time charts per page kind: each draws the incident day's rollback and its alert episode.
TIME_CHARTS = {
    "index.html": 6,
    "daily/2026-11-29/index.html": 5,
    "weekly/2026-W48/index.html": 6,
    "monthly/2026-11/index.html": 6,
    "custom/incident/index.html": 5,
}


@pytest.mark.browser
def test_every_time_chart_marks_the_incident_rollback_and_alert(sample_site: Path) -> None:
    with browser() as chromium:
        visits = {page: chromium.visit((sample_site / page).as_uri()) for page in TIME_CHARTS}
    for page, charts in TIME_CHARTS.items():
        visit = visits[page]
        assert len(visit.rollout_marks) == charts, page
        assert all("rollback 50% → 0%" in label for label in visit.rollout_marks), page
        assert visit.alert_spans == charts, page


@pytest.mark.browser
def test_phone_width_has_no_overflow_and_no_broken_headers(sample_site: Path) -> None:
    with browser() as chromium:
        visits = {p: chromium.visit((sample_site / p).as_uri(), width=390) for p in PAGES}
    for page, visit in visits.items():
        assert visit.too_wide == [], page
        assert visit.broken_headers == [], page


@pytest.mark.browser
def test_site_opens_from_a_local_folder(sample_site: Path) -> None:
    with browser() as chromium:
        visit = chromium.visit((sample_site / "daily/2026-11-29/index.html").as_uri())
    assert (visit.chart_slots, visit.svg_charts) == (7, 7)
    assert visit.console_errors == []
    assert [url for url in visit.requests if not url.startswith("file://")] == []


@pytest.mark.browser
def test_theme_follows_the_readers_color_scheme(sample_site: Path) -> None:
    page = (sample_site / "index.html").as_uri()
    with browser() as chromium:
        light = chromium.visit(page, scheme="light")
        dark = chromium.visit(page, scheme="dark")
    assert (light.background, dark.background) == ("rgb(255, 255, 255)", "rgb(13, 17, 23)")
    assert (dark.svg_charts, dark.console_errors) == (6, [])


@pytest.mark.browser
def test_not_found_page_has_its_styles_and_working_links_at_depth_three(
    sample_site: Path,
) -> None:
    expression = (
        "[getComputedStyle(document.querySelector('.site-header')).borderBottomStyle,"
        " [...document.querySelectorAll('a[data-path]')].map(a => a.href)]"
    )
    with serve(sample_site, "/repo") as (base, _), browser() as chromium:
        border, links = chromium.evaluate(base + "daily/2099-01-01/deeper/", expression)
        for link in set(links):
            with urllib.request.urlopen(link) as reply:  # noqa: S310 (the local test server)
                assert reply.status == 200, link
    assert border == "solid"
    assert sorted(set(links)) == [
        base + "alerts/index.html",
        base + "index.html",
        base + "latest/daily/index.html",
        base + "latest/monthly/index.html",
        base + "latest/weekly/index.html",
        base + "search/index.html",
    ]


@pytest.mark.browser
def test_every_chart_offers_csv_and_svg_downloads_that_resolve(sample_site: Path) -> None:
    expression = (
        "[...document.querySelectorAll('.chart-links a[download]')]"
        ".map(a => [a.className, a.getAttribute('href').slice(0, 40)])"
    )
    with browser() as chromium:
        links = chromium.evaluate(
            (sample_site / "daily/2026-11-29/index.html").as_uri(), expression, settle=3.0
        )
    assert sorted({name for name, _ in links}) == ["csv-download", "svg-download"]
    assert len(links) == 7 * 2
    for name, href in links:
        kind = "text/csv" if name == "csv-download" else "image/svg+xml"
        assert href.startswith(f"data:{kind};charset=utf-8,"), (name, href)
