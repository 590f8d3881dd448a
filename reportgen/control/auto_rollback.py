"""The circuit breaker's rollback, carried out: `health --auto-rollback` acts on the breaker's
decision through the same `rollback()` as `reportgen rollback`, with
`triggered_by=auto_health_check`, and only when the rollout row has auto-rollback enabled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from reportgen.control.rollback import AUTO_TRIGGER, RollbackRequest, RollbackResult, rollback
from reportgen.control.target import RolloutTarget
from reportgen.errors import RolloutError
from reportgen.evaluate.health import HealthCheck
from reportgen.store import rollout as store_rollout
from reportgen.store.alerts import HasConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoRollback:
    """What the breaker's execution did: a rollback result, or why there was none."""

    result: RollbackResult | None = None
    skipped: str | None = None
    error: str | None = None

    def alert_keys(self) -> frozenset[str]:
        """The alert of an executed rollback: news however long its alert has been firing."""
        if self.result is None or not self.result.changed:
            return frozenset()
        return frozenset({self.result.finding().key})

    def to_dict(self) -> dict[str, Any]:
        return {
            **(self.result.to_dict() if self.result else {"outcome": "not_attempted"}),
            "skipped": self.skipped,
            "error": self.error,
        }


def execute_breaker(
    store: HasConnection, target: RolloutTarget, check: HealthCheck, episode_start: datetime
) -> tuple[HealthCheck, AutoRollback]:
    """Carry out the breaker's rollback to 0 % through the path of `reportgen rollback`.

    At most once per episode: the breaker already refuses when the history shows a rollback
    in this episode, and the audit log is checked too, for a target (the database) whose
    change the store has not pulled yet. The rollback's critical alert joins this run's
    results, so it reaches Sentry and the incident issue with them.
    """
    if store_rollout.auto_rollback_executed_since(store, episode_start):
        return check, AutoRollback(skipped="already rolled back in this episode (audit log)")
    request = RollbackRequest(
        feature=check.rollout.feature if check.rollout else "",
        to=0,
        reason=f"Automatic rollback: {check.decision.reason}",
        triggered_by=AUTO_TRIGGER,
        require_auto_rollback_enabled=True,
        metadata={
            "check_type": check.check_type.value,
            "as_of": check.as_of.isoformat(),
            "checks": [c.to_dict() for c in check.decision.checks if c.tripped],
        },
    )
    try:
        result = rollback(target, request, check.as_of)
    except RolloutError as exc:
        log.error("the circuit breaker could not roll back: %s", exc)
        return check, AutoRollback(error=str(exc))
    if not result.changed:
        return check, AutoRollback(result=result, skipped=result.message())
    finding = result.finding()
    results = (*(r for r in check.results if r.key != finding.key), finding)
    executed = replace(check, decision=replace(check.decision, executed=True), results=results)
    return executed, AutoRollback(result=result)
