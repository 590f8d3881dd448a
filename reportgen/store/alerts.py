"""Alert state, alert history, the notification outbox and the breaker audit log in the store.

The tables come from migration `0002_alerts.sql`. Writers take a whole run's changes at once
and write them in one transaction: a crash never leaves half a run's alert state behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import duckdb

from reportgen.findings import AlertState, Decision, State, Transition

_STATE_COLUMNS = (
    "key", "rule", "scope", "state", "severity", "first_seen", "firing_since", "last_notified",
    "last_evaluated", "healthy_streak", "message", "value", "threshold", "sentry_event_id",
    "issue_number",
)  # fmt: skip


class HasConnection(Protocol):
    """A store: anything holding an open DuckDB connection with the migrations applied."""

    @property
    def connection(self) -> duckdb.DuckDBPyConnection: ...


@dataclass(frozen=True)
class OutboxEntry:
    """One notification to deliver on one channel (`sentry` or `github`)."""

    channel: str
    key: str
    kind: str
    payload: Mapping[str, Any]
    created_at: datetime
    id: int | None = None
    attempts: int = 0


def load_states(store: HasConnection) -> dict[str, AlertState]:
    rows = _rows(store, f"SELECT {', '.join(_STATE_COLUMNS)} FROM alert_state ORDER BY key")
    return {row["key"]: _state(row) for row in rows}


@dataclass(frozen=True)
class RunRecord:
    """What one health run leaves in the store: alert changes, outbox entries, its decision."""

    as_of: datetime
    transitions: Sequence[Transition]
    outbox: Sequence[OutboxEntry] = ()
    decision: Decision | None = None
    rollout_percentage: float | None = None


def save_run(
    store: HasConnection,
    transitions: Sequence[Transition],
    outbox: Sequence[OutboxEntry],
    decision: Decision | None,
    as_of: datetime,
    rollout_percentage: float | None,
) -> None:
    """One health run's alert states, history rows, new outbox entries and breaker decision."""
    save_runs(store, [RunRecord(as_of, transitions, outbox, decision, rollout_percentage)])


def save_runs(store: HasConnection, runs: Sequence[RunRecord]) -> None:
    """Several health runs, in order, in one transaction (a replay of history): every run's
    history rows and decision, and each alert's state as the last of them left it."""
    con = store.connection
    con.begin()
    try:
        states: dict[str, AlertState] = {}
        for run in runs:
            states.update((t.state.key, t.state) for t in run.transitions)
            _write_history(con, run)
        for state in states.values():
            _upsert_state(con, state)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _write_history(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    for transition in run.transitions:
        if transition.changed or transition.notification is not None:
            _insert_transition(con, transition, run.as_of)
    for entry in run.outbox:
        con.execute(
            "INSERT INTO alert_outbox (channel, key, kind, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [entry.channel, entry.key, entry.kind, json.dumps(entry.payload), entry.created_at],
        )
    if run.decision is not None:
        _insert_decision(con, run.decision, run.as_of, run.rollout_percentage)


def recorded_until(store: HasConnection) -> datetime | None:
    """The newest moment the alert lifecycle has been judged at (a health run, a transition,
    an evaluation), or None when nothing is recorded: the lifecycle only moves forward."""
    value = store.connection.execute(
        "SELECT greatest((SELECT max(as_of) FROM breaker_audit),"
        " (SELECT max(changed_at) FROM alert_transitions),"
        " (SELECT max(last_evaluated) FROM alert_state))"
    ).fetchall()[0][0]
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def undelivered(store: HasConnection) -> list[OutboxEntry]:
    """Every notification not yet delivered, oldest first (the order they must arrive in)."""
    rows = _rows(
        store,
        "SELECT id, channel, key, kind, payload, created_at, attempts FROM alert_outbox "
        "WHERE delivered_at IS NULL ORDER BY id",
    )
    return [
        OutboxEntry(
            channel=row["channel"],
            key=row["key"],
            kind=row["kind"],
            payload=json.loads(row["payload"]),
            created_at=row["created_at"],
            id=row["id"],
            attempts=row["attempts"],
        )
        for row in rows
    ]


def record_attempt(
    store: HasConnection,
    entry_id: int,
    at: datetime,
    *,
    delivered_ref: str | None = None,
    error: str | None = None,
) -> None:
    """A delivery attempt: delivered (with Sentry's event id or the issue number) or failed."""
    store.connection.execute(
        "UPDATE alert_outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?, "
        "delivered_at = CASE WHEN ? THEN ? ELSE NULL END, delivery_ref = ? WHERE id = ?",
        [at, error, error is None, at, delivered_ref, entry_id],
    )


def remember_delivery(
    store: HasConnection,
    keys: list[str],
    *,
    sentry_event_id: str | None = None,
    issue_number: int | None = None,
) -> None:
    """Keep the latest Sentry event id and incident issue number on the alerts' rows."""
    for key in keys:
        store.connection.execute(
            "UPDATE alert_state SET sentry_event_id = coalesce(?, sentry_event_id), "
            "issue_number = coalesce(?, issue_number) WHERE key = ?",
            [sentry_event_id, issue_number, key],
        )


def transitions(store: HasConnection, limit: int = 500) -> list[dict[str, Any]]:
    """Alert history, newest first, with the incident issue of each alert (times ISO 8601)."""
    rows = _rows(
        store,
        "SELECT t.key, t.rule, t.scope, t.changed_at, t.from_state, t.to_state, t.severity, "
        "t.notified, t.message, t.value, t.threshold, s.issue_number "
        "FROM alert_transitions t LEFT JOIN alert_state s USING (key) "
        "ORDER BY t.changed_at DESC, t.id DESC LIMIT ?",
        [limit],
    )
    return [{**row, "changed_at": row["changed_at"].astimezone(UTC).isoformat()} for row in rows]


def decisions(store: HasConnection, limit: int = 100) -> list[dict[str, Any]]:
    """The breaker audit log, newest first."""
    rows = _rows(
        store,
        "SELECT as_of, rollback, executed, reason, rollout_percentage, checks "
        "FROM breaker_audit ORDER BY as_of DESC, id DESC LIMIT ?",
        [limit],
    )
    audits = []
    for row in rows:
        checks = json.loads(row["checks"])  # {"breaker": [...], "rules": [...]}
        audits.append({**row, "checks": checks["breaker"], "rules": checks["rules"]})
    return audits


def _upsert_state(con: duckdb.DuckDBPyConnection, state: AlertState) -> None:
    values = [getattr(state, column) for column in _STATE_COLUMNS]
    values[_STATE_COLUMNS.index("state")] = state.state.value
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS if c != "key")
    con.execute(
        f"INSERT INTO alert_state ({', '.join(_STATE_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _STATE_COLUMNS)}) "
        f"ON CONFLICT (key) DO UPDATE SET {updates}",
        values,
    )


def _insert_transition(
    con: duckdb.DuckDBPyConnection, transition: Transition, as_of: datetime
) -> None:
    state = transition.state
    notified = transition.notification.kind if transition.notification else None
    con.execute(
        "INSERT INTO alert_transitions (key, rule, scope, changed_at, from_state, to_state, "
        "severity, notified, message, value, threshold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            state.key, state.rule, state.scope, as_of, transition.previous.value,
            state.state.value, state.severity, notified, state.message, state.value,
            state.threshold,
        ],
    )  # fmt: skip


def _insert_decision(
    con: duckdb.DuckDBPyConnection,
    decision: Decision,
    as_of: datetime,
    rollout_percentage: float | None,
) -> None:
    con.execute(
        "INSERT INTO breaker_audit (as_of, rollback, executed, reason, rollout_percentage, "
        "checks) VALUES (?, ?, ?, ?, ?, ?)",
        [
            as_of,
            decision.rollback,
            decision.executed,
            decision.reason,
            rollout_percentage,
            json.dumps(
                {
                    "breaker": [check.to_dict() for check in decision.checks],
                    "rules": [check.to_dict() for check in decision.evaluated],
                }
            ),
        ],
    )


def _rows(
    store: HasConnection, sql: str, params: Iterable[Any] | None = None
) -> list[dict[str, Any]]:
    relation = store.connection.execute(sql, list(params or []))
    names = [column[0] for column in relation.description or []]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def _state(row: Mapping[str, Any]) -> AlertState:
    values = dict(row)
    values["state"] = State(values["state"])
    for column in ("first_seen", "firing_since", "last_notified", "last_evaluated"):
        if values[column] is not None:
            values[column] = values[column].astimezone(UTC)
    return AlertState(**values)
