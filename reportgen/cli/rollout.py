"""`reportgen rollout status|history`: the rollout as its target holds it."""

from __future__ import annotations

import shutil
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.render import ReportFormat

rollout_app = typer.Typer(
    name="rollout", help="The rollout configuration and its history.", no_args_is_help=True
)
app.add_typer(rollout_app)

FormatOption = Annotated[ReportFormat, typer.Option("--format", help="The view to print.")]


@rollout_app.command()
@common.reports_errors
def status(view: FormatOption = ReportFormat.TABLE) -> None:
    """The active rollout row, its eligible repositories and its last changes."""
    from reportgen.commands.rollout import rollout_command

    width = shutil.get_terminal_size((100, 24)).columns
    typer.echo(rollout_command(common.settings(), "status", view, width=width), nl=False)


@rollout_app.command()
@common.reports_errors
def history(
    view: FormatOption = ReportFormat.TABLE,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many changes, newest first.")
    ] = 50,
) -> None:
    """The rollout's changes, newest first."""
    from reportgen.commands.rollout import rollout_command

    width = shutil.get_terminal_size((100, 24)).columns
    text = rollout_command(common.settings(), "history", view, limit=limit, width=width)
    typer.echo(text, nl=False)
