"""The rules of SPEC §4.1 as declared data, and the pure function that evaluates them.

A rule names what it reads, its scope and the `ThresholdSettings` fields holding its warning
and critical thresholds; a judge function turns the metrics into one result per scope.
`evaluate` returns every result, `ok` ones included, because the circuit breaker's audit log
wants each rule's value against its threshold; `findings` keeps the ones a report shows.

"Held for N minutes" (health score, breaker) is not judged here: this module evaluates one
window; the alert lifecycle evaluates it at 15-minute steps and applies the hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from reportgen.compute.results import Cost, Queue, Rollout, WindowMetrics
from reportgen.config import ThresholdSettings
from reportgen.findings import Finding, Severity, alert_key, is_finding
from reportgen.schema import KNOWN_PROCESSORS


class Scope(StrEnum):
    OVERALL = "overall"
    PROCESSOR = "processor"


class CheckType(StrEnum):
    """`reportgen health --check-type`: which rules run."""

    FULL = "full"
    ERROR_RATES = "error_rates"
    METRICS_ONLY = "metrics_only"


@dataclass(frozen=True)
class RuleInputs:
    """What the rules read.

    `window` is judged by the error-rate, health-score, connection and silence rules (a
    report's period, or health's evaluation window); `current` against `previous` by the
    trend, latency and cost rules (the period and the one before, or the monitoring windows).
    """

    feature: str
    min_jobs: int
    window: WindowMetrics
    current: WindowMetrics
    previous: WindowMetrics | None
    queue: Queue | None
    rollout: Rollout | None
    data_age_s: float | None = None  # how old the newest snapshot is; health only


Judge = Callable[["Rule", RuleInputs, ThresholdSettings], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """One row of SPEC §4.1.

    `warning`/`critical` name `ThresholdSettings` fields (so every threshold is config and
    env); `reads` says which metric the judge looks at; `rests_on_rate` marks rules that are
    `inconclusive` on a small sample; `trips_breaker` the ones the circuit breaker acts on;
    `hold_minutes` the setting for how long a critical result must hold (applied by the
    alert lifecycle, not here).
    """

    name: str
    scope: Scope
    reads: str
    warning: str | None
    critical: str | None
    judge: Judge
    check_types: frozenset[CheckType]
    rests_on_rate: bool = False
    trips_breaker: bool = False
    hold_minutes: str | None = None

    def threshold(self, thresholds: ThresholdSettings, level: str) -> float:
        field = self.warning if level == "warning" else self.critical
        assert field is not None, f"rule {self.name} has no {level} threshold"
        return float(getattr(thresholds, field))


def _result(
    rule: Rule,
    inputs: RuleInputs,
    scope: str,
    severity: Severity,
    value: float | None,
    threshold: float | None,
    message: str,
    counts: Mapping[str, int] | None = None,
) -> Finding:
    return Finding(
        key=alert_key(inputs.feature, rule.name, scope),
        rule=rule.name,
        scope=scope,
        severity=severity,
        value=value,
        threshold=threshold,
        message=message,
        counts=dict(counts or {}),
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _level(value: float, warning: float | None, critical: float | None) -> Severity:
    if critical is not None and value > critical:
        return Severity.CRITICAL
    if warning is not None and value > warning:
        return Severity.WARNING
    return Severity.OK


def _rate_result(
    rule: Rule,
    inputs: RuleInputs,
    scope: str,
    failed: int,
    finished: int,
    error_rate: float | None,
    thresholds: ThresholdSettings,
) -> Finding:
    counts = {"failed": failed, "finished": finished}
    name = "error_rate" if scope == Scope.OVERALL else f"{scope} error_rate"
    if finished <= inputs.min_jobs or error_rate is None:
        message = (
            f"{name} {_pct(error_rate)} over {finished} finished jobs is inconclusive "
            f"(needs more than {inputs.min_jobs})"
        )
        return _result(
            rule, inputs, scope, Severity.INCONCLUSIVE, error_rate, None, message, counts
        )
    warning, critical = (
        rule.threshold(thresholds, "warning"),
        rule.threshold(thresholds, "critical"),
    )
    severity = _level(error_rate, warning, critical)
    threshold = critical if severity is Severity.CRITICAL else warning
    sign = ">" if severity is not Severity.OK else "<="
    message = f"{name} {_pct(error_rate)} {sign} {_pct(threshold)} over {finished} finished jobs"
    return _result(rule, inputs, scope, severity, error_rate, threshold, message, counts)


def judge_error_rate(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    jobs = inputs.window.jobs
    return [
        _rate_result(
            rule, inputs, Scope.OVERALL, jobs.failed, jobs.finished, jobs.error_rate, thresholds
        )
    ]


def judge_processor_error_rate(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    # A processor with too few finished jobs yields no finding: the overall rate already says
    # the window is inconclusive, and a small processor must not make a busy report so.
    results = []
    for name, processor in inputs.window.processors.items():
        counts = processor.counts
        if counts.conclusive:
            scope = f"processor:{name}"
            results.append(
                _rate_result(
                    rule,
                    inputs,
                    scope,
                    counts.failed,
                    counts.finished,
                    counts.error_rate,
                    thresholds,
                )
            )
    return results


def judge_health_score(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    health = inputs.window.health
    counts = {"finished": inputs.window.jobs.finished}
    if health.score is None:
        message = "health score is inconclusive: too few finished jobs"
        return [
            _result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)
        ]
    warning, critical = (
        rule.threshold(thresholds, "warning"),
        rule.threshold(thresholds, "critical"),
    )
    severity, threshold, sign = Severity.OK, warning, ">="
    if health.score < critical:
        severity, threshold, sign = Severity.CRITICAL, critical, "<"
    elif health.score < warning:
        severity, threshold, sign = Severity.WARNING, warning, "<"
    message = f"health score {health.score:.0f} {sign} {threshold:.0f}"
    return [_result(rule, inputs, "overall", severity, health.score, threshold, message, counts)]


def _change_pct(previous: float | None, current: float | None) -> float | None:
    if previous is None or current is None or previous == 0:
        return None
    return (current - previous) / abs(previous) * 100.0


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _trend_result(
    rule: Rule,
    inputs: RuleInputs,
    thresholds: ThresholdSettings,
    change: float | None,
    compared: str,
    no_base: str,
    counts: Mapping[str, int],
) -> list[Finding]:
    """A warning when `change` (% against the previous window) exceeds the warning threshold.

    Without a change to judge (`no_base` says why) the finding is OK, so the trend never fires
    on a window that has nothing to compare with.
    """
    threshold = rule.threshold(thresholds, "warning")
    if change is None:
        return [_result(rule, inputs, "overall", Severity.OK, None, threshold, no_base, counts)]
    severity = Severity.WARNING if change > threshold else Severity.OK
    sign = ">" if severity is Severity.WARNING else "<="
    message = f"{compared}: {change:+.1f}% {sign} +{threshold:.1f}%"
    return [_result(rule, inputs, "overall", severity, change, threshold, message, counts)]


def judge_error_rate_trend(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    current, previous = inputs.current.jobs, inputs.previous.jobs if inputs.previous else None
    counts = {
        "finished": current.finished,
        "previous_finished": previous.finished if previous else 0,
    }
    if not current.conclusive:
        message = f"error_rate trend is inconclusive over {current.finished} finished jobs"
        return [
            _result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)
        ]
    # Without a conclusive, non-zero previous rate there is nothing to compare with; the
    # error_rate rule still judges the level itself.
    base = previous.error_rate if previous is not None and previous.conclusive else None
    no_base = (
        "error_rate trend: the previous window had no failures to compare with"
        if base == 0
        else "error_rate trend: no conclusive previous window to compare with"
    )
    compared = f"error_rate {_pct(current.error_rate)} vs {_pct(base)} before"
    change = _change_pct(base, current.error_rate)
    return _trend_result(rule, inputs, thresholds, change, compared, no_base, counts)


def judge_p95_trend(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    current = inputs.current.processing_time_ms
    previous = inputs.previous.processing_time_ms if inputs.previous else None
    counts = {"completed": current.count, "previous_completed": previous.count if previous else 0}
    if current.count <= inputs.min_jobs:
        message = f"p95 processing time is inconclusive over {current.count} completed jobs"
        return [
            _result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)
        ]
    base = previous.p95 if previous is not None and previous.count > inputs.min_jobs else None
    no_base = "p95 processing time: no conclusive previous window to compare with"
    compared = f"p95 processing time {_ms(current.p95)} vs {_ms(base)} before"
    change = _change_pct(base, current.p95)
    return _trend_result(rule, inputs, thresholds, change, compared, no_base, counts)


def judge_cost(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    """Cost against what the previous period's cost per job predicts for this volume.

    Comparing raw totals would call every quiet weekend or busy Monday a cost anomaly; what
    the team must hear about is a job costing more (or less) than it used to.
    """
    current, previous = inputs.current, inputs.previous
    counts = {
        "jobs": current.jobs.total,
        "previous_jobs": previous.jobs.total if previous else 0,
    }
    pending = current.cost.pending_jobs
    if pending:
        counts["cost_pending_jobs"] = pending
    if not current.jobs.conclusive:
        message = f"cost is inconclusive over {current.jobs.finished} finished jobs"
        return [
            _result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)
        ]
    if previous is None or not previous.jobs.conclusive or previous.cost.actual == 0:
        message = "cost: no conclusive previous period with spend to compare with"
        return [_result(rule, inputs, "overall", Severity.OK, None, None, message, counts)]
    # Only jobs whose cost is known count on either side: an Actions job still running (cost
    # pending) is not free, and counting it would make every partial day look cheap.
    expected = _cost_per_billed_job(previous.cost, previous.jobs.total) * _billed_jobs(
        current.cost, current.jobs.total
    )
    change = _change_pct(expected, current.cost.actual)
    if change is None:  # nothing billed yet in this period
        message = f"cost: nothing billed yet; {pending} Actions jobs' cost pending"
        return [_result(rule, inputs, "overall", Severity.OK, None, None, message, counts)]
    warning, critical = (
        rule.threshold(thresholds, "warning"),
        rule.threshold(thresholds, "critical"),
    )
    severity = _level(abs(change), warning, critical)
    threshold = critical if severity is Severity.CRITICAL else warning
    sign = ">" if severity is not Severity.OK else "<="
    message = (
        f"cost ${current.cost.actual:.4f} vs ${expected:.4f} expected at the previous "
        f"period's cost per job: {change:+.1f}% (|change| {sign} {threshold:.1f}%)"
    )
    if pending:
        message += f"; {pending} Actions jobs' cost pending"
    return [_result(rule, inputs, "overall", severity, change, threshold, message, counts)]


def _billed_jobs(cost: Cost, jobs: int) -> int:
    """Jobs whose cost is known: not Actions jobs still running, not unpriced ones."""
    return jobs - cost.pending_jobs - cost.unpriced_jobs


def _cost_per_billed_job(cost: Cost, jobs: int) -> float:
    billed = _billed_jobs(cost, jobs)
    return cost.actual / billed if billed > 0 else 0.0


def judge_data_stale(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    # Without fresh snapshots every other rule judges the past: say so before anything else.
    if inputs.data_age_s is None:
        return []
    age_min, threshold = inputs.data_age_s / 60, rule.threshold(thresholds, "warning")
    severity = Severity.WARNING if age_min > threshold else Severity.OK
    sign = ">" if severity is Severity.WARNING else "<="
    message = f"newest snapshot is {age_min:.0f} min old {sign} {threshold:.0f} min"
    return [_result(rule, inputs, "overall", severity, age_min, threshold, message)]


def judge_queue_backlog(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    if inputs.queue is None:
        return []
    pending, threshold = inputs.queue.pending, rule.threshold(thresholds, "warning")
    severity = Severity.WARNING if pending > threshold else Severity.OK
    sign = ">" if severity is Severity.WARNING else "<="
    message = f"{pending} pending jobs {sign} {threshold:.0f}"
    counts = {"pending": pending}
    return [_result(rule, inputs, "overall", severity, float(pending), threshold, message, counts)]


def judge_oldest_pending(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    if inputs.queue is None:
        return []
    age_s = inputs.queue.oldest_pending_age_s
    threshold = rule.threshold(thresholds, "critical")
    minutes = None if age_s is None else age_s / 60.0
    severity = Severity.CRITICAL if minutes is not None and minutes > threshold else Severity.OK
    sign = ">" if severity is Severity.CRITICAL else "<="
    shown = "none" if minutes is None else f"{minutes:.0f} min"
    message = f"oldest pending job {shown} {sign} {threshold:.0f} min"
    counts = {"pending": inputs.queue.pending}
    return [_result(rule, inputs, "overall", severity, minutes, threshold, message, counts)]


def judge_stuck(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    if inputs.queue is None:
        return []
    stuck, minutes = inputs.queue.stuck, inputs.queue.stuck_minutes
    severity = Severity.WARNING if stuck > 0 else Severity.OK
    message = f"{stuck} jobs processing for more than {minutes:.0f} min"
    by_processor = inputs.queue.stuck_by_processor
    counts = {"stuck": stuck, **{f"processor:{p}": n for p, n in by_processor.items()}}
    return [_result(rule, inputs, "overall", severity, float(stuck), 0.0, message, counts)]


def judge_silent(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    rollout = inputs.rollout
    if rollout is None or not rollout.percentage:
        return []
    results = []
    for name in KNOWN_PROCESSORS:
        processor = inputs.window.processors.get(name)
        jobs = processor.jobs if processor is not None else 0
        severity = Severity.WARNING if jobs == 0 else Severity.OK
        message = (
            f"{name} had {jobs} jobs in the window with the rollout at {rollout.percentage:g}%"
        )
        results.append(
            _result(
                rule,
                inputs,
                f"processor:{name}",
                severity,
                float(jobs),
                0.0,
                message,
                {"jobs": jobs},
            )
        )
    return results


def judge_connection_failure(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    # Guard: "most failures are network" only rolls the rollout back when the processor has a
    # conclusive number of finished jobs AND is confidently failing above the warning error
    # rate (the 95 % Wilson lower bound of its error rate is above it). One ECONNRESET among
    # 30 jobs is 100 % of that processor's failures, and even 3.3 % > 2.5 %, but its lower
    # bound is 0.6 %: not a reason to roll back.
    share_threshold = rule.threshold(thresholds, "critical")
    rate_threshold = thresholds.error_rate_warning
    results = []
    for name, by_category in inputs.window.errors.by_processor.items():
        processor = inputs.window.processors.get(name)
        failed = sum(by_category.values())
        if processor is None or failed == 0:
            continue
        network = by_category.get("network", 0)
        share = network / failed * 100.0
        counts = {"network": network, "failed": failed, "finished": processor.counts.finished}
        scope = f"processor:{name}"
        interval = processor.counts.error_rate_ci
        lower_bound = interval[0] if interval is not None else 0.0
        if share < share_threshold:
            severity = Severity.OK
        elif not processor.counts.conclusive:
            severity = Severity.INCONCLUSIVE
        elif lower_bound > rate_threshold:
            severity = Severity.CRITICAL
        else:
            severity = Severity.OK
        message = (
            f"{name}: {network} of {failed} failures are network ({share:.1f}%, threshold "
            f"{share_threshold:.1f}%), error_rate {_pct(processor.counts.error_rate)} over "
            f"{processor.counts.finished} finished jobs"
        )
        results.append(
            _result(rule, inputs, scope, severity, share, share_threshold, message, counts)
        )
    return results


def judge_rollback(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    if inputs.rollout is None:
        return []
    rollbacks = [c for c in inputs.rollout.changes if c.action in ("rollback", "emergency_stop")]
    if not rollbacks:
        return []
    last = rollbacks[-1]
    message = (
        f"rollback executed: {last.previous_percentage}% -> {last.new_percentage}% "
        f"({last.reason or 'no reason given'})"
    )
    counts = {"rollbacks": len(rollbacks)}
    value = last.new_percentage
    return [_result(rule, inputs, "overall", Severity.CRITICAL, value, None, message, counts)]


def judge_rollout_changed(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    if inputs.rollout is None:
        return []
    changes = [
        c
        for c in inputs.rollout.changes
        if c.action in ("created", "updated") and c.previous_percentage != c.new_percentage
    ]
    if not changes:
        return []
    first, last = changes[0], changes[-1]
    message = f"rollout percentage changed {first.previous_percentage}% -> {last.new_percentage}%"
    counts = {"changes": len(changes)}
    value = last.new_percentage
    return [_result(rule, inputs, "overall", Severity.INFO, value, None, message, counts)]


_ALL = frozenset(CheckType)
_FULL = frozenset({CheckType.FULL})
_RATES = frozenset({CheckType.FULL, CheckType.ERROR_RATES})
_METRICS = frozenset({CheckType.FULL, CheckType.METRICS_ONLY})

RULES: tuple[Rule, ...] = (
    Rule("error_rate", Scope.OVERALL, "window.jobs.error_rate",
         "error_rate_warning", "error_rate_critical", judge_error_rate, _RATES,
         rests_on_rate=True, trips_breaker=True),
    Rule("error_rate", Scope.PROCESSOR, "window.processors[*].error_rate",
         "error_rate_warning", "error_rate_critical", judge_processor_error_rate, _ALL,
         rests_on_rate=True),
    Rule("health_score", Scope.OVERALL, "window.health.score",
         "health_score_warning", "health_score_critical", judge_health_score, _FULL,
         rests_on_rate=True, trips_breaker=True, hold_minutes="health_score_hold_minutes"),
    Rule("error_rate_trend", Scope.OVERALL, "current vs previous jobs.error_rate",
         "error_rate_trend_pct", None, judge_error_rate_trend, _RATES, rests_on_rate=True),
    Rule("processing_p95_trend", Scope.OVERALL, "current vs previous processing_time_ms.p95",
         "p95_trend_pct", None, judge_p95_trend, _FULL, rests_on_rate=True),
    Rule("cost_vs_expected", Scope.OVERALL, "current vs previous cost.actual",
         "cost_warning_pct", "cost_critical_pct", judge_cost, _FULL),
    Rule("data_stale", Scope.OVERALL, "as_of − data_as_of",
         "data_stale_minutes", None, judge_data_stale, _ALL),
    Rule("queue_backlog", Scope.OVERALL, "queue.pending",
         "queue_pending", None, judge_queue_backlog, _METRICS),
    Rule("queue_oldest_pending", Scope.OVERALL, "queue.oldest_pending_age_s",
         None, "oldest_pending_minutes", judge_oldest_pending, _METRICS),
    Rule("stuck_jobs", Scope.OVERALL, "queue.stuck",
         None, None, judge_stuck, _METRICS),
    Rule("processor_silent", Scope.PROCESSOR, "window.processors[*].jobs, rollout.percentage",
         None, None, judge_silent, _METRICS),
    Rule("connection_failure", Scope.PROCESSOR, "window.errors.by_processor[*].network",
         None, "connection_failure_pct", judge_connection_failure, _ALL,
         rests_on_rate=True, trips_breaker=True),
    Rule("rollback_executed", Scope.OVERALL, "rollout.changes[action=rollback]",
         None, None, judge_rollback, _FULL),
    Rule("rollout_changed", Scope.OVERALL, "rollout.changes[action=updated]",
         None, None, judge_rollout_changed, _FULL),
)  # fmt: skip


# The rules the circuit breaker acts on, named once: by `trips_breaker` in the table above.
BREAKER_RULES = frozenset(rule.name for rule in RULES if rule.trips_breaker)


def evaluate(
    inputs: RuleInputs,
    thresholds: ThresholdSettings,
    check_type: CheckType = CheckType.FULL,
    rules: Iterable[Rule] = RULES,
) -> list[Finding]:
    """Every selected rule's result for every scope, `ok` ones included, in table order."""
    results: list[Finding] = []
    for rule in rules:
        if check_type in rule.check_types:
            results.extend(rule.judge(rule, inputs, thresholds))
    return results


def findings(results: Iterable[Finding]) -> list[Finding]:
    """The results a report or alert shows: everything but `ok`."""
    return [result for result in results if is_finding(result)]
