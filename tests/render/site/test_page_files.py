from __future__ import annotations

from datetime import UTC, datetime

from reportgen.render.site.page_files import alert_transitions
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
