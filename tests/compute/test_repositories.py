"""Repositories: activity, top lists, categories and participation."""

from __future__ import annotations

from reportgen.compute.frame import prepare
from reportgen.compute.repositories import repository_metrics
from reportgen.compute.results import CategoryMetrics

from .jobs_frames import categories_frame, job, jobs_frame


def _job(id: str, repository: str | None, status: str = "completed", processor: str = "inngest"):  # type: ignore[no-untyped-def]
    name = None if repository is None else f"org/{repository}"
    return job(id, status, processor, repository_id=repository, repository_name=name)


def test_repositories_top_lists_and_participation() -> None:
    jobs = jobs_frame(
        _job("1", "r1"),
        _job("2", "r1", "failed", "github_actions"),
        _job("3", "r1"),
        _job("4", "r2", "failed"),
        _job("5", "r2", "failed"),
        _job("6", "r3"),
        _job("7", "r9"),
        _job("8", None),
    )
    categories = categories_frame(("r1", "large"), ("r2", "small"), ("r4", "small"), ("r5", "test"))
    repositories = repository_metrics(prepare(jobs), categories)
    assert repositories.active == 4
    assert (repositories.categorised, repositories.active_categorised) == (4, 2)
    assert repositories.participation_rate == 50.0
    assert repositories.uncategorised_jobs == 2
    assert [r.repository_id for r in repositories.top_by_jobs] == ["r1", "r2", "r3", "r9"]
    top = repositories.top_by_jobs[0]
    assert (top.repository_name, top.category, top.jobs, top.failed) == ("org/r1", "large", 3, 1)
    assert top.by_processor == {"github_actions": 1, "inngest": 2}
    assert [(r.repository_id, r.failed) for r in repositories.top_by_failures] == [
        ("r2", 2),
        ("r1", 1),
    ]
    assert repositories.by_category == {
        "test": CategoryMetrics(repositories=1, active=0, jobs=0),
        "small": CategoryMetrics(repositories=2, active=1, jobs=2),
        "medium": CategoryMetrics(repositories=0, active=0, jobs=0),
        "large": CategoryMetrics(repositories=1, active=1, jobs=3),
        "enterprise": CategoryMetrics(repositories=0, active=0, jobs=0),
    }


def test_repositories_top_10_breaks_ties_by_id() -> None:
    jobs = jobs_frame(*(_job(str(i), f"r{i:02d}") for i in range(15)))
    top = repository_metrics(prepare(jobs), categories_frame()).top_by_jobs
    assert [r.repository_id for r in top] == [f"r{i:02d}" for i in range(10)]


def test_repositories_participation_never_passes_100() -> None:
    # Uncategorised active repositories do not count towards participation.
    jobs = jobs_frame(_job("1", "r1"), _job("2", "r2"), _job("3", "r3"))
    repositories = repository_metrics(prepare(jobs), categories_frame(("r1", "small")))
    assert repositories.participation_rate == 100.0


def test_repositories_without_categories_have_null_participation() -> None:
    repositories = repository_metrics(prepare(jobs_frame()), categories_frame())
    assert repositories.active == 0
    assert repositories.participation_rate is None
    assert repositories.top_by_jobs == ()
    assert repositories.top_by_failures == ()
