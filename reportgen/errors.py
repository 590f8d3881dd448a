"""The error classes of reportgen. Only the CLI turns them into `Error: …` lines and exit codes."""

from __future__ import annotations


class ReportgenError(Exception):
    """A failure the user can act on; exits 1."""

    exit_code = 1
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(ReportgenError):
    """The command was called wrongly (bad flag value, refused confirmation); exits 2."""

    exit_code = 2


class ConfigError(ReportgenError):
    """The configuration is invalid; every problem is listed in the message."""

    hint = (
        "Check reportgen.toml, [tool.reportgen] in pyproject.toml "
        "and the REPORTGEN_*/HYBRID_* variables."
    )


class InputError(ReportgenError):
    """A snapshot file or source cannot be read at all."""


class StoreError(ReportgenError):
    """The store cannot be opened, migrated or written."""


class StoreBusyError(StoreError):
    """Another process holds the store for longer than we were willing to wait."""

    hint = "Another reportgen command is using the store; retry when it has finished."


class StrictPullError(ReportgenError):
    """A `--strict` pull met rejected rows; the store was left unchanged."""


class NotifyError(ReportgenError):
    """Sentry or GitHub could not be reached or refused the request."""


class ThresholdReached(ReportgenError):
    """A `--fail-on` threshold or a critical health status was reached; exits 3."""

    exit_code = 3


class RolloutError(ReportgenError):
    """The rollout configuration cannot be read or changed (missing row, failed verification)."""


class RolloutConflict(RolloutError):
    """The rollout configuration changed between reading it and writing it; nothing was written."""

    hint = "Someone else changed the rollout at the same moment: check `reportgen rollout status`."
