"""Alert quality: how often `reportgen health` cries wolf, and how fast it catches incidents.

    .venv/bin/python benchmarks/alert_quality.py                 # every scenario, 7 days each
    .venv/bin/python benchmarks/alert_quality.py --days 2 --scenario healthy-100
    .venv/bin/python benchmarks/alert_quality.py --json /tmp/alert-quality.json
    .venv/bin/python benchmarks/alert_quality.py --days 1 --seeds 10 --no-sample  # seeds 1-10

Each scenario simulates days of job traffic (70 % inngest, 30 % GitHub Actions, true failure
rates 1.5 % and 2.0 %, i.e. 60–80 % of the 2.5 % warning line, ordinary latencies) and runs the
health check every 15 minutes exactly as the `rollout-health-monitor` workflow does (pull, then
`health --auto-rollback`): the same `run_health` stages, in-process, on a real DuckDB store
holding the alert state, with notifications delivered to the local fake Sentry and GitHub
servers of `tests/fakes/`. What each pull would have brought is the simulated jobs created
before the run, in the state they had at that moment (pending, processing or finished).

Per scenario it prints and writes as JSON: runs by status, warning and critical runs, rollback
decisions, incident issues opened and closed, minutes from the incident's start to the first
critical run and to the first rollback decision, and Sentry events by level. The minutes are
those of the first run at or after the start (14:07, runs at :03, :18, :33 and :48), so the
runs of an incident come at +11, +26, +41, +56 … minutes: "within 45 minutes" is the third run,
"within 15" the first. With `--seeds N` it runs seeds 1 to N and sums up each scenario over
them (how often each time to critical occurred, critical runs outside incidents, issues).
It then rebuilds the bundled sample's daily reports and says how many are critical, and why,
and judges the seed's real day (57 jobs: 54 processing, 3 failed).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.github_server import REPOSITORY, FakeGitHub  # noqa: E402
from fakes.sentry_server import FakeSentry  # noqa: E402

from reportgen.commands.health import run_health  # noqa: E402
from reportgen.compute.frame import JOBS_SCHEMA, TIMESTAMP  # noqa: E402
from reportgen.config import Settings, load_settings  # noqa: E402
from reportgen.evaluate.rules import CheckType  # noqa: E402
from reportgen.notify.sentry import SentryNotifier  # noqa: E402
from reportgen.report.loader import build_reports  # noqa: E402
from reportgen.store import Store, open_store  # noqa: E402

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
TICK = timedelta(minutes=15)
FIRST_TICK = timedelta(minutes=3)  # the monitor's cron: 3,18,33,48 * * * *
FEATURE = "hybrid_progressive_capture"
INNGEST_SHARE = 0.7
BASE_FAILURE = {"inngest": 0.015, "github_actions": 0.020}
BENIGN = "validation failed: invalid payload"
NETWORK = "connect ETIMEDOUT 140.82.112.3:443"
# Two days of history fill the monitoring window and the one before it; then the runs start.
HISTORY = timedelta(days=2)
# Incidents start at 14:07 on the first day of runs, off the 15-minute grid.
INCIDENT_START = HISTORY + timedelta(hours=14, minutes=7)


@dataclass(frozen=True)
class Incident:
    """What goes wrong, from `INCIDENT_START` for `hours`."""

    hours: float
    failure: Mapping[str, float] = field(default_factory=dict)  # processor → failure rate
    error: str = NETWORK
    slower: Mapping[str, float] = field(default_factory=dict)  # processor → run-time factor
    stall: bool = False  # no job starts until it ends
    volume_factor: float = 1.0  # traffic × this while it lasts
    critical_expected: bool = True


@dataclass(frozen=True)
class Scenario:
    name: str
    jobs_per_hour: float
    incident: Incident | None = None


SCENARIOS = (
    Scenario("healthy-10", 10),
    Scenario("healthy-100", 100),
    Scenario("healthy-1000", 1000),
    Scenario(
        "errors-12pct-2h-100",
        100,
        Incident(2, {"inngest": 0.12, "github_actions": 0.12}),
    ),
    Scenario(
        "errors-12pct-2h-1000",
        1000,
        Incident(2, {"inngest": 0.12, "github_actions": 0.12}),
    ),
    Scenario("errors-6pct-4h-100", 100, Incident(4, {"inngest": 0.06, "github_actions": 0.06})),
    Scenario(
        "inngest-down-1h-100",
        100,
        Incident(1, {"inngest": 1.0}, error="connect ECONNREFUSED 10.0.0.7:443"),
    ),
    Scenario(
        "actions-3x-slower-6h-100",
        100,
        Incident(6, slower={"github_actions": 3.0}, critical_expected=False),
    ),
    Scenario("queue-stall-90min-100", 100, Incident(1.5, stall=True)),
    Scenario(
        "low-traffic-night-100",
        100,
        Incident(8, volume_factor=0.05, critical_expected=False),
    ),
)


def _lognormal(rng: random.Random, median_s: float, sigma: float) -> float:
    return median_s * math.exp(rng.gauss(0.0, sigma))


def simulate_jobs(scenario: Scenario, days: float, seed: int) -> pl.DataFrame:
    """Every job of the scenario with its final state: created, started, finished times."""
    rng = random.Random(f"{scenario.name}:{seed}")
    incident = scenario.incident
    incident_start = START + INCIDENT_START
    incident_end = incident_start + timedelta(hours=incident.hours if incident else 0)
    end = START + HISTORY + timedelta(days=days)
    rows: dict[str, list[Any]] = {name: [] for name in JOBS_SCHEMA}
    at = START
    n = 0
    stall_until: datetime | None = None
    while at < end:
        during = incident is not None and incident_start <= at < incident_end
        rate = scenario.jobs_per_hour * (incident.volume_factor if during and incident else 1.0)
        at += timedelta(seconds=rng.expovariate(rate / 3600.0))
        if at >= end:
            break
        during = incident is not None and incident_start <= at < incident_end
        processor = "inngest" if rng.random() < INNGEST_SHARE else "github_actions"
        failure = BASE_FAILURE[processor]
        error = BENIGN
        run_factor = 1.0
        stall_until = None
        if during and incident is not None:
            if processor in incident.failure:
                failure, error = incident.failure[processor], incident.error
            run_factor = incident.slower.get(processor, 1.0)
            stall_until = incident_end if incident.stall else None
        if processor == "inngest":
            wait = _lognormal(rng, 1.2, 0.9)
            run = _lognormal(rng, 4.0, 0.6)
        else:
            wait = _lognormal(rng, 40.0, 0.5)
            run = _lognormal(rng, 150.0, 0.5) * run_factor
        started = at + timedelta(seconds=wait)
        if stall_until is not None:
            started = max(started, stall_until + timedelta(seconds=rng.uniform(0, 600)))
        finished = started + timedelta(seconds=run)
        failed = rng.random() < failure
        rows["id"].append(f"{scenario.name}-{n}")
        rows["job_type"].append("recent-prs")
        rows["repository_id"].append(f"r{n % 40}")
        rows["repository_name"].append(f"acme/repo-{n % 40}")
        rows["processor_type"].append(processor)
        rows["status"].append("failed" if failed else "completed")
        rows["created_at"].append(at)
        rows["started_at"].append(started)
        rows["completed_at"].append(finished)
        rows["error"].append(error if failed else None)
        rows["time_range_days"].append(None)
        rows["workflow_run_id"].append(n if processor == "github_actions" else None)
        rows["metadata"].append(None)
        rows["updated_at"].append(finished)
        n += 1
    return pl.DataFrame(rows, schema=JOBS_SCHEMA)


def as_pulled(jobs: pl.DataFrame, moment: datetime) -> pl.DataFrame:
    """The jobs a pull at `moment` brings: created before it, in the state they had then."""
    seen = jobs.filter(pl.col("created_at") < moment)
    finished = pl.col("completed_at") <= moment
    started = pl.col("started_at") <= moment
    return seen.with_columns(
        pl.when(finished)
        .then(pl.col("status"))
        .when(started)
        .then(pl.lit("processing"))
        .otherwise(pl.lit("pending"))
        .alias("status"),
        pl.when(started).then(pl.col("started_at")).otherwise(None).alias("started_at"),
        pl.when(finished).then(pl.col("completed_at")).otherwise(None).alias("completed_at"),
        pl.when(finished).then(pl.col("error")).otherwise(None).alias("error"),
        pl.when(finished)
        .then(pl.col("completed_at"))
        .otherwise(pl.lit(moment))
        .alias("updated_at"),
    )


class PulledStore:
    """The store as the monitor's `pull` would leave it at each run: jobs as they stood then.

    The alert state, outbox and audit live in a real DuckDB store (`store`); the jobs come from
    the simulation, filtered to what a snapshot taken at `moment` holds.
    """

    def __init__(self, store: Store, jobs: pl.DataFrame, configuration: pl.DataFrame) -> None:
        self.connection = store.connection
        self._store = store
        self._jobs = jobs
        self._configuration = configuration
        self.moment = START

    def jobs_created(self, start: datetime, end: datetime) -> pl.DataFrame:
        window = self._jobs.filter(
            (pl.col("created_at") >= start) & (pl.col("created_at") < min(end, self.moment))
        )
        return as_pulled(window, self.moment).sort("created_at", "id")

    def jobs_open_at(self, at: datetime) -> pl.DataFrame:
        recent = self._jobs.filter(
            (pl.col("created_at") < at) & (pl.col("created_at") >= at - timedelta(days=2))
        )
        state = as_pulled(recent, at)
        return state.filter(pl.col("status").is_in(["pending", "processing"])).sort(
            "created_at", "id"
        )

    def table(self, name: str) -> pl.DataFrame:
        if name == "rollout_configuration":
            return self._configuration
        return self._store.table(name)

    def data_as_of(self) -> datetime | None:
        return self.moment

    def jobs_span(self) -> tuple[datetime, datetime] | None:
        return START, self.moment


def configuration(percentage: float = 25.0) -> pl.DataFrame:
    row = {
        "feature_name": FEATURE,
        "rollout_percentage": percentage,
        "is_active": True,
        "rollout_strategy": "percentage",
        "max_error_rate": 5.0,
        "monitoring_window_hours": 24,
        "auto_rollback_enabled": True,
        "emergency_stop": False,
        "target_repositories": None,
        "excluded_repositories": None,
        "updated_at": START - timedelta(days=1),
    }
    schema: dict[str, Any] = {
        "feature_name": pl.String,
        "rollout_percentage": pl.Float64,
        "is_active": pl.Boolean,
        "rollout_strategy": pl.String,
        "max_error_rate": pl.Float64,
        "monitoring_window_hours": pl.Int64,
        "auto_rollback_enabled": pl.Boolean,
        "emergency_stop": pl.Boolean,
        "target_repositories": pl.String,
        "excluded_repositories": pl.String,
        "updated_at": TIMESTAMP,
    }
    return pl.DataFrame([row], schema=schema)


def _minutes(since: datetime, at: datetime | None) -> float | None:
    return None if at is None else round((at - since).total_seconds() / 60.0, 1)


def run_scenario(
    scenario: Scenario,
    days: float,
    seed: int,
    workdir: Path,
    sentry: FakeSentry,
    github: FakeGitHub,
) -> dict[str, Any]:
    """Simulate the scenario and run the health check every 15 minutes; its figures."""
    jobs = simulate_jobs(scenario, days, seed)
    environ = {"GITHUB_TOKEN": "alert-quality", "GITHUB_REPOSITORY": REPOSITORY}
    settings: Settings = load_settings(
        environ=environ,
        overrides={
            "github": {"api_url": github.api_url, "write_interval_seconds": 0},
            "store": {"path": str(workdir / f"{scenario.name}.duckdb")},
        },
    )
    events_before = len(sentry.events())
    issues_before = {issue.number for issue in github.issues.values()}
    statuses: Counter[str] = Counter()
    rollbacks = 0
    first_critical: datetime | None = None
    first_rollback: datetime | None = None
    critical_outside: list[str] = []
    seen: Counter[str] = Counter()  # runs in which a rule (scope) was not ok
    timeline: list[str] = []  # the runs around the incident: minute, status, what fired
    start = START + INCIDENT_START
    incident = scenario.incident
    # An incident's runs are those up to 90 minutes after it ends (the hour window, recovery).
    incident_end = start + timedelta(hours=(incident.hours if incident else 0) + 1.5)
    notifier = SentryNotifier(sentry.dsn)
    try:
        with open_store(settings.store.path) as store:
            view = PulledStore(store, jobs, configuration())
            moment = START + HISTORY + FIRST_TICK
            end = START + HISTORY + timedelta(days=days)
            while moment <= end:
                view.moment = moment
                outcome = run_health(
                    view,
                    settings,
                    moment,
                    CheckType.FULL,
                    sentry=notifier,
                    environ=environ,
                )
                status = outcome.check.status.value
                for finding in outcome.check.findings:
                    if finding.severity.value in ("warning", "critical", "inconclusive"):
                        seen[f"{finding.severity.value}: {finding.rule} ({finding.scope})"] += 1
                statuses[status] += 1
                in_incident = incident is not None and start <= moment <= incident_end
                if incident is not None and start - TICK <= moment <= incident_end + 2 * TICK:
                    notify = outcome.notify
                    timeline.append(
                        f"{_minutes(start, moment):+.0f} min {status}"
                        + f" rollback={outcome.check.decision.rollback}"
                        + (
                            f" incident={notify.incident.action}"
                            if notify and notify.incident
                            else ""
                        )
                        + "".join(
                            f" | {f.severity.value} {f.rule} {f.scope}"
                            for f in outcome.check.findings
                            if f.severity.value in ("warning", "critical")
                        )
                    )
                if status == "critical":
                    if in_incident and first_critical is None:
                        first_critical = moment
                    if not in_incident:
                        critical_outside.append(
                            f"{moment.isoformat()}: "
                            + "; ".join(
                                f.message
                                for f in outcome.check.findings
                                if f.severity.value == "critical"
                            )
                        )
                if outcome.check.decision.rollback:
                    rollbacks += 1
                    if in_incident and first_rollback is None:
                        first_rollback = moment
                moment += TICK
    finally:
        notifier.close()
    events = sentry.events()[events_before:]
    opened = [issue for issue in github.issues.values() if issue.number not in issues_before]
    runs = sum(statuses.values())
    return {
        "scenario": scenario.name,
        "jobs_per_hour": scenario.jobs_per_hour,
        "days": days,
        "jobs": jobs.height,
        "runs": runs,
        "runs_by_status": {
            s: statuses.get(s, 0) for s in ("healthy", "inconclusive", "warning", "critical")
        },
        "warning_runs": statuses.get("warning", 0),
        "warning_pct": round(100.0 * statuses.get("warning", 0) / runs, 2) if runs else None,
        "critical_runs": statuses.get("critical", 0),
        "critical_runs_outside_incident": len(critical_outside),
        "critical_outside_incident": critical_outside[:20],
        "rollback_decisions": rollbacks,
        "incident_issues_opened": len(opened),
        "incident_issues_closed": sum(1 for issue in opened if issue.state == "closed"),
        "minutes_to_first_critical": _minutes(start, first_critical) if incident else None,
        "minutes_to_rollback_decision": _minutes(start, first_rollback) if incident else None,
        "sentry_events": len(events),
        "sentry_events_by_level": dict(Counter(str(e.get("level")) for e in events)),
        "critical_expected": bool(incident and incident.critical_expected),
        "runs_with_finding": dict(seen.most_common()),
        "incident_timeline": timeline,
    }


def sample_reports(workdir: Path) -> dict[str, Any]:
    """The bundled sample's daily reports: how many are critical, and which rules say so."""
    from reportgen.periods import PeriodKind, period_of

    settings = load_settings(
        environ={}, overrides={"store": {"path": str(workdir / "sample.duckdb")}}
    )
    as_of = datetime(2026, 11, 25, 10, tzinfo=UTC)
    with open_store(settings.store.path) as store:
        store.pull(str(ROOT / "data" / "sample"))
        span = store.jobs_span()
        assert span is not None
        first, last = span[0].date(), as_of.date()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        periods = [period_of(PeriodKind.DAILY, day, "UTC", as_of) for day in days]
        reports = build_reports(store, periods, settings, as_of)
    statuses: Counter[str] = Counter()
    critical: dict[str, list[str]] = {}
    for report in reports:
        statuses[report.status.value] += 1
        if report.status.value == "critical":
            critical[report.period.slug] = [
                f"{f.rule} ({f.scope}): {f.message}"
                for f in report.findings
                if f.severity.value == "critical"
            ]
    cost_only = sum(
        1 for reasons in critical.values() if all(r.startswith("cost_vs_expected") for r in reasons)
    )
    return {
        "daily_reports": len(reports),
        "by_status": dict(sorted(statuses.items())),
        "critical_days": critical,
        "critical_days_from_cost_alone": cost_only,
    }


def seed_day(workdir: Path) -> dict[str, Any]:
    """The seed's real day: 57 jobs, 54 still processing, 3 failed; health and the daily report."""
    from reportgen.periods import PeriodKind, period_of

    day = datetime(2026, 11, 10, tzinfo=UTC)
    rows = []
    for i in range(57):
        created = day + timedelta(hours=8, minutes=i * 7)
        status = "failed" if i < 3 else "processing"
        rows.append(
            {
                "id": f"seed-{i}",
                "job_type": "historical-pr-sync",
                "repository_id": f"r{i % 9}",
                "repository_name": f"acme/repo-{i % 9}",
                "processor_type": "github_actions" if i % 3 else "inngest",
                "status": status,
                "created_at": created,
                "started_at": created + timedelta(seconds=20),
                "completed_at": created + timedelta(minutes=2) if status == "failed" else None,
                "error": "Bad credentials" if status == "failed" else None,
                "time_range_days": 30,
                "workflow_run_id": None,
                "metadata": None,
                "updated_at": created + timedelta(minutes=2),
            }
        )
    jobs = pl.DataFrame(rows, schema=JOBS_SCHEMA)
    as_of = day + timedelta(hours=15, minutes=3)
    settings = load_settings(
        environ={}, overrides={"store": {"path": str(workdir / "seed.duckdb")}}
    )
    with open_store(settings.store.path) as store:
        view = PulledStore(store, jobs, configuration(10.0))
        view.moment = as_of
        notifier = SentryNotifier(None)
        outcome = run_health(view, settings, as_of, CheckType.FULL, sentry=notifier, environ={})
        snapshot = workdir / "seed-snapshot"
        snapshot.mkdir(exist_ok=True)
        jobs.write_ndjson(snapshot / "jobs-2026-11-10T15.ndjson")
        configuration(10.0).write_ndjson(snapshot / "rollout_configuration.ndjson")
        store.pull(str(snapshot))
        period = period_of(PeriodKind.DAILY, day.date(), "UTC", as_of)
        report = build_reports(store, [period], settings, as_of)[0]
    return {
        "health_status": outcome.check.status.value,
        "health_findings": [
            f"{f.severity.value}: {f.rule} ({f.scope}): {f.message}" for f in outcome.check.findings
        ],
        "rollback_decision": outcome.check.decision.rollback,
        "daily_report_status": report.status.value,
        "daily_report_findings": [
            f"{f.severity.value}: {f.rule} ({f.scope}): {f.message}" for f in report.findings
        ],
    }


def run(
    scenarios: list[Scenario],
    days: float,
    seed: int,
    *,
    with_sample: bool = True,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="alert-quality-") as tmp, FakeSentry() as sentry:
        workdir = Path(tmp)
        for scenario in scenarios:
            with FakeGitHub() as github:
                figures = run_scenario(scenario, days, seed, workdir, sentry, github)
            results.append(figures)
            echo(line(figures))
        extra: dict[str, Any] = {}
        if with_sample:
            extra["sample"] = sample_reports(workdir)
            extra["seed_day"] = seed_day(workdir)
    return {"days": days, "seed": seed, "scenarios": results, **extra}


HEADER = (
    f"{'scenario':<28} {'runs':>5} {'ok':>5} {'inc':>5} {'warn':>5} {'crit':>5} "
    f"{'warn%':>6} {'rollbk':>6} {'issues':>6} {'closed':>6} {'t_crit':>7} {'t_rb':>6} "
    f"{'sentry':>6}"
)


def line(f: Mapping[str, Any]) -> str:
    by = f["runs_by_status"]

    def minutes(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    return (
        f"{f['scenario']:<28} {f['runs']:>5} {by['healthy']:>5} {by['inconclusive']:>5} "
        f"{by['warning']:>5} {by['critical']:>5} {f['warning_pct']:>6} "
        f"{f['rollback_decisions']:>6} "
        f"{f['incident_issues_opened']:>6} {f['incident_issues_closed']:>6} "
        f"{minutes(f['minutes_to_first_critical']):>7} "
        f"{minutes(f['minutes_to_rollback_decision']):>6} "
        f"{f['sentry_events']:>6}"
    )


def over_seeds(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each scenario's figures summed up over the seeds of `runs` (one `run` result each)."""
    summary: dict[str, dict[str, Any]] = {}
    for result in runs:
        for f in result["scenarios"]:
            entry = summary.setdefault(
                f["scenario"],
                {
                    "seeds": 0,
                    "critical_runs": 0,
                    "critical_runs_outside_incident": 0,
                    "rollback_decisions": 0,
                    "warning_pct_max": 0.0,
                    "minutes_to_first_critical": Counter(),
                    "minutes_critical_to_rollback": Counter(),
                    "incident_issues_opened": Counter(),
                },
            )
            entry["seeds"] += 1
            for name in ("critical_runs", "critical_runs_outside_incident", "rollback_decisions"):
                entry[name] += f[name]
            entry["warning_pct_max"] = max(entry["warning_pct_max"], f["warning_pct"] or 0.0)
            critical, rollback = f["minutes_to_first_critical"], f["minutes_to_rollback_decision"]
            entry["minutes_to_first_critical"][_shown(critical)] += 1
            if critical is not None:
                entry["minutes_critical_to_rollback"][
                    _shown(None if rollback is None else rollback - critical)
                ] += 1
            entry["incident_issues_opened"][str(f["incident_issues_opened"])] += 1
    return {
        name: {k: dict(sorted(v.items())) if isinstance(v, Counter) else v for k, v in e.items()}
        for name, e in summary.items()
    }


def _shown(minutes: float | None) -> str:
    return "never" if minutes is None else f"{minutes:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0, help="days simulated per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, help="run seeds 1..N and sum the figures up")
    parser.add_argument("--scenario", action="append", help="run only these (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-sample", action="store_true", help="skip the bundled sample")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    print(f"alert quality: {len(chosen)} scenario(s), {args.days:g} days each, seed {args.seed}")
    print("times in minutes from the incident's start; issues = incident issues opened")
    if args.seeds:
        return _main_over_seeds(chosen, args.days, args.seeds, args.json)
    print(HEADER)
    figures = run(chosen, args.days, args.seed, with_sample=not args.no_sample)
    if "sample" in figures:
        sample = figures["sample"]
        print(
            f"\nbundled sample: {sample['daily_reports']} daily reports {sample['by_status']}; "
            f"{len(sample['critical_days'])} critical, {sample['critical_days_from_cost_alone']} "
            "of them from cost alone"
        )
        for day, reasons in sample["critical_days"].items():
            print(f"  {day}: {'; '.join(reasons)}")
        seed = figures["seed_day"]
        print(
            f"seed's day (57 jobs, 54 processing, 3 failed): health {seed['health_status']}, "
            f"daily report {seed['daily_report_status']}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def _main_over_seeds(chosen: list[Scenario], days: float, seeds: int, out: Path | None) -> int:
    runs = []
    for seed in range(1, seeds + 1):
        print(f"seed {seed}")
        print(HEADER)
        runs.append(run(chosen, days, seed, with_sample=False))
    summary = over_seeds(runs)
    print(f"\nover seeds 1-{seeds}:")
    for name, entry in summary.items():
        print(f"{name}: {json.dumps(entry)}")
    if out:
        out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=2) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
