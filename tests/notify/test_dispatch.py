from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.alert_store import AlertStore
from fakes.github_server import REPOSITORY, FakeGitHub
from fakes.sentry_server import FakeSentry

from reportgen.config import Settings, load_settings
from reportgen.findings import Finding, Severity, alert_key
from reportgen.notify.dispatch import NotifyOutcome, dispatch
from reportgen.notify.github import marker
from reportgen.notify.incident import incident_key
from reportgen.notify.sentry import SentryNotifier
from reportgen.store import alerts

T0 = datetime(2026, 11, 25, 10, 3, tzinfo=UTC)
FEATURE = "hybrid_progressive_capture"
RULES = {
    ("error_rate", "overall"),
    ("error_rate", "processor"),
    ("connection_failure", "processor"),
}


def result(rule: str, scope: str, severity: Severity, value: float = 30.0) -> Finding:
    return Finding(
        key=alert_key(FEATURE, rule, scope), rule=rule, scope=scope, severity=severity,
        value=value, threshold=5.0, message=f"{rule} {value:.1f}% on {scope}",
        counts={"failed": 60, "finished": 200},
    )  # fmt: skip


def incident(severity: Severity) -> list[Finding]:
    return [
        result("error_rate", "overall", severity, 20.0),
        result("error_rate", "processor:inngest", severity),
        result("connection_failure", "processor:inngest", severity, 100.0),
    ]


@pytest.fixture
def store(store_path: Path) -> Iterator[AlertStore]:
    opened = AlertStore(store_path)
    yield opened
    opened.close()


def settings_for(sentry: FakeSentry | None, github: FakeGitHub | None, **env: str) -> Settings:
    environ = dict(env)
    if sentry is not None:
        environ["SENTRY_DSN"] = sentry.dsn
    if github is not None:
        environ |= {"GITHUB_TOKEN": "test-token", "GITHUB_REPOSITORY": REPOSITORY}
    github_section: dict[str, Any] = {"write_interval_seconds": 0}
    if github is not None:
        github_section["api_url"] = github.api_url
    overrides = {"github": github_section, "site": {"base_url": "https://x.io/r/"}}
    return load_settings(environ=environ, overrides=overrides)


def run(
    store: AlertStore,
    results: list[Finding],
    settings: Settings,
    minutes: int,
    environ: dict[str, str] | None = None,
) -> NotifyOutcome:
    dsn = settings.secrets.sentry_dsn
    notifier = SentryNotifier(dsn.get_secret_value() if dsn else None, timeout=2.0)
    try:
        return dispatch(
            store, results, settings, T0 + timedelta(minutes=minutes), sentry=notifier,
            environ=environ or {}, evaluated_rules=RULES, rollout_percentage=25.0,
        )  # fmt: skip
    finally:
        notifier.close()


def test_dispatch_incident_opens_one_issue_and_one_event_per_alert(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = settings_for(sentry, github)
    outcome = run(store, incident(Severity.CRITICAL), settings, 0)
    assert outcome.to_dict() == {
        "notifications": 3,
        "incident": "open",
        "delivered": 4,
        "failed": 0,
        "waiting": 0,
    }
    events = sentry.events()
    assert [(e["level"], e["fingerprint"]) for e in events] == [
        ("fatal", [alert_key(FEATURE, "error_rate", "overall")]),
        ("fatal", [alert_key(FEATURE, "error_rate", "processor:inngest")]),
        ("fatal", [alert_key(FEATURE, "connection_failure", "processor:inngest")]),
    ]
    assert [e["tags"]["rollout.processor"] for e in events] == ["all", "inngest", "inngest"]
    (issue,) = github.issues.values()
    assert (
        issue.title
        == "Rollout incident: error_rate (overall) — error_rate 20.0% on overall (+2 more)"
    )
    assert issue.body.startswith(marker(incident_key(FEATURE)) + "\n")
    for finding in incident(Severity.CRITICAL):
        assert f"<!-- reportgen:alert={finding.key} -->" in issue.body
    assert "- Dashboard: https://x.io/r/alerts/" in issue.body
    assert "- [ ] Assess the user impact and system stability" in issue.body
    states = alerts.load_states(store)
    assert {s.state.value for s in states.values()} == {"firing"}
    assert {s.issue_number for s in states.values()} == {1}


def test_dispatch_unchanged_incident_sends_nothing_then_resolves_and_closes(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = settings_for(sentry, github)
    run(store, incident(Severity.CRITICAL), settings, 0)
    assert run(store, incident(Severity.CRITICAL), settings, 15).notices == []
    assert run(store, incident(Severity.OK), settings, 30).notices == []
    resolved = run(store, incident(Severity.OK), settings, 45)
    assert [n.kind for n in resolved.notices] == ["resolved"] * 3
    assert resolved.incident is not None and resolved.incident.action == "close"
    assert [e["level"] for e in sentry.events()] == ["fatal"] * 3 + ["info"] * 3
    issue = github.issues[1]
    assert issue.state == "closed"
    assert len(issue.comments) == 1
    assert issue.comments[0].startswith(
        "**Resolved** at 2026-11-25T10:48:00+00:00: no critical alert is firing any more."
    )


def test_dispatch_escalation_comments_on_the_open_issue(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = settings_for(sentry, github)
    first = [result("error_rate", "overall", Severity.CRITICAL, 20.0)]
    run(store, first, settings, 0)
    joined = [*first, result("connection_failure", "processor:inngest", Severity.CRITICAL)]
    outcome = run(store, joined, settings, 15)
    assert outcome.incident is not None and outcome.incident.action == "comment"
    assert len(github.issues) == 1
    assert (
        github.issues[1]
        .comments[0]
        .startswith("**Escalated** at 2026-11-25T10:18:00+00:00: now critical as well:")
    )


@pytest.mark.parametrize("down", [("sentry",), ("github",), ("sentry", "github")])
def test_dispatch_outage_keeps_notifications_for_the_next_run(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub, down: tuple[str, ...]
) -> None:
    settings = settings_for(sentry, github)
    sentry.down = "sentry" in down
    github.down = "github" in down
    outcome = run(store, incident(Severity.CRITICAL), settings, 0)
    failed = 3 * ("sentry" in down) + ("github" in down)
    assert (outcome.delivery.delivered, outcome.delivery.failed) == (4 - failed, failed)
    assert len(alerts.undelivered(store)) == failed
    sentry.down = github.down = False
    later = run(store, incident(Severity.CRITICAL), settings, 15)
    assert later.notices == []
    assert (later.delivery.delivered, later.delivery.failed) == (failed, 0)
    assert alerts.undelivered(store) == []
    assert len(sentry.events()) == 3
    assert len(github.issues) == 1


def test_dispatch_github_failure_holds_back_later_actions_in_order(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = settings_for(sentry, github)
    github.down = True
    run(store, incident(Severity.CRITICAL), settings, 0)
    run(store, incident(Severity.OK), settings, 15)
    closing = run(store, incident(Severity.OK), settings, 30)
    assert closing.delivery.failed == 1  # the open failed again: the close waits behind it
    assert closing.delivery.waiting == 1
    github.down = False
    run(store, incident(Severity.OK), settings, 45)
    assert github.issues[1].state == "closed"
    assert alerts.undelivered(store) == []


def test_dispatch_pull_request_run_never_touches_issues(
    store: AlertStore, sentry: FakeSentry, github: FakeGitHub
) -> None:
    settings = settings_for(sentry, github)
    run(store, incident(Severity.CRITICAL), settings, 0, {"GITHUB_EVENT_NAME": "pull_request"})
    assert github.requests == []
    assert len(sentry.events()) == 3
    assert alerts.undelivered(store) == []


def test_dispatch_without_dsn_logs_and_keeps_no_outbox(
    store: AlertStore, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(None, None)
    with caplog.at_level("WARNING", "reportgen.notify.sentry"):
        outcome = run(store, incident(Severity.CRITICAL), settings, 0)
    assert len(outcome.notices) == 3
    assert len(caplog.messages) == 3
    assert caplog.messages[0].endswith(
        "[critical] error_rate (overall): error_rate 20.0% on overall"
    )
    assert alerts.undelivered(store) == []
    assert {s.state.value for s in alerts.load_states(store).values()} == {"firing"}
