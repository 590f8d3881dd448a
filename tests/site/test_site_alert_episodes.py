"""The bundled sample's incident (2026-11-18) as the alert lifecycle recorded it, replayed as
`python3 dev.py demo` does: an incident on the alerts page, shaded spans on its time charts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from site_browser import browser
from site_builder import bundled_site_fixture  # noqa: F401 - registers the fixture


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_alerts_page_shows_the_incident_from_the_alert_lifecycle(bundled_site: Path) -> None:
    page = (bundled_site / "alerts" / "index.html").read_text(encoding="utf-8")
    current = text_of(
        page[page.index('id="current-heading"') : page.index('id="episodes-heading"')]
    )
    assert "1 incident(s) open at the last health run, 2026-11-18 23:45 UTC" in current
    section = page[page.index('id="episodes-heading"') : page.index('id="days-heading"')]
    assert section.count('<article class="incident') == 1
    shown = text_of(section)
    # Opened with the rollback's alert, critical at its peak; the stuck jobs it left behind
    # were still firing at the replay's last run.
    assert (
        "critical 2026-11-18 14:30 UTC → still open at the last health run, "
        "2026-11-18 23:45 UTC (9 h 15 min)"
    ) in shown
    # One line per alert at its peak, most severe first (connection_failure fired twice).
    found = [
        text_of(item).strip()
        for item in re.findall(r"<li>(.*?)</li>", section.split("Rollout actions")[0], re.S)
    ]
    assert [line.split(":")[0] for line in found] == [
        "critical rollback_executed (overall)",
        "critical error_rate (overall)",
        "critical error_rate (processor",
        "critical connection_failure (processor",
        "warning health_score (overall)",
        "warning stuck_jobs (overall)",
        "warning error_rate_trend (overall)",
    ]
    assert found[3].startswith(
        "critical connection_failure (processor:inngest): inngest: 7 of 7 failures are network"
    )
    assert "Rollout actions: 2026-11-18 14:18 UTC: rollback 50% → 0% by auto_health_check" in (
        shown
    )
    assert '<a href="../daily/2026-11-18/index.html">2026-11-18</a>' in section
    assert "No alert episodes recorded" not in page


def test_the_index_lists_the_incident_the_alerts_page_calls_open(bundled_site: Path) -> None:
    page = (bundled_site / "index.html").read_text(encoding="utf-8")
    section = page[
        page.index('id="incidents-heading"') : page.index(
            "</section>", page.index('id="incidents-heading"')
        )
    ]
    shown = re.sub(r" ([,;])", r"\1", text_of(section).split("Open incidents")[1].strip())
    assert shown == (
        "Peak critical since 2026-11-18 14:30 UTC, still open at the last health run, "
        "2026-11-18 23:45 UTC; still firing: stuck_jobs (overall), error_rate_trend (overall)"
        " · details on the alerts page"
    )
    assert '<a href="alerts/index.html">details on the alerts page</a>' in section
    assert "None:" not in section


@pytest.mark.browser
def test_the_incident_days_time_charts_shade_its_alert_episodes(bundled_site: Path) -> None:
    pages = ("daily/2026-11-18", "weekly/2026-W47", "daily/2026-11-19")
    with browser() as chromium:
        visits = {p: chromium.visit((bundled_site / p / "index.html").as_uri()) for p in pages}
    incident, week, after = (visits[p] for p in pages)
    assert incident.svg_charts == incident.chart_slots > 0
    # Eight episodes of seven alerts (the network-failure alert fired twice) on each of the
    # day's five time charts and of its week's six, which also mark the week's three changes.
    assert (incident.alert_spans, len(incident.rollout_marks)) == (8 * 5, 5)
    assert (week.alert_spans, len(week.rollout_marks)) == (8 * 6, 3 * 6)
    # Closed, or known only up to the last run of the day: nothing spills into the next day.
    assert after.alert_spans == 0
