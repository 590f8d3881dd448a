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
    """The feature's current configuration and its history rows created in `[start, end)`.

    History rows without a feature name belong to the watched feature (older exports lack
    the column's value). Without a configuration row the percentage is unknown (null).
    """
    rows = configuration.filter(pl.col("feature_name") == feature).to_dicts()
    config = rows[0] if rows else {}
    changes = history.filter(
        (pl.col("feature_name").is_null() | (pl.col("feature_name") == feature))
        & (pl.col("created_at") >= instant(start))
        & (pl.col("created_at") < instant(end))
    ).sort("created_at", "id")
    percentage = config.get("rollout_percentage")
    return Rollout(
        feature=feature,
        percentage=None if percentage is None else float(percentage),
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
    )
