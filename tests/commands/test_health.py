from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fakes.datasets import (
    configuration,
    healthy_traffic,
    hours,
    open_jobs,
    pull_into,
    steady,
)
from fakes.github_server import REPOSITORY, FakeGitHub
from fakes.rollout_frames import history_frame
from fakes.sentry_server import FakeSentry

from reportgen.commands.health import HealthOutcome, replay, replay_steps, run_health
from reportgen.config import Settings, load_settings
from reportgen.evaluate.health import HealthCheck, HealthData, evaluate_health
from reportgen.evaluate.rules import CheckType
from reportgen.notify.dispatch import notify_findings
from reportgen.notify.sentry import SentryNotifier
from reportgen.render.formatting import readable_durations
from reportgen.store import alerts, open_store
from reportgen.store.alerts import transitions as alert_history

SETTINGS = load_settings(environ={})
NOW = hours(48)
NETWORK = "ECONNRESET: connection reset by peer"
ISSUES = f"/repos/{REPOSITORY}/issues"


def check(
    jobs: pl.DataFrame,
    waiting: pl.DataFrame | None = None,
    as_of: datetime = NOW,
    check_type: CheckType = CheckType.FULL,
    percentage: float = 25.0,
    data_as_of: datetime | None = None,
) -> HealthCheck:
    data = HealthData(
        jobs=jobs,
        open_jobs=jobs.clear() if waiting is None else waiting,
        configuration=configuration(percentage),
        history=history_frame(),
        episode_start=as_of - timedelta(hours=1),
        data_as_of=data_as_of,
    )
    return evaluate_health(data, SETTINGS, as_of, check_type)


def rules(result: HealthCheck) -> list[tuple[str, str, str]]:
    return [(f.rule, f.scope, f.severity.value) for f in result.findings]


def incident_jobs() -> pl.DataFrame:
    """A healthy day, then 45 minutes of 40 % network failures on inngest."""
    start = NOW - timedelta(minutes=45)
    return pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=48), start),
            steady(start, NOW, 200, failure_pct=40, error=NETWORK, prefix="bad"),
            steady(start, NOW, 100, processor="github_actions", failure_pct=1, prefix="ga"),
        ]
    )


def test_health_four_jobs_one_failure_is_inconclusive_and_never_trips() -> None:
    start = NOW - timedelta(minutes=40)
    jobs = pl.concat(
        [
            steady(start, NOW, 3, failure_pct=50, prefix="i"),
            steady(start, NOW, 3, processor="github_actions", prefix="g"),
        ]
    )
    assert jobs.height == 4
    result = check(jobs)
    assert result.status.value == "inconclusive"
    assert rules(result) == [
        ("error_rate", "overall", "inconclusive"),
        ("health_score", "overall", "inconclusive"),
        ("error_rate_trend", "overall", "inconclusive"),
        ("processing_p95_trend", "overall", "inconclusive"),
        ("cost_vs_expected", "overall", "inconclusive"),
    ]
    assert result.decision.to_dict() == {
        "rollback": False,
        "reason": "the evaluation window is inconclusive: error_rate 25.0% over 4 finished jobs "
        "is inconclusive (needs more than 10)",
        "executed": False,
    }


def test_health_a_day_of_one_percent_failures_is_healthy() -> None:
    result = check(healthy_traffic(NOW - timedelta(hours=48), NOW))
    assert result.status.value == "healthy"
    assert result.findings == []
    overall = next(r for r in result.results if r.rule == "error_rate" and r.scope == "overall")
    assert overall.message == "error_rate 1.0% <= 2.5% over 300 finished jobs"
    assert result.decision.rollback is False
    assert result.decision.reason == "no breaker rule tripped"


def test_health_network_failures_on_one_processor_are_critical_and_trip() -> None:
    result = check(incident_jobs())
    assert result.status.value == "critical"
    assert rules(result) == [
        ("error_rate", "overall", "critical"),
        ("error_rate", "processor:inngest", "critical"),
        ("health_score", "overall", "warning"),
        ("error_rate_trend", "overall", "warning"),
        ("connection_failure", "processor:inngest", "critical"),
    ]
    assert result.decision.rollback is True
    # 45 minutes into the incident: critical in the windows ending now, 15 and 30 min ago.
    assert result.decision.reason == (
        "error_rate 27.0% > 5.0% over the last 222 finished jobs (60 failed; 95% lower bound "
        "22.4%, CUSUM 64.4 >= 5); 20.0% over all 300 in the window; critical, held 30 min; "
        "inngest: 60 of 60 failures are network (100.0%, threshold 50.0%), error_rate 30.0% "
        "over 200 finished jobs; critical, held 30 min"
    )
    assert [c.rule for c in result.decision.checks if c.tripped] == [
        "error_rate",
        "connection_failure",
    ]


def test_health_spike_twenty_hours_ago_does_not_roll_back_now() -> None:
    spike = hours(28)
    jobs = pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=48), spike),
            steady(spike, spike + timedelta(hours=1), 300, failure_pct=40, error=NETWORK),
            healthy_traffic(spike + timedelta(hours=1), NOW),
        ]
    )
    result = check(jobs)
    assert result.decision.rollback is False
    assert result.decision.reason == "no breaker rule tripped"
    assert "critical" not in {f.severity.value for f in result.findings}


def test_health_stuck_and_waiting_jobs_alert_but_never_trip() -> None:
    waiting = pl.concat(
        [
            open_jobs(NOW - timedelta(hours=3), 3, status="processing"),
            open_jobs(NOW - timedelta(minutes=90), 150, status="pending"),
        ]
    )
    result = check(healthy_traffic(NOW - timedelta(hours=48), NOW), waiting)
    assert rules(result) == [
        ("queue_backlog", "overall", "warning"),
        ("queue_oldest_pending", "overall", "critical"),
        ("stuck_jobs", "overall", "warning"),
    ]
    stuck = next(f for f in result.findings if f.rule == "stuck_jobs")
    assert stuck.message == "3 jobs processing for more than 60 min"
    assert result.status.value == "critical"
    assert result.decision.rollback is False
    assert result.decision.reason == "no breaker rule tripped"


def test_health_on_stale_data_warns_and_judges_the_queue_as_it_last_stood() -> None:
    newest = NOW - timedelta(hours=5)
    waiting = open_jobs(newest - timedelta(minutes=30), 2, status="pending")
    result = check(healthy_traffic(NOW - timedelta(hours=48), newest), waiting, data_as_of=newest)
    stale = next(f for f in result.findings if f.rule == "data_stale")
    assert (stale.severity.value, stale.value, stale.threshold) == ("warning", 300.0, 60.0)
    assert stale.message == "newest snapshot is 18000000 ms old > 60 min"
    # Every view shows the age as the tables do.
    assert readable_durations(stale.message) == "newest snapshot is 5 h 00 min old > 60 min"
    # The pending jobs were 30 minutes old in the last snapshot, not 5.5 hours.
    assert not any(f.rule == "queue_oldest_pending" for f in result.findings)
    assert result.to_dict()["data_as_of"] == newest.isoformat()


def test_health_fresh_data_is_not_stale() -> None:
    result = check(
        healthy_traffic(NOW - timedelta(hours=10), NOW), data_as_of=NOW - timedelta(minutes=20)
    )
    # Judged, and within its line: an `ok` result, so not a finding.
    stale = next(r for r in result.results if r.rule == "data_stale")
    assert (stale.severity.value, stale.value, stale.threshold) == ("ok", 20.0, 60.0)
    assert readable_durations(stale.message) == "newest snapshot is 20 min 00 s old <= 60 min"
    assert all(f.rule != "data_stale" for f in result.findings)


def test_health_check_types_select_their_rules() -> None:
    jobs = incident_jobs()
    assert {f.rule for f in check(jobs, check_type=CheckType.ERROR_RATES).findings} == {
        "error_rate",
        "error_rate_trend",
        "connection_failure",
    }
    metrics = check(jobs, check_type=CheckType.METRICS_ONLY)
    assert {(f.rule, f.scope) for f in metrics.findings} == {
        ("error_rate", "processor:inngest"),
        ("connection_failure", "processor:inngest"),
    }
    assert metrics.decision.rollback is True  # the breaker always judges every rule


def test_health_json_contract() -> None:
    payload = check(incident_jobs()).to_dict()
    assert list(payload)[:9] == [
        "schema_version",
        "as_of",
        "data_as_of",
        "status",
        "check_type",
        "window",
        "monitoring_window",
        "conclusive",
        "rollout",
    ]
    assert payload["as_of"] == "2026-11-25T00:00:00+00:00"
    assert payload["data_as_of"] is None
    assert payload["window"] == {
        "start": "2026-11-24T23:00:00+00:00",
        "end": "2026-11-25T00:00:00+00:00",
    }
    assert payload["decision"]["executed"] is False
    assert payload["findings"][0] == {
        "key": payload["findings"][0]["key"],
        "rule": "error_rate",
        "scope": "overall",
        "severity": "critical",
        "value": pytest.approx(27.03, abs=0.01),
        "threshold": 5.0,
        "counts": {"failed": 60, "finished": 300, "stretch_failed": 60, "stretch_finished": 222},
        "message": "error_rate 27.0% > 5.0% over the last 222 finished jobs (60 failed; 95% "
        "lower bound 22.4%, CUSUM 64.4 >= 5); 20.0% over all 300 in the window",
    }


# Full runs: a real store, a local Sentry and a local GitHub.


def live_settings(store_path: Path, sentry: FakeSentry, github: FakeGitHub) -> Settings:
    environ = {
        "SENTRY_DSN": sentry.dsn,
        "GITHUB_TOKEN": "test-token",
        "GITHUB_REPOSITORY": REPOSITORY,
    }
    overrides: dict[str, dict[str, Any]] = {
        "store": {"path": store_path},
        "github": {"api_url": github.api_url, "write_interval_seconds": 0},
        "site": {"base_url": "https://acme.github.io/jobs/"},
    }
    return load_settings(environ=environ, overrides=overrides)


def health_run(store_path: Path, settings: Settings, as_of: datetime) -> HealthOutcome:
    dsn = settings.secrets.sentry_dsn
    notifier = SentryNotifier(dsn.get_secret_value() if dsn else None, timeout=2.0)
    try:
        with open_store(store_path) as store:
            return run_health(store, settings, as_of, sentry=notifier, environ={})
    finally:
        notifier.close()


def test_run_health_incident_alerts_once_and_audits_the_decision(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident_jobs())
    settings = live_settings(store_path, sentry, github)
    outcome = health_run(store_path, settings, NOW)
    assert outcome.check.status.value == "critical"
    assert outcome.to_dict()["notifications"] == {
        "notifications": 3,
        "incident": "open",
        "delivered": 4,
        "failed": 0,
        "waiting": 0,
    }
    assert [e["tags"]["alert.type"] for e in sentry.events()] == [
        "error_rate",
        "error_rate",
        "connection_failure",
    ]
    assert [c["status"] for c in sentry.check_ins()] == ["in_progress", "ok"]
    (issue,) = github.issues.values()
    assert issue.title.startswith(
        "Rollout incident: error_rate (overall) — error_rate 27.0% > 5.0%"
    )
    assert "**Rollout percentage:** 25 %" in issue.body
    with open_store(store_path) as store:
        (decision,) = alerts.decisions(store)
        history = alert_history(store)
    assert (decision["rollback"], decision["executed"]) == (True, False)
    assert [c["tripped"] for c in decision["checks"]] == [True, False, True]
    assert {(h["rule"], h["to_state"], h["issue_number"]) for h in history} == {
        ("error_rate", "firing", 1),
        ("connection_failure", "firing", 1),
        ("health_score", "pending", None),
        ("error_rate_trend", "pending", None),
    }
    again = health_run(store_path, settings, NOW + timedelta(minutes=15))
    assert again.notify is not None
    assert [(n.rule, n.kind, n.severity) for n in again.notify.notices] == [
        ("health_score", "firing", "warning"),
        ("error_rate_trend", "firing", "warning"),
    ]
    assert len(github.issues) == 1


def test_run_health_inconclusive_window_fires_nothing(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    start = NOW - timedelta(minutes=40)
    jobs = pl.concat(
        [
            steady(start, NOW, 3, failure_pct=50, prefix="i"),
            steady(start, NOW, 3, processor="github_actions", prefix="g"),
        ]
    )
    pull_into(store_path, tmp_path / "snapshots", jobs)
    outcome = health_run(store_path, live_settings(store_path, sentry, github), NOW)
    assert outcome.check.status.value == "inconclusive"
    assert outcome.notify is not None and outcome.notify.notices == []
    assert sentry.events() == []
    assert github.requests == []


# A simulated week: 672 scheduled runs, as_of advancing 15 minutes at a time.

WEEK_START = hours(48)
INCIDENTS = ((hours(78), 90, "inngest"), (hours(158), 60, "github_actions"))


def week_jobs() -> pl.DataFrame:
    """Nine days at 60 + 40 jobs/hour with 1 % benign failures, and two incidents in which one
    processor's jobs fail 40 % with network errors (90 and 60 minutes)."""
    rates = {"inngest": 60, "github_actions": 40}
    parts, cursor = [], hours(0)
    for start, minutes, processor in INCIDENTS:
        end = start + timedelta(minutes=minutes)
        parts.append(_both(cursor, start, rates))
        parts.append(steady(start, end, rates[processor], processor=processor,
                            failure_pct=40, error=NETWORK, prefix=f"bad-{start:%d%H}"))  # fmt: skip
        other = "github_actions" if processor == "inngest" else "inngest"
        parts.append(steady(start, end, rates[other], processor=other, failure_pct=1))
        cursor = end
    parts.append(_both(cursor, hours(24 * 9), rates))
    return pl.concat(parts)


def _both(start: datetime, end: datetime, rates: dict[str, int]) -> pl.DataFrame:
    return pl.concat(
        [steady(start, end, rate, processor=name, failure_pct=1) for name, rate in rates.items()]
    )


def test_run_health_simulated_week_opens_two_issues_and_closes_both(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    pull_into(store_path, tmp_path / "snapshots", week_jobs())
    settings = live_settings(store_path, sentry, github)
    statuses: dict[str, int] = {}
    rollbacks = 0
    notifier = SentryNotifier(sentry.dsn, timeout=2.0)
    try:
        with open_store(store_path) as store:
            for run in range(672):
                as_of = WEEK_START + timedelta(minutes=3 + 15 * run)
                outcome = run_health(store, settings, as_of, sentry=notifier, environ={})
                status = outcome.check.status.value
                statuses[status] = statuses.get(status, 0) + 1
                rollbacks += outcome.check.decision.rollback
            history = alert_history(store)
            left = alerts.undelivered(store)
    finally:
        notifier.close()
    events = Counter(
        (e["tags"]["alert.type"], e["tags"]["alert.state"], e["level"]) for e in sentry.events()
    )
    observed = {
        "statuses": statuses,
        "rollbacks": rollbacks,
        "left": left,
        "issues": [(i.number, i.state, len(i.comments)) for i in github.issues.values()],
        "writes": [(w.method, w.path.removeprefix(ISSUES)) for w in github.writes()],
        "events": dict(events),
        "check_ins": dict(Counter(c["status"] for c in sentry.check_ins())),
        "history": len(history),
    }
    # Two incidents: two issues, each opened once, commented on recovery and closed. The
    # breaker waits for its 30-minute hold, so fewer runs decide to roll back than are
    # critical; the error-rate trend warns once, with 5 repeats, where raw rates warned 6 times.
    assert observed == {
        "statuses": {"healthy": 487, "critical": 13, "warning": 88, "inconclusive": 84},
        "rollbacks": 8,
        "left": [],
        "issues": [(1, "closed", 1), (2, "closed", 1)],
        "writes": [
            ("POST", ""),
            ("POST", "/1/comments"),
            ("PATCH", "/1"),
            ("POST", ""),
            ("POST", "/2/comments"),
            ("PATCH", "/2"),
        ],
        "events": {
            ("error_rate", "firing", "fatal"): 4,
            ("error_rate", "resolved", "info"): 4,
            ("connection_failure", "firing", "fatal"): 2,
            ("connection_failure", "resolved", "info"): 2,
            ("health_score", "firing", "warning"): 2,
            ("health_score", "resolved", "info"): 2,
            ("error_rate_trend", "firing", "warning"): 1,
            ("error_rate_trend", "repeat", "warning"): 5,
            ("error_rate_trend", "resolved", "info"): 1,
        },
        "check_ins": {"in_progress": 672, "ok": 672},
        "history": 51,
    }


def test_notify_findings_fires_named_alerts_and_never_resolves_by_absence(
    store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = live_settings(store_path, sentry, github)
    critical = next(f for f in check(incident_jobs()).findings if f.rule == "error_rate")
    with open_store(store_path) as store:
        first = notify_findings(store, [critical], settings, NOW, environ={})
        later = notify_findings(store, [], settings, NOW + timedelta(days=1), environ={})
        states = alerts.load_states(store)
        history = alert_history(store)
    assert first.to_dict() == {
        "notifications": 1,
        "incident": "open",
        "delivered": 2,
        "failed": 0,
        "waiting": 0,
    }
    assert later.notices == []
    assert [s.state.value for s in states.values()] == ["firing"]
    assert [
        (h["changed_at"], h["to_state"], h["notified"], h["issue_number"]) for h in history
    ] == [("2026-11-25T00:00:00+00:00", "firing", "firing", 1)]
    assert [e["level"] for e in sentry.events()] == ["fatal"]


def test_health_rollback_earlier_in_the_episode_blocks_another() -> None:
    rollback = pl.DataFrame(
        [
            {
                "id": "h1", "feature_name": "hybrid_progressive_capture", "action": "rollback",
                "previous_percentage": 50.0, "new_percentage": 25.0, "reason": "breaker",
                "triggered_by": "auto_health_check", "metadata": None,
                "created_at": NOW - timedelta(hours=2),
            }
        ],
        schema=history_frame().schema,
    )  # fmt: skip
    data = HealthData(
        jobs=incident_jobs(),
        open_jobs=incident_jobs().clear(),
        configuration=configuration(25.0),
        history=rollback,
        episode_start=NOW - timedelta(hours=3),
    )
    decision = evaluate_health(data, SETTINGS, NOW, CheckType.FULL).decision
    assert (decision.rollback, decision.reason) == (False, "already rolled back in this episode")
    later_episode = replace(data, episode_start=NOW - timedelta(hours=1))
    assert evaluate_health(later_episode, SETTINGS, NOW, CheckType.FULL).decision.rollback


def test_replay_records_exactly_what_a_run_every_interval_would(tmp_path: Path) -> None:
    # An hour of network errors and two jobs stuck from its start, with a one-hour monitoring
    # window so that later runs compare with windows earlier runs judged (the replay's memo).
    settings = SETTINGS.model_copy(
        update={"health": SETTINGS.health.model_copy(update={"monitoring_window_hours": 1})}
    )
    incident_start = NOW + timedelta(minutes=7)
    jobs = pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=6), NOW + timedelta(hours=4)),
            steady(incident_start, incident_start + timedelta(hours=1), 200,
                   failure_pct=40, error=NETWORK, prefix="bad"),
            open_jobs(incident_start, 2, status="processing", processor="inngest"),
        ]
    )  # fmt: skip
    steps = [NOW - timedelta(minutes=30) + n * timedelta(minutes=15) for n in range(17)]
    one_by_one, replayed = tmp_path / "runs.duckdb", tmp_path / "replay.duckdb"
    for path in (one_by_one, replayed):
        pull_into(path, tmp_path / f"{path.stem}-snapshots", jobs)
    with open_store(one_by_one) as store:
        for step in steps:
            run_health(store, settings, step, sentry=SentryNotifier(None), environ={})
    with open_store(replayed) as store:
        runs, skipped, until = replay(store, settings, steps, CheckType.FULL)
        assert (len(runs), skipped, until) == (17, 0, None)
        assert replay(store, settings, steps, CheckType.FULL) == ([], 17, steps[-1])

    def recorded(path: Path) -> dict[str, list[tuple[Any, ...]]]:
        with open_store(path, read_only=True) as store:
            return {
                table: store.connection.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("alert_state", "alert_transitions", "breaker_audit", "alert_outbox")
            }

    expected = recorded(one_by_one)
    assert recorded(replayed) == expected
    # (id, key, rule, scope, changed_at, from_state, to_state, …): it fired and resolved.
    changes = {(row[2], row[3], row[6]) for row in expected["alert_transitions"]}
    assert {("error_rate", "overall", "firing"), ("error_rate", "overall", "resolved"),
            ("stuck_jobs", "overall", "firing")} <= changes  # fmt: skip


def test_replay_steps_run_every_interval_before_the_end() -> None:
    start = NOW
    assert replay_steps(start, start + timedelta(minutes=45), timedelta(minutes=15)) == [
        start, start + timedelta(minutes=15), start + timedelta(minutes=30)
    ]  # fmt: skip
    assert len(replay_steps(start, start + timedelta(minutes=46), timedelta(minutes=15))) == 4
    assert replay_steps(start, start, timedelta(minutes=15)) == []
