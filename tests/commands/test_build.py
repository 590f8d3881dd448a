"""`reportgen build` on a real store pulled from snapshot files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from datasets import Dataset, incident_day, normal_week, steady_day, write_snapshot

from reportgen.commands.build import BuildOptions, BuildResult, run_build
from reportgen.config import Settings, load_settings
from reportgen.errors import ReportgenError, StoreError, UsageError
from reportgen.findings import Status
from reportgen.render.site.commit import current_commit

BUILT_AT = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


def settings_for(tmp_path: Path, **environ: str) -> Settings:
    overrides: dict[str, dict[str, object]] = {
        "store": {"path": tmp_path / "store.duckdb"},
        "source": {"path": str(tmp_path / "snapshots")},
    }
    return load_settings(overrides=overrides, environ=environ)


def build(settings: Settings, dataset: Dataset, tmp_path: Path, **options: object) -> BuildResult:
    choices = {"notify": False, **options}
    return run_build(
        settings,
        dataset.as_of,
        BuildOptions(tmp_path / "site", **choices),  # type: ignore[arg-type]
        built_at=BUILT_AT,
        commit="0123abc",
    )


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def week(tmp_path: Path) -> Dataset:
    dataset = normal_week()
    write_snapshot(tmp_path / "snapshots", dataset)
    return dataset


def test_build_pulls_computes_and_writes_every_page(tmp_path: Path, week: Dataset) -> None:
    result = build(settings_for(tmp_path), week, tmp_path)
    assert (result.pages, result.computed, result.reused, result.changed) == (
        1 + 14 + 2 + 1 + 3,
        14 + 2 + 1,
        0,
        True,
    )
    assert (result.newest_daily, result.status, result.threshold_reached) == (
        "2026-11-22",
        "healthy",
        False,
    )
    site = tmp_path / "site"
    report = json.loads((site / "weekly/2026-W47/report.json").read_text())
    assert (report["kind"], report["period"]["slug"], report["jobs"]["total"]) == (
        "weekly",
        "2026-W47",
        7 * 24,
    )
    assert "Commit <code>0123abc</code>" in (site / "index.html").read_text()


def test_build_reports_progress_per_report_page(tmp_path: Path, week: Dataset) -> None:
    calls: list[tuple[int, int]] = []
    run_build(
        settings_for(tmp_path),
        week.as_of,
        BuildOptions(tmp_path / "site", notify=False),
        built_at=BUILT_AT,
        commit="x",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(n, 17) for n in range(1, 18)]


def test_build_twice_recomputes_nothing(tmp_path: Path, week: Dataset) -> None:
    settings = settings_for(tmp_path)
    build(settings, week, tmp_path)
    before = tree(tmp_path / "site")
    again = build(settings, week, tmp_path)
    assert (again.computed, again.written, again.changed) == (0, 0, False)
    assert tree(tmp_path / "site") == before


def test_build_after_a_new_day_recomputes_only_its_pages(tmp_path: Path, week: Dataset) -> None:
    settings = settings_for(tmp_path)
    build(settings, week, tmp_path)
    later = datetime(2026, 11, 24, 6, tzinfo=UTC)
    extra = Dataset("extra", steady_day(date(2026, 11, 23), "new"), later, date(2026, 11, 23))
    write_snapshot(tmp_path / "snapshots", extra)
    result = run_build(
        settings,
        later,
        BuildOptions(tmp_path / "site", notify=False),
        built_at=BUILT_AT,
        commit="0123abc",
    )
    # Monday 23 November and its new week W48 are new; November is partial at both as-of
    # times, so it is judged again. Sunday 22 and W47 only gain a "next" link: they are
    # rendered again from their old report.json, not recomputed.
    assert result.computed == 3
    # With the latest/ pages, the index series CSVs and November's search index (26 files).
    assert result.written == 73
    assert result.newest_daily == "2026-11-23"
    assert (tmp_path / "site/daily/2026-11-23/report.json").is_file()


def test_build_after_an_old_job_changes_recomputes_its_periods(
    tmp_path: Path, week: Dataset
) -> None:
    settings = settings_for(tmp_path)
    build(settings, week, tmp_path)
    changed = next(dict(row) for row in week.jobs if row["id"].startswith("wk-1112-"))
    changed.update(status="failed", error="Bad credentials", updated_at=week.as_of)
    later = week.as_of + timedelta(minutes=30)
    write_snapshot(tmp_path / "snapshots", Dataset("update", [changed], later, date(2026, 11, 12)))
    result = build(settings, week, tmp_path)
    # Thursday 12 November, Friday 13 (it compares with the 12th), its week W46 and the week
    # after (which compares with W46), and November.
    assert result.computed == 5
    report = json.loads((tmp_path / "site/daily/2026-11-12/report.json").read_text())
    assert report["jobs"]["by_status"]["failed"] >= 1


def test_build_without_pull_needs_a_store(tmp_path: Path, week: Dataset) -> None:
    with pytest.raises(StoreError) as raised:
        build(settings_for(tmp_path), week, tmp_path, pull=False)
    assert str(raised.value) == f"store {tmp_path / 'store.duckdb'} does not exist"


def test_build_refusing_a_leaked_secret_keeps_the_old_site(tmp_path: Path) -> None:
    dataset = incident_day()
    write_snapshot(tmp_path / "snapshots", dataset)
    build(settings_for(tmp_path), dataset, tmp_path)
    before = tree(tmp_path / "site")
    # The token is part of an error message in the data: the site must not publish it.
    leaky = settings_for(tmp_path, GITHUB_TOKEN="connect ETIMEDOUT 140.82.112.3:443")
    with pytest.raises(ReportgenError) as raised:
        build(leaky, dataset, tmp_path, full=True)
    assert str(raised.value).startswith("the site would contain a secret value (in ")
    assert tree(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_build_with_a_bad_range_fails_before_writing(tmp_path: Path, week: Dataset) -> None:
    settings = settings_for(tmp_path)
    build(settings, week, tmp_path)
    before = tree(tmp_path / "site")
    with pytest.raises(UsageError) as raised:
        build(settings, week, tmp_path, ranges={"late": "2026-11-20..2026-11-19"})
    assert str(raised.value).startswith("range 'late': custom period end 2026-11-19T00:00:00")
    assert tree(tmp_path / "site") == before


def test_build_named_ranges_from_config_and_flags(tmp_path: Path, week: Dataset) -> None:
    overrides: dict[str, dict[str, object]] = {
        "store": {"path": tmp_path / "store.duckdb"},
        "source": {"path": str(tmp_path / "snapshots")},
        "site": {"ranges": {"first-week": "2026-11-09..2026-11-16"}},
    }
    settings = load_settings(overrides=overrides, environ={})
    build(settings, week, tmp_path, ranges={"last-days": "2026-11-20..2026-11-23"})
    custom = tmp_path / "site" / "custom"
    assert sorted(p.name for p in custom.iterdir()) == ["first-week", "last-days"]
    report = json.loads((custom / "first-week/report.json").read_text())
    assert report["jobs"]["total"] == 7 * 24


@pytest.mark.parametrize(("fail_on", "reached"), [(Status.WARNING, True), (Status.CRITICAL, True)])
def test_build_fail_on_reads_the_newest_daily_status(
    tmp_path: Path, fail_on: Status, reached: bool
) -> None:
    dataset = incident_day()
    write_snapshot(tmp_path / "snapshots", dataset)
    result = build(settings_for(tmp_path), dataset, tmp_path, fail_on=fail_on)
    assert (result.newest_daily, result.status, result.threshold_reached) == (
        "2026-11-25",
        "critical",
        reached,
    )


def test_build_fail_on_critical_passes_a_healthy_day(tmp_path: Path, week: Dataset) -> None:
    result = build(settings_for(tmp_path), week, tmp_path, fail_on=Status.CRITICAL)
    assert (result.status, result.threshold_reached) == ("healthy", False)


def test_build_notify_records_alerts_shown_on_the_next_build(tmp_path: Path) -> None:
    dataset = incident_day()
    write_snapshot(tmp_path / "snapshots", dataset)
    settings = settings_for(tmp_path)
    from reportgen.commands.build import health_notifier

    run_build(
        settings,
        dataset.as_of,
        BuildOptions(tmp_path / "site", notify=True),
        built_at=BUILT_AT,
        commit="x",
        notifier=health_notifier,
    )
    alerts = (tmp_path / "site/alerts/index.html").read_text()
    assert "normal → firing" not in alerts
    again = build(settings, dataset, tmp_path)
    # No report is computed again; the alerts page, and the pages whose charts now shade
    # the open alert episode, are rendered again.
    assert again.computed == 0 and again.written > 1
    alerts = (tmp_path / "site/alerts/index.html").read_text()
    assert "error_rate" in alerts and "→ firing" in alerts


def test_current_commit_prefers_github_sha(tmp_path: Path) -> None:
    assert current_commit({"GITHUB_SHA": "0123456789abcdef0123"}) == "0123456789ab"


def test_current_commit_reads_the_git_work_tree(tmp_path: Path) -> None:
    import subprocess

    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert current_commit({}, cwd=tmp_path) == head


def test_run_monitored_build_checks_in_with_sentry_crons(tmp_path: Path, week: Dataset) -> None:
    from fakes.sentry_server import FakeSentry

    from reportgen.commands.build import run_monitored_build

    with FakeSentry() as sentry:
        settings = settings_for(tmp_path, SENTRY_DSN=sentry.dsn)
        result = run_monitored_build(
            settings,
            week.as_of,
            BuildOptions(tmp_path / "site", notify=False),
            built_at=BUILT_AT,
            commit="0123abc",
        )
        check_ins = sentry.check_ins()
    assert result.changed
    assert [(c["monitor_slug"], c["status"]) for c in check_ins] == [
        ("reportgen-build", "in_progress"),
        ("reportgen-build", "ok"),
    ]
    assert check_ins[0]["monitor_config"]["schedule"]["value"] == "27 8 * * *"


def test_run_monitored_build_checks_in_error_when_the_build_fails(tmp_path: Path) -> None:
    from fakes.sentry_server import FakeSentry

    from reportgen.commands.build import run_monitored_build

    with FakeSentry() as sentry:
        settings = settings_for(tmp_path, SENTRY_DSN=sentry.dsn)
        with pytest.raises(ReportgenError):
            run_monitored_build(
                settings,
                BUILT_AT,
                BuildOptions(tmp_path / "site", notify=False),  # no snapshots to pull
                built_at=BUILT_AT,
                commit="0123abc",
            )
        statuses = [c["status"] for c in sentry.check_ins()]
    assert statuses == ["in_progress", "error"]
