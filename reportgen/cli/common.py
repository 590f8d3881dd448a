"""What every command shares: the global options, settings loading and error mapping."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer

from reportgen.config import Settings, load_settings
from reportgen.errors import ReportgenError, UsageError

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

# The CLI is one process and one invocation; the callback fills this before any command runs.
options = GlobalOptions()


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
    layers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in options.overrides.items()}
    for section, values in overrides.items():
        layers.setdefault(section, {}).update({k: v for k, v in values.items() if v is not None})
    return load_settings(options.config_file, layers)


def as_of() -> datetime:
    """The moment a command judges: `--as-of`, else now."""
    return options.as_of or datetime.now(UTC)


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    # httpx logs every request at INFO (with its URL); our own lines say what matters.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)


def show_progress() -> bool:
    """Progress bars only for a person at a terminal."""
    return not options.quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr yielding `advance(done, total)`, or None when `show_progress()` is off."""
    if not show_progress():
        yield None
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
            if options.verbose:
                logging.getLogger("reportgen").exception("traceback")
            typer.echo(f"Error: {exc}", err=True)
            hint = exc.hint
            if hint is None and isinstance(exc, UsageError):
                # Every misuse gets a next step, even where the message alone has to do.
                hint = f"See `reportgen {command.__name__} --help`."
            if hint:
                typer.echo(f"Hint: {hint}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A path the user gave is a folder where a file belongs (or the reverse), missing
            # or not writable: say which path and why, not a traceback.
            if options.verbose:
                logging.getLogger("reportgen").exception("traceback")
            path = exc.filename2 if exc.filename2 is not None else exc.filename
            where = f"{path}: " if path is not None else ""
            typer.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            typer.echo(f"Hint: {OS_ERROR_HINT}", err=True)
            raise typer.Exit(1) from None

    return wrapper
