"""Cost: inngest per job, GitHub Actions per (rounded) minute, baseline, savings, pending."""

from __future__ import annotations

from typing import Literal

import pytest

from reportgen.compute.cost import cost_of
from reportgen.compute.frame import prepare
from reportgen.config import PriceSettings

from .jobs_frames import job, jobs_frame

# Minutes are given as fractions: 1.5 minutes is 90 seconds.
MIXED = jobs_frame(
    job("i1"),
    job("i2", "failed"),
    job("i3", "pending"),
    job("g1", processor="github_actions", started=0, completed=1.5),
    job("g2", "failed", "github_actions", started=0, completed=0.25),
    job("g3", "processing", "github_actions", started=0, completed=None),
    job("g4", processor="github_actions", started=None, completed=3),
    job("u1", processor="mystery"),
)


@pytest.mark.parametrize(
    ("rounding", "minutes"),
    [("up", 2 + 1), ("exact", 1.5 + 0.25)],
)
def test_cost_rounding_of_github_actions_minutes(
    rounding: Literal["up", "exact"], minutes: float
) -> None:
    cost = cost_of(prepare(MIXED), PriceSettings(rounding=rounding))
    assert cost.github_actions_minutes == pytest.approx(minutes)
    assert cost.github_actions == pytest.approx(minutes * 0.008)
    assert cost.inngest == pytest.approx(3 * 0.0002)
    assert cost.actual == pytest.approx(cost.inngest + cost.github_actions)
    assert cost.baseline == pytest.approx(8 * 0.0002)
    assert cost.savings == pytest.approx(cost.baseline - cost.actual)
    assert cost.savings_pct == pytest.approx(cost.savings / cost.baseline * 100)
    # g3 is still running: its cost is pending, not free. g4 has no start; u1 no price.
    assert (cost.pending_jobs, cost.unpriced_jobs) == (1, 2)
    assert (cost.inngest_jobs, cost.github_actions_jobs) == (3, 4)
    assert cost.rounding == rounding


def test_cost_prices_of_zero_work() -> None:
    prices = PriceSettings(inngest_per_job=0, github_actions_per_minute=0)
    cost = cost_of(prepare(MIXED), prices)
    assert (cost.actual, cost.baseline, cost.savings) == (0.0, 0.0, 0.0)
    assert cost.savings_pct is None
    assert cost.github_actions_minutes == 3.0


def test_cost_of_no_jobs_has_null_savings_pct() -> None:
    cost = cost_of(prepare(jobs_frame()), PriceSettings())
    assert (cost.actual, cost.baseline, cost.savings, cost.savings_pct) == (0.0, 0.0, 0.0, None)
    assert (cost.pending_jobs, cost.unpriced_jobs, cost.github_actions_minutes) == (0, 0, 0.0)


def test_cost_all_inngest_saves_nothing() -> None:
    cost = cost_of(prepare(jobs_frame(job("a"), job("b"))), PriceSettings())
    assert cost.savings == 0.0
    assert cost.savings_pct == 0.0


def test_cost_github_actions_free_for_public_repositories_saves_everything() -> None:
    jobs = jobs_frame(job("g", processor="github_actions", started=0, completed=5))
    cost = cost_of(prepare(jobs), PriceSettings(github_actions_per_minute=0))
    assert cost.savings_pct == 100.0
