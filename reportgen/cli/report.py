"""`reportgen report daily|weekly|monthly|custom`: one report as JSON, Markdown or a table."""

from __future__ import annotations

import math
import re
import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import UsageError
from reportgen.periods import PeriodKind, parse_bound
from reportgen.render import ReportFormat

MONTH = re.compile(r"(\d{4})-(\d{2})")
WEEK = re.compile(r"(\d{4})-?W(\d{2})", re.IGNORECASE)


DATE_HINT = "Use YYYY-MM-DD; monthly also takes YYYY-MM, weekly YYYY-Www."


def _date(text: str | None, kind: PeriodKind) -> date | None:
    """A day, or for monthly a month (YYYY-MM), for weekly an ISO week (YYYY-Www)."""
    if text is None:
        return None
    value = text.strip()
    shapes = {"month": MONTH.fullmatch(value), "week": WEEK.fullmatch(value)}
    named = next((name for name, match in shapes.items() if match), None)
    try:
        if (month := shapes["month"]) and kind is PeriodKind.MONTHLY:
            return date(int(month[1]), int(month[2]), 1)
        if (week := shapes["week"]) and kind is PeriodKind.WEEKLY:
            return date.fromisocalendar(int(week[1]), int(week[2]), 1)
        if named is None:
            return date.fromisoformat(value)
    except ValueError:
        what = "a date (YYYY-MM-DD)" if named is None else f"a {named} of the calendar"
        raise UsageError(f"--date {text!r} is not {what}", hint=DATE_HINT) from None
    raise UsageError(
        f"--date {text!r} names a {named}; a {kind} report takes a day (YYYY-MM-DD)",
        hint=DATE_HINT,
    )


def _hours(text: str | None) -> float | None:
    """Parsed here, not by Typer, so a bad value is our one-line error."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--hours {text!r} is not a number", hint="Use e.g. --hours 6.") from None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"--hours {text!r} must be a positive number", hint="Use e.g. --hours 6.")
    return value


def _moment(text: str | None, flag: str) -> datetime | date | None:
    """A date or a timestamp; naive values are read in the report time zone later."""
    if text is None:
        return None
    try:
        return parse_bound(text)
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not an ISO 8601 date or timestamp",
            hint="Use e.g. 2026-11-25 or 2026-11-25T10:00:00Z.",
        ) from None


@app.command()
@common.reports_errors
def report(
    kind: Annotated[PeriodKind, typer.Argument(help="The period: daily, weekly, monthly, custom.")],
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="A day inside the period, YYYY-MM-DD; monthly also takes YYYY-MM and weekly "
            "YYYY-Www (default: today in the report zone).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="DATE|TIME", help="Custom period start (date or timestamp)."
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", metavar="DATE|TIME", help="Custom period end, exclusive.")
    ] = None,
    hours: Annotated[
        str | None, typer.Option("--hours", metavar="N", help="Custom period: the last N hours.")
    ] = None,
    view: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            help="The view: json, markdown or table (default: from the --out extension, "
            ".json .md .markdown .txt, else json).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to this file.")
    ] = None,
) -> None:
    """Compute one report of a period from the store and print or write it."""
    # Late import: compute and the store load Polars and DuckDB, which `--help` never needs.
    from reportgen.commands.report import resolve_period, run_report, view_for

    chosen = view_for(view, out)
    settings = common.settings()
    period = resolve_period(
        kind,
        settings,
        common.as_of(),
        day=_date(day, kind),
        start=_moment(start, "--start"),
        end=_moment(end, "--end"),
        hours=_hours(hours),
    )
    text = run_report(
        settings,
        period,
        chosen,
        out=out,
        width=shutil.get_terminal_size((100, 24)).columns,
        color=sys.stdout.isatty(),
    )
    if out is None:
        typer.echo(text, nl=False)
