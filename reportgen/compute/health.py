"""The health score (the seed's formula) and the deductions that made it."""

from __future__ import annotations

from reportgen.compute.results import Deduction, Health, JobCounts, Latency
from reportgen.config import ThresholdSettings

FULL_SCORE = 100


def health_score(
    counts: JobCounts,
    processing: Latency,
    emergency_stop: bool,
    thresholds: ThresholdSettings,
) -> Health:
    """100 minus the deductions that apply, floored at 0; null when the rates are inconclusive."""
    if not counts.conclusive or counts.error_rate is None or counts.success_rate is None:
        return Health(score=None, conclusive=False, deductions=())
    deductions: list[Deduction] = []
    error_rate = counts.error_rate
    if error_rate > thresholds.health_score_error_rate_high:
        deductions.append(
            Deduction("error_rate_high", 30, error_rate, thresholds.health_score_error_rate_high)
        )
    elif error_rate > thresholds.health_score_error_rate_medium:
        deductions.append(
            Deduction(
                "error_rate_elevated", 15, error_rate, thresholds.health_score_error_rate_medium
            )
        )
    if counts.success_rate < thresholds.health_score_success_rate_low:
        deductions.append(
            Deduction(
                "success_rate_low",
                20,
                counts.success_rate,
                thresholds.health_score_success_rate_low,
            )
        )
    mean = processing.mean
    if mean is not None and mean > thresholds.health_score_processing_ms:
        deductions.append(
            Deduction("processing_time_high", 10, mean, thresholds.health_score_processing_ms)
        )
    if emergency_stop:
        deductions.append(Deduction("emergency_stop", 50, True, None))
    score = max(0, FULL_SCORE - sum(d.points for d in deductions))
    return Health(score=float(score), conclusive=True, deductions=tuple(deductions))
