"""Which rules a health check runs: its own module, so that `reportgen health`'s options can be
declared without importing the rules (and Polars with them) for `--help`."""

from __future__ import annotations

from enum import StrEnum


class CheckType(StrEnum):
    """`reportgen health --check-type`: which rules run."""

    FULL = "full"
    ERROR_RATES = "error_rates"
    METRICS_ONLY = "metrics_only"
