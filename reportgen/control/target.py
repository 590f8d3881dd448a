"""Where a rollback writes: the rollout row as every target reads it, and the target protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from reportgen.config import Settings
from reportgen.store import rollout as store_rollout
from reportgen.store.alerts import HasConnection


@dataclass(frozen=True)
class RolloutRow:
    """The feature's active rollout configuration as read from a target."""

    feature: str
    percentage: float
    emergency_stop: bool | None
    auto_rollback_enabled: bool | None
    is_active: bool | None
    strategy: str | None
    max_error_rate: float | None
    target_repositories: tuple[str, ...]
    excluded_repositories: tuple[str, ...]
    updated_at: datetime | None
    row_id: str | None = None  # the database row's id; the store keys rows by feature

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any], row_id: str | None = None) -> RolloutRow:
        max_error_rate = row.get("max_error_rate")
        return cls(
            feature=str(row["feature_name"]),
            percentage=float(row["rollout_percentage"]),
            emergency_stop=row.get("emergency_stop"),
            auto_rollback_enabled=row.get("auto_rollback_enabled"),
            is_active=row.get("is_active"),
            strategy=row.get("rollout_strategy"),
            max_error_rate=None if max_error_rate is None else float(max_error_rate),
            target_repositories=tuple(str(r) for r in row.get("target_repositories") or ()),
            excluded_repositories=tuple(str(r) for r in row.get("excluded_repositories") or ()),
            updated_at=row.get("updated_at"),
            row_id=row_id,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "rollout_percentage": self.percentage,
            "is_active": self.is_active,
            "rollout_strategy": self.strategy,
            "max_error_rate": self.max_error_rate,
            "auto_rollback_enabled": self.auto_rollback_enabled,
            "emergency_stop": self.emergency_stop,
            "target_repositories": list(self.target_repositories),
            "excluded_repositories": list(self.excluded_repositories),
            "updated_at": None if self.updated_at is None else self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class RolloutWrite:
    """The new values of the row and the history row that records them."""

    percentage: int
    emergency_stop: bool
    at: datetime
    history: Mapping[
        str, Any
    ]  # id, action, previous/new percentage, reason, triggered_by, metadata


class RolloutTarget(Protocol):
    """A place that holds the rollout configuration and its history."""

    @property
    def label(self) -> str:
        """What the target may be shown as: never a password."""
        ...

    def read(self, feature: str) -> RolloutRow | None: ...

    def write(self, read: RolloutRow, change: RolloutWrite) -> bool:
        """Apply `change` only if the row still holds what `read` saw; False otherwise."""
        ...

    def history(self, feature: str, limit: int) -> list[dict[str, Any]]:
        """The feature's rollout changes, newest first."""
        ...

    def categories(self) -> list[tuple[str, str]]:
        """(repository_id, category) of every categorised repository."""
        ...


class StoreTarget:
    """The local DuckDB store: the target when no database is configured."""

    def __init__(self, store: HasConnection, path: object) -> None:
        self._store = store
        self.label = f"store {path}"

    def read(self, feature: str) -> RolloutRow | None:
        row = store_rollout.read_configuration(self._store, feature)
        return None if row is None else RolloutRow.from_mapping(row)

    def write(self, read: RolloutRow, change: RolloutWrite) -> bool:
        expected = {
            "rollout_percentage": read.percentage,
            "emergency_stop": read.emergency_stop,
            "updated_at": read.updated_at,
        }
        return store_rollout.compare_and_set(
            self._store,
            read.feature,
            expected,
            percentage=change.percentage,
            emergency_stop=change.emergency_stop,
            at=change.at,
            history=change.history,
        )

    def history(self, feature: str, limit: int) -> list[dict[str, Any]]:
        return store_rollout.read_history(self._store, feature, limit)

    def categories(self) -> list[tuple[str, str]]:
        return store_rollout.read_categories(self._store)


def database_target(settings: Settings) -> RolloutTarget | None:
    """The database named by REPORTGEN_DATABASE_URL, or None when it is not set."""
    url = settings.secrets.database_url
    if url is None or not url.get_secret_value():
        return None
    from reportgen.control.postgres import PostgresTarget  # late: loads psycopg

    source = settings.source
    return PostgresTarget(
        url.get_secret_value(),
        configuration_table=source.rollout_configuration_table,
        history_table=source.rollout_history_table,
        categories_table=source.repository_categories_table,
    )


def open_target(settings: Settings, store: HasConnection, store_path: object) -> RolloutTarget:
    """The database when REPORTGEN_DATABASE_URL is set, else the local store."""
    return database_target(settings) or StoreTarget(store, store_path)
