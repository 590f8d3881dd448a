"""Migrations: every numbered file applied once, in order; 0001 matches reportgen.schema."""

from __future__ import annotations

from pathlib import Path

from reportgen.schema import TABLES
from reportgen.store import migrations, open_store

# How DESCRIBE spells the types that schema.py gives by their short names.
DUCKDB_NAMES = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}


def test_migrations_are_numbered_in_order_from_0001() -> None:
    versions = [migration.version for migration in migrations.available()]
    assert versions == list(range(1, len(versions) + 1))
    assert migrations.available()[0].name == "snapshots"


def test_migrate_applies_each_migration_once(store_path: Path) -> None:
    expected = [(m.version, m.name) for m in migrations.available()]
    with open_store(store_path) as store:
        recorded = store.connection.sql("SELECT version, name FROM schema_version ORDER BY 1")
        assert recorded.fetchall() == expected
    with open_store(store_path) as store:
        assert migrations.migrate(store.connection) == []
        assert store.connection.sql("SELECT count(*) FROM schema_version").fetchall() == [
            (len(expected),)
        ]


def test_migrate_brings_an_older_store_up_to_date(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.connection.execute("DELETE FROM schema_version WHERE version > 1")
        for table in store.connection.sql(
            "SELECT table_name FROM duckdb_tables() WHERE table_name NOT IN"
            " ('schema_version', 'pulls', 'pull_counts', 'rejects', 'jobs',"
            " 'rollout_configuration', 'rollout_history', 'repository_categories')"
        ).fetchall():
            store.connection.execute(f'DROP TABLE "{table[0]}"')
        store.connection.execute("DROP SEQUENCE IF EXISTS alert_transition_id")
    with open_store(store_path, read_only=True) as store:
        recorded = store.connection.sql("SELECT version FROM schema_version ORDER BY 1")
        assert [row[0] for row in recorded.fetchall()] == [
            m.version for m in migrations.available()
        ]


def test_snapshot_tables_match_the_schema(store_path: Path) -> None:
    with open_store(store_path) as store:
        for table in TABLES.values():
            described = store.connection.sql(f"DESCRIBE {table.name}").fetchall()
            columns = [(row[0], row[1]) for row in described if not row[0].startswith("_")]
            expected = [
                (c.name, DUCKDB_NAMES.get(c.type.value, c.type.value)) for c in table.columns
            ]
            assert columns == expected, table.name
