"""The typed view of the JSON that renderers read: a report, and a health check.

`Report.to_dict()` (compute/results.py) writes a report's JSON form, and the published schema
(compute/report_schema.json) describes it; `HealthCheck.to_dict()` (evaluate/health.py), with
what `reportgen health` adds, writes a health check's. These TypedDicts say the same shapes to
the type checker, so a renderer that reads a key the JSON does not have fails mypy, not a user.
A test keeps the report's view and the schema in step. Times are ISO 8601 strings; maps keyed
by data (processors, job types, categories) are plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, cast

ReportKind = Literal["daily", "weekly", "monthly", "custom"]
StatusName = Literal["healthy", "warning", "critical", "inconclusive"]
SeverityName = Literal["critical", "warning", "info", "inconclusive"]
TrendDirection = Literal["up", "down", "flat", "new", "inconclusive"]


class PeriodView(TypedDict):
    start: str
    end: str
    timezone: str
    partial: bool
    elapsed_end: str
    slug: str


class DeductionView(TypedDict):
    rule: str
    points: int
    value: float | bool | None
    threshold: float | None


class HealthScoreView(TypedDict):
    score: float | None
    conclusive: bool
    deductions: list[DeductionView]


class LatencyView(TypedDict):
    """A duration distribution in milliseconds."""

    count: int
    mean: float | None
    p50: float | None
    p95: float | None
    max: float | None


class JobsView(TypedDict):
    total: int
    by_status: dict[str, int]  # pending, processing, completed, failed
    finished: int
    completed: int
    failed: int
    error_rate: float | None
    error_rate_ci: list[float] | None  # [low, high]
    success_rate: float | None
    success_rate_ci: list[float] | None
    conclusive: bool
    min_jobs: int


class ProcessorView(TypedDict):
    """One processor: its job counts flat beside its latencies (no `total`: that is `jobs`)."""

    jobs: int
    share: float | None
    by_status: dict[str, int]
    finished: int
    completed: int
    failed: int
    error_rate: float | None
    error_rate_ci: list[float] | None
    success_rate: float | None
    success_rate_ci: list[float] | None
    conclusive: bool
    min_jobs: int
    processing_time_ms: LatencyView
    queue_wait_ms: LatencyView
    throughput_per_hour: float | None


class JobTypeView(TypedDict):
    jobs: int
    finished: int
    failed: int
    error_rate: float | None
    error_rate_ci: list[float] | None
    conclusive: bool


class RepositoryRowView(TypedDict):
    repository_id: str
    repository_name: str | None
    category: str | None
    jobs: int
    failed: int
    by_processor: dict[str, int]


class CategoryView(TypedDict):
    repositories: int
    active: int
    jobs: int


class RepositoriesView(TypedDict):
    active: int
    categorised: int
    active_categorised: int
    participation_rate: float | None
    by_category: dict[str, CategoryView]
    uncategorised_jobs: int
    top_by_jobs: list[RepositoryRowView]
    top_by_failures: list[RepositoryRowView]


class RecentErrorView(TypedDict):
    id: str
    created_at: str
    completed_at: str | None
    processor: str
    job_type: str
    repository_name: str | None
    category: str
    message: str | None


class ErrorsView(TypedDict):
    total: int
    by_category: dict[str, int]  # every error category, zeros included
    by_processor: dict[str, dict[str, int]]
    recent: list[RecentErrorView]


class QueueView(TypedDict):
    evaluated_at: str
    pending: int
    processing: int
    oldest_pending_age_s: float | None
    stuck: int
    stuck_by_processor: dict[str, int]
    stuck_minutes: float


class CostView(TypedDict):
    """US dollars, and the jobs and minutes they rest on."""

    inngest: float
    github_actions: float
    actual: float
    baseline: float
    savings: float
    savings_pct: float | None
    pending_jobs: int
    unpriced_jobs: int
    inngest_jobs: int
    github_actions_jobs: int
    github_actions_minutes: float
    rounding: Literal["up", "exact"]


class RolloutChangeView(TypedDict):
    created_at: str
    action: str
    previous_percentage: float | None
    new_percentage: float | None
    reason: str | None
    triggered_by: str | None


class RolloutView(TypedDict):
    feature: str
    percentage: float | None
    is_active: bool | None
    emergency_stop: bool
    auto_rollback_enabled: bool
    max_error_rate: float | None  # the row's critical error-rate line, when it has one
    changes: list[RolloutChangeView]


class PreviousPeriodView(TypedDict):
    start: str
    end: str
    jobs: int


class TrendView(TypedDict):
    previous: float | None
    current: float | None
    absolute: float | None
    change_pct: float | None
    direction: TrendDirection


class FindingView(TypedDict):
    key: str
    rule: str
    scope: str
    severity: SeverityName
    value: float | None
    threshold: float | None
    counts: dict[str, int]
    message: str


class RecommendationView(TypedDict):
    code: str
    message: str


class HourlyCountsView(TypedDict):
    jobs: list[int]
    finished: list[int]
    failed: list[int]
    error_rate: list[float | None]
    cost: list[float]


class HourlyMeasuresView(HourlyCountsView):
    p50_ms: list[float | None]
    p95_ms: list[float | None]


class OverallSeriesView(HourlyCountsView):
    error_rate_low: list[float | None]
    error_rate_high: list[float | None]
    pending: list[int]


class SeriesView(TypedDict):
    """One value per elapsed hour of the period, one list per measure (see `at`)."""

    step: Literal["hour"]
    at: list[str]
    overall: OverallSeriesView
    processors: dict[str, HourlyMeasuresView]


class ReportView(TypedDict):
    """A report's JSON form: `reportgen report --format json` and each page's report.json."""

    schema_version: str
    kind: ReportKind
    as_of: str
    data_as_of: str | None
    feature: str
    period: PeriodView
    status: StatusName
    health: HealthScoreView
    jobs: JobsView
    processing_time_ms: LatencyView
    queue_wait_ms: LatencyView
    throughput_per_hour: float | None
    processors: dict[str, ProcessorView]
    job_types: dict[str, JobTypeView]
    repositories: RepositoriesView
    errors: ErrorsView
    queue: QueueView
    cost: CostView
    rollout: RolloutView
    previous_period: PreviousPeriodView
    trends: dict[str, TrendView]  # jobs, error_rate, ..., processor_jobs.<name>
    findings: list[FindingView]
    recommendations: list[RecommendationView]
    series: SeriesView | None  # hourly, for a period up to four days; null for longer ones


class SpanView(TypedDict):
    start: str
    end: str


class HealthRolloutView(TypedDict):
    percentage: float | None
    auto_rollback_enabled: bool
    emergency_stop: bool


class DecisionView(TypedDict):
    rollback: bool
    reason: str
    executed: bool


class BreakerCheckView(TypedDict):
    rule: str
    scope: str
    value: float | None
    threshold: float | None
    tripped: bool
    message: str


class NotificationsView(TypedDict):
    notifications: int
    incident: str | None  # the incident issue's action this run: open, comment, close
    delivered: int
    failed: int
    waiting: int


class _HealthCheckView(TypedDict):
    """What `HealthCheck.to_dict()` writes."""

    schema_version: str
    as_of: str
    data_as_of: str | None
    status: StatusName
    check_type: str
    window: SpanView
    monitoring_window: SpanView
    conclusive: bool
    rollout: HealthRolloutView | None
    findings: list[FindingView]
    decision: DecisionView
    breaker_checks: list[BreakerCheckView]


class HealthView(_HealthCheckView, total=False):
    """A health check's JSON form: `reportgen health --format json`.

    `HealthCheck.to_dict()` has the keys up to `breaker_checks`; the command adds what it did
    with them (notifications, the auto-rollback flag).
    """

    notifications: NotificationsView | None
    rollback: dict[str, Any]  # what an executed auto-rollback did
    auto_rollback: bool
    recorded: bool  # false for an exploratory run (the store was only read)


class ReplayTransitionView(TypedDict):
    at: str
    rule: str
    scope: str
    from_state: str
    to_state: str
    severity: str | None
    notice: str | None  # what a live run would have notified (firing, escalated, …)
    message: str


class ReplayView(TypedDict):
    """A replay's JSON form: `reportgen health --replay START..END --format json`."""

    start: str
    end: str
    interval_minutes: int
    check_type: str
    runs: int  # recorded by this replay
    skipped: int  # at or before `recorded_until`, already recorded
    recorded_until: str | None
    statuses: dict[str, int]
    transitions: list[ReplayTransitionView]
    notifications_sent: int


def report_view(data: Mapping[str, Any]) -> ReportView:
    """A report's JSON form, typed: what `Report.to_dict()` returns or a report.json holds.

    Not checked here (tests validate every report against the schema); this is where untyped
    JSON becomes the view.
    """
    return cast(ReportView, data)


def health_view(data: Mapping[str, Any]) -> HealthView:
    """A health check's JSON form, typed: `HealthCheck.to_dict()` and the command's additions."""
    return cast(HealthView, data)


def replay_view(data: Mapping[str, Any]) -> ReplayView:
    """A replay's JSON form, typed: `ReplayOutcome.to_dict()`."""
    return cast(ReplayView, data)
