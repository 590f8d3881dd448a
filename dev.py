#!/usr/bin/env python3
"""Set up, run the demo and run the checks, with nothing but Python 3.11+ installed.

python3 dev.py demo   # create .venv, pull data/sample/, replay its incident day, build site/
python3 dev.py test   # lint, format check, types and the whole test suite

`test` installs the headless browser the site tests drive when it is missing (apt-get as
root, else through sudo), or says in one line what to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock"

# The browser the site tests drive: Debian's package, found as tests/site/site_browser.py does.
BROWSER_PACKAGE = "chromium-headless-shell"
BROWSER_PATHS = ("/usr/lib/chromium/chromium-headless-shell",)
INSTALL = ("apt-get", "install", "-y", "-qq", "--no-install-recommends", BROWSER_PACKAGE)


def run(*args: str | Path) -> None:
    print("$", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def setup() -> None:
    """Create .venv and install the locked dependencies, once per lock-file change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an older python3
        sys.exit("reportgen needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    # The stamp covers pyproject.toml too: a change of the package's layout needs a reinstall.
    lock = LOCK.read_text(encoding="utf-8") + (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == lock:
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-r", LOCK)
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-e",
        ".",
    )
    STAMP.write_text(lock, encoding="utf-8")


# The bundled sample's incident day: its health checks replayed every 15 minutes record the
# alert episodes the alerts page and the charts show. The errors (14:00-17:00 UTC) open their
# alerts and resolve them by 19:30; one day of runs costs a few seconds, the month minutes.
INCIDENT_REPLAY = "2026-11-18..2026-11-19"


def demo() -> None:
    """Pull the bundled sample into data/reportgen.duckdb, record its incident day's alert
    lifecycle (nothing is sent; again, nothing changes) and build the site into site/."""
    setup()
    run(BIN / "reportgen", "pull")
    run(BIN / "reportgen", "health", "--replay", INCIDENT_REPLAY, "--format", "table")
    # No notification from a demo: its findings are a week old and nothing is configured.
    run(BIN / "reportgen", "build", "--no-pull", "--no-notify", "--out", "site")


def browser_installed() -> bool:
    return shutil.which(BROWSER_PACKAGE) is not None or any(
        Path(path).is_file() for path in BROWSER_PATHS
    )


def browser_install_plan(*, is_root: bool, has_apt: bool, has_sudo: bool) -> list[list[str]] | str:
    """The commands that install the browser here, or the one line telling the user what to do."""
    if not has_apt:
        return (
            f"The site tests need {BROWSER_PACKAGE} (Debian/Ubuntu: `apt-get install "
            f"{BROWSER_PACKAGE}`); install it, then run `python3 dev.py test` again."
        )
    steps = [["apt-get", "update", "-qq"], list(INSTALL)]
    if is_root:
        return steps
    if has_sudo:
        return [["sudo", *step] for step in steps]
    return (
        f"The site tests need {BROWSER_PACKAGE}: run `sudo apt-get install {BROWSER_PACKAGE}` "
        "as an administrator, then `python3 dev.py test` again."
    )


def ensure_browser() -> None:
    """Install the headless browser when it is missing, so `dev.py test` alone passes."""
    if browser_installed():
        return
    plan = browser_install_plan(
        is_root=hasattr(os, "geteuid") and os.geteuid() == 0,
        has_apt=shutil.which("apt-get") is not None,
        has_sudo=shutil.which("sudo") is not None,
    )
    if isinstance(plan, str):
        sys.exit(plan)
    print(f"{BROWSER_PACKAGE} is missing; installing it for the site tests", flush=True)
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    for step in plan:
        run(*step)


def test() -> None:
    setup()
    ensure_browser()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "pytest", *sys.argv[2:])


COMMANDS = {"setup": setup, "demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {'|'.join(COMMANDS)}")
    COMMANDS[sys.argv[1]]()
