"""The snapshot tables: their columns, types and allowed values.

The store creates its tables from these declarations and validates incoming rows against
them; compute receives Polars frames with exactly these column names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "VARCHAR"
    TIMESTAMP = "TIMESTAMPTZ"
    INTEGER = "BIGINT"
    FLOAT = "DOUBLE"
    BOOLEAN = "BOOLEAN"
    JSON = "JSON"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required_table: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


JOB_STATUSES = ("pending", "processing", "completed", "failed")
KNOWN_PROCESSORS = ("inngest", "github_actions")
CATEGORIES = ("test", "small", "medium", "large", "enterprise")
DEFAULT_FEATURE = "hybrid_progressive_capture"

# Error categories, checked in this order: the first whose words appear (case-insensitive)
# wins, else `unknown`. Here rather than in compute because the store's hourly rollups and a
# PostgreSQL source's rollup query categorise failures in SQL with the very same words.
# `etimedout` is not in the documented list, but Node's "connect ETIMEDOUT" is the commonest network
# error there is and matches none of "timeout", "connection" or "econn".
ERROR_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rate_limit", ("rate limit", "403", "quota", "429")),
    ("network", ("timeout", "network", "connection", "econn", "etimedout")),
    ("authentication", ("auth", "permission", "unauthorized", "401", "bad credentials")),
    ("not_found", ("not found", "404")),
    ("database", ("schema", "column", "constraint", "database")),
    ("validation", ("validation", "invalid")),
)
UNKNOWN_ERROR_CATEGORY = "unknown"

# Latency sketches (hourly rollups): log buckets whose representative is within this relative
# error of every value in the bucket (DDSketch). The store's SQL, a PostgreSQL source's rollup
# query and compute's sketch all derive the bucket of a value from it.
SKETCH_RELATIVE_ACCURACY = 0.01
SKETCH_GAMMA = (1.0 + SKETCH_RELATIVE_ACCURACY) / (1.0 - SKETCH_RELATIVE_ACCURACY)
SKETCH_LOG_GAMMA = math.log(SKETCH_GAMMA)
# The bucket of a zero duration: below every positive value's bucket, so buckets sort as values.
SKETCH_ZERO_BUCKET = -(2**31)

T = ColumnType

JOBS = Table(
    name="jobs",
    key=("id",),
    required_table=True,
    columns=(
        Column("id", T.TEXT, required=True),
        Column("job_type", T.TEXT, required=True),
        Column("repository_id", T.TEXT),
        Column("repository_name", T.TEXT),
        # Any processor value is kept: an unknown one is reported as its own processor.
        Column("processor_type", T.TEXT, required=True),
        Column("status", T.TEXT, required=True, allowed=JOB_STATUSES),
        Column("created_at", T.TIMESTAMP, required=True),
        Column("started_at", T.TIMESTAMP),
        Column("completed_at", T.TIMESTAMP),
        Column("error", T.TEXT),
        Column("time_range_days", T.INTEGER),
        Column("workflow_run_id", T.INTEGER),
        Column("metadata", T.JSON),
        Column("updated_at", T.TIMESTAMP),
    ),
)

ROLLOUT_CONFIGURATION = Table(
    name="rollout_configuration",
    key=("feature_name",),
    columns=(
        Column("feature_name", T.TEXT, required=True),
        Column("rollout_percentage", T.FLOAT, required=True),
        Column("is_active", T.BOOLEAN),
        Column("rollout_strategy", T.TEXT, allowed=("percentage", "whitelist", "repository_size")),
        Column("max_error_rate", T.FLOAT),
        Column("monitoring_window_hours", T.INTEGER),
        Column("auto_rollback_enabled", T.BOOLEAN),
        Column("emergency_stop", T.BOOLEAN),
        Column("target_repositories", T.JSON),
        Column("excluded_repositories", T.JSON),
        Column("updated_at", T.TIMESTAMP),
    ),
)

ROLLOUT_HISTORY = Table(
    name="rollout_history",
    key=("id",),
    columns=(
        Column("id", T.TEXT, required=True),
        Column("feature_name", T.TEXT),
        Column(
            "action",
            T.TEXT,
            required=True,
            allowed=("created", "updated", "rollback", "emergency_stop"),
        ),
        Column("previous_percentage", T.FLOAT),
        Column("new_percentage", T.FLOAT),
        Column("reason", T.TEXT),
        Column("triggered_by", T.TEXT),
        Column("metadata", T.JSON),
        Column("created_at", T.TIMESTAMP, required=True),
    ),
)

REPOSITORY_CATEGORIES = Table(
    name="repository_categories",
    key=("repository_id",),
    columns=(
        Column("repository_id", T.TEXT, required=True),
        Column("category", T.TEXT, required=True, allowed=CATEGORIES),
        Column("is_test_repository", T.BOOLEAN),
        Column("star_count", T.INTEGER),
        Column("contributor_count", T.INTEGER),
        Column("pr_count", T.INTEGER),
    ),
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (JOBS, ROLLOUT_CONFIGURATION, ROLLOUT_HISTORY, REPOSITORY_CATEGORIES)
}
