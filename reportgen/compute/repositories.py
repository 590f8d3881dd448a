"""Repositories: activity, top lists, categories and participation."""

from __future__ import annotations

from typing import Any

import polars as pl

from reportgen.compute.rates import percentage
from reportgen.compute.results import CategoryMetrics, Repositories, RepositoryRow
from reportgen.schema import CATEGORIES

TOP = 10


def repository_metrics(prepared: pl.DataFrame, categories: pl.DataFrame) -> Repositories:
    """Active repositories, the top 10 by jobs and by failures, and the categories' share.

    Participation is active categorised repositories over categorised repositories, so it
    can never pass 100 even when uncategorised repositories are active. Three rounds of
    queries (per repository, then the small frames' figures, then the top repositories'
    details), each one `collect_all`: for a day's jobs the per-query overhead is the cost.
    """
    category_of = _category_of(categories)
    per_repo, known = pl.collect_all(
        [
            prepared.lazy()
            .filter(pl.col("repository_id").is_not_null())
            .group_by("repository_id")
            .agg(
                pl.len().alias("jobs"),
                (pl.col("status") == "failed").sum().alias("failed"),
            )
            .join(category_of, on="repository_id", how="left"),
            category_of.group_by("category").len(),
        ]
    )
    top_jobs, top_failures, active, uncategorised = _tops(per_repo)
    by_processor, names = _top_details(prepared, top_jobs, top_failures)
    return _repositories(
        per_repo, known, active, uncategorised, (top_jobs, top_failures), by_processor, names
    )


def repository_metrics_of_counts(counts: pl.DataFrame, categories: pl.DataFrame) -> Repositories:
    """`repository_metrics` from jobs and failures per repository and processor (with each
    repository's greatest name), as the hourly rollups keep them: the same figures, without
    the window's rows."""
    category_of = _category_of(categories)
    rows = counts.lazy().filter(pl.col("repository_id").is_not_null())
    per_repo, known = pl.collect_all(
        [
            rows.group_by("repository_id")
            .agg(pl.col("jobs").sum(), pl.col("failed").sum())
            .join(category_of, on="repository_id", how="left"),
            category_of.group_by("category").len(),
        ]
    )
    top_jobs, top_failures, active, uncategorised = _tops(per_repo)
    ids = sorted(
        {str(r) for top in (top_jobs, top_failures) for r in top.get_column("repository_id")}
    )
    details = counts.filter(pl.col("repository_id").is_in(ids))
    by_processor: dict[str, dict[str, int]] = {}
    for repository, processor, jobs in (
        details.select("repository_id", "processor_type", "jobs")
        .sort("repository_id", "processor_type")
        .iter_rows()
    ):
        by_processor.setdefault(repository, {})[processor] = int(jobs)
    named = details.group_by("repository_id").agg(pl.col("repository_name").max())
    names: dict[str, str | None] = {str(r): n for r, n in named.iter_rows()}
    return _repositories(
        per_repo, known, active, uncategorised, (top_jobs, top_failures), by_processor, names
    )


def _top_details(
    prepared: pl.DataFrame, *tops: pl.DataFrame
) -> tuple[dict[str, dict[str, int]], dict[str, str | None]]:
    """Jobs per processor and the name of the top repositories only (a handful of rows)."""
    ids = {str(r) for top in tops for r in top.get_column("repository_id")}
    rows = prepared.lazy().filter(pl.col("repository_id").is_in(sorted(ids)))
    pairs, named = pl.collect_all(
        [
            rows.group_by("repository_id", "processor_type")
            .len()
            .sort("repository_id", "processor_type"),
            # The greatest name, so a renamed repository reads the same whatever the row order.
            rows.group_by("repository_id").agg(pl.col("repository_name").max()),
        ]
    )
    by_processor: dict[str, dict[str, int]] = {}
    for repository, processor, count in pairs.iter_rows():
        by_processor.setdefault(repository, {})[processor] = int(count)
    return by_processor, {str(r): n for r, n in named.iter_rows()}


def _by_category(known: pl.DataFrame, active: pl.DataFrame) -> dict[str, CategoryMetrics]:
    """Repositories, active ones and their jobs per category, the known categories first."""
    totals = {str(c): int(n) for c, n in known.iter_rows()}
    activity = {str(row[0]): (int(row[1]), int(row[2])) for row in active.iter_rows()}
    names = list(CATEGORIES) + sorted(set(totals) - set(CATEGORIES))
    return {
        name: CategoryMetrics(
            repositories=totals.get(name, 0),
            active=activity.get(name, (0, 0))[0],
            jobs=activity.get(name, (0, 0))[1],
        )
        for name in names
    }


def _rows(
    top: pl.DataFrame, by_processor: dict[str, dict[str, int]], names: dict[str, str | None]
) -> tuple[RepositoryRow, ...]:
    def row(values: dict[str, Any]) -> RepositoryRow:
        return RepositoryRow(
            repository_id=values["repository_id"],
            repository_name=names.get(values["repository_id"]),
            category=values["category"],
            jobs=int(values["jobs"]),
            failed=int(values["failed"]),
            by_processor=by_processor.get(values["repository_id"], {}),
        )

    return tuple(row(values) for values in top.iter_rows(named=True))


def _category_of(categories: pl.DataFrame) -> pl.LazyFrame:
    """Each repository's category (the first row of a repository listed twice)."""
    return (
        categories.lazy()
        .select(pl.col("repository_id").cast(pl.String), pl.col("category").cast(pl.String))
        .unique("repository_id", keep="first")
    )


def _tops(per_repo: pl.DataFrame) -> list[pl.DataFrame]:
    """From jobs and failures per repository (with its category): the top 10 by jobs and by
    failures, the active repositories and their jobs per category, and uncategorised jobs."""
    repos = per_repo.lazy()
    return pl.collect_all(
        [
            repos.sort(["jobs", "repository_id"], descending=[True, False]).head(TOP),
            repos.filter(pl.col("failed") > 0)
            .sort(["failed", "repository_id"], descending=[True, False])
            .head(TOP),
            repos.filter(pl.col("category").is_not_null())
            .group_by("category")
            .agg(pl.len().alias("active"), pl.col("jobs").sum()),
            repos.select(pl.col("jobs").filter(pl.col("category").is_null()).sum()),
        ]
    )


def _repositories(
    per_repo: pl.DataFrame,
    known: pl.DataFrame,
    active: pl.DataFrame,
    uncategorised: pl.DataFrame,
    tops: tuple[pl.DataFrame, pl.DataFrame],
    by_processor: dict[str, dict[str, int]],
    names: dict[str, str | None],
) -> Repositories:
    """The result from the per-repository figures, however they were counted."""
    by_category = _by_category(known, active)
    categorised = int(known.get_column("len").sum())
    active_categorised = sum(c.active for c in by_category.values())
    top_jobs, top_failures = tops
    return Repositories(
        active=per_repo.height,
        categorised=categorised,
        active_categorised=active_categorised,
        participation_rate=percentage(active_categorised, categorised),
        by_category=by_category,
        uncategorised_jobs=int(uncategorised.item()),
        top_by_jobs=_rows(top_jobs, by_processor, names),
        top_by_failures=_rows(top_failures, by_processor, names),
    )
