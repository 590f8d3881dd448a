"""`reportgen report`: one report of a period, in one view.

Stages, in order: resolve the period the flags ask for, load and compute its report from the
store (`report.loader`, shared with the site), render one view, write it atomically or hand it
back to the CLI to print.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportgen import periods
from reportgen.config import Settings
from reportgen.errors import UsageError
from reportgen.periods import Period, PeriodKind
from reportgen.render import ReportFormat
from reportgen.render import formatting as fmt
from reportgen.render.text.markdown import report_markdown
from reportgen.render.text.table import as_text, report_table
from reportgen.report.loader import build_report
from reportgen.report.view import report_view
from reportgen.store import open_configured

logger = logging.getLogger(__name__)

TABLE_WIDTH = 100


def resolve_period(
    kind: PeriodKind,
    settings: Settings,
    as_of: datetime,
    *,
    day: date | None = None,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    hours: float | None = None,
) -> Period:
    """The period the flags ask for; a combination that means nothing is a UsageError."""
    timezone = settings.report.timezone
    if (start is None) != (end is None):
        given, missing = ("--start", "--end") if end is None else ("--end", "--start")
        raise UsageError(f"{given} needs {missing}")
    if kind is not PeriodKind.CUSTOM:
        if start is not None or hours is not None:
            raise UsageError(f"--start/--end and --hours are for custom reports, not {kind}")
        when = day or as_of.astimezone(ZoneInfo(timezone)).date()
        period = periods.period_of(kind, when, timezone, as_of)
        if period.start > as_of:
            raise UsageError(
                f"the {kind} period of {when.isoformat()} starts after as-of {as_of.isoformat()}",
                hint="Pick a --date up to --as-of (default: now).",
            )
        return period
    if day is not None:
        raise UsageError(
            "--date is for daily, weekly and monthly reports; custom takes --start/--end"
        )
    if hours is not None and start is not None:
        raise UsageError("use either --start/--end or --hours, not both")
    if hours is not None:
        return periods.last_hours(hours, timezone, as_of)
    if start is None or end is None:
        raise UsageError("a custom report needs --start and --end, or --hours")
    return periods.custom(start, end, timezone, as_of)


# What `--out` names, when `--format` does not: the view its extension means.
VIEW_BY_EXTENSION = {
    ".json": ReportFormat.JSON,
    ".md": ReportFormat.MARKDOWN,
    ".markdown": ReportFormat.MARKDOWN,
    ".txt": ReportFormat.TABLE,
}


def view_for(view: ReportFormat | None, out: Path | None) -> ReportFormat:
    """`--format` if given, else the `--out` file's extension, else JSON; a clash is misuse."""
    implied = VIEW_BY_EXTENSION.get(out.suffix.lower()) if out is not None else None
    if view is not None and implied is not None and view is not implied:
        raise UsageError(
            f"--format {view} does not match --out {out} (a {implied} file)",
            hint=f"Drop --format, or name the file {_extension(view)}.",
        )
    return view or implied or ReportFormat.JSON


def _extension(view: ReportFormat) -> str:
    return next(suffix for suffix, known in VIEW_BY_EXTENSION.items() if known is view)


def report_json(report: dict[str, Any]) -> str:
    """The JSON view: the contract's key order, two-space indent, no NaN."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_report(
    report: dict[str, Any], view: ReportFormat, *, width: int = TABLE_WIDTH, color: bool = False
) -> str:
    """One view of a report's JSON form, as text."""
    if view is ReportFormat.JSON:
        return report_json(report)
    if view is ReportFormat.MARKDOWN:
        return report_markdown(report_view(report))
    return as_text(report_table(report_view(report)), width=width, color=color)


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename over it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        # mkstemp creates 0600; a report is an ordinary file, readable as the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        Path(temporary).chmod(0o666 & ~umask)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stale_data_warning(period: Period, data_as_of: datetime | None) -> str | None:
    """One line when the newest pulled data end before the period starts: the report is
    empty because nothing was pulled for it, not because nothing happened."""
    if data_as_of is None or data_as_of >= period.start_utc:
        return None
    gap = (period.start_utc - data_as_of).total_seconds()
    return (
        f"Warning: the data end {fmt.timestamp(data_as_of.isoformat())}, "
        f"{fmt.duration_s(gap)} before this {period.kind} period starts; pull newer data, "
        "or pick an earlier period with --date or --as-of"
    )


def partial_data_warning(
    period: Period, span: tuple[datetime, datetime] | None, data_as_of: datetime | None
) -> str | None:
    """One line when the data cover only part of an ended period, in the site's words
    (`data start 2026-10-25 · 7 of 31 days`): its figures are not the whole period's. A
    period still running is partial by nature and says so itself."""
    if span is None or period.partial:
        return None
    words, partial = fmt.coverage(period.start_utc, period.end_utc, span, data_as_of)
    if not partial:
        return None
    return f"Warning: the data cover part of this {period.kind} period: {words}"


def run_report(
    settings: Settings,
    period: Period,
    view: ReportFormat,
    *,
    out: Path | None = None,
    width: int = TABLE_WIDTH,
    color: bool = False,
) -> str:
    """Build the report of `period` and render it; write it to `out` when given."""
    # A missing store is a StoreError with the hint to pull first, raised by open_store.
    with open_configured(settings.store, read_only=True) as store:
        report = build_report(store, period, settings, period.as_of)
        data_as_of, span = store.data_as_of(), store.jobs_span()
    warning = stale_data_warning(period, data_as_of) or partial_data_warning(
        period, span, data_as_of
    )
    if warning:
        logger.warning("%s", warning)
    text = render_report(report.to_dict(), view, width=width, color=color and out is None)
    if out is not None:
        write_atomically(out, text)
        logger.info("wrote %s report %s to %s", period.kind, period.slug, out)
    return text
