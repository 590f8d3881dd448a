"""`reportgen health`: judge the rollout now; exit 3 when the status is critical."""

from __future__ import annotations

import shutil
import sys
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import ThresholdReached
from reportgen.evaluate.rules import CheckType
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
            help="Let the circuit breaker act (its decision is reported; acting comes later).",
        ),
    ] = False,
    view: Annotated[
        ReportFormat, typer.Option("--format", help="The view to print.")
    ] = ReportFormat.JSON,
) -> None:
    """Evaluate the rollout now: findings, alerts, incident issues and the breaker's decision."""
    # Late import: compute and the store load Polars and DuckDB, which `--help` never needs.
    from reportgen.commands.health import health_command
    from reportgen.findings import Status

    text, status = health_command(
        common.settings(),
        common.as_of(),
        check_type,
        view,
        auto_rollback=auto_rollback,
        width=shutil.get_terminal_size((100, 24)).columns,
        color=sys.stdout.isatty(),
    )
    typer.echo(text, nl=False)
    if status is Status.CRITICAL:
        raise ThresholdReached("the rollout's health is critical")
