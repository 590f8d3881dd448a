"""A local GitHub REST API with the issue endpoints reportgen uses, and injectable faults.

`with FakeGitHub() as github:` serves `github.api_url` for repository `github.repository`.
Faults: `github.fail_next("POST", 500)`, `github.fail_next("POST", 403, {"retry-after": "1"})`,
`github.slow_next_create(seconds)` (the issue is created, the answer comes too late),
`github.down = True` (503 for everything).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.local_server import LocalServer, QuietHandler

REPOSITORY = "acme/jobs"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    authorization: str | None


@dataclass
class Fault:
    method: str
    status: int
    headers: dict[str, str]
    path_pattern: str


@dataclass
class Issue:
    number: int
    title: str
    body: str
    labels: list[str]
    state: str = "open"
    comments: list[str] = field(default_factory=list)

    def as_json(self, api_url: str) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "state": self.state,
            "labels": [{"name": name} for name in self.labels],
            "comments": len(self.comments),
            "html_url": f"{api_url}/html/issues/{self.number}",
        }


class FakeGitHub(LocalServer):
    """GitHub's issue endpoints on 127.0.0.1, with a request log for asserting behaviour."""

    def __init__(self, repository: str = REPOSITORY) -> None:
        self.repository = repository
        self.issues: dict[int, Issue] = {}
        self.requests: list[Request] = []
        self.down = False
        self._faults: list[Fault] = []
        self._slow_creates: list[float] = []
        self._lock = threading.Lock()
        super().__init__(self._handler())

    @property
    def api_url(self) -> str:
        return f"http://{self.address}"

    def fail_next(
        self,
        method: str,
        status: int,
        headers: dict[str, str] | None = None,
        *,
        path_pattern: str = ".*",
        times: int = 1,
    ) -> None:
        """Answer the next `times` matching requests with `status` (and headers) instead."""
        with self._lock:
            for _ in range(times):
                self._faults.append(Fault(method, status, headers or {}, path_pattern))

    def slow_next_create(self, seconds: float) -> None:
        """Create the next issue, then wait `seconds` before answering (a client timeout)."""
        with self._lock:
            self._slow_creates.append(seconds)

    def add_issue(self, title: str, body: str, labels: list[str], state: str = "open") -> Issue:
        with self._lock:
            issue = Issue(len(self.issues) + 1, title, body, labels, state)
            self.issues[issue.number] = issue
            return issue

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in {"POST", "PATCH"}]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method == method and re.search(fault.path_pattern, path):
                    self._faults.remove(fault)
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        prefix = f"/repos/{self.repository}/issues"

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length", "0"))
                body: dict[str, Any] = json.loads(self.rfile.read(length)) if length else {}
                with fake._lock:
                    fake.requests.append(
                        Request(
                            method,
                            parts.path,
                            query,
                            body,
                            time.monotonic(),
                            self.headers.get("Authorization"),
                        )
                    )
                if fake.down:
                    self._answer(503, {"message": "Service Unavailable"})
                    return
                fault = fake._take_fault(method, parts.path)
                if fault is not None:
                    self._answer(fault.status, {"message": "injected"}, fault.headers)
                    return
                if method == "GET" and parts.path == prefix:
                    self._list(query)
                elif method == "POST" and parts.path == prefix:
                    self._create(body)
                elif match := re.fullmatch(rf"{prefix}/(\d+)/comments", parts.path):
                    self._comment(int(match.group(1)), body)
                elif method == "PATCH" and (match := re.fullmatch(rf"{prefix}/(\d+)", parts.path)):
                    self._update(int(match.group(1)), body)
                else:
                    self._answer(404, {"message": "Not Found"})

            def _list(self, query: dict[str, str]) -> None:
                wanted = {label for label in query.get("labels", "").split(",") if label}
                state = query.get("state", "open")
                per_page = int(query.get("per_page", "30"))
                page = int(query.get("page", "1"))
                with fake._lock:
                    matching = [
                        issue.as_json(fake.api_url)
                        for issue in sorted(fake.issues.values(), key=lambda i: -i.number)
                        if (state == "all" or issue.state == state) and wanted <= set(issue.labels)
                    ]
                chunk = matching[(page - 1) * per_page : page * per_page]
                headers = {}
                if page * per_page < len(matching):
                    next_query = dict(query, page=str(page + 1))
                    link = "&".join(f"{k}={v}" for k, v in next_query.items())
                    headers["Link"] = f'<{fake.api_url}{prefix}?{link}>; rel="next"'
                self._answer(200, chunk, headers)

            def _create(self, body: dict[str, Any]) -> None:
                issue = fake.add_issue(body["title"], body.get("body", ""), body.get("labels", []))
                with fake._lock:
                    delay = fake._slow_creates.pop(0) if fake._slow_creates else 0.0
                time.sleep(delay)
                self._answer(201, issue.as_json(fake.api_url))

            def _comment(self, number: int, body: dict[str, Any]) -> None:
                with fake._lock:
                    issue = fake.issues.get(number)
                    if issue is not None:
                        issue.comments.append(body["body"])
                if issue is None:
                    self._answer(404, {"message": "Not Found"})
                else:
                    self._answer(201, {"id": len(issue.comments), "body": body["body"]})

            def _update(self, number: int, body: dict[str, Any]) -> None:
                with fake._lock:
                    issue = fake.issues.get(number)
                    if issue is not None:
                        issue.state = body.get("state", issue.state)
                        issue.title = body.get("title", issue.title)
                        issue.body = body.get("body", issue.body)
                if issue is None:
                    self._answer(404, {"message": "Not Found"})
                else:
                    self._answer(200, issue.as_json(fake.api_url))

            def _answer(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (a timeout test)

        return Handler
