from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reportgen.render.site.page_files import (
    CalendarDay,
    alert_transitions,
    calendar_cells,
    calendar_weeks,
)
from reportgen.render.site.pages import table_rows


def test_alert_transitions_show_the_change_and_the_issue() -> None:
    row = {
        "changed_at": datetime(2026, 11, 25, 10, tzinfo=UTC).isoformat(),
        "severity": "critical",
        "rule": "error_rate",
        "scope": "overall",
        "from_state": "pending",
        "to_state": "firing",
        "message": "error_rate 7.2% > 5.0% over 48 finished jobs",
        "issue_number": 12,
    }
    table = alert_transitions([row, {**row, "issue_number": None}], frozenset())
    assert table.rows == (
        (
            "2026-11-25T10:00:00+00:00",
            "critical",
            "error_rate",
            "overall",
            "pending → firing",
            "error_rate 7.2% > 5.0% over 48 finished jobs",
            "#12",
        ),
        (
            "2026-11-25T10:00:00+00:00",
            "critical",
            "error_rate",
            "overall",
            "pending → firing",
            "error_rate 7.2% > 5.0% over 48 finished jobs",
            None,
        ),
    )


def test_a_transition_on_a_day_with_a_report_links_to_it() -> None:
    rows = [
        {"changed_at": "2026-11-25T10:00:00+00:00", "rule": "error_rate"},
        {"changed_at": "2026-11-26T09:15:00+00:00", "rule": "error_rate"},
    ]
    html = str(table_rows(alert_transitions(rows, frozenset({"2026-11-25"})), "../"))
    linked, plain = html.splitlines()
    assert linked.startswith(
        '<tr><td class="fmt-time"><a href="../daily/2026-11-25/index.html">'
        "2026-11-25 10:00 UTC</a></td>"
    )
    assert plain.startswith('<tr><td class="fmt-time">2026-11-26 09:15 UTC</td>')


def test_calendar_cells_are_a_year_of_week_columns_ending_with_the_newest_day() -> None:
    days = [
        CalendarDay("2026-11-24", "healthy", "daily/2026-11-24/index.html"),
        CalendarDay("2026-11-25", "warning", "daily/2026-11-25/index.html"),  # a Wednesday
    ]
    cells = calendar_cells(days)
    # 52 whole weeks before, then Monday to Wednesday of the newest week.
    assert len(cells) == 52 * 7 + 3 == 367
    assert cells[0] == CalendarDay("2025-11-24", "no-data")  # a Monday
    assert date.fromisoformat(cells[0].key).weekday() == 0
    assert [cell.key for cell in cells] == [
        str(date(2025, 11, 24) + timedelta(days=n)) for n in range(367)
    ]
    assert cells[-2:] == days
    assert {cell.status for cell in cells[:-2]} == {"no-data"}
    assert {cell.href for cell in cells[:-2]} == {""}


def test_calendar_cells_mark_a_day_without_a_report_between_two() -> None:
    days = [
        CalendarDay("2026-11-23", "healthy", "daily/2026-11-23/index.html"),  # a Monday
        CalendarDay("2026-11-25", "critical", "daily/2026-11-25/index.html"),
    ]
    assert calendar_cells(days)[-3:] == [
        days[0],
        CalendarDay("2026-11-24", "no-data"),
        days[1],
    ]
    assert calendar_cells([]) == []


def test_calendar_weeks_label_the_column_each_month_starts_in() -> None:
    newest = CalendarDay("2026-11-25", "warning", "daily/2026-11-25/index.html")
    weeks = calendar_weeks(calendar_cells([newest]))
    assert len(weeks) == 53
    assert [len(week.days) for week in weeks] == [7] * 52 + [3]
    assert weeks[0].days[0].key == "2025-11-24" and weeks[-1].days[-1] == newest
    labelled = [(index, week.month) for index, week in enumerate(weeks) if week.month]
    # Nov 2025 leaves its label to December, which starts in the next column (Monday Dec 1);
    # Nov 2026 starts in column 48 (Oct 26 - Nov 1), five columns before the end.
    assert [month for _, month in labelled] == [
        "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"
    ]  # fmt: skip
    assert labelled[0] == (1, "Dec") and labelled[-1] == (48, "Nov")
    assert all("-01" in "".join(d.key for d in weeks[i].days) for i, _ in labelled)


def test_calendar_weeks_label_the_first_column_when_no_month_starts_soon_after() -> None:
    newest = CalendarDay("2026-06-10", "healthy", "daily/2026-06-10/index.html")
    weeks = calendar_weeks(calendar_cells([newest]))
    # The first column is Monday 2025-06-09: July starts three columns on.
    assert (weeks[0].days[0].key, weeks[0].month) == ("2025-06-09", "Jun")
    # June 2026 starts in the second to last column: no room for its label.
    assert weeks[-2].month == "" and weeks[-1].month == ""
