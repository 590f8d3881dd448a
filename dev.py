#!/usr/bin/env python3
"""Set up, run the demo and run the checks, with nothing but Python 3.11+ installed.

python3 dev.py demo   # create .venv, pull data/sample/ into the store, build site/
python3 dev.py test   # lint, format check, types and the whole test suite
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock"


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


def demo() -> None:
    """Pull the bundled sample into data/reportgen.duckdb and build the site into site/."""
    setup()
    run(BIN / "reportgen", "build", "--out", "site")


def test() -> None:
    setup()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "pytest", *sys.argv[2:])


COMMANDS = {"setup": setup, "demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {'|'.join(COMMANDS)}")
    COMMANDS[sys.argv[1]]()
