"""Which commit a site is built from, for the freshness line of every page."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def current_commit(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """The commit being built: `GITHUB_SHA` in Actions, else `git rev-parse` in the current
    folder or, failing that, reportgen's own checkout; else `unknown`."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_SHA"):
        return env["GITHUB_SHA"][:12]
    for folder in (cwd or Path.cwd(), Path(__file__).resolve().parent):
        commit = _git_head(folder)
        if commit:
            return commit
    return "unknown"


def _git_head(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None
