"""Newest state wins: merge a pull's accepted rows into a snapshot table.

Order of states: `_version_at` (updated_at, else snapshot time), then `_snapshot_at`, then,
within one pull, file order and line order. An incoming row replaces the stored one only when
it is at least as new and differs, so pulling the same snapshot again writes nothing and an
older snapshot never overwrites a newer state.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from reportgen.schema import Table
from reportgen.store.readers import identifier

_NEWEST_FIRST = "_version_at DESC, _snapshot_at DESC, __file DESC, __record DESC"


@dataclass(frozen=True)
class MergeCounts:
    accepted: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


def merge_table(
    connection: duckdb.DuckDBPyConnection, table: Table, checked: str, pull_id: int
) -> MergeCounts:
    """Upsert the newest accepted row per key of `checked`; runs inside the pull's transaction."""
    accepted, rejected = connection.sql(
        f"SELECT count(*) FILTER (__reason IS NULL), count(*) FILTER (__reason IS NOT NULL)"
        f" FROM {checked}"
    ).fetchall()[0]
    _mark_superseded(connection, table, checked)
    newest = f"(SELECT * FROM {checked} WHERE __reason IS NULL AND NOT __superseded)"
    updated = _update(connection, table, newest, pull_id)
    inserted = _insert(connection, table, newest, pull_id)
    return MergeCounts(accepted, inserted, updated, accepted - inserted - updated, rejected)


def _key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{identifier(k)} = {right}.{identifier(k)}" for k in table.key)


def _mark_superseded(connection: duckdb.DuckDBPyConnection, table: Table, checked: str) -> None:
    """Flag every accepted row that a newer row of the same pull replaces.

    Most pulls hold each key once: a grouping finds that out at a third of the cost of the
    window that ranks the states of a key (NULL keys group together, as they partition).
    """
    keys = ", ".join(identifier(k) for k in table.key)
    repeated = connection.sql(
        f"SELECT 1 FROM {checked} WHERE __reason IS NULL GROUP BY {keys}"
        " HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if not repeated:
        return
    connection.execute(
        f"UPDATE {checked} AS c SET __superseded = true FROM ("
        f" SELECT __file, __record FROM {checked} WHERE __reason IS NULL"
        f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {_NEWEST_FIRST}) > 1"
        ") AS older WHERE c.__file = older.__file AND c.__record = older.__record"
    )


def _update(connection: duckdb.DuckDBPyConnection, table: Table, newest: str, pull_id: int) -> int:
    columns = table.column_names
    assignments = ", ".join(f"{identifier(c)} = n.{identifier(c)}" for c in columns)
    differs = " OR ".join(f"n.{identifier(c)} IS DISTINCT FROM s.{identifier(c)}" for c in columns)
    at_least_as_new = (
        "(n._version_at > s._version_at"
        " OR (n._version_at = s._version_at AND n._snapshot_at >= s._snapshot_at))"
    )
    rows = connection.execute(
        f"UPDATE {identifier(table.name)} AS s SET {assignments},"
        f" _version_at = n._version_at, _snapshot_at = n._snapshot_at, _pull_id = ?"
        f" FROM {newest} AS n"
        f" WHERE {_key_match(table, 's', 'n')} AND {at_least_as_new} AND ({differs})",
        [pull_id],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def _insert(connection: duckdb.DuckDBPyConnection, table: Table, newest: str, pull_id: int) -> int:
    columns = ", ".join(identifier(c) for c in table.column_names)
    rows = connection.execute(
        f"INSERT INTO {identifier(table.name)} ({columns}, _version_at, _snapshot_at, _pull_id)"
        f" SELECT {columns}, _version_at, _snapshot_at, ? FROM {newest} AS n"
        f" WHERE NOT EXISTS (SELECT 1 FROM {identifier(table.name)} AS s"
        f" WHERE {_key_match(table, 's', 'n')})",
        [pull_id],
    ).fetchall()
    return int(rows[0][0]) if rows else 0
