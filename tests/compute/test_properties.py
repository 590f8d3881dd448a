"""Properties over random job sets: rates in range, ordered percentiles, counts that add up."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.config import Settings
from reportgen.periods import daily
from reportgen.report.assemble import ReportInputs, compute_report

from .jobs_frames import (
    assert_valid_report,
    categories_frame,
    configuration_frame,
    history_frame,
    job,
    jobs_frame,
)

PERIOD = daily(date(2026, 11, 25), "UTC", datetime(2026, 11, 26, 6, tzinfo=UTC))
STATUSES = st.sampled_from(["pending", "processing", "completed", "failed"])
PROCESSORS = st.sampled_from(["inngest", "github_actions", "other"])
ERRORS = st.sampled_from([None, "ECONNRESET", "HTTP 429", "Not Found", "weird", "x" * 700])
MINUTES = st.floats(min_value=0, max_value=1439, allow_nan=False)


@st.composite
def job_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=40))):
        created = draw(MINUTES)
        started = draw(st.one_of(st.none(), st.floats(min_value=created, max_value=created + 600)))
        completed = draw(st.floats(min_value=started or created, max_value=created + 1200))
        rows.append(
            job(
                f"j{i}",
                draw(STATUSES),
                draw(PROCESSORS),
                created=created,
                started=started,
                completed=completed,
                error=draw(ERRORS),
                repository_id=draw(st.sampled_from([None, "r1", "r2", "r3"])),
            )
        )
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=job_rows(), previous=job_rows(), min_jobs=st.integers(min_value=0, max_value=12))
def test_report_properties_hold_for_any_jobs(
    rows: list[dict[str, Any]], previous: list[dict[str, Any]], min_jobs: int
) -> None:
    shifted = [{**row, "created_at": row["created_at"].replace(day=24)} for row in previous]
    inputs = ReportInputs(
        period=PERIOD,
        jobs=jobs_frame(*rows),
        previous_jobs=jobs_frame(*shifted),
        open_jobs=jobs_frame(*rows),
        categories=categories_frame(("r1", "small"), ("r4", "large")),
        rollout_configuration=configuration_frame(50.0),
        rollout_history=history_frame(),
    )
    data = compute_report(inputs, Settings(report={"min_jobs": min_jobs})).to_dict()
    json.dumps(data, allow_nan=False)
    assert_valid_report(data)

    jobs = data["jobs"]
    assert sum(jobs["by_status"].values()) == jobs["total"] == len(rows)
    assert jobs["finished"] == jobs["completed"] + jobs["failed"]
    assert sum(p["jobs"] for p in data["processors"].values()) == jobs["total"]
    assert sum(t["jobs"] for t in data["job_types"].values()) == jobs["total"]
    assert data["errors"]["total"] == jobs["failed"] == sum(data["errors"]["by_category"].values())
    for rate in (jobs["error_rate"], jobs["success_rate"]):
        assert rate is None or 0 <= rate <= 100
    if jobs["error_rate"] is not None:
        assert abs(jobs["error_rate"] + jobs["success_rate"] - 100) < 1e-9
        low, high = jobs["error_rate_ci"]
        assert 0 <= low <= jobs["error_rate"] + 1e-9 and jobs["error_rate"] - 1e-9 <= high <= 100
    for latency in [data["processing_time_ms"], data["queue_wait_ms"]] + [
        p["processing_time_ms"] for p in data["processors"].values()
    ]:
        if latency["count"]:
            assert latency["p50"] <= latency["p95"] <= latency["max"]
    participation = data["repositories"]["participation_rate"]
    assert participation is None or 0 <= participation <= 100
    assert (data["health"]["score"] is None) is (not jobs["conclusive"])
    if not jobs["conclusive"]:
        assert data["status"] in ("inconclusive", "warning", "critical")
        assert all(
            f["severity"] != "critical" for f in data["findings"] if f["rule"] == "error_rate"
        )
