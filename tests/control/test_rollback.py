"""The rollback on both targets: the store (offline) and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.datasets import T0, pull_into, steady
from fakes.rollout_database import add_configuration, fresh_database, rows

from reportgen.control.postgres import PostgresTarget
from reportgen.control.rollback import (
    Outcome,
    RollbackRequest,
    check_request,
    rollback,
)
from reportgen.control.target import RolloutRow, RolloutTarget, RolloutWrite, StoreTarget
from reportgen.errors import RolloutConflict, RolloutError, UsageError
from reportgen.sources.postgres import redacted
from reportgen.store import open_store

FEATURE = "hybrid_progressive_capture"
AT = T0 + timedelta(days=2)


@dataclass
class Rollout:
    """One target holding the feature at 25 %, and a way to open more connections to it."""

    open_target: Callable[[], RolloutTarget]
    history_count: Callable[[], int]


@pytest.fixture(params=["store", "postgres"])
def rollout(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rollout]:
    with ExitStack() as stack:
        if request.param == "store":
            store_path = pull_into(
                tmp_path / "store.duckdb",
                tmp_path / "snapshots",
                steady(T0, T0 + timedelta(hours=2), 10),
            )

            def store_target() -> RolloutTarget:
                store = stack.enter_context(open_store(store_path))
                return StoreTarget(store, store_path)

            def store_history() -> int:
                with open_store(store_path) as store:
                    return len(store.table("rollout_history"))

            yield Rollout(store_target, store_history)
        else:
            dsn = stack.enter_context(fresh_database())
            add_configuration(dsn, 25, updated_at=T0)
            yield Rollout(
                lambda: PostgresTarget(dsn),
                lambda: int(rows(dsn, "SELECT count(*) FROM rollout_history")[0][0]),
            )


def request(to: int = 0, **changes: object) -> RollbackRequest:
    fields: dict[str, object] = {
        "feature": FEATURE,
        "to": to,
        "reason": "error rate 12% after the 25% step",
        "triggered_by": "octocat",
        **changes,
    }
    return RollbackRequest(**fields)  # type: ignore[arg-type]


def test_rollback_sets_the_row_and_writes_its_history(rollout: Rollout) -> None:
    target = rollout.open_target()
    before = rollout.history_count()
    result = rollback(target, request(), AT)
    assert result.outcome is Outcome.ROLLED_BACK
    assert result.after is not None
    assert (result.before.percentage, result.after.percentage) == (25.0, 0.0)
    assert rollout.history_count() == before + 1
    (latest, *_) = target.history(FEATURE, 10)
    assert {k: latest[k] for k in latest if k not in ("metadata", "created_at")} == {
        "id": result.history_id,
        "action": "rollback",
        "previous_percentage": 25.0,
        "new_percentage": 0.0,
        "reason": "error rate 12% after the 25% step",
        "triggered_by": "octocat",
    }
    assert latest["created_at"] == AT
    assert latest["metadata"]["tool"].startswith("reportgen ")


def test_rollback_emergency_stop_sets_the_flag_and_its_action(rollout: Rollout) -> None:
    target = rollout.open_target()
    result = rollback(target, request(10, emergency_stop=True), AT)
    assert result.after is not None
    assert (result.after.percentage, result.after.emergency_stop) == (10.0, True)
    assert target.history(FEATURE, 1)[0]["action"] == "emergency_stop"


def test_rollback_already_there_is_a_no_op(rollout: Rollout) -> None:
    target = rollout.open_target()
    rollback(target, request(), AT)
    count = rollout.history_count()
    again = rollback(target, request(), AT + timedelta(minutes=5))
    assert again.outcome is Outcome.ALREADY_THERE
    assert again.message() == "Nothing to do: hybrid_progressive_capture is already at 0%."
    assert rollout.history_count() == count


def test_rollback_dry_run_changes_nothing(rollout: Rollout) -> None:
    target = rollout.open_target()
    count = rollout.history_count()
    result = rollback(target, request(), AT, dry_run=True)
    assert result.outcome is Outcome.DRY_RUN
    assert result.message() == (
        "Dry run: would roll hybrid_progressive_capture back from 25% to 0%."
    )
    row = target.read(FEATURE)
    assert row is not None and row.percentage == 25.0
    assert rollout.history_count() == count


class RacedTarget:
    """A real target whose first read is followed, before anything is written, by another
    rollback committing through its own connection: the interleaving of two racing runs."""

    def __init__(self, inner: RolloutTarget, rival: Callable[[], object]) -> None:
        self.inner, self.rival, self.label = inner, rival, inner.label
        self.raced = False

    def read(self, feature: str) -> RolloutRow | None:
        row = self.inner.read(feature)
        if not self.raced:
            self.raced = True
            self.rival()
        return row

    def write(self, read: RolloutRow, change: RolloutWrite) -> bool:
        return self.inner.write(read, change)

    def history(self, feature: str, limit: int) -> list[dict[str, Any]]:
        return self.inner.history(feature, limit)

    def categories(self) -> list[tuple[str, str]]:
        return self.inner.categories()


def test_rollback_race_one_wins_and_the_other_reports_the_conflict(rollout: Rollout) -> None:
    count = rollout.history_count()
    winner = rollout.open_target()
    outcomes = []
    loser = RacedTarget(
        rollout.open_target(),
        lambda: outcomes.append(rollback(winner, request(10, triggered_by="winner"), AT)),
    )
    with pytest.raises(RolloutConflict) as raised:
        rollback(loser, request(0, triggered_by="loser"), AT)
    assert str(raised.value) == (
        "the rollout changed while rolling back: hybrid_progressive_capture was at 25% "
        "when read and is at 10% now; nothing was written"
    )
    assert [o.outcome for o in outcomes] == [Outcome.ROLLED_BACK]
    assert rollout.history_count() == count + 1
    row = winner.read(FEATURE)
    assert row is not None and row.percentage == 10.0
    assert winner.history(FEATURE, 1)[0]["triggered_by"] == "winner"


def test_rollback_auto_needs_auto_rollback_enabled_on_the_row(tmp_path: Path) -> None:
    with fresh_database() as dsn:
        add_configuration(dsn, 25, updated_at=T0, auto_rollback=False)
        target = PostgresTarget(dsn)
        result = rollback(target, request(require_auto_rollback_enabled=True), AT)
        assert result.outcome is Outcome.AUTO_ROLLBACK_DISABLED
        assert rows(dsn, "SELECT rollout_percentage FROM rollout_configuration") == [(25,)]


def test_rollback_without_an_active_row_says_so() -> None:
    with fresh_database() as dsn:
        target = PostgresTarget(dsn)
        with pytest.raises(RolloutError) as raised:
            rollback(target, request(), AT)
    assert str(raised.value) == (
        f"no active rollout configuration for 'hybrid_progressive_capture' in database "
        f"{redacted(dsn)}"
    )


@pytest.mark.parametrize(
    ("to", "confirm", "message"),
    [
        ("0", "yes", "rollback not confirmed: --confirm must be exactly YES; nothing was changed"),
        ("0", "Yes", "rollback not confirmed: --confirm must be exactly YES; nothing was changed"),
        ("0", "", "rollback not confirmed: --confirm must be exactly YES; nothing was changed"),
        ("0", " YES", "rollback not confirmed: --confirm must be exactly YES; nothing was changed"),
        ("101", "YES", "--to 101 is outside 0-100; nothing was changed"),
        ("-1", "YES", "--to -1 is outside 0-100; nothing was changed"),
        ("12.5", "YES", "--to '12.5' is not a whole percentage; nothing was changed"),
    ],
)
def test_check_request_refuses(to: str, confirm: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        check_request(to, "reason", confirm)
    assert (str(raised.value), raised.value.exit_code) == (message, 2)


def test_check_request_accepts_the_bounds() -> None:
    assert [check_request(to, "why", "YES") for to in ("0", "100", " 25 ")] == [0, 100, 25]
    with pytest.raises(UsageError, match=r"^--reason is empty; nothing was changed$"):
        check_request("0", "  ", "YES")
