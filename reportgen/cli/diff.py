"""`reportgen diff OLD NEW`: which reports changed, as Markdown for a pull request's summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app


@app.command()
@common.reports_errors
def diff(
    old: Annotated[
        Path, typer.Argument(metavar="OLD", help="A site folder or a report JSON file (before).")
    ],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="A site folder or a report JSON file (after).")
    ],
) -> None:
    """Compare two builds' reports: which changed, with status and key figures old → new."""
    from reportgen.commands.diff import run_diff

    typer.echo(run_diff(old, new), nl=False)
