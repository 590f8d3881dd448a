"""Reports of fixed datasets, pulled into a real store: the JSON and Markdown snapshots are the
report's review copy (a change to either shows up as a readable diff)."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from datasets import DATASETS, Dataset, write_snapshot
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from reportgen.commands.report import (
    partial_data_warning,
    render_report,
    report_json,
    resolve_period,
    run_report,
    stale_data_warning,
    view_for,
    write_atomically,
)
from reportgen.compute.frame import JOBS_READ
from reportgen.config import Settings, StoreSettings
from reportgen.errors import StoreError, UsageError
from reportgen.periods import Period, PeriodKind, period_of
from reportgen.render import ReportFormat
from reportgen.report.loader import ReportLoader, build_report, build_reports
from reportgen.store import open_store

KINDS = {
    "normal_week": PeriodKind.WEEKLY,
    "incident_day": PeriodKind.DAILY,
    "empty_day": PeriodKind.DAILY,
    "low_volume_day": PeriodKind.DAILY,
}
AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


class MarkdownSnapshot(SingleFileSnapshotExtension):
    file_extension = "md"
    _write_mode = WriteMode.TEXT


class JsonSnapshot(SingleFileSnapshotExtension):
    file_extension = "json"
    _write_mode = WriteMode.TEXT


def report_schema() -> dict[str, Any]:
    text = resources.files("reportgen.compute").joinpath("report_schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(
        report_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(report)


def pulled_store(tmp_path: Path, dataset: Dataset) -> Settings:
    """Settings whose store holds `dataset`, pulled from snapshot files like a user would."""
    source = write_snapshot(tmp_path / "snapshot", dataset)
    path = tmp_path / "store.duckdb"
    with open_store(path, wait_seconds=0) as store:
        store.pull(str(source))
    return Settings(store=StoreSettings(path=path))


def dataset_report(tmp_path: Path, name: str) -> dict[str, Any]:
    dataset = DATASETS[name]()
    settings = pulled_store(tmp_path, dataset)
    period = period_of(KINDS[name], dataset.report_date, "UTC", dataset.as_of)
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        report = build_report(store, period, settings, dataset.as_of).to_dict()
    validate(report)
    return report


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_build_report_json_snapshot(tmp_path: Path, snapshot: SnapshotAssertion, name: str) -> None:
    report = dataset_report(tmp_path, name)
    assert report_json(report) == snapshot.use_extension(JsonSnapshot)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_build_report_markdown_snapshot(
    tmp_path: Path, snapshot: SnapshotAssertion, name: str
) -> None:
    report = dataset_report(tmp_path, name)
    assert render_report(report, ReportFormat.MARKDOWN) == snapshot.use_extension(MarkdownSnapshot)


def test_build_report_incident_day_is_critical(tmp_path: Path) -> None:
    report = dataset_report(tmp_path, "incident_day")
    assert report["status"] == "critical"
    assert report["jobs"]["by_status"] == {
        "pending": 3,
        "processing": 2,
        "completed": 28,
        "failed": 12,
    }
    assert report["queue"]["stuck"] == 2


def test_build_report_low_volume_day_is_inconclusive(tmp_path: Path) -> None:
    report = dataset_report(tmp_path, "low_volume_day")
    assert report["status"] == "inconclusive"
    assert report["period"]["partial"] is True
    assert report["health"]["score"] is None
    assert report["jobs"]["finished"] == 5


def test_build_report_empty_day_has_zero_jobs(tmp_path: Path) -> None:
    report = dataset_report(tmp_path, "empty_day")
    assert report["jobs"]["total"] == 0
    assert report["jobs"]["error_rate"] is None


def test_run_report_empty_store_is_a_report_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    with open_store(path, wait_seconds=0):
        pass
    settings = Settings(store=StoreSettings(path=path))
    period = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", AS_OF)
    report = json.loads(run_report(settings, period, ReportFormat.JSON))
    validate(report)
    assert report["jobs"]["total"] == 0
    assert report["data_as_of"] is None


def test_run_report_missing_store_says_to_pull(tmp_path: Path) -> None:
    settings = Settings(store=StoreSettings(path=tmp_path / "nowhere.duckdb"))
    period = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", AS_OF)
    with pytest.raises(StoreError) as caught:
        run_report(settings, period, ReportFormat.JSON)
    assert str(caught.value) == f"no store at {tmp_path / 'nowhere.duckdb'}"
    assert caught.value.hint == "Run `reportgen pull` first."
    assert not (tmp_path / "nowhere.duckdb").exists()


def test_run_report_out_writes_the_same_text(tmp_path: Path) -> None:
    settings = pulled_store(tmp_path, DATASETS["incident_day"]())
    period = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", AS_OF)
    out = tmp_path / "reports" / "day.md"
    text = run_report(settings, period, ReportFormat.MARKDOWN, out=out)
    assert out.read_text(encoding="utf-8") == text
    assert text.startswith("# Rollout report: daily 2026-11-25")


def test_run_report_table_is_plain_text_without_color(tmp_path: Path) -> None:
    settings = pulled_store(tmp_path, DATASETS["incident_day"]())
    period = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", AS_OF)
    text = run_report(settings, period, ReportFormat.TABLE, width=120)
    assert "\x1b[" not in text
    assert "Processors" in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_write_atomically_replaces_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    previous = os.umask(0o022)
    try:
        write_atomically(target, "new\n")
    finally:
        os.umask(previous)
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def _period(kind: PeriodKind, **flags: Any) -> Period:
    return resolve_period(kind, Settings(), AS_OF, **flags)


def test_resolve_period_daily_defaults_to_the_day_of_as_of() -> None:
    period = _period(PeriodKind.DAILY)
    assert (period.start, period.end) == (
        datetime(2026, 11, 25, tzinfo=UTC),
        datetime(2026, 11, 26, tzinfo=UTC),
    )
    assert period.partial


def test_resolve_period_hours_end_at_as_of() -> None:
    period = _period(PeriodKind.CUSTOM, hours=24)
    assert (period.start_utc, period.end_utc) == (datetime(2026, 11, 24, 15, tzinfo=UTC), AS_OF)


def test_resolve_period_custom_dates_are_read_in_the_report_zone() -> None:
    settings = Settings.model_validate({"report": {"timezone": "Europe/Berlin"}})
    period = resolve_period(
        PeriodKind.CUSTOM, settings, AS_OF, start=date(2026, 11, 1), end=date(2026, 11, 8)
    )
    assert period.start_utc == datetime(2026, 10, 31, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "flags", "message"),
    [
        (
            PeriodKind.DAILY,
            {"hours": 3},
            "--start/--end and --hours are for custom reports, not daily",
        ),
        (
            PeriodKind.WEEKLY,
            {"start": date(2026, 11, 1), "end": date(2026, 11, 2)},
            "--start/--end and --hours are for custom reports, not weekly",
        ),
        (PeriodKind.CUSTOM, {"start": date(2026, 11, 1)}, "--start needs --end"),
        (PeriodKind.CUSTOM, {"end": date(2026, 11, 1)}, "--end needs --start"),
        (PeriodKind.CUSTOM, {}, "a custom report needs --start and --end, or --hours"),
        (
            PeriodKind.CUSTOM,
            {"day": date(2026, 11, 1)},
            "--date is for daily, weekly and monthly reports; custom takes --start/--end",
        ),
        (
            PeriodKind.CUSTOM,
            {"hours": 2, "start": date(2026, 11, 1), "end": date(2026, 11, 2)},
            "use either --start/--end or --hours, not both",
        ),
        (PeriodKind.CUSTOM, {"hours": 0}, "--hours must be positive, got 0"),
    ],
)
def test_resolve_period_refuses_flags_that_mean_nothing(
    kind: PeriodKind, flags: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        _period(kind, **flags)
    assert str(caught.value) == message


def test_build_reports_series_equals_reports_one_by_one(tmp_path: Path) -> None:
    dataset = DATASETS["normal_week"]()
    settings = pulled_store(tmp_path, dataset)
    days = [
        period_of(PeriodKind.DAILY, date(2026, 11, 10 + n), "UTC", dataset.as_of) for n in range(7)
    ]
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        series = [r.to_dict() for r in build_reports(store, days, settings, dataset.as_of)]
        single = [build_report(store, p, settings, dataset.as_of).to_dict() for p in days]
    assert series == single
    assert [r["jobs"]["total"] for r in series] == [24] * 7
    assert [r["trends"]["jobs"]["previous"] for r in series] == [24] * 7


def test_build_reports_series_reuses_windows_without_changing_any_figure(tmp_path: Path) -> None:
    dataset = DATASETS["normal_week"]()
    settings = pulled_store(tmp_path, dataset)
    days = [
        period_of(PeriodKind.DAILY, date(2026, 11, 10 + n), "UTC", dataset.as_of) for n in range(7)
    ]
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        series = build_reports(store, days, settings, dataset.as_of)
        single = [build_report(store, p, settings, dataset.as_of) for p in days]
    # Whole reports, the comparison windows' metrics included (not only their JSON part).
    assert series == single
    assert [r.previous.detailed for r in series] == [False] * 7
    assert series[1].previous.jobs == series[0].window.jobs


def test_report_loader_reads_only_the_columns_a_report_uses(tmp_path: Path) -> None:
    dataset = DATASETS["normal_week"]()
    settings = pulled_store(tmp_path, dataset)
    day = period_of(PeriodKind.DAILY, date(2026, 11, 12), "UTC", dataset.as_of)
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        inputs = ReportLoader(store).inputs(day)
    assert inputs.jobs.columns == list(JOBS_READ)
    assert inputs.open_jobs.columns == list(JOBS_READ)
    assert inputs.jobs.height == 24


def test_build_report_re_anchors_the_period_at_as_of(tmp_path: Path) -> None:
    dataset = DATASETS["low_volume_day"]()
    settings = pulled_store(tmp_path, dataset)
    period = period_of(PeriodKind.DAILY, dataset.report_date, "UTC", AS_OF)
    later = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        report = build_report(store, period, settings, later).to_dict()
    assert report["as_of"] == "2026-11-26T09:00:00+00:00"
    assert report["period"]["partial"] is False


def test_build_report_judges_the_queue_no_later_than_the_newest_data(tmp_path: Path) -> None:
    dataset = DATASETS["incident_day"]()
    settings = pulled_store(tmp_path, dataset)
    later = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    day_after = period_of(PeriodKind.DAILY, date(2026, 11, 26), "UTC", later)
    with open_store(settings.store.path, wait_seconds=0, read_only=True) as store:
        report = build_report(store, day_after, settings, later).to_dict()
    # The data ends 15 minutes into the 26th: the queue is what the last snapshot showed,
    # not those jobs aged by the rest of a day nobody observed.
    assert report["data_as_of"] == "2026-11-26T00:15:00+00:00"
    assert report["queue"]["evaluated_at"] == "2026-11-26T00:15:00+00:00"
    on_the_day = dataset_report(tmp_path / "day", "incident_day")["queue"]
    assert report["queue"]["pending"] == on_the_day["pending"]


def test_resolve_period_refuses_a_day_after_as_of() -> None:
    with pytest.raises(UsageError) as caught:
        _period(PeriodKind.DAILY, day=date(2026, 12, 25))
    assert str(caught.value) == (
        "the daily period of 2026-12-25 starts after as-of 2026-11-25T15:00:00+00:00"
    )


def test_resolve_period_accepts_the_week_that_contains_as_of() -> None:
    period = _period(PeriodKind.WEEKLY, day=date(2026, 11, 29))
    assert period.start == datetime(2026, 11, 23, tzinfo=UTC)
    assert period.partial


def test_view_for_reads_the_out_extension_unless_format_is_given() -> None:
    assert view_for(None, None) is ReportFormat.JSON
    assert view_for(None, Path("r.MD")) is ReportFormat.MARKDOWN
    assert view_for(None, Path("r.txt")) is ReportFormat.TABLE
    assert view_for(None, Path("r.html")) is ReportFormat.JSON
    assert view_for(ReportFormat.TABLE, Path("r.html")) is ReportFormat.TABLE
    assert view_for(ReportFormat.MARKDOWN, Path("r.markdown")) is ReportFormat.MARKDOWN


def test_stale_data_warning_only_when_the_data_end_before_the_period() -> None:
    as_of = datetime(2026, 12, 1, 12, tzinfo=UTC)
    day = period_of(PeriodKind.DAILY, date(2026, 12, 1), "UTC", as_of)
    assert stale_data_warning(day, datetime(2026, 12, 1, 0, 5, tzinfo=UTC)) is None
    assert stale_data_warning(day, None) is None
    assert stale_data_warning(day, datetime(2026, 11, 30, 22, tzinfo=UTC)) == (
        "Warning: the data end 2026-11-30 22:00 UTC, 2 h 00 min before this daily period "
        "starts; pull newer data, or pick an earlier period with --date or --as-of"
    )


def test_partial_data_warning_says_what_an_ended_period_holds() -> None:
    as_of = datetime(2026, 12, 2, tzinfo=UTC)
    data_as_of = datetime(2026, 11, 25, 10, tzinfo=UTC)
    span = (datetime(2026, 10, 25, 0, 3, tzinfo=UTC), datetime(2026, 11, 25, 9, 58, tzinfo=UTC))
    day = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", as_of)
    assert partial_data_warning(day, span, data_as_of) == (
        "Warning: the data cover part of this daily period: "
        "data until 2026-11-25 10:00 UTC · 10 of 24 hours"
    )
    october = period_of(PeriodKind.MONTHLY, date(2026, 10, 1), "UTC", as_of)
    assert partial_data_warning(october, span, data_as_of) == (
        "Warning: the data cover part of this monthly period: data start 2026-10-25 · 7 of 31 days"
    )
    covered = period_of(PeriodKind.DAILY, date(2026, 11, 18), "UTC", as_of)
    assert partial_data_warning(covered, span, data_as_of) is None
    running = period_of(PeriodKind.DAILY, date(2026, 11, 25), "UTC", data_as_of)
    assert partial_data_warning(running, span, data_as_of) is None
    assert partial_data_warning(day, None, None) is None
