"""Every page says how fresh its data is, and flags data older than `stale_after_hours`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from site_builder import AS_OF, build, days, settings


def test_stale_data_is_flagged_on_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old = datetime(2026, 11, 28, 12, tzinfo=UTC)  # 37 hours before AS_OF
    build(site, days(date(2026, 11, 26), 2), settings(stale_after_hours=36), data_as_of=old)
    for page in ["index.html", "daily/2026-11-27/index.html", "alerts/index.html", "404.html"]:
        html = (site / page).read_text(encoding="utf-8")
        assert '<strong class="badge badge-stale" role="status">Stale data</strong>' in html, page
        assert "The newest data is more than 36 hours older than this build." in html
        assert 'Data as of <time datetime="2026-11-28T12:00:00+00:00">2026-11-28 12:00 UTC' in html
        assert 'Built <time datetime="2026-11-30T01:05:00+00:00">' in html
        assert "Commit <code>0123abc</code>" in html


def test_fresh_data_has_no_stale_badge(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(site, days(date(2026, 11, 26), 2), settings(stale_after_hours=36))
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "Stale data" not in html
    assert AS_OF.isoformat() not in html  # as-of is the judging time, not a freshness claim


def test_data_going_stale_rebuilds_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rows = days(date(2026, 11, 26), 2)
    old = datetime(2026, 11, 28, 12, tzinfo=UTC)
    build(site, rows, settings(stale_after_hours=48), data_as_of=old)
    gathered, _ = build(site, rows, settings(stale_after_hours=36), data_as_of=old)
    assert len(gathered.computed) == 2 + 1 + 1


def test_a_store_without_jobs_builds_the_fixed_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    gathered, result = build(site, [])
    assert [page.path for page in gathered.manifest.pages] == [
        "index.html",
        "alerts/index.html",
        "404.html",
        "feed.xml",
    ]
    assert "No data yet: run <code>reportgen pull</code>, then build again." in (
        site / "index.html"
    ).read_text(encoding="utf-8")
    assert result.changed
