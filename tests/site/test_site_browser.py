"""The built site in a real headless Chromium, served under a `/<repo>/` prefix."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_browser import browser, serve
from site_builder import sample_site_fixture  # noqa: F401 - registers the fixture

PAGES = {
    "index.html": 6,
    "daily/2026-11-29/index.html": 7,
    "weekly/2026-W48/index.html": 8,
    "monthly/2026-11/index.html": 8,
    "custom/incident/index.html": 8,
    "alerts/index.html": 0,
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
