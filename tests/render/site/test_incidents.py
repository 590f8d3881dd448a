"""Incidents: alert episodes grouped where they overlap, days with findings grouped in runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from reportgen.periods import daily
from reportgen.render.site.events import chart_events, episodes, incidents
from reportgen.render.site.incidents import alerts_digest, from_daily_findings, from_episodes
from reportgen.render.site.plan import Page, PageKind

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)


def at(hour: float, day: int = 18) -> str:
    return (datetime(2026, 11, day, tzinfo=UTC) + timedelta(hours=hour)).isoformat()


def transition(key: str, when: str, to_state: str, severity: str = "critical") -> dict[str, Any]:
    return {
        "key": key,
        "rule": key,
        "scope": "overall",
        "changed_at": when,
        "to_state": to_state,
        "severity": severity,
        "message": f"{key} 353757 ms vs 180000 ms",
        "issue_number": 7 if key == "error_rate" else None,
    }


TRANSITIONS = [
    transition("error_rate", at(14), "firing"),
    transition("error_rate", at(17), "resolved"),
    transition("p95", at(15), "firing", "warning"),
    transition("p95", at(16), "resolved"),
    transition("stuck_jobs", at(10, 24), "firing", "warning"),
]


def day(
    n: int, findings: list[dict[str, Any]], changes: tuple[dict[str, Any], ...] = ()
) -> tuple[Page, dict[str, Any]]:
    start = date(2026, 11, 16) + timedelta(days=n)
    period = daily(start, "UTC", AS_OF)
    page = Page(PageKind.DAILY, start.isoformat(), f"daily/{start}/index.html", period)
    report = {
        "findings": findings,
        "rollout": {"changes": list(changes)},
        "period": {"partial": False},
    }
    return page, report


ROLLBACK = {
    "created_at": at(14.3),
    "action": "rollback",
    "previous_percentage": 50.0,
    "new_percentage": 0.0,
    "triggered_by": "auto_health_check",
}
WARN = {"severity": "warning", "rule": "stuck_jobs", "scope": "overall", "message": "2 stuck"}
CRIT = {"severity": "critical", "rule": "error_rate", "scope": "overall", "message": "15%"}
DAILY = [
    day(0, [WARN]),
    day(1, []),
    day(2, [WARN, CRIT], (ROLLBACK,)),
    day(3, [WARN]),
    day(4, [{**WARN, "severity": "info"}]),
]


def test_overlapping_episodes_are_one_incident_and_open_ones_come_first() -> None:
    groups = incidents(episodes(TRANSITIONS))
    assert [(g.start.isoformat(), g.end) for g in groups] == [
        (at(10, 24), None),
        (at(14), datetime.fromisoformat(at(17))),
    ]
    assert [e.rule for e in groups[1].episodes] == ["error_rate", "p95"]
    assert groups[1].severity == "critical"


def test_episode_incidents_carry_findings_actions_reports_and_issue() -> None:
    views = from_episodes(incidents(episodes(TRANSITIONS)), DAILY, AS_OF)
    closed = views[1]
    assert closed.duration == "3 h 00 min"
    assert closed.actions == ("2026-11-18 14:18 UTC: rollback 50% → 0% by auto_health_check",)
    assert [link.label for link in closed.reports] == ["2026-11-18"]
    assert closed.issue == 7
    assert views[0].end is None


def test_daily_findings_group_into_runs_of_consecutive_days_newest_first() -> None:
    views = from_daily_findings(DAILY)
    assert [[link.label for link in v.reports] for v in views] == [
        ["2026-11-18", "2026-11-19"],
        ["2026-11-16"],
    ]
    newest = views[0]
    assert newest.severity == "critical"
    assert [(f.severity, f.rule) for f in newest.findings] == [
        ("critical", "error_rate"),
        ("warning", "stuck_jobs"),
    ]
    assert newest.duration == "2 days"
    assert len(newest.actions) == 1


def test_incidents_from_the_reports_digests_are_those_from_the_reports() -> None:
    # Reports hold much more than the alerts page reads; its digests must hold all it reads.
    extra: dict[str, Any] = {"status": "critical", "metrics": {"jobs": 120}}
    full = [
        (
            page,
            {
                **report,
                **extra,
                "period": {**report["period"], "start": page.key},
                "rollout": {**report["rollout"], "percentage": 0.0},
            },
        )
        for page, report in DAILY
    ]
    digests = [(page, alerts_digest(report)) for page, report in full]
    assert digests[4][1]["findings"] == []  # an info finding is not the page's
    groups = incidents(episodes(TRANSITIONS))
    assert from_episodes(groups, digests, AS_OF) == from_episodes(groups, full, AS_OF)
    assert from_daily_findings(digests) == from_daily_findings(full)


def test_chart_events_clip_to_the_window_and_mark_gaps() -> None:
    start = datetime(2026, 11, 18, tzinfo=UTC)
    found = chart_events(
        [DAILY[2][1]],
        (start, start + timedelta(days=1)),
        episodes(TRANSITIONS),
        start + timedelta(hours=2),
        start + timedelta(hours=20),
    )
    assert found.rules == (
        {"at": at(14.3), "event": "rollback 50% → 0%", "kind": "rollback", "lane": 0},
    )
    assert [(s["kind"], s["start"][11:16], s["end"][11:16]) for s in found.spans] == [
        ("alert", "14:00", "17:00"),
        ("alert", "15:00", "16:00"),
        ("uncovered", "00:00", "02:00"),
        ("partial", "20:00", "00:00"),
    ]


def test_rollout_labels_take_turns_on_three_lines_in_time_order() -> None:
    changes = tuple(
        {**ROLLBACK, "created_at": at(hour), "action": "updated", "new_percentage": pct}
        for hour, pct in ((9, 40.0), (8, 30.0), (10, 50.0), (11, 60.0))
    )
    start = datetime(2026, 11, 18, tzinfo=UTC)
    found = chart_events(
        [day(2, [], changes)[1]], (start, start + timedelta(days=1)), [], None, None
    )
    assert [(r["at"][11:13], r["lane"]) for r in found.rules] == [
        ("08", 0),
        ("09", 1),
        ("10", 2),
        ("11", 0),
    ]


def test_an_episode_runs_through_an_inconclusive_stretch_to_its_resolution() -> None:
    found = episodes(
        [
            transition("error_rate", at(14), "firing", "warning"),
            {**transition("error_rate", at(14.5), "firing"), "message": "escalated: 30%"},
            {**transition("error_rate", at(15), "inconclusive"), "message": "3 jobs"},
            {**transition("error_rate", at(16), "firing"), "message": "healthy 0.5%"},
            transition("error_rate", at(16.25), "resolved"),
        ]
    )
    assert [(e.start.isoformat(), e.end) for e in found] == [
        (at(14), datetime.fromisoformat(at(16.25)))
    ]
    # The result that opened it, then the one that raised it: never the healthy ones after.
    assert found[0].severity == "critical"
    assert found[0].messages == ("error_rate 353757 ms vs 180000 ms", "escalated: 30%")


def test_an_open_episode_is_known_up_to_the_last_health_run() -> None:
    last_run = datetime.fromisoformat(at(23.75))
    found = episodes([transition("stuck_jobs", at(15.5), "firing", "warning")], last_run)
    assert (found[0].end, found[0].until) == (None, last_run)
    start = datetime(2026, 11, 18, tzinfo=UTC)
    spans = chart_events([], (start, start + timedelta(days=1)), found, None, None).spans
    assert [(s["start"][11:16], s["end"][11:16]) for s in spans] == [("15:30", "23:45")]
    assert not found[0].overlaps(start + timedelta(days=1), start + timedelta(days=2))
    view = from_episodes(incidents(found), DAILY, AS_OF)[0]
    assert (view.end, view.open_until, view.duration) == (None, at(23.75), "8 h 15 min")
    assert [link.label for link in view.reports] == ["2026-11-18"]


@pytest.mark.parametrize(
    ("data_as_of", "elapsed_end", "expected"),
    [
        # The day has elapsed, the data end at 10:00: the hours after are no data, not zeros.
        (10, None, [("after_data", "after the newest snapshot", "10:00", "00:00")]),
        # A partial day whose data end before the elapsed time: from the data end.
        (10, 20, [("after_data", "after the newest snapshot", "10:00", "00:00")]),
        # A partial day judged before the newest snapshot: from the end of the elapsed time.
        (22, 20, [("partial", "partial: no data yet", "20:00", "00:00")]),
        # Data past the window: nothing to mark.
        (30, None, []),
        # Data that end before the window: the whole window.
        (-5, None, [("after_data", "after the newest snapshot", "00:00", "00:00")]),
    ],
)
def test_chart_events_mark_the_hours_after_the_newest_snapshot(
    data_as_of: float, elapsed_end: float | None, expected: list[tuple[str, ...]]
) -> None:
    start = datetime(2026, 11, 25, tzinfo=UTC)
    found = chart_events(
        [],
        (start, start + timedelta(days=1)),
        [],
        None,
        None if elapsed_end is None else start + timedelta(hours=elapsed_end),
        start + timedelta(hours=data_as_of),
    )
    spans = [(s["kind"], s["event"], s["start"][11:16], s["end"][11:16]) for s in found.spans]
    assert spans == expected
    inside = data_as_of < 24
    assert found.data_end == (start + timedelta(hours=data_as_of) if inside else None)
