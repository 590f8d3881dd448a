"""`health --auto-rollback` carries out the breaker's decision: once per episode, only when
the row allows it, never on a healthy or inconclusive window, never when exploring the past."""

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

from reportgen.commands.health import HealthOutcome, health_command, run_health
from reportgen.config import Settings, load_settings
from reportgen.control.postgres import PostgresTarget
from reportgen.control.target import RolloutTarget, StoreTarget
from reportgen.evaluate.rules import CheckType
from reportgen.notify.sentry import SentryNotifier
from reportgen.render import ReportFormat
from reportgen.store import alerts, open_store

NOW = hours(48)
NETWORK = "ECONNRESET: connection reset by peer"


def incident_jobs() -> pl.DataFrame:
    """A healthy day, then 45 minutes of 40 % network failures on inngest, lasting an hour."""
    start = NOW - timedelta(minutes=45)
    end = NOW + timedelta(minutes=45)
    return pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=48), start),
            steady(start, end, 200, failure_pct=40, error=NETWORK, prefix="bad"),
            steady(start, end, 100, processor="github_actions", failure_pct=1, prefix="ga"),
        ]
    )


def settings_for(
    store_path: Path, sentry: FakeSentry, github: FakeGitHub, **environ: str
) -> Settings:
    overrides: dict[str, dict[str, Any]] = {
        "store": {"path": store_path},
        "github": {"api_url": github.api_url, "write_interval_seconds": 0},
    }
    env = {"SENTRY_DSN": sentry.dsn, "GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPOSITORY}
    return load_settings(environ={**env, **environ}, overrides=overrides)


def health_runs(
    store_path: Path,
    settings: Settings,
    minutes: list[int],
    target: RolloutTarget | None = None,
) -> list[HealthOutcome]:
    outcomes = []
    for offset in minutes:
        notifier = SentryNotifier(settings.secrets.sentry_dsn.get_secret_value(), timeout=2.0)  # type: ignore[union-attr]
        try:
            with open_store(store_path) as store:
                chosen = target or StoreTarget(store, store_path)
                outcomes.append(
                    run_health(
                        store,
                        settings,
                        NOW + timedelta(minutes=offset),
                        sentry=notifier,
                        environ={},
                        rollback_target=chosen,
                    )
                )
        finally:
            notifier.close()
    return outcomes


def store_rollout(store_path: Path) -> tuple[float, list[str]]:
    with open_store(store_path) as store:
        percentage = store.table("rollout_configuration")["rollout_percentage"].to_list()[0]
        history = store.table("rollout_history")["triggered_by"].to_list()
    return percentage, history


def test_auto_rollback_happens_once_across_the_incident(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident_jobs())
    settings = settings_for(store_path, sentry, github)
    first, *later = health_runs(store_path, settings, [0, 15, 30, 45])
    assert first.check.decision.rollback and first.check.decision.executed
    assert first.to_dict()["decision"]["executed"] is True
    assert first.to_dict()["rollback"]["outcome"] == "rolled_back"
    assert [o.check.decision.executed for o in later] == [False, False, False]
    assert store_rollout(store_path) == (0.0, ["auto_health_check"])
    with open_store(store_path) as store:
        executed = [d["executed"] for d in alerts.decisions(store)]
        (change,) = store.table("rollout_history").to_dicts()
    assert sorted(executed) == [False, False, False, True]
    # The breaker words its reason; the history row carries it after "Automatic rollback: ".
    assert change["reason"] == f"Automatic rollback: {first.check.decision.reason}"
    assert change["reason"].startswith("Automatic rollback: error_rate ")
    # One incident issue: the rollback is in it with the breaching alerts, not in a second one.
    (issue,) = github.issues.values()
    assert "rollback_executed" in issue.body
    assert [e["tags"]["alert.type"] for e in sentry.events()].count("rollback_executed") == 1


def test_auto_rollback_never_on_a_healthy_or_inconclusive_window(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    healthy = healthy_traffic(NOW - timedelta(hours=48), NOW + timedelta(hours=1))
    pull_into(store_path, tmp_path / "healthy", healthy)
    settings = settings_for(store_path, sentry, github)
    outcomes = health_runs(store_path, settings, [0, 15, 30])
    assert [o.check.decision.rollback for o in outcomes] == [False, False, False]
    assert store_rollout(store_path) == (25.0, [])
    # Too few finished jobs to judge, however badly they fail.
    sparse = tmp_path / "sparse.duckdb"
    few = steady(NOW - timedelta(minutes=40), NOW, 6, failure_pct=50, error=NETWORK)
    pull_into(sparse, tmp_path / "sparse", few)
    (outcome,) = health_runs(sparse, settings_for(sparse, sentry, github), [0])
    assert not outcome.check.decision.rollback
    assert outcome.check.decision.reason.startswith("the evaluation window is inconclusive")
    assert store_rollout(sparse) == (25.0, [])


def test_auto_rollback_in_the_database_once_even_before_the_store_pulls_it(
    tmp_path: Path, store_path: Path, sentry: FakeSentry, github: FakeGitHub
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident_jobs())
    with fresh_database() as dsn:
        add_configuration(dsn, 25, updated_at=NOW - timedelta(days=1))
        settings = settings_for(store_path, sentry, github, REPORTGEN_DATABASE_URL=dsn)
        outcomes = health_runs(store_path, settings, [0, 15, 30], PostgresTarget(dsn))
        assert [o.check.decision.executed for o in outcomes] == [True, False, False]
        assert outcomes[1].to_dict()["rollback"]["skipped"] == (
            "already rolled back in this episode (audit log)"
        )
        assert rows(dsn, "SELECT rollout_percentage FROM rollout_configuration") == [(0,)]
        assert rows(dsn, "SELECT triggered_by FROM rollout_history ORDER BY created_at") == [
            ("manual",),
            ("auto_health_check",),
        ]
    # The store keeps its pulled copy until the next pull.
    assert store_rollout(store_path) == (25.0, [])


@pytest.mark.parametrize(
    ("now_offset", "dry_run", "executed"),
    [
        (timedelta(minutes=5), False, True),  # a scheduled run, a little late
        (timedelta(days=1), False, False),  # --as-of a day ago: exploring the past
        (timedelta(0), True, False),  # --dry-run
    ],
)
def test_health_command_acts_only_on_the_present(
    tmp_path: Path,
    store_path: Path,
    sentry: FakeSentry,
    github: FakeGitHub,
    now_offset: timedelta,
    dry_run: bool,
    executed: bool,
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident_jobs())
    text, status = health_command(
        settings_for(store_path, sentry, github),
        NOW,
        CheckType.FULL,
        ReportFormat.JSON,
        auto_rollback=True,
        dry_run=dry_run,
        now=NOW + now_offset,
        environ={},
    )
    assert status.value == "critical"
    assert json.loads(text)["decision"]["executed"] is executed
    assert store_rollout(store_path) == ((0.0, ["auto_health_check"]) if executed else (25.0, []))


def test_auto_rollback_unreachable_database_still_alerts_and_hides_the_password(
    tmp_path: Path,
    store_path: Path,
    sentry: FakeSentry,
    github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident_jobs())
    password = "hunter2-pa55"
    dsn = f"postgresql://postgres:{password}@127.0.0.1:1/rollout"
    settings = settings_for(store_path, sentry, github, REPORTGEN_DATABASE_URL=dsn)
    (outcome,) = health_runs(store_path, settings, [0], PostgresTarget(dsn))
    payload = outcome.to_dict()
    assert payload["status"] == "critical"
    assert payload["decision"]["executed"] is False
    assert payload["rollback"]["error"].startswith(
        "cannot connect to database postgresql://postgres@127.0.0.1:1/rollout: "
    )
    assert payload["notifications"]["incident"] == "open"
    written = [json.dumps(payload), caplog.text, json.dumps(sentry.events())]
    written += [issue.body for issue in github.issues.values()]
    assert all(password not in part and dsn not in part for part in written)
