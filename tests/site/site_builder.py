"""Build real sites from small datasets for the site tests: the rows are pulled into a real
store and the pages come from the production path (`StoreReports`, the gatherer, the writer)."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from datasets import (
    SNAPSHOT_LAG,
    Dataset,
    Row,
    categories,
    incident_rows,
    job,
    rollout,
    steady_day,
    write_ndjson,
    write_snapshot,
)

from reportgen.commands.health import replay, replay_span, replay_steps
from reportgen.config import Settings, SiteSettings, load_settings
from reportgen.evaluate.rules import CheckType
from reportgen.render.site.gather import BuildInputs, Gathered, Gatherer
from reportgen.render.site.write import WriteResult, read_manifest, write_site
from reportgen.report.loader import StoreReports
from reportgen.store import alerts as store_alerts
from reportgen.store import open_store

BUILT_AT = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)
AS_OF = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
DATA_AS_OF = datetime(2026, 11, 29, 23, 50, tzinfo=UTC)

# Untrusted text as it could arrive from the job system: markup, template syntax, script
# URLs and a token-shaped string must all stay inert text.
HOSTILE_REPOSITORY = 'evil/"><img src=x onerror=alert(1)></script><script>alert(2)</script>'
HOSTILE_JOB_TYPE = "{{ 7*7 }}<!--<script>"
HOSTILE_PROCESSOR = "</script><script>alert(5)</script><!--"
FORMULA_REPOSITORY = '=HYPERLINK("https://evil.test","open")'
HOSTILE_ERROR = (
    "javascript:alert(3) </script><script>alert(4)</script> {{ 7*7 }} "
    '=HYPERLINK("https://evil.test") ghp_FAKEabcdefghijklmnopqrstuvwxyz0123'
)


def days(first: date, count: int, per_day: int = 24) -> list[Row]:
    return [r for n in range(count) for r in steady_day(first + timedelta(days=n), "d", per_day)]


def hostile_rows(day: date) -> list[Row]:
    start = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return [
        job(
            f"hostile-{n}",
            start + timedelta(minutes=n),
            processor="github_actions",
            job_type=HOSTILE_JOB_TYPE,
            repository=("r-hostile", HOSTILE_REPOSITORY, "large"),
            status="failed",
            error=HOSTILE_ERROR,
        )
        for n in range(3)
    ] + [
        job(
            "hostile-9",
            start,
            processor=HOSTILE_PROCESSOR,
            repository=("r-formula", FORMULA_REPOSITORY, "small"),
        )
    ]


def sample_rows() -> list[Row]:
    """Nov 2 to Nov 29 2026: four steady weeks, an incident on the last day, hostile text."""
    return (
        days(date(2026, 11, 2), 27)
        + incident_rows(date(2026, 11, 29))
        + hostile_rows(date(2026, 11, 29))
    )


def settings(**site: object) -> Settings:
    """Default settings (no config file is read), with `site` fields overridden."""
    return Settings(site=SiteSettings(**site))


def pulled_store(
    folder: Path,
    rows: Sequence[Row],
    data_as_of: datetime,
    history: Sequence[dict[str, object]] = (),
) -> Path:
    """A fresh store holding `rows` (snapshot taken at `data_as_of`), categories and rollout."""
    snapshots, store = folder / "snapshots", folder / "store.duckdb"
    shutil.rmtree(snapshots, ignore_errors=True)
    store.unlink(missing_ok=True)
    dataset = Dataset(
        "site",
        list(rows),
        data_as_of + SNAPSHOT_LAG,
        data_as_of.date(),
        categories=categories(),
        rollout=rollout(),
    )
    write_snapshot(snapshots, dataset)
    if history:
        stamp = f"{data_as_of:%Y-%m-%dT%H-%M-%SZ}"
        write_ndjson(snapshots / f"rollout_history-{stamp}.ndjson", history)
    with open_store(store) as opened:
        opened.pull(str(snapshots))
    return store


def gather(
    site: Path,
    rows: Sequence[Row],
    config: Settings | None = None,
    *,
    as_of: datetime = AS_OF,
    ranges: Mapping[str, str] | None = None,
    full: bool = False,
    data_as_of: datetime = DATA_AS_OF,
    history: Sequence[dict[str, object]] = (),
    alerts: Sequence[Mapping[str, object]] = (),
) -> Gathered:
    config = config or settings()
    store = pulled_store(site.parent / f".{site.name}-data", rows, data_as_of, history)
    inputs = BuildInputs(
        as_of=as_of,
        built_at=BUILT_AT,
        commit="0123abc",
        ranges=dict(ranges or {}),
        full=full,
        alerts=tuple(alerts),
    )
    with (
        open_store(store, read_only=True) as opened,
        # As `build` does: the reports computed ahead on the store's threads.
        StoreReports(opened, config, as_of, workers=config.store.threads) as source,
    ):
        return Gatherer(source, config, inputs, site, read_manifest(site)).gather()


def build(
    site: Path, rows: Sequence[Row], config: Settings | None = None, **options: object
) -> tuple[Gathered, WriteResult]:
    gathered = gather(site, rows, config, **options)  # type: ignore[arg-type]
    config = config or settings()
    return gathered, write_site(site, gathered.output, config.secrets.values())


# The incident day's rollback and the alert episode around it, as the store would hold them.
ROLLBACK_AT = datetime(2026, 11, 29, 14, 18, tzinfo=UTC)
INCIDENT_HISTORY = (
    {
        "id": "h1",
        "feature_name": "hybrid_progressive_capture",
        "action": "rollback",
        "previous_percentage": 50.0,
        "new_percentage": 0.0,
        "reason": "Automatic rollback: error rate above 5%",
        "triggered_by": "auto_health_check",
        "created_at": ROLLBACK_AT,
    },
)


def _transition(at: datetime, before: str, after: str, severity: str) -> dict[str, object]:
    return {
        "key": "k-error-rate",
        "rule": "error_rate",
        "scope": "overall",
        "changed_at": at.isoformat(),
        "from_state": before,
        "to_state": after,
        "severity": severity,
        "notified": True,
        "message": "error_rate 30.0% > 5.0% over 40 finished jobs",
        "value": 30.0,
        "threshold": 5.0,
        "issue_number": 7,
    }


# Newest first, as `store.alerts.transitions` returns them.
INCIDENT_ALERTS = (
    _transition(datetime(2026, 11, 29, 17, 0, tzinfo=UTC), "firing", "resolved", "critical"),
    _transition(datetime(2026, 11, 29, 14, 0, tzinfo=UTC), "pending", "firing", "critical"),
    _transition(datetime(2026, 11, 29, 13, 30, tzinfo=UTC), "normal", "pending", "warning"),
)

# The sample site, built once per session; tests read it and never change it.
RANGES = {"incident": "2026-11-28..2026-11-30"}
SECRETS = {
    "GITHUB_TOKEN": "ghp_0123456789abcdefTOKENVALUE",
    "SENTRY_DSN": "https://publickey@o0.ingest.sentry.test/42",
    "REPORTGEN_DATABASE_URL": "postgresql://reportgen:hunter2pw@db.test/prod",
}


@pytest.fixture(scope="session", name="sample_site")
def sample_site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    config_file = folder / "reportgen.toml"
    config_file.write_text('[site]\ntitle = "Rollout <dashboard>"\n', encoding="utf-8")
    config = load_settings(config_file, environ=SECRETS)
    assert len(config.secrets.values()) == 3
    build(
        folder / "site",
        sample_rows(),
        config,
        ranges=RANGES,
        history=INCIDENT_HISTORY,
        alerts=INCIDENT_ALERTS,
    )
    return folder / "site"


# The bundled sample (data/sample) as `python3 dev.py demo` builds it: pulled, its incident
# day's health checks replayed (dev.py's INCIDENT_REPLAY), then the site.
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
SAMPLE_AS_OF = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def demo_replay() -> str:
    """The stretch `python3 dev.py demo` replays (dev.py's INCIDENT_REPLAY)."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.INCIDENT_REPLAY)


@pytest.fixture(scope="session", name="bundled_site")
def bundled_site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    site, config = folder / "site", settings()
    start, end = replay_span(demo_replay(), config.report.timezone, SAMPLE_AS_OF)
    steps = replay_steps(start, end, timedelta(minutes=config.health.interval_minutes))
    with open_store(folder / "store.duckdb") as store:
        store.pull(str(SAMPLE))
        replay(store, config, steps, CheckType.FULL)
        inputs = BuildInputs(
            as_of=SAMPLE_AS_OF,
            built_at=BUILT_AT,
            commit="0123abc",
            alerts=tuple(store_alerts.transitions(store)),
            lifecycle_until=store_alerts.recorded_until(store),
        )
        with StoreReports(store, config, SAMPLE_AS_OF, workers=config.store.threads) as source:
            gathered = Gatherer(source, config, inputs, site, read_manifest(site)).gather()
    write_site(site, gathered.output, ())
    return site
