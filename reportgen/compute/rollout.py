"""The rollout's configuration and the changes made to it within a window."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from reportgen.compute.frame import instant
from reportgen.compute.results import Rollout, RolloutChange


def rollout_state(
    configuration: pl.DataFrame,
    history: pl.DataFrame,
    feature: str,
    start: datetime,
    end: datetime,
) -> Rollout:
    """The feature's rollout as it stood at `end`, and its history rows created in `[start, end)`.

    The percentage is the one in force at `end`, read back through the history, so a report
    of a past day or a health check of a past moment judges the rollout of that time; without
    history it is the configuration's (null without a configuration row). History rows
    without a feature name belong to the watched feature (older exports lack the value).
    """
    rows = configuration.filter(pl.col("feature_name") == feature).to_dicts()
    config = rows[0] if rows else {}
    feature_history = history.filter(
        pl.col("feature_name").is_null() | (pl.col("feature_name") == feature)
    ).sort("created_at", "id")
    changes = feature_history.filter(
        (pl.col("created_at") >= instant(start)) & (pl.col("created_at") < instant(end))
    )
    return Rollout(
        feature=feature,
        percentage=_percentage_at(feature_history, config.get("rollout_percentage"), end),
        is_active=config.get("is_active"),
        emergency_stop=bool(config.get("emergency_stop") or False),
        auto_rollback_enabled=config.get("auto_rollback_enabled") is not False,
        changes=tuple(
            RolloutChange(
                created_at=row["created_at"],
                action=row["action"],
                previous_percentage=row["previous_percentage"],
                new_percentage=row["new_percentage"],
                reason=row["reason"],
                triggered_by=row["triggered_by"],
            )
            for row in changes.iter_rows(named=True)
        ),
        max_error_rate=config.get("max_error_rate"),
    )


def _percentage_at(
    history: pl.DataFrame, configured: float | None, moment: datetime
) -> float | None:
    """The percentage in force at `moment`: set by the last change before it; before the
    first change, what that change started from (0 before the feature was created)."""
    before = history.filter(pl.col("created_at") < instant(moment))
    if before.height:
        last = before.row(before.height - 1, named=True)["new_percentage"]
        if last is not None:
            return float(last)
    elif history.height:
        first = history.row(0, named=True)
        if first["action"] == "created":
            return 0.0
        if first["previous_percentage"] is not None:
            return float(first["previous_percentage"])
    return None if configured is None else float(configured)
