"""The simulated repositories: names, size categories and how busy each one is."""

from __future__ import annotations

import bisect
import dataclasses
import random
import uuid
from dataclasses import dataclass
from itertools import accumulate

from reportgen.schema import CATEGORIES

OWNERS = (
    "acme", "octo-org", "northwind", "contoso", "initech", "globex", "umbrella-labs",
    "hooli", "piedpiper", "stark-industries", "wayne-ent", "cyberdyne", "tyrell", "wonka",
    "soylent", "aperture", "black-mesa", "vandelay", "dunder-mifflin", "prestige-worldwide",
    "oceanic", "monarch", "gringotts", "massive-dynamic", "bluth-co", "los-pollos", "krusty",
    "duff", "planet-express", "weyland",
)  # fmt: skip
NAMES = (
    "widgets", "api-gateway", "web", "mobile-app", "docs", "design-system", "cli", "sdk-js",
    "sdk-python", "infra", "terraform-modules", "billing", "search", "analytics", "dashboard",
    "scheduler", "notifications", "payments", "inventory", "storefront", "backoffice",
    "data-pipeline", "ml-models", "feature-flags", "observability", "chat", "editor",
    "compiler", "runtime", "orm", "router", "charts", "icons", "website", "blog",
    "helm-charts", "operator", "benchmarks", "playground", "examples", "monorepo", "core",
    "plugins", "themes", "i18n", "releases", "status-page", "load-tests", "fixtures", "tools",
)  # fmt: skip

# Share of repositories per category, and what a repository of that size looks like.
CATEGORY_SHARES = (0.05, 0.40, 0.30, 0.18, 0.07)
STAR_RANGES = ((0, 10), (10, 500), (500, 5_000), (5_000, 50_000), (50_000, 200_000))
CONTRIBUTOR_RANGES = ((1, 3), (1, 15), (10, 80), (50, 600), (400, 3_000))
PR_RANGES = ((0, 20), (5, 300), (200, 3_000), (2_000, 30_000), (20_000, 150_000))
# Bigger repositories get more capture jobs.
ACTIVITY = (0.3, 1.0, 2.0, 4.0, 8.0)
# ... and their jobs run longer: more pull requests, reviews and comments to fetch.
WORK = (0.3, 0.6, 1.0, 2.0, 3.5)
NEVER_ACTIVE_SHARE = 0.15
UNCATEGORISED_SHARE = 0.06
GOLDEN_RATIO_FRACTION = 0.6180339887498949


@dataclass(frozen=True, slots=True)
class Repository:
    id: str
    name: str
    category: str
    categorised: bool
    star_count: int
    contributor_count: int
    pr_count: int
    activity: float
    # How much longer than a medium repository its jobs run.
    work: float
    # Stable 0-99 bucket: the repository is in the rollout while bucket < percentage.
    bucket: int


class RepositoryPicker:
    """Draws the repository of a job, busy repositories more often than quiet ones."""

    def __init__(self, repositories: tuple[Repository, ...]) -> None:
        # A tiny catalogue might draw no active repository at all; then every one is used.
        active = [repo for repo in repositories if repo.activity > 0] or list(repositories)
        self._active = active
        self._cumulative = list(accumulate(repo.activity or 1.0 for repo in active))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> Repository:
        index = bisect.bisect_right(self._cumulative, rng.random() * self._total)
        return self._active[min(index, len(self._active) - 1)]


def repository_count(jobs_per_day: int) -> int:
    """About one repository per two daily jobs, within sensible bounds."""
    return max(12, min(1_500, jobs_per_day // 2))


def make_repositories(rng: random.Random, count: int) -> tuple[Repository, ...]:
    """`count` distinct repositories; some are never active, a few are not categorised."""
    combos = rng.sample(range(len(OWNERS) * len(NAMES)), count)
    repositories = []
    for combo in combos:
        owner, name = divmod(combo, len(NAMES))
        category_index = rng.choices(range(len(CATEGORIES)), CATEGORY_SHARES)[0]
        never_active = rng.random() < NEVER_ACTIVE_SHARE
        repositories.append(
            Repository(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                name=f"{OWNERS[owner]}/{NAMES[name]}",
                category=CATEGORIES[category_index],
                categorised=rng.random() >= UNCATEGORISED_SHARE,
                star_count=rng.randint(*STAR_RANGES[category_index]),
                contributor_count=rng.randint(*CONTRIBUTOR_RANGES[category_index]),
                pr_count=rng.randint(*PR_RANGES[category_index]),
                activity=0.0
                if never_active
                else ACTIVITY[category_index] * rng.lognormvariate(0, 0.5),
                work=WORK[category_index],
                bucket=0,
            )
        )
    return tuple(_spread_buckets(rng, repositories))


def _spread_buckets(rng: random.Random, repositories: list[Repository]) -> list[Repository]:
    """Give busy and quiet repositories buckets spread evenly over 0-99 (a golden-ratio walk
    down the activity ranking), so that N % of the rollout carries about N % of the jobs even in
    a small catalogue, where independent random buckets would be lumpy."""
    ranked = sorted(range(len(repositories)), key=lambda index: -repositories[index].activity)
    start = rng.random()
    buckets = [0] * len(repositories)
    for rank, index in enumerate(ranked):
        buckets[index] = int((start + rank * GOLDEN_RATIO_FRACTION) % 1.0 * 100)
    return [
        dataclasses.replace(repo, bucket=bucket)
        for repo, bucket in zip(repositories, buckets, strict=True)
    ]


def category_rows(repositories: tuple[Repository, ...]) -> list[dict[str, object]]:
    """`repository_categories` rows, ordered by repository id."""
    return [
        {
            "repository_id": repo.id,
            "category": repo.category,
            "is_test_repository": repo.category == "test",
            "star_count": repo.star_count,
            "contributor_count": repo.contributor_count,
            "pr_count": repo.pr_count,
        }
        for repo in sorted(repositories, key=lambda repo: repo.id)
        if repo.categorised
    ]
