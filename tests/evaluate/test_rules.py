"""The rule table: each rule's severities, thresholds, messages and guards."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from compute.jobs_frames import T0, job, jobs_frame

from reportgen.compute.results import Queue, Rollout, RolloutChange, WindowMetrics
from reportgen.compute.window import window_metrics
from reportgen.config import Settings, ThresholdSettings
from reportgen.evaluate import breaker, health, lifecycle, rules
from reportgen.evaluate.rules import BREAKER_RULES, RULES, CheckType, RuleInputs, evaluate, findings
from reportgen.findings import Finding, Severity, Status, alert_key, status_of

SETTINGS = Settings()
THRESHOLDS = ThresholdSettings()
END = T0 + timedelta(hours=1)


def window(
    completed: int = 0,
    failed: int = 0,
    processor: str = "inngest",
    error: str = "boom",
    minutes: float = 1.0,
    extra: list[dict[str, Any]] | None = None,
) -> WindowMetrics:
    """A window of `completed` jobs taking `minutes` each and `failed` jobs failing with `error`,
    the failures spread evenly through the window (the order the sequential test reads)."""
    total = completed + failed
    rows = []
    for i in range(total):
        fails = (i + 1) * failed // total > i * failed // total
        if fails:
            rows.append(job(f"j{i:05d}", "failed", processor, error=error))
        else:
            rows.append(job(f"j{i:05d}", "completed", processor, started=0, completed=minutes))
    return window_metrics(jobs_frame(*rows, *(extra or [])), T0, END, SETTINGS)


def run(
    current: WindowMetrics,
    previous: WindowMetrics | None = None,
    queue: Queue | None = None,
    rollout: Rollout | None = None,
    check_type: CheckType = CheckType.FULL,
) -> list[Finding]:
    inputs = RuleInputs(
        feature="hybrid_progressive_capture",
        min_jobs=10,
        window=current,
        current=current,
        previous=previous,
        queue=queue,
        rollout=rollout,
    )
    return evaluate(inputs, THRESHOLDS, check_type)


def one(results: list[Finding], rule: str, scope: str = "overall") -> Finding:
    matches = [r for r in results if r.rule == rule and r.scope == scope]
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(
    ("completed", "failed", "severity", "threshold", "message"),
    [
        (40, 0, Severity.OK, 2.5, "error_rate 0.0% <= 2.5% over 40 finished jobs"),
        (39, 1, Severity.OK, 2.5, "error_rate 2.5% <= 2.5% over 40 finished jobs"),
        (
            38,
            2,
            Severity.INCONCLUSIVE,
            2.5,
            "error_rate 5.0% over 40 finished jobs is over 2.5% without evidence "
            "(95% bounds 1.7%–14.0%): watching",
        ),
        (
            46,
            4,
            Severity.INCONCLUSIVE,
            5.0,
            "error_rate 8.0% over 50 finished jobs is over 5.0% without evidence "
            "(95% bounds 3.6%–16.7%): watching",
        ),
        (
            5,
            5,
            Severity.INCONCLUSIVE,
            None,
            "error_rate 50.0% over 10 finished jobs is inconclusive (needs more than 10)",
        ),
        (
            0,
            0,
            Severity.INCONCLUSIVE,
            None,
            "error_rate n/a over 0 finished jobs is inconclusive (needs more than 10)",
        ),
    ],
)
def test_rules_error_rate(
    completed: int, failed: int, severity: Severity, threshold: float | None, message: str
) -> None:
    result = one(run(window(completed, failed)), "error_rate")
    assert (result.severity, result.threshold, result.message) == (severity, threshold, message)
    assert result.counts == {"failed": failed, "finished": completed + failed}


def test_rules_error_rate_critical_states_its_evidence() -> None:
    result = one(run(window(88, 12)), "error_rate")
    assert (result.severity, result.threshold) == (Severity.CRITICAL, 5.0)
    assert result.message == (
        "error_rate 13.0% > 5.0% over the last 92 finished jobs (12 failed; 95% lower bound "
        "8.3%, CUSUM 9.7 >= 5); 12.0% over all 100 in the window"
    )
    assert result.counts == {
        "failed": 12,
        "finished": 100,
        "stretch_failed": 12,
        "stretch_finished": 92,
    }


def test_rules_error_rate_critical_line_is_the_rollout_rows_max_error_rate() -> None:
    # 12 % is critical against the default 5 % line, and not against a row allowing 15 %.
    row = dataclasses.replace(rollout(25.0), max_error_rate=15.0)
    result = one(run(window(88, 12), rollout=row), "error_rate")
    assert result.severity is Severity.WARNING
    assert result.threshold == 2.5


def test_rules_error_rate_per_processor_only_when_conclusive() -> None:
    current = window(
        30,
        0,
        extra=[job(f"g{i}", "failed", "github_actions") for i in range(12)]
        + [job("x1", "failed", "mystery")],
    )
    results = run(current)
    actions = one(results, "error_rate", "processor:github_actions")
    assert actions.severity is Severity.CRITICAL
    assert actions.message == (
        "processor:github_actions error_rate 100.0% > 5.0% over the last 12 finished jobs "
        "(12 failed; 95% lower bound 81.6%, CUSUM 15.0 >= 7.1); 100.0% over all 12 in the window"
    )
    assert one(results, "error_rate", "processor:inngest").severity is Severity.OK
    assert not [r for r in results if r.scope == "processor:mystery" and r.rule == "error_rate"]


@pytest.mark.parametrize(
    ("completed", "failed", "minutes", "severity", "message"),
    [
        (100, 0, 1.0, Severity.OK, "health score 100 >= 70"),
        (94, 6, 1.0, Severity.OK, "health score 85 >= 70"),
        (
            88,
            12,
            1.0,
            Severity.INCONCLUSIVE,
            "health score 50 < 70 without evidence (at the error rate's lower bound 85): watching",
        ),
        (70, 30, 1.0, Severity.WARNING, "health score 50 < 70"),
        (60, 40, 6.0, Severity.CRITICAL, "health score 40 < 50"),
        (3, 3, 1.0, Severity.INCONCLUSIVE, "health score is inconclusive: too few finished jobs"),
    ],
)
def test_rules_health_score(
    completed: int, failed: int, minutes: float, severity: Severity, message: str
) -> None:
    result = one(run(window(completed, failed, minutes=minutes)), "health_score")
    assert (result.severity, result.message) == (severity, message)


@pytest.mark.parametrize(
    ("previous", "current", "severity", "value"),
    [
        ((980, 20), (960, 40), Severity.WARNING, 100.0),
        ((98, 2), (96, 4), Severity.INCONCLUSIVE, 100.0),  # doubled, but 2 vs 4 jobs
        ((98, 2), (97, 3), Severity.OK, 50.0),
        ((5, 1), (90, 10), Severity.OK, None),
        ((50, 0), (90, 10), Severity.OK, None),
        ((98, 2), (5, 5), Severity.INCONCLUSIVE, None),
    ],
)
def test_rules_error_rate_trend(
    previous: tuple[int, int], current: tuple[int, int], severity: Severity, value: float | None
) -> None:
    result = one(run(window(*current), window(*previous)), "error_rate_trend")
    assert result.severity is severity
    assert result.value == (None if value is None else pytest.approx(value))


def test_rules_error_rate_trend_message() -> None:
    result = one(run(window(960, 40), window(980, 20)), "error_rate_trend")
    assert result.message == "error_rate 4.0% vs 2.0% before: +100.0% > +50.0% (z = 2.6)"
    result = one(run(window(96, 4), window(98, 2)), "error_rate_trend")
    assert result.message == (
        "error_rate 4.0% vs 2.0% before: +100.0% > +50.0%, not significant (z = 0.8): watching"
    )


@pytest.mark.parametrize(
    ("before", "now", "severity"),
    [(4.0, 5.2, Severity.WARNING), (4.0, 5.0, Severity.OK), (4.0, 2.0, Severity.OK)],
)
def test_rules_p95_trend(before: float, now: float, severity: Severity) -> None:
    result = one(run(window(60, minutes=now), window(60, minutes=before)), "processing_p95_trend")
    assert result.severity is severity
    assert result.value == pytest.approx((now - before) / before * 100)


def test_rules_p95_trend_needs_fifty_completed_jobs_a_side() -> None:
    result = one(run(window(20, minutes=5.2), window(20, minutes=4.0)), "processing_p95_trend")
    assert result.severity is Severity.OK
    assert result.message == (
        "p95 processing time: 20 and 20 completed jobs; needs 50 a side to compare"
    )


def test_rules_p95_trend_inconclusive_on_few_completed_jobs() -> None:
    result = one(run(window(10, minutes=9), window(20)), "processing_p95_trend")
    assert result.severity is Severity.INCONCLUSIVE
    assert result.message == "p95 processing time is inconclusive over 10 completed jobs"


@pytest.mark.parametrize(
    ("before", "now", "severity", "threshold"),
    [
        # (jobs, minutes per job) on GitHub Actions, billed per started minute.
        ((20, 2), (40, 2), Severity.OK, 25.0),  # twice the volume at the same cost per job
        ((20, 5), (20, 6), Severity.OK, 25.0),  # +20 %
        ((20, 2), (20, 3), Severity.OK, 25.0),  # +50 %, but not significant over 20 jobs
        ((60, 2), (60, 3), Severity.WARNING, 25.0),  # +50 %, significant
        ((20, 2), (20, 4), Severity.WARNING, 25.0),  # +100 %: never critical
        ((20, 5), (20, 3), Severity.OK, 25.0),  # -40 %: a saving
        ((20, 4), (20, 1), Severity.OK, 25.0),
        ((5, 2), (20, 4), Severity.OK, None),  # no conclusive previous period
        ((20, 2), (5, 4), Severity.INCONCLUSIVE, None),
    ],
)
def test_rules_cost_vs_expected_per_job(
    before: tuple[int, float],
    now: tuple[int, float],
    severity: Severity,
    threshold: float | None,
) -> None:
    def actions(jobs: int, minutes: float) -> WindowMetrics:
        return window(jobs, processor="github_actions", minutes=minutes)

    result = one(run(actions(*now), actions(*before)), "cost_vs_expected")
    assert (result.severity, result.threshold) == (severity, threshold)


def test_rules_cost_message_names_the_expected_cost() -> None:
    result = one(
        run(
            window(20, processor="github_actions", minutes=3),
            window(20, processor="github_actions"),
        ),
        "cost_vs_expected",
    )
    assert result.message == (
        "cost $0.4800 vs $0.1600 expected at the previous period's cost per billed job: "
        "+200.0% (> +25.0%, significant: z = 4.5)"
    )


def test_rules_cost_leaves_unbilled_actions_jobs_out_of_the_expectation() -> None:
    # A partial day: 20 Actions jobs billed 2 min each, 20 more still running (cost pending).
    # At the previous period's cost per job only the 20 billed ones are expected to cost yet.
    running = [job(f"r{i}", "processing", "github_actions") for i in range(20)]
    result = one(
        run(
            window(20, processor="github_actions", minutes=2, extra=running),
            window(20, processor="github_actions", minutes=2),
        ),
        "cost_vs_expected",
    )
    assert (result.severity, result.value) == (Severity.OK, 0.0)
    assert result.counts == {"jobs": 40, "previous_jobs": 20, "cost_pending_jobs": 20}
    assert result.message == (
        "cost $0.3200 vs $0.3200 expected at the previous period's cost per billed job: "
        "+0.0% (<= +25.0%); 20 Actions jobs' cost pending"
    )


def queue(pending: int = 0, oldest_s: float | None = None, stuck: int = 0) -> Queue:
    return Queue(END, pending, 0, oldest_s, stuck, {"github_actions": stuck} if stuck else {}, 60)


@pytest.mark.parametrize(
    ("state", "rule", "severity", "message"),
    [
        (queue(pending=100), "queue_backlog", Severity.OK, "100 pending jobs <= 100"),
        (queue(pending=101), "queue_backlog", Severity.WARNING, "101 pending jobs > 100"),
        (
            queue(1, 3600),
            "queue_oldest_pending",
            Severity.OK,
            "oldest pending job 3600000 ms <= 60 min",
        ),
        (
            queue(1, 3660),
            "queue_oldest_pending",
            Severity.CRITICAL,
            "oldest pending job 3660000 ms > 60 min",
        ),
        (queue(), "queue_oldest_pending", Severity.OK, "oldest pending job none <= 60 min"),
        (queue(stuck=0), "stuck_jobs", Severity.OK, "0 jobs processing for more than 60 min"),
        (queue(stuck=2), "stuck_jobs", Severity.WARNING, "2 jobs processing for more than 60 min"),
    ],
)
def test_rules_queue(state: Queue, rule: str, severity: Severity, message: str) -> None:
    result = one(run(window(20), queue=state), rule)
    assert (result.severity, result.message) == (severity, message)


def test_rules_stuck_counts_by_processor() -> None:
    result = one(run(window(20), queue=queue(stuck=2)), "stuck_jobs")
    assert result.counts == {"stuck": 2, "processor:github_actions": 2}


def rollout(percentage: float | None, *changes: RolloutChange) -> Rollout:
    return Rollout("hybrid_progressive_capture", percentage, True, False, True, changes)


def test_rules_processor_silent_while_rollout_is_on() -> None:
    # Before, 30 % of the jobs ran on Actions: of 20 jobs now, 6 were expected there.
    before = window(35, extra=[job(f"g{i}", "completed", "github_actions") for i in range(15)])
    results = run(window(20), before, rollout=rollout(10.0))
    silent = one(results, "processor_silent", "processor:github_actions")
    assert silent.severity is Severity.WARNING
    assert silent.message == (
        "github_actions had 0 jobs in the window with the rollout at 10% "
        "(6.0 expected from its 30% share; P(0) = 0.0025)"
    )
    assert one(results, "processor_silent", "processor:inngest").severity is Severity.OK
    # Of 10 jobs only 3 were expected on Actions: zero of them is no evidence (P(0) = 5 %).
    quiet = one(
        run(window(10), before, rollout=rollout(10.0)),
        "processor_silent",
        "processor:github_actions",
    )
    assert quiet.severity is Severity.OK
    assert not [r for r in run(window(20), rollout=rollout(0.0)) if r.rule == "processor_silent"]
    assert not [r for r in run(window(20), rollout=rollout(None)) if r.rule == "processor_silent"]


@pytest.mark.parametrize(
    ("completed", "failed", "error", "severity"),
    [
        # 10 of 20 fail on the network: conclusive and confidently failing.
        (10, 10, "ECONNRESET", Severity.CRITICAL),
        # One ECONNRESET among 30 jobs: 100 % of failures, but no reason to roll back.
        (29, 1, "ECONNRESET", Severity.OK),
        # Too few jobs to judge a processor that fails on the network.
        (3, 3, "ETIMEDOUT", Severity.INCONCLUSIVE),
        # Failing, but not on the network.
        (10, 10, "Bad credentials", Severity.OK),
    ],
)
def test_rules_connection_failure(
    completed: int, failed: int, error: str, severity: Severity
) -> None:
    current = window(completed, failed, "github_actions", error=error)
    result = one(run(current), "connection_failure", "processor:github_actions")
    assert result.severity is severity
    assert result.counts["failed"] == failed


def test_rules_connection_failure_message() -> None:
    current = window(10, 10, "github_actions", error="ECONNRESET")
    result = one(run(current), "connection_failure", "processor:github_actions")
    assert result.message == (
        "github_actions: 10 of 10 failures are network (100.0%, threshold 50.0%), "
        "error_rate 50.0% over 20 finished jobs"
    )


def change(action: str, before: float | None, after: float) -> RolloutChange:
    return RolloutChange(T0, action, before, after, "too many errors", "auto_health_check")


def test_rules_rollback_executed_is_critical_and_change_is_info() -> None:
    results = findings(run(window(60), rollout=rollout(0.0, change("rollback", 25.0, 0.0))))
    assert [(r.rule, r.severity) for r in results] == [("rollback_executed", Severity.CRITICAL)]
    assert results[0].message == "rollback executed: 25.0% -> 0.0% (too many errors)"
    changed = findings(run(window(60), rollout=rollout(25.0, change("updated", 10.0, 25.0))))
    assert [(r.rule, r.severity) for r in changed] == [("rollout_changed", Severity.INFO)]
    assert changed[0].message == "rollout percentage changed 10.0% -> 25.0%"


def test_rules_rollout_created_sets_a_percentage_from_none() -> None:
    created = findings(run(window(60), rollout=rollout(10.0, change("created", None, 10.0))))
    assert [r.message for r in created] == ["rollout percentage set to 10.0%"]


@pytest.mark.parametrize(
    ("check_type", "rules"),
    [
        (CheckType.ERROR_RATES, {"error_rate", "error_rate_trend", "connection_failure"}),
        (
            CheckType.METRICS_ONLY,
            {"error_rate", "queue_backlog", "queue_oldest_pending", "stuck_jobs",
             "processor_silent", "connection_failure"},
        ),
    ],
)  # fmt: skip
def test_rules_check_types_select_rules(check_type: CheckType, rules: set[str]) -> None:
    current = window(20, 10, "github_actions", error="ECONNRESET")
    results = run(current, window(20), queue(), rollout(10.0), check_type)
    assert {r.rule for r in results} == rules


def test_rules_table_thresholds_name_real_settings() -> None:
    for rule in RULES:
        for field in (rule.warning, rule.critical):
            assert field is None or field in ThresholdSettings.model_fields, (rule.name, field)
    breakers = {r.name for r in RULES if r.trips_breaker}
    assert breakers == {"error_rate", "health_score", "connection_failure"} == BREAKER_RULES


def test_rules_thresholds_come_from_settings() -> None:
    strict = ThresholdSettings(error_rate_warning=0.5, error_rate_critical=1.0)
    inputs = RuleInputs("f", 10, window(380, 20), window(380, 20), None, None, None)
    result = one(evaluate(inputs, strict, CheckType.ERROR_RATES), "error_rate")
    assert (result.severity, result.threshold) == (Severity.CRITICAL, 1.0)
    # The same 5 % over 400 jobs against the defaults: over 2.5 %, not yet shown to be.
    assert one(evaluate(inputs, THRESHOLDS, CheckType.ERROR_RATES), "error_rate").severity is (
        Severity.INCONCLUSIVE
    )


def test_rules_keys_are_stable_hashes_of_feature_rule_scope() -> None:
    expected = hashlib.sha256(b"hybrid_progressive_capture\x1ferror_rate\x1foverall").hexdigest()
    assert alert_key("hybrid_progressive_capture", "error_rate", "overall") == expected[:16]
    result = one(run(window(40)), "error_rate")
    assert result.key == expected[:16]
    assert alert_key("f", "error_rate", "overall") != alert_key("f", "error_rate", "processor:x")


def finding(severity: Severity) -> Finding:
    return Finding("k", "r", "overall", severity, None, None, "m")


@pytest.mark.parametrize(
    ("severities", "status"),
    [
        ([], Status.HEALTHY),
        ([Severity.OK, Severity.INFO], Status.HEALTHY),
        ([Severity.INFO, Severity.INCONCLUSIVE], Status.INCONCLUSIVE),
        ([Severity.INCONCLUSIVE, Severity.WARNING], Status.WARNING),
        ([Severity.CRITICAL, Severity.INCONCLUSIVE, Severity.WARNING], Status.CRITICAL),
    ],
)
def test_status_of_is_the_worst_finding(severities: list[Severity], status: Status) -> None:
    assert status_of(finding(s) for s in severities) is status


def test_rules_inconclusive_window_never_critical_on_rates() -> None:
    # 10 of 10 finished jobs failed on the network: every rate rule is inconclusive.
    current = window(0, 10, "github_actions", error="ECONNRESET")
    results = run(current, window(0), queue(), rollout(10.0))
    for rule in ("error_rate", "health_score", "error_rate_trend", "processing_p95_trend"):
        assert one(results, rule).severity is Severity.INCONCLUSIVE
    connection = one(results, "connection_failure", "processor:github_actions")
    assert connection.severity is Severity.INCONCLUSIVE
    # Not critical, nor a warning: inngest had no jobs before either, so none were expected.
    assert status_of(findings(results)) is Status.INCONCLUSIVE
    assert one(results, "processor_silent", "processor:inngest").severity is Severity.OK


def test_rules_evaluate_reads_no_clock() -> None:
    # Judging is pure: the time comes in as data (the windows, `data_age_s`), never from a
    # clock. Two judgements a moment apart could not tell, so look at the code itself.
    clocks = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}
    for module in (rules, breaker, lifecycle, health):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        called = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert called & clocks == set(), module.__name__


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ((50, 0), "error_rate trend: the previous window had no failures to compare with"),
        ((5, 1), "error_rate trend: no conclusive previous window to compare with"),
    ],
)
def test_rules_error_rate_trend_without_a_base(previous: tuple[int, int], message: str) -> None:
    result = one(run(window(90, 10), window(*previous)), "error_rate_trend")
    assert (result.severity, result.value, result.message) == (Severity.OK, None, message)
