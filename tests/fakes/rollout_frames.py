"""The rollout tables as Polars frames with the snapshot's dtypes, for compute and health tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from reportgen.compute.frame import TIMESTAMP

FEATURE = "hybrid_progressive_capture"

CONFIGURATION_SCHEMA: dict[str, Any] = {
    "feature_name": pl.String,
    "rollout_percentage": pl.Float64,
    "is_active": pl.Boolean,
    "rollout_strategy": pl.String,
    "max_error_rate": pl.Float64,
    "monitoring_window_hours": pl.Int64,
    "auto_rollback_enabled": pl.Boolean,
    "emergency_stop": pl.Boolean,
    "target_repositories": pl.String,
    "excluded_repositories": pl.String,
    "updated_at": TIMESTAMP,
}

HISTORY_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "feature_name": pl.String,
    "action": pl.String,
    "previous_percentage": pl.Float64,
    "new_percentage": pl.Float64,
    "reason": pl.String,
    "triggered_by": pl.String,
    "metadata": pl.String,
    "created_at": TIMESTAMP,
}


def configuration_frame(
    percentage: float | None,
    *,
    updated_at: datetime,
    auto_rollback: bool = True,
    emergency_stop: bool = False,
) -> pl.DataFrame:
    """The feature's one active percentage rollout row; no rows when `percentage` is None."""
    if percentage is None:
        return pl.DataFrame(schema=CONFIGURATION_SCHEMA)
    row = {
        "feature_name": FEATURE,
        "rollout_percentage": percentage,
        "is_active": True,
        "rollout_strategy": "percentage",
        "max_error_rate": 5.0,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": auto_rollback,
        "emergency_stop": emergency_stop,
        "target_repositories": None,
        "excluded_repositories": None,
        "updated_at": updated_at,
    }
    return pl.DataFrame([row], schema=CONFIGURATION_SCHEMA)


def history_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Rollout history rows; columns a row leaves out are null."""
    full = [{name: row.get(name) for name in HISTORY_SCHEMA} for row in rows]
    return pl.DataFrame(full, schema=HISTORY_SCHEMA)
