"""A local Sentry ingest endpoint that decodes the envelopes the real SDK sends.

Use it as a DSN: `with FakeSentry() as sentry: notifier = SentryNotifier(sentry.dsn)`.
`sentry.down = True` answers 503 to everything, as an outage would.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


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


class FakeSentry:
    """A Sentry ingest server on 127.0.0.1; records envelopes, can simulate an outage."""

    def __init__(self) -> None:
        self.received = _Received()
        self.down = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # Handler threads must not hold up shutdown (a deliberately slow answer, an outage).
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def dsn(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://publickey@{host!s}:{port}/42"

    def __enter__(self) -> FakeSentry:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def envelopes(self) -> list[Envelope]:
        with self.received.lock:
            return list(self.received.envelopes)

    def events(self) -> list[dict[str, Any]]:
        """Every received error/message event payload, in arrival order."""
        return [
            payload
            for envelope in self.envelopes
            for header, payload in envelope.items
            if header.get("type") == "event"
        ]

    def check_ins(self) -> list[dict[str, Any]]:
        return [
            payload
            for envelope in self.envelopes
            for header, payload in envelope.items
            if header.get("type") == "check_in"
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services offer
            disable_nagle_algorithm = True  # headers and body go out without a delayed ACK

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

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

        return Handler
