"""`reportgen rollback` end to end: the target, Sentry and the incident issue (local fakes)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fakes.datasets import healthy_traffic, hours, pull_into, steady
from fakes.github_server import REPOSITORY, FakeGitHub
from fakes.rollout_database import add_configuration, fresh_database, rows
from fakes.sentry_server import FakeSentry

from reportgen.commands.health import run_health
from reportgen.commands.rollback import rollback_command
from reportgen.config import Settings, load_settings
from reportgen.control.rollback import Outcome
from reportgen.errors import RolloutError, UsageError
from reportgen.notify.sentry import SentryNotifier
from reportgen.render import ReportFormat
from reportgen.store import open_store

NOW = hours(48)
NETWORK = "ECONNRESET: connection reset by peer"
PASSWORD = "s3cret-pa55word"


def settings_for(
    store_path: Path, sentry: FakeSentry, github: FakeGitHub, database_url: str | None = None
) -> Settings:
    environ = {"SENTRY_DSN": sentry.dsn, "GITHUB_TOKEN": "test-token"}
    environ["GITHUB_REPOSITORY"] = REPOSITORY
    if database_url:
        environ["REPORTGEN_DATABASE_URL"] = database_url
    overrides: dict[str, dict[str, Any]] = {
        "store": {"path": store_path},
        "github": {"api_url": github.api_url, "write_interval_seconds": 0},
    }
    return load_settings(environ=environ, overrides=overrides)


def run(settings: Settings, environ: dict[str, str] | None = None, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "to": "0",
        "reason": "error rate 12% after the 25% step",
        "confirm": "YES",
        "triggered_by": "octocat",
        "emergency_stop": False,
        "dry_run": False,
        "at": NOW,
        "view": ReportFormat.JSON,
        "environ": environ or {},
        **changes,
    }
    return rollback_command(settings, **arguments)


def stored_rollout(store_path: Path) -> tuple[float, int]:
    with open_store(store_path) as store:
        percentage = store.table("rollout_configuration")["rollout_percentage"].to_list()[0]
        return percentage, len(store.table("rollout_history"))


def quiet_store(tmp_path: Path, store_path: Path) -> Path:
    return pull_into(store_path, tmp_path / "snapshots", steady(NOW - timedelta(hours=2), NOW, 20))


def test_rollback_alerts_opens_the_incident_and_reports(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    quiet_store(tmp_path, store_path)
    summary = tmp_path / "summary.md"
    text, result = run(
        settings_for(store_path, sentry, github), {"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.outcome is Outcome.ROLLED_BACK
    report = json.loads(text)
    assert {k: report[k] for k in ("outcome", "previous_percentage", "new_percentage")} == {
        "outcome": "rolled_back",
        "previous_percentage": 25.0,
        "new_percentage": 0.0,
    }
    assert report["target"] == f"store {store_path}"
    assert report["verified"] is True
    assert report["notifications"]["incident"] == "open"
    assert stored_rollout(store_path) == (0.0, 1)
    (event,) = sentry.events()
    assert (event["level"], event["tags"]["alert.type"]) == ("fatal", "rollback_executed")
    (issue,) = github.issues.values()
    assert issue.title == (
        "Rollout incident: rollback_executed (overall) — rollback executed: 25.0% -> 0.0% "
        "(error rate 12% after the 25% step)"
    )
    assert summary.read_text(encoding="utf-8").startswith("# Rollout rollback: rolled back\n")
    # The same rollback again: a clear no-op, no second event, no second issue or comment.
    text, again = run(settings_for(store_path, sentry, github), at=NOW + timedelta(minutes=3))
    assert again.outcome is Outcome.ALREADY_THERE
    assert json.loads(text)["message"] == (
        "Nothing to do: hybrid_progressive_capture is already at 0%."
    )
    assert len(sentry.events()) == 1
    assert len(github.issues) == 1 and issue.comments == []
    assert stored_rollout(store_path) == (0.0, 1)


def test_rollback_during_an_incident_comments_on_its_issue(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    start = NOW - timedelta(minutes=45)
    jobs = pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=48), start),
            steady(start, NOW, 200, failure_pct=40, error=NETWORK, prefix="bad"),
        ]
    )
    pull_into(store_path, tmp_path / "snapshots", jobs)
    settings = settings_for(store_path, sentry, github)
    notifier = SentryNotifier(sentry.dsn, timeout=2.0)
    try:
        with open_store(store_path) as store:
            run_health(store, settings, NOW, sentry=notifier, environ={})
    finally:
        notifier.close()
    (issue,) = github.issues.values()
    run(settings, at=NOW + timedelta(minutes=2))
    assert len(github.issues) == 1
    (comment,) = issue.comments
    assert comment.splitlines()[0] == (
        "**Rolled back** at 2026-11-25T00:02:00+00:00: rollback executed: 25.0% -\\> 0.0% "
        "\\(error rate 12% after the 25% step\\)"
    )


@pytest.mark.parametrize("confirm", ["yes", "Yes", ""])
def test_rollback_unconfirmed_changes_nothing(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub, confirm: str
) -> None:
    quiet_store(tmp_path, store_path)
    with pytest.raises(UsageError) as raised:
        run(settings_for(store_path, sentry, github), confirm=confirm)
    assert raised.value.exit_code == 2
    assert stored_rollout(store_path) == (25.0, 0)
    assert sentry.events() == [] and github.requests == []


def test_rollback_dry_run_changes_and_sends_nothing(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    quiet_store(tmp_path, store_path)
    text, result = run(settings_for(store_path, sentry, github), dry_run=True)
    assert result.outcome is Outcome.DRY_RUN
    assert json.loads(text)["dry_run"] is True
    assert stored_rollout(store_path) == (25.0, 0)
    assert sentry.events() == [] and github.requests == []


def test_rollback_in_the_database_never_shows_its_dsn_or_password(
    tmp_path: Path,
    store_path: Path,
    sentry: FakeSentry,
    github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with fresh_database() as dsn:
        add_configuration(dsn, 25, updated_at=NOW - timedelta(days=1))
        # Trust authentication ignores the password, which is the point: it must not leak.
        secret_dsn = dsn.replace("postgres@", f"postgres:{PASSWORD}@")
        summary = tmp_path / "summary.md"
        settings = settings_for(store_path, sentry, github, secret_dsn)
        text, result = run(settings, {"GITHUB_STEP_SUMMARY": str(summary)}, emergency_stop=True)
        assert result.outcome is Outcome.ROLLED_BACK
        assert rows(
            dsn, "SELECT rollout_percentage, emergency_stop FROM rollout_configuration"
        ) == [(0, True)]
        assert [
            r[0] for r in rows(dsn, "SELECT action FROM rollout_history ORDER BY created_at")
        ] == [
            "created",
            "emergency_stop",
        ]
        database = dsn.rsplit("/", 1)[1]
        assert (
            json.loads(text)["target"]
            == f"database postgresql://postgres@127.0.0.1:5432/{database}"
        )
        # A database that cannot be reached: the error names it without its password.
        unreachable = secret_dsn.replace(":5432/", ":1/")
        with pytest.raises(RolloutError) as raised:
            run(settings_for(store_path, sentry, github, unreachable))
    written = [
        text,
        summary.read_text(encoding="utf-8"),
        str(raised.value),
        caplog.text,
        json.dumps(sentry.events()),
        *(issue.body + issue.title + "".join(issue.comments) for issue in github.issues.values()),
    ]
    assert written and all(PASSWORD not in part and secret_dsn not in part for part in written)
    assert str(raised.value).startswith(
        "cannot connect to database postgresql://postgres@127.0.0.1:1/"
    )


def test_each_rollback_of_an_episode_alerts_and_comments(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    quiet_store(tmp_path, store_path)
    settings = settings_for(store_path, sentry, github)
    run(settings, to="10", reason="first step down")
    run(settings, to="0", reason="still failing", at=NOW + timedelta(minutes=10))
    assert [e["level"] for e in sentry.events()] == ["fatal", "fatal"]
    (issue,) = github.issues.values()
    assert "first step down" in issue.body
    (comment,) = issue.comments
    assert comment.startswith(
        "**Rolled back** at 2026-11-25T00:10:00+00:00: rollback executed: 10.0% -\\> 0.0% "
        "\\(still failing\\)"
    )
    assert stored_rollout(store_path) == (0.0, 2)
