"""Incident issues on GitHub through its REST API, one issue per incident.

An incident is found again by listing open issues with the incident label and looking for the
hidden `<!-- reportgen:key=… -->` marker: the search API lags by minutes, so a fresh issue would
be missed and duplicated. Writes are serial and spaced; rate limits are waited out when the wait
is short, and a create that failed is never retried blindly (the POST may have gone through).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from reportgen import __version__
from reportgen.config import Settings
from reportgen.errors import NotifyError

log = logging.getLogger(__name__)

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
CREATE_ATTEMPTS = 3
RATE_LIMIT_ATTEMPTS = 3


def marker(key: str) -> str:
    """The hidden line that ties an issue to its alert key."""
    return f"<!-- reportgen:key={key} -->"


def in_pull_request(environ: Mapping[str, str]) -> bool:
    """A pull-request run must never open, comment on or close issues."""
    return environ.get("GITHUB_EVENT_NAME", "") in PULL_REQUEST_EVENTS


@dataclass(frozen=True)
class IncidentIssue:
    number: int
    title: str
    url: str


class IssueTracker:
    """The issue endpoints of one repository, used by one command run."""

    def __init__(
        self,
        *,
        api_url: str,
        repository: str,
        token: str,
        label: str,
        write_interval_seconds: float,
        timeout: float = 10.0,
        max_wait_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.repository = repository
        self.label = label
        self.write_interval_seconds = write_interval_seconds
        self.max_wait_seconds = max_wait_seconds
        # Injected so tests can check the spacing and the rate-limit waits without waiting.
        self._clock = clock
        self._sleep = sleep
        self._client_options: dict[str, Any] = {
            "base_url": api_url.rstrip("/"),
            "timeout": timeout,
            "headers": {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"reportgen/{__version__}",
            },
        }
        # Created on the first request: most runs have nothing to say to GitHub, and an
        # HTTPS client costs a certificate-store load.
        self._http: httpx.Client | None = None
        self._last_write: float | None = None
        self._open: dict[str, IncidentIssue] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, environ: Mapping[str, str], *, timeout: float = 10.0
    ) -> IssueTracker | None:
        """A tracker, or None when issues are not configured or this is a pull-request run."""
        token = settings.secrets.github_token
        if in_pull_request(environ):
            log.info("pull-request run: incident issues are left alone")
            return None
        if token is None or not token.get_secret_value() or not settings.github.repository:
            log.debug("GITHUB_TOKEN or GITHUB_REPOSITORY not set: no incident issues")
            return None
        return cls(
            api_url=settings.github.api_url,
            repository=settings.github.repository,
            token=token.get_secret_value(),
            label=settings.github.label,
            write_interval_seconds=settings.github.write_interval_seconds,
            timeout=timeout,
        )

    def close_client(self) -> None:
        if self._http is not None:
            self._http.close()

    # Reading

    def find_open(self, key: str, *, refresh: bool = False) -> IncidentIssue | None:
        """The open incident issue carrying this key's marker, if any."""
        if self._open is None or refresh:
            self._open = self._list_open()
        return self._open.get(key)

    def _list_open(self) -> dict[str, IncidentIssue]:
        found: dict[str, IncidentIssue] = {}
        url: str | None = f"/repos/{self.repository}/issues"
        params: dict[str, str] | None = {"state": "open", "labels": self.label, "per_page": "100"}
        while url is not None:
            response = self._send("GET", url, params=params)
            for issue in _json(response, list):
                key = _key_in(issue.get("body") or "")
                if key is not None and "pull_request" not in issue:
                    found.setdefault(key, _issue(issue))
            # The next page's URL already carries every query parameter.
            url, params = response.links.get("next", {}).get("url"), None
        return found

    # Writing

    def open_incident(self, key: str, title: str, body: str) -> IncidentIssue:
        """The open issue for `key`, created if there is none; never a duplicate."""
        existing = self.find_open(key)
        if existing is not None:
            return existing
        payload = {"title": title, "body": f"{marker(key)}\n{body}", "labels": [self.label]}
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                issue = _issue(self._write("POST", f"/repos/{self.repository}/issues", payload))
            except NotifyError as exc:
                log.warning("creating the incident issue failed (attempt %d): %s", attempt, exc)
                # The POST may have reached GitHub before the failure: look before retrying.
                existing = self.find_open(key, refresh=True)
                if existing is not None:
                    return existing
                if attempt == CREATE_ATTEMPTS:
                    raise
                continue
            assert self._open is not None
            self._open[key] = issue
            return issue
        raise AssertionError("unreachable")

    def comment(self, number: int, body: str) -> None:
        self._write("POST", f"/repos/{self.repository}/issues/{number}/comments", {"body": body})

    def close(self, key: str, number: int, body: str) -> None:
        """Comment why, then close the issue as completed."""
        self.comment(number, body)
        self._write(
            "PATCH",
            f"/repos/{self.repository}/issues/{number}",
            {"state": "closed", "state_reason": "completed"},
        )
        if self._open is not None:
            self._open.pop(key, None)

    def _write(self, method: str, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self._last_write is not None:
            wait = self._last_write + self.write_interval_seconds - self._clock()
            if wait > 0:
                self._sleep(wait)
        try:
            result: dict[str, Any] = _json(self._send(method, url, json=payload), dict)
        finally:
            self._last_write = self._clock()
        return result

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One request; rate limits are waited out (if short), anything else raises NotifyError."""
        for _ in range(RATE_LIMIT_ATTEMPTS):
            if self._http is None:
                self._http = httpx.Client(**self._client_options)
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.HTTPError as exc:
                raise NotifyError(f"GitHub {method} {url}: {type(exc).__name__}") from None
            wait = _rate_limit_wait(response)
            if wait is None:
                if response.is_success:
                    return response
                raise NotifyError(f"GitHub {method} {url}: HTTP {response.status_code}")
            if wait > self.max_wait_seconds:
                raise NotifyError(f"GitHub rate limit: retry in {wait:.0f} s")
            log.warning("GitHub rate limit: waiting %.1f s", wait)
            self._sleep(wait)
        raise NotifyError(f"GitHub {method} {url}: still rate limited")


def _json(response: httpx.Response, kind: type[Any]) -> Any:
    """The response's JSON, which must be a `kind`; a proxy's HTML page is a NotifyError."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, kind):
        raise NotifyError(f"GitHub {response.request.url.path}: unexpected answer")
    return data


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying, or None when this is not a rate-limit answer."""
    if response.status_code not in (403, 429):
        return None
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:  # an HTTP date; GitHub sends seconds, so be conservative
            return 60.0
    reset = response.headers.get("x-ratelimit-reset")
    if reset is not None and response.headers.get("x-ratelimit-remaining", "0") == "0":
        return max(0.0, float(reset) - datetime.now(UTC).timestamp())
    # GitHub's advice for a secondary rate limit without headers: wait at least a minute.
    return 60.0 if response.status_code == 429 else None


def _key_in(body: str) -> str | None:
    """The key of the marker line; escaped text quoting a marker never starts a line with it."""
    prefix, suffix = "<!-- reportgen:key=", " -->"
    for line in body.splitlines():
        if line.startswith(prefix) and line.endswith(suffix):
            return line[len(prefix) : -len(suffix)]
    return None


def _issue(data: Mapping[str, Any]) -> IncidentIssue:
    return IncidentIssue(int(data["number"]), str(data["title"]), str(data.get("html_url", "")))
