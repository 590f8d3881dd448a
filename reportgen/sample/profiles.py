"""What the simulated job system looks like: job mix, latencies, failures and their messages.

Every number here is a modelling choice, not a measurement; they are gathered in one place so
that a reader can see (and tune) the whole behaviour of the sample without reading the code.
Durations are milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Relative volume per UTC hour: quiet at night, busiest in the European afternoon and the
# American morning (around 16:00 UTC), about four times the 04:00 trough.
HOUR_WEIGHTS = tuple(
    1.0 + 0.6 * math.cos(2 * math.pi * (hour + 0.5 - 16) / 24) for hour in range(24)
)
# Monday..Sunday; the mean over a week is 1, so `jobs_per_day` is the weekly average.
WEEKDAY_WEIGHTS = (1.15, 1.15, 1.15, 1.15, 1.15, 0.625, 0.625)

JOB_TYPES = ("recent-prs", "pr-details", "reviews", "comments", "historical-pr-sync")
JOB_TYPE_WEIGHTS = (0.30, 0.25, 0.13, 0.12, 0.20)
HISTORICAL = "historical-pr-sync"
# How many days a historical sync covers; the hybrid routing sends more than a week to Actions.
HISTORICAL_RANGES = (7, 14, 30, 90)
HISTORICAL_RANGE_WEIGHTS = (0.35, 0.25, 0.25, 0.15)
HYBRID_MIN_RANGE_DAYS = 7
MAX_ITEMS = {
    "recent-prs": 100,
    "pr-details": 1,
    "reviews": 50,
    "comments": 100,
    "historical-pr-sync": 1000,
}
TRIGGER_SOURCES = ("schedule", "webhook", "manual", "auto-fix")
TRIGGER_SOURCE_WEIGHTS = (0.55, 0.30, 0.10, 0.05)
BACKFILL_TRIGGER = "scheduled-backfill"
# Every day, shortly before the end's time of day, the 90-day history of the largest
# repositories in the rollout is synced on a small pool of bulk runners. The batch holds two
# jobs per bulk runner, so the second round waits one long run (under the 60-minute oldest-
# pending limit) and straddles the hourly snapshots: pending, then processing, then finished.
BACKFILL_LEAD_MS = 8 * 60_000
BULK_RUNNERS_PER_DAILY_JOB = 1 / 400
MIN_BULK_RUNNERS = 2
# Ordinary Actions jobs have their own, larger pool.
RUNNERS_PER_DAILY_JOB = 1 / 40
MIN_RUNNERS = 4
RETRY_TRIGGER = "retry"


@dataclass(frozen=True)
class Latency:
    """A log-normal duration: `median` ms, spread `sigma`, clamped to [low, high]."""

    median: float
    sigma: float
    low: int
    high: int

    @property
    def mu(self) -> float:
        return math.log(self.median)


# inngest is serverless: a job starts within seconds and runs seconds to a couple of minutes.
INNGEST_WAIT = Latency(median=1_200, sigma=0.9, low=50, high=5 * MINUTE)
# A few inngest jobs sit behind a concurrency limit or a rate-limit back-off.
INNGEST_THROTTLED_SHARE = 0.02
INNGEST_THROTTLED_WAIT = (1 * MINUTE, 15 * MINUTE)
INNGEST_RUN = {
    "recent-prs": Latency(4_000, 0.6, 300, 3 * MINUTE),
    "pr-details": Latency(2_500, 0.6, 200, 3 * MINUTE),
    "reviews": Latency(1_800, 0.6, 200, 3 * MINUTE),
    "comments": Latency(2_200, 0.6, 200, 3 * MINUTE),
    "historical-pr-sync": Latency(40_000, 0.6, 5_000, 3 * MINUTE),
}
# GitHub Actions is bulk: a runner is picked up in tens of seconds and a sync runs minutes.
ACTIONS_PICKUP = Latency(median=35_000, sigma=0.5, low=8_000, high=3 * MINUTE)
ACTIONS_RUN = {
    14: Latency(3 * MINUTE, 0.45, 45_000, 50 * MINUTE),
    30: Latency(5 * MINUTE, 0.45, 45_000, 50 * MINUTE),
    90: Latency(15 * MINUTE, 0.45, 45_000, 50 * MINUTE),
}
WORKFLOW_RUN_BASE = 11_400_000_000

BASE_FAILURE_RATE = {"inngest": 0.008, "github_actions": 0.02}
# A network failure on inngest waits out the request timeout.
INNGEST_TIMEOUT_MS = 30_000
# Transient failures are retried as a new job after a back-off, up to MAX_ATTEMPTS in all.
RETRIED_CATEGORIES = ("rate_limit", "network")
RETRY_BACKOFF = {"rate_limit": (60_000, 15 * 60_000), "network": (30_000, 5 * 60_000)}
MAX_ATTEMPTS = 3

# The injected incident: inngest loses its network for a few hours in the afternoon.
INCIDENT_START_HOUR = 14
INCIDENT_HOURS = 3
INCIDENT_FAILURE_RATE = 0.5
INCIDENT_NETWORK_SHARE = 0.85
# Some workers die mid-job and leave it `processing` for good: the stuck jobs reports count.
INCIDENT_STUCK_RATE = 0.05

# Messages per error category, first match wins; `{repo}` is the repository name.
# No template may contain a keyword of an earlier category (tests check this).
ERROR_MESSAGES: dict[str, tuple[str, ...]] = {
    "rate_limit": (
        "API rate limit exceeded for installation. (HTTP 403)",
        "You have exceeded a secondary rate limit. Please wait a few minutes "
        "before you try again. (HTTP 403)",
        "HTTP 429 Too Many Requests: retry after 60s",
        "GraphQL quota exhausted for this hour",
    ),
    "network": (
        "Request timeout after 30000ms",
        "read ECONNRESET",
        "connect ECONNREFUSED 140.82.112.6:443",
        "socket hang up (network error)",
        "fetch failed: connection closed before the response was complete",
    ),
    "authentication": (
        "Bad credentials (HTTP 401)",
        "Resource not accessible by integration: permission denied for {repo}",
        "GitHub App installation token expired: unauthorized",
    ),
    "not_found": (
        "Not Found (HTTP 404): GET /repos/{repo}/pulls",
        "Repository {repo} not found; it may have been renamed or deleted",
    ),
    "database": (
        'duplicate key value violates unique constraint "pull_requests_github_id_key"',
        'column "merged_by_id" of relation "pull_requests" does not exist',
    ),
    "validation": (
        "Validation failed: the pagination cursor is invalid",
        "Invalid time_range_days for {repo}: expected 1 to 90",
    ),
    "unknown": (
        "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
        "Job was cancelled: worker shutdown",
        "TypeError: Cannot read properties of undefined (reading 'node')\n"
        "    at mapPullRequest (/var/task/src/capture/map-pull-request.js:41:27)\n"
        "    at Array.map (<anonymous>)\n"
        "    at capturePullRequests (/var/task/src/capture/pull-requests.js:118:33)\n"
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
        "    at async runStep (/var/task/node_modules/inngest/components/execution/v1.js:702:21)\n"
        "    at async InngestExecution.executeStep (/var/task/node_modules/inngest/components/"
        "execution/v1.js:1063:26)\n"
        "    at async InngestExecution.start (/var/task/node_modules/inngest/components/"
        "execution/v1.js:88:28)",
    ),
}
ERROR_CATEGORIES = tuple(ERROR_MESSAGES)
ERROR_CATEGORY_WEIGHTS = (0.30, 0.22, 0.07, 0.15, 0.06, 0.10, 0.10)
