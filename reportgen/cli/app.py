"""The `reportgen` command: global options, then one module per command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reportgen import __version__
from reportgen.cli import common
from reportgen.cli.usage import HELP_OPTIONS, ReportgenGroup

app = typer.Typer(
    name="reportgen",
    cls=ReportgenGroup,
    context_settings={"help_option_names": HELP_OPTIONS},
    help="Reports, alerts and rollback for a progressive rollout of a background-job system.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"reportgen {__version__}")
        raise typer.Exit()


@app.callback()
@common.reports_errors
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (default reportgen.toml).")
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="DuckDB store (default data/reportgen.duckdb).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge as of this ISO 8601 time (default now).")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logs, tracebacks.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Warnings and errors only.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Reports, alerts and rollback for a progressive rollout of a background-job system."""
    ctx.obj = common.GlobalOptions(
        config_file=config,
        store=store,
        as_of=common.parse_timestamp(as_of, "--as-of") if as_of else None,
        verbose=verbose,
        quiet=quiet,
        overrides={"store": {"path": store}} if store else {},
    )
    common.configure_logging(verbose, quiet)


def _register_commands() -> None:
    """Import every command module of this package; each adds its command to `app`."""
    import importlib
    import pkgutil

    import reportgen.cli as package

    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        if module not in {"app", "common"}:
            importlib.import_module(f"reportgen.cli.{module}")


_register_commands()


def main() -> None:
    app()
