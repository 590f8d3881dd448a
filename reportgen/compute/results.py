"""The typed results of compute and their JSON form.

Every result is a frozen dataclass; `to_plain` turns a tree of them into JSON-ready values in
field order, so the JSON key order is the order fields are declared here. Numbers are never
rounded here (renderers round when they present), and NaN or infinity never leave: they
become `null`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import polars as pl

from reportgen.findings import Finding, Status

SCHEMA_VERSION = "1.0"
# The published JSON Schema of `Report.to_dict()`; tests validate every report against it.
REPORT_SCHEMA_PATH = Path(__file__).with_name("report_schema.json")
ERROR_CATEGORIES = (
    "rate_limit",
    "network",
    "authentication",
    "not_found",
    "database",
    "validation",
    "unknown",
)


def to_plain(value: Any) -> Any:
    """JSON-ready values: dataclasses and mappings become dicts, times ISO 8601 with offset."""
    kind = type(value)
    if kind in _AS_THEY_ARE:  # most values of a report: answered before any other test
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_plain(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [to_plain(item) for item in value]
    return value


# Exactly these types (not their subclasses: a StrEnum is a str, and becomes its value).
_AS_THEY_ARE = frozenset({str, int, bool, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    if kind not in _FIELD_NAMES:
        _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return _FIELD_NAMES[kind]


@dataclass(frozen=True)
class Latency:
    """A duration distribution in milliseconds; every statistic is null without values."""

    count: int = 0
    mean: float | None = None
    p50: float | None = None
    p95: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class JobCounts:
    """Jobs by status and the rates that rest on them."""

    total: int
    by_status: Mapping[str, int]
    finished: int
    completed: int
    failed: int
    error_rate: float | None
    error_rate_ci: tuple[float, float] | None
    success_rate: float | None
    success_rate_ci: tuple[float, float] | None
    conclusive: bool
    min_jobs: int


@dataclass(frozen=True)
class ProcessorMetrics:
    jobs: int
    share: float | None
    counts: JobCounts
    processing_time_ms: Latency
    queue_wait_ms: Latency
    throughput_per_hour: float | None

    # The JSON keeps the contract's flat shape: the counts sit beside the latencies.
    def to_dict(self) -> dict[str, Any]:
        counts = to_plain(self.counts)
        counts.pop("total")
        return {
            "jobs": self.jobs,
            "share": to_plain(self.share),
            **counts,
            "processing_time_ms": to_plain(self.processing_time_ms),
            "queue_wait_ms": to_plain(self.queue_wait_ms),
            "throughput_per_hour": to_plain(self.throughput_per_hour),
        }


@dataclass(frozen=True)
class JobTypeMetrics:
    jobs: int
    finished: int
    failed: int
    error_rate: float | None
    error_rate_ci: tuple[float, float] | None
    conclusive: bool


@dataclass(frozen=True)
class RepositoryRow:
    repository_id: str
    repository_name: str | None
    category: str | None
    jobs: int
    failed: int
    by_processor: Mapping[str, int]


@dataclass(frozen=True)
class CategoryMetrics:
    repositories: int
    active: int
    jobs: int


@dataclass(frozen=True)
class Repositories:
    active: int
    categorised: int
    active_categorised: int
    participation_rate: float | None
    by_category: Mapping[str, CategoryMetrics]
    uncategorised_jobs: int
    top_by_jobs: Sequence[RepositoryRow]
    top_by_failures: Sequence[RepositoryRow]


@dataclass(frozen=True)
class RecentError:
    id: str
    created_at: datetime
    completed_at: datetime | None
    processor: str
    job_type: str
    repository_name: str | None
    category: str
    message: str | None


@dataclass(frozen=True)
class Errors:
    total: int
    by_category: Mapping[str, int]
    by_processor: Mapping[str, Mapping[str, int]]
    recent: Sequence[RecentError]


@dataclass(frozen=True)
class Queue:
    evaluated_at: datetime
    pending: int
    processing: int
    oldest_pending_age_s: float | None
    stuck: int
    stuck_by_processor: Mapping[str, int]
    stuck_minutes: float


@dataclass(frozen=True)
class Cost:
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
    rounding: str


@dataclass(frozen=True)
class Deduction:
    rule: str
    points: int
    value: float | bool | None
    threshold: float | None


@dataclass(frozen=True)
class Health:
    score: float | None
    conclusive: bool
    deductions: Sequence[Deduction]


@dataclass(frozen=True)
class Trend:
    previous: float | None
    current: float | None
    absolute: float | None
    change_pct: float | None
    direction: str


@dataclass(frozen=True)
class RolloutChange:
    created_at: datetime
    action: str
    previous_percentage: float | None
    new_percentage: float | None
    reason: str | None
    triggered_by: str | None


@dataclass(frozen=True)
class Rollout:
    feature: str
    percentage: float | None
    is_active: bool | None
    emergency_stop: bool
    auto_rollback_enabled: bool
    changes: Sequence[RolloutChange]
    # The row's own critical error-rate line (percent); config is the fallback.
    max_error_rate: float | None = None


@dataclass(frozen=True)
class WindowMetrics:
    """Everything computed from the jobs of one window (a period, or a health-check window).

    A comparison window (`detailed` false) skips what nothing compares: the queue wait and the
    per-processor latencies are left empty.
    """

    start: datetime
    end: datetime
    jobs: JobCounts
    processing_time_ms: Latency
    queue_wait_ms: Latency
    throughput_per_hour: float | None
    processors: Mapping[str, ProcessorMetrics]
    job_types: Mapping[str, JobTypeMetrics]
    errors: Errors
    cost: Cost
    health: Health
    detailed: bool = True
    # Failed-or-not of each finished job in creation order, "overall" and per processor: what
    # the sequential error-rate test reads. Not part of any JSON view.
    outcomes: Mapping[str, pl.Series] = field(default_factory=dict, compare=False)
    # The completed jobs' processing times (ms), in any order; for the p95 trend's test.
    processing_times: pl.Series = field(
        default_factory=lambda: pl.Series("processing_ms", [], dtype=pl.Float64), compare=False
    )


@dataclass(frozen=True)
class PeriodInfo:
    start: datetime
    end: datetime
    timezone: str
    partial: bool
    elapsed_end: datetime
    slug: str


@dataclass(frozen=True)
class Recommendation:
    code: str
    message: str


@dataclass(frozen=True)
class Report:
    """One report; `to_dict()` is the published JSON contract."""

    kind: str
    as_of: datetime
    data_as_of: datetime | None
    feature: str
    period: PeriodInfo
    status: Status
    window: WindowMetrics
    previous: WindowMetrics
    repositories: Repositories
    queue: Queue
    rollout: Rollout
    trends: Mapping[str, Trend]
    findings: Sequence[Finding]
    recommendations: Sequence[Recommendation] = field(default_factory=tuple)
    # The hourly series of a short period (`compute.series`), null for longer ones.
    series: Mapping[str, Any] | None = None
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        window = self.window
        return {
            "schema_version": self.schema_version,
            "kind": self.kind,
            "as_of": to_plain(self.as_of),
            "data_as_of": to_plain(self.data_as_of),
            "feature": self.feature,
            "period": to_plain(self.period),
            "status": self.status.value,
            "health": to_plain(window.health),
            "jobs": to_plain(window.jobs),
            "processing_time_ms": to_plain(window.processing_time_ms),
            "queue_wait_ms": to_plain(window.queue_wait_ms),
            "throughput_per_hour": to_plain(window.throughput_per_hour),
            "processors": {name: p.to_dict() for name, p in window.processors.items()},
            "job_types": to_plain(window.job_types),
            "repositories": to_plain(self.repositories),
            "errors": to_plain(window.errors),
            "queue": to_plain(self.queue),
            "cost": to_plain(window.cost),
            "rollout": to_plain(self.rollout),
            "previous_period": {
                "start": to_plain(self.previous.start),
                "end": to_plain(self.previous.end),
                "jobs": self.previous.jobs.total,
            },
            "trends": to_plain(self.trends),
            "findings": [finding.to_dict() for finding in self.findings],
            "recommendations": to_plain(self.recommendations),
            "series": self.series,
        }
