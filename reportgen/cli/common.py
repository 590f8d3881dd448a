"""What every command shares: the global options, settings loading and error mapping.

The global options live on the Click context (`ctx.obj` of the root context, set by the app's
callback), so helpers such as `settings()` and `as_of()` read the invocation they run in.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from typer._click.core import Context as ClickContext
from typer._click.globals import get_current_context

from reportgen.errors import ReportgenError, UsageError

if TYPE_CHECKING:
    from reportgen.config import Settings

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class GlobalOptions:
    """The options given before the command name."""

    config_file: Path | None = None
    store: Path | None = None
    as_of: datetime | None = None
    verbose: bool = False
    quiet: bool = False
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


OS_ERROR_HINT = "Check that the path exists, is writable and is a file or folder as expected."


def current_options() -> GlobalOptions:
    """The global options of the running invocation; defaults outside one (a direct call)."""
    context = get_current_context(silent=True)
    if context is not None:
        found = context.find_root().obj
        if isinstance(found, GlobalOptions):
            return found
    return GlobalOptions()


def __getattr__(name: str) -> GlobalOptions:
    """`common.options`: the running invocation's options, read from the context (commands
    written before the options moved onto the context still read them this way)."""
    if name == "options":
        return current_options()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_timestamp(text: str, flag: str) -> datetime:
    """An ISO 8601 date or timestamp; naive values are UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not an ISO 8601 timestamp",
            hint="Use e.g. 2026-11-25 or 2026-11-25T10:00:00Z.",
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def settings(**overrides: dict[str, Any]) -> Settings:
    """The settings for this invocation, with the command's own flags applied last."""
    # Late import: pydantic-settings costs a quarter of a second that `--help` never needs.
    from reportgen.config import load_settings

    options = current_options()
    layers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in options.overrides.items()}
    for section, values in overrides.items():
        layers.setdefault(section, {}).update({k: v for k, v in values.items() if v is not None})
    return load_settings(options.config_file, layers)


def as_of() -> datetime:
    """The moment a command judges: `--as-of`, else now."""
    return current_options().as_of or datetime.now(UTC)


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    # httpx logs every request at INFO (with its URL); our own lines say what matters.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)


def show_progress() -> bool:
    """Progress bars only for a person at a terminal."""
    return not current_options().quiet and sys.stderr.isatty()


# Without a terminal (CI logs, a pipe) a long run still says how far it is, this often.
PROGRESS_LINE_SECONDS = 10.0


@contextmanager
def progress_bar(
    description: str, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr yielding `advance(done, total)` at a terminal; elsewhere a plain
    `description: done of total` line every PROGRESS_LINE_SECONDS; None with --quiet."""
    if current_options().quiet:
        yield None
        return
    if not sys.stderr.isatty():
        last = clock()

        def log_line(done: int, total: int) -> None:
            nonlocal last
            if clock() - last >= PROGRESS_LINE_SECONDS:
                last = clock()
                logging.getLogger("reportgen").info("%s: %d of %d", description, done, total)

        yield log_line
        return
    # rich is imported only when a bar is actually drawn.
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn reportgen errors into one `Error: …` line, a hint and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ReportgenError as exc:
            if current_options().verbose:
                logging.getLogger("reportgen").exception("traceback")
            typer.echo(f"Error: {exc}", err=True)
            hint = exc.hint
            if hint is None and isinstance(exc, UsageError):
                # Every misuse gets a next step, even where the message alone has to do.
                hint = help_hint()
            if hint:
                typer.echo(f"Hint: {hint}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A path the user gave is a folder where a file belongs (or the reverse), missing
            # or not writable: say which path and why, not a traceback.
            if current_options().verbose:
                logging.getLogger("reportgen").exception("traceback")
            path = exc.filename2 if exc.filename2 is not None else exc.filename
            where = f"{path}: " if path is not None else ""
            typer.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            typer.echo(f"Hint: {OS_ERROR_HINT}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def command_path(context: ClickContext | None) -> str:
    """`reportgen report`, however the program was started (`python -m reportgen`, a test)."""
    names: list[str] = []
    while context is not None and context.parent is not None:
        names.append(context.info_name or "")
        context = context.parent
    return " ".join(["reportgen", *reversed(names)])


def help_hint() -> str:
    """Where to read about the command that is running (and was misused)."""
    return help_hint_for(get_current_context(silent=True))


def help_hint_for(context: ClickContext | None) -> str:
    return f"See `{command_path(context)} --help`."
