"""The transport `notify/sentry.py` gives sentry-sdk: each envelope posted synchronously, and
the ids Sentry accepted remembered.

Apart from `sentry.py` because subclassing sentry-sdk's `Transport` imports the SDK (and httpx),
about 0.1 s of CPU that a command without a DSN, such as every `reportgen build` that notifies
nobody, should not pay.
"""

from __future__ import annotations

import gzip
import logging

import httpx
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from reportgen import __version__

log = logging.getLogger(__name__)


class ConfirmingTransport(Transport):
    """Posts each envelope (gzip) and records the ids of those Sentry accepted with a 2xx."""

    def __init__(self, dsn: str, timeout: float) -> None:
        super().__init__({"dsn": dsn})
        self.timeout = timeout
        self.accepted: set[str] = set()
        self._http: httpx.Client | None = None  # on first use: it loads the certificate store

    def capture_envelope(self, envelope: Envelope) -> None:
        assert self.parsed_dsn is not None
        auth = self.parsed_dsn.to_auth(f"reportgen/{__version__}")
        headers = {
            "Content-Type": "application/x-sentry-envelope",
            "Content-Encoding": "gzip",
            "X-Sentry-Auth": auth.to_header(),
        }
        if self._http is None:
            self._http = httpx.Client(timeout=self.timeout)
        try:
            response = self._http.post(
                auth.get_api_url(), content=gzip.compress(envelope.serialize()), headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("Sentry could not be reached: %s", type(exc).__name__)
            return
        if not response.is_success:
            log.warning("Sentry refused an envelope: HTTP %s", response.status_code)
            return
        self.accepted.update(_envelope_ids(envelope))

    def kill(self) -> None:
        if self._http is not None:
            self._http.close()


def _envelope_ids(envelope: Envelope) -> set[str]:
    ids = {str(envelope.headers["event_id"])} if "event_id" in envelope.headers else set()
    for item in envelope.items:
        if item.type == "check_in" and item.payload.json is not None:
            ids.add(str(item.payload.json.get("check_in_id")))
    return ids
