"""The health rules as declared data, and the pure function that evaluates them.

A rule names its scope and the `ThresholdSettings` fields holding its warning and critical
thresholds; a judge function turns the metrics into one result per scope.
`evaluate` returns every result, `ok` ones included, because the circuit breaker's audit log
wants each rule's value against its threshold; `findings` keeps the ones a report shows.

"Held for N minutes" (health score, breaker) is not judged here: this module evaluates one
window; the alert lifecycle evaluates it at 15-minute steps and applies the hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from reportgen.compute.health import health_score
from reportgen.compute.outcomes import OVERALL
from reportgen.compute.results import Cost, JobCounts, Queue, Rollout, WindowMetrics
from reportgen.config import ThresholdSettings
from reportgen.evaluate.check_type import CheckType as CheckType  # callers name it with the rules
from reportgen.evaluate.evidence import (
    MIN_PERCENTILE_SAMPLES,
    EvidenceSettings,
    Level,
    Outcomes,
    RateEvidence,
    enough_for_percentile,
    poisson_zero,
    rate_evidence,
    two_proportion_rise,
    z_one_sided,
)
from reportgen.findings import Finding, Severity, alert_key, is_finding
from reportgen.schema import KNOWN_PROCESSORS


class Scope(StrEnum):
    OVERALL = "overall"
    PROCESSOR = "processor"


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
    # When the data begin: a comparison with a window that starts earlier rests on part of it.
    data_start: datetime | None = None
    # Each error rate's evidence, walked once however many rules read it (`window_evidence`).
    _evidence: dict[tuple[object, ...], RateEvidence] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def previous_coverage(self) -> float:
        """The share of the comparison window that the data cover (1 when unknown)."""
        previous = self.previous
        if previous is None or self.data_start is None or self.data_start <= previous.start:
            return 1.0
        span = (previous.end - previous.start).total_seconds()
        covered = (previous.end - self.data_start).total_seconds()
        return max(0.0, min(1.0, covered / span)) if span > 0 else 0.0

    @property
    def previous_covered(self) -> bool:
        """Whether the data cover the comparison window, but for a few minutes at its start
        (the first job of a day rarely comes at midnight)."""
        return self.previous_coverage >= MIN_COVERAGE


# A comparison window the data cover less than this much of is not compared with.
MIN_COVERAGE = 0.95

Judge = Callable[["Rule", RuleInputs, ThresholdSettings], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """One row of the rule table.

    `warning`/`critical` name `ThresholdSettings` fields (so every threshold is config and
    env); `trips_breaker` marks the rules the circuit breaker acts on (`BREAKER_RULES`).
    """

    name: str
    scope: Scope
    warning: str | None
    critical: str | None
    judge: Judge
    check_types: frozenset[CheckType]
    trips_breaker: bool = False

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


def evidence_settings(thresholds: ThresholdSettings) -> EvidenceSettings:
    return EvidenceSettings(
        confidence=thresholds.evidence_confidence_pct / 100.0,
        h_warning=thresholds.cusum_warning,
        h_critical=thresholds.cusum_critical,
    )


def critical_error_rate(thresholds: ThresholdSettings, rollout: Rollout | None) -> float:
    """The critical error-rate line (percent): the rollout row's `max_error_rate` when it has
    one, else the configured `error_rate_critical`."""
    if rollout is not None and rollout.max_error_rate is not None:
        return float(rollout.max_error_rate)
    return thresholds.error_rate_critical


# What a processor's alarm levels add beyond the Bonferroni term: an incident of the whole
# rollout is caught by the overall rate, which sees every job; a processor's own scope is for
# one processor failing alone, where a whole outage brings the evidence within minutes. In
# 4 simulated healthy weeks at 1,000 jobs an hour the one false critical without this margin
# was on a processor's own scope, none with it; so a processor asks for e ≈ 2.7 times more
# likelihood ratio, at no cost to how fast a 12 % incident of the rollout is caught.
PROCESSOR_ALARM_MARGIN = 1.0


def processor_alarm_raise(inputs: RuleInputs) -> float:
    """What a processor's CUSUM alarm levels add: the log of the number of processors judged
    (a Bonferroni correction of the false-alarm bound) plus `PROCESSOR_ALARM_MARGIN`."""
    return math.log(max(len(inputs.window.processors), 1)) + PROCESSOR_ALARM_MARGIN


def error_rate_evidence(
    outcomes: Outcomes,
    inputs: RuleInputs,
    thresholds: ThresholdSettings,
    *,
    processor: bool = False,
) -> RateEvidence:
    """The evidence about one error rate against the warning and critical lines.

    A processor's rate is one of several judged at once: its alarm levels are raised by
    `processor_alarm_raise`, so watching every processor does not multiply false alarms. The
    overall rate keeps its levels.
    """
    settings = evidence_settings(thresholds)
    if processor:
        extra = processor_alarm_raise(inputs)
        settings = replace(
            settings, h_warning=settings.h_warning + extra, h_critical=settings.h_critical + extra
        )
    return rate_evidence(
        outcomes,
        thresholds.error_rate_warning / 100.0,
        critical_error_rate(thresholds, inputs.rollout) / 100.0,
        min_jobs=inputs.min_jobs,
        settings=settings,
    )


def window_evidence(
    inputs: RuleInputs, thresholds: ThresholdSettings, name: str, *, processor: bool
) -> RateEvidence:
    """`error_rate_evidence` of the window's finished jobs overall (`name` is `OVERALL`) or
    of one `processor`, computed once per inputs: the error-rate, health-score and connection
    rules all read it, and walking a month's sequence is most of their cost."""
    key = (
        name,
        processor,
        thresholds.error_rate_warning,
        critical_error_rate(thresholds, inputs.rollout),
        evidence_settings(thresholds),
    )
    if key not in inputs._evidence:
        outcomes = inputs.window.outcomes.get(name, ())
        inputs._evidence[key] = error_rate_evidence(
            outcomes, inputs, thresholds, processor=processor
        )
    return inputs._evidence[key]


_SEVERITY_OF_LEVEL = {
    Level.OK: Severity.OK,
    Level.INCONCLUSIVE: Severity.INCONCLUSIVE,
    Level.WARNING: Severity.WARNING,
    Level.CRITICAL: Severity.CRITICAL,
}


def _rate_result(
    rule: Rule,
    inputs: RuleInputs,
    scope: str,
    sequence: str,
    thresholds: ThresholdSettings,
) -> Finding:
    evidence = window_evidence(inputs, thresholds, sequence, processor=scope != Scope.OVERALL)
    failed, finished = evidence.failures, evidence.trials
    counts = {"failed": failed, "finished": finished}
    name = "error_rate" if scope == Scope.OVERALL else f"{scope} error_rate"
    error_rate = None if evidence.rate is None else evidence.rate * 100.0
    confidence = f"{thresholds.evidence_confidence_pct:g}%"
    warning = thresholds.error_rate_warning
    critical = critical_error_rate(thresholds, inputs.rollout)
    severity = _SEVERITY_OF_LEVEL[evidence.level]
    if finished <= inputs.min_jobs or error_rate is None:
        message = (
            f"{name} {_pct(error_rate)} over {finished} finished jobs is inconclusive "
            f"(needs more than {inputs.min_jobs})"
        )
        return _result(rule, inputs, scope, severity, error_rate, None, message, counts)
    stretch = evidence.stretch
    if stretch is not None:  # a breach, shown with the evidence it rests on
        line = critical if evidence.level is Level.CRITICAL else warning
        alarm = thresholds.cusum_critical if line == critical else thresholds.cusum_warning
        if scope != Scope.OVERALL:
            alarm += processor_alarm_raise(inputs)
        counts |= {"stretch_failed": stretch.failures, "stretch_finished": stretch.trials}
        recent = stretch.failures / stretch.trials * 100.0
        message = (
            f"{name} {_pct(recent)} > {_pct(line)} over the last {stretch.trials} finished jobs "
            f"({stretch.failures} failed; {confidence} lower bound {_pct(stretch.lower * 100)}, "
            f"CUSUM {stretch.statistic:.1f} >= {alarm:.3g}); {_pct(error_rate)} over all "
            f"{finished} in the window"
        )
        return _result(rule, inputs, scope, severity, recent, line, message, counts)
    interval = f"{confidence} bounds {_pct(evidence.lower * 100)}–{_pct(evidence.upper * 100)}"
    if evidence.level is Level.INCONCLUSIVE:  # over a line without the evidence: watching
        line = critical if error_rate > critical else warning
        message = (
            f"{name} {_pct(error_rate)} over {finished} finished jobs is over {_pct(line)} "
            f"without evidence ({interval}): watching"
        )
        return _result(rule, inputs, scope, severity, error_rate, line, message, counts)
    message = f"{name} {_pct(error_rate)} <= {_pct(warning)} over {finished} finished jobs"
    if error_rate > warning:
        message = f"{name} {_pct(error_rate)} over {finished} finished jobs ({interval})"
    return _result(rule, inputs, scope, severity, error_rate, warning, message, counts)


def judge_error_rate(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    return [_rate_result(rule, inputs, Scope.OVERALL, OVERALL, thresholds)]


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
            results.append(_rate_result(rule, inputs, scope, name, thresholds))
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
    # The score the data show with confidence: its rate deductions taken at the error rate's
    # lower bound (the most favourable plausible rate), the others as they are.
    shown = _evidence_score(inputs, thresholds)

    def level(score: float) -> tuple[Severity, float]:
        if score < critical:
            return Severity.CRITICAL, critical
        if score < warning:
            return Severity.WARNING, warning
        return Severity.OK, warning

    severity, threshold = level(shown)
    if severity is not Severity.OK:
        message = f"health score {health.score:.0f} < {threshold:.0f}"
        if shown != health.score:
            message += f" (at the error rate's lower bound {shown:.0f})"
    elif level(health.score)[0] is not Severity.OK:
        severity, threshold = Severity.INCONCLUSIVE, level(health.score)[1]
        message = (
            f"health score {health.score:.0f} < {threshold:.0f} without evidence "
            f"(at the error rate's lower bound {shown:.0f}): watching"
        )
    else:
        message = f"health score {health.score:.0f} >= {threshold:.0f}"
    return [_result(rule, inputs, "overall", severity, health.score, threshold, message, counts)]


def _evidence_score(inputs: RuleInputs, thresholds: ThresholdSettings) -> float:
    window = inputs.window
    evidence = window_evidence(inputs, thresholds, OVERALL, processor=False)
    lower = max(evidence.lower, evidence.stretch.lower if evidence.stretch else 0.0) * 100.0
    counts: JobCounts = replace(window.jobs, error_rate=lower, success_rate=100.0 - lower)
    stop = bool(inputs.rollout and inputs.rollout.emergency_stop)
    score = health_score(counts, window.processing_time_ms, stop, thresholds).score
    assert score is not None  # the window is conclusive here
    return score


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
    if not inputs.previous_covered:
        return _uncovered(rule, inputs, "error_rate trend", counts)
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
    found = _trend_result(rule, inputs, thresholds, change, compared, no_base, counts)
    if previous is None or found[0].severity is not Severity.WARNING:
        return found
    # A rise is a finding only when a two-proportion test says it is not chance.
    z, significant = two_proportion_rise(
        previous.failed,
        previous.finished,
        current.failed,
        current.finished,
        thresholds.trend_confidence_pct / 100.0,
    )
    if significant:
        return [replace(found[0], message=f"{found[0].message} (z = {z:.1f})")]
    shown = "n/a" if z is None else f"{z:.1f}"
    message = f"{found[0].message}, not significant (z = {shown}): watching"
    return [replace(found[0], severity=Severity.INCONCLUSIVE, message=message)]


def _uncovered(
    rule: Rule, inputs: RuleInputs, what: str, counts: Mapping[str, int]
) -> list[Finding]:
    """A comparison with a window the data only partly cover is inconclusive, and says so."""
    assert inputs.previous is not None and inputs.data_start is not None
    start, data = inputs.previous.start, inputs.data_start
    covered = inputs.previous_coverage
    minute = "%Y-%m-%d %H:%M UTC"
    message = (
        f"{what}: the data cover {covered:.0%} of the previous window (they start "
        f"{data.astimezone(UTC):{minute}}, the window {start.astimezone(UTC):{minute}}): "
        "inconclusive"
    )
    return [_result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)]


def judge_p95_trend(rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings) -> list[Finding]:
    current = inputs.current.processing_time_ms
    previous = inputs.previous.processing_time_ms if inputs.previous else None
    counts = {"completed": current.count, "previous_completed": previous.count if previous else 0}
    if current.count <= inputs.min_jobs:
        message = f"p95 processing time is inconclusive over {current.count} completed jobs"
        return [
            _result(rule, inputs, "overall", Severity.INCONCLUSIVE, None, None, message, counts)
        ]
    if not inputs.previous_covered:
        return _uncovered(rule, inputs, "p95 processing time", counts)
    # A p95 from a few dozen jobs is mostly its largest values: Kayenta's 50 a side. Fewer is
    # not compared (the window itself is conclusive, so this is no reason for doubt).
    enough = previous is not None and enough_for_percentile(previous.count, current.count)
    if not enough:
        message = (
            f"p95 processing time: {counts['previous_completed']} and {current.count} completed "
            f"jobs; needs {MIN_PERCENTILE_SAMPLES} a side to compare"
        )
        return [_result(rule, inputs, "overall", Severity.OK, None, None, message, counts)]
    base = previous.p95 if previous is not None else None
    no_base = "p95 processing time: no conclusive previous window to compare with"
    compared = f"p95 processing time {_ms(current.p95)} vs {_ms(base)} before"
    change = _change_pct(base, current.p95)
    found = _trend_result(rule, inputs, thresholds, change, compared, no_base, counts)
    if base is None or found[0].severity is not Severity.WARNING:
        return found
    # The rise counts only when a larger share of this window's jobs than of the previous
    # window's took longer than the previous p95, by a two-proportion test (a quantile test:
    # the previous p95 is itself an estimate, so both sides are counted against it).
    assert previous is not None and inputs.previous is not None
    times, before = inputs.current.processing_times, inputs.previous.processing_times
    slower, slower_before = int((times > base).sum()), int((before > base).sum())
    z, significant = two_proportion_rise(
        slower_before,
        before.len(),
        slower,
        times.len(),
        thresholds.trend_confidence_pct / 100.0,
    )
    if times.is_empty() or before.is_empty():
        return found
    shown = (
        f"{slower} of {times.len()} jobs slower than the previous p95, vs {slower_before} of "
        f"{before.len()} before (z = {'n/a' if z is None else f'{z:.1f}'})"
    )
    if significant:
        return [replace(found[0], message=f"{found[0].message}: {shown}")]
    message = f"{found[0].message}, not significant: {shown}: watching"
    return [replace(found[0], severity=Severity.INCONCLUSIVE, message=message)]


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
    if not inputs.previous_covered:
        return _uncovered(rule, inputs, "cost per billed job", counts)
    # Only jobs whose cost is known count on either side: an Actions job still running (cost
    # pending) is not free, and counting it would make every partial day look cheap.
    expected = _cost_per_billed_job(previous.cost, previous.jobs.total) * _billed_jobs(
        current.cost, current.jobs.total
    )
    change = _change_pct(expected, current.cost.actual)
    if change is None:  # nothing billed yet in this period
        message = f"cost: nothing billed yet; {pending} Actions jobs' cost pending"
        return [_result(rule, inputs, "overall", Severity.OK, None, None, message, counts)]
    # Never critical, and only a rise: a job costing more than it used to, beyond chance.
    # A drop is a saving, and a change of volume alone is already divided out.
    threshold = rule.threshold(thresholds, "warning")
    z = _cost_rise_z(previous.cost, previous.jobs.total, current.cost, current.jobs.total)
    significant = z is not None and z > z_one_sided(thresholds.trend_confidence_pct / 100.0)
    severity = Severity.WARNING if change > threshold and significant else Severity.OK
    sign = ">" if change > threshold else "<="
    message = (
        f"cost ${current.cost.actual:.4f} vs ${expected:.4f} expected at the previous "
        f"period's cost per billed job: {change:+.1f}% ({sign} +{threshold:.1f}%"
    )
    if change > threshold:
        shown = "n/a" if z is None else f"{z:.1f}"
        message += f", {'significant' if significant else 'not significant'}: z = {shown}"
    message += ")"
    if pending:
        message += f"; {pending} Actions jobs' cost pending"
    return [_result(rule, inputs, "overall", severity, change, threshold, message, counts)]


def _cost_moments(cost: Cost, jobs: int) -> tuple[int, float, float] | None:
    """Billed jobs, mean and variance of one billed job's cost, or None without billed jobs.

    Each inngest job costs the same; an Actions job costs its billed minutes, whose spread is
    taken as Poisson's (variance = mean) since only their total is known.
    """
    actions = max(cost.github_actions_jobs - cost.pending_jobs, 0)
    billed = _billed_jobs(cost, jobs)
    if billed <= 0:
        return None
    per_job = cost.inngest / cost.inngest_jobs if cost.inngest_jobs else 0.0
    per_minute = (
        cost.github_actions / cost.github_actions_minutes if cost.github_actions_minutes else 0.0
    )
    minutes = cost.github_actions_minutes / actions if actions else 0.0
    mean = cost.actual / billed
    second = (
        cost.inngest_jobs * per_job**2 + actions * per_minute**2 * (minutes + minutes**2)
    ) / billed
    return billed, mean, max(second - mean * mean, 0.0)


def _cost_rise_z(before: Cost, jobs_before: int, now: Cost, jobs_now: int) -> float | None:
    """Welch's z of the rise in cost per billed job, or None when it cannot be judged."""
    a, b = _cost_moments(before, jobs_before), _cost_moments(now, jobs_now)
    if a is None or b is None:
        return None
    spread = math.sqrt(a[2] / a[0] + b[2] / b[0])
    return None if spread == 0 else (b[1] - a[1]) / spread


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
    # The age in ms, as every duration in a message: views show it as the tables do
    # (`6 d 18 h`, through `readable_durations`); the threshold stays in its configured unit.
    message = f"newest snapshot is {inputs.data_age_s * 1000:.0f} ms old {sign} {threshold:.0f} min"
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
    shown = "none" if age_s is None else f"{age_s * 1000:.0f} ms"  # shown as `7 min 59 s`
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
    # Each processor's usual share of the traffic, from the window the rules compare with (a
    # report's previous period, health's monitoring window), times the jobs this window had:
    # a quiet night expects few jobs of each, and zero of a few is no evidence of silence.
    reference = inputs.previous if inputs.current is inputs.window else inputs.current
    total = inputs.window.jobs.total
    results = []
    for name in KNOWN_PROCESSORS:
        processor = inputs.window.processors.get(name)
        jobs = processor.jobs if processor is not None else 0
        usual = reference.processors.get(name) if reference is not None else None
        share = (
            usual.jobs / reference.jobs.total
            if usual and reference and reference.jobs.total
            else 0.0
        )
        expected = share * total
        chance = poisson_zero(expected)
        silent = jobs == 0 and chance < SILENCE_CHANCE
        severity = Severity.WARNING if silent else Severity.OK
        message = (
            f"{name} had {jobs} jobs in the window with the rollout at {rollout.percentage:g}% "
            f"({expected:.1f} expected from its {share:.0%} share; P(0) = {chance:.2g})"
        )
        results.append(
            _result(
                rule,
                inputs,
                f"processor:{name}",
                severity,
                float(jobs),
                expected,
                message,
                {"jobs": jobs},
            )
        )
    return results


# Zero jobs from a processor is evidence of silence only when it had less than a 1 % chance.
SILENCE_CHANCE = 0.01


def judge_connection_failure(
    rule: Rule, inputs: RuleInputs, thresholds: ThresholdSettings
) -> list[Finding]:
    # Guard: "most failures are network" only rolls the rollout back when the processor is
    # failing above the warning error rate with the same sequential evidence as the error-rate
    # rule. One ECONNRESET among 30 jobs is 100 % of that processor's failures, and even
    # 3.3 % > 2.5 %, but it is no evidence of anything: not a reason to roll back.
    share_threshold = rule.threshold(thresholds, "critical")
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
        evidence = window_evidence(inputs, thresholds, name, processor=True)
        if share < share_threshold:
            severity = Severity.OK
        elif not processor.counts.conclusive:
            severity = Severity.INCONCLUSIVE
        elif evidence.level in (Level.WARNING, Level.CRITICAL):
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
    # A first configuration has no percentage before it: it sets one (not `None% -> 10.0%`).
    before, after = first.previous_percentage, last.new_percentage
    moved = f"set to {after}%" if before is None else f"changed {before}% -> {after}%"
    message = f"rollout percentage {moved}"
    counts = {"changes": len(changes)}
    value = last.new_percentage
    return [_result(rule, inputs, "overall", Severity.INFO, value, None, message, counts)]


_ALL = frozenset(CheckType)
_FULL = frozenset({CheckType.FULL})
_RATES = frozenset({CheckType.FULL, CheckType.ERROR_RATES})
_METRICS = frozenset({CheckType.FULL, CheckType.METRICS_ONLY})

RULES: tuple[Rule, ...] = (
    Rule("error_rate", Scope.OVERALL,
         "error_rate_warning", "error_rate_critical", judge_error_rate, _RATES, trips_breaker=True),
    Rule("error_rate", Scope.PROCESSOR,
         "error_rate_warning", "error_rate_critical", judge_processor_error_rate, _ALL),
    Rule("health_score", Scope.OVERALL,
         "health_score_warning", "health_score_critical", judge_health_score, _FULL,
         trips_breaker=True),
    Rule("error_rate_trend", Scope.OVERALL,
         "error_rate_trend_pct", None, judge_error_rate_trend, _RATES),
    Rule("processing_p95_trend", Scope.OVERALL,
         "p95_trend_pct", None, judge_p95_trend, _FULL),
    Rule("cost_vs_expected", Scope.OVERALL,
         "cost_warning_pct", None, judge_cost, _FULL),
    Rule("data_stale", Scope.OVERALL,
         "data_stale_minutes", None, judge_data_stale, _ALL),
    Rule("queue_backlog", Scope.OVERALL,
         "queue_pending", None, judge_queue_backlog, _METRICS),
    Rule("queue_oldest_pending", Scope.OVERALL,
         None, "oldest_pending_minutes", judge_oldest_pending, _METRICS),
    Rule("stuck_jobs", Scope.OVERALL,
         None, None, judge_stuck, _METRICS),
    Rule("processor_silent", Scope.PROCESSOR,
         None, None, judge_silent, _METRICS),
    Rule("connection_failure", Scope.PROCESSOR,
         None, "connection_failure_pct", judge_connection_failure, _ALL, trips_breaker=True),
    Rule("rollback_executed", Scope.OVERALL,
         None, None, judge_rollback, _FULL),
    Rule("rollout_changed", Scope.OVERALL,
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
