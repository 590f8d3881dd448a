"""Alerts and Crons check-ins through sentry-sdk, with delivery confirmed per event.

The SDK normally sends from a background thread and forgets failures. Here a small transport
(`sentry_transport.py`) posts each envelope synchronously and remembers which ones Sentry
accepted, so the caller can keep an undelivered alert in the outbox and retry it on the next
run. The SDK is imported only once a DSN is given: without one every call only logs.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from reportgen import __version__
from reportgen.errors import ConfigError
from reportgen.notify.message import AlertNotice

if TYPE_CHECKING:
    import sentry_sdk
    from sentry_sdk._types import MonitorConfig

    from reportgen.notify.sentry_transport import ConfirmingTransport

log = logging.getLogger(__name__)

CheckInStatus = Literal["in_progress", "ok", "error"]


@dataclass(frozen=True)
class Monitor:
    """A Sentry Crons monitor: its slug and the cron schedule its workflow runs on."""

    slug: str
    schedule: str
    max_runtime_minutes: int = 30

    def config(self) -> MonitorConfig:
        return {
            "schedule": {"type": "crontab", "value": self.schedule},
            "timezone": "UTC",
            # GitHub's scheduler is often minutes late; do not call that a missed run.
            "checkin_margin": 10,
            "max_runtime": self.max_runtime_minutes,
        }


HEALTH_MONITOR = Monitor("reportgen-health", "3,18,33,48 * * * *")
BUILD_MONITOR = Monitor("reportgen-build", "27 8 * * *")


def _check_dsn(dsn: str) -> None:
    """A malformed DSN is the user's configuration to fix, not a crash inside sentry-sdk."""
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn as exc:
        # BadDsn names the scheme or project, never the key; the DSN itself is a secret.
        raise ConfigError(
            f"SENTRY_DSN is not a Sentry DSN: {exc}",
            hint="Set SENTRY_DSN to the DSN of the Sentry project "
            "(https://<key>@<host>/<project id>), or unset it.",
        ) from None


class SentryNotifier:
    """One Sentry client for one command run; without a DSN every call only logs."""

    def __init__(self, dsn: str | None, *, environment: str | None = None, timeout: float = 5.0):
        self._transport: ConfirmingTransport | None = None
        self._client: sentry_sdk.Client | None = None
        if dsn:
            _check_dsn(dsn)
            import sentry_sdk

            from reportgen.notify.sentry_transport import ConfirmingTransport

            self._transport = ConfirmingTransport(dsn, timeout)
            self._client = sentry_sdk.Client(
                dsn=dsn,
                transport=self._transport,
                environment=environment,
                release=f"reportgen@{__version__}",
                # Only what we send on purpose: no logging, excepthook or atexit hooks.
                default_integrations=False,
                auto_enabling_integrations=False,
            )

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def send(self, alert: AlertNotice) -> str | None:
        """Send one alert; its event id when Sentry accepted it, else None."""
        if self._client is None:
            log.warning("alert %s: %s", alert.key, alert.title())
            return None
        import sentry_sdk  # loaded with the client

        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(self._client)
            scope.set_tag("alert.type", alert.rule)
            scope.set_tag("alert.state", alert.kind)
            scope.set_tag("alert.severity", alert.severity)
            scope.set_tag("rollout.processor", alert.processor or "all")
            scope.set_tag("rollout.percentage", _percentage(alert.rollout_percentage))
            scope.set_context("alert", _alert_context(alert))
            scope.set_context("counts", dict(alert.counts))
            scope.fingerprint = [alert.key]
            event_id = sentry_sdk.capture_message(alert.title(), level=alert.sentry_level())
        return event_id if self._delivered(event_id) else None

    def check_in(
        self,
        monitor: Monitor,
        status: CheckInStatus,
        check_in_id: str | None = None,
        duration_seconds: float | None = None,
    ) -> str | None:
        """Report a Crons check-in; its id when Sentry accepted it, else None."""
        if self._client is None:
            return None
        import sentry_sdk  # loaded with the client
        from sentry_sdk.crons import capture_checkin

        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(self._client)
            sent_id = capture_checkin(
                monitor_slug=monitor.slug,
                check_in_id=check_in_id,
                status=status,
                duration=duration_seconds,
                monitor_config=monitor.config(),
            )
        return sent_id if self._delivered(sent_id) else None

    def close(self) -> None:
        """Flush and release the client; always called, even when a command failed."""
        if self._client is not None:
            self._client.flush(timeout=2.0)
            self._client.close()

    def _delivered(self, event_id: str | None) -> bool:
        return (
            event_id is not None
            and self._transport is not None
            and event_id in self._transport.accepted
        )


def _percentage(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def _alert_context(alert: AlertNotice) -> dict[str, Any]:
    return {
        "key": alert.key,
        "kind": alert.kind,
        "severity": alert.severity,
        "rule": alert.rule,
        "scope": alert.scope,
        "value": alert.value,
        "threshold": alert.threshold,
        "message": alert.message,
        "first_seen": alert.first_seen,
        "as_of": alert.as_of,
    }


@contextmanager
def monitored(notifier: SentryNotifier, monitor: Monitor) -> Iterator[None]:
    """Check in `in_progress`, then `ok` or `error` depending on how the block ended."""
    # Our own id, so `ok` closes the same check-in even if `in_progress` was not delivered.
    check_in_id = uuid.uuid4().hex
    notifier.check_in(monitor, "in_progress", check_in_id)
    started = time.monotonic()
    try:
        yield
    except BaseException:
        notifier.check_in(monitor, "error", check_in_id, time.monotonic() - started)
        raise
    notifier.check_in(monitor, "ok", check_in_id, time.monotonic() - started)
