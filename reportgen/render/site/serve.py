"""A local preview of the built site with the standard library's `http.server`."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the preview is for a person at a terminal; request lines are noise

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Answer a missing page with the site's own 404.html, as GitHub Pages does.
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class PreviewServer(http.server.ThreadingHTTPServer):
    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


@contextmanager
def preview_server(site: Path, port: int = 8000) -> Iterator[PreviewServer]:
    """Serve `site` on 127.0.0.1 only (never on every interface)."""
    if not (site / "index.html").is_file():
        raise ReportgenError(
            f"{site} has no index.html", hint="Run `reportgen build` first, or pass the folder."
        )
    handler = partial(_QuietHandler, directory=str(site))
    try:
        server = PreviewServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ReportgenError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    try:
        yield server
    finally:
        server.server_close()
