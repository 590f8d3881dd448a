"""The findings vocabulary: what a rule concluded, how bad it is, and the records that the alert
lifecycle and the circuit breaker keep about it.

Everything above the ground floor speaks these words: rules produce `Finding`s, a report's and a
health check's status is the worst of them, the store persists `AlertState`s and `Decision`s, and
notifications carry them. The order of severities and of statuses is defined here, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal


class Severity(StrEnum):
    """How bad a rule's result is; `ok` results are evaluated but are not findings."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"
    INCONCLUSIVE = "inconclusive"
    OK = "ok"

    @property
    def rank(self) -> int:
        """ok < info < inconclusive < warning < critical: findings are listed by falling rank,
        and an alert escalates when its rank rises."""
        return _SEVERITY_RANK[self]


class Status(StrEnum):
    """The overall verdict of a report or health check."""

    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    INCONCLUSIVE = "inconclusive"

    @property
    def rank(self) -> int:
        """healthy < inconclusive < warning < critical."""
        return _STATUS_RANK[self]


_SEVERITY_RANK = {
    Severity.OK: 0,
    Severity.INFO: 1,
    Severity.INCONCLUSIVE: 2,
    Severity.WARNING: 3,
    Severity.CRITICAL: 4,
}
_STATUS_RANK = {Status.HEALTHY: 0, Status.INCONCLUSIVE: 1, Status.WARNING: 2, Status.CRITICAL: 3}
# `info` and `ok` never change the status.
_STATUS_OF_SEVERITY = {
    Severity.CRITICAL: Status.CRITICAL,
    Severity.WARNING: Status.WARNING,
    Severity.INCONCLUSIVE: Status.INCONCLUSIVE,
    Severity.INFO: Status.HEALTHY,
    Severity.OK: Status.HEALTHY,
}


def alert_key(feature: str, rule: str, scope: str) -> str:
    """The stable key of one alert: Sentry fingerprint, issue marker and state row."""
    digest = hashlib.sha256(f"{feature}\x1f{rule}\x1f{scope}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
    """One rule's result for one scope (`overall`, `processor:<name>`, `repository:<id>`)."""

    key: str
    rule: str
    scope: str
    severity: Severity
    value: float | None
    threshold: float | None
    message: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "scope": self.scope,
            "severity": self.severity.value,
            "value": self.value,
            "threshold": self.threshold,
            "counts": dict(self.counts),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A finding back from its JSON form (a report read back from the site)."""
        return cls(
            key=data["key"],
            rule=data["rule"],
            scope=data["scope"],
            severity=Severity(data["severity"]),
            value=data["value"],
            threshold=data["threshold"],
            message=data["message"],
            counts=data.get("counts") or {},
        )


def is_finding(result: Finding) -> bool:
    """`ok` results are kept for the audit log but are not reported as findings."""
    return result.severity is not Severity.OK


def most_severe_first(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings by falling severity; within a severity in their given order (a stable sort)."""
    return tuple(sorted(found, key=lambda f: -f.severity.rank))


def status_of(findings: Iterable[Finding]) -> Status:
    """The worst finding: critical > warning > inconclusive > healthy."""
    statuses = (_STATUS_OF_SEVERITY[finding.severity] for finding in findings)
    return max(statuses, default=Status.HEALTHY, key=lambda status: status.rank)


# The records of the alert lifecycle, persisted by the store.

NoticeKind = Literal["firing", "escalated", "repeat", "resolved"]


class State(StrEnum):
    NORMAL = "normal"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class AlertState:
    """One alert's persisted state; `firing_since` is set while an episode is open."""

    key: str
    rule: str
    scope: str
    state: State = State.NORMAL
    severity: str | None = None  # the peak severity of the current (or last) episode
    first_seen: datetime | None = None  # when the current breach was first seen
    firing_since: datetime | None = None
    last_notified: datetime | None = None
    last_evaluated: datetime | None = None
    healthy_streak: int = 0
    message: str = ""
    value: float | None = None
    threshold: float | None = None
    sentry_event_id: str | None = None
    issue_number: int | None = None


@dataclass(frozen=True)
class Notification:
    key: str
    kind: NoticeKind
    severity: str


@dataclass(frozen=True)
class Transition:
    previous: State
    state: AlertState
    notification: Notification | None

    @property
    def changed(self) -> bool:
        return self.previous is not self.state.state


# The records of the circuit breaker, persisted in its audit log.


@dataclass(frozen=True)
class Check:
    """One breaker rule's value against its threshold."""

    rule: str
    scope: str
    value: float | None
    threshold: float | None
    tripped: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "scope": self.scope,
            "value": self.value,
            "threshold": self.threshold,
            "tripped": self.tripped,
            "message": self.message,
        }


@dataclass(frozen=True)
class Decision:
    rollback: bool
    reason: str
    executed: bool = False
    checks: tuple[Check, ...] = field(default_factory=tuple)  # the breaker's own rules
    evaluated: tuple[Check, ...] = field(default_factory=tuple)  # every rule, for the audit

    def to_dict(self) -> dict[str, Any]:
        """The `decision` object of `reportgen health --format json`."""
        return {"rollback": self.rollback, "reason": self.reason, "executed": self.executed}
