"""Site search on the bundled sample (data/sample): Pagefind over http under `/repo/`, the
script-loaded index from `file://`, and the pages' markup for both."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from site_browser import browser, serve
from site_builder import bundled_site_fixture  # noqa: F401 - registers the fixture

INCIDENT_DAY = "daily/2026-11-18/index.html"

# The results once they are shown: [status line, [[href attribute, resolved URL, title]…]].
RESULTS = (
    "(() => { const status = document.querySelector('.search-status').textContent;"
    " if (!status || status === 'Searching…') { return null; }"
    " return [status, [...document.querySelectorAll('.search-results a')]"
    ".map(a => [a.getAttribute('href'), a.href, a.textContent])]; })()"
)


def search(url: str, query: str) -> str:
    return f"{url}?{urllib.parse.urlencode({'q': query})}"


@pytest.mark.browser
def test_search_from_disk_finds_the_incident_with_the_script_loaded_index(
    bundled_site: Path,
) -> None:
    page = (bundled_site / "search" / "index.html").as_uri()
    with browser() as chromium:
        errors = chromium.wait_for(search(page, "ECONNRESET"), RESULTS)
        day = chromium.wait_for(search(page, "2026-11-18"), RESULTS)
    assert errors[0] == "3 reports found."
    assert sorted(href for href, _, _ in errors[1]) == [
        "../daily/2026-11-18/index.html",
        "../monthly/2026-11/index.html",
        "../weekly/2026-W47/index.html",
    ]
    for _, resolved, _ in errors[1]:
        assert resolved.startswith(bundled_site.as_uri() + "/")
        assert Path(urllib.parse.unquote(urllib.parse.urlparse(resolved).path)).is_file()
    assert day[1][0] == ["../" + INCIDENT_DAY, (bundled_site / INCIDENT_DAY).as_uri(),
                         "Daily report 2026-11-18"]  # fmt: skip


@pytest.mark.browser
def test_search_under_a_sub_path_uses_pagefind(bundled_site: Path) -> None:
    with serve(bundled_site, "/repo") as (base, served), browser() as chromium:
        errors = chromium.wait_for(search(base + "search/index.html", "ECONNRESET"), RESULTS)
        day = chromium.wait_for(search(base + "search/index.html", "2026-11-18"), RESULTS)
        for _, resolved, _ in errors[1] + day[1]:
            with urllib.request.urlopen(resolved) as reply:  # noqa: S310 - http only
                assert reply.status == 200, resolved
    assert errors[0] == "3 reports found."
    assert sorted(resolved for _, resolved, _ in errors[1]) == [
        base + "daily/2026-11-18/index.html",
        base + "monthly/2026-11/index.html",
        base + "weekly/2026-W47/index.html",
    ]
    assert day[1][0] == ["../" + INCIDENT_DAY, base + INCIDENT_DAY, "Daily report 2026-11-18"]
    # Pagefind answered (its index and fragments), not the fallback.
    assert "/repo/pagefind/2026-10/pagefind.js" in served
    assert any(path.startswith("/repo/pagefind/2026-11/fragment/") for path in served)
    for shard in ("2026-10", "2026-11"):  # both shards' bundles, merged
        assert any(
            path.startswith(f"/repo/pagefind/{shard}/pagefind-entry.json") for path in served
        )
    assert not any(path.startswith("/repo/search/2026-") for path in served)
    assert all(path.startswith("/repo/") for path in served)


def test_pages_mark_what_pagefind_indexes_and_read_without_javascript(
    bundled_site: Path,
) -> None:
    report = (bundled_site / INCIDENT_DAY).read_text(encoding="utf-8")
    assert '<main id="main" data-pagefind-body>' in report
    for chrome in ('class="freshness"', 'class="breadcrumbs"', 'aria-labelledby="charts-heading"'):
        start = report.index(chrome)
        assert "data-pagefind-ignore" in report[start : report.index(">", start)], chrome
    assert 'href="../../search/index.html">Search</a>' in report
    overview = (bundled_site / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in overview
    page = (bundled_site / "search" / "index.html").read_text(encoding="utf-8")
    # Without JavaScript the box stays hidden and a plain link to the archive shows.
    shards = "2026-10 2026-11"  # one Pagefind bundle and one fallback script a month
    assert f'<div class="search" data-root="../" data-shards="{shards}" hidden>' in page
    assert '<p class="search-note">Search needs JavaScript.' in page
    fallback = [
        (bundled_site / "search" / f"{shard}.js").read_text(encoding="utf-8")
        for shard in shards.split()
    ]
    assert all(text.startswith("window.reportgenSearchPages = (window.") for text in fallback)
    # Every report page: October's 7 days, 2 weeks (from Oct 19 and 26) and the month;
    # November's 25 days, 4 weeks and the month.
    assert [text.count('"url":') for text in fallback] == [10, 30]
