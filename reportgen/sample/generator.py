"""The simulated jobs: when they are created, where they are routed, how long they take, how
they fail.

Jobs are generated hour by hour in creation order from one `random.Random` stream, so the same
spec always gives the same jobs. Besides the jobs arriving at random, some are scheduled ahead:
a daily backfill batch, and retries of jobs that failed on a rate limit or the network.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from reportgen.sample import profiles as p
from reportgen.sample.breaker import Breaker
from reportgen.sample.jobs import ACTIONS, INNGEST, JobLife
from reportgen.sample.repositories import (
    Repository,
    RepositoryPicker,
    make_repositories,
    repository_count,
)
from reportgen.sample.rollout import RolloutTimeline, make_timeline
from reportgen.sample.spec import (
    DEFAULT_DAYS,
    DEFAULT_END,
    DEFAULT_JOBS_PER_DAY,
    DEFAULT_SEED,
    IncidentChoice,
    SampleSpec,
)

T = TypeVar("T")


class _Weighted(Generic[T]):
    """Draws as `rng.choices(values, weights)[0]` does (same stream, same value), without
    rebuilding the cumulative weights on every one of millions of draws."""

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        self.values = tuple(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> T:
        index = bisect.bisect(self.cumulative, rng.random() * self.total, 0, len(self.values) - 1)
        return self.values[index]


_JOB_TYPES = _Weighted(p.JOB_TYPES, p.JOB_TYPE_WEIGHTS)
_HISTORICAL_RANGES = _Weighted(p.HISTORICAL_RANGES, p.HISTORICAL_RANGE_WEIGHTS)
_TRIGGER_SOURCES = _Weighted(p.TRIGGER_SOURCES, p.TRIGGER_SOURCE_WEIGHTS)
_ERROR_CATEGORIES = _Weighted(p.ERROR_CATEGORIES, p.ERROR_CATEGORY_WEIGHTS)


@dataclass(frozen=True)
class World:
    """What the jobs run against: the repositories and the rollout.

    The timeline gains its rollback while the jobs are generated (the breaker replays the
    health checks over them), so read it only after `generate_lives` is exhausted.
    """

    repositories: tuple[Repository, ...]
    timeline: RolloutTimeline


@dataclass(frozen=True, slots=True)
class _Planned:
    """A job decided before it is created: a backfill sync or a retry."""

    repository: Repository
    job_type: str
    time_range: int | None
    trigger: str
    attempt: int = 1


def make_world(spec: SampleSpec) -> World:
    """The repositories and the planned rollout of a spec; its own random stream."""
    rng = random.Random(f"{spec.seed}/repositories")
    repositories = make_repositories(rng, repository_count(spec.jobs_per_day))
    return World(repositories, make_timeline(spec.start_ms, spec.end_ms, spec.incident_ms))


def generate_lives(spec: SampleSpec, world: World) -> Iterator[JobLife]:
    """Every job created in the period, in creation order."""
    factory = _JobFactory(spec, world)
    for hour_start in range(spec.start_ms, spec.end_ms, p.HOUR):
        yield from factory.jobs_in_hour(hour_start)


def generate_jobs(
    days: int = DEFAULT_DAYS,
    jobs_per_day: int = DEFAULT_JOBS_PER_DAY,
    seed: int = DEFAULT_SEED,
    end: datetime = DEFAULT_END,
    incident: IncidentChoice = "auto",
) -> Iterator[dict[str, Any]]:
    """The `jobs` rows as they stand at `end`, in creation order (for benchmarks and tests)."""
    spec = SampleSpec.build(
        days=days, jobs_per_day=jobs_per_day, seed=seed, end=end, incident=incident
    )
    end_ms = spec.end_ms
    for life in generate_lives(spec, make_world(spec)):
        yield life.row_at(end_ms)


class _JobFactory:
    def __init__(self, spec: SampleSpec, world: World) -> None:
        self.rng = random.Random(f"{spec.seed}/jobs")
        self.spec = spec
        self.world = world
        self.picker = RepositoryPicker(world.repositories)
        self.per_hour = spec.jobs_per_day / 24
        # The daily backfill runs shortly before the end's time of day, so the last snapshot
        # catches one draining: a realistic live queue of pending and processing Actions jobs.
        self.backfill_time_of_day = (spec.end_ms - p.BACKFILL_LEAD_MS) % p.DAY
        # Runner pools: a job takes the runner that frees up first (FIFO).
        self.runners = _pool(spec, p.MIN_RUNNERS, p.RUNNERS_PER_DAILY_JOB)
        self.bulk_runners = _pool(spec, p.MIN_BULK_RUNNERS, p.BULK_RUNNERS_PER_DAILY_JOB)
        incident = spec.incident_ms
        self.incident = (
            (incident, incident + p.INCIDENT_HOURS * p.HOUR) if incident is not None else None
        )
        self.breaker = Breaker(incident, world.timeline) if incident is not None else None
        # Jobs planned ahead, by creation time; the counter keeps equal times in plan order.
        self.planned: list[tuple[int, int, _Planned]] = []
        self.sequence = itertools.count()

    def jobs_in_hour(self, hour_start: int) -> Iterator[JobLife]:
        rng = self.rng
        weekday = (hour_start // p.DAY + 3) % 7  # 1970-01-01 was a Thursday
        hour = (hour_start % p.DAY) // p.HOUR
        expected = self.per_hour * p.WEEKDAY_WEIGHTS[weekday] * p.HOUR_WEIGHTS[hour]
        arrivals = sorted(rng.randrange(p.HOUR) for _ in range(_poisson(rng, expected)))
        backfill_at = hour_start - hour_start % p.DAY + self.backfill_time_of_day
        if hour_start <= backfill_at < hour_start + p.HOUR:
            self._plan_backfill(backfill_at)
        for offset in arrivals:
            created = hour_start + offset
            yield from self._planned_until(created)
            yield self._arrival(created)
        yield from self._planned_until(hour_start + p.HOUR - 1)

    def _planned_until(self, until: int) -> Iterator[JobLife]:
        while self.planned and self.planned[0][0] <= until:
            created, _, plan = heapq.heappop(self.planned)
            yield self._route(created, plan)

    def _plan(self, created: int, plan: _Planned) -> None:
        heapq.heappush(self.planned, (created, next(self.sequence), plan))

    def _arrival(self, created: int) -> JobLife:
        rng = self.rng
        repository = self.picker.pick(rng)
        job_type = _JOB_TYPES.draw(rng)
        time_range: int | None
        if job_type == p.HISTORICAL:
            time_range = _HISTORICAL_RANGES.draw(rng)
        else:
            time_range = 1 if job_type == "recent-prs" else None
        trigger = _TRIGGER_SOURCES.draw(rng)
        return self._route(created, _Planned(repository, job_type, time_range, trigger))

    def _route(self, created: int, plan: _Planned) -> JobLife:
        """The hybrid routing: long syncs of repositories in the rollout go to Actions."""
        if self.breaker is not None:
            self.breaker.check_until(created)  # a rollback changes where this job goes
        hybrid = (
            plan.job_type == p.HISTORICAL
            and (plan.time_range or 0) > p.HYBRID_MIN_RANGE_DAYS
            and plan.repository.bucket < self.world.timeline.percentage_at(created)
        )
        life = self._actions_job(created, plan) if hybrid else self._inngest_job(created, plan)
        if self.breaker is not None:
            self.breaker.observe(life)
        return life

    def _plan_backfill(self, at_ms: int) -> None:
        """The daily bulk sync of the largest repositories in the rollout; none at 0 %."""
        percentage = self.world.timeline.percentage_at(at_ms)
        eligible = [
            repo
            for repo in self.world.repositories
            if repo.activity > 0 and repo.bucket < percentage
        ]
        eligible.sort(key=lambda repo: (-repo.pr_count, repo.id))
        created = at_ms
        for repository in eligible[: 2 * len(self.bulk_runners)]:
            created += self.rng.randint(80, 400)
            self._plan(created, _Planned(repository, p.HISTORICAL, 90, p.BACKFILL_TRIGGER))

    def _inngest_job(self, created: int, plan: _Planned) -> JobLife:
        rng = self.rng
        wait = _duration(rng, p.INNGEST_WAIT)
        if rng.random() < p.INNGEST_THROTTLED_SHARE:
            wait += rng.randint(*p.INNGEST_THROTTLED_WAIT)
        started = created + wait
        run = _duration(rng, p.INNGEST_RUN[plan.job_type], plan.repository.work)
        in_incident = self.incident is not None and self.incident[0] <= created < self.incident[1]
        if in_incident and rng.random() < p.INCIDENT_STUCK_RATE:
            return self._life(created, plan, INNGEST, started, None, None)
        category, error, run = self._outcome(INNGEST, plan.repository, run, in_incident)
        if category in p.RETRIED_CATEGORIES and plan.attempt < p.MAX_ATTEMPTS:
            self._plan_retry(started + run, plan, category)
        return self._life(created, plan, INNGEST, started, started + run, error)

    def _plan_retry(self, failed_at: int, plan: _Planned, category: str) -> None:
        low, high = p.RETRY_BACKOFF[category]
        retry = _Planned(
            plan.repository, plan.job_type, plan.time_range, p.RETRY_TRIGGER, plan.attempt + 1
        )
        self._plan(failed_at + self.rng.randint(low, high), retry)

    def _actions_job(self, created: int, plan: _Planned) -> JobLife:
        rng = self.rng
        ready = created + _duration(rng, p.ACTIONS_PICKUP)
        pool = self.bulk_runners if plan.trigger == p.BACKFILL_TRIGGER else self.runners
        started = max(ready, heapq.heappop(pool))
        run = _duration(rng, p.ACTIONS_RUN[plan.time_range or 30], plan.repository.work)
        _, error, run = self._outcome(ACTIONS, plan.repository, run, False)
        heapq.heappush(pool, started + run)
        # Run ids grow with time across all of GitHub; ours are a plausible slice of them.
        run_id = p.WORKFLOW_RUN_BASE + (created - self.spec.start_ms) // 10 + rng.randrange(10)
        return self._life(created, plan, ACTIONS, started, started + run, error, run_id)

    def _outcome(
        self, processor: str, repository: Repository, run: int, in_incident: bool
    ) -> tuple[str | None, str | None, int]:
        """The error category and message (None on success) and how long the job really ran."""
        rng = self.rng
        failure_rate = p.INCIDENT_FAILURE_RATE if in_incident else p.BASE_FAILURE_RATE[processor]
        if rng.random() >= failure_rate:
            return None, None, run
        if in_incident and rng.random() < p.INCIDENT_NETWORK_SHARE:
            category = "network"
        else:
            category = _ERROR_CATEGORIES.draw(rng)
        error = rng.choice(p.ERROR_MESSAGES[category]).format(repo=repository.name)
        if category == "network" and processor == INNGEST:
            return category, error, p.INNGEST_TIMEOUT_MS + rng.randrange(500)
        # A failed job gives up part-way through its normal run.
        return category, error, max(50, int(run * rng.uniform(0.05, 0.6)))

    def _life(
        self,
        created: int,
        plan: _Planned,
        processor: str,
        started: int,
        finished: int | None,
        error: str | None,
        workflow_run_id: int | None = None,
    ) -> JobLife:
        rng = self.rng
        max_items = p.MAX_ITEMS[plan.job_type]
        return JobLife(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            job_type=plan.job_type,
            repository=plan.repository,
            processor=processor,
            created=created,
            started=started,
            finished=finished,
            error=error,
            time_range_days=plan.time_range,
            workflow_run_id=workflow_run_id,
            trigger_source=plan.trigger,
            max_items=max_items,
            items_processed=rng.randint(0, max_items // 2 if error else max_items),
            attempt=plan.attempt,
        )


def _pool(spec: SampleSpec, minimum: int, per_daily_job: float) -> list[int]:
    """The moments each runner of a pool is next free: all free at the start."""
    return [spec.start_ms] * max(minimum, math.ceil(spec.jobs_per_day * per_daily_job))


def _duration(rng: random.Random, latency: p.Latency, scale: float = 1.0) -> int:
    drawn = int(rng.lognormvariate(latency.mu, latency.sigma) * scale)
    return min(latency.high, max(latency.low, drawn))


def _poisson(rng: random.Random, expected: float) -> int:
    """A Poisson count: Knuth's product method when small, a normal approximation when large."""
    if expected >= 30:
        return max(0, round(rng.gauss(expected, math.sqrt(expected))))
    limit = math.exp(-expected)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
