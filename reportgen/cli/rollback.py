"""`reportgen rollback --to N --reason TEXT --confirm YES`: roll the rollout back, for real."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import UsageError
from reportgen.render import ReportFormat


@app.command()
@common.reports_errors
def rollback(
    to: Annotated[
        str, typer.Option("--to", metavar="N", help="The percentage to roll back to, 0-100.")
    ] = "0",
    reason: Annotated[
        str, typer.Option("--reason", help="Why: recorded in the history and the incident.")
    ] = "",
    confirm: Annotated[
        str, typer.Option("--confirm", help="Must be exactly YES; anything else changes nothing.")
    ] = "",
    triggered_by: Annotated[
        str, typer.Option("--triggered-by", help="Who asked for it (recorded in the history).")
    ] = "manual",
    emergency_stop: Annotated[
        bool, typer.Option("--emergency-stop", help="Also set emergency_stop on the rollout.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; change nothing.")
    ] = False,
    view: Annotated[
        ReportFormat, typer.Option("--format", help="The view of the rollback report to print.")
    ] = ReportFormat.JSON,
) -> None:
    """Set the active rollout's percentage, with its history row, in one verified transaction."""
    if common.options.as_of is not None:
        raise UsageError(
            "--as-of does not apply to rollback: a rollback happens now; nothing was changed",
            hint="Run `reportgen rollback …` without --as-of.",
        )
    # Late import: the store and the database driver load only for a real run.
    from reportgen.commands.rollback import rollback_command

    text, _ = rollback_command(
        common.settings(),
        to=to,
        reason=reason,
        confirm=confirm,
        triggered_by=triggered_by,
        emergency_stop=emergency_stop,
        dry_run=dry_run,
        at=datetime.now(UTC),
        view=view,
        width=shutil.get_terminal_size((100, 24)).columns,
    )
    typer.echo(text, nl=False)
