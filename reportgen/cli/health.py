"""`reportgen health`: judge the rollout now; exit 3 when the status is critical."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import ThresholdReached, UsageError
from reportgen.evaluate.check_type import CheckType
from reportgen.render import ReportFormat


@app.command()
@common.reports_errors
def health(
    check_type: Annotated[
        CheckType,
        typer.Option("--check-type", help="Which rules run: full, error_rates, metrics_only."),
    ] = CheckType.FULL,
    auto_rollback: Annotated[
        bool,
        typer.Option(
            "--auto-rollback",
            help="Let the circuit breaker roll back when it trips (never with a past --as-of).",
        ),
    ] = False,
    view: Annotated[
        ReportFormat, typer.Option("--format", help="The view to print.")
    ] = ReportFormat.JSON,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Judge only: change no alert state and notify nobody."),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Advance the alerts even for a past --as-of (to replay history).",
        ),
    ] = False,
    replay: Annotated[
        str | None,
        typer.Option(
            "--replay",
            metavar="START..END",
            help="Record the alert lifecycle of the past: one run every interval from START "
            "to END (exclusive); notifies nobody.",
        ),
    ] = None,
) -> None:
    """Evaluate the rollout now: findings, alerts, incident issues and the breaker's decision."""
    # Late import: compute and the store load Polars and DuckDB, which `--help` never needs.
    from reportgen.commands.health import health_command, replay_command
    from reportgen.findings import Status

    width = shutil.get_terminal_size((100, 24)).columns
    if replay is not None:
        if dry_run or auto_rollback:
            flag = "--dry-run" if dry_run else "--auto-rollback"
            raise UsageError(
                f"--replay cannot be combined with {flag}",
                hint="A replay records the past's alerts, and never notifies or rolls back.",
            )
        text = replay_command(
            common.settings(), common.as_of(), replay, check_type, view,
            width=width, color=sys.stdout.isatty(),
        )  # fmt: skip
        typer.echo(text, nl=False)
        return
    text, status = health_command(
        common.settings(),
        common.as_of(),
        check_type,
        view,
        auto_rollback=auto_rollback,
        width=width,
        color=sys.stdout.isatty(),
        now=datetime.now(UTC),
        dry_run=dry_run,
        record=record,
    )
    typer.echo(text, nl=False)
    if status is Status.CRITICAL:
        raise ThresholdReached("the rollout's health is critical")
