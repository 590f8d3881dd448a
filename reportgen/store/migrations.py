"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied once each, in order.

Each file runs in its own transaction with its row in `schema_version`, so a failed migration
leaves the store at the version before it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from reportgen.errors import StoreError

logger = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """Every migration shipped with reportgen, in version order."""
    found: dict[int, Migration] = {}
    for entry in resources.files("reportgen.store").joinpath("migrations").iterdir():
        match = _FILE_NAME.fullmatch(entry.name)
        if match is None:
            continue
        version = int(match["version"])
        if version in found:
            raise StoreError(f"two migrations share version {version:04d}")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def applied_versions(connection: duckdb.DuckDBPyConnection) -> set[int]:
    exists = connection.sql(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'"
        " AND schema_name = 'main' AND database_name = current_database()"
    ).fetchall()[0][0]
    if not exists:
        return set()
    return {row[0] for row in connection.sql("SELECT version FROM schema_version").fetchall()}


def pending(connection: duckdb.DuckDBPyConnection) -> list[Migration]:
    done = applied_versions(connection)
    return [migration for migration in available() if migration.version not in done]


def migrate(connection: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every pending migration in order; returns those applied."""
    todo = pending(connection)
    for migration in todo:
        logger.debug("applying migration %04d_%s", migration.version, migration.name)
        connection.execute("BEGIN TRANSACTION")
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
            )
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
            connection.execute("COMMIT")
        except duckdb.Error as exc:
            connection.execute("ROLLBACK")
            raise StoreError(
                f"migration {migration.version:04d}_{migration.name} failed: "
                f"{str(exc).strip().splitlines()[0]}"
            ) from None
    return todo
