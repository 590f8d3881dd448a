"""The index's year calendar: a year at a glance, one cell a day, reports linked."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from site_builder import sample_site_fixture  # noqa: F401 - registers the fixture

CELL = re.compile(r'<(a|i) class="cell status-([a-z-]+)"(?: href="([^"]+)")? title="([^"]+)"')


def calendar_cells(site: Path) -> list[tuple[str, ...]]:
    html = (site / "index.html").read_text(encoding="utf-8")
    calendar = html.split('<div class="calendar">', 1)[1].split("</div>", 1)[0]
    return [m.groups(default="") for m in CELL.finditer(calendar)]


def test_calendar_is_a_year_of_days_with_the_reports_linked(sample_site: Path) -> None:
    """The sample's reports run Nov 2 to Nov 29 2026 (a Sunday): 53 week columns end there."""
    cells = calendar_cells(sample_site)
    first = date(2026, 11, 29) - timedelta(weeks=52, days=6)  # Monday, 53 columns back
    assert len(cells) == 53 * 7
    assert [title.split()[0] for *_, title in cells] == [
        str(first + timedelta(days=n)) for n in range(53 * 7)
    ]
    reported = [cell for cell in cells if cell[0] == "a"]
    assert [title.split()[0] for *_, title in reported] == [
        str(date(2026, 11, 2) + timedelta(days=n)) for n in range(28)
    ]
    assert all(href == f"daily/{title.split()[0]}/index.html" for _, _, href, title in reported)
    assert reported[-1][1] == "critical"  # the incident day
    # A day without a report is an empty cell, not a link.
    empty = [cell for cell in cells if cell[0] == "i"]
    assert len(empty) == 53 * 7 - 28
    assert empty[0] == ("i", "no-data", "", f"{first} no data")
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    assert "One cell a day for the 53 weeks to 2026-11-29" in html


def test_calendar_labels_the_months_above_their_first_week(sample_site: Path) -> None:
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    calendar = html.split('<div class="calendar">', 1)[1].split("</div>", 1)[0]
    labels = re.findall(r'<b class="month">([A-Za-z]*)</b>', calendar)
    assert len(labels) == 53  # one a column, mostly empty
    assert [label for label in labels if label] == [
        "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"
    ]  # fmt: skip
