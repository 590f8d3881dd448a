"""Drive headless Chromium over the DevTools protocol on a pipe, and serve a site locally.

`--remote-debugging-pipe` makes Chromium read commands from fd 3 and write replies and events
to fd 4, each a JSON message ended by a NUL byte: no websocket library is needed.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

CANDIDATES = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


def chromium() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).is_file() and os.access(found, os.X_OK):
            return found
    return None


@dataclass
class PageVisit:
    """What the browser did on one page."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    svg_charts: int = 0
    chart_slots: int = 0
    background: str = ""
    # Aria labels of the drawn rollout rules ("Rollout: rollback 50% → 0%; …").
    rollout_marks: list[str] = field(default_factory=list)
    alert_spans: int = 0
    # Elements wider than the viewport, and table headers broken inside a word.
    too_wide: list[str] = field(default_factory=list)
    broken_headers: list[str] = field(default_factory=list)


class Browser:
    def __init__(self, executable: str, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def attach_pipes() -> None:
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=attach_pipes,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        with suppress(OSError, TimeoutError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no reply from Chromium")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise OSError("Chromium closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def visit(
        self, url: str, timeout: float = 30, scheme: str = "light", width: int | None = None
    ) -> PageVisit:
        """Open `url` in a fresh tab and wait until its charts are drawn (or time runs out)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable", session)
        if width is not None:
            self.send(
                "Emulation.setDeviceMetricsOverride",
                session,
                width=width,
                height=844,
                deviceScaleFactor=1,
                mobile=True,
            )
        features = [{"name": "prefers-color-scheme", "value": scheme}]
        self.send("Emulation.setEmulatedMedia", session, features=features)
        self.events.clear()
        self.send("Page.navigate", session, url=url)
        visit = PageVisit()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.send(
                "Runtime.evaluate",
                session,
                expression=(
                    "document.readyState === 'complete' ? "
                    "[document.querySelectorAll('.chart-canvas').length, "
                    "document.querySelectorAll('.chart-canvas svg').length] : null"
                ),
                returnByValue=True,
            )["result"].get("value")
            if counts is not None:
                visit.chart_slots, visit.svg_charts = counts
                if visit.svg_charts >= visit.chart_slots:
                    break
            time.sleep(0.1)
        visit.background = self._value(session, "getComputedStyle(document.body).backgroundColor")
        visit.rollout_marks = self._value(session, ROLLOUT_MARKS)
        visit.alert_spans = self._value(session, ALERT_SPANS)
        visit.too_wide = self._value(session, TOO_WIDE)
        visit.broken_headers = self._value(session, BROKEN_HEADERS)
        self.send("Target.closeTarget", targetId=target)
        for event in self.events:
            _record(event, visit)
        return visit

    def _open(self, url: str) -> tuple[str, str]:
        """A new tab navigating to `url`: its target and session ids."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Runtime.enable", session)
        self.send("Page.enable", session)
        self.send("Page.navigate", session, url=url)
        return target, session

    def evaluate(self, url: str, expression: str, settle: float = 1.0) -> Any:
        """Open `url`, let its scripts run for `settle` seconds, and evaluate `expression`."""
        target, session = self._open(url)
        time.sleep(settle)
        value = self._value(session, expression)
        self.send("Target.closeTarget", targetId=target)
        return value

    def wait_for(self, url: str, expression: str, timeout: float = 30) -> Any:
        """Open `url` and evaluate `expression` until it is truthy (or time runs out)."""
        target, session = self._open(url)
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self._value(session, expression)
            if value:
                break
            time.sleep(0.1)
        self.send("Target.closeTarget", targetId=target)
        return value

    def _value(self, session: str, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return reply["result"].get("value")


ROLLOUT_MARKS = (
    "[...document.querySelectorAll('.chart-canvas svg .mark-rule [aria-label*=\"Rollout:\"]')]"
    ".map(e => e.getAttribute('aria-label'))"
)
ALERT_SPANS = (
    "document.querySelectorAll('.chart-canvas svg .mark-rect [aria-label*=\"alert:\"]').length"
)
# Measured in the DOM: any element whose right edge passes the viewport (a scrolling table
# wrapper clips its table, so only the wrapper counts).
TOO_WIDE = (
    "[...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap') ||"
    " e.classList.contains('table-wrap')).filter(e => {const r = e.getBoundingClientRect();"
    " return r.width > 0 && r.right > document.documentElement.clientWidth + 1;})"
    ".map(e => e.tagName + '.' + e.className)"
)
# A header broken inside a word renders its text on more lines than it has words.
BROKEN_HEADERS = (
    "[...document.querySelectorAll('th')].filter(th => {const walker ="
    " document.createTreeWalker(th, NodeFilter.SHOW_TEXT); const tops = new Set();"
    " for (let node = walker.nextNode(); node; node = walker.nextNode()) {"
    " const range = document.createRange(); range.selectNodeContents(node);"
    " for (const rect of range.getClientRects()) { tops.add(Math.round(rect.top)); } }"
    " return tops.size > th.textContent.trim().split(/\\s+/).length;})"
    ".map(th => th.textContent)"
)


def _record(event: dict[str, Any], visit: PageVisit) -> None:
    method, params = event.get("method"), event.get("params", {})
    if method == "Network.requestWillBeSent":
        visit.requests.append(params["request"]["url"])
    elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
        visit.console_errors.append(json.dumps(params.get("args")))
    elif method == "Runtime.exceptionThrown":
        visit.console_errors.append(json.dumps(params.get("exceptionDetails")))
    elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
        visit.console_errors.append(params["entry"].get("text", ""))


@contextmanager
def browser() -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        raise RuntimeError(
            "chromium-headless-shell is not installed (python3 dev.py test installs it)"
        )
    with tempfile.TemporaryDirectory() as profile:
        instance = Browser(executable, Path(profile))
        try:
            yield instance
        finally:
            instance.close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under `/<prefix>/`, as GitHub Pages does, and records every request."""

    prefix = "/repo"
    log: list[str]

    def translate_path(self, path: str) -> str:
        self.log.append(path)
        if not path.startswith(self.prefix + "/"):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path(path[len(self.prefix) :])

    def send_head(self) -> Any:
        # A missing file gets the site's 404.html with status 404, as GitHub Pages answers.
        if Path(self.translate_path(self.path)).exists():
            return super().send_head()
        page = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path, prefix: str = "/repo") -> Iterator[tuple[str, list[str]]]:
    """A local http.server for `site` under `prefix`; yields its base URL and request log."""
    log: list[str] = []
    handler = type("Handler", (_Handler,), {"prefix": prefix, "log": log})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}/", log
    finally:
        server.shutdown()
        server.server_close()
