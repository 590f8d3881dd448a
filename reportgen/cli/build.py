"""`reportgen build`: pull, compute every report and write the static site."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import ThresholdReached
from reportgen.findings import Status

if TYPE_CHECKING:
    from reportgen.commands.build import BuildResult


class FailOn(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@app.command()
@common.reports_errors
def build(
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Where to write the site (default: site)."),
    ] = None,
    pull: Annotated[
        bool, typer.Option("--pull/--no-pull", help="Pull the configured source first.")
    ] = True,
    full: Annotated[bool, typer.Option("--full", help="Recompute and rewrite every page.")] = False,
    ranges: Annotated[
        list[str] | None,
        typer.Option(
            "--range",
            metavar="SLUG=START..END",
            help="A named custom range page (repeatable; END is exclusive).",
        ),
    ] = None,
    notify: Annotated[
        bool,
        typer.Option("--notify/--no-notify", help="Alert on the newest daily report's findings."),
    ] = True,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="Exit 3 when the newest daily report's status reaches this."
        ),
    ] = None,
) -> None:
    """Build the static report site: every daily, weekly, monthly and named-range report."""
    # Late import: the build loads Polars, DuckDB, Altair and Jinja, which `--help` never needs.
    from datetime import UTC, datetime

    from reportgen.commands.build import BuildOptions, health_notifier, run_monitored_build
    from reportgen.render.site.commit import current_commit
    from reportgen.render.site.plan import parse_range_option

    settings = common.settings(site={"out": out})
    extra = dict(parse_range_option(text) for text in ranges or [])
    threshold = Status(fail_on.value) if fail_on else None
    options = BuildOptions(settings.site.out, pull, full, extra, notify, threshold)
    with common.progress_bar("Building report pages") as progress:
        result = run_monitored_build(
            settings,
            common.as_of(),
            options,
            built_at=datetime.now(UTC),
            commit=current_commit(),
            notifier=health_notifier,
            progress=progress,
        )
    typer.echo(summary(result))
    typer.echo(f"Open {result.site.resolve() / 'index.html'}")
    if result.threshold_reached:
        raise ThresholdReached(
            f"the newest daily report ({result.newest_daily}) is {result.status}"
            f" (--fail-on {threshold})"
        )


def _counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def summary(result: BuildResult) -> str:
    """The build in one sentence: `Built 44 pages: 40 reports computed, 287 files written.`"""
    pages = _counted(result.pages, "page")
    if not result.changed:
        recomputed = (
            f"{_counted(result.computed, 'report')} recomputed"
            if result.computed
            else "no report recomputed"
        )
        return f"Up to date: {pages}, {recomputed}, no file rewritten."
    parts = [
        f"{_counted(result.computed, 'report')} computed",
        f"{_counted(result.written, 'file')} written",
    ]
    if result.reused:
        parts.append(f"{result.reused:,} unchanged")
    return f"Built {pages}: {', '.join(parts)}."
