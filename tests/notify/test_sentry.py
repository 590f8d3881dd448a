from __future__ import annotations

import logging

import pytest
from fakes.sentry_server import FakeSentry

from reportgen.errors import ConfigError
from reportgen.notify.message import AlertNotice
from reportgen.notify.sentry import BUILD_MONITOR, HEALTH_MONITOR, SentryNotifier, monitored

NOTICE = AlertNotice(
    key="a1b2c3d4e5f60718",
    kind="firing",
    severity="critical",
    rule="connection_failure",
    scope="processor:inngest",
    message="inngest: 48 of 48 failures are network",
    value=100.0,
    threshold=50.0,
    counts={"network": 48, "failed": 48, "finished": 120},
    processor="inngest",
    rollout_percentage=25.0,
    first_seen="2026-11-25T10:00:00+00:00",
    as_of="2026-11-25T10:45:00+00:00",
)


def test_sentry_send_one_gzip_event_with_level_tags_fingerprint_contexts() -> None:
    with FakeSentry() as sentry:
        notifier = SentryNotifier(sentry.dsn)
        event_id = notifier.send(NOTICE)
        notifier.close()
        envelopes = sentry.envelopes
    assert len(envelopes) == 1
    assert envelopes[0].content_encoding == "gzip"
    assert envelopes[0].path == "/api/42/envelope/"
    assert (envelopes[0].auth or "").startswith("Sentry sentry_key=publickey, sentry_version=7")
    (event,) = [payload for header, payload in envelopes[0].items if header["type"] == "event"]
    assert event["event_id"] == event_id
    assert event["level"] == "fatal"
    assert event["fingerprint"] == ["a1b2c3d4e5f60718"]
    assert event["message"] == (
        "[critical] connection_failure (processor:inngest): inngest: 48 of 48 failures are network"
    )
    assert event["tags"] == {
        "alert.type": "connection_failure",
        "alert.state": "firing",
        "alert.severity": "critical",
        "rollout.processor": "inngest",
        "rollout.percentage": "25",
    }
    assert event["contexts"]["counts"] == {"network": 48, "failed": 48, "finished": 120}
    assert event["contexts"]["alert"]["threshold"] == 50.0
    assert event["contexts"]["alert"]["first_seen"] == "2026-11-25T10:00:00+00:00"


@pytest.mark.parametrize(
    ("severity", "kind", "level"),
    [
        ("critical", "firing", "fatal"),
        ("warning", "firing", "warning"),
        ("info", "firing", "info"),
        ("critical", "resolved", "info"),
    ],
)
def test_sentry_send_maps_severity_to_level(severity: str, kind: str, level: str) -> None:
    notice = AlertNotice.from_dict({**NOTICE.to_dict(), "severity": severity, "kind": kind})
    with FakeSentry() as sentry:
        notifier = SentryNotifier(sentry.dsn)
        notifier.send(notice)
        notifier.close()
        assert [event["level"] for event in sentry.events()] == [level]


def test_sentry_send_down_returns_none() -> None:
    with FakeSentry() as sentry:
        sentry.down = True
        notifier = SentryNotifier(sentry.dsn)
        assert notifier.send(NOTICE) is None
        notifier.close()
        assert sentry.events() == []


def test_sentry_send_unreachable_returns_none() -> None:
    with FakeSentry() as sentry:
        dsn = sentry.dsn
    notifier = SentryNotifier(dsn, timeout=1.0)
    assert notifier.send(NOTICE) is None
    notifier.close()


def test_sentry_without_dsn_logs_only(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SentryNotifier(None)
    with caplog.at_level(logging.WARNING, "reportgen.notify.sentry"):
        assert notifier.send(NOTICE) is None
    assert not notifier.enabled
    assert caplog.messages == [f"alert a1b2c3d4e5f60718: {NOTICE.title()}"]
    notifier.close()


def test_sentry_monitored_checks_in_progress_then_ok_with_schedule() -> None:
    with FakeSentry() as sentry:
        notifier = SentryNotifier(sentry.dsn)
        with monitored(notifier, HEALTH_MONITOR):
            pass
        notifier.close()
        check_ins = sentry.check_ins()
    assert [c["status"] for c in check_ins] == ["in_progress", "ok"]
    assert {c["monitor_slug"] for c in check_ins} == {"reportgen-health"}
    assert check_ins[0]["check_in_id"] == check_ins[1]["check_in_id"]
    assert check_ins[0]["monitor_config"] == {
        "schedule": {"type": "crontab", "value": "3,18,33,48 * * * *"},
        "timezone": "UTC",
        "checkin_margin": 10,
        "max_runtime": 30,
    }


def test_sentry_monitored_checks_in_error_when_the_block_fails() -> None:
    with FakeSentry() as sentry:
        notifier = SentryNotifier(sentry.dsn)
        with pytest.raises(RuntimeError), monitored(notifier, BUILD_MONITOR):
            raise RuntimeError("boom")
        notifier.close()
        check_ins = sentry.check_ins()
    assert [c["status"] for c in check_ins] == ["in_progress", "error"]
    assert check_ins[0]["monitor_config"]["schedule"]["value"] == "27 8 * * *"


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("not-a-dsn", "Unsupported scheme ''"),
        ("http://127.0.0.1:9/1", "Missing public key"),
        ("https://s3cr3t@o1.ingest.sentry.io/abc", "Invalid project in DSN ('abc')"),
    ],
)
def test_sentry_malformed_dsn_is_a_config_error_without_the_dsn(dsn: str, reason: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SentryNotifier(dsn)
    assert str(raised.value) == f"SENTRY_DSN is not a Sentry DSN: {reason}"
    assert raised.value.hint == (
        "Set SENTRY_DSN to the DSN of the Sentry project "
        "(https://<key>@<host>/<project id>), or unset it."
    )
    assert "s3cr3t" not in str(raised.value)


def test_sentry_title_shows_durations_as_the_tables_do() -> None:
    notice = AlertNotice.from_dict(
        {**NOTICE.to_dict(), "rule": "data_stale", "scope": "overall", "severity": "warning"}
        | {"message": "newest snapshot is 585360000 ms old > 60 min"}
    )
    assert (
        notice.title() == "[warning] data_stale (overall): newest snapshot is 6 d 18 h old > 60 min"
    )
