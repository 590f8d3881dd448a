"""The typed views say the shapes of the JSON: the schema, a computed report, a health check."""

from __future__ import annotations

import json
import types
from datetime import UTC, date, datetime, timedelta
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from compute.jobs_frames import (
    categories_frame,
    configuration_frame,
    history_frame,
    job,
    jobs_frame,
)
from fakes.datasets import configuration, hours, steady

from reportgen.commands.health import HealthOutcome
from reportgen.compute.results import REPORT_SCHEMA_PATH
from reportgen.config import Settings, load_settings
from reportgen.evaluate.health import HealthData, evaluate_health
from reportgen.evaluate.rules import CheckType
from reportgen.notify.dispatch import NotifyOutcome
from reportgen.notify.outbox import DeliveryReport
from reportgen.periods import daily
from reportgen.report.assemble import ReportInputs, compute_report
from reportgen.report.view import HealthView, NotificationsView, ReportView

SCHEMA = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))


def _without_none(annotation: Any) -> Any:
    """`X | None` -> `X`; anything else as it is."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A `$ref` followed; of `X or null` (`oneOf`/`anyOf`), the X."""
    ref = schema.get("$ref")
    if ref:
        return _resolve(SCHEMA["$defs"][ref.rsplit("/", 1)[1]])
    choices = [c for c in schema.get("oneOf", schema.get("anyOf", [])) if c.get("type") != "null"]
    return _resolve(choices[0]) if len(choices) == 1 else schema


def _schema_mismatches(view: Any, schema: dict[str, Any], path: str) -> list[str]:
    """Where the view and the schema disagree on an object's keys, walking both down."""
    schema = _resolve(schema)
    view = _without_none(view)
    if is_typeddict(view):
        hints = get_type_hints(view)
        properties = schema.get("properties", {})
        problems = []
        if set(hints) != set(properties):
            problems.append(f"{path}: view {sorted(hints)} != schema {sorted(properties)}")
        if set(view.__required_keys__) != set(schema.get("required", [])):
            problems.append(f"{path}: required keys differ")
        for key in set(hints) & set(properties):
            problems += _schema_mismatches(hints[key], properties[key], f"{path}.{key}")
        return problems
    origin, args = get_origin(view), get_args(view)
    if origin is dict and isinstance(schema.get("additionalProperties"), dict):
        return _schema_mismatches(args[1], schema["additionalProperties"], f"{path}{{}}")
    if origin is list and isinstance(schema.get("items"), dict):
        return _schema_mismatches(args[0], schema["items"], f"{path}[]")
    return []


def _value_mismatches(view: Any, value: Any, path: str) -> list[str]:
    """Where a JSON value has other keys than its view, walking both down."""
    view = _without_none(view)
    if value is None:
        return []
    if is_typeddict(view):
        hints = get_type_hints(view)
        problems = []
        if not set(view.__required_keys__) <= set(value) <= set(hints):
            problems.append(f"{path}: value {sorted(value)} != view {sorted(hints)}")
        for key in set(hints) & set(value):
            problems += _value_mismatches(hints[key], value[key], f"{path}.{key}")
        return problems
    origin, args = get_origin(view), get_args(view)
    if origin is dict:
        return [p for k, v in value.items() for p in _value_mismatches(args[1], v, f"{path}.{k}")]
    if origin is list:
        return [p for v in value for p in _value_mismatches(args[0], v, f"{path}[]")]
    return []


def test_report_view_has_the_schema_keys() -> None:
    assert _schema_mismatches(ReportView, SCHEMA, "report") == []


def test_report_view_has_the_keys_of_a_computed_report() -> None:
    after = datetime(2026, 11, 26, 6, tzinfo=UTC)
    jobs = jobs_frame(
        job("a", created=1, repository_id="r1"),
        job("b", "failed", created=2, repository_id="r2", error="ECONNRESET"),
        job("c", "pending", processor="github_actions", created=3, started=None),
    )
    inputs = ReportInputs(
        period=daily(date(2026, 11, 25), "UTC", after),
        jobs=jobs,
        previous_jobs=jobs,
        open_jobs=jobs_frame(),
        categories=categories_frame(("r1", "small"), ("r2", "large")),
        rollout_configuration=configuration_frame(25.0),
        rollout_history=history_frame(),
        data_as_of=after,
    )
    report = compute_report(inputs, Settings()).to_dict()
    assert report["errors"]["recent"] and report["findings"] and report["trends"]
    assert _value_mismatches(ReportView, report, "report") == []


def test_health_view_has_the_keys_of_a_health_check() -> None:
    now = hours(48)
    jobs = steady(now - timedelta(hours=2), now, 200, failure_pct=40, prefix="bad")
    data = HealthData(
        jobs=jobs,
        open_jobs=jobs.clear(),
        configuration=configuration(25.0),
        history=history_frame(),
        episode_start=now - timedelta(hours=1),
        data_as_of=now,
    )
    check = evaluate_health(data, load_settings(environ={}), now, CheckType.FULL)
    notify = NotifyOutcome([], [], None, DeliveryReport(delivered=1))
    payload = {**HealthOutcome(check, notify).to_dict(), "auto_rollback": False}
    assert payload["findings"] and payload["breaker_checks"] and payload["rollout"]
    assert set(payload["notifications"]) == set(get_type_hints(NotificationsView))
    assert _value_mismatches(HealthView, payload, "health") == []
