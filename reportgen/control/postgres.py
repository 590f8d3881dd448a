"""The job system's PostgreSQL database as a rollback target (upstream table names and shape:
`rollout_configuration` keyed by a uuid `id`, `rollout_history.rollout_config_id` pointing at it).

Each operation opens its own short connection. The compare-and-set is an UPDATE whose WHERE
repeats the values read; under READ COMMITTED a concurrent change that commits first makes it
match no row, so the transaction writes nothing. A row locked by another transaction for longer
than `lock_timeout` counts as a concurrent change too.

The DSN holds a password: only `label` (user, host, port, database) is ever shown, and every
error message is scrubbed of the DSN and the password before it leaves this module.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from reportgen.control.target import RolloutRow, RolloutWrite
from reportgen.errors import RolloutError
from reportgen.sources.postgres import redacted

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10
LOCK_TIMEOUT = "10s"
CONNECT_HINT = (
    "Check REPORTGEN_DATABASE_URL: host, port, database, user, password and sslmode; "
    "the role needs UPDATE on rollout_configuration and INSERT on rollout_history."
)

_CONFIGURATION_COLUMNS = (
    "feature_name", "rollout_percentage", "is_active", "rollout_strategy", "max_error_rate",
    "auto_rollback_enabled", "emergency_stop", "target_repositories", "excluded_repositories",
    "updated_at",
)  # fmt: skip


def _table(name: str) -> sql.Composable:
    return sql.Identifier(*name.split("."))


class PostgresTarget:
    """The upstream tables in one PostgreSQL database."""

    def __init__(
        self,
        dsn: str,
        *,
        configuration_table: str = "rollout_configuration",
        history_table: str = "rollout_history",
        categories_table: str = "repository_categories",
    ) -> None:
        self._dsn = dsn
        self._configuration = _table(configuration_table)
        self._history = _table(history_table)
        self._categories = _table(categories_table)
        self.label = f"database {redacted(dsn)}"

    def read(self, feature: str) -> RolloutRow | None:
        query = sql.SQL(
            "SELECT id::text AS id, {columns} FROM {table} WHERE feature_name = %s AND is_active"
            " ORDER BY updated_at DESC NULLS LAST LIMIT 2"
        ).format(
            columns=sql.SQL(", ").join(map(sql.Identifier, _CONFIGURATION_COLUMNS)),
            table=self._configuration,
        )
        with self._connection() as conn:
            rows = conn.execute(query, [feature]).fetchall()
        if len(rows) > 1:
            raise RolloutError(
                f"{self.label} has more than one active rollout configuration for {feature!r}",
                hint="Leave one row with is_active = true for the feature.",
            )
        return RolloutRow.from_mapping(rows[0], row_id=rows[0]["id"]) if rows else None

    def write(self, read: RolloutRow, change: RolloutWrite) -> bool:
        update = sql.SQL(
            "UPDATE {table} SET rollout_percentage = %s, emergency_stop = %s, updated_at = %s"
            " WHERE id = %s AND is_active AND rollout_percentage = %s"
            " AND emergency_stop IS NOT DISTINCT FROM %s AND updated_at IS NOT DISTINCT FROM %s"
        ).format(table=self._configuration)
        insert = sql.SQL(
            "INSERT INTO {table} (id, rollout_config_id, action, previous_percentage,"
            " new_percentage, reason, triggered_by, metadata, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        ).format(table=self._history)
        history = change.history
        with self._connection() as conn:
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(LOCK_TIMEOUT))
                    cursor = conn.execute(
                        update,
                        [
                            change.percentage, change.emergency_stop, change.at,
                            uuid.UUID(str(read.row_id)), read.percentage, read.emergency_stop,
                            read.updated_at,
                        ],
                    )  # fmt: skip
                    if cursor.rowcount != 1:
                        raise psycopg.Rollback()
                    conn.execute(
                        insert,
                        [
                            uuid.UUID(str(history["id"])), uuid.UUID(str(read.row_id)),
                            history["action"], history["previous_percentage"],
                            history["new_percentage"], history["reason"],
                            history["triggered_by"], Jsonb(dict(history["metadata"])), change.at,
                        ],
                    )  # fmt: skip
                    return True
            except (psycopg.errors.LockNotAvailable, psycopg.errors.SerializationFailure):
                return False  # another transaction holds or changed the row
            except psycopg.Error as exc:
                raise self._error("could not write the rollback to", exc) from None
        return False

    def history(self, feature: str, limit: int) -> list[dict[str, Any]]:
        query = sql.SQL(
            "SELECT h.id::text AS id, h.action, h.previous_percentage, h.new_percentage,"
            " h.reason, h.triggered_by, h.metadata, h.created_at"
            " FROM {history} h JOIN {configuration} c ON h.rollout_config_id = c.id"
            " WHERE c.feature_name = %s ORDER BY h.created_at DESC, h.id DESC LIMIT %s"
        ).format(history=self._history, configuration=self._configuration)
        with self._connection() as conn:
            rows = conn.execute(query, [feature, limit]).fetchall()
        return [_history_row(row) for row in rows]

    def categories(self) -> list[tuple[str, str]]:
        query = sql.SQL(
            "SELECT repository_id::text AS repository_id, category FROM {table}"
            " WHERE repository_id IS NOT NULL ORDER BY 1"
        ).format(table=self._categories)
        with self._connection() as conn:
            rows = conn.execute(query).fetchall()
        return [(str(row["repository_id"]), str(row["category"])) for row in rows]

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        try:
            conn = psycopg.connect(
                self._dsn,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="reportgen-rollback",
                row_factory=dict_row,
            )
        except psycopg.Error as exc:
            raise self._error("cannot connect to", exc) from None
        try:
            with conn:
                yield conn
        except psycopg.Error as exc:
            raise self._error("failed reading", exc) from None

    def _error(self, doing: str, exc: psycopg.Error) -> RolloutError:
        return RolloutError(f"{doing} {self.label}: {self._scrub(exc)}", hint=CONNECT_HINT)

    def _scrub(self, exc: BaseException) -> str:
        """The first line of a driver message, with the DSN and the password blanked out."""
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        secrets = [self._dsn]
        try:
            password = conninfo_to_dict(self._dsn).get("password")
        except psycopg.ProgrammingError:
            password = None
        if password:
            secrets.append(str(password))
        for secret in secrets:
            text = text.replace(secret, "***")
        return text


def _history_row(row: dict[str, Any]) -> dict[str, Any]:
    for column in ("previous_percentage", "new_percentage"):
        if row[column] is not None:
            row[column] = float(row[column])
    row["metadata"] = row["metadata"] or {}
    return row
