from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reportgen import __version__
from reportgen.cli import common
from reportgen.cli.app import app


def test_version_prints_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"reportgen {__version__}\n"


def test_every_command_has_help_text() -> None:
    import typer.main

    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    assert commands, "no commands registered"
    for name, command in commands.items():
        assert command.help, f"command {name} has no help text"


def test_bad_as_of_is_one_error_line_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "--as-of", "yesterday", "pull"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "Error: --as-of 'yesterday' is not an ISO 8601 timestamp"
    )
    assert "Traceback" not in result.stderr


# What a command's start-up must not load: `--help` needs none of them; a build that notifies
# nobody needs neither Sentry's SDK nor httpx (together about 0.1 s of CPU per run).
HEAVY_FOR_HELP = ("polars", "duckdb", "pydantic_settings", "jinja2", "sentry_sdk", "httpx")
HEAVY_FOR_BUILD = ("sentry_sdk", "httpx")


def _loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_help_loads_no_data_library() -> None:
    code = "from reportgen.cli.app import app\nfrom typer.testing import CliRunner\n"
    code += "assert CliRunner().invoke(app, ['--help']).exit_code == 0"
    assert _loaded_after(code, HEAVY_FOR_HELP) == []


def test_build_without_notifying_loads_no_notifier_library() -> None:
    code = "import reportgen.cli.app, reportgen.commands.build"
    assert _loaded_after(code, HEAVY_FOR_BUILD) == []


def _commands() -> dict[str, Any]:
    import typer.main

    group = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(group, "commands", {})
    return commands


def _every_command() -> dict[str, Any]:
    """Every command by its path, `rollout status` included for command groups."""
    found: dict[str, Any] = {}

    def walk(prefix: str, commands: dict[str, Any]) -> None:
        for name, command in commands.items():
            found[f"{prefix}{name}"] = command
            walk(f"{prefix}{name} ", getattr(command, "commands", {}))

    walk("", _commands())
    return found


def test_every_command_option_and_argument_has_help_text() -> None:
    for name, command in _every_command().items():
        assert command.help, f"command {name} has no help text"
        for param in command.params:
            assert getattr(param, "help", None), f"{name}: {param.name} has no help text"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_dash_h_is_help_for_every_command(name: str) -> None:
    short = CliRunner().invoke(app, [name, "-h"], terminal_width=100)
    long = CliRunner().invoke(app, [name, "--help"], terminal_width=100)
    assert (short.exit_code, long.exit_code) == (0, 0)
    assert short.stdout == long.stdout
    assert f"Usage: reportgen {name} [OPTIONS]" in short.stdout


def test_dash_h_is_help_for_the_program_and_flags_show_no_type() -> None:
    result = CliRunner().invoke(app, ["-h"], terminal_width=100)
    assert result.exit_code == 0
    assert "Usage: reportgen [OPTIONS] COMMAND [ARGS]..." in result.stdout
    verbose = next(line for line in result.stdout.splitlines() if "--verbose" in line)
    assert "<bool>" not in result.stdout
    assert "Debug logs, tracebacks." in verbose
    for name in _every_command():
        assert "<bool>" not in CliRunner().invoke(app, [*name.split(), "-h"]).stdout, name


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (["repotr"], ["Error: No such command 'repotr'. Did you mean 'report'?",
                      "Hint: See `reportgen --help`."]),
        (["--bogus", "pull"], ["Error: No such option: --bogus (Possible options: --verbose)",
                               "Hint: See `reportgen --help`."]),
        (["health", "--format", "html"], ["Error: --format 'html' is not one of json, markdown, "
                                          "table", "Hint: See `reportgen health --help`."]),
        (["report"], ["Error: Missing argument 'kind'. Choose from: daily, weekly, monthly, "
                      "custom",
                      "Hint: See `reportgen report --help`."]),
    ],
)  # fmt: skip
def test_usage_errors_are_one_error_line_and_a_hint(args: list[str], lines: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == lines


def test_usage_error_in_a_real_process_is_two_lines_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "report", "daily", "--format", "xml"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --format 'xml' is not one of json, markdown, table\n"
        "Hint: See `reportgen report --help`.\n"
    )


def test_global_options_live_on_the_context_of_each_invocation() -> None:
    seen: list[tuple[datetime | None, bool, Path | None]] = []

    @app.command(name="probe-context", hidden=True, help="Test probe.")
    def probe_context() -> None:
        options = common.current_options()
        seen.append((common.as_of() if options.as_of else None, options.quiet, options.store))
        seen.append((None, False, common.settings().store.path))

    try:
        first = CliRunner().invoke(
            app, ["--as-of", "2026-11-18T14:00:00Z", "-q", "--store", "x.duckdb", "probe-context"]
        )
        second = CliRunner().invoke(app, ["probe-context"])
    finally:
        app.registered_commands.pop()
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert seen == [
        (datetime(2026, 11, 18, 14, tzinfo=UTC), True, Path("x.duckdb")),
        (None, False, Path("x.duckdb")),
        (None, False, None),
        (None, False, Path("data/reportgen.duckdb")),
    ]
    # Outside an invocation the helpers see the defaults, not the last run's options.
    assert common.current_options() == common.GlobalOptions()


def test_common_options_reads_the_context_too() -> None:
    seen: list[datetime | None] = []

    @app.command(name="probe-options", hidden=True, help="Test probe.")
    def probe_options() -> None:
        seen.append(common.options.as_of)

    try:
        result = CliRunner().invoke(app, ["--as-of", "2026-11-18", "probe-options"])
    finally:
        app.registered_commands.pop()
    assert result.exit_code == 0
    assert seen == [datetime(2026, 11, 18, tzinfo=UTC)]
    assert common.options == common.GlobalOptions()
