"""`reportgen serve`: preview the built site on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app


@app.command()
@common.reports_errors
def serve(
    site: Annotated[
        Path | None, typer.Argument(help="The site folder (default: the configured site.out).")
    ] = None,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one)."),
    ] = 8000,
) -> None:
    """Preview the built site locally (Ctrl-C stops it)."""
    from reportgen.render.site.serve import preview_server

    folder = site or common.settings().site.out
    with preview_server(folder, port) as server:
        typer.echo(f"Serving {folder.resolve()} at {server.url}  (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            typer.echo("Stopped.")
