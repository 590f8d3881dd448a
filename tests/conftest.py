"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.github_server import FakeGitHub
from fakes.sentry_server import FakeSentry


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never see the developer's config, secrets or working directory."""
    for name in (
        "SENTRY_DSN",
        "GITHUB_TOKEN",
        "GITHUB_REPOSITORY",
        "REPORTGEN_DATABASE_URL",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_EVENT_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    import os

    for name in list(os.environ):
        if name.startswith(("REPORTGEN_", "HYBRID_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def sentry() -> Iterator[FakeSentry]:
    """A local Sentry ingest server (tests/fakes), for notify and health tests."""
    with FakeSentry() as server:
        yield server


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """A local GitHub issues API (tests/fakes), for notify and health tests."""
    with FakeGitHub() as server:
        yield server
