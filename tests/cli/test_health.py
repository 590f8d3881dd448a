from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from fakes.datasets import healthy_traffic, hours, pull_into, steady
from fakes.github_server import REPOSITORY, FakeGitHub
from fakes.sentry_server import FakeSentry
from typer.testing import CliRunner

from reportgen.cli.app import app

NOW = hours(48)
AS_OF = "2026-11-25T00:00:00Z"
NETWORK = "ECONNRESET: connection reset by peer"


def incident() -> pl.DataFrame:
    start = NOW - timedelta(minutes=45)
    return pl.concat(
        [
            healthy_traffic(NOW - timedelta(hours=48), start),
            steady(start, NOW, 200, failure_pct=40, error=NETWORK, prefix="bad"),
            steady(start, NOW, 100, processor="github_actions", failure_pct=1, prefix="ga"),
        ]
    )


@pytest.fixture
def wired(
    monkeypatch: pytest.MonkeyPatch, sentry: FakeSentry, github: FakeGitHub
) -> tuple[FakeSentry, FakeGitHub]:
    """Sentry and GitHub configured through the environment, as in the workflow."""
    monkeypatch.setenv("SENTRY_DSN", sentry.dsn)
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
    monkeypatch.setenv("REPORTGEN_GITHUB__API_URL", github.api_url)
    monkeypatch.setenv("REPORTGEN_GITHUB__WRITE_INTERVAL_SECONDS", "0")
    return sentry, github


def health(store: Path, *args: str, as_of: str = AS_OF) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--store", str(store), "--as-of", as_of, "health", *args])
    return result.exit_code, result.stdout, result.stderr


def test_health_critical_prints_json_and_exits_3(
    tmp_path: Path, store_path: Path, wired: tuple[FakeSentry, FakeGitHub]
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident())
    code, out, err = health(store_path, "--auto-rollback")
    assert code == 3
    assert err == "Error: the rollout's health is critical\n"
    payload = json.loads(out)
    assert (payload["status"], payload["check_type"], payload["auto_rollback"]) == (
        "critical",
        "full",
        True,
    )
    assert payload["decision"]["rollback"] is True
    assert payload["decision"]["executed"] is False
    assert payload["notifications"] == {
        "notifications": 3,
        "incident": "open",
        "delivered": 4,
        "failed": 0,
        "waiting": 0,
    }
    sentry, github = wired
    assert len(sentry.events()) == 3
    assert len(github.issues) == 1


def test_health_healthy_markdown_fills_the_step_summary(
    tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_into(store_path, tmp_path / "snapshots", healthy_traffic(NOW - timedelta(hours=48), NOW))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = health(store_path, "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.startswith("# Rollout health: HEALTHY\n\nAs of 2026-11-25 00:00 UTC · check `full`")
    assert " · data as of 2026-12-03 00:00 UTC\n" in out
    assert "No findings: every rule is within its thresholds." in out
    assert "**Decision: no rollback** (not executed): no breaker rule tripped" in out
    assert summary.read_text(encoding="utf-8") == out


def test_health_table_view(tmp_path: Path, store_path: Path) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident())
    code, out, _ = health(store_path, "--format", "table", "--check-type", "error_rates")
    assert code == 3
    assert out.startswith("Rollout health: CRITICAL\n")
    assert "connection_failure" in out


@pytest.mark.parametrize("down", [("sentry",), ("github",), ("sentry", "github")])
def test_health_outage_still_reports_and_delivers_next_run(
    tmp_path: Path,
    store_path: Path,
    wired: tuple[FakeSentry, FakeGitHub],
    down: tuple[str, ...],
) -> None:
    sentry, github = wired
    pull_into(store_path, tmp_path / "snapshots", incident())
    sentry.down = "sentry" in down
    github.down = "github" in down
    code, out, _ = health(store_path)
    assert code == 3
    failed = 3 * ("sentry" in down) + ("github" in down)
    assert json.loads(out)["notifications"]["failed"] == failed
    assert json.loads(out)["status"] == "critical"
    sentry.down = github.down = False
    code, out, _ = health(store_path, as_of="2026-11-25T00:00:30Z")
    assert code == 3
    notifications = json.loads(out)["notifications"]
    assert (notifications["notifications"], notifications["delivered"]) == (0, failed)
    assert len(sentry.events()) == 3
    assert len(github.issues) == 1


def test_health_without_a_store_is_one_error_line(store_path: Path) -> None:
    code, out, err = health(store_path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"Error: store {store_path} does not exist",
        "Hint: Run `reportgen pull` first to create it.",
    ]


def test_health_unknown_check_type_is_a_usage_error(store_path: Path) -> None:
    code, _, err = health(store_path, "--check-type", "everything")
    assert code == 2
    assert err == (
        "Error: --check-type 'everything' is not one of full, error_rates, metrics_only\n"
        "Hint: See `reportgen health --help`.\n"
    )


def test_health_runs_as_a_subprocess(tmp_path: Path, store_path: Path) -> None:
    pull_into(store_path, tmp_path / "snapshots", healthy_traffic(NOW - timedelta(hours=48), NOW))
    completed = subprocess.run(
        [sys.executable, "-m", "reportgen", "--store", str(store_path), "--as-of", AS_OF,
         "--quiet", "health"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["status"] == "healthy"
