"""The assembled report: edge cases end to end, each validated against the JSON Schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from compute.jobs_frames import (
    assert_valid_report,
    categories_frame,
    configuration_frame,
    history_frame,
    job,
    jobs_frame,
)

from reportgen.compute.results import Report
from reportgen.config import PriceSettings, Settings
from reportgen.periods import Period, daily
from reportgen.report.assemble import ReportInputs, compute_report

AFTER = datetime(2026, 11, 26, 6, tzinfo=UTC)
DAY = daily(date(2026, 11, 25), "UTC", AFTER)


def report_of(
    jobs: pl.DataFrame,
    previous: pl.DataFrame | None = None,
    open_jobs: pl.DataFrame | None = None,
    period: Period = DAY,
    settings: Settings | None = None,
    configuration: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
) -> tuple[Report, dict[str, Any]]:
    inputs = ReportInputs(
        period=period,
        jobs=jobs,
        previous_jobs=jobs_frame() if previous is None else previous,
        open_jobs=jobs_frame() if open_jobs is None else open_jobs,
        categories=categories_frame(("r1", "small"), ("r2", "large")),
        rollout_configuration=configuration_frame() if configuration is None else configuration,
        rollout_history=history_frame() if history is None else history,
        data_as_of=datetime(2026, 11, 26, 5, tzinfo=UTC),
    )
    report = compute_report(inputs, settings or Settings())
    as_dict = report.to_dict()
    assert_valid_report(as_dict)
    return report, as_dict


def healthy_jobs(n: int, prefix: str = "j", failed: int = 0) -> list[dict[str, Any]]:
    return [
        job(f"{prefix}{i}", "failed" if i < failed else "completed", created=i, started=i + 1,
            completed=i + 2, repository_id="r1", error="boom" if i < failed else None)
        for i in range(n)
    ]  # fmt: skip


def test_report_keys_follow_the_contract_in_order() -> None:
    _, data = report_of(jobs_frame(*healthy_jobs(20)))
    assert list(data) == [
        "schema_version",
        "kind",
        "as_of",
        "data_as_of",
        "feature",
        "period",
        "status",
        "health",
        "jobs",
        "processing_time_ms",
        "queue_wait_ms",
        "throughput_per_hour",
        "processors",
        "job_types",
        "repositories",
        "errors",
        "queue",
        "cost",
        "rollout",
        "previous_period",
        "trends",
        "findings",
        "recommendations",
        "series",
    ]
    assert data["schema_version"] == "1.0"
    assert data["period"] == {
        "start": "2026-11-25T00:00:00+00:00",
        "end": "2026-11-26T00:00:00+00:00",
        "timezone": "UTC",
        "partial": False,
        "elapsed_end": "2026-11-26T00:00:00+00:00",
        "slug": "2026-11-25",
    }
    assert data["data_as_of"] == "2026-11-26T05:00:00+00:00"


def test_report_empty_period_is_inconclusive_with_null_rates() -> None:
    _, data = report_of(jobs_frame())
    assert data["status"] == "inconclusive"
    assert data["jobs"]["total"] == 0
    assert (data["jobs"]["error_rate"], data["jobs"]["error_rate_ci"]) == (None, None)
    assert data["health"] == {"score": None, "conclusive": False, "deductions": []}
    assert data["processing_time_ms"] == {
        "count": 0, "mean": None, "p50": None, "p95": None, "max": None
    }  # fmt: skip
    assert data["processors"] == {}
    assert data["trends"]["jobs"] == {
        "previous": 0, "current": 0, "absolute": 0, "change_pct": None, "direction": "flat"
    }  # fmt: skip
    assert [r["code"] for r in data["recommendations"]] == ["collect_more_data"]
    assert data["recommendations"][0]["message"] == (
        "Not enough jobs to judge: 0 finished, more than 10 needed."
    )


def test_report_only_pending_jobs() -> None:
    pending = [job(f"p{i}", "pending", created=i) for i in range(5)]
    _, data = report_of(jobs_frame(*pending), open_jobs=jobs_frame(*pending))
    assert data["jobs"]["by_status"] == {"pending": 5, "processing": 0, "completed": 0, "failed": 0}
    assert data["jobs"]["finished"] == 0
    assert data["queue"]["pending"] == 5
    # The oldest was created at 00:00 and the queue is judged at the period end, 24 h later.
    assert data["queue"]["oldest_pending_age_s"] == 86_400.0
    assert data["status"] == "critical"
    assert [f["rule"] for f in data["findings"]][:1] == ["queue_oldest_pending"]


def test_report_all_failed_is_critical() -> None:
    _, data = report_of(jobs_frame(*healthy_jobs(12, failed=12)))
    assert data["jobs"]["error_rate"] == 100.0
    assert data["jobs"]["success_rate"] == 0.0
    assert data["status"] == "critical"
    error_rate = next(f for f in data["findings"] if f["rule"] == "error_rate")
    assert error_rate["message"] == (
        "error_rate 100.0% > 5.0% over the last 12 finished jobs (12 failed; 95% lower bound "
        "81.6%, CUSUM 15.0 >= 5); 100.0% over all 12 in the window"
    )
    assert data["health"]["score"] == 50.0
    assert data["recommendations"][0]["code"] == "reduce_rollout"


def test_report_single_job() -> None:
    _, data = report_of(jobs_frame(job("only", started=0, completed=1)))
    assert data["jobs"]["total"] == 1
    assert data["processing_time_ms"] == {
        "count": 1, "mean": 60_000.0, "p50": 60_000.0, "p95": 60_000.0, "max": 60_000.0
    }  # fmt: skip
    assert data["status"] == "inconclusive"


def test_report_missing_started_at_and_unknown_processor() -> None:
    jobs = jobs_frame(
        job("a", processor="mystery", started=None, completed=5),
        job("b", "failed", processor="mystery", started=None, completed=5, error="nope"),
    )
    _, data = report_of(jobs)
    assert data["processors"]["mystery"]["jobs"] == 2
    assert data["processors"]["mystery"]["share"] == 100.0
    assert data["processing_time_ms"]["count"] == 0
    assert data["errors"]["by_processor"]["mystery"]["unknown"] == 1
    assert data["cost"]["unpriced_jobs"] == 2


def test_report_previous_period_without_jobs_gives_new_trends() -> None:
    _, data = report_of(jobs_frame(*healthy_jobs(20)))
    assert data["trends"]["jobs"]["direction"] == "new"
    assert data["trends"]["processor_jobs.inngest"] == {
        "previous": 0, "current": 20, "absolute": 20, "change_pct": None, "direction": "new"
    }  # fmt: skip
    assert data["previous_period"] == {
        "start": "2026-11-24T00:00:00+00:00", "end": "2026-11-25T00:00:00+00:00", "jobs": 0
    }  # fmt: skip


def test_report_trends_against_the_previous_day() -> None:
    previous = [
        job(f"y{i}", created=-1440 + i, started=-1440 + i, completed=-1439 + i) for i in range(40)
    ]
    _, data = report_of(jobs_frame(*healthy_jobs(20, failed=1)), previous=jobs_frame(*previous))
    assert data["trends"]["jobs"] == {
        "previous": 40, "current": 20, "absolute": -20, "change_pct": -50.0, "direction": "down"
    }  # fmt: skip
    assert data["trends"]["error_rate"]["previous"] == 0.0
    assert data["trends"]["error_rate"]["direction"] == "new"
    assert data["trends"]["processing_time_p95_ms"]["direction"] == "flat"


def test_report_partial_period_compares_the_same_elapsed_part() -> None:
    as_of = datetime(2026, 11, 25, 1, tzinfo=UTC)
    period = daily(date(2026, 11, 25), "UTC", as_of)
    previous = [job("y1", created=-1440 + 30), job("y2", created=-1440 + 90)]
    current = [job("t1", created=10), job("t2", created=70)]
    _, data = report_of(jobs_frame(*current), previous=jobs_frame(*previous), period=period)
    assert data["period"]["partial"] is True
    assert data["period"]["elapsed_end"] == "2026-11-25T01:00:00+00:00"
    # Only the job created before as_of, against only the previous day's first hour.
    assert data["jobs"]["total"] == 1
    assert data["trends"]["jobs"]["previous"] == 1
    assert data["throughput_per_hour"] == 1.0
    assert data["queue"]["evaluated_at"] == "2026-11-25T01:00:00+00:00"


def test_report_prices_of_zero() -> None:
    settings = Settings(prices=PriceSettings(inngest_per_job=0, github_actions_per_minute=0))
    _, data = report_of(jobs_frame(*healthy_jobs(20)), settings=settings)
    assert data["cost"]["actual"] == 0.0
    assert data["cost"]["savings_pct"] is None


def test_report_healthy_with_rollout_and_history() -> None:
    jobs = healthy_jobs(30) + [
        job(f"g{i}", processor="github_actions", created=i, started=i, completed=i + 0.5)
        for i in range(30)
    ]
    history = history_frame(
        {"id": "h1", "action": "updated", "previous_percentage": 10.0, "new_percentage": 25.0,
         "created_at": datetime(2026, 11, 25, 8, tzinfo=UTC)},
        {"id": "h0", "action": "updated", "previous_percentage": 5.0, "new_percentage": 10.0,
         "created_at": datetime(2026, 11, 20, tzinfo=UTC)},
    )  # fmt: skip
    _, data = report_of(jobs_frame(*jobs), configuration=configuration_frame(25.0), history=history)
    assert data["status"] == "healthy"
    assert data["health"]["score"] == 100.0
    assert data["rollout"]["percentage"] == 25.0
    assert [c["new_percentage"] for c in data["rollout"]["changes"]] == [25.0]
    assert [(f["rule"], f["severity"]) for f in data["findings"]] == [("rollout_changed", "info")]
    assert data["findings"][0]["message"] == "rollout percentage changed 10.0% -> 25.0%"
    # 30 inngest jobs at $0.0002 + 30 one-minute Actions jobs at $0.008, vs 60 on inngest.
    assert data["cost"]["actual"] == pytest.approx(30 * 0.0002 + 30 * 0.008)
    assert data["cost"]["baseline"] == pytest.approx(60 * 0.0002)
    assert [r["code"] for r in data["recommendations"]] == ["no_action"]


def test_report_emergency_stop_costs_50_points() -> None:
    _, data = report_of(
        jobs_frame(*healthy_jobs(20)), configuration=configuration_frame(10.0, emergency_stop=True)
    )
    assert data["health"]["score"] == 50.0
    assert data["health"]["deductions"] == [
        {"rule": "emergency_stop", "points": 50, "value": True, "threshold": None}
    ]
    assert data["status"] == "warning"


def test_report_json_is_deterministic() -> None:
    jobs = jobs_frame(*healthy_jobs(25, failed=3))
    first = json.dumps(report_of(jobs)[1], allow_nan=False)
    second = json.dumps(report_of(jobs.reverse())[1], allow_nan=False)
    assert first == second


def _two_days() -> tuple[pl.DataFrame, pl.DataFrame]:
    before = [
        job(f"y{i}", "failed" if i % 7 == 0 else "completed",
            "github_actions" if i % 3 == 0 else "inngest", created=-1440 + i,
            started=-1440 + i + 0.5, completed=-1439 + i * 1.5, repository_id=f"r{i % 3}",
            error="connect ETIMEDOUT" if i % 7 == 0 else None)
        for i in range(60)
    ]  # fmt: skip
    return jobs_frame(*before), jobs_frame(*healthy_jobs(30, failed=2))


def test_report_previous_window_known_gives_the_same_report() -> None:
    previous_jobs, jobs = _two_days()
    settings = Settings()
    yesterday, _ = report_of(previous_jobs, period=daily(date(2026, 11, 24), "UTC", AFTER))
    computed, _ = report_of(jobs, previous=previous_jobs)
    inputs = ReportInputs(
        period=DAY,
        jobs=jobs,
        previous_jobs=jobs_frame(),  # not read: the known window stands for it
        open_jobs=jobs_frame(),
        categories=categories_frame(("r1", "small"), ("r2", "large")),
        rollout_configuration=configuration_frame(),
        rollout_history=history_frame(),
        data_as_of=datetime(2026, 11, 26, 5, tzinfo=UTC),
        previous_window=yesterday.window,
    )
    reused = compute_report(inputs, settings)
    assert reused == computed
    assert reused.previous.detailed is False
    assert reused.previous.jobs.total == 60
    assert reused.previous.start == datetime(2026, 11, 24, tzinfo=UTC)


def test_report_previous_window_of_another_span_is_not_used() -> None:
    previous_jobs, jobs = _two_days()
    # A partial period compares only the first hour of the day before, not the whole day.
    as_of = datetime(2026, 11, 25, 1, tzinfo=UTC)
    yesterday, _ = report_of(previous_jobs, period=daily(date(2026, 11, 24), "UTC", AFTER))
    period = daily(date(2026, 11, 25), "UTC", as_of)
    computed, _ = report_of(jobs, previous=previous_jobs, period=period)
    inputs = ReportInputs(
        period=period,
        jobs=jobs,
        previous_jobs=previous_jobs,
        open_jobs=jobs_frame(),
        categories=categories_frame(("r1", "small"), ("r2", "large")),
        rollout_configuration=configuration_frame(),
        rollout_history=history_frame(),
        data_as_of=datetime(2026, 11, 26, 5, tzinfo=UTC),
        previous_window=yesterday.window,
    )
    assert compute_report(inputs, Settings()) == computed
    assert computed.previous.jobs.total == 60
