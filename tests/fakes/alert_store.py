"""A real DuckDB file with the alert tables, for tests of the alert layer on its own.

Until the full store is needed (jobs, pulls), the alert code only needs a connection with
migration 0002 applied; this opens one the way the store does (UTC, no extension installs).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

import reportgen.store

MIGRATION = Path(reportgen.store.__path__[0]) / "migrations" / "0002_alerts.sql"


class AlertStore:
    def __init__(self, path: Path) -> None:
        self.connection = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
        self.connection.execute("SET TimeZone='UTC'")
        self.connection.execute(MIGRATION.read_text(encoding="utf-8"))

    def close(self) -> None:
        self.connection.close()
