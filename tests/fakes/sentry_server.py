"""A local Sentry ingest endpoint that decodes the envelopes the real SDK sends.

Use it as a DSN: `with FakeSentry() as sentry: notifier = SentryNotifier(sentry.dsn)`.
`sentry.down = True` answers 503 to everything, as an outage would.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes.local_server import LocalServer, QuietHandler


@dataclass
class Envelope:
    """One received envelope: its headers and its items as (item header, JSON payload)."""

    path: str
    headers: dict[str, Any]
    items: list[tuple[dict[str, Any], Any]]
    content_encoding: str | None
    auth: str | None


@dataclass
class _Received:
    envelopes: list[Envelope] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def parse_envelope(raw: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Any]]]:
    """Sentry's envelope format: a header line, then item header lines each with a payload."""
    header_line, _, rest = raw.partition(b"\n")
    headers = json.loads(header_line)
    items: list[tuple[dict[str, Any], Any]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_line)
        length = item_header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        items.append((item_header, json.loads(payload) if payload else None))
    return headers, items


class FakeSentry(LocalServer):
    """A Sentry ingest server on 127.0.0.1; records envelopes, can simulate an outage."""

    def __init__(self) -> None:
        self.received = _Received()
        self.down = False
        super().__init__(self._handler())

    @property
    def dsn(self) -> str:
        return f"http://publickey@{self.address}/42"

    @property
    def envelopes(self) -> list[Envelope]:
        with self.received.lock:
            return list(self.received.envelopes)

    def events(self) -> list[dict[str, Any]]:
        """Every received error/message event payload, in arrival order."""
        return self._payloads("event")

    def check_ins(self) -> list[dict[str, Any]]:
        return self._payloads("check_in")

    def _payloads(self, item_type: str) -> list[dict[str, Any]]:
        return [
            payload
            for envelope in self.envelopes
            for header, payload in envelope.items
            if header.get("type") == item_type
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if fake.down:
                    self._answer(503, b'{"detail":"down"}')
                    return
                encoding = self.headers.get("Content-Encoding")
                raw = gzip.decompress(body) if encoding == "gzip" else body
                headers, items = parse_envelope(raw)
                with fake.received.lock:
                    fake.received.envelopes.append(
                        Envelope(
                            self.path, headers, items, encoding, self.headers.get("X-Sentry-Auth")
                        )
                    )
                self._answer(200, json.dumps({"id": headers.get("event_id")}).encode())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
