"""What the fake services share: a threaded HTTP server on 127.0.0.1 while `with` is open."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class LocalServer:
    """Serves `handler` on a free port of 127.0.0.1 from a background thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # Handler threads must not hold up shutdown (a deliberately slow answer, an outage).
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def address(self) -> str:
        """`host:port` the server listens on."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> Self:
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


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that behaves like the real services' connections and logs nothing."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real services offer
    disable_nagle_algorithm = True  # headers and body go out without a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return
