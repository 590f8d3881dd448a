"""The statistics behind every verdict: how sure the data are that a line is crossed.

Pure functions, no clock, no I/O. Rates are proportions here (0–1); the rules convert.

- `wilson_bound`: a one-sided Wilson score bound of a proportion. It states how low (or high)
  the true rate can plausibly be given the counts, so "2 failures out of 28" is never read as
  "7.1 %, over the line".
- `cusum` / `rate_evidence`: Page's CUSUM on the sequence of finished jobs, the sequential
  test the error-rate rules and the circuit breaker rest on. Each job adds its log-likelihood
  ratio of "the rate is at the alarm rate `p1`" against "the rate is at the acceptable rate
  `p0`" (a failure adds log(p1/p0), a success log((1-p1)/(1-p0))), with a floor at 0 so a
  healthy stretch resets it. It alarms when the sum reaches `h`. Because, for any true rate at
  or below `p0`, every likelihood-ratio run started at any job is a non-negative
  supermartingale, Ville's inequality bounds the chance that one run ever reaches `h` by
  e^-h, and Lorden's theorem bounds the average number of jobs between false alarms below by
  e^h: the bound holds however often the sum is looked at, which is what lets the health
  check look every 15 minutes without multiplying false alarms. Starting the sum at the
  beginning of the evaluation window can only lower it, so the bound still holds.
- `two_proportion_rise`: a one-sided two-proportion z-test, for rate trends.
- `poisson_zero`: the chance of seeing no job at all when `expected` were due.
- `enough_for_percentile`: Kayenta's rule of thumb, 50 samples a side before comparing a p95.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import polars as pl

# Kayenta recommends at least 50 data points per metric per side before judging a percentile.
MIN_PERCENTILE_SAMPLES = 50

# Finished jobs in creation order, True where the job failed: a Boolean Series or any iterable.
Outcomes = pl.Series | Iterable[bool]


def z_one_sided(confidence: float) -> float:
    """The standard normal quantile of `confidence` (0.95 → 1.645, 0.99 → 2.326)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(confidence)


def wilson_bound(failures: int, trials: int, confidence: float, *, upper: bool = False) -> float:
    """The one-sided Wilson score bound of failures/trials at `confidence` (a proportion).

    The lower bound by default: the true rate is above it with probability `confidence`.
    Without trials nothing is known: the lower bound is 0, the upper 1.
    """
    if trials <= 0:
        return 1.0 if upper else 0.0
    if not 0 <= failures <= trials:
        raise ValueError(f"{failures} failures out of {trials} trials")
    z = z_one_sided(confidence)
    p = failures / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    bound = (centre + spread if upper else centre - spread) / (1 + z2 / trials)
    return min(1.0, max(0.0, bound))


@dataclass(frozen=True)
class Cusum:
    """Where Page's CUSUM stands after the last job.

    `statistic` is the log-likelihood ratio of the current run (0 after a reset);
    `failures`/`trials` are the jobs of that run, the stretch the evidence rests on.
    """

    statistic: float
    failures: int
    trials: int

    @property
    def likelihood_ratio(self) -> float:
        return math.exp(self.statistic)


def cusum_steps(p0: float, p1: float) -> tuple[float, float]:
    """What one failure and one success add to the log-likelihood ratio of p1 against p0."""
    if not 0.0 < p0 < p1 < 1.0:
        raise ValueError(f"need 0 < p0 < p1 < 1, not p0={p0}, p1={p1}")
    return math.log(p1 / p0), math.log((1 - p1) / (1 - p0))


@dataclass(frozen=True)
class Jobs:
    """Finished jobs in creation order, told by where the failures are: `failed_at` holds the
    0-based positions of the failed ones among `trials` jobs.

    Between two failures come only successes, and each moves a log-likelihood ratio by the
    same step, so the tests below walk from failure to failure: their work follows the
    failures (a few percent of the jobs), not the jobs.
    """

    trials: int
    failed_at: tuple[int, ...]

    @classmethod
    def of(cls, outcomes: Outcomes) -> Jobs:
        if isinstance(outcomes, pl.Series):
            failed_at = outcomes.cast(pl.Boolean).fill_null(False).arg_true().to_list()
            return cls(outcomes.len(), tuple(failed_at))
        flags = [bool(failed) for failed in outcomes]
        return cls(len(flags), tuple(i for i, failed in enumerate(flags) if failed))

    @property
    def failures(self) -> int:
        return len(self.failed_at)


def cusum(outcomes: Outcomes | Jobs, p0: float, p1: float) -> Cusum:
    """Page's CUSUM over `outcomes` (True = failed), in the order the jobs were created."""
    jobs = outcomes if isinstance(outcomes, Jobs) else Jobs.of(outcomes)
    on_failure, on_success = cusum_steps(p0, p1)
    statistic, failures, trials, previous = 0.0, 0, 0, -1
    for position in (*jobs.failed_at, jobs.trials):  # each failure, then the end
        # The successes since the previous failure lower the sum step by step: if it ends at
        # or below 0 it was reset on the way (and by every success after that).
        successes = position - previous - 1
        statistic += successes * on_success
        trials += successes
        if statistic <= 0.0:
            statistic, failures, trials = 0.0, 0, 0
        if position < jobs.trials:
            statistic += on_failure
            failures += 1
            trials += 1
        previous = position
    return Cusum(statistic, failures, trials)


class Level(StrEnum):
    """What the evidence says about a rate against its warning and critical lines."""

    OK = "ok"
    INCONCLUSIVE = "inconclusive"  # too few jobs, or over a line without the evidence
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class EvidenceSettings:
    """How much evidence a line needs.

    `confidence` is the one-sided level of the Wilson bounds; `h_warning` and `h_critical`
    the CUSUM alarm levels (log-likelihood ratios); `alarm_factor` places the critical
    CUSUM's alarm rate p1 at this multiple of the critical line, its acceptable rate p0 being
    the warning line. 1.75 times the line (8.75 % for a 5 % line) is nearer the rates of the
    incidents the critical test is for (12 % errors) than the 1.5 it was: 7 failures spread
    over 70 jobs (an hour of such an incident at 100 jobs an hour, drawn low) now reach the
    alarm level. Twice the line catches slightly more incidents early but let a chance burst
    of 5 failures among 27 healthy jobs through in the alert-quality harness; 1.75 does not.
    """

    confidence: float = 0.95
    h_warning: float = 5.0
    h_critical: float = 5.0
    alarm_factor: float = 1.75


@dataclass(frozen=True)
class Stretch:
    """The most recent jobs a breach rests on: their count, failures, log-likelihood ratio
    and the one-sided lower bound of their rate."""

    failures: int
    trials: int
    statistic: float
    lower: float


@dataclass(frozen=True)
class RateEvidence:
    """The verdict on one rate and everything it rests on (rates as proportions)."""

    level: Level
    failures: int
    trials: int
    rate: float | None
    lower: float  # one-sided lower bound of the whole window's rate
    upper: float  # one-sided upper bound of the whole window's rate
    cusum: Cusum  # the CUSUM at the window's last job
    stretch: Stretch | None  # the jobs a warning or critical rests on
    line: float | None  # the line the level is about

    @property
    def conclusive(self) -> bool:
        return self.level is not Level.INCONCLUSIVE


def alarm_rates(
    warning: float, critical: float, settings: EvidenceSettings
) -> dict[Level, tuple[float, float]]:
    """Each level's CUSUM rates (p0, p1): p0 is the warning line for both; the warning
    CUSUM's alarm rate is the critical line, the critical CUSUM's `alarm_factor` times it."""
    p0 = min(max(warning, 1e-6), 0.5)
    return {
        Level.WARNING: (p0, min(max(critical, p0 * 1.5), 0.999)),
        Level.CRITICAL: (p0, min(max(critical * settings.alarm_factor, p0 * 1.5), 0.999)),
    }


def rate_evidence(
    outcomes: Outcomes,
    warning: float,
    critical: float,
    *,
    min_jobs: int,
    settings: EvidenceSettings = EvidenceSettings(),
) -> RateEvidence:
    """Judge a failure rate against its warning and critical lines (proportions).

    `outcomes` are the window's finished jobs in the order they were created (True = failed).
    A line is breached only when some most recent stretch of more than `min_jobs` jobs has
    both a log-likelihood ratio at the line's alarm level (so that line's CUSUM has alarmed)
    and a one-sided Wilson lower bound above the line. Both grow with every failure, so the
    verdict is monotone in the failures. A window with `min_jobs` finished jobs or fewer is
    inconclusive; a rate over the warning line without that evidence is inconclusive
    ("watching").
    """
    jobs = Jobs.of(outcomes)
    trials, failures = jobs.trials, jobs.failures
    rate = failures / trials if trials else None
    lower = wilson_bound(failures, trials, settings.confidence)
    upper = wilson_bound(failures, trials, settings.confidence, upper=True)
    rates = alarm_rates(warning, critical, settings)
    state = cusum(jobs, *rates[Level.CRITICAL])

    def verdict(level: Level, stretch: Stretch | None, line: float | None) -> RateEvidence:
        return RateEvidence(level, failures, trials, rate, lower, upper, state, stretch, line)

    if trials <= min_jobs:
        return verdict(Level.INCONCLUSIVE, None, None)
    for level, line, alarm in (
        (Level.CRITICAL, critical, settings.h_critical),
        (Level.WARNING, warning, settings.h_warning),
    ):
        found = _breaching_stretch(jobs, *rates[level], line, alarm, min_jobs, settings)
        if found is not None:
            return verdict(level, found, line)
    if rate is not None and rate > warning:
        return verdict(Level.INCONCLUSIVE, None, critical if rate > critical else warning)
    return verdict(Level.OK, None, None)


def _breaching_stretch(
    jobs: Jobs,
    p0: float,
    p1: float,
    line: float,
    alarm: float,
    min_jobs: int,
    settings: EvidenceSettings,
) -> Stretch | None:
    """The most recent stretch (a suffix of the jobs) with more than `min_jobs` jobs, a
    log-likelihood ratio of at least `alarm` and a lower bound above `line`; the one with the
    largest ratio (the shortest of equals), or None.

    The suffixes that start at a failure or in the successes just before it hold the same
    failures, and the longer they are the lower both their ratio and their bound: of them only
    the shortest with more than `min_jobs` jobs can be the answer. So one candidate per
    failure, from the last failure back.
    """
    on_failure, on_success = cusum_steps(p0, p1)
    best: Stretch | None = None
    failed_at = jobs.failed_at
    for index in range(len(failed_at) - 1, -1, -1):
        failures = len(failed_at) - index
        trials = max(jobs.trials - failed_at[index], min_jobs + 1)
        longest = jobs.trials - (failed_at[index - 1] + 1 if index else 0)
        if trials > longest:  # every suffix long enough also holds the failure before
            continue
        statistic = failures * on_failure + (trials - failures) * on_success
        if statistic < alarm or (best is not None and statistic <= best.statistic):
            continue
        bound = wilson_bound(failures, trials, settings.confidence)
        if bound > line:
            best = Stretch(failures, trials, statistic, bound)
    return best


def two_proportion_rise(
    failures_before: int,
    trials_before: int,
    failures_now: int,
    trials_now: int,
    confidence: float,
) -> tuple[float | None, bool]:
    """The one-sided two-proportion z statistic of "the rate rose", and whether it is
    significant at `confidence`. None (and not significant) when either side is empty or
    both rates are 0 or 1, where the pooled variance vanishes."""
    if trials_before <= 0 or trials_now <= 0:
        return None, False
    pooled = (failures_before + failures_now) / (trials_before + trials_now)
    variance = pooled * (1 - pooled) * (1 / trials_before + 1 / trials_now)
    if variance <= 0:
        return None, False
    z = (failures_now / trials_now - failures_before / trials_before) / math.sqrt(variance)
    return z, z > z_one_sided(confidence)


def poisson_zero(expected: float) -> float:
    """P(no event) when `expected` events are due: e^-expected."""
    return math.exp(-max(expected, 0.0))


def enough_for_percentile(before: int, now: int, minimum: int = MIN_PERCENTILE_SAMPLES) -> bool:
    """Whether both sides have enough samples to compare a high percentile such as p95."""
    return before >= minimum and now >= minimum
