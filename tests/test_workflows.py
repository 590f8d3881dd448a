"""The GitHub Actions workflows pass actionlint and zizmor, and keep the documented shape."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
STATE_CHANGING = (
    "rollout-emergency-rollback.yml",
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


ROLLBACK = WORKFLOWS / "rollout-emergency-rollback.yml"


def _rollback_script() -> str:
    """The `run:` block of the emergency-rollback workflow's "Roll back" step."""
    lines = ROLLBACK.read_text(encoding="utf-8").splitlines()
    start = lines.index("      - name: Roll back")
    run = next(i for i in range(start, len(lines)) if lines[i] == "        run: |")
    body = []
    for line in lines[run + 1 :]:
        if line.strip() and not line.startswith("          "):
            break
        body.append(line[10:])
    return "\n".join(body) + "\n"


def test_emergency_rollback_inputs_and_secrets_only_through_env() -> None:
    text = ROLLBACK.read_text(encoding="utf-8")
    for name in ("percentage", "reason", "confirm", "triggered_by"):
        assert f"\n      {name}:\n" in text
    assert "workflow_dispatch" in text and "schedule" not in text
    assert "YES" not in "".join(line for line in text.splitlines() if "if:" in line)
    secret_lines = [line.strip() for line in text.splitlines() if "secrets." in line]
    assert secret_lines and all(
        re.fullmatch(r"[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}", line) for line in secret_lines
    )


@pytest.mark.parametrize(("confirm", "code", "percentage"), [("yes", 2, 25.0), ("YES", 0, 0.0)])
def test_emergency_rollback_script_lets_the_cli_refuse(
    tmp_path: Path, confirm: str, code: int, percentage: float
) -> None:
    """The workflow's own script, run as Actions runs it: `confirm: yes` changes nothing."""
    from fakes.datasets import T0, pull_into, steady

    from reportgen.store import open_store

    store = pull_into(tmp_path / "store.duckdb", tmp_path / "snapshots", steady(T0, T0, 1))
    # The step runs `.venv/bin/reportgen` from the checkout: this test's environment stands in.
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = {
        "PATH": "/usr/bin:/bin",
        "PERCENTAGE": "0",
        "REASON": "error spike",
        "CONFIRM": confirm,
        "TRIGGERED_BY": "octocat",
        "EMERGENCY_STOP": "false",
        "REPORTGEN_DATABASE_URL": "",
        "REPORTGEN_STORE__PATH": str(store),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    result = subprocess.run(
        ["bash", "-e", "-c", _rollback_script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == code, result.stderr
    with open_store(store) as opened:
        rows = opened.table("rollout_configuration")["rollout_percentage"].to_list()
    assert rows == [percentage]
    assert (tmp_path / "rollback.json").exists()
