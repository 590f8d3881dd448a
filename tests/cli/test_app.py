from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from reportgen import __version__
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
