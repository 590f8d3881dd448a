"""`run_pull`: the configured source into the configured store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.commands.pull import run_pull
from reportgen.config import load_settings
from reportgen.errors import InputError
from reportgen.store import open_store

JOB = {
    "id": "job-1",
    "job_type": "recent-prs",
    "processor_type": "inngest",
    "status": "pending",
    "created_at": "2026-11-25T09:00:00Z",
}


def write_snapshots(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "jobs-2026-11-25T10.ndjson").write_text(json.dumps(JOB) + "\n")


def test_run_pull_defaults_to_the_configured_source_and_store(tmp_path: Path) -> None:
    write_snapshots(tmp_path / "exports")
    settings = load_settings(
        overrides={"source": {"path": "exports"}, "store": {"path": "state/store.duckdb"}},
        environ={},
    )
    result = run_pull(settings)
    assert [(c.table, c.inserted) for c in result.tables] == [("jobs", 1)]
    with open_store(Path("state/store.duckdb"), read_only=True) as store:
        assert list(store.table("jobs")["id"]) == ["job-1"]


def test_run_pull_source_argument_wins(tmp_path: Path) -> None:
    write_snapshots(tmp_path / "other")
    settings = load_settings(overrides={"source": {"path": "missing"}}, environ={})
    result = run_pull(settings, source=str(tmp_path / "other"))
    assert result.source == str(tmp_path / "other")
    assert Path("data/reportgen.duckdb").is_file()


def test_run_pull_missing_default_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^snapshot source data/sample does not exist$"):
        run_pull(load_settings(environ={}))
