"""A fresh PostgreSQL database per test on the real server (127.0.0.1:5432), dropped after it.

The database gets the expected upstream schema (reportgen/sources/postgres_schema.sql).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import psycopg
from psycopg import sql

SERVER = "postgresql://postgres@127.0.0.1:5432"


def schema_sql() -> str:
    return resources.files("reportgen.sources").joinpath("postgres_schema.sql").read_text()


@contextmanager
def fresh_database() -> Iterator[str]:
    """The DSN of a new database with the expected schema, dropped afterwards."""
    name = f"reportgen_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = f"{SERVER}/{name}"
    try:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(schema_sql().encode())
        yield dsn
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
