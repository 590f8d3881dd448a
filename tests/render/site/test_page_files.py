from __future__ import annotations

from datetime import UTC, datetime

from reportgen.render.site.page_files import alert_transitions


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
    table = alert_transitions([row, {**row, "issue_number": None}])
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
