"""The health views list findings most severe first, each value in its rule's unit."""

from __future__ import annotations

import json
from typing import Any

from reportgen.render import ReportFormat
from reportgen.render.text.health import health_markdown, render_health, rule_value


def _finding(severity: str, rule: str, value: float | None, threshold: float | None) -> Any:
    return {
        "severity": severity,
        "rule": rule,
        "scope": "overall",
        "value": value,
        "threshold": threshold,
        "message": f"{rule} is {severity}",
    }


def payload() -> dict[str, Any]:
    # In rule order, as the check lists them: the critical one comes after the others.
    return {
        "status": "critical",
        "as_of": "2026-12-01T20:00:00+00:00",
        "data_as_of": "2026-11-25T10:00:00+00:00",
        "check_type": "full",
        "window": {"start": "2026-12-01T19:00:00+00:00", "end": "2026-12-01T20:00:00+00:00"},
        "rollout": {"percentage": 25.0},
        "findings": [
            _finding("inconclusive", "health_score", None, None),
            _finding("warning", "data_stale", 9186.0, 60.0),
            _finding("info", "rollout_changed", 25.0, None),
            _finding("warning", "queue_backlog", 1204.0, 1000.0),
            _finding("critical", "error_rate", 12.5, 10.0),
        ],
        "decision": {"rollback": True, "executed": False, "reason": "error rate"},
        "breaker_checks": [
            {"rule": "error_rate", "scope": "overall", "value": 12.5, "threshold": 10.0,
             "tripped": True},
        ],
    }  # fmt: skip


def test_markdown_lists_findings_critical_first_with_units() -> None:
    lines = health_markdown(payload()).splitlines()
    rows = [line for line in lines if line.startswith("| ") and "overall" in line]
    assert rows[:5] == [
        "| critical | error_rate | overall | 12.5% | 10.0% | error_rate is critical |",
        "| warning | data_stale | overall | 6 d 9 h | 1 h 00 min | data_stale is warning |",
        "| warning | queue_backlog | overall | 1,204 | 1,000 | queue_backlog is warning |",
        "| inconclusive | health_score | overall | n/a | n/a | health_score is inconclusive |",
        "| info | rollout_changed | overall | 25.0% | n/a | rollout_changed is info |",
    ]
    assert rows[5] == "| error_rate | overall | 12.5% | 10.0% | yes |"


def test_table_lists_findings_critical_first_with_units() -> None:
    text = render_health(payload(), ReportFormat.TABLE, width=160)
    order = [text.index(rule) for rule in ("error_rate is", "data_stale is", "health_score is")]
    assert order == sorted(order)
    assert "6 d 9 h" in text
    assert "9,186" not in text


def test_json_lists_findings_critical_first() -> None:
    findings = json.loads(render_health(payload(), ReportFormat.JSON))["findings"]
    assert [f["severity"] for f in findings] == [
        "critical", "warning", "warning", "inconclusive", "info",
    ]  # fmt: skip


def test_rule_values_carry_their_units() -> None:
    assert rule_value("data_stale", 45.0) == "45 min 00 s"
    assert rule_value("queue_oldest_pending", 90.0) == "1 h 30 min"
    assert rule_value("connection_failure", 80.0) == "80.0%"
    assert rule_value("stuck_jobs", 2.0) == "2"
    assert rule_value("health_score", 48.25) == "48.2"
    assert rule_value("data_stale", None) == "n/a"
