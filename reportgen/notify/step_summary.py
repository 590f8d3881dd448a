"""The GitHub Actions step summary: Markdown appended to `$GITHUB_STEP_SUMMARY` when it is set."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def write_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Append the Markdown to the step summary; None outside GitHub Actions."""
    target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as summary:
        summary.write(markdown)
    return path
