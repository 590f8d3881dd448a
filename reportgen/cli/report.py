"""`reportgen report daily|weekly|monthly|custom`: one report as JSON, Markdown or a table."""

from __future__ import annotations

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


def _date(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


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
            metavar="YYYY-MM-DD",
            help="A day inside the period (default: today in the report zone).",
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
        float | None, typer.Option("--hours", metavar="N", help="Custom period: the last N hours.")
    ] = None,
    view: Annotated[
        ReportFormat, typer.Option("--format", help="The view to print.")
    ] = ReportFormat.JSON,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to this file.")
    ] = None,
) -> None:
    """Compute one report of a period from the store and print or write it."""
    # Late import: compute and the store load Polars and DuckDB, which `--help` never needs.
    from reportgen.commands.report import resolve_period, run_report

    settings = common.settings()
    period = resolve_period(
        kind,
        settings,
        common.as_of(),
        day=_date(day, "--date"),
        start=_moment(start, "--start"),
        end=_moment(end, "--end"),
        hours=hours,
    )
    text = run_report(
        settings,
        period,
        view,
        out=out,
        width=shutil.get_terminal_size((100, 24)).columns,
        color=sys.stdout.isatty(),
    )
    if out is None:
        typer.echo(text, nl=False)
