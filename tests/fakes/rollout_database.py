"""A fresh PostgreSQL database per test on the local server, with the upstream rollout tables.

The server is the one on 127.0.0.1:5432 (trust auth, user postgres) that `.ci/run` starts. Each
database is created for one test and dropped after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, LiteralString

import psycopg

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"

# The upstream migrations' shape (uuid ids, history linked by rollout_config_id).
ROLLOUT_TABLES = """
CREATE TABLE rollout_configuration (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    feature_name VARCHAR(100) NOT NULL,
    rollout_percentage INTEGER DEFAULT 0
        CHECK (rollout_percentage >= 0 AND rollout_percentage <= 100),
    is_active BOOLEAN DEFAULT false,
    target_repositories TEXT[] DEFAULT '{}',
    excluded_repositories TEXT[] DEFAULT '{}',
    rollout_strategy VARCHAR(50) DEFAULT 'percentage',
    max_error_rate DECIMAL(5, 2) DEFAULT 5.0,
    monitoring_window_hours INTEGER DEFAULT 24,
    auto_rollback_enabled BOOLEAN DEFAULT true,
    emergency_stop BOOLEAN DEFAULT false,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE TABLE rollout_history (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    rollout_config_id UUID REFERENCES rollout_configuration (id) ON DELETE CASCADE,
    action VARCHAR(50) NOT NULL,
    previous_percentage INTEGER,
    new_percentage INTEGER,
    reason TEXT,
    triggered_by VARCHAR(100),
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE TABLE repository_categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    repository_id UUID UNIQUE,
    category VARCHAR(20) NOT NULL
);
"""


@contextmanager
def fresh_database() -> Iterator[str]:
    """The DSN of a new, empty database with the rollout tables; dropped afterwards."""
    name = f"reportgen_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(ROLLOUT_TABLES)
        yield dsn
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_configuration(
    dsn: str,
    percentage: int,
    *,
    updated_at: datetime,
    feature: str = "hybrid_progressive_capture",
    auto_rollback: bool = True,
) -> str:
    """An active rollout row and its `created` history row; the row's id."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "INSERT INTO rollout_configuration (feature_name, rollout_percentage, is_active,"
            " auto_rollback_enabled, updated_at) VALUES (%s, %s, true, %s, %s) RETURNING id::text",
            [feature, percentage, auto_rollback, updated_at],
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO rollout_history (rollout_config_id, action, previous_percentage,"
            " new_percentage, reason, triggered_by, created_at)"
            " VALUES (%s, 'created', NULL, %s, 'start', 'manual', %s)",
            [row[0], percentage, updated_at],
        )
    return str(row[0])


def rows(dsn: str, sql: LiteralString) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchall()
