"""Repositories (SPEC §3.1): activity, top lists, categories and participation."""

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
    can never pass 100 even when uncategorised repositories are active.
    """
    category_of = categories.select(
        pl.col("repository_id").cast(pl.String), pl.col("category").cast(pl.String)
    ).unique("repository_id", keep="first")
    per_repo = (
        prepared.filter(pl.col("repository_id").is_not_null())
        .group_by("repository_id")
        .agg(
            pl.len().alias("jobs"),
            (pl.col("status") == "failed").sum().alias("failed"),
            pl.col("repository_name").max().alias("repository_name"),
        )
        .join(category_of, on="repository_id", how="left")
    )
    by_category = _by_category(per_repo, category_of)
    categorised = category_of.height
    active_categorised = sum(c.active for c in by_category.values())
    top_jobs = per_repo.sort(["jobs", "repository_id"], descending=[True, False]).head(TOP)
    top_failures = (
        per_repo.filter(pl.col("failed") > 0)
        .sort(["failed", "repository_id"], descending=[True, False])
        .head(TOP)
    )
    by_processor = _by_processor(prepared, top_jobs, top_failures)
    return Repositories(
        active=per_repo.height,
        categorised=categorised,
        active_categorised=active_categorised,
        participation_rate=percentage(active_categorised, categorised),
        by_category=by_category,
        uncategorised_jobs=int(per_repo.filter(pl.col("category").is_null())["jobs"].sum()),
        top_by_jobs=_rows(top_jobs, by_processor),
        top_by_failures=_rows(top_failures, by_processor),
    )


def _by_category(per_repo: pl.DataFrame, category_of: pl.DataFrame) -> dict[str, CategoryMetrics]:
    known = category_of.group_by("category").len()
    active = (
        per_repo.filter(pl.col("category").is_not_null())
        .group_by("category")
        .agg(pl.len().alias("active"), pl.col("jobs").sum())
    )
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


def _by_processor(prepared: pl.DataFrame, *tops: pl.DataFrame) -> dict[str, dict[str, int]]:
    ids = pl.concat([top.select("repository_id") for top in tops]).unique()
    pairs = (
        prepared.join(ids, on="repository_id", how="semi")
        .group_by("repository_id", "processor_type")
        .len()
        .sort("repository_id", "processor_type")
    )
    result: dict[str, dict[str, int]] = {}
    for repository, processor, count in pairs.iter_rows():
        result.setdefault(repository, {})[processor] = int(count)
    return result


def _rows(top: pl.DataFrame, by_processor: dict[str, dict[str, int]]) -> tuple[RepositoryRow, ...]:
    def row(values: dict[str, Any]) -> RepositoryRow:
        return RepositoryRow(
            repository_id=values["repository_id"],
            repository_name=values["repository_name"],
            category=values["category"],
            jobs=int(values["jobs"]),
            failed=int(values["failed"]),
            by_processor=by_processor.get(values["repository_id"], {}),
        )

    return tuple(row(values) for values in top.iter_rows(named=True))
