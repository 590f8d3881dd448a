"""Findings: what a rule concluded about one scope, and the status they add up to (SPEC §4)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a rule's result is; `ok` results are evaluated but are not findings."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"
    INCONCLUSIVE = "inconclusive"
    OK = "ok"


class Status(StrEnum):
    """The overall verdict of a report or health check."""

    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    INCONCLUSIVE = "inconclusive"


# critical > warning > inconclusive > healthy; `info` and `ok` never change the status.
_RANK = {Status.HEALTHY: 0, Status.INCONCLUSIVE: 1, Status.WARNING: 2, Status.CRITICAL: 3}
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


def is_finding(result: Finding) -> bool:
    """`ok` results are kept for the audit log but are not reported as findings."""
    return result.severity is not Severity.OK


def status_of(findings: Iterable[Finding]) -> Status:
    """The worst finding: critical > warning > inconclusive > healthy."""
    worst = Status.HEALTHY
    for finding in findings:
        status = _STATUS_OF_SEVERITY[finding.severity]
        if _RANK[status] > _RANK[worst]:
            worst = status
    return worst
