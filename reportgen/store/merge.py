"""Newest state wins: merge a pull's accepted rows into a snapshot table.

Order of states: `_version_at` (updated_at, else snapshot time), then `_snapshot_at`, then,
within one pull, file order and line order. An incoming row replaces the stored one only when
it is at least as new and differs, so pulling the same snapshot again writes nothing and an
older snapshot never overwrites a newer state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from reportgen.schema import Table
from reportgen.store.readers import identifier

_NEWEST_FIRST = "_version_at DESC, _snapshot_at DESC, __file DESC, __record DESC"
_STORED = "__stored_keys"
# A table with this column is written in its order (then the key's), and the stored rows a
# merge touches are found again by it, so a scan skips every row group outside their range.
_ORDER = "created_at"


@dataclass(frozen=True)
class MergeCounts:
    accepted: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


@contextmanager
def stored_keys(connection: duckdb.DuckDBPyConnection, table: Table, checked: str) -> Iterator[str]:
    """A temporary table of the stored rows that share a key with the pull's accepted rows:
    their keys, and their `created_at` where the table has one. These are the only stored rows
    a merge can touch; finding them is the merge's one scan of the stored keys, and the update
    and the insert join against this small table instead of the whole stored one."""
    keys = [identifier(k) for k in table.key]
    bound = [identifier(_ORDER)] if _ORDER in table.column_names and _ORDER not in table.key else []
    stored = identifier(table.name)
    # A first pull has nothing stored: no need to gather the pull's distinct keys to find none.
    empty = not connection.sql(f"SELECT count(*) FROM (FROM {stored} LIMIT 1)").fetchall()[0][0]
    incoming = "false" if empty else "true"
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {_STORED} AS"
        f" SELECT {', '.join(f's.{c}' for c in keys + bound)} FROM {stored} AS s"
        f" SEMI JOIN (SELECT DISTINCT {', '.join(keys)} FROM {checked}"
        f" WHERE __reason IS NULL AND {incoming}) AS n ON {_key_match(table, 's', 'n')}"
    )
    try:
        yield _STORED
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {_STORED}")


def merge_table(
    connection: duckdb.DuckDBPyConnection, table: Table, checked: str, pull_id: int, stored: str
) -> MergeCounts:
    """Upsert the newest accepted row per key of `checked`; runs inside the pull's transaction.

    `stored` is the `stored_keys` table of `checked`."""
    accepted, rejected = connection.sql(
        f"SELECT count(*) FILTER (__reason IS NULL), count(*) FILTER (__reason IS NOT NULL)"
        f" FROM {checked}"
    ).fetchall()[0]
    _mark_superseded(connection, table, checked)
    newest = f"(SELECT * FROM {checked} WHERE __reason IS NULL AND NOT __superseded)"
    matched = connection.sql(f"SELECT count(*) FROM {stored}").fetchall()[0][0]
    updated = _update(connection, table, newest, stored, pull_id) if matched else 0
    inserted = _insert(connection, table, newest, stored, pull_id)
    return MergeCounts(accepted, inserted, updated, accepted - inserted - updated, rejected)


def _key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{identifier(k)} = {right}.{identifier(k)}" for k in table.key)


def _mark_superseded(connection: duckdb.DuckDBPyConnection, table: Table, checked: str) -> None:
    """Flag every accepted row that a newer row of the same pull replaces.

    Only keys that repeat in the pull are ranked: a pull of daily exports has none, and
    ranking every row needs a window (and its hash table) over the whole pull."""
    keys = ", ".join(identifier(k) for k in table.key)
    repeated = _key_match(table, "r", "repeated")
    connection.execute(
        f"UPDATE {checked} AS c SET __superseded = true FROM ("
        f" SELECT r.__file, r.__record FROM {checked} AS r SEMI JOIN ("
        f"  SELECT {keys} FROM {checked} WHERE __reason IS NULL"
        f"  GROUP BY {keys} HAVING count(*) > 1) AS repeated ON {repeated}"
        f" WHERE r.__reason IS NULL"
        f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {_NEWEST_FIRST}) > 1"
        ") AS older WHERE c.__file = older.__file AND c.__record = older.__record"
    )


def _update(
    connection: duckdb.DuckDBPyConnection, table: Table, newest: str, stored: str, pull_id: int
) -> int:
    """Write the incoming rows that are at least as new as their stored row and differ.

    The incoming rows are joined to their stored row through `stored` (and its created_at,
    which bounds the scan of the stored table to the row groups holding them)."""
    columns = table.column_names
    assignments = ", ".join(f"{identifier(c)} = n.{identifier(c)}" for c in columns)
    differs = " OR ".join(f"n.{identifier(c)} IS DISTINCT FROM s.{identifier(c)}" for c in columns)
    at_least_as_new = (
        "(n._version_at > s._version_at"
        " OR (n._version_at = s._version_at AND n._snapshot_at >= s._snapshot_at))"
    )
    bounded = _ORDER in columns and _ORDER not in table.key
    incoming = (
        f"(SELECT n.*, m.{identifier(_ORDER)} AS __stored_order FROM {newest} AS n"
        f" JOIN {stored} AS m ON {_key_match(table, 'm', 'n')})"
        if bounded
        else newest
    )
    bound = f" AND s.{identifier(_ORDER)} = n.__stored_order" if bounded else ""
    rows = connection.execute(
        f"UPDATE {identifier(table.name)} AS s SET {assignments},"
        f" _version_at = n._version_at, _snapshot_at = n._snapshot_at, _pull_id = ?"
        f" FROM {incoming} AS n"
        f" WHERE {_key_match(table, 's', 'n')}{bound} AND {at_least_as_new} AND ({differs})",
        [pull_id],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def _insert(
    connection: duckdb.DuckDBPyConnection, table: Table, newest: str, stored: str, pull_id: int
) -> int:
    """Insert the incoming rows whose key is not stored, in creation order (then key order):
    a store pulled in order is then read back in order and no reader sorts it again."""
    columns = ", ".join(identifier(c) for c in table.column_names)
    order = [c for c in (_ORDER,) if c in table.column_names] + list(table.key)
    rows = connection.execute(
        f"INSERT INTO {identifier(table.name)} ({columns}, _version_at, _snapshot_at, _pull_id)"
        f" SELECT {columns}, _version_at, _snapshot_at, ? FROM {newest} AS n"
        f" WHERE NOT EXISTS (SELECT 1 FROM {stored} AS s WHERE {_key_match(table, 's', 'n')})"
        f" ORDER BY {', '.join(f'n.{identifier(c)}' for c in dict.fromkeys(order))}",
        [pull_id],
    ).fetchall()
    return int(rows[0][0]) if rows else 0
