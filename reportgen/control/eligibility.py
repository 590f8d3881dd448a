"""How many categorised repositories the rollout row makes eligible (for `rollout status`).

It follows the job system's rollout manager: nothing while the row is inactive or stopped,
never an excluded repository, a non-empty target list is a whitelist, and the percentage
strategy takes a repository when its id's 32-bit string hash (JavaScript's `hashCode`) modulo
100 is below the percentage. `repository_size` is decided by the database's own function and
is not counted here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reportgen.control.target import RolloutRow


@dataclass(frozen=True)
class Eligibility:
    total: int
    eligible: int | None  # None where the strategy is not modelled here
    excluded: int
    by_category: dict[str, tuple[int, int | None]]  # category -> (repositories, eligible)
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "repositories": self.total,
            "eligible": self.eligible,
            "excluded": self.excluded,
            "rule": self.rule,
            "by_category": {
                category: {"repositories": total, "eligible": eligible}
                for category, (total, eligible) in sorted(self.by_category.items())
            },
        }


def string_hash(text: str) -> int:
    """`Math.abs` of JavaScript's `((h << 5) - h + charCode) | 0` over UTF-16 code units."""
    value = 0
    units = text.encode("utf-16-le")
    for index in range(0, len(units), 2):
        value = (value * 31 + int.from_bytes(units[index : index + 2], "little")) & 0xFFFFFFFF
    return abs(value - (1 << 32) if value >= 1 << 31 else value)


def eligibility(row: RolloutRow, categories: Iterable[tuple[str, str]]) -> Eligibility:
    repositories = list(categories)
    excluded = set(row.excluded_repositories)
    rule, decide = _rule(row)
    by_category: dict[str, tuple[int, int | None]] = {}
    eligible_total: int | None = 0 if decide is not None else None
    for repository_id, category in repositories:
        total, eligible = by_category.get(category, (0, 0 if decide is not None else None))
        taken = decide is not None and repository_id not in excluded and decide(repository_id)
        if eligible is not None:
            eligible += int(taken)
        if eligible_total is not None:
            eligible_total += int(taken)
        by_category[category] = (total + 1, eligible)
    in_excluded = sum(1 for repository_id, _ in repositories if repository_id in excluded)
    return Eligibility(len(repositories), eligible_total, in_excluded, by_category, rule)


def _rule(row: RolloutRow) -> tuple[str, Any]:
    if row.is_active is False or row.emergency_stop:
        return "none: the rollout is inactive or emergency-stopped", lambda _: False
    if row.target_repositories:
        targets = set(row.target_repositories)
        return "whitelist: the target repositories", lambda repo: repo in targets
    if row.strategy in (None, "percentage"):
        limit = row.percentage
        rule = f"percentage: hash(repository_id) % 100 < {limit:g}"
        return rule, lambda repo: string_hash(repo) % 100 < limit
    if row.strategy == "whitelist":
        return "whitelist: no target repositories", lambda _: False
    return f"{row.strategy}: decided by the database, not counted here", None
