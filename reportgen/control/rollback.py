"""The rollback: refuse what is not confirmed, then read, compare-and-set, and verify.

`reportgen rollback` and the circuit breaker's auto-rollback both call `rollback()`; they differ
only in the request (who triggered it, and whether the row must allow auto-rollback).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from reportgen import __version__
from reportgen.control.target import RolloutRow, RolloutTarget, RolloutWrite
from reportgen.errors import RolloutConflict, RolloutError, UsageError
from reportgen.findings import Finding, Severity, alert_key

CONFIRMATION = "YES"
AUTO_TRIGGER = "auto_health_check"
ROLLBACK_RULE = "rollback_executed"  # the rule that reports an executed rollback


class Outcome(StrEnum):
    ROLLED_BACK = "rolled_back"
    ALREADY_THERE = "already_at_target"  # nothing to do: no write, no second incident
    DRY_RUN = "dry_run"
    AUTO_ROLLBACK_DISABLED = "auto_rollback_disabled"


@dataclass(frozen=True)
class RollbackRequest:
    feature: str
    to: int
    reason: str
    triggered_by: str
    emergency_stop: bool = False
    require_auto_rollback_enabled: bool = False  # the circuit breaker acts only if the row allows
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return "emergency_stop" if self.emergency_stop else "rollback"


@dataclass(frozen=True)
class RollbackResult:
    outcome: Outcome
    request: RollbackRequest
    target: str
    at: datetime
    before: RolloutRow
    after: RolloutRow | None = None  # re-read after the write (verified)
    history_id: str | None = None

    @property
    def changed(self) -> bool:
        return self.outcome is Outcome.ROLLED_BACK

    def message(self) -> str:
        """One line saying what happened."""
        before, request = self.before.percentage, self.request
        if self.outcome is Outcome.ROLLED_BACK:
            stop = " and set emergency_stop" if request.emergency_stop else ""
            return f"Rolled back {request.feature} from {before:g}% to {request.to}%{stop}."
        if self.outcome is Outcome.ALREADY_THERE:
            return (
                f"Nothing to do: {request.feature} is already at {before:g}%"
                f"{' with emergency_stop set' if request.emergency_stop else ''}."
            )
        if self.outcome is Outcome.DRY_RUN:
            return f"Dry run: would roll {request.feature} back from {before:g}% to {request.to}%."
        return f"Not rolled back: auto_rollback_enabled is not set on {request.feature}'s row."

    def finding(self) -> Finding:
        """The critical `rollback_executed` finding that alerts on this rollback, worded as the
        rule words it, so the health runs that see it later speak of the same alert."""
        previous, new = self.before.percentage, float(self.request.to)
        message = f"rollback executed: {previous}% -> {new}% ({self.request.reason})"
        return Finding(
            key=alert_key(self.request.feature, ROLLBACK_RULE, "overall"),
            rule=ROLLBACK_RULE,
            scope="overall",
            severity=Severity.CRITICAL,
            value=new,
            threshold=None,
            message=message,
            counts={"rollbacks": 1},
        )

    def to_dict(self) -> dict[str, Any]:
        request = self.request
        return {
            "outcome": self.outcome.value,
            "message": self.message(),
            "feature": request.feature,
            "target": self.target,
            "action": request.action,
            "at": self.at.isoformat(),
            "previous_percentage": self.before.percentage,
            "new_percentage": float(request.to),
            "emergency_stop": request.emergency_stop,
            "reason": request.reason,
            "triggered_by": request.triggered_by,
            "history_id": self.history_id,
            "verified": self.after is not None,
            "before": self.before.to_dict(),
            "after": None if self.after is None else self.after.to_dict(),
        }


def check_request(to: str, reason: str, confirm: str) -> int:
    """The percentage to roll back to, once the confirmation and the arguments are valid."""
    if confirm != CONFIRMATION:
        raise UsageError(
            f"rollback not confirmed: --confirm must be exactly {CONFIRMATION}; "
            "nothing was changed",
            hint=f"Pass --confirm {CONFIRMATION} (in capitals) to roll back.",
        )
    text = to.strip()
    if not text.removeprefix("-").isdecimal():
        raise UsageError(
            f"--to {to!r} is not a whole percentage; nothing was changed",
            hint="Give a whole number from 0 to 100, e.g. --to 0.",
        )
    percentage = int(text)
    if not 0 <= percentage <= 100:
        raise UsageError(
            f"--to {text} is outside 0-100; nothing was changed",
            hint="Give a whole number from 0 to 100, e.g. --to 0.",
        )
    if not reason.strip():
        raise UsageError(
            "--reason is empty; nothing was changed",
            hint="Say why, e.g. --reason 'error rate 12% after the 25% step'.",
        )
    return percentage


def rollback(
    target: RolloutTarget, request: RollbackRequest, at: datetime, *, dry_run: bool = False
) -> RollbackResult:
    """Read the active row, write the change and its history row by compare-and-set, and
    re-read to verify. Raises RolloutConflict when the row changed in between."""
    before = target.read(request.feature)
    if before is None:
        raise RolloutError(
            f"no active rollout configuration for {request.feature!r} in {target.label}",
            hint="Pull the rollout_configuration table, or check report.feature.",
        )
    result = RollbackResult(Outcome.DRY_RUN, request, target.label, at, before)
    if request.require_auto_rollback_enabled and before.auto_rollback_enabled is not True:
        return _with(result, Outcome.AUTO_ROLLBACK_DISABLED)
    if before.percentage == request.to and (not request.emergency_stop or before.emergency_stop):
        return _with(result, Outcome.ALREADY_THERE)
    if dry_run:
        return result
    history_id = str(uuid.uuid4())
    change = RolloutWrite(
        percentage=request.to,
        emergency_stop=bool(request.emergency_stop or before.emergency_stop),
        at=at,
        history={
            "id": history_id,
            "action": request.action,
            "previous_percentage": before.percentage,
            "new_percentage": float(request.to),
            "reason": request.reason,
            "triggered_by": request.triggered_by,
            "metadata": {**request.metadata, "tool": f"reportgen {__version__}"},
        },
    )
    if not target.write(before, change):
        now = target.read(request.feature)
        found = "no active row any more" if now is None else f"{now.percentage:g}% now"
        raise RolloutConflict(
            f"the rollout changed while rolling back: {request.feature} was at "
            f"{before.percentage:g}% when read and is at {found}; nothing was written"
        )
    after = target.read(request.feature)
    if (
        after is None
        or after.percentage != request.to
        or (request.emergency_stop and not after.emergency_stop)
    ):
        shown = "no active row" if after is None else f"{after.percentage:g}%"
        raise RolloutError(
            f"rollback written but not verified: {request.feature} reads back as {shown}",
            hint="Check the rollout_configuration row by hand: `reportgen rollout status`.",
        )
    return RollbackResult(Outcome.ROLLED_BACK, request, target.label, at, before, after, history_id)


def _with(result: RollbackResult, outcome: Outcome) -> RollbackResult:
    return RollbackResult(outcome, result.request, result.target, result.at, result.before)
