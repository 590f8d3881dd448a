"""`reportgen diff OLD NEW`: which reports changed between two builds or two report files.

Stages: read the reports of each side (a `report.json` file, or every `*/*/report.json` of a
site folder, named by its folder: `daily/2026-11-18`), compare them, render Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportgen.errors import InputError, UsageError
from reportgen.render.text.diff import compare_reports, diff_markdown

SITE_REPORTS = "*/*/report.json"


def read_reports(path: Path, flag: str) -> dict[str, dict[str, Any]]:
    """The reports at `path` by name: a site folder's pages, or one report JSON file."""
    if path.is_dir():
        files = sorted(path.glob(SITE_REPORTS))
        if not files:
            raise UsageError(
                f"{flag} {path} holds no reports (no {SITE_REPORTS})",
                hint="Give a site folder written by `reportgen build`, or a report JSON file.",
            )
        return {file.parent.relative_to(path).as_posix(): _read(file) for file in files}
    if not path.is_file():
        raise UsageError(
            f"{flag} {path} does not exist",
            hint="Give a site folder written by `reportgen build`, or a report JSON file.",
        )
    report = _read(path)
    period = report.get("period")
    slug = period.get("slug") if isinstance(period, dict) else None
    return {f"{report.get('kind', 'report')}/{slug or path.stem}": report}


def _read(file: Path) -> dict[str, Any]:
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{file} is not a report JSON file: {exc}",
            hint="Write one with `reportgen report ... --format json`.",
        ) from None
    if not isinstance(report, dict) or "kind" not in report or "status" not in report:
        raise InputError(
            f"{file} is not a report JSON file: no kind or status",
            hint="Write one with `reportgen report ... --format json`.",
        )
    return report


def run_diff(old: Path, new: Path) -> str:
    """The Markdown comparison of the reports at `old` and `new`."""
    before, after = read_reports(old, "OLD"), read_reports(new, "NEW")
    if len(before) == 1 and len(after) == 1 and before.keys() != after.keys():
        # Two single files are one report compared, whatever their periods are called.
        before = {next(iter(after)): next(iter(before.values()))}
    changes = compare_reports(before, after)
    compared = len(before.keys() | after.keys())
    return diff_markdown(changes, compared, old=str(old), new=str(new))
