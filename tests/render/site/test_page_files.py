from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from reportgen.render.site.page_files import ALERT_ROWS, alert_history, alert_transitions
from reportgen.render.site.plan import Page, PageKind


def day_page(n: int) -> tuple[Page, dict[str, Any]]:
    key = (date(2026, 1, 1) + timedelta(days=n)).isoformat()
    finding = {"severity": "warning", "rule": "stuck_jobs", "scope": "overall", "message": key}
    ok = {"severity": "info", "rule": "rollout_changed", "scope": "overall", "message": "x"}
    return Page(PageKind.DAILY, key, f"daily/{key}/index.html"), {"findings": [finding, ok]}


def test_alert_history_lists_the_newest_warnings_first_and_is_capped() -> None:
    history = alert_history([day_page(n) for n in range(300)])
    assert len(history.rows) == ALERT_ROWS == 200
    assert history.rows[0] == ("2026-10-27", "warning", "stuck_jobs", "overall", "2026-10-27")
    assert history.rows[-1][0] == "2026-04-11"


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
