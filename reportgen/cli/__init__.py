"""The Typer command-line interface: parse flags, load config, call one command, map errors."""
