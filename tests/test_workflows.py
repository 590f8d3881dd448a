"""The GitHub Actions workflows pass actionlint and zizmor, and keep the SPEC §8 shape."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
STATE_CHANGING = (
    "rollout-health-monitor.yml",
    "rollout-metrics-collector.yml",
    "rollout-performance-dashboard.yml",
)


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed in the test environment")
    return found


def test_workflows_pass_actionlint() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    result = subprocess.run(
        [_tool("actionlint"), *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_zizmor() -> None:
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_workflow_actions_are_pinned_to_commits(name: str) -> None:
    uses = re.findall(r"uses:\s*(\S+)", (WORKFLOWS / name).read_text(encoding="utf-8"))
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_state_changing_workflows_share_one_concurrency_group(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert "concurrency:\n  group: rollout-state\n  cancel-in-progress: false" in text
