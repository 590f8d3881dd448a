"""The store as a rollback target: the feature's rollout row, changed with its history row in
one compare-and-set transaction (the target when no database is configured, so the sample and
the tests work offline).

Rows written here carry `_pull_id` 0 (no pull wrote them) and a `_version_at` at least as new
as the row they replace, so pulling an older snapshot afterwards never undoes a rollback.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from reportgen.store.alerts import HasConnection

LOCAL_PULL_ID = 0

_CONFIGURATION_COLUMNS = (
    "feature_name", "rollout_percentage", "is_active", "rollout_strategy", "max_error_rate",
    "auto_rollback_enabled", "emergency_stop", "target_repositories", "excluded_repositories",
    "updated_at",
)  # fmt: skip
_HISTORY_COLUMNS = (
    "id", "action", "previous_percentage", "new_percentage", "reason", "triggered_by",
    "metadata", "created_at",
)  # fmt: skip
# Older exports lack is_active: a row that does not say it is inactive is the active one.
_ACTIVE = "feature_name = ? AND is_active IS NOT FALSE"


def read_configuration(store: HasConnection, feature: str) -> dict[str, Any] | None:
    """The feature's active rollout row (JSON lists decoded), or None."""
    relation = store.connection.execute(
        f"SELECT {', '.join(_CONFIGURATION_COLUMNS)} FROM rollout_configuration WHERE {_ACTIVE}",
        [feature],
    )
    rows = relation.fetchall()
    if not rows:
        return None
    row = dict(zip(_CONFIGURATION_COLUMNS, rows[0], strict=True))
    for column in ("target_repositories", "excluded_repositories"):
        row[column] = json.loads(row[column]) if isinstance(row[column], str) else []
    return row


def compare_and_set(
    store: HasConnection,
    feature: str,
    expected: Mapping[str, Any],
    *,
    percentage: float,
    emergency_stop: bool,
    at: datetime,
    history: Mapping[str, Any],
) -> bool:
    """Set the percentage (and emergency stop) and insert the history row, in one transaction,
    only if the row still holds the `expected` percentage, emergency stop and updated_at.
    False, with nothing written, when it does not (or a concurrent writer got there first)."""
    con = store.connection
    con.begin()
    try:
        changed = con.execute(
            "UPDATE rollout_configuration SET rollout_percentage = ?, emergency_stop = ?,"
            " updated_at = ?, _version_at = greatest(_version_at, ?), _snapshot_at = ?,"
            f" _pull_id = ? WHERE {_ACTIVE} AND rollout_percentage = ?"
            " AND emergency_stop IS NOT DISTINCT FROM ? AND updated_at IS NOT DISTINCT FROM ?",
            [
                percentage, emergency_stop, at, at, at, LOCAL_PULL_ID, feature,
                expected["rollout_percentage"], expected["emergency_stop"], expected["updated_at"],
            ],
        ).fetchall()  # fmt: skip
        if not changed or changed[0][0] != 1:
            con.rollback()
            return False
        con.execute(
            "INSERT INTO rollout_history (id, feature_name, action, previous_percentage,"
            " new_percentage, reason, triggered_by, metadata, created_at, _version_at,"
            " _snapshot_at, _pull_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                history["id"], feature, history["action"], history["previous_percentage"],
                history["new_percentage"], history["reason"], history["triggered_by"],
                json.dumps(history["metadata"]), at, at, at, LOCAL_PULL_ID,
            ],
        )  # fmt: skip
        con.commit()
    except duckdb.TransactionException:
        # Another connection changed the row first (DuckDB's optimistic concurrency).
        _rollback_quietly(con)
        return False
    except BaseException:
        _rollback_quietly(con)
        raise
    return True


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    # A failed commit has already ended the transaction.
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()


def read_history(store: HasConnection, feature: str, limit: int) -> list[dict[str, Any]]:
    """The feature's rollout changes, newest first (rows without a feature belong to it)."""
    relation = store.connection.execute(
        f"SELECT {', '.join(_HISTORY_COLUMNS)} FROM rollout_history"
        " WHERE feature_name IS NULL OR feature_name = ?"
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        [feature, limit],
    )
    rows = [dict(zip(_HISTORY_COLUMNS, row, strict=True)) for row in relation.fetchall()]
    for row in rows:
        row["metadata"] = json.loads(row["metadata"]) if row["metadata"] else {}
    return rows


def read_categories(store: HasConnection) -> list[tuple[str, str]]:
    """(repository_id, category) of every categorised repository."""
    relation = store.connection.execute(
        "SELECT repository_id, category FROM repository_categories ORDER BY repository_id"
    )
    return [(str(row[0]), str(row[1])) for row in relation.fetchall()]


def auto_rollback_executed_since(store: HasConnection, since: datetime) -> bool:
    """Whether the circuit breaker executed a rollback at or after `since` (its audit log)."""
    relation = store.connection.execute(
        "SELECT count(*) FROM breaker_audit WHERE executed AND as_of >= ?", [since]
    )
    return bool(relation.fetchall()[0][0])
