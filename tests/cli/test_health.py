from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
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
    code, out, err = health(store_path, "--auto-rollback", "--record")
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
    code, out, _ = health(store_path, "--record")
    assert code == 3
    failed = 3 * ("sentry" in down) + ("github" in down)
    assert json.loads(out)["notifications"]["failed"] == failed
    assert json.loads(out)["status"] == "critical"
    sentry.down = github.down = False
    code, out, _ = health(store_path, "--record", as_of="2026-11-25T00:00:30Z")
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


@pytest.mark.parametrize("flags", [(), ("--dry-run",)])
def test_health_of_the_past_or_dry_run_changes_nothing_and_notifies_nobody(
    tmp_path: Path,
    store_path: Path,
    wired: tuple[FakeSentry, FakeGitHub],
    flags: tuple[str, ...],
) -> None:
    # A look at an old incident (the --as-of is long past), or a dry run: the same verdict,
    # but no alert state, no Sentry event or check-in, no issue, nothing in the store.
    sentry, github = wired
    pull_into(store_path, tmp_path / "snapshots", incident())
    before = store_path.read_bytes()
    code, out, err = health(store_path, "--auto-rollback", *flags)
    assert (code, err) == (3, "Error: the rollout's health is critical\n")
    payload = json.loads(out)
    assert (payload["status"], payload["recorded"], payload["notifications"]) == (
        "critical",
        False,
        None,
    )
    assert payload["decision"]["rollback"] is True
    assert (sentry.events(), sentry.check_ins(), github.issues) == ([], [], {})
    assert store_path.read_bytes() == before


def test_health_dry_run_and_record_contradict(store_path: Path, tmp_path: Path) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident())
    code, out, err = health(store_path, "--dry-run", "--record")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "Error: --dry-run and --record contradict each other",
        "Hint: See `reportgen health --help`.",
    ]


REPLAY = "2026-11-24T22:00:00Z..2026-11-25T00:15:00Z"


def alert_tables(store: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return {
            table: con.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("alert_state", "alert_transitions", "alert_outbox", "breaker_audit")
        }


def test_health_replay_records_the_episodes_once_and_sends_nothing(
    tmp_path: Path, store_path: Path, wired: tuple[FakeSentry, FakeGitHub]
) -> None:
    pull_into(store_path, tmp_path / "snapshots", incident())
    code, out, err = health(store_path, "--replay", REPLAY)
    assert (code, err) == (0, "")
    payload = json.loads(out)
    # 22:00 to 00:00 every 15 minutes; 00:15 is after --as-of.
    assert (payload["runs"], payload["skipped"], payload["recorded_until"]) == (9, 0, None)
    assert payload["statuses"]["critical"] == 3  # 23:30, 23:45 and 00:00: the bad 45 minutes
    assert payload["notifications_sent"] == 0
    opened = {(t["at"][11:16], t["rule"], t["scope"]) for t in payload["transitions"]
              if t["notice"] == "firing"}  # fmt: skip
    assert opened == {
        ("23:30", "error_rate", "overall"),
        ("23:30", "error_rate", "processor:inngest"),
        ("23:30", "connection_failure", "processor:inngest"),
        ("23:45", "health_score", "overall"),  # a critical score counts once held 30 min
        ("00:00", "error_rate_trend", "overall"),
    }
    tables = alert_tables(store_path)
    assert len(tables["breaker_audit"]) == 9
    assert len(tables["alert_transitions"]) == len(payload["transitions"])
    assert tables["alert_outbox"] == []
    sentry, github = wired
    assert (sentry.events(), github.issues) == ([], {})

    code, out, err = health(store_path, "--replay", REPLAY, "--format", "markdown")
    assert (code, err) == (0, "")
    assert out == (
        "# Health replay\n\nSkipped 9 runs at or before 2026-11-25 00:00 UTC: the alert "
        "lifecycle is recorded up to then, and it only moves forward.\n"
    )
    assert alert_tables(store_path) == tables
    assert (sentry.events(), github.issues) == ([], {})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replay", REPLAY, "--dry-run"], "Error: --replay cannot be combined with --dry-run"),
        (
            ["--replay", REPLAY, "--auto-rollback"],
            "Error: --replay cannot be combined with --auto-rollback",
        ),
        (["--replay", "2026-11-24"], "Error: --replay '2026-11-24' is not START..END"),
        (
            ["--replay", "2026-11-25..2026-11-24"],
            "Error: --replay '2026-11-25..2026-11-24': end 2026-11-24T00:00:00+00:00 is not "
            "after its start 2026-11-25T00:00:00+00:00",
        ),
        (
            ["--replay", "2026-11-26..2026-11-27"],
            "Error: --replay '2026-11-26..2026-11-27': start 2026-11-26T00:00:00+00:00 is "
            "after as-of 2026-11-25T00:00:00+00:00",
        ),
        (
            ["--replay", "yesterday..today"],
            "Error: --replay 'yesterday..today': START and END must be ISO 8601 dates or times",
        ),
    ],
)
def test_health_replay_refuses_what_it_cannot_do(
    store_path: Path, args: list[str], message: str
) -> None:
    code, out, err = health(store_path, *args)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == message
