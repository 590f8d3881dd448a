"""The store as a rollback target: compare-and-set, and a pull that never undoes a rollback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fakes.datasets import T0, pull_into, steady

from reportgen.store import open_store
from reportgen.store import rollout as store_rollout

FEATURE = "hybrid_progressive_capture"
AT = T0 + timedelta(days=3)


def history_row(row_id: str) -> dict[str, object]:
    return {
        "id": row_id,
        "action": "rollback",
        "previous_percentage": 25.0,
        "new_percentage": 0.0,
        "reason": "spike",
        "triggered_by": "octocat",
        "metadata": {"tool": "test"},
    }


def test_compare_and_set_writes_only_over_the_value_read(tmp_path: Path) -> None:
    path = pull_into(tmp_path / "s.duckdb", tmp_path / "snap", steady(T0, T0, 1))
    with open_store(path) as store:
        read = store_rollout.read_configuration(store, FEATURE)
        assert read is not None and read["rollout_percentage"] == 25.0
        stale = {**read, "rollout_percentage": 50.0}
        assert not store_rollout.compare_and_set(
            store, FEATURE, stale, percentage=0, emergency_stop=False, at=AT,
            history=history_row("h0"),
        )  # fmt: skip
        assert store_rollout.read_history(store, FEATURE, 5) == []
        assert store_rollout.compare_and_set(
            store, FEATURE, read, percentage=0, emergency_stop=False, at=AT,
            history=history_row("h1"),
        )  # fmt: skip
        (row,) = store_rollout.read_history(store, FEATURE, 5)
        assert (row["id"], row["created_at"], row["metadata"]) == ("h1", AT, {"tool": "test"})


def test_pulling_an_older_snapshot_again_never_undoes_a_rollback(tmp_path: Path) -> None:
    snapshots = tmp_path / "snap"
    path = pull_into(tmp_path / "s.duckdb", snapshots, steady(T0, T0, 1))
    with open_store(path) as store:
        read = store_rollout.read_configuration(store, FEATURE)
        assert read is not None
        assert store_rollout.compare_and_set(
            store,
            FEATURE,
            read,
            percentage=0,
            emergency_stop=True,
            at=AT,
            history=history_row("h1"),
        )
        store.pull(str(snapshots))
        after = store_rollout.read_configuration(store, FEATURE)
        assert after is not None
        assert (after["rollout_percentage"], after["emergency_stop"]) == (0.0, True)
        assert [r["id"] for r in store_rollout.read_history(store, FEATURE, 5)] == ["h1"]
