"""The simulated jobs: determinism, rhythm, routing, failures and the incident."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from reportgen.sample.generator import generate_jobs, generate_lives, make_world
from reportgen.sample.spec import SampleSpec
from reportgen.sample.timestamps import to_ms

from .categories import spec_category

Row = dict[str, Any]
INCIDENT_START = "2026-11-18T14"
INCIDENT_END = "2026-11-18T17"


@pytest.fixture(scope="module")
def default_rows() -> list[Row]:
    return list(generate_jobs())


def ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))


def error_rate(rows: list[Row]) -> float:
    finished = [row for row in rows if row["status"] in ("completed", "failed")]
    failed: int = sum(row["status"] == "failed" for row in finished)
    return failed / len(finished) * 100


def test_generate_jobs_is_deterministic_and_seeded() -> None:
    first = list(generate_jobs(days=2, jobs_per_day=100, seed=1))
    assert first == list(generate_jobs(days=2, jobs_per_day=100, seed=1))
    assert first != list(generate_jobs(days=2, jobs_per_day=100, seed=2))


def test_generate_jobs_small_seed_exact_counts() -> None:
    rows = list(generate_jobs(days=3, jobs_per_day=100, seed=1, incident=date(2026, 11, 24)))
    assert len(rows) == 319
    assert Counter(row["status"] for row in rows) == {
        "completed": 290,
        "failed": 26,
        "processing": 3,
    }
    assert Counter(row["processor_type"] for row in rows) == {"inngest": 305, "github_actions": 14}
    assert Counter(row["metadata"].get("attempt", 1) for row in rows) == {1: 299, 2: 13, 3: 7}


def test_generate_jobs_small_seed_without_incident_leaves_a_live_queue() -> None:
    rows = list(generate_jobs(days=2, jobs_per_day=100, seed=1, incident=None))
    assert len(rows) == 257
    assert Counter(row["status"] for row in rows) == {
        "completed": 250,
        "failed": 3,
        "pending": 2,
        "processing": 2,
    }


def test_generate_jobs_rows_are_consistent_in_time(default_rows: list[Row]) -> None:
    for row in default_rows:
        moments = [row["created_at"], row["started_at"], row["completed_at"]]
        present = [moment for moment in moments if moment is not None]
        assert all(moment.endswith("Z") and len(moment) == 24 for moment in present)
        assert present == sorted(present)
        assert row["updated_at"] == present[-1]
        assert "2026-10-25T10" <= row["created_at"] < "2026-11-25T10"


def test_generate_jobs_follows_the_day_and_week_rhythm(default_rows: list[Row]) -> None:
    hours = Counter(int(row["created_at"][11:13]) for row in default_rows)
    afternoon = sum(hours[hour] for hour in range(12, 20))
    night = sum(hours[hour] for hour in range(8))
    assert afternoon > 2.5 * night
    days = Counter(row["created_at"][:10] for row in default_rows)
    full_days = [day for day in days if "2026-10-26" <= day <= "2026-11-24"]
    weekend = [days[d] for d in full_days if date.fromisoformat(d).weekday() >= 5]
    weekday = [days[d] for d in full_days if date.fromisoformat(d).weekday() < 5]
    assert statistics.mean(weekday) > 1.5 * statistics.mean(weekend)


def test_generate_jobs_routes_long_syncs_of_rolled_out_repositories_to_actions(
    default_rows: list[Row],
) -> None:
    actions = [row for row in default_rows if row["processor_type"] == "github_actions"]
    assert {row["job_type"] for row in actions} == {"historical-pr-sync"}
    assert all(row["time_range_days"] > 7 and row["workflow_run_id"] for row in actions)
    inngest = [row for row in default_rows if row["processor_type"] == "inngest"]
    assert {row["job_type"] for row in inngest} == {
        "recent-prs",
        "pr-details",
        "reviews",
        "comments",
        "historical-pr-sync",
    }
    assert all(row["workflow_run_id"] is None for row in inngest)


def test_generate_jobs_actions_share_follows_the_rollout_percentage(
    default_rows: list[Row],
) -> None:
    spec = SampleSpec.build()
    world = make_world(spec)
    for _ in generate_lives(spec, world):
        pass  # the breaker records the rollback while the jobs are generated
    timeline = world.timeline
    by_percentage: dict[float, Counter[str]] = {}
    for row in default_rows:
        percentage = timeline.percentage_at(ms(row["created_at"]))
        by_percentage.setdefault(percentage, Counter())[row["processor_type"]] += 1
    share = {pct: c["github_actions"] / c.total() * 100 for pct, c in by_percentage.items()}
    assert share[0] == 0
    assert 0 < share[10] < share[25] < share[50]


def test_generate_jobs_latency_profiles_differ(default_rows: list[Row]) -> None:
    def median_seconds(processor: str) -> float:
        return statistics.median(
            (ms(row["completed_at"]) - ms(row["started_at"])) / 1000
            for row in default_rows
            if row["processor_type"] == processor and row["status"] == "completed"
        )

    assert 1 < median_seconds("inngest") < 30
    assert 120 < median_seconds("github_actions") < 1800


def test_generate_jobs_baseline_errors_are_rare_and_varied(default_rows: list[Row]) -> None:
    calm = [row for row in default_rows if not row["created_at"].startswith("2026-11-18")]
    assert 0.5 < error_rate(calm) < 2.0
    categories = Counter(spec_category(row["error"]) for row in calm if row["error"])
    # Six of the seven categories; `database` errors are rarer (weight 0.06) and this
    # sample happens to have none outside the incident day.
    assert set(categories) == {
        "rate_limit",
        "network",
        "authentication",
        "not_found",
        "validation",
        "unknown",
    }


def test_generate_jobs_incident_is_mostly_network_failures_on_inngest(
    default_rows: list[Row],
) -> None:
    during = [
        row
        for row in default_rows
        if INCIDENT_START <= row["created_at"] < INCIDENT_END and row["processor_type"] == "inngest"
    ]
    failed = [row for row in during if row["status"] == "failed"]
    assert error_rate(during) > 30
    network = sum(spec_category(row["error"]) == "network" for row in failed)
    assert network / len(failed) > 0.75
    stuck = [row for row in during if row["status"] == "processing"]
    assert len(stuck) == 2
    after = [row for row in default_rows if "2026-11-18T18" <= row["created_at"] < "2026-11-20"]
    assert error_rate(after) < 3


def test_generate_jobs_retries_transient_failures(default_rows: list[Row]) -> None:
    retries = [row for row in default_rows if "attempt" in row["metadata"]]
    assert retries
    assert {row["metadata"]["trigger_source"] for row in retries} == {"retry"}
    for retry in retries:
        earlier_failures = [
            row
            for row in default_rows
            if row["repository_id"] == retry["repository_id"]
            and row["job_type"] == retry["job_type"]
            and row["status"] == "failed"
            and row["completed_at"] < retry["created_at"]
            and spec_category(row["error"]) in ("rate_limit", "network")
        ]
        assert earlier_failures, retry["id"]


def test_generate_jobs_leaves_a_live_queue_at_the_end(default_rows: list[Row]) -> None:
    live = Counter(
        (row["processor_type"], row["status"])
        for row in default_rows
        if row["status"] in ("pending", "processing") and row["created_at"] >= "2026-11-25"
    )
    assert live == {("github_actions", "pending"): 2, ("github_actions", "processing"): 2}


def test_generate_jobs_naive_and_aware_end_agree() -> None:
    naive = list(generate_jobs(days=1, jobs_per_day=50, end=datetime(2026, 3, 2, 8)))
    aware = list(generate_jobs(days=1, jobs_per_day=50, end=datetime(2026, 3, 2, 8, tzinfo=UTC)))
    assert naive == aware
