"""Usage errors as one `Error:` line and a `Hint:`, `-h` beside `--help`, and help without types.

Click reports a bad flag or value with a usage line and a box; the README promises the same
two lines every other error gets. The group runs Click in non-standalone mode and maps its
exceptions itself.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.core import Command, Context
from typer._click.exceptions import BadParameter, ClickException, NoArgsIsHelpError
from typer.core import TyperGroup, TyperOption
from typer.exceptions import Abort

from reportgen.cli import common

USAGE_EXIT = 2
HELP_OPTIONS = ["-h", "--help"]


class FlagOption(TyperOption):
    """A flag has no value, so its help row shows no `<bool>` type."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None


def _plain_flags(command: Command, ctx: Context | None = None) -> Command:
    # Typer builds every option as a TyperOption; the help option is made (and cached) on
    # first use, so it is made here with the parent's context, whose help names it inherits.
    params: list[Any] = list(command.params)
    if ctx is not None:
        params.append(command.get_help_option(ctx))
    for param in params:
        if type(param) is TyperOption and param.is_flag:
            param.__class__ = FlagOption
    # A command group (`reportgen rollout status`): its commands too.
    for sub in getattr(command, "commands", {}).values():
        _plain_flags(sub, ctx)
    return command


def usage_message(error: ClickException) -> str:
    """Click's message in the project's words: `--format 'xml' is not one of json, table`."""
    # One line: Click lists choices on lines of their own.
    message = " ".join(error.format_message().replace("Value error, ", "").split()).rstrip(".")
    invalid = re.fullmatch(r"Invalid value for '([^']+)': (.*)", message, re.DOTALL)
    if isinstance(error, BadParameter) and invalid:
        name, reason = invalid[1], invalid[2]
        choices = re.fullmatch(r"('[^']*') is not one of (.*)", reason)
        if choices:
            listed = ", ".join(re.findall(r"'([^']*)'", choices[2]))
            return f"{name} {choices[1]} is not one of {listed}"
        return f"{name}: {reason[:1].lower()}{reason[1:]}"
    return message


class ReportgenGroup(TyperGroup):
    """The root command: Click's parsing, the project's error lines."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _plain_flags(self)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        return _plain_flags(command, ctx) if command is not None else None

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)
        if option is not None and type(option) is TyperOption:
            option.__class__ = FlagOption
        return option

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as error:
            typer.echo(error.format_message(), err=True)
            code = USAGE_EXIT
        except ClickException as error:
            typer.echo(f"Error: {usage_message(error)}", err=True)
            typer.echo(f"Hint: {common.help_hint_for(getattr(error, 'ctx', None))}", err=True)
            code = error.exit_code
        except Abort:
            typer.echo("Aborted!", err=True)
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code
