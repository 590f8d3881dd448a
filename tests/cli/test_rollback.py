"""`reportgen rollback` and `reportgen rollout` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from fakes.datasets import hours, pull_into, steady
from fakes.rollout_database import add_configuration, fresh_database, rows
from typer.testing import CliRunner

from reportgen.cli.app import app
from reportgen.store import open_store

NOW = hours(48)
REFUSED = "Error: rollback not confirmed: --confirm must be exactly YES; nothing was changed\n"


@pytest.fixture
def store(tmp_path: Path, store_path: Path) -> Path:
    return pull_into(store_path, tmp_path / "snapshots", steady(NOW - timedelta(hours=2), NOW, 20))


def cli(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def rollout_row(store: Path) -> tuple[float, int]:
    with open_store(store) as opened:
        percentage = opened.table("rollout_configuration")["rollout_percentage"].to_list()[0]
        return percentage, len(opened.table("rollout_history"))


@pytest.mark.parametrize(
    ("to", "confirm", "error"),
    [
        ("0", "yes", REFUSED),
        ("0", "Yes", REFUSED),
        ("0", "", REFUSED),
        ("101", "YES", "Error: --to 101 is outside 0-100; nothing was changed\n"),
        ("-1", "YES", "Error: --to -1 is outside 0-100; nothing was changed\n"),
    ],
)
def test_cli_rollback_refused_changes_nothing_and_exits_2(
    store: Path, to: str, confirm: str, error: str
) -> None:
    code, out, err = cli(store, "rollback", "--to", to, "--reason", "spike", "--confirm", confirm)
    assert (code, out) == (2, "")
    assert err.startswith(error)
    assert err.splitlines()[1].startswith("Hint: ")
    assert rollout_row(store) == (25.0, 0)


def test_cli_rollback_yes_rolls_back_then_is_a_no_op(store: Path) -> None:
    args = (
        "rollback",
        "--to",
        "5",
        "--reason",
        "spike",
        "--confirm",
        "YES",
        "--format",
        "markdown",
    )
    code, out, err = cli(store, *args)
    assert (code, err.count("Error")) == (0, 0)
    assert out.startswith("# Rollout rollback: rolled back\n\nRolled back hybrid_progressive")
    assert "| percentage | 25 % → 5 % |" in out
    assert rollout_row(store) == (5.0, 1)
    code, out, _ = cli(store, *args)
    assert code == 0
    assert out.startswith("# Rollout rollback: already at target\n\nNothing to do:")
    assert rollout_row(store) == (5.0, 1)


def test_cli_rollback_refuses_a_past_as_of(store: Path) -> None:
    code, _, err = cli(
        store, "--as-of", "2026-11-20", "rollback", "--reason", "x", "--confirm", "YES"
    )
    assert code == 2
    assert err.startswith("Error: --as-of does not apply to rollback: a rollback happens now")
    assert rollout_row(store) == (25.0, 0)


def test_cli_rollout_status_and_history(store: Path) -> None:
    code, out, _ = cli(store, "rollout", "status", "--format", "json")
    assert code == 0
    status = json.loads(out)
    assert status["configuration"]["rollout_percentage"] == 25.0
    assert status["eligibility"]["repositories"] == 0
    assert status["history"] == []
    cli(store, "rollback", "--reason", "spike", "--confirm", "YES", "--triggered-by", "oncall")
    code, out, _ = cli(store, "rollout", "history", "--format", "json")
    (change,) = json.loads(out)["changes"]
    assert (change["action"], change["triggered_by"], change["new_percentage"]) == (
        "rollback",
        "oncall",
        0.0,
    )
    code, out, _ = cli(store, "rollout", "history", "--format", "markdown")
    assert "| rollback | 25 % | 0 % | oncall | spike |" in out
    code, out, _ = cli(store, "rollout", "status")
    assert out.startswith("Rollout status: hybrid_progressive_capture (store ")


def test_cli_rollback_racing_a_concurrent_change_reports_the_conflict(tmp_path: Path) -> None:
    """A real race in PostgreSQL: another transaction changes the row while the CLI rolls back."""
    with fresh_database() as dsn:
        add_configuration(dsn, 25, updated_at=NOW)
        rival = psycopg.connect(dsn)
        rival.execute("UPDATE rollout_configuration SET rollout_percentage = 40")  # held open
        command = [sys.executable, "-m", "reportgen", "--store", str(tmp_path / "s.duckdb")]
        command += ["rollback", "--reason", "spike", "--confirm", "YES"]
        env = {"REPORTGEN_DATABASE_URL": dsn, "PATH": "/usr/bin:/bin"}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        # Commit only once the CLI has read 25 % and waits for the row lock.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not rows(
            dsn,
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'reportgen-rollback'"
            " AND wait_event_type = 'Lock'",
        ):
            time.sleep(0.05)
        rival.commit()
        rival.close()
        out, err = process.communicate(timeout=60)
        assert process.returncode == 1, err
        assert err.splitlines()[0] == (
            "Error: the rollout changed while rolling back: hybrid_progressive_capture was at 25% "
            "when read and is at 40% now; nothing was written"
        )
        assert out == ""
        assert rows(dsn, "SELECT rollout_percentage FROM rollout_configuration") == [(40,)]
        assert rows(dsn, "SELECT count(*) FROM rollout_history") == [(1,)]


def test_cli_help_lists_rollback_and_rollout() -> None:
    out = CliRunner().invoke(app, ["--help"]).stdout
    assert "rollback" in out and "rollout" in out
