from __future__ import annotations

from datetime import UTC, datetime

from reportgen.findings import AlertState, State, alert_key
from reportgen.notify.incident import incident_key, plan_incident
from reportgen.notify.message import AlertNotice

T0 = datetime(2026, 11, 25, tzinfo=UTC)
FEATURE = "hybrid_progressive_capture"


def state(key: str, severity: str | None, open_episode: bool) -> AlertState:
    return AlertState(
        key=key, rule="r", scope="overall",
        state=State.FIRING if open_episode else State.RESOLVED, severity=severity,
        firing_since=T0 if open_episode else None,
    )  # fmt: skip


def notice(key: str, kind: str, severity: str = "critical") -> AlertNotice:
    return AlertNotice.from_dict(
        {"key": key, "kind": kind, "severity": severity, "rule": "r", "scope": "overall",
         "message": "m"}
    )  # fmt: skip


def test_incident_key_is_per_feature() -> None:
    assert incident_key(FEATURE) == alert_key(FEATURE, "incident", "overall")
    assert incident_key("other") != incident_key(FEATURE)


def test_incident_opens_with_the_first_critical_alert() -> None:
    fired = notice("a", "firing")
    update = plan_incident(FEATURE, {}, {"a": state("a", "critical", True)}, [fired])
    assert update is not None
    assert (update.key, update.action, update.notices) == (incident_key(FEATURE), "open", (fired,))


def test_incident_comments_when_another_alert_turns_critical() -> None:
    before = {"a": state("a", "critical", True), "b": state("b", "warning", True)}
    after = {**before, "b": state("b", "critical", True)}
    escalated = notice("b", "escalated")
    update = plan_incident(FEATURE, before, after, [escalated])
    assert update is not None
    assert (update.action, update.notices) == ("comment", (escalated,))


def test_incident_closes_when_the_last_critical_alert_resolves() -> None:
    before = {"a": state("a", "critical", True), "b": state("b", "critical", True)}
    one_left = {**before, "a": state("a", "critical", False)}
    assert plan_incident(FEATURE, before, one_left, [notice("a", "resolved")]) is None
    none_left = {**one_left, "b": state("b", "critical", False)}
    update = plan_incident(FEATURE, one_left, none_left, [notice("b", "resolved")])
    assert update is not None
    assert update.action == "close"


def test_incident_ignores_warnings_and_repeats() -> None:
    before = {"a": state("a", "critical", True)}
    assert plan_incident(FEATURE, before, before, [notice("a", "repeat")]) is None
    warning = {"w": state("w", "warning", True)}
    assert plan_incident(FEATURE, {}, warning, [notice("w", "firing", "warning")]) is None
