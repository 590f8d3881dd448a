"""Error analysis: first-match categories, counts per processor, the newest 50 messages."""

from __future__ import annotations

import pytest

from reportgen.compute.errors import categorise, error_metrics
from reportgen.compute.frame import prepare

from .jobs_frames import job, jobs_frame


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("API rate limit exceeded", "rate_limit"),
        ("HTTP 403 from api.github.com", "rate_limit"),
        ("Quota exhausted", "rate_limit"),
        ("got 429", "rate_limit"),
        ("connect ETIMEDOUT 140.82.112.3:443", "network"),
        ("read ECONNRESET", "network"),
        ("Connection refused", "network"),
        ("NETWORK unreachable", "network"),
        ("Bad credentials", "authentication"),
        ("Unauthorized", "authentication"),
        ("permission denied", "authentication"),
        ("HTTP 401", "authentication"),
        ("Not Found", "not_found"),
        ("404 page", "not_found"),
        ('column "pr_number" does not exist', "database"),
        ("violates unique constraint", "database"),
        ("Validation failed", "validation"),
        ("invalid cursor", "validation"),
        ("something unexpected happened", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
        # First match wins: a 403 that timed out is a rate limit, an auth 404 is auth.
        ("timeout after 403", "rate_limit"),
        ("auth lookup: 404", "authentication"),
    ],
)
def test_errors_categorise_first_match_case_insensitive(message: str | None, category: str) -> None:
    assert categorise(message) == category


def test_errors_counts_by_category_and_processor() -> None:
    jobs = jobs_frame(
        job("a", "failed", error="ECONNRESET"),
        job("b", "failed", "github_actions", error="ETIMEDOUT"),
        job("c", "failed", "github_actions", error="Not Found"),
        job("d", "failed", "github_actions", error=None),
        job("e", "completed", error="timeout, retried"),
    )
    errors = error_metrics(prepare(jobs))
    assert errors.total == 4
    assert errors.by_category == {
        "rate_limit": 0,
        "network": 2,
        "authentication": 0,
        "not_found": 1,
        "database": 0,
        "validation": 0,
        "unknown": 1,
    }
    assert errors.by_processor["github_actions"]["network"] == 1
    assert errors.by_processor["github_actions"]["not_found"] == 1
    assert errors.by_processor["github_actions"]["unknown"] == 1
    assert errors.by_processor["inngest"]["network"] == 1
    assert list(errors.by_processor) == ["github_actions", "inngest"]


def test_errors_recent_are_the_50_newest_cut_to_500_chars() -> None:
    rows = [
        job(f"j{i:02d}", "failed", created=i, started=i, completed=i + 1, error="x" * 600)
        for i in range(55)
    ]
    recent = error_metrics(prepare(jobs_frame(*rows))).recent
    assert len(recent) == 50
    assert [r.id for r in recent[:3]] == ["j54", "j53", "j52"]
    assert recent[-1].id == "j05"
    assert all(r.message == "x" * 500 for r in recent)
    assert recent[0].category == "unknown"


def test_errors_none_without_failures() -> None:
    errors = error_metrics(prepare(jobs_frame(job("a"), job("b", "pending"))))
    assert errors.total == 0
    assert set(errors.by_category.values()) == {0}
    assert errors.by_processor == {}
    assert errors.recent == ()
