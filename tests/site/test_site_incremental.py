"""Incremental builds: unchanged pages are neither recomputed nor rewritten."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from site_builder import INCIDENT_ALERTS, INCIDENT_HISTORY, build, days, sample_rows, settings

from reportgen.config import Settings, StoreSettings
from reportgen.render.site.write import read_manifest


def inodes(site: Path) -> dict[str, int]:
    return {
        path.relative_to(site).as_posix(): path.stat().st_ino
        for path in site.rglob("*")
        if path.is_file()
    }


def changed_units(before: Path, after: Path) -> set[str]:
    old, new = read_manifest(before).units, read_manifest(after).units
    return {name for name, unit in new.items() if old.get(name) != unit}


def test_second_build_without_changes_rewrites_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rows = days(date(2026, 11, 16), 10)
    build(site, rows)
    before = {p: (site / p).stat().st_mtime_ns for p in inodes(site)}
    gathered, result = build(site, rows)
    assert (result.written, result.changed, gathered.computed) == (0, False, [])
    assert result.reused == len(before) - 2  # all but .nojekyll and the build manifest
    assert {p: (site / p).stat().st_mtime_ns for p in inodes(site)} == before


def test_adding_a_day_rebuilds_only_the_pages_it_touches(tmp_path: Path) -> None:
    site, copy = tmp_path / "site", tmp_path / "before"
    first = days(date(2026, 11, 16), 12)  # Mon 16 to Fri 27 November
    build(site, first)
    copy.mkdir()
    (copy / ".reportgen-build.json").write_bytes((site / ".reportgen-build.json").read_bytes())
    old_inodes = inodes(site)
    gathered, result = build(site, first + days(date(2026, 11, 28), 1))
    # Friday 27 gains a "next" link: it is rendered again from its old report.json.
    assert gathered.computed == [
        "daily/2026-11-28/index.html",
        "weekly/2026-W48/index.html",
        "monthly/2026-11/index.html",
    ]
    assert changed_units(copy, site) == {
        "daily/2026-11-27/index.html",
        "daily/2026-11-28/index.html",
        "weekly/2026-W48/index.html",
        "monthly/2026-11/index.html",
        "index.html",
        "feed.xml",
        "alerts/index.html",
        # The "latest daily" link now forwards to the new day.
        "latest",
        # November's pages changed, so November's search index is made again.
        "search/2026-11",
    }
    new_inodes = inodes(site)
    rewritten = {p for p in new_inodes if old_inodes.get(p) != new_inodes[p]}
    assert rewritten - {".nojekyll", ".reportgen-build.json"} == {
        path for name in changed_units(copy, site) for path in read_manifest(site).units[name].files
    }
    assert result.changed and result.written == len(rewritten) - 2


def test_search_index_is_made_again_only_when_a_report_page_changed(tmp_path: Path) -> None:
    site, copy = tmp_path / "site", tmp_path / "before"
    rows = days(date(2026, 10, 12), 3)
    build(site, rows)
    copy.mkdir()
    (copy / ".reportgen-build.json").write_bytes((site / ".reportgen-build.json").read_bytes())
    index = read_manifest(site).units["search/2026-10"].files
    assert "pagefind/2026-10/pagefind.js" in index and "search/2026-10.js" in index
    old_inodes = inodes(site)
    # Alerts weeks after the data's last month change the overview and the alerts page only.
    _, result = build(site, rows, alerts=INCIDENT_ALERTS)
    assert result.changed
    assert changed_units(copy, site) == {"index.html", "alerts/index.html"}
    new_inodes = inodes(site)
    assert all(new_inodes[path] == old_inodes[path] for path in index)


def test_alerts_page_made_from_the_kept_digests_is_the_page_made_from_the_reports(
    tmp_path: Path,
) -> None:
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    rows = sample_rows()  # an incident day with findings and a rollback
    build(site, rows, history=INCIDENT_HISTORY)
    # New alerts only: the alerts page is made again from the digests in the manifest.
    gathered, _ = build(site, rows, history=INCIDENT_HISTORY, alerts=INCIDENT_ALERTS)
    assert gathered.computed == []
    assert read_manifest(site).units["daily/2026-11-29/index.html"].alerts is not None
    build(fresh, rows, history=INCIDENT_HISTORY, alerts=INCIDENT_ALERTS)
    page = (site / "alerts/index.html").read_text(encoding="utf-8")
    assert "rollback 50% → 0%" in page
    assert page == (fresh / "alerts/index.html").read_text(encoding="utf-8")


def test_full_rebuild_recomputes_every_report(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rows = days(date(2026, 11, 16), 3)
    build(site, rows)
    gathered, result = build(site, rows, full=True)
    assert sorted(gathered.computed) == [
        "daily/2026-11-16/index.html",
        "daily/2026-11-17/index.html",
        "daily/2026-11-18/index.html",
        "monthly/2026-11/index.html",
        "weekly/2026-W47/index.html",
    ]
    assert result.reused == 0


def test_changed_settings_rebuild_pages_but_keep_the_vega_bundle(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rows = days(date(2026, 11, 16), 3)
    build(site, rows)
    bundle = next((site / "assets").glob("vega-*.js"))
    inode = bundle.stat().st_ino
    gathered, _ = build(site, rows, settings(title="Another title"))
    assert len(gathered.computed) == 5
    assert bundle.stat().st_ino == inode
    assert "Another title" in (site / "daily/2026-11-16/index.html").read_text()


def test_moving_the_store_or_its_memory_cap_rebuilds_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rows = days(date(2026, 11, 16), 3)
    build(site, rows)
    moved = Settings(store=StoreSettings(path=tmp_path / "elsewhere.duckdb", memory_limit="3GB"))
    gathered, result = build(site, rows, moved)
    assert (gathered.computed, result.written) == ([], 0)


def test_partial_periods_follow_as_of(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    site = tmp_path / "site"
    rows = days(date(2026, 11, 16), 3)
    build(site, rows, as_of=datetime(2026, 11, 18, 12, tzinfo=UTC))
    gathered, _ = build(site, rows, as_of=datetime(2026, 11, 18, 13, tzinfo=UTC))
    # Only the running day, week and month are judged again at the new as_of.
    assert sorted(gathered.computed) == [
        "daily/2026-11-18/index.html",
        "monthly/2026-11/index.html",
        "weekly/2026-W47/index.html",
    ]


def test_a_newer_snapshot_redraws_the_pages_whose_data_it_ends_within(tmp_path: Path) -> None:
    """The grey span after the newest snapshot moves with it; a page whose data were whole
    before is kept."""
    site, copy = tmp_path / "site", tmp_path / "before"
    rows = days(date(2026, 11, 16), 12)  # Mon 16 to Fri 27 November
    build(site, rows, data_as_of=datetime(2026, 11, 27, 10, tzinfo=UTC))
    page = site / "daily/2026-11-27/index.html"
    span = '"event":"after the newest snapshot","kind":"after_data"}'
    assert f'"start":"2026-11-27T10:00:00+00:00","end":"2026-11-28T00:00:00+00:00",{span}' in (
        page.read_text(encoding="utf-8")
    )
    assert span not in (site / "daily/2026-11-26/index.html").read_text(encoding="utf-8")
    copy.mkdir()
    (copy / ".reportgen-build.json").write_bytes((site / ".reportgen-build.json").read_bytes())
    build(site, rows, data_as_of=datetime(2026, 11, 27, 20, tzinfo=UTC))
    assert f'"start":"2026-11-27T20:00:00+00:00","end":"2026-11-28T00:00:00+00:00",{span}' in (
        page.read_text(encoding="utf-8")
    )
    changed = changed_units(copy, site)
    assert "daily/2026-11-27/index.html" in changed
    assert "daily/2026-11-26/index.html" not in changed
