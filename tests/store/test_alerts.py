from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.alert_store import AlertStore

from reportgen.findings import AlertState, Check, Decision, Notification, State, Transition
from reportgen.store import alerts
from reportgen.store.alerts import OutboxEntry

T0 = datetime(2026, 11, 25, 10, 3, tzinfo=UTC)


@pytest.fixture
def store(store_path: Path) -> Iterator[AlertStore]:
    opened = AlertStore(store_path)
    yield opened
    opened.close()


def firing(key: str = "k1") -> AlertState:
    return AlertState(
        key=key, rule="error_rate", scope="overall", state=State.FIRING, severity="critical",
        first_seen=T0, firing_since=T0, last_notified=T0, last_evaluated=T0,
        message="error_rate 20.0% > 5.0% over 300 finished jobs", value=20.0, threshold=5.0,
    )  # fmt: skip


def fired(state: AlertState) -> Transition:
    return Transition(State.NORMAL, state, Notification(state.key, "firing", "critical"))


CHECK = Check("error_rate", "overall", 20.0, 5.0, True, "x")
QUEUE = Check("queue_backlog", "overall", 3.0, 100.0, False, "ok: 3 pending jobs <= 100")
DECISION = Decision(True, "error_rate 20.0% > 5.0%", False, (CHECK,), (QUEUE,))


def test_alerts_save_run_round_trips_states_history_outbox_and_audit(store: AlertStore) -> None:
    entry = OutboxEntry("sentry", "k1", "firing", {"key": "k1", "n": [1, 2]}, T0)
    alerts.save_run(store, [fired(firing())], [entry], DECISION, T0, 25.0)
    assert alerts.load_states(store) == {"k1": firing()}
    (pending,) = alerts.undelivered(store)
    assert (pending.channel, pending.key, pending.kind, pending.payload, pending.attempts) == (
        "sentry",
        "k1",
        "firing",
        {"key": "k1", "n": [1, 2]},
        0,
    )
    assert pending.created_at == T0
    (history,) = alerts.transitions(store)
    assert (history["from_state"], history["to_state"], history["notified"]) == (
        "normal",
        "firing",
        "firing",
    )
    (decision,) = alerts.decisions(store)
    assert decision["rollback"] is True
    assert decision["executed"] is False
    assert decision["rollout_percentage"] == 25.0
    assert decision["checks"] == [
        {
            "rule": "error_rate",
            "scope": "overall",
            "value": 20.0,
            "threshold": 5.0,
            "tripped": True,
            "message": "x",
        }
    ]
    assert decision["rules"] == [QUEUE.to_dict()]


def test_alerts_save_run_is_one_transaction(store: AlertStore) -> None:
    bad = OutboxEntry("email", "k1", "firing", {}, T0)  # violates the channel check
    with pytest.raises(Exception, match="CHECK constraint"):
        alerts.save_run(store, [fired(firing())], [bad], None, T0, None)
    assert alerts.load_states(store) == {}
    assert alerts.transitions(store) == []


def test_alerts_save_run_updates_an_existing_row(store: AlertStore) -> None:
    alerts.save_run(store, [fired(firing())], [], None, T0, None)
    later = T0 + timedelta(minutes=15)
    resolved = AlertState(
        key="k1", rule="error_rate", scope="overall", state=State.RESOLVED, severity="critical",
        last_notified=later, last_evaluated=later, healthy_streak=2, message="ok",
    )  # fmt: skip
    alerts.save_run(
        store,
        [Transition(State.FIRING, resolved, Notification("k1", "resolved", "critical"))],
        [],
        None,
        later,
        None,
    )
    assert alerts.load_states(store) == {"k1": resolved}
    assert [row["to_state"] for row in alerts.transitions(store)] == ["resolved", "firing"]


def test_alerts_outbox_keeps_order_and_records_attempts(store: AlertStore) -> None:
    entries = [OutboxEntry("sentry", f"k{n}", "firing", {"n": n}, T0) for n in range(3)]
    alerts.save_run(store, [], entries, None, T0, None)
    first, second, third = alerts.undelivered(store)
    assert [e.payload["n"] for e in (first, second, third)] == [0, 1, 2]
    assert first.id is not None and second.id is not None
    alerts.record_attempt(store, first.id, T0, delivered_ref="event-1")
    alerts.record_attempt(store, second.id, T0, error="Sentry did not accept the event")
    remaining = alerts.undelivered(store)
    assert [(e.key, e.attempts) for e in remaining] == [("k1", 1), ("k2", 0)]


def test_alerts_remember_delivery_keeps_latest_ids(store: AlertStore) -> None:
    alerts.save_run(store, [fired(firing("k1")), fired(firing("k2"))], [], None, T0, None)
    alerts.remember_delivery(store, ["k1"], sentry_event_id="abc")
    alerts.remember_delivery(store, ["k1", "k2"], issue_number=7)
    states = alerts.load_states(store)
    assert (states["k1"].sentry_event_id, states["k1"].issue_number) == ("abc", 7)
    assert (states["k2"].sentry_event_id, states["k2"].issue_number) == (None, 7)
