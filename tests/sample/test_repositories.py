"""The simulated repository catalogue."""

from __future__ import annotations

import random
from collections import Counter

from reportgen.sample.repositories import (
    RepositoryPicker,
    category_rows,
    make_repositories,
    repository_count,
)
from reportgen.schema import REPOSITORY_CATEGORIES


def test_repository_count_scales_within_bounds() -> None:
    assert [repository_count(n) for n in (1, 160, 2_000, 1_000_000)] == [12, 80, 1_000, 1_500]


def test_make_repositories_mixes_categories_idle_and_uncategorised() -> None:
    repositories = make_repositories(random.Random(5), 400)
    assert len({repo.name for repo in repositories}) == 400
    assert all(repo.name.count("/") == 1 for repo in repositories)
    assert Counter(repo.category for repo in repositories) == {
        "small": 182,
        "medium": 111,
        "large": 63,
        "enterprise": 23,
        "test": 21,
    }
    assert sum(repo.activity == 0 for repo in repositories) == 56
    assert sum(not repo.categorised for repo in repositories) == 18


def test_category_rows_list_categorised_repositories_by_id() -> None:
    repositories = make_repositories(random.Random(5), 40)
    rows = category_rows(repositories)
    assert [row["repository_id"] for row in rows] == sorted(
        repo.id for repo in repositories if repo.categorised
    )
    assert all(tuple(row) == REPOSITORY_CATEGORIES.column_names for row in rows)
    assert all(row["is_test_repository"] == (row["category"] == "test") for row in rows)


def test_picker_never_picks_an_idle_repository() -> None:
    repositories = make_repositories(random.Random(5), 40)
    picker = RepositoryPicker(repositories)
    rng = random.Random(1)
    picked = {picker.pick(rng).id for _ in range(2_000)}
    idle = {repo.id for repo in repositories if repo.activity == 0}
    assert idle
    assert picked.isdisjoint(idle)
    assert len(picked) == 40 - len(idle)
