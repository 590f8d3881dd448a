"""The health score: the seed's deductions, floored at 0, null when inconclusive."""

from __future__ import annotations

import pytest

from reportgen.compute.health import health_score
from reportgen.compute.rates import job_counts
from reportgen.compute.results import Deduction, Latency
from reportgen.config import ThresholdSettings

T = ThresholdSettings()


@pytest.mark.parametrize(
    ("completed", "failed", "mean_ms", "stop", "score", "rules"),
    [
        (100, 0, 1000.0, False, 100, []),
        (94, 6, 1000.0, False, 85, ["error_rate_elevated"]),
        (95, 5, 1000.0, False, 100, []),
        (88, 12, 1000.0, False, 50, ["error_rate_high", "success_rate_low"]),
        (100, 0, 300_001.0, False, 90, ["processing_time_high"]),
        (100, 0, 300_000.0, False, 100, []),
        (100, 0, 1000.0, True, 50, ["emergency_stop"]),
        (0, 20, 400_000.0, True, 0, [
            "error_rate_high", "success_rate_low", "processing_time_high", "emergency_stop"
        ]),
    ],
)  # fmt: skip
def test_health_score_deductions(
    completed: int, failed: int, mean_ms: float, stop: bool, score: int, rules: list[str]
) -> None:
    counts = job_counts({"completed": completed, "failed": failed}, min_jobs=10)
    health = health_score(counts, Latency(1, mean_ms, mean_ms, mean_ms, mean_ms), stop, T)
    assert health.score == score
    assert health.conclusive
    assert [d.rule for d in health.deductions] == rules


def test_health_score_deduction_carries_value_and_threshold() -> None:
    counts = job_counts({"completed": 88, "failed": 12}, min_jobs=10)
    health = health_score(counts, Latency(), False, T)
    assert health.deductions[0] == Deduction("error_rate_high", 30, 12.0, 10.0)
    assert health.deductions[1] == Deduction("success_rate_low", 20, 88.0, 90.0)


def test_health_score_is_null_when_inconclusive() -> None:
    counts = job_counts({"completed": 5, "failed": 5}, min_jobs=10)
    health = health_score(counts, Latency(), True, T)
    assert (health.score, health.conclusive, health.deductions) == (None, False, ())
