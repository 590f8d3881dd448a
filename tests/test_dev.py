"""`python3 dev.py test` installs the headless browser itself, or says in one line what to run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


APT = [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium-headless-shell"],
]


def test_root_installs_the_browser_with_apt_get() -> None:
    assert dev().browser_install_plan(is_root=True, has_apt=True, has_sudo=False) == APT


def test_a_user_with_sudo_installs_it_through_sudo() -> None:
    plan = dev().browser_install_plan(is_root=False, has_apt=True, has_sudo=True)
    assert plan == [["sudo", *step] for step in APT]


def test_without_sudo_or_apt_one_line_says_what_to_run() -> None:
    module = dev()
    assert module.browser_install_plan(is_root=False, has_apt=True, has_sudo=False) == (
        "The site tests need chromium-headless-shell: run `sudo apt-get install "
        "chromium-headless-shell` as an administrator, then `python3 dev.py test` again."
    )
    assert module.browser_install_plan(is_root=True, has_apt=False, has_sudo=True) == (
        "The site tests need chromium-headless-shell (Debian/Ubuntu: `apt-get install "
        "chromium-headless-shell`); install it, then run `python3 dev.py test` again."
    )


def test_the_browser_of_this_machine_is_found() -> None:
    # The suite drives it (tests/site); dev.py finds it where site_browser.py looks.
    assert dev().browser_installed()


def test_ci_runs_only_the_readme_command_after_starting_postgres() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert commands[-1] == "python3 dev.py test"
    assert "apt-get" not in script
    assert "python3 dev.py test" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_unknown_dev_command_says_the_usage() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "nonsense"], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (1, "usage: python3 dev.py setup|demo|test\n")


def test_ci_reviews_a_pull_requests_reports() -> None:
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    review = workflow[workflow.index("  report-review:") :]
    assert "if: github.event_name == 'pull_request'" in review
    assert "ref: ${{ github.event.pull_request.base.sha }}" in review
    assert "name: sample-site" in review
    assert 'diff site-base site-new) >> "$GITHUB_STEP_SUMMARY"' in review
    assert 'report daily --date "$INCIDENT_DAY" --format markdown >> "$GITHUB_STEP_SUMMARY"' in (
        review
    )
    # Both sites as the demo builds them: the incident day's alert episodes replayed first.
    assert f'INCIDENT_REPLAY: "{dev().INCIDENT_REPLAY}"' in review
    assert review.count('health --replay "$INCIDENT_REPLAY"') == 2
    assert review.count("build --no-pull --no-notify") == 2
    # The test job runs the README's command alone.
    test_job = workflow[workflow.index("  test:") : workflow.index("  report-review:")]
    assert "run: python3 dev.py test" in test_job
    assert "apt-get" not in test_job
